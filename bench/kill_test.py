#!/usr/bin/env python3
"""Kills `maint daemon` with SIGKILL at random moments while windows switch 50 sites, restarts it
each time, and then checks that nothing was lost: every window completed, every site out of
maintenance, every site switched on and off in every window, every announcement delivered under
one id, the event log whole, and the database intact.

Usage: kill_test.py MAINT_BINARY [--kills 100] [--sites 50] [--windows 6] [--fail-rate 0.3] [--seed N]
Everything listens on 127.0.0.1. Exits 1 if any check fails.
"""
import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietServer(ThreadingHTTPServer):
    """A killed daemon drops its connections mid-request: that is the test, not an error."""
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


class Site:
    """One site on its own port: maintenance on or off, every call recorded; the first call of
    each kind in a window fails with probability --fail-rate, as a busy platform would."""

    def __init__(self, index, fail_rate, rng):
        self.name = f"s{index}"
        self.enabled = False
        self.calls = []  # (time, enabled, answered)
        self.failed_once = set()
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self.reply(200, {"status": "ok", "enabled": site.enabled})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                enabled = bool(body.get("enabled"))
                key = (body.get("window"), enabled)
                with site.lock:
                    if key not in site.failed_once and rng.random() < fail_rate:
                        site.failed_once.add(key)
                        site.calls.append((time.time(), enabled, 500))
                        return self.reply(500, {"error": "busy, try again"})
                    site.failed_once.add(key)
                    site.enabled = enabled
                    site.calls.append((time.time(), enabled, 200))
                self.reply(200, {"enabled": enabled})

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Receiver:
    """The webhook channel: the demo's receiver (deploy/demo/webhook_receiver.py), in its own
    process; it records each delivery's id and body."""

    def __init__(self):
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "deploy", "demo", "webhook_receiver.py")
        self.process = subprocess.Popen([sys.executable, script, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()  # "webhooks listening on PORT"
        self.port = int(line.split()[-1])

    def received(self):
        """(webhook id, window id, event) of each delivery it answered."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/received") as answer:
            records = json.load(answer)
        return [(r["id"], ((r.get("body") or {}).get("data") or {}).get("window", {}).get("id"), r["event"]) for r in records]

    def stop(self):
        self.process.terminate()
        self.process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("maint")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--windows", type=int, default=6)
    parser.add_argument("--fail-rate", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sites = [Site(i, args.fail_rate, random.Random(rng.random())) for i in range(args.sites)]
    receiver = Receiver()
    work = tempfile.mkdtemp(prefix="maint-kill-")
    os.makedirs(f"{work}/schedules")
    env = dict(os.environ, MAINT_CONFIG=f"{work}/schedules", MAINT_DB=f"{work}/maint.db", TZ="UTC")

    # Windows back to back over every site; the kills are spread over all of them.
    spacing, length = 9, 4
    lead = 6
    targets = ",\n".join(
        f'"{s.name}": {{ driver: "http", tags: ["fleet"], '
        f'activate: {{ url: "http://127.0.0.1:{s.port}/m", json: {{ enabled: true, window: "{{{{window.id}}}}" }}, timeout: "3s", retries: 8 }}, '
        f'deactivate: {{ url: "http://127.0.0.1:{s.port}/m", json: {{ enabled: false, window: "{{{{window.id}}}}" }}, timeout: "3s", retries: 8 }}, '
        f'health: [ {{ name: "up", url: "http://127.0.0.1:{s.port}/", expect: "[STATUS] == 200" }} ], healthTimeout: "30s" }}'
        for s in sites)
    windows = ",\n".join(
        f'"w{k}": {{ targets: ["tag:fleet"], start: "+{lead + spacing * k}s", duration: "{length}s", channels: ["ops"] }}'
        for k in range(args.windows))
    with open(f"{work}/schedules/kill.json5", "w") as f:
        f.write(f'{{ targets: {{ {targets} }},\n channels: {{ ops: {{ type: "webhook", format: "json", '
                f'url: "http://127.0.0.1:{receiver.port}/hook", events: ["*"], attempts: 30 }} }},\n windows: {{ {windows} }} }}\n')
    subprocess.run([args.maint, "validate"], env=env, check=True, stdout=subprocess.DEVNULL)

    def start():
        return subprocess.Popen([args.maint, "daemon"], env=env, stdout=subprocess.DEVNULL, stderr=open(f"{work}/daemon.log", "a"))

    span = lead + spacing * args.windows
    began = time.time()
    failed_restarts = 0
    kills = 0
    while kills < args.kills:
        daemon = start()
        # Kill somewhere in the next interval, so the kills cover the whole run.
        time.sleep(rng.uniform(0.05, max(0.1, 2 * span / args.kills - 0.05)))
        if daemon.poll() is not None:
            failed_restarts += 1
        else:
            daemon.send_signal(signal.SIGKILL)
            kills += 1
        daemon.wait()
    killed_for = time.time() - began

    daemon = start()
    deadline = time.time() + 180
    states = {}
    while time.time() < deadline:
        listed = subprocess.run([args.maint, "ls", "--all", "--json"], env=env, capture_output=True, text=True)
        if listed.returncode == 0:
            states = {w["id"]: w["state"] for w in json.loads(listed.stdout)}
            if len(states) == args.windows and all(s in ("completed", "failed", "degraded", "missed", "canceled") for s in states.values()):
                break
        time.sleep(0.5)
    time.sleep(3)  # the last announcements
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=30)

    # The checks.
    log = json.loads(subprocess.run([args.maint, "log", "--json"], env=env, capture_output=True, text=True, check=True).stdout)
    completed_events = {}
    for event in log:
        if event.get("kind") == "window.completed":
            completed_events[event.get("window")] = completed_events.get(event.get("window"), 0) + 1
    not_completed = sorted(w for w in (f"w{k}" for k in range(args.windows)) if states.get(w) != "completed")
    wrong_state = [s.name for s in sites if s.enabled]
    missed_switch = 0
    for s in sites:
        ok_calls = [(t, e) for t, e, answered in s.calls if answered == 200]
        ons, offs = sum(1 for _, e in ok_calls if e), sum(1 for _, e in ok_calls if not e)
        if ons < args.windows or offs < args.windows:
            missed_switch += 1
    ids_by_pair = {}
    deliveries = receiver.received()
    receiver.stop()
    for msg_id, window, event in deliveries:
        ids_by_pair.setdefault((window, event), set()).add(msg_id)
    expected = [(f"w{k}", e) for k in range(args.windows) for e in ("scheduled", "start", "end")]
    lost = [p for p in expected if p not in ids_by_pair]
    duplicated = [p for p, ids in ids_by_pair.items() if len(ids) > 1]
    events_wrong = [w for w in (f"w{k}" for k in range(args.windows)) if completed_events.get(w) != 1]
    integrity = sqlite3.connect(f"{work}/maint.db").execute("PRAGMA integrity_check").fetchone()[0]
    failed_first = sum(1 for s in sites for _, _, answered in s.calls if answered == 500)

    rows = [
        ("SIGKILLs of the daemon", kills, None),
        ("seconds of kills", round(killed_for, 1), None),
        ("restarts that failed", failed_restarts, failed_restarts == 0),
        ("windows not completed", len(not_completed), not not_completed),
        ("sites left in maintenance", len(wrong_state), not wrong_state),
        ("sites not switched on and off in every window", missed_switch, missed_switch == 0),
        ("requests refused at first (retried)", failed_first, None),
        ("announcements lost", len(lost), not lost),
        ("announcements sent under two ids", len(duplicated), not duplicated),
        ("windows whose log lacks one completion", len(events_wrong), not events_wrong),
        ("PRAGMA integrity_check", integrity, integrity == "ok"),
        # With the files unchanged, restarts are ready from the daemon's stored copy of them.
        ("starts from the stored copy of the files", open(f"{work}/daemon.log").read().count("maint daemon started: the stored copy"), None),
    ]
    print(f"kill test: {args.sites} sites, {args.windows} windows, fail rate {args.fail_rate}, seed {args.seed}")
    for name, value, ok in rows:
        print(f"  {name:48} {value!s:>8}  {'' if ok is None else ('ok' if ok else 'FAILED')}")
    failed = [name for name, _, ok in rows if ok is False]
    if failed:
        print(f"FAILED: {', '.join(failed)}; files kept in {work}")
        if not_completed:
            print(f"  windows: {states}")
        return 1
    print(f"{len(rows) - len([r for r in rows if r[2] is None])} passed, 0 failed")
    subprocess.run(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    sys.exit(main())
