"""Runs every client through every workload against the echo servers and prints RESULT/RATIO lines
(called by tests/benchmarks/run, which builds the programs first).

Each client runs in a process of its own per measurement. Measurements are repeated, the clients of a
workload one after the other in an order that rotates, so that a load change on a shared machine hits
every client alike; each figure is the median of the repetitions, and every ratio is taken between
figures of the same run.

The echo server is bench_epoll_server (epoll_server.cpp), except for permessage-deflate, which
bench_beast_server (Boost.Beast) serves. The small-message workloads (rt64, pipe64, text1k) run the
client and the server on the same core: client and server take turns anyway, and on a virtual machine
a wake-up across cores costs tens of microseconds, which would hide what the clients themselves cost.
The bulk workloads and the idle connections use every core.

usage: run_peers.py BUILD_DIR [--quick] [--only CASE,CASE...]
"""

import os
import queue
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Ports the plain echo server listens on; each gives ~28 000 connections from 127.0.0.1.
SCALE_PORTS = 4
# The scale row's target, as far as the descriptor limit allows (a process cannot raise its hard
# limit without CAP_SYS_RESOURCE; what was reached is printed as scale100k_*_connections).
SCALE_TARGET = 100000
PYTHON = "/usr/bin/python3"  # Debian's, with python3-websocket and python3-websockets

# Which program runs which client.
def client_command(build, client):
    peers = os.path.join(build, "tests", "benchmarks", "peers")
    if client in ("wsclient", "qtws", "wsclient_plain"):
        return [os.path.join(peers, "bench_qt_clients"), "--client", client.replace("_plain", "")]
    if client == "wsclient_app":
        return [os.path.join(peers, "bench_qt_clients"), "--client", "wsclient-app"]
    if client == "wsclient_blocking":
        return [os.path.join(peers, "bench_qt_clients"), "--client", "wsclient-blocking"]
    if client == "wsclient_deflate":
        return [os.path.join(peers, "bench_qt_clients"), "--client", "wsclient", "--compress", "1"]
    if client == "beast":
        return [os.path.join(peers, "bench_beast_client")]
    if client == "floor":
        return [os.path.join(peers, "bench_floor_client")]
    if client == "websockets_deflate":
        return [PYTHON, os.path.join(HERE, "python_clients.py"), "--client", "websockets", "--compress", "1"]
    if client == "wsclient_keepalive":
        return [os.path.join(peers, "bench_scale_clients"), "--mode", "keepalive"]
    if client.startswith("wsclient_threads"):
        return [os.path.join(peers, "bench_scale_clients"), "--mode", "threads",
                "--threads", client[len("wsclient_threads"):]]
    if client == "seed":
        return [PYTHON, os.path.join(HERE, "python_clients.py"), "--client", "websocket-client"]
    raise ValueError(client)


# The clients of the main workloads: WsClient (signals), WsClient's blocking API, QtWebSockets, Beast,
# and the floor (floor_client.cpp: the least a client can do per echo, the denominator of *_vs_floor).
CLIENTS = ["wsclient", "wsclient_blocking", "qtws", "beast", "floor"]


class Case:
    """A workload: its name in the RESULT lines, the clients' options, which clients run it."""

    def __init__(self, name, options, clients, seconds_factor=1.0, server="plain", one_core=False,
                 repetitions=None, spread=False):
        self.repetitions = repetitions  # at most this many (the scale cases are long)
        self.spread = spread  # connections spread over all the server's ports
        self.name = name
        self.options = options
        self.clients = clients
        self.seconds_factor = seconds_factor
        self.server = server
        self.one_core = one_core


def json_corpus(path, count=256, size=1024):
    """JSON-like market-data messages of `size` bytes, all different (context takeover has to work)."""
    rng = random.Random(6455)
    with open(path, "w", encoding="utf-8") as f:
        for seq in range(count):
            head = '{"seq":%d,"sym":"%s","ts":%d,"levels":[' % (
                seq, rng.choice(["ACME", "GLOBEX", "INITECH", "UMBRELLA"]), 1700000000000 + seq * 37)
            levels = []
            text = head
            while len(text) < size - 80:
                levels.append('{"px":%.2f,"qty":%d,"side":"%s"}' % (
                    rng.uniform(90, 110), rng.randint(1, 5000), rng.choice(["bid", "ask"])))
                text = head + ",".join(levels)
            text += '],"venue":"XNAS"}'
            f.write(text[:-1] + " " * (size - len(text)) + "}\n")


