#!/usr/bin/env python3
"""A loopback imitation of Atlassian Statuspage's REST API (v1) for scheduled maintenances, as
its public documentation describes it:

- POST  /v1/pages/{page_id}/incidents        {"incident": {...}} creates one: 201 and the incident
- PATCH /v1/pages/{page_id}/incidents/{id}   {"incident": {...}} changes it: 200 and the incident
- GET   /v1/pages/{page_id}/incidents/{id}   and  GET /v1/pages/{page_id}/components
- Authorization: OAuth KEY (401 without or with a wrong key); 404 for another page or incident;
  422 for an unknown status, component or component status, or a creation without a name or a
  scheduled_for; 429 when a key sends a second request within a second of its last.

Each change is kept as an incident update (status, body, components after it), as the page
shows them. For tests: GET /imitation/state (no auth, not rate limited) answers the incidents,
the components and every request with the time it came and its answer; --fail-first N answers
the first N authorized writes with 500.

    statuspage_imitation.py --page ID --key KEY --component ID... [--fail-first N]
"""
import argparse
import json
import re
import time
import uuid

from loopback_server import JSONHandler, serve

STATUSES = {"scheduled", "in_progress", "verifying", "completed"}
COMPONENT_STATUSES = {"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--page", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--component", action="append", default=[])
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    components = {cid: "operational" for cid in args.component}
    incidents = {}
    requests = []
    last_request = {}
    failures_left = [args.fail_first]

    class Handler(JSONHandler):
        def reply(self, status, body):
            requests[-1]["status"] = status
            self.answer(status, body)

        def admitted(self):
            """Auth, then the rate limit, as the platform checks them; True to go on."""
            requests.append({"at": time.time(), "method": self.command, "path": self.path})
            if self.headers.get("Authorization") != "OAuth " + args.key:
                self.reply(401, {"error": "Could not authenticate"})
                return False
            now = time.time()
            if now - last_request.get(args.key, 0) < 1.0:
                last_request[args.key] = now
                self.reply(429, {"error": "Rate limit exceeded. Retry after 1 second."})
                return False
            last_request[args.key] = now
            return True

        def admitted_route(self):
            """Auth, the rate limit, then the resource: (kind, id), or None with the answer sent."""
            return self.route() if self.admitted() else None

        def route(self):
            match = re.fullmatch(r"/v1/pages/([^/]+)/(incidents|components)(?:/([^/]+))?", self.path)
            if not match or match.group(1) != args.page:
                self.reply(404, {"error": "The requested resource could not be found."})
                return None
            return match.group(2), match.group(3)

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            try:
                incident = json.loads(self.rfile.read(length) or b"{}").get("incident")
            except (ValueError, AttributeError):
                incident = None
            if not isinstance(incident, dict):
                self.reply(400, {"error": "incident is missing"})
                return None
            errors = []
            if "status" in incident and incident["status"] not in STATUSES:
                errors.append(f"status {incident['status']!r} is not valid")
            for field in ("scheduled_for", "scheduled_until"):
                if field in incident and not RFC3339.match(str(incident[field])):
                    errors.append(f"{field} is not a time")
            for cid in incident.get("component_ids", []):
                if cid not in components:
                    errors.append(f"component {cid} does not exist")
            for cid, status in (incident.get("components") or {}).items():
                if cid not in components or status not in COMPONENT_STATUSES:
                    errors.append(f"component {cid}: {status!r} is not valid")
            if errors:
                self.reply(422, {"error": errors})
                return None
            if failures_left[0] > 0:
                failures_left[0] -= 1
                self.reply(500, {"error": "Internal server error"})
                return None
            return incident

        def apply(self, record, incident):
            for field in ("name", "status", "scheduled_for", "scheduled_until", "component_ids",
                          "scheduled_remind_prior", "scheduled_auto_in_progress", "scheduled_auto_completed"):
                if field in incident:
                    record[field] = incident[field]
            for cid, status in (incident.get("components") or {}).items():
                components[cid] = status
            record["incident_updates"].append({
                "status": record["status"], "body": incident.get("body", ""),
                "components": {cid: components[cid] for cid in record.get("component_ids", [])},
            })

        def do_GET(self):
            if self.path == "/imitation/state":
                return self.answer(200, {"incidents": incidents, "components": components, "requests": requests})
            found = self.admitted_route()
            if found is None:
                return
            kind, incident_id = found
            if kind == "components" and incident_id is None:
                return self.reply(200, [{"id": cid, "status": status} for cid, status in components.items()])
            if kind == "incidents" and incident_id in incidents:
                return self.reply(200, incidents[incident_id])
            self.reply(404, {"error": "The requested resource could not be found."})

        def do_POST(self):
            found = self.admitted_route()
            if found is None:
                return
            if found != ("incidents", None):
                return self.reply(405, {"error": "Method not allowed"})
            incident = self.body()
            if incident is None:
                return
            missing = [field for field in ("name", "scheduled_for") if not incident.get(field)]
            if missing:
                return self.reply(422, {"error": [f"{field} can't be blank" for field in missing]})
            incident_id = uuid.uuid4().hex[:12]
            record = {"id": incident_id, "page_id": args.page, "status": "scheduled", "impact": "maintenance",
                      "incident_updates": []}
            self.apply(record, incident)
            incidents[incident_id] = record
            self.reply(201, record)

        def do_PATCH(self):
            found = self.admitted_route()
            if found is None:
                return
            kind, incident_id = found
            if kind != "incidents" or incident_id not in incidents:
                return self.reply(404, {"error": "The requested resource could not be found."})
            incident = self.body()
            if incident is None:
                return
            self.apply(incidents[incident_id], incident)
            self.reply(200, incidents[incident_id])

    serve(Handler)


if __name__ == "__main__":
    main()
