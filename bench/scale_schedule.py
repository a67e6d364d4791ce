#!/usr/bin/env python3
"""Writes a large schedule for the scale benchmark: T targets (http, on loopback ports nobody
listens on: no window is due during the run) and W one-off windows, one target each, from tomorrow onward five minutes apart (100,000 of them
span a year), so that no two windows of a target overlap.
    bench/scale_schedule.py T W DIR"""
import os
import sys
from datetime import datetime, timedelta, timezone

targets, windows, directory = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(directory, exist_ok=True)
with open(os.path.join(directory, "targets.json5"), "w") as out:
    out.write("{ targets: {\n")
    for t in range(targets):
        port = 20000 + t % 20000
        out.write(f'  "site-{t}": {{ driver: "http", tags: ["fleet", "group-{t % 100}"], timezone: "Europe/Paris",\n'
                  f'    activate: {{ url: "http://127.0.0.1:{port}/admin/maintenance", json: {{ enabled: true, message: "{{{{message}}}}" }} }},\n'
                  f'    deactivate: {{ url: "http://127.0.0.1:{port}/admin/maintenance", json: {{ enabled: false }} }} }},\n')
    out.write("} }\n")
start = (datetime.now(timezone.utc) + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
step = timedelta(minutes=5)
with open(os.path.join(directory, "windows.json5"), "w") as out:
    out.write("{ windows: {\n")
    for w in range(windows):
        at = (start + step * w).strftime("%Y-%m-%d %H:%M")
        out.write(f'  "w{w}": {{ targets: ["site-{w % targets}"], start: "{at}", duration: "30m", timezone: "UTC", message: "planned work {w}" }},\n')
    out.write("} }\n")
