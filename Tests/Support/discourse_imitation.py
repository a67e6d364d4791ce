#!/usr/bin/env python3
"""A loopback imitation of Discourse's admin API for read-only mode, as its documentation and
source describe it: PUT /admin/backups/readonly.json with `enable` (true or false; a JSON body or
a form) turns the site's read-only mode on or off; the Api-Key and Api-Username headers of an
admin (403 invalid_access without or wrong); 400 invalid_parameters when `enable` is missing.
GET /site.json says `is_readonly`.

    discourse_imitation.py --key KEY --username NAME [--fail-first N]   (prints "listening on PORT")
"""
import json
from urllib.parse import parse_qs

from loopback_server import SwitchImitation, new_state, serve, switch_arguments


def main():
    args = switch_arguments(__doc__, "key", "username")

    class Handler(SwitchImitation):
        state = new_state()
        failures_left = args.fail_first
        credentials = {"Api-Key": args.key, "Api-Username": args.username}
        refusal = (403, {"errors": ["You are not permitted to view the requested resource. The API username or key is invalid."],
                         "error_type": "invalid_access"})

        def platform_get(self):
            if self.path == "/site.json":
                return self.answer(200, {"is_readonly": self.state["enabled"]})
            self.answer(404, {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"})

        def do_PUT(self):
            if self.path != "/admin/backups/readonly.json":
                return self.answer(404, {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"})
            if not self.authorized() or self.failing():
                return
            raw = self.read_body()
            if (self.headers.get("Content-Type") or "").startswith("application/json"):
                try:
                    enable = json.loads(raw or b"{}").get("enable")
                except (ValueError, AttributeError):
                    return self.answer(400, {"errors": ["Invalid JSON"], "error_type": "invalid_parameters"})
            else:
                enable = parse_qs(raw.decode()).get("enable", [None])[0]
            if enable is None or enable == "":
                return self.answer(400, {"errors": ["param is missing or the value is empty: enable"], "error_type": "invalid_parameters"})
            # Rails reads the parameter as text: "true" turns it on, anything else off.
            self.switch(str(enable).lower() == "true")
            self.answer(200, None)

    serve(Handler)


if __name__ == "__main__":
    main()
