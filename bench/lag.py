#!/usr/bin/env python3
"""Switch lag benchmark: N one-target windows starting GAP ms apart, each lasting LENGTH s (so
that hundreds are open at once), under `maint daemon`. Lag = when the activate request arrives
at the site − the window's start instant. A loopback HTTP server (asyncio, keep-alive) takes the
requests and notes the arrival time of each as it reads its first line.

The baseline, in the same run, against the same server: a Python loop that sleeps until each
instant and sends the same request (time.sleep, then urllib): the floor of a timer and an HTTP
request on this machine.

With --api-load K, the run is made a second time while K clients send the control API requests
back to back over the daemon's Unix socket (keep-alive, half `GET /v1/status`, half
`POST /v1/windows` planning a window a day ahead on a target of its own): the lag must not move,
and a second table gives the requests per second and their latency. The baseline loop runs
then too, at the same time and on instants of its own: the client threads share this process
(and its interpreter lock) with the server that notes the arrivals, and with the machine's two
cores, and the loop's row shows what that costs any client.

Usage: lag.py MAINT_BINARY [--windows 1000] [--gap 50] [--length 30] [--api-load 4]
Prints a Markdown table of p50, p99, max and how many arrived early (before their instant).
"""
import argparse
import http.client
import json
import socket
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

arrivals = {}
lock = threading.Lock()


async def serve(reader, writer):
    """HTTP/1.1 with keep-alive, one request after another per connection; the arrival is noted
    when the request line is read, before the rest of the request."""
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            at = time.time()
            length = 0
            while True:
                header = await reader.readline()
                if header in (b"\r\n", b"\n", b""):
                    break
                name, _, value = header.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            # /site/N/on or /site/N/off: only the first activation of each site counts.
            parts = line.split(b" ")[1].decode().strip("/").split("/")
            if len(parts) == 3 and parts[2] == "on":
                with lock:
                    arrivals.setdefault(parts[1], at)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


def start_server():
    """The site server on its own thread and event loop; returns its port."""
    ready = threading.Event()
    port = []

    def run():
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(asyncio.start_server(serve, "127.0.0.1", 0, backlog=1024))
        port.append(server.sockets[0].getsockname()[1])
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    ready.wait()
    return port[0]


def rfc3339(seconds):
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(round(seconds * 1000)) % 1000:03d}Z"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(lags_ms):
    return {"p50": percentile(lags_ms, 0.50), "p99": percentile(lags_ms, 0.99), "max": max(lags_ms),
            "early": sum(1 for lag in lags_ms if lag < 0), "count": len(lags_ms)}


def wait_for(count, deadline):
    while time.time() < deadline:
        with lock:
            if sum(1 for name in arrivals if name.isdigit()) >= count:
                return
        time.sleep(0.1)


class UnixConnection(http.client.HTTPConnection):
    """HTTP/1.1 over the daemon's control socket."""

    def __init__(self, path):
        super().__init__("maint")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def api_client(path, index, stop, results):
    """Sends requests back to back until `stop`: even ones GET /v1/status, odd ones POST /v1/windows."""
    connection = UnixConnection(path)
    sent = 0
    while not stop.is_set():
        started = time.time()
        if sent % 2 == 0:
            connection.request("GET", "/v1/status")
            kind = "GET /v1/status"
        else:
            start = rfc3339(time.time() + 86400 + index * 1e6 + sent * 60)
            body = json.dumps({"targets": "api", "start": start, "duration": "1m", "force": True})
            connection.request("POST", "/v1/windows", body=body, headers={"Content-Type": "application/json"})
            kind = "POST /v1/windows"
        response = connection.getresponse()
        answer = response.read()
        if not 200 <= response.status < 300:
            print(f"{kind}: {response.status} {answer[:300]!r}", file=sys.stderr)
        results.append((kind, response.status, (time.time() - started) * 1000))
        sent += 1
    connection.close()


