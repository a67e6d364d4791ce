#!/usr/bin/env python3
"""Reads the messages an SMTP test server stored (NNN.eml and NNN.json) with Python's email
package and icalendar, and prints what they say, as JSON."""
import glob
import json
import sys
from email import policy
from email.parser import BytesParser

import icalendar


def main():
    messages = []
    for path in sorted(glob.glob(sys.argv[1] + "/*.eml")):
        raw = open(path, "rb").read()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        envelope = json.load(open(path[:-4] + ".json"))
        record = {
            "envelope": envelope,
            "rawSubject": BytesParser(policy=policy.compat32).parsebytes(raw)["Subject"],
            "subject": str(message["Subject"]),
            "from": str(message["From"]),
            "to": str(message["To"]),
            "messageId": str(message["Message-ID"]),
            "date": str(message["Date"]),
            "autoSubmitted": str(message["Auto-Submitted"]),
            "event": str(message["X-Maint-Event"]),
            "contentType": message.get_content_type(),
            "parts": [part.get_content_type() for part in message.walk()],
            "text": None, "html": None, "calendar": None,
        }
        for part in message.walk():
            kind = part.get_content_type()
            if kind == "text/plain":
                record["text"] = part.get_content()
            elif kind == "text/html":
                record["html"] = part.get_content()
            elif kind == "text/calendar":
                calendar = icalendar.Calendar.from_ical(part.get_content())
                event = next(iter(calendar.walk("VEVENT")))
                record["calendar"] = {"method": str(calendar.get("METHOD")), "uid": str(event["UID"]),
                                      "start": event.decoded("DTSTART").isoformat(), "status": str(event.get("STATUS")),
                                      "params": dict(part.get_params() or [])}
        messages.append(record)
    print(json.dumps(messages))


if __name__ == "__main__":
    main()
