#!/usr/bin/python3
"""WebSocket peer for the WsClient integration tests (python3-websockets 10.4, legacy asyncio API).

Prints exactly one line "LISTENING <port>" (or "LISTENING unix:<path>") on stdout once it accepts
connections; logs to stderr. What a connection gets depends on its request path (see README.md).
SIGTERM ends the process at once: open connections drop without a Close frame.
"""
import argparse
import asyncio
import http
import json
import os
import ssl
import sys
from urllib.parse import parse_qs, quote, urlsplit

import websockets


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def split_path(path):
    """'/close?code=1000' -> ('/close', {'code': '1000'}); the last value wins for repeated keys."""
    url = urlsplit(path)
    return url.path, {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}


def set_cookie_headers(path):
    """A Set-Cookie field for each set-cookie=VALUE in the query (repeatable), on any response."""
    values = parse_qs(urlsplit(path).query, keep_blank_values=True).get("set-cookie", [])
    return [("Set-Cookie", value) for value in values]


def redirect(location):
    return http.HTTPStatus.FOUND, [("Location", location), ("Content-Length", "0")], b""


async def process_request(path, request_headers):
    """Answers the plain-HTTP paths (redirects, error statuses) before any WebSocket handshake."""
    response = plain_http_response(path)
    if response is not None:
        status, headers, body = response
        response = status, headers + set_cookie_headers(path), body
    return response


def plain_http_response(path):
    route, query = split_path(path)
    if route == "/redirect":
        remaining = int(query.get("n", "1"))
        target = query.get("to", "/echo")
        if remaining <= 0:
            return redirect(target)
        return redirect(f"/redirect?n={remaining - 1}&to={quote(target, safe='/')}")
    if route == "/redirect-loop":
        return redirect(path)
    if route == "/redirect-abs":
        return redirect(query.get("to", "/echo"))
    if route == "/status":
        body = query.get("body", "").encode()
        status = http.HTTPStatus(int(query.get("code", "403")))
        headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        return status, headers, body
    return None


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def close(ws, query):
    await ws.close(int(query.get("code", "1000")), query.get("reason", ""))


async def headers(ws, query):
    # Repeated headers are joined with ", " as HTTP allows.
    joined = {}
    for name, value in ws.request_headers.raw_items():
        key = name.lower()
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    await ws.send(json.dumps({"path": ws.path, "headers": joined, "subprotocol": ws.subprotocol}))
    await echo(ws)


async def cookie(ws, query):
    # The Cookie header as received ("" without one), then echo.
    await ws.send(ws.request_headers.get("Cookie", ""))
    await echo(ws)


async def fragment(ws, query):
    # Frames of exactly `size` payload bytes: a text message may be split inside a UTF-8 sequence.
    size = max(1, int(query.get("size", "1")))
    async for message in ws:
        is_text = isinstance(message, str)
        data = message.encode() if is_text else message
        chunks = [data[i:i + size] for i in range(0, len(data), size)] or [b""]
        for index, chunk in enumerate(chunks):
            opcode = (1 if is_text else 2) if index == 0 else 0
            await ws.write_frame(index == len(chunks) - 1, opcode, chunk)


async def ping(ws, query):
    payload = query.get("payload", "")
    pong_waiter = await ws.ping(payload)
    await pong_waiter
    await ws.send(f"pong:{payload}")
    await echo(ws)


async def silent(ws, query):
    # Discard everything the client sends (no pong, no Close answer) but still notice when it goes away.
    ws.data_received = lambda data: None
    await ws.wait_closed()


async def count(ws, query):
    # Counts without echoing, so the total is known even when the client closes right after sending;
    # the total is logged when the connection ends ("count-total N").
    received = 0
    try:
        async for message in ws:
            if message == "count?":
                await ws.send(str(received))
            else:
                received += 1
    finally:
        log(f"count-total {received}")


async def invalid_utf8(ws, query):
    # A text frame that is not UTF-8, written below the library's own checks: the client must fail
    # the connection with 1007.
    await ws.write_frame(True, 0x1, b"ok \xff")
    await ws.wait_closed()


ROUTES = {"/invalid-utf8": invalid_utf8, "/close": close, "/headers": headers, "/cookie": cookie,
          "/fragment": fragment, "/ping": ping, "/silent": silent, "/count": count}


async def handler(ws):
    route, query = split_path(ws.path)
    log(f"open {ws.remote_address} {ws.path} subprotocol={ws.subprotocol}")
    try:
        action = ROUTES.get(route)
        await (action(ws, query) if action else echo(ws))
    except websockets.ConnectionClosed:
        pass
    log(f"closed {ws.remote_address} {ws.path} code={ws.close_code} reason={ws.close_reason!r}")


def tls_context(args):
    if not args.cert:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(args.client_ca)
    return context


async def main(args):
    options = dict(process_request=process_request, ssl=tls_context(args), max_size=None, max_queue=None,
                   extra_headers=lambda path, request_headers: set_cookie_headers(path),
                   ping_interval=None, compression=None if args.no_compression else "deflate",
                   subprotocols=args.subprotocols.split(",") if args.subprotocols else None)
    if args.unix:
        if os.path.exists(args.unix):
            os.unlink(args.unix)
        server = await websockets.unix_serve(handler, args.unix, **options)
        print(f"LISTENING unix:{args.unix}", flush=True)
    else:
        server = await websockets.serve(handler, args.host, args.port, reuse_address=True, **options)
        print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
    await server.wait_closed()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--unix", metavar="PATH", help="listen on a unix socket instead of TCP")
    parser.add_argument("--cert", help="server certificate (PEM): serve wss")
    parser.add_argument("--key", help="server private key (PEM)")
    parser.add_argument("--client-ca", help="require client certificates signed by this CA (PEM)")
    parser.add_argument("--subprotocols", help="comma-separated; the server picks one of the client's offer")
    parser.add_argument("--no-compression", action="store_true", help="do not accept permessage-deflate")
    asyncio.run(main(parser.parse_args()))
