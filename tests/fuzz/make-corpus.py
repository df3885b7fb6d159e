#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Run it after changing a target's input layout and commit the result:
    /usr/bin/python3 tests/fuzz/make-corpus.py [TARGET...]
Each seed is a small meaningful input (RFC 6455 example frames, protocol violations, handshake
responses, URLs, connection scripts); the regression runner replays them all as a unit test, and
libFuzzer starts from them. The input layouts are described at the top of each fuzz_<target>.cpp.
"""

import os
import re
import shutil
import struct
import zlib
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

# --- fuzz_frames --------------------------------------------------------------------------------

VALIDATE, FIRE, TAP, DIRECT = 0x01, 0x02, 0x04, 0x08
EXPECT_MASKED = 0x80
RSV1, RSV2, RSV3 = 0x4, 0x2, 0x1
# Indexes into kLimits in fuzz_frames.cpp.
LIMIT = {0: 0, 1: 1, 2: 2, 16: 3, 125: 4, 126: 5, 127: 6, 1000: 7, 65535: 8, 65536: 9,
         65537: 10, 1 << 20: 11, 4 << 20: 12, 1 << 10: 13, 1 << 14: 14, 64 << 20: 15}
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def frames_input(stream, flags=VALIDATE, rsv=0, max_frame=64 << 20, max_message=64 << 20,
                 stop_after=0, pieces=()):
    assert len(pieces) < 16
    head = bytes([flags | (rsv << 4), LIMIT[max_frame] | (LIMIT[max_message] << 4), stop_after,
                  len(pieces)])
    return head + bytes(p - 1 for p in pieces) + stream


def frame(opcode, payload=b"", fin=True, rsv=0, mask=None, length_form=None, length=None):
    """One frame; length_form forces 7/16/64-bit length encoding, length overrides the value."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    mask_bit = 0x80 if mask is not None else 0
    form = length_form or (7 if n < 126 else 16 if n <= 0xFFFF else 64)
    if form == 7:
        head = bytes([b0, mask_bit | n])
    elif form == 16:
        head = bytes([b0, mask_bit | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, mask_bit | 127]) + struct.pack(">Q", n)
    if mask is not None:
        head += mask
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return head + payload


def close(code=None, reason=b""):
    return frame(CLOSE, b"" if code is None else struct.pack(">H", code) + reason)


