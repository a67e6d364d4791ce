#!/usr/bin/env python3
"""Switch lag benchmark: N one-target windows starting GAP ms apart, each lasting LENGTH s (so
that hundreds are open at once), under `maint daemon`. Lag = when the activate request arrives
at the site − the window's start instant. A loopback HTTP server (asyncio, keep-alive) takes the
requests and notes the arrival time of each as it reads its first line.

The baseline, in the same run, against the same server: a Python loop that sleeps until each
instant and sends the same request (time.sleep, then urllib): the floor of a timer and an HTTP
request on this machine.

Usage: lag.py MAINT_BINARY [--windows 1000] [--gap 50] [--length 30]
Prints a Markdown table of p50, p99, max and how many arrived early (before their instant).
"""
import argparse
import http.client
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
            if sum(1 for name in arrivals if not name.startswith("b")) >= count:
                return
        time.sleep(0.1)


def run_maint(maint, port, windows, gap, length, work):
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
        out.write("}, windows: {\n")
        for i in range(windows):
            out.write(f'  "w{i}": {{ targets: ["s{i}"], start: "{rfc3339(starts[str(i)])}", duration: "{length}s" }},\n')
        out.write("} }\n")
    env = dict(os.environ, MAINT_CONFIG=config, MAINT_DB=os.path.join(work, "maint.db"))
    subprocess.run([maint, "validate"], env=env, check=True, stdout=subprocess.DEVNULL)
    daemon = subprocess.Popen([maint, "daemon"], env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "daemon.log"), "w"))
    try:
        wait_for(windows, first + windows * gap / 1000 + 30)
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
    with lock:
        lags = [(arrivals[name] - starts[name]) * 1000 for name in arrivals if name in starts]
    if not lags:
        with open(os.path.join(work, "daemon.log")) as log:
            sys.exit("no activation arrived; the daemon's log ends:\n" + "".join(log.readlines()[-20:]))
    return lags


def run_baseline(port, windows, gap):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    first = time.time() + 2
    lags = []
    for i in range(windows):
        instant = first + i * gap / 1000
        pause = instant - time.time()
        if pause > 0:
            time.sleep(pause)
        connection.request("POST", f"/site/b{i}/on", body=b"")
        connection.getresponse().read()
        with lock:
            lags.append((arrivals[f"b{i}"] - instant) * 1000)
    connection.close()
    return lags


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("maint")
    parser.add_argument("--windows", type=int, default=1000)
    parser.add_argument("--gap", type=int, default=50)
    parser.add_argument("--length", type=int, default=30)
    args = parser.parse_args()
    port = start_server()
    work = tempfile.mkdtemp(prefix="maint-lag-")
    try:
        baseline = summary(run_baseline(port, args.windows, args.gap))
        maint = summary(run_maint(args.maint, port, args.windows, args.gap, args.length, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.windows} one-target windows {args.gap} ms apart, each {args.length} s long")
    print()
    print("| | arrived | p50 | p99 | max | early |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in (("maint daemon", maint), ("sleep-until loop (baseline)", baseline)):
        print(f"| {name} | {row['count']} | {row['p50']:.1f} ms | {row['p99']:.1f} ms | {row['max']:.1f} ms | {row['early']} |")


if __name__ == "__main__":
    main()
