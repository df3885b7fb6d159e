"""The Python clients through one benchmark workload, with the options and MEASURE/SENT lines of the
C++ clients (see workload.h):

  --client websocket-client   websocket-client (Debian python3-websocket), the library WsClient ports
  --client websockets         python3-websockets' asyncio client (permessage-deflate with --compress 1)

Run with /usr/bin/python3 (Debian's packages).
"""

import argparse
import asyncio
import os
import resource
import sys
import time


def self_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid):
    if pid <= 0:
        return 0.0
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # fields[0] is field 3 of proc(5): utime and stime are fields 14 and 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class EchoClock:
    """Counts echoes; measures from the end of the warm-up for `seconds` (as Bench::EchoClock)."""

    def __init__(self, args):
        self.args = args
        self.begin = time.monotonic()
        self.total = 0
        self.counted = 0
        self.measuring = False
        if args.warmup <= 0:
            self._start()

    def _start(self):
        self.measuring = True
        self.start_wall = time.monotonic()
        self.start_cpu = self_cpu()
        self.start_server = process_cpu(self.args.server_pid)

    def echoed(self):
        """Counts one echo; False once the measured interval is over (and reported)."""
        self.total += 1
        now = time.monotonic()
        if not self.measuring:
            if now - self.begin >= self.args.warmup:
                self._start()
            return True
        self.counted += 1
        if now - self.start_wall < self.args.seconds:
            return True
        print("MEASURE messages=%d seconds=%.6f cpu=%.6f server_cpu=%.6f" % (
            self.counted, time.monotonic() - self.start_wall, self_cpu() - self.start_cpu,
            process_cpu(self.args.server_pid) - self.start_server), flush=True)
        return False


def same_echo(echo, sent):
    """The sizes and 16 elements at the start, middle and end match (as Bench::sameEcho)."""
    n = len(sent)
    return len(echo) == n and all(echo[i:i + 16] == sent[i:i + 16] for i in (0, n // 2, max(0, n - 16)))


def messages(args):
    if args.messages:
        with open(args.messages, encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f]
    return [bytes((i * 131 + 7) & 0xFF for i in range(args.size))]


def run_websocket_client(args, payloads):
    import websocket

    if args.compress:
        sys.exit("websocket-client has no permessage-deflate")
    ws = websocket.create_connection(args.url)
    sent = 0

    def send_next():
        nonlocal sent
        m = payloads[sent % len(payloads)]
        if isinstance(m, bytes):
            ws.send_binary(m)
        else:
            ws.send(m)
        sent += 1

    for _ in range(args.inflight):
        send_next()
    clock = EchoClock(args)
    while True:
        echo = ws.recv()
        if not same_echo(echo, payloads[clock.total % len(payloads)]):
            sys.exit("echo %d differs from what was sent" % clock.total)
        if not clock.echoed():
            break
        send_next()
    print("SENT %d" % sent, flush=True)
    ws.close()


async def run_websockets(args, payloads):
    import websockets

    async with websockets.connect(args.url, compression="deflate" if args.compress else None,
                                  max_size=None, ping_interval=None) as ws:
        sent = 0

        async def send_next():
            nonlocal sent
            await ws.send(payloads[sent % len(payloads)])
            sent += 1

        for _ in range(args.inflight):
            await send_next()
        clock = EchoClock(args)
        while True:
            echo = await ws.recv()
            if not same_echo(echo, payloads[clock.total % len(payloads)]):
                sys.exit("echo %d differs from what was sent" % clock.total)
            if not clock.echoed():
                break
            await send_next()
        print("SENT %d" % sent, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--client", required=True, choices=["websocket-client", "websockets"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--inflight", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--warmup", type=float, default=0.2)
    parser.add_argument("--messages")
    parser.add_argument("--compress", type=int, default=0)
    parser.add_argument("--server-pid", type=int, default=0)
    args = parser.parse_args()
    payloads = messages(args)
    if args.client == "websocket-client":
        run_websocket_client(args, payloads)
    else:
        asyncio.run(run_websockets(args, payloads))


if __name__ == "__main__":
    main()
