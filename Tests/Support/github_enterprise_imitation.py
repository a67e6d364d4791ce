#!/usr/bin/env python3
"""A loopback imitation of the GitHub Enterprise Server Management Console API for maintenance
mode, as its documentation describes it: POST /setup/api/maintenance with the form field
`maintenance` holding JSON {"enabled": true|false, "when": "now"}; basic auth with the user
`api_key` and the Management Console password (401 without or wrong); 202 and
{"status", "scheduled_time", "connection_services"}; 400 for a `maintenance` that is not such
JSON. GET /setup/api/maintenance answers the same status.

    github_enterprise_imitation.py --password PASSWORD [--fail-first N]   (prints "listening on PORT")
"""
import json
from urllib.parse import parse_qs

from loopback_server import SwitchImitation, basic, new_state, serve, switch_arguments


def main():
    args = switch_arguments(__doc__, "password")

    class Handler(SwitchImitation):
        state = new_state()
        failures_left = args.fail_first
        credentials = {"Authorization": basic("api_key", args.password)}
        refusal = (401, {"message": "Unauthorized"})

        def status(self):
            return {"status": "on" if self.state["enabled"] else "off", "scheduled_time": "now", "connection_services": []}

        def platform_get(self):
            if self.path != "/setup/api/maintenance":
                return self.answer(404, {"message": "Not Found"})
            if self.authorized():
                self.answer(200, self.status())

        def do_POST(self):
            if self.path != "/setup/api/maintenance":
                return self.answer(404, {"message": "Not Found"})
            if not self.authorized() or self.failing():
                return
            form = parse_qs(self.read_body().decode())
            try:
                maintenance = json.loads(form.get("maintenance", [""])[0])
            except ValueError:
                maintenance = None
            if not isinstance(maintenance, dict) or not isinstance(maintenance.get("enabled"), bool) or maintenance.get("when") != "now":
                return self.answer(400, {"message": "maintenance must be JSON such as {\"enabled\":true,\"when\":\"now\"}"})
            self.switch(maintenance["enabled"])
            self.answer(202, self.status())

    serve(Handler)


if __name__ == "__main__":
    main()
