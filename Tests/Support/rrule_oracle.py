#!/usr/bin/python3
"""Expands recurrence rules with python-dateutil, for maint's differential test.

Reads one JSON object a line: {"rule", "start" (local, YYYY-MM-DDTHH:MM:SS), "zone", "through" (YYYY-MM-DD)}.
Writes one JSON list a line: the occurrences as Unix seconds, each local time read in the zone
with fold=0 (the first of a repeated hour; a skipped hour read with the offset before it).
"""
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import dateutil.rrule
from dateutil.rrule import rrulestr

# A rule with no occurrences makes dateutil search up to datetime.MAXYEAR (9999), seconds per
# rule; its search stops there, and nothing past 2031 is compared, so the search stops at 2031.
dateutil.rrule.datetime.MAXYEAR = 2031

for line in sys.stdin:
    case = json.loads(line)
    start = datetime.fromisoformat(case["start"])
    through = datetime.fromisoformat(case["through"] + "T23:59:59")
    zone = ZoneInfo(case["zone"])
    rule = rrulestr(case["rule"], dtstart=start)
    instants = [int(local.replace(tzinfo=zone).timestamp()) for local in rule.between(start, through, inc=True)]
    print(json.dumps(instants), flush=True)
