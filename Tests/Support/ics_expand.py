#!/usr/bin/env python3
"""Expands an iCalendar feed with recurring-ical-events (PyPI), a reader independent of maint
and of dateutil: RRULE, EXDATE, RECURRENCE-ID and the feed's own VTIMEZONEs, as it applies them.

    ics_expand.py FROM TO < feed.ics    (FROM and TO: ISO dates or date-times, UTC)

Prints JSON: {"UID": ["start in UTC", ...]}, each event's occurrences starting in [FROM, TO).
"""
import json
import sys
from datetime import datetime, timezone

import icalendar
import recurring_ical_events


def moment(text):
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def main():
    calendar = icalendar.Calendar.from_ical(sys.stdin.read())
    start, end = moment(sys.argv[1]), moment(sys.argv[2])
    found = {}
    for event in recurring_ical_events.of(calendar).between(start, end):
        begin = event["DTSTART"].dt
        found.setdefault(str(event["UID"]), []).append(begin.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    print(json.dumps({uid: sorted(starts) for uid, starts in found.items()}))


if __name__ == "__main__":
    main()