class Server:
    """An echo server on 127.0.0.1 (see the module comment); the deflate one reports WIRE lines."""

    def __init__(self, build, deflate=False):
        peers = os.path.join(build, "tests", "benchmarks", "peers")
        if deflate:
            command = [os.path.join(peers, "bench_beast_server"), "--deflate", "--report-wire"]
        else:
            # Several ports: more connections than one port's ephemeral source ports allow.
            command = [os.path.join(peers, "bench_epoll_server"), "--listeners", str(SCALE_PORTS)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("LISTENING "):
            sys.exit("%s did not start" % command[0])
        self.url = "ws://127.0.0.1:%s/" % line.split()[1]
        self.also_ports = ",".join(line.split()[2:])
        self.pid = self.process.pid
        self.wire = queue.Queue()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stdout:
            if line.startswith("WIRE "):
                self.wire.put(tuple(int(x) for x in line.split()[1:3]))

    def cpu(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_quiet(self, limit=5.0):
        """Waits until the server has finished with the previous client (closing thousands of
        connections takes it a moment), so that this work is not charged to the next client."""
        end = time.monotonic() + limit
        last = self.cpu()
        while time.monotonic() < end:
            time.sleep(0.05)
            now = self.cpu()
            if now == last:
                return
            last = now

    def stop(self):
        self.process.terminate()
        self.process.wait()


def run_client(build, server, case, client, seconds, warmup):
    """One measurement: the client's MEASURE values (+ SENT, + wire bytes), or None when it failed."""
    command = client_command(build, client) + ["--url", server.url, "--server-pid", str(server.pid),
                                               "--seconds", str(seconds * case.seconds_factor),
                                               "--warmup", str(warmup)] + case.options
    if case.spread and server.also_ports:
        command += ["--also-ports", server.also_ports]
    while not server.wire.empty():
        server.wire.get_nowait()
    server.wait_quiet()
    all_cores = os.sched_getaffinity(0)
    core = {max(all_cores)} if case.one_core else all_cores
    os.sched_setaffinity(server.pid, core)
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=400 + 4 * seconds, preexec_fn=lambda: os.sched_setaffinity(0, core))
    except subprocess.TimeoutExpired:
        print("run_peers: %s %s timed out" % (case.name, client), file=sys.stderr)
        return None
    finally:
        os.sched_setaffinity(server.pid, all_cores)
    values = {}
    for line in done.stdout.splitlines():
        if line.startswith("MEASURE "):
            values.update((k, float(v)) for k, v in (kv.split("=") for kv in line.split()[1:]))
        elif line.startswith("SENT "):
            values["sent"] = float(line.split()[1])
    if done.returncode != 0 or "seconds" not in values and "connections" not in values:
        print("run_peers: %s %s failed (%d): %s" % (case.name, client, done.returncode,
                                                   done.stderr.strip()[-400:]), file=sys.stderr)
        return None
    if case.server == "deflate":
        try:
            received, sent = server.wire.get(timeout=3)
            values["wire_bytes"] = received + sent
        except queue.Empty:
            pass
    return values


def main():
    build = sys.argv[1]
    quick = "--quick" in sys.argv[2:]
    repetitions = 1 if quick else 5
    seconds = 0.3 if quick else 1.0
    warmup = 0.1 if quick else 0.2
    idle_counts = [1000] if quick else [1000, 10000]

    workdir = tempfile.mkdtemp(prefix="wsclient-bench-")
    corpus = os.path.join(workdir, "json1k.txt")
    json_corpus(corpus)

    cases = [
        Case("rt64", ["--size", "64", "--inflight", "1"], CLIENTS + ["wsclient_app", "seed"], one_core=True),
        Case("pipe64", ["--size", "64", "--inflight", "64"], CLIENTS + ["wsclient_app", "seed"], one_core=True),
        Case("bulk64k", ["--size", "65536", "--inflight", "4"], CLIENTS),
        Case("bulk16m", ["--size", str(16 << 20), "--inflight", "1"], CLIENTS, seconds_factor=2.0),
        Case("text1k", ["--size", "1024", "--inflight", "64", "--text", "1"], CLIENTS, one_core=True),
        Case("json1k", ["--messages", corpus, "--inflight", "16"],
             ["wsclient_deflate", "wsclient_plain", "websockets_deflate"], server="deflate"),
    ]
    for n in idle_counts:
        cases.append(Case("idle%d" % n, ["--connections", str(n)], ["wsclient", "qtws"]))
    scale = min(SCALE_TARGET, resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 1000)
    if scale < SCALE_TARGET:
        print("run_peers: scale100k opens %d connections: the descriptor limit (ulimit -Hn) allows no "
              "more" % scale, file=sys.stderr)
    cases += [
        Case("scale100k", ["--connections", str(scale), "--echo-once", "1", "--limit", "150"],
             ["wsclient", "qtws"], repetitions=1, spread=True),
        Case("keepalive10k", ["--connections", "10000"], ["wsclient_keepalive"], repetitions=1, spread=True,
             seconds_factor=5.0 if quick else 3.0),
        Case("threads", ["--connections", "10000"], ["wsclient_threads1", "wsclient_threads2"],
             repetitions=2, spread=True, seconds_factor=5.0 if quick else 2.0),
    ]

    if "--only" in sys.argv:
        only = sys.argv[sys.argv.index("--only") + 1].split(",")
        cases = [c for c in cases if c.name in only]
    servers = {"plain": Server(build), "deflate": Server(build, deflate=True)}
    samples = {}  # (case, client) -> [values]
    try:
        for rep in range(repetitions):
            for case in cases:
                if case.repetitions is not None and rep >= case.repetitions:
                    continue
                order = case.clients[rep % len(case.clients):] + case.clients[:rep % len(case.clients)]
                for client in order:
                    values = run_client(build, servers[case.server], case, client, seconds, warmup)
                    if values:
                        samples.setdefault((case.name, client), []).append(values)
    finally:
        for s in servers.values():
            s.stop()
        os.remove(corpus)
        os.rmdir(workdir)
    report(cases, samples)


def report(cases, samples):
    def median(case, client, key):
        values = [v[key] for v in samples.get((case, client), []) if key in v]
        return statistics.median(values) if values else None

    def rate(case, client):
        m = [v["messages"] / v["seconds"] for v in samples.get((case, client), [])]
        return statistics.median(m) if m else None

    def cpu_per_message(case, client):
        m = [v["cpu"] / v["messages"] * 1e6 for v in samples.get((case, client), []) if v["messages"]]
        return statistics.median(m) if m else None

    figures = {}

    def result(name, value, unit, fmt="%.0f"):
        if value is not None:
            figures[name] = value
            print(("RESULT %s " + fmt + " %s") % (name, value, unit))

    def ratio(name, ours, peer):
        if figures.get(ours) and figures.get(peer):
            print("RATIO %s %.2f" % (name, figures[ours] / figures[peer]))

    sizes = {"bulk64k": 65536, "bulk16m": 16 << 20}
    for case in cases:
        c = case.name
        if c == "keepalive10k":
            client = case.clients[0]
            per_second = lambda key: statistics.median([v[key] / v["seconds"] for v in samples.get((c, client), [])]) \
                if samples.get((c, client)) else None
            result("keepalive10k_cpu_percent", per_second("cpu") and per_second("cpu") * 100, "%", "%.1f")
            result("keepalive10k_timer_events_per_s", per_second("timer_events"), "1/s")
            result("keepalive10k_pongs_per_s", per_second("pongs"), "1/s")
            continue
        if c == "threads":
            for client in case.clients:
                result("threads_%s_msgs_per_s" % client[len("wsclient_threads"):], rate(c, client), "msg/s")
                result("threads_%s_cpu_us_per_msg" % client[len("wsclient_threads"):], cpu_per_message(c, client),
                       "us", "%.2f")
            result("server_cpu_threads", max([v["server_cpu"] / v["seconds"] * 100 for client in case.clients
                                              for v in samples.get((c, client), [])] or [0]), "%")
            continue
        if c == "scale100k":
            for client in case.clients:
                result("scale100k_%s_connections" % client, median(c, client, "connections"), "conn")
                result("scale100k_%s_echo_seconds" % client, median(c, client, "echo_seconds"), "s", "%.2f")
                result("scale100k_%s_echoed" % client, median(c, client, "echoed"), "msg")
        if c.startswith("idle") or c == "scale100k":
            for client in case.clients:
                connect = [v["connections"] / v["connect_seconds"] for v in samples.get((c, client), [])]
                result("%s_%s_connects_per_s" % (c, client),
                       statistics.median(connect) if connect else None, "conn/s")
                result("%s_%s_rss_kib_per_conn" % (c, client), median(c, client, "rss_kib_per_conn"),
                       "KiB", "%.2f")
            continue
        for client in case.clients:
            result("%s_%s_msgs_per_s" % (c, client), rate(c, client), "msg/s")
            if c in sizes and rate(c, client):
                result("%s_%s_mb_per_s" % (c, client), rate(c, client) * sizes[c] / 1e6, "MB/s", "%.1f")
            if c in ("rt64", "pipe64"):
                result("%s_%s_cpu_us_per_msg" % (c, client), cpu_per_message(c, client), "us", "%.2f")
            if case.server == "deflate":
                wire = [v["wire_bytes"] / v["sent"] for v in samples.get((c, client), [])
                        if v.get("wire_bytes") and v.get("sent")]
                result("%s_%s_wire_bytes_per_msg" % (c, client),
                       statistics.median(wire) if wire else None, "B", "%.1f")
        busiest = [v["server_cpu"] / v["seconds"] * 100 for client in case.clients
                   for v in samples.get((c, client), [])]
        result("server_cpu_%s" % c, max(busiest) if busiest else None, "%")

    for c in ("rt64", "pipe64", "bulk64k", "bulk16m", "text1k"):
        ratio("%s_vs_beast" % c, "%s_wsclient_msgs_per_s" % c, "%s_beast_msgs_per_s" % c)
        ratio("%s_vs_qtws" % c, "%s_wsclient_msgs_per_s" % c, "%s_qtws_msgs_per_s" % c)
        ratio("%s_blocking_vs_beast" % c, "%s_wsclient_blocking_msgs_per_s" % c, "%s_beast_msgs_per_s" % c)
        ratio("%s_vs_floor" % c, "%s_wsclient_msgs_per_s" % c, "%s_floor_msgs_per_s" % c)
        ratio("%s_blocking_vs_floor" % c, "%s_wsclient_blocking_msgs_per_s" % c, "%s_floor_msgs_per_s" % c)
        ratio("%s_beast_vs_floor" % c, "%s_beast_msgs_per_s" % c, "%s_floor_msgs_per_s" % c)
    for c in ("rt64", "pipe64"):
        ratio("%s_app_vs_floor" % c, "%s_wsclient_app_msgs_per_s" % c, "%s_floor_msgs_per_s" % c)
        ratio("%s_app_vs_qtws" % c, "%s_wsclient_app_msgs_per_s" % c, "%s_qtws_msgs_per_s" % c)
        ratio("%s_vs_seed" % c, "%s_wsclient_msgs_per_s" % c, "%s_seed_msgs_per_s" % c)
        ratio("%s_cpu_beast_over_ours" % c, "%s_beast_cpu_us_per_msg" % c, "%s_wsclient_cpu_us_per_msg" % c)
        ratio("%s_cpu_qtws_over_ours" % c, "%s_qtws_cpu_us_per_msg" % c, "%s_wsclient_cpu_us_per_msg" % c)
    ratio("json1k_deflate_vs_websockets", "json1k_wsclient_deflate_msgs_per_s",
          "json1k_websockets_deflate_msgs_per_s")
    ratio("json1k_deflate_vs_plain", "json1k_wsclient_deflate_msgs_per_s", "json1k_wsclient_plain_msgs_per_s")
    ratio("json1k_wire_plain_over_deflate", "json1k_wsclient_plain_wire_bytes_per_msg",
          "json1k_wsclient_deflate_wire_bytes_per_msg")
    idle = [c.name for c in cases if c.name.startswith("idle")]
    if idle:
        largest = idle[-1]
        ratio("idle_rss_qtws_over_ours", "%s_qtws_rss_kib_per_conn" % largest,
              "%s_wsclient_rss_kib_per_conn" % largest)
        ratio("idle_connect_vs_qtws", "%s_wsclient_connects_per_s" % largest,
              "%s_qtws_connects_per_s" % largest)
    ratio("scale100k_rss_qtws_over_ours", "scale100k_qtws_rss_kib_per_conn", "scale100k_wsclient_rss_kib_per_conn")
    ratio("scale100k_connect_vs_qtws", "scale100k_wsclient_connects_per_s", "scale100k_qtws_connects_per_s")
    ratio("scale100k_echo_qtws_over_ours", "scale100k_qtws_echo_seconds", "scale100k_wsclient_echo_seconds")
    ratio("threads_2_over_1", "threads_2_msgs_per_s", "threads_1_msgs_per_s")


if __name__ == "__main__":
    main()