def frames_seeds():
    key = bytes.fromhex("37fa213d")
    hello = b"Hello"
    euro = "€".encode()  # E2 82 AC
    mixed = "Grüße, мир, 世界 🙂".encode()
    s = {}
    # RFC 6455 §5.7 examples.
    s["rfc_text_unmasked"] = frames_input(bytes.fromhex("810548656c6c6f"))
    s["rfc_text_masked"] = frames_input(bytes.fromhex("818537fa213d7f9f4d5158"), flags=VALIDATE | EXPECT_MASKED)
    s["rfc_fragmented"] = frames_input(bytes.fromhex("010348656c8002 6c6f".replace(" ", "")))
    s["rfc_ping"] = frames_input(bytes.fromhex("890548656c6c6f"))
    s["rfc_pong_masked"] = frames_input(bytes.fromhex("8a8537fa213d7f9f4d5158"), flags=VALIDATE | EXPECT_MASKED)
    s["rfc_binary_256"] = frames_input(frame(BINARY, bytes(range(256))))
    s["rfc_binary_64k_header"] = frames_input(frame(BINARY, bytes(300), length=65536))
    # Ordinary traffic, cut in different ways.
    stream = (frame(TEXT, hello) + frame(BINARY, bytes(200)) + frame(PING, b"p") + frame(TEXT, mixed, fin=False)
              + frame(PONG) + frame(CONT, b" end") + close(1000, b"bye"))
    s["mixed_whole"] = frames_input(stream, flags=VALIDATE | TAP)
    s["mixed_one_byte_pieces"] = frames_input(stream, pieces=[1])
    s["mixed_odd_pieces"] = frames_input(stream, flags=VALIDATE | DIRECT, pieces=[3, 1, 7, 130, 2])
    s["mixed_fire_fragments"] = frames_input(stream, flags=VALIDATE | FIRE | TAP, pieces=[5, 9])
    s["mixed_no_validation"] = frames_input(stream, flags=0, pieces=[2])
    s["mixed_stop_after_two"] = frames_input(stream, stop_after=2)
    s["masked_gathered_direct"] = frames_input(frame(BINARY, bytes(range(256)) * 4, mask=key) + frame(TEXT, hello, mask=key),
                                               flags=VALIDATE | DIRECT | EXPECT_MASKED, pieces=[20, 100])
    s["empty_messages"] = frames_input(frame(TEXT) + frame(BINARY) + frame(TEXT, fin=False) + frame(CONT))
    # UTF-8 across fragments and pieces.
    s["utf8_split_across_fragments"] = frames_input(frame(TEXT, euro[:1], fin=False) + frame(CONT, euro[1:]))
    s["utf8_split_fire"] = frames_input(frame(TEXT, euro[:2], fin=False) + frame(CONT, euro[2:] + mixed),
                                        flags=VALIDATE | FIRE, pieces=[1])
    s["utf8_invalid_byte"] = frames_input(frame(TEXT, b"abc\xffdef"))
    s["utf8_overlong"] = frames_input(frame(TEXT, b"\xc0\xaf"))
    s["utf8_surrogate"] = frames_input(frame(TEXT, b"\xed\xa0\x80"))
    s["utf8_above_max"] = frames_input(frame(TEXT, b"\xf4\x90\x80\x80"))
    s["utf8_ends_inside_sequence"] = frames_input(frame(TEXT, euro[:2]))
    s["utf8_invalid_in_continuation"] = frames_input(frame(TEXT, hello, fin=False) + frame(CONT, b"\xe2\x28\xa1"))
    s["utf8_invalid_unchecked"] = frames_input(frame(TEXT, b"\xff\xfe"), flags=0)
    # Binary payloads are validated against the reference too: boundary sequences with more after them.
    probes = {"overlong_e0": b"\xe0\x80\xaf", "overlong_f0": b"\xf0\x8f\xbf\xbf", "overlong_c1": b"\xc1\xbf",
              "surrogate_ed": b"\xed\xa0\x80", "last_before_surrogates": b"\xed\x9f\xbf",
              "above_max_f4": b"\xf4\x90\x80\x80", "max_f4": b"\xf4\x8f\xbf\xbf", "lead_f5": b"\xf5\x80\x80\x80",
              "lone_continuation": b"\x80", "truncated_4": b"\xf0\x9f\x99", "bom": b"\xef\xbb\xbf"}
    for name, seq in probes.items():
        s["utf8_probe_" + name] = frames_input(frame(BINARY, b"ab" + seq + b"cdefghij" + seq) +
                                               frame(TEXT, b"ab" + seq + b"cdefghij"), pieces=[4])
    # Close frames (RFC 6455 §5.5.1, §7.4).
    s["close_empty"] = frames_input(close())
    s["close_normal_reason"] = frames_input(close(1000, "au revoir, ça va".encode()))
    s["close_one_byte"] = frames_input(frame(CLOSE, b"\x03"))
    for code in (999, 1004, 1005, 1006, 1015, 1016, 2999, 3000, 4999, 5000):
        s["close_code_%d" % code] = frames_input(close(code))
    s["close_bad_reason"] = frames_input(close(1000, b"\xc3\x28"))
    s["close_then_data"] = frames_input(close(1001) + frame(TEXT, hello))
    s["close_between_fragments"] = frames_input(frame(TEXT, b"He", fin=False) + close(1000) + frame(CONT, b"llo"))
    # Frame rule violations (RFC 6455 §5.2).
    s["rsv1_not_negotiated"] = frames_input(frame(TEXT, hello, rsv=RSV1))
    s["rsv1_negotiated"] = frames_input(frame(TEXT, hello, rsv=RSV1) + frame(TEXT, hello, rsv=RSV2), rsv=RSV1)
    s["rsv_all_allowed"] = frames_input(frame(BINARY, hello, rsv=7), rsv=7)
    s["opcode_3"] = frames_input(frame(0x3, hello))
    s["opcode_b"] = frames_input(frame(0xB))
    s["ping_fragmented"] = frames_input(frame(PING, b"x", fin=False))
    s["ping_126_bytes"] = frames_input(frame(PING, bytes(126)))
    s["ping_125_bytes"] = frames_input(frame(PING, bytes(125)))
    s["masked_from_server"] = frames_input(frame(TEXT, hello, mask=key))
    s["unmasked_to_server"] = frames_input(frame(TEXT, hello), flags=VALIDATE | EXPECT_MASKED)
    s["length16_non_minimal"] = frames_input(frame(BINARY, hello, length_form=16))
    s["length64_non_minimal"] = frames_input(frame(BINARY, hello, length_form=64))
    s["length64_top_bit"] = frames_input(frame(BINARY, b"", length_form=64, length=1 << 63))
    s["length16_boundary_126"] = frames_input(frame(BINARY, bytes(126)), pieces=[3])
    s["length64_boundary_65536"] = frames_input(frame(BINARY, bytes(40), length=65536), pieces=[9])
    s["continuation_without_start"] = frames_input(frame(CONT, hello))
    s["data_inside_fragmented"] = frames_input(frame(TEXT, b"a", fin=False) + frame(BINARY, b"b"))
    s["frame_above_limit"] = frames_input(frame(BINARY, bytes(200)), max_frame=125)
    s["frame_at_limit"] = frames_input(frame(BINARY, bytes(125)), max_frame=125)
    s["frame_limit_zero"] = frames_input(frame(TEXT) + frame(TEXT, b"x"), max_frame=0)
    s["message_above_limit"] = frames_input(frame(TEXT, bytes(100), fin=False) + frame(CONT, bytes(100)),
                                            max_message=126, flags=VALIDATE | TAP)
    s["message_limit_not_when_firing"] = frames_input(frame(BINARY, bytes(100), fin=False) + frame(CONT, bytes(100)),
                                                      max_message=126, flags=VALIDATE | FIRE)
    # Found by libFuzzer: a tapped Text frame with bad UTF-8, whole in one run and split in the other.
    s["tap_refused_frame_split"] = frames_input(frame(TEXT, b"He\xba\x00l") + stream, flags=VALIDATE | FIRE | TAP,
                                                pieces=[5, 9])
    s["header_split_everywhere"] = frames_input(frame(BINARY, bytes(60), length=70000), pieces=[1, 2, 1, 3])
    return s


# --- fuzz_handshake ----------------------------------------------------------------------------

OFFER_NONE, OFFER_CHAT, OFFER_CHAT_SUPERCHAT, OFFER_JSON_CHAT = 0, 1, 2, 3
OFFER_DEFLATE, SMALL_LIMIT, NO_REQUEST_URL = 0x04, 0x08, 0x10
ACCEPT = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # for RFC 6455's example key, which the target sends


def request_part(host=None, origin=None, cookie=None, subprotocol=None, extensions=None,
                 connection=None, fields=()):
    """Length-prefixed strings; None is a null value (0xFF)."""
    out = b""
    for value in [host, origin, cookie, subprotocol, extensions, connection] + [x for f in fields for x in f]:
        if value is None:
            out += b"\xff"
        else:
            assert len(value) < 255
            out += bytes([len(value)]) + value
    return out


