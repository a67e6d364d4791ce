#!/usr/bin/env python3
"""Reads an iCalendar feed with the icalendar package (PyPI) and prints what it understood, as JSON.

Each event: uid, summary, description, status, categories, start and end in UTC, the RRULE,
its EXDATEs, and, for a recurring event, its occurrences until "--until" (expanded with
dateutil from the parsed DTSTART and RRULE). Each VTIMEZONE: whether the offsets it describes
(icalendar's own reading of it) match the IANA zone at every event start and at "--probes".
"""
import json
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
from dateutil.rrule import rrulestr


def utc(value):
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    until = datetime.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else None
    calendar = icalendar.Calendar.from_ical(sys.stdin.read())
    events = []
    starts = []
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND")
        starts.append(start)
        record = {
            "uid": str(event.get("UID")),
            "summary": str(event.get("SUMMARY")),
            "description": str(event.get("DESCRIPTION")),
            "status": str(event.get("STATUS")),
            "categories": [str(c) for c in event.get("CATEGORIES").cats] if event.get("CATEGORIES") else [],
            "start": utc(start),
            "end": utc(end),
            "tzid": event["DTSTART"].params.get("TZID"),
            "rrule": event["RRULE"].to_ical().decode() if "RRULE" in event else None,
            "exdates": [],
            "occurrences": [],
        }
        exdates = event.get("EXDATE")
        if exdates is not None:
            for group in exdates if isinstance(exdates, list) else [exdates]:
                record["exdates"] += [utc(d.dt) for d in group.dts]
        if record["rrule"] and until:
            rule = rrulestr(record["rrule"], dtstart=start)
            limit = until.replace(tzinfo=timezone.utc)
            record["occurrences"] = [utc(o) for o in rule.between(start, limit, inc=True) if utc(o) not in record["exdates"]]
        events.append(record)
    zones = []
    for component in calendar.walk("VTIMEZONE"):
        tzid = str(component["TZID"])
        described = component.to_tz()
        reference = ZoneInfo(tzid)
        # Noon every day from a month before the first event to a year after the last: every
        # offset period in between is probed (noon is never skipped nor repeated).
        first = min(s.replace(tzinfo=None) for s in starts) - timedelta(days=30)
        days = (max(s.replace(tzinfo=None) for s in starts) - first).days + 400
        probes = [first.replace(hour=12, minute=0, second=0) + timedelta(days=d) for d in range(days)]
        mismatches = [p.isoformat() for p in probes if p.replace(tzinfo=described).utcoffset() != p.replace(tzinfo=reference).utcoffset()]
        zones.append({"tzid": tzid, "probes": len(probes), "mismatches": mismatches})
    print(json.dumps({"events": events, "timezones": zones}))


if __name__ == "__main__":
    main()
