#!/usr/bin/env python3
"""Scale benchmark: a schedule of T targets and W one-off windows (bench/scale_schedule.py), and
what it costs maint to hold it:

  validate      `maint validate` of the files
  first load    `maint daemon` on an empty database, from exec to READY=1 (sd_notify, read on a
                loopback datagram socket): every window parsed, planned and stored
  restart       the same daemon stopped (SIGTERM) and started again on the stored database, with
                the files unchanged: ready from its stored copy of them
  files read    the restarted daemon's second READY=1, once it has read the files again meanwhile
  idle RSS      the daemon's resident memory once ready; of its own: the anonymous part
                (its heap and stacks), the rest being the program's code and libraries mapped
                from their files; after status: once it has answered `maint status` 3 times
  wake-ups      context switches of the daemon's threads while idle, per minute
  ls, status, show w5   each command's whole process, the daemon running (best of 3)

Each size is measured the same way in the same run; the first row is the floor (an empty
schedule: process start-up), so every figure has its baseline beside it.

Usage: scale.py MAINT_BINARY [--sizes 1000x10000,10000x100000] [--idle 20]
Prints a Markdown table. Nothing listens on the targets' loopback ports: no window is due.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))


def timed(argv, env):
    start = time.monotonic()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def best(argv, env, runs=3):
    return min(timed(argv, env) for _ in range(runs))


def start_daemon(maint, env, notify_path, readies=1):
    """Starts the daemon and waits for READY=1 (the `readies`-th one); returns (process, seconds
    to each)."""
    if os.path.exists(notify_path):
        os.unlink(notify_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(notify_path)
    listener.settimeout(600)
    start = time.monotonic()
    times = []
    process = subprocess.Popen([maint, "daemon"], env=dict(env, NOTIFY_SOCKET=notify_path),
                               stdout=subprocess.DEVNULL, stderr=open(env["MAINT_DB"] + ".log", "a"))
    try:
        while True:
            message = listener.recv(4096).decode(errors="replace")
            if "READY=1" in message.split("\n"):
                times.append(time.monotonic() - start)
                if len(times) == readies:
                    return (process, times[0]) if readies == 1 else (process, times)
    finally:
        listener.close()


def stop(process):
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def switches(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/status") as status:
            for line in status:
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split()[1])
    return total


def measure(maint, targets, windows, work, idle):
    directory = os.path.join(work, f"{targets}x{windows}")
    config = os.path.join(directory, "schedules")
    if targets:
        subprocess.run([sys.executable, os.path.join(here, "scale_schedule.py"), str(targets), str(windows), config], check=True)
    else:
        os.makedirs(config)
        with open(os.path.join(config, "empty.json5"), "w") as empty:
            empty.write("{}\n")
    env = dict(os.environ, MAINT_CONFIG=config, MAINT_DB=os.path.join(directory, "maint.db"), NO_COLOR="1")
    env.pop("NOTIFY_SOCKET", None)
    notify = os.path.join(directory, "notify")
    row = {"validate": best([maint, "validate"], env, runs=1 if windows >= 100000 else 3)}
    process, row["first load"] = start_daemon(maint, env, notify)
    time.sleep(1)
    row["idle RSS"] = rss_mb(process.pid)
    row["RSS of its own (anonymous)"] = rss_mb(process.pid, "RssAnon")
    before = switches(process.pid)
    time.sleep(idle)
    row["wake-ups"] = (switches(process.pid) - before) * 60 / idle
    row["ls"] = best([maint, "ls"], env)
    row["status"] = best([maint, "status"], env)
    row["show"] = best([maint, "show", "w5"], env) if windows else best([maint, "show", "none"], env)
    row["RSS after status"] = rss_mb(process.pid)
    stop(process)
    process, (row["restart"], row["files read"]) = start_daemon(maint, env, notify, readies=2)
    time.sleep(1)
    row["RSS after restart"] = rss_mb(process.pid)
    stop(process)
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("maint")
    parser.add_argument("--sizes", default="1000x10000,10000x100000")
    parser.add_argument("--idle", type=int, default=20)
    args = parser.parse_args()
    sizes = [(0, 0)] + [tuple(int(n) for n in size.split("x")) for size in args.sizes.split(",")]
    work = tempfile.mkdtemp(prefix="maint-scale-")
    try:
        rows = [(size, measure(args.maint, size[0], size[1], work, args.idle)) for size in sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    goals = {"validate": "≤ 2 s", "first load": "≤ 10 s", "restart": "≤ 200 ms", "files read": "", "idle RSS": "≤ 30 MB", "RSS of its own (anonymous)": "",
             "RSS after restart": "≤ 30 MB", "RSS after status": "",
             "wake-ups": "0", "ls": "≤ 300 ms", "status": "≤ 300 ms", "show": "≤ 50 ms"}

    def text(name, value):
        if "RSS" in name:
            return f"{value:.0f} MB"
        if name == "wake-ups":
            return f"{value:.0f} / min"
        return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"

    labels = ["empty schedule (floor)" if t == 0 else f"{t:,} targets, {w:,} windows" for (t, w), _ in rows]
    print("| measure | goal (largest) | " + " | ".join(labels) + " |")
    print("|---|---|" + "---:|" * len(rows))
    for name in goals:
        print(f"| {name} | {goals[name]} | " + " | ".join(text(name, row[name]) for _, row in rows) + " |")


if __name__ == "__main__":
    main()