def handshake_input(response, flags=0, pieces=(), request=b""):
    assert len(pieces) < 16 and len(request) < 256
    return (bytes([flags, len(pieces)]) + bytes(p - 1 for p in pieces) + bytes([len(request)]) + request
            + response)


def http(*lines, eol=b"\r\n", body=b""):
    return b"".join(line + eol for line in lines) + eol + body


UPGRADE = [b"HTTP/1.1 101 Switching Protocols", b"Upgrade: websocket", b"Connection: Upgrade",
           b"Sec-WebSocket-Accept: " + ACCEPT]


def handshake_seeds():
    s = {}
    # Upgrades (RFC 6455 §4.1 / §1.3 example).
    s["upgrade_rfc"] = handshake_input(http(*UPGRADE))
    s["upgrade_then_frames"] = handshake_input(http(*UPGRADE, body=b"\x81\x05Hello\x89\x00"), pieces=[20, 7])
    s["upgrade_lf_only"] = handshake_input(http(*UPGRADE, eol=b"\n"))
    s["upgrade_byte_at_a_time"] = handshake_input(http(*UPGRADE), pieces=[1])
    s["upgrade_cut_between_cr_lf"] = handshake_input(http(*UPGRADE), pieces=[33, 1, 2, 5])
    s["upgrade_case_and_spaces"] = handshake_input(http(b"HTTP/1.1 101 ok", b"upgrade:WebSocket ",
                                                        b"CONNECTION: keep-alive,  Upgrade", b"sec-websocket-accept:\t" + ACCEPT))
    s["upgrade_no_reason"] = handshake_input(http(b"HTTP/1.1 101", *UPGRADE[1:]))
    s["upgrade_http10"] = handshake_input(http(b"HTTP/1.0 101 Switching Protocols", *UPGRADE[1:]))
    s["upgrade_subprotocol_chat"] = handshake_input(http(*UPGRADE, b"Sec-WebSocket-Protocol: chat"), flags=OFFER_CHAT_SUPERCHAT)
    s["upgrade_subprotocol_not_offered"] = handshake_input(http(*UPGRADE, b"Sec-WebSocket-Protocol: superchat"), flags=OFFER_CHAT)
    s["upgrade_subprotocol_case"] = handshake_input(http(*UPGRADE, b"Sec-WebSocket-Protocol: chat"), flags=OFFER_JSON_CHAT)
    s["upgrade_subprotocol_two"] = handshake_input(http(*UPGRADE, b"Sec-WebSocket-Protocol: chat", b"Sec-WebSocket-Protocol: superchat"), flags=OFFER_CHAT_SUPERCHAT)
    s["upgrade_subprotocol_unasked"] = handshake_input(http(*UPGRADE, b"Sec-WebSocket-Protocol: chat"))
    s["upgrade_deflate"] = handshake_input(http(*UPGRADE, b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15; server_no_context_takeover"), flags=OFFER_DEFLATE)
    s["upgrade_deflate_not_offered"] = handshake_input(http(*UPGRADE, b"Sec-WebSocket-Extensions: permessage-deflate"))
    s["upgrade_unknown_extension"] = handshake_input(http(*UPGRADE, b"Sec-WebSocket-Extensions: permessage-deflate, x-webkit-deflate-frame"), flags=OFFER_DEFLATE)
    s["upgrade_extension_quoted_comma"] = handshake_input(http(*UPGRADE, b'Sec-WebSocket-Extensions: permessage-deflate; x="a,b"'), flags=OFFER_DEFLATE)
    s["upgrade_wrong_accept"] = handshake_input(http(*UPGRADE[:3], b"Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ=="))
    s["upgrade_missing_accept"] = handshake_input(http(*UPGRADE[:3]))
    s["upgrade_repeated_accept"] = handshake_input(http(*UPGRADE, b"Sec-WebSocket-Accept: " + ACCEPT))
    s["upgrade_missing_upgrade"] = handshake_input(http(UPGRADE[0], UPGRADE[2], UPGRADE[3]))
    s["upgrade_upgrade_h2c"] = handshake_input(http(UPGRADE[0], b"Upgrade: h2c", UPGRADE[2], UPGRADE[3]))
    s["upgrade_connection_keepalive"] = handshake_input(http(UPGRADE[0], UPGRADE[1], b"Connection: keep-alive", UPGRADE[3]))
    # Redirects.
    for code in (301, 302, 303, 307, 308):
        s["redirect_%d_ws" % code] = handshake_input(http(b"HTTP/1.1 %d Moved" % code, b"Location: ws://other.example:9000/next?x=1"))
    s["redirect_https"] = handshake_input(http(b"HTTP/1.1 302 Found", b"Location: https://other.example/secure"))
    s["redirect_http"] = handshake_input(http(b"HTTP/1.1 301 Moved", b"Location: http://other.example/"))
    s["redirect_relative"] = handshake_input(http(b"HTTP/1.1 307 Temporary", b"Location: /elsewhere?y=2"))
    s["redirect_relative_no_url"] = handshake_input(http(b"HTTP/1.1 307 Temporary", b"Location: ../up"), flags=NO_REQUEST_URL)
    s["redirect_scheme_relative"] = handshake_input(http(b"HTTP/1.1 308 Permanent", b"Location: //cdn.example/ws"))
    s["redirect_fragment"] = handshake_input(http(b"HTTP/1.1 302 Found", b"Location: wss://x.example/a#frag"))
    s["redirect_ftp"] = handshake_input(http(b"HTTP/1.1 302 Found", b"Location: ftp://x.example/"))
    s["redirect_no_location"] = handshake_input(http(b"HTTP/1.1 301 Moved"))
    s["redirect_empty_location"] = handshake_input(http(b"HTTP/1.1 301 Moved", b"Location:"))
    s["redirect_invalid_location"] = handshake_input(http(b"HTTP/1.1 301 Moved", b"Location: ws://[::1/"))
    s["redirect_lf_only"] = handshake_input(http(b"HTTP/1.1 302 Found", b"Location: ws://x/", eol=b"\n"))
    # Other statuses.
    s["status_200_body"] = handshake_input(http(b"HTTP/1.1 200 OK", b"Content-Length: 5", body=b"hello"))
    s["status_404"] = handshake_input(http(b"HTTP/1.1 404 Not Found", b"Content-Type: text/plain", b"Content-Length: 9", body=b"not found"))
    s["status_400_conflicting_length"] = handshake_input(http(b"HTTP/1.1 400 Bad Request", b"Content-Length: 5, 6"))
    s["status_403_repeated_length"] = handshake_input(http(b"HTTP/1.1 403 Forbidden", b"Content-Length: 3, 3", b"Content-Length: 3"))
    s["status_426_lf_only"] = handshake_input(http(b"HTTP/1.1 426 Upgrade Required", b"Sec-WebSocket-Version: 13", eol=b"\n"))
    s["status_999"] = handshake_input(http(b"HTTP/1.1 999 Odd"))
    s["status_100"] = handshake_input(http(b"HTTP/1.1 100 Continue"))
    # Malformed heads.
    s["bad_http2"] = handshake_input(http(b"HTTP/2 101 Switching Protocols", *UPGRADE[1:]))
    s["bad_two_digit_status"] = handshake_input(http(b"HTTP/1.1 10 Short"))
    s["bad_status_099"] = handshake_input(http(b"HTTP/1.1 099 Low"))
    s["bad_icy"] = handshake_input(http(b"ICY 200 OK"))
    s["bad_tls_server"] = handshake_input(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03")
    s["bad_ssh_server"] = handshake_input(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    s["bad_folding"] = handshake_input(http(*UPGRADE, b" folded: value"))
    s["bad_bare_cr"] = handshake_input(http(UPGRADE[0], b"Upgrade: web\rsocket", *UPGRADE[2:]))
    s["bad_nul"] = handshake_input(http(UPGRADE[0], b"X-Nul: a\x00b", *UPGRADE[1:]))
    s["bad_no_colon"] = handshake_input(http(UPGRADE[0], b"Upgrade websocket"))
    s["bad_empty_name"] = handshake_input(http(UPGRADE[0], b": value"))
    s["bad_name_space"] = handshake_input(http(UPGRADE[0], b"Bad Name: value"))
    s["bad_too_long"] = handshake_input(http(*UPGRADE, *[b"X-Filler-%d: %s" % (i, b"y" * 40) for i in range(8)]), flags=SMALL_LIMIT)
    s["incomplete_head"] = handshake_input(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")
    s["empty"] = handshake_input(b"")
    # Requests: option values and user fields, well formed and not.
    ok = http(*UPGRADE)
    s["request_options"] = handshake_input(ok, request=request_part(
        host=b"example.org:1234", origin=b"http://origin.example", cookie=b"a=b; c=d", subprotocol=b"chat",
        extensions=b"permessage-deflate; client_max_window_bits", connection=b"Upgrade, keep-alive"))
    s["request_user_fields"] = handshake_input(ok, request=request_part(fields=[
        (b"X-Custom", b"1"), (b"Host", None), (b"origin", b"null"), (b"Sec-WebSocket-Key", b"b3RoZXIga2V5IGhlcmUhIQ=="),
        (b"Authorization", b"Basic dXNlcjpwYXNz"), (b"X-Empty", b""), (b"X-Null", None)]))
    s["request_remove_origin_twice"] = handshake_input(ok, request=request_part(fields=[(b"Origin", None), (b"Origin", None)]))
    s["request_inject_value_crlf"] = handshake_input(ok, request=request_part(fields=[(b"X-A", b"a\r\nX-Evil: 1")]))
    s["request_inject_value_lf"] = handshake_input(ok, request=request_part(fields=[(b"X-A", b"a\nX-Evil: 1")]))
    s["request_inject_value_cr"] = handshake_input(ok, request=request_part(fields=[(b"X-A", b"a\rb")]))
    s["request_inject_value_nul"] = handshake_input(ok, request=request_part(fields=[(b"X-A", b"a\x00b")]))
    s["request_inject_name"] = handshake_input(ok, request=request_part(fields=[(b"X-Evil\r\nHost", b"x")]))
    s["request_name_space"] = handshake_input(ok, request=request_part(fields=[(b"Bad Name", b"x")]))
    s["request_name_empty"] = handshake_input(ok, request=request_part(fields=[(b"", b"x")]))
    s["request_name_colon"] = handshake_input(ok, request=request_part(fields=[(b"X:Y", b"x")]))
    s["request_inject_host"] = handshake_input(ok, request=request_part(host=b"h\r\nX-Evil: 1"))
    s["request_inject_origin"] = handshake_input(ok, request=request_part(origin=b"o\nX: 1"))
    s["request_inject_cookie"] = handshake_input(ok, request=request_part(cookie=b"a=b\r\n\r\nGET / HTTP/1.1"))
    s["request_inject_extensions"] = handshake_input(ok, request=request_part(extensions=b"x\r"))
    s["request_inject_connection"] = handshake_input(ok, request=request_part(connection=b"Upgrade\n"))
    s["request_subprotocol_not_token"] = handshake_input(ok, request=request_part(subprotocol=b"a b"))
    s["request_subprotocol_crlf"] = handshake_input(ok, request=request_part(subprotocol=b"chat\r\nX: 1"))
    s["request_subprotocol_utf8"] = handshake_input(ok, request=request_part(subprotocol="чат".encode()))
    s["request_value_control_chars"] = handshake_input(ok, request=request_part(fields=[(b"X-A", b"\x01\x7f\xff\t")]))
    return s


# --- fuzz_url ----------------------------------------------------------------------------------

URLS = [
    # Ordinary.
    "ws://example.com", "ws://example.com/", "wss://example.com", "ws://example.com/chat",
    "ws://example.com:8080/chat?room=1&user=2", "wss://example.com:443/", "ws://example.com:80/x",
    "ws://127.0.0.1:9001/runCase?case=1&agent=WsClient", "wss://echo.websocket.events/.ws",
    "ws://example.com?only=query", "ws://example.com/a/../b/./c", "ws://localhost:1", "ws://h:65535/",
    # Case, userinfo, IP literals.
    "WS://EXAMPLE.COM/Path", "WsS://Example.Com", "ws://user:secret@example.com/",
    "ws://[::1]:8080/", "ws://[::1]/", "wss://[2001:db8::1]", "ws://[fe80::1%25eth0]:9000/",
    "ws://192.168.0.1:8000", "ws://0x7f.1/",
    # Escapes and non-ASCII.
    "ws://example.com/%7e/%2F?q=%20x", "ws://höst.example/пример?ключ=значение", "ws://例え.jp/",
    "ws://example.com/😀", "ws://xn--hst-sna.example/",
    # Invalid.
    "", "ws://", "wss://", "ws:///path", "ws://:80/", "ws://host:0/", "ws://host:65536/",
    "ws://host:99999999999/", "ws://host:-1/", "ws://host:abc/", "ws://host#fragment",
    "ws://host/path#", "http://example.com/", "https://example.com", "ftp://x", "example.com",
    "ws:example.com", "ws:/example.com", "//example.com/", "ws://exa mple.com/", "ws://host/with space",
    "ws://host/\r\nX-Injected: 1", "ws://host\r\n/", "ws://[::1/", "ws://[zz::1]/", "ws://ho%00st/",
    "ws://host/%", "ws://host/%zz", " ws://example.com ", "ws://@/", "ws://a@b@c/", "wss://h:443:443/",
]


def url_seeds():
    # Named after the text, numbered so that similar URLs stay apart.
    return {"url_%02d_%s" % (i, re.sub(r"[^A-Za-z0-9]+", "_", url)[:40].strip("_")): url.encode()
            for i, url in enumerate(URLS)}


# --- fuzz_inflate ------------------------------------------------------------------------------

I_VALIDATE, I_FIRE, I_RESET, I_WRAP = 0x01, 0x02, 0x04, 0x08
I_LIMIT = {0: 0, 1: 1, 100: 2, 1000: 3, 4096: 4, 65536: 5, 1 << 20: 6, 16 << 20: 7}


def inflate_input(body, flags=I_VALIDATE, window_bits=15, limit=1 << 20, pieces=()):
    head = bytes([flags | ((window_bits - 8) << 4), I_LIMIT[limit], len(pieces)]) + bytes(pieces)
    return head + body


def deflated(data, level=6, wbits=15):
    compressor = zlib.compressobj(level, zlib.DEFLATED, -wbits)
    out = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def records(*payloads):
    return b"".join(struct.pack(">H", len(p)) + p for p in payloads)


def inflate_seeds():
    hello = bytes.fromhex("f248cdc9c90700")
    seeds = {
        # RFC 7692 §7.2.3 examples as server frames
        "rfc-hello": inflate_input(bytes.fromhex("c107") + hello),
        "rfc-fragments": inflate_input(bytes.fromhex("4103f248cd8004c9c90700")),
        "rfc-shared-window": inflate_input(bytes.fromhex("c107f248cdc9c90700c105f200110000")),
        "rfc-stored": inflate_input(bytes.fromhex("c10b000500faff48656c6c6f00")),
        "rfc-bfinal": inflate_input(bytes.fromhex("c108f348cdc9c9070000c107f248cdc9c90700")),
        "rfc-two-blocks": inflate_input(bytes.fromhex("c10df24805000000ffffcac9c90700")),
        "shared-window-reset": inflate_input(bytes.fromhex("c107f248cdc9c90700c105f200110000"), flags=I_VALIDATE | I_RESET),
        "fire": inflate_input(bytes.fromhex("4103f248cd8004c9c90700"), flags=I_VALIDATE | I_FIRE, pieces=(0, 2)),
        "rsv1-continuation": inflate_input(bytes.fromhex("4103f248cdc004c9c90700")),
        "rsv1-ping": inflate_input(bytes.fromhex("c9026869")),
        "bad-block": inflate_input(bytes.fromhex("c103ffffff")),
        "over-limit": inflate_input(bytes.fromhex("c2") + bytes([len(deflated(bytes(5000)))]) + deflated(bytes(5000)), limit=1000),
        "bad-utf8": inflate_input(bytes.fromhex("c1") + bytes([len(deflated(b"bad \xff"))]) + deflated(b"bad \xff")),
        "window-9": inflate_input(bytes.fromhex("c2") + bytes([len(deflated(b"abc" * 300, wbits=9))]) + deflated(b"abc" * 300, wbits=9), window_bits=9),
        # wrap mode: DEFLATE payloads directly, and plain bytes for the round trip
        "wrap-rfc": inflate_input(records(hello, bytes.fromhex("f200110000")), flags=I_WRAP | I_VALIDATE),
        "wrap-text": inflate_input(records(deflated(b"{\"price\": 101.5, \"sym\": \"ACME\"}" * 20)), flags=I_WRAP),
        "wrap-bomb": inflate_input(records(deflated(bytes(60000), level=9)), flags=I_WRAP, limit=4096),
        "wrap-garbage": inflate_input(records(bytes(range(256))[:200], b"\x00", b""), flags=I_WRAP | I_RESET),
    }
    return seeds


# --- fuzz_connection ---------------------------------------------------------------------------

# Operation bytes (the Op enum in fuzz_connection.cpp) and the header bits.
(C_UPGRADE, C_OTHER, C_FRAME, C_BYTES, C_SERVER_CLOSE, C_COMPRESSED, C_SEND, C_SEND_FRAME, C_CLOSE, C_ABORT,
 C_FAIL, C_CLOSE_TIMEOUT, C_HANDSHAKE_TIMEOUT, C_TRANSPORT_CLOSED, C_BODY_TIMEOUT) = range(15)
R_VALIDATE, R_FIRE, R_TAP, R_DIRECT = 0x01, 0x02, 0x04, 0x08
D_OFFER, D_CLIENT_NCT, D_SERVER_NCT, D_MINIMUM, D_SUBPROTOCOLS = 0x01, 0x02, 0x04, 0x40, 0x80
# Indexes into kLimits and kFragmentSizes, kCloseCodes in fuzz_connection.cpp.
C_LIMIT = {0: 0, 1: 1, 2: 2, 16: 3, 125: 4, 126: 5, 1000: 6, 4096: 7, 65535: 8, 65536: 9, 65537: 10,
           1 << 20: 11, 4 << 20: 12, 16 << 20: 13, 64 << 20: 14}
C_FRAGMENT = {0: 0, 1: 2, 3: 3, 16: 4, 125: 5, 126: 6, 65536: 7}
C_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999, 999, 1004, 1005,
           1006, 1015, 1016, 2999, 5000, "empty", "one byte"]
U_WRONG_ACCEPT, U_EXTENSION, U_SUBPROTOCOL, U_NO_UPGRADE, U_LF, U_NO_ACCEPT, U_EXTRA_LINE, U_FRAMES = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80)
EXT = {"permessage-deflate": 0, "client_no_context_takeover": 1, "server_no_context_takeover": 2,
       "client_max_window_bits=9": 3, "server_max_window_bits=10": 4, "client_max_window_bits=8": 5,
       "unknown": 7, "twice": 8}


def connection_input(*ops, reader=R_VALIDATE, max_frame=64 << 20, max_message=64 << 20, deflate=0,
                     client_window=15, redirects_followed=0, redirect_limit=3, no_redirect=False, fragment=0):
    head = bytes([reader, C_LIMIT[max_frame] | (C_LIMIT[max_message] << 4),
                  deflate | ((client_window - 8) << 3),
                  redirects_followed | (redirect_limit << 2) | (0x10 if no_redirect else 0)
                  | (C_FRAGMENT[fragment] << 5)])
    return head + b"".join(ops)


def c_upgrade(flags=0, extension=0, pieces=0, extra=b""):
    op = bytes([C_UPGRADE, flags, extension, pieces])
    if flags & U_EXTRA_LINE:
        op += bytes([len(extra)]) + extra
    return op


def c_other(which, length=0, pieces=0):
    return bytes([C_OTHER, which, length, pieces])


def c_frame(opcode, payload=b"", fin=True, rsv=0, masked=False, pieces=0, big=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    if big is not None:
        return bytes([C_FRAME, b0, (0x80 if masked else 0) | 0x40, pieces]) + struct.pack(">H", big)
    assert len(payload) < 256
    return bytes([C_FRAME, b0, 0x80 if masked else 0, pieces, len(payload)]) + payload


def c_bytes(data, pieces=0):
    assert len(data) < 256
    return bytes([C_BYTES, len(data)]) + data + bytes([pieces])


def c_server_close(code, reason_length=0, bad_utf8=False):
    return bytes([C_SERVER_CLOSE, C_CODES.index(code) | (0x80 if bad_utf8 else 0), reason_length])


def c_compressed(message, binary=False, parts=1, repeat=False, pieces=0):
    assert len(message) < 256
    flags = (parts - 1) | (0x4 if binary else 0) | (0x10 if repeat else 0) | (pieces << 6)
    return bytes([C_COMPRESSED, flags, len(message)]) + message


SEND_OPCODES = {TEXT: 0, BINARY: 1, PING: 2, PONG: 3, CLOSE: 4}


def c_send(opcode, size, large=False, compressible=False, no_refusal=False):
    b0 = SEND_OPCODES[opcode] | (0x20 if compressible else 0) | (0x40 if no_refusal else 0)
    if large or size > 255:  # a 16-bit size, doubled when it does not fit
        if size > 0xFFFF:
            assert size % 2 == 0
            return bytes([C_SEND, b0 | 0x18, 0]) + struct.pack(">H", size // 2)
        return bytes([C_SEND, b0 | 0x08, 0]) + struct.pack(">H", size)
    return bytes([C_SEND, b0, size])


def c_send_frame(opcode, size, fin=True, rsv=0):
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    if size > 127:
        return bytes([C_SEND_FRAME, b0, 0x80]) + struct.pack(">H", size)
    return bytes([C_SEND_FRAME, b0, size])


def c_close(code=1000, reason_length=0, char="r"):
    return bytes([C_CLOSE, C_CODES.index(code) | {"r": 0, "e": 0x40, "euro": 0x80}[char], reason_length])


def c_fail(kind, length=0, accented=False):
    return bytes([C_FAIL, kind | (0x80 if accented else 0), length])


def c_transport_closed(undelivered_kb=0, messages=0):
    return bytes([C_TRANSPORT_CLOSED, (undelivered_kb << 2) | messages])


C_ABORT_OP, C_CLOSE_TIMEOUT_OP = bytes([C_ABORT]), bytes([C_CLOSE_TIMEOUT])
C_HANDSHAKE_TIMEOUT_OP, C_BODY_TIMEOUT_OP = bytes([C_HANDSHAKE_TIMEOUT]), bytes([C_BODY_TIMEOUT])


def connection_seeds():
    s = {}
    ok = c_upgrade()
    s["open_echo_close"] = connection_input(ok, c_frame(TEXT, b"hello"), c_send(TEXT, 5), c_close(1000, 3),
                                            c_frame(TEXT, b"in flight"), c_server_close(1000, 2), c_transport_closed())
    s["open_frames_with_head"] = connection_input(c_upgrade(U_FRAMES), c_send(BINARY, 40))
    s["open_byte_by_byte"] = connection_input(c_upgrade(U_FRAMES, pieces=1), c_frame(PING, b"p", pieces=1))
    # Found by fuzz_connection (a check of its own was wrong): one piece opens and fails.
    s["open_and_fail_in_one_piece"] = connection_input(c_upgrade(U_FRAMES, pieces=1), c_frame(PING, b"p", pieces=1),
                                                       max_frame=65536, max_message=0)
    s["open_lf_extra_line"] = connection_input(c_upgrade(U_LF | U_EXTRA_LINE, extra=b"X-Server: fuzz"))
    s["wrong_accept"] = connection_input(c_upgrade(U_WRONG_ACCEPT), c_send(TEXT, 1))
    s["no_upgrade_no_accept"] = connection_input(c_upgrade(U_NO_UPGRADE | U_NO_ACCEPT), C_HANDSHAKE_TIMEOUT_OP)
    s["subprotocol"] = connection_input(c_upgrade(U_SUBPROTOCOL), c_send(TEXT, 3), deflate=D_SUBPROTOCOLS)
    s["subprotocol_not_offered"] = connection_input(c_upgrade(U_SUBPROTOCOL))
    # The closing handshakes.
    s["server_close_echo"] = connection_input(ok, c_frame(TEXT, b"He", fin=False), c_server_close(1001, 20),
                                              c_frame(CONT, b"llo"), c_send(TEXT, 1), c_transport_closed(3, 1))
    s["server_close_empty"] = connection_input(ok, c_server_close("empty"), C_CLOSE_TIMEOUT_OP)
    s["server_close_invalid"] = connection_input(ok, c_server_close(1006), c_server_close(1000))
    s["server_close_one_byte"] = connection_input(ok, c_server_close("one byte"))
    s["server_close_bad_reason"] = connection_input(ok, c_server_close(1000, 5, bad_utf8=True))
    s["client_close_fragments_continue"] = connection_input(
        ok, c_frame(BINARY, b"\x01", fin=False), c_close(4999, 200, "euro"), c_frame(CONT, b"\x02", fin=False),
        c_frame(PING, b"not answered"), c_frame(CONT, b"\x03"), c_server_close(4999), c_transport_closed())
    s["close_timeout"] = connection_input(ok, c_close(1001, 10, "e"), C_CLOSE_TIMEOUT_OP, c_transport_closed())
    s["close_then_lost_undelivered"] = connection_input(ok, c_send(BINARY, 200), c_close(), c_transport_closed(2, 1))
    # Ping and Pong.
    s["ping_pong"] = connection_input(ok, c_frame(PING, b""), c_frame(PING, b"abc"), c_frame(PING, bytes(125)),
                                      c_send(PING, 4), c_frame(PONG, b"abcd"), c_send(PONG, 126), c_send(PING, 125))
    # Failures.
    s["reserved_opcode"] = connection_input(ok, c_frame(0x3, b"x"), c_frame(TEXT, b"more"), c_fail(0))
    s["masked_server_frame"] = connection_input(ok, c_frame(TEXT, b"Hello", masked=True))
    s["rsv1_not_negotiated"] = connection_input(ok, c_frame(TEXT, b"x", rsv=4))
    s["invalid_utf8"] = connection_input(ok, c_frame(TEXT, b"abc\xff"), c_frame(TEXT, b"\xc0\xaf"))
    s["invalid_utf8_unchecked"] = connection_input(ok, c_frame(TEXT, b"abc\xff"), reader=0)
    s["frame_too_big"] = connection_input(ok, c_frame(BINARY, big=1000), max_frame=125)
    s["message_too_big"] = connection_input(ok, c_frame(BINARY, bytes(100), fin=False), c_frame(CONT, bytes(100)),
                                            max_message=126)
    s["fail_long_reason"] = connection_input(ok, c_fail(0, 200, accented=True), c_fail(1), C_CLOSE_TIMEOUT_OP)
    s["fail_connecting"] = connection_input(c_fail(4, 10), ok)
    s["transport_lost_open"] = connection_input(ok, c_send(TEXT, 9), c_transport_closed(3, 3))
    s["transport_lost_connecting"] = connection_input(c_bytes(b"HTTP/1.1 101 Swi"), c_transport_closed())
    # Opening failures and redirects.
    s["handshake_timeout"] = connection_input(c_bytes(b"HTTP/1.1 101 Switching Protocols\r\nUpg"), C_HANDSHAKE_TIMEOUT_OP, ok)
    s["bad_status_body_split"] = connection_input(c_other(2, 40, pieces=3), c_bytes(b"x" * 10, pieces=2),
                                                  C_BODY_TIMEOUT_OP)
    s["bad_status_end_of_stream"] = connection_input(c_other(3, 30), c_transport_closed())
    s["bad_status_complete"] = connection_input(c_other(7, 12))
    s["bad_status_no_body"] = connection_input(c_other(4))
    s["redirect_within_limit"] = connection_input(c_other(0), ok, redirects_followed=2, redirect_limit=3)
    s["redirect_relative"] = connection_input(c_other(1, pieces=5))
    s["redirect_beyond_limit"] = connection_input(c_other(6), redirects_followed=3, redirect_limit=3)
    s["redirect_not_possible"] = connection_input(c_other(0), no_redirect=True)
    s["redirect_no_location"] = connection_input(c_other(5))
    # Sending.
    s["send_refused_connecting"] = connection_input(c_send(TEXT, 3), c_close(), c_send_frame(TEXT, 2), ok,
                                                    c_send(PING, 200), c_send(CLOSE, 2), c_send(TEXT, 1))
    s["send_fragmented"] = connection_input(ok, c_send(BINARY, 70000, large=True), c_send(TEXT, 126), c_send(PING, 100),
                                            fragment=125)
    s["send_one_byte_fragments"] = connection_input(ok, c_send(TEXT, 5), c_send(CLOSE, 2), fragment=1)
    s["send_frame_raw"] = connection_input(ok, c_send_frame(TEXT, 3, fin=False), c_send_frame(PING, 1),
                                           c_send_frame(CONT, 2, rsv=2), c_send_frame(0x3, 1), c_send_frame(PING, 1, fin=False),
                                           c_send_frame(CLOSE, 2), c_send_frame(TEXT, 1))
    s["abort_open"] = connection_input(ok, c_frame(TEXT, b"a"), C_ABORT_OP, c_frame(TEXT, b"b"), c_send(TEXT, 1),
                                       C_CLOSE_TIMEOUT_OP, c_transport_closed(1, 1))
    # Reading straight into the parser, firing fragments, tapping frames.
    s["direct_large_frame"] = connection_input(ok, c_frame(BINARY, big=60000, pieces=200), c_frame(TEXT, b"after"),
                                               reader=R_VALIDATE | R_DIRECT)
    s["fire_and_tap"] = connection_input(ok, c_frame(TEXT, b"ab", fin=False), c_frame(PING, b"m"), c_frame(CONT, b"cd"),
                                         c_server_close(1000), reader=R_VALIDATE | R_FIRE | R_TAP)
    # permessage-deflate.
    s["deflate_end_to_end"] = connection_input(
        c_upgrade(U_EXTENSION, EXT["permessage-deflate"]), c_send(TEXT, 300, compressible=True),
        c_send(TEXT, 300, compressible=True), c_compressed(b"Hello", parts=1), c_compressed(b"abcabcabc", parts=2, repeat=True),
        c_frame(TEXT, b"plain"), c_send(PING, 3), deflate=D_OFFER, fragment=16)
    s["deflate_client_no_context_takeover"] = connection_input(
        c_upgrade(U_EXTENSION, EXT["client_no_context_takeover"]), c_send(TEXT, 200, compressible=True),
        c_send(TEXT, 200, compressible=True), deflate=D_OFFER | D_CLIENT_NCT)
    s["deflate_server_no_context_takeover"] = connection_input(
        c_upgrade(U_EXTENSION, EXT["server_no_context_takeover"]), c_compressed(b"again", parts=3),
        c_compressed(b"again", parts=1), deflate=D_OFFER | D_SERVER_NCT, reader=R_VALIDATE | R_FIRE)
    s["deflate_minimum_size"] = connection_input(
        c_upgrade(U_EXTENSION, EXT["permessage-deflate"]), c_send(TEXT, 99), c_send(TEXT, 100), deflate=D_OFFER | D_MINIMUM)
    s["deflate_window_8"] = connection_input(
        c_upgrade(U_EXTENSION, EXT["client_max_window_bits=8"]), c_send(TEXT, 200, compressible=True),
        c_compressed(b"inflated all the same"), deflate=D_OFFER, client_window=8)
    s["deflate_not_offered"] = connection_input(c_upgrade(U_EXTENSION, EXT["permessage-deflate"]))
    s["deflate_not_accepted"] = connection_input(ok, c_compressed(b"Hello"), deflate=D_OFFER)
    s["deflate_rsv1_continuation"] = connection_input(
        c_upgrade(U_EXTENSION, EXT["permessage-deflate"]), c_frame(TEXT, b"\xf2\x48", fin=False, rsv=4),
        c_frame(CONT, b"\xcd\xc9\xc9\x07\x00", rsv=4), deflate=D_OFFER)
    return s


# --- main ---------------------------------------------------------------------------------------

def write(target, seeds):
    directory = os.path.join(CORPUS, target)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    print("%s: %d seeds" % (target, len(seeds)))


def main():
    targets = {"fuzz_frames": frames_seeds, "fuzz_handshake": handshake_seeds, "fuzz_url": url_seeds,
               "fuzz_inflate": inflate_seeds, "fuzz_connection": connection_seeds}
    # Named targets only (e.g. make-corpus.py fuzz_connection); each named directory is rewritten
    # whole, so inputs added by hand (fuzzer findings) must be added again.
    names = sys.argv[1:] or list(targets)
    for name in names:
        if name not in targets:
            print("unknown target %s; known: %s" % (name, " ".join(targets)), file=sys.stderr)
            return 2
        write(name, targets[name]())
    return 0


if __name__ == "__main__":
    sys.exit(main())