def run_maint(maint, port, windows, gap, length, work, api_load=0):
    config = os.path.join(work, "schedules")
    os.makedirs(config)
    # Far enough ahead for the daemon to start and store them all first.
    first = round(time.time()) + 15 + windows // 200
    starts = {str(i): first + i * gap / 1000 for i in range(windows)}
    with open(os.path.join(config, "lag.json5"), "w") as out:
        out.write("{ targets: {\n")
        for i in range(windows):
            out.write(f'  "s{i}": {{ driver: "http", activate: {{ url: "http://127.0.0.1:{port}/site/{i}/on" }}, '
                      f'deactivate: {{ url: "http://127.0.0.1:{port}/site/{i}/off" }} }},\n')
        out.write(f'  "api": {{ driver: "http", activate: {{ url: "http://127.0.0.1:{port}/api/on" }}, '
                  f'deactivate: {{ url: "http://127.0.0.1:{port}/api/off" }} }},\n')
        out.write("}, windows: {\n")
        for i in range(windows):
            out.write(f'  "w{i}": {{ targets: ["s{i}"], start: "{rfc3339(starts[str(i)])}", duration: "{length}s" }},\n')
        out.write("} }\n")
    env = dict(os.environ, MAINT_CONFIG=config, MAINT_DB=os.path.join(work, "maint.db"))
    subprocess.run([maint, "validate"], env=env, check=True, stdout=subprocess.DEVNULL)
    daemon = subprocess.Popen([maint, "daemon"], env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "daemon.log"), "w"))
    stop = threading.Event()
    requests = []
    clients = []
    loaded_baseline = []
    try:
        if api_load:
            # From the first start to the last one: the load covers every switch.
            pause = first - time.time() - 0.5
            if pause > 0:
                time.sleep(pause)
            clients = [threading.Thread(target=api_client, args=(os.path.join(work, "maint.db.sock"), index, stop, requests))
                       for index in range(api_load)]
            for client in clients:
                client.start()
            load_started = time.time()
            # The baseline loop under the same load, on instants between maint's.
            clients.append(threading.Thread(target=lambda: loaded_baseline.extend(
                run_baseline(port, windows, gap, prefix="l", first=first + gap / 2000))))
            clients[-1].start()
        wait_for(windows, first + windows * gap / 1000 + 30)
    finally:
        stop.set()
        for client in clients:
            client.join()
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
    with lock:
        lags = [(arrivals[name] - starts[name]) * 1000 for name in arrivals if name in starts]
        arrivals.clear()
    if not lags:
        with open(os.path.join(work, "daemon.log")) as log:
            sys.exit("no activation arrived; the daemon's log ends:\n" + "".join(log.readlines()[-20:]))
    if api_load:
        return lags, requests, time.time() - load_started, loaded_baseline
    return lags


def run_baseline(port, windows, gap, prefix="b", first=None):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    first = first or time.time() + 2
    lags = []
    for i in range(windows):
        instant = first + i * gap / 1000
        pause = instant - time.time()
        if pause > 0:
            time.sleep(pause)
        connection.request("POST", f"/site/{prefix}{i}/on", body=b"")
        connection.getresponse().read()
        with lock:
            lags.append((arrivals[f"{prefix}{i}"] - instant) * 1000)
    connection.close()
    return lags


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("maint")
    parser.add_argument("--windows", type=int, default=1000)
    parser.add_argument("--gap", type=int, default=50)
    parser.add_argument("--length", type=int, default=30)
    parser.add_argument("--api-load", type=int, default=0)
    args = parser.parse_args()
    port = start_server()
    rows = []
    loaded = None
    work = tempfile.mkdtemp(prefix="maint-lag-")
    try:
        baseline = summary(run_baseline(port, args.windows, args.gap))
        rows.append(("maint daemon", summary(run_maint(args.maint, port, args.windows, args.gap, args.length, os.path.join(work, "quiet")))))
        if args.api_load:
            lags, requests, seconds, loop = run_maint(args.maint, port, args.windows, args.gap, args.length, os.path.join(work, "loaded"), args.api_load)
            rows.append((f"maint daemon, API under load ({args.api_load} clients)", summary(lags)))
            loaded = (requests, seconds)
        rows.append(("sleep-until loop (baseline)", baseline))
        if args.api_load:
            rows.append(("sleep-until loop, API under load (baseline)", summary(loop)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.windows} one-target windows {args.gap} ms apart, each {args.length} s long")
    print()
    print("| | arrived | p50 | p99 | max | early |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in rows:
        print(f"| {name} | {row['count']} | {row['p50']:.1f} ms | {row['p99']:.1f} ms | {row['max']:.1f} ms | {row['early']} |")
    if loaded:
        requests, seconds = loaded
        print()
        print(f"The control API meanwhile ({args.api_load} clients on the Unix socket, keep-alive, {seconds:.1f} s):")
        print()
        print("| request | answered | per second | p50 | p99 | not 2xx |")
        print("|---|---:|---:|---:|---:|---:|")
        for kind in ("GET /v1/status", "POST /v1/windows"):
            times = [ms for k, status, ms in requests if k == kind]
            failed = sum(1 for k, status, ms in requests if k == kind and not 200 <= status < 300)
            if times:
                print(f"| `{kind}` | {len(times)} | {len(times) / seconds:.0f} | {percentile(times, 0.5):.1f} ms | {percentile(times, 0.99):.1f} ms | {failed} |")


if __name__ == "__main__":
    main()
