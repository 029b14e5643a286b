"""Reads an iCalendar document on stdin with the `icalendar` package (a maintained
parser, as a calendar application would) and prints its events as JSON: uid, sequence,
status, start and end (UTC, ISO 8601), summary, location. Exit code 1 if it does not
parse or is not a VCALENDAR.  Used by tests/suite/press_desk.rs."""
import json
import sys

import icalendar

cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
if cal.name != "VCALENDAR":
    sys.exit(1)
events = []
for ev in cal.walk("VEVENT"):
    events.append({
        "uid": str(ev.get("UID")),
        "sequence": int(ev.get("SEQUENCE", 0)),
        "status": str(ev.get("STATUS", "")),
        "start": ev.decoded("DTSTART").isoformat(),
        "end": ev.decoded("DTEND").isoformat(),
        "summary": str(ev.get("SUMMARY")),
        "location": str(ev.get("LOCATION", "")),
    })
print(json.dumps({"method": str(cal.get("METHOD", "")), "events": events}, ensure_ascii=False))
