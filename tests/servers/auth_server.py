#!/usr/bin/python3
"""echo_server.py behind HTTP authentication (Basic, RFC 7617; Digest, RFC 7616), for WsClient's tests.

Every request must authenticate before the WebSocket handshake (or echo_server.py's redirect and
status paths); a missing or wrong Authorization gets 401 with one WWW-Authenticate field per
offered challenge, in the order of --offer. Digest answers are verified as a server must: the
realm, the request target as uri, a nonce this server issued, the offered algorithm, qop=auth,
an nc above the last one seen for the nonce, the opaque value, and the response itself. Each
nonce is good for one connection: a correct answer with a used nonce gets stale=true.

Logs one line per decision to stderr: "auth ok user=alice scheme=Digest algorithm=SHA-256 nc=00000001",
"auth challenge <why>". Prints "LISTENING <port>" like echo_server.py.
"""
import argparse
import asyncio
import base64
import hashlib
import http
import re
import secrets

import echo_server

HASHES = {"MD5": "md5", "SHA-256": "sha256"}
PARAM = re.compile(r'\s*([!#$%&\'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)\s*(?:,|$)')


class Guard:
    def __init__(self, args):
        self.user, _, self.password = args.user.partition(":")
        self.realm = args.realm
        self.offer = [o for o in args.offer.split(",") if o]
        self.userhash = args.userhash
        self.opaque = secrets.token_hex(8)
        self.nonces = {}  # nonce -> highest nc seen (0: issued, unused)

    def h(self, algorithm, text):
        return hashlib.new(HASHES[algorithm.replace("-sess", "")], text.encode()).hexdigest()

    def challenges(self, stale=False):
        fields = []
        for offer in self.offer:
            if offer == "Basic":
                fields.append(("WWW-Authenticate", f'Basic realm="{self.realm}", charset="UTF-8"'))
                continue
            algorithm = offer.split(":", 1)[1]
            nonce = secrets.token_urlsafe(16)
            self.nonces[nonce] = 0
            value = (f'Digest realm="{self.realm}", qop="auth", algorithm={algorithm}, nonce="{nonce}", '
                     f'opaque="{self.opaque}"')
            if stale:
                value += ", stale=true"
            if self.userhash:
                value += ", userhash=true"
            fields.append(("WWW-Authenticate", value))
        return fields

    def refuse(self, why, stale=False):
        echo_server.log(f"auth challenge {why}")
        body = b"authentication required\n"
        return (http.HTTPStatus.UNAUTHORIZED,
                self.challenges(stale) + [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))], body)

    def check(self, path, headers):
        """None when the request may go on, else the 401 answer."""
        value = headers.get("Authorization")
        if value is None:
            return self.refuse("no Authorization")
        scheme, _, rest = value.partition(" ")
        if scheme.lower() == "basic" and "Basic" in self.offer:
            try:
                user, _, password = base64.b64decode(rest, validate=True).decode().partition(":")
            except ValueError:
                return self.refuse("Basic malformed")
            if (user, password) != (self.user, self.password):
                return self.refuse(f"Basic refused user={user}")
            echo_server.log(f"auth ok user={user} scheme=Basic")
            return None
        if scheme.lower() == "digest":
            return self.check_digest(path, rest)
        return self.refuse(f"scheme {scheme} not offered")

    def check_digest(self, path, rest):
        params = {k.lower(): (v[1:-1].replace('\\"', '"').replace("\\\\", "\\") if v.startswith('"') else v)
                  for k, v in PARAM.findall(rest)}
        algorithm = params.get("algorithm", "MD5")
        if f"Digest:{algorithm}" not in self.offer:
            return self.refuse(f"algorithm {algorithm} not offered")
        expected_user = self.h(algorithm, f"{self.user}:{self.realm}") if self.userhash else self.user
        problems = [name for name, ok in (
            ("username", params.get("username") == expected_user),
            ("userhash", (params.get("userhash") == "true") == self.userhash),
            ("realm", params.get("realm") == self.realm), ("uri", params.get("uri") == path),
            ("qop", params.get("qop") == "auth"), ("opaque", params.get("opaque") == self.opaque),
            ("cnonce", bool(params.get("cnonce"))), ("nc", re.fullmatch(r"[0-9a-f]{8}", params.get("nc", "")))) if not ok]
        if problems:
            return self.refuse(f"Digest malformed: {' '.join(problems)} in {rest}")
        nonce, nc, cnonce = params.get("nonce", ""), params["nc"], params["cnonce"]
        ha1 = self.h(algorithm, f"{self.user}:{self.realm}:{self.password}")
        if algorithm.endswith("-sess"):
            ha1 = self.h(algorithm, f"{ha1}:{nonce}:{cnonce}")
        ha2 = self.h(algorithm, f"GET:{path}")
        if params.get("response") != self.h(algorithm, f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"):
            return self.refuse(f"Digest refused user={params.get('username')}")
        if self.nonces.get(nonce) != 0:
            # The right credentials with a nonce that is spent or not ours (RFC 7616 §3.3).
            return self.refuse("Digest stale nonce", stale=True)
        self.nonces[nonce] = int(nc, 16)
        echo_server.log(f"auth ok user={self.user} scheme=Digest algorithm={algorithm} nc={nc}")
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--user", default="alice:s3cret", help="USER:PASSWORD of the one account")
    parser.add_argument("--realm", default="wsclient")
    parser.add_argument("--offer", default="Digest:SHA-256,Digest:MD5",
                        help="challenges in order: Basic, Digest:MD5, Digest:SHA-256, Digest:MD5-sess, ...")
    parser.add_argument("--userhash", action="store_true", help="ask for the user name hashed")
    args = parser.parse_args()
    guard = Guard(args)
    serve_request = echo_server.process_request

    async def process_request(path, request_headers):
        answer = guard.check(path, request_headers)
        return answer if answer is not None else await serve_request(path, request_headers)

    # echo_server.main() serves with the module's process_request: the guard goes in front of it.
    echo_server.process_request = process_request
    args.unix = args.cert = args.key = args.client_ca = args.subprotocols = None
    args.no_compression = True
    asyncio.run(echo_server.main(args))


if __name__ == "__main__":
    main()
