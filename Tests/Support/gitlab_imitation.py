#!/usr/bin/env python3
"""A loopback imitation of GitLab's application settings API for maintenance mode, as its
documentation describes it: PUT /api/v4/application/settings?maintenance_mode=true|false
&maintenance_mode_message=… with the PRIVATE-TOKEN header of an administrator (401 without or
wrong, 400 for a maintenance_mode that is not true or false); GET the same path answers the
settings.

    gitlab_imitation.py --token TOKEN   (prints "listening on PORT")
"""
import argparse
from urllib.parse import parse_qs, urlsplit

from loopback_server import JSONHandler, serve


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    settings = {"maintenance_mode": False, "maintenance_mode_message": None, "calls": 0}

    class Handler(JSONHandler):
        def allowed(self):
            if urlsplit(self.path).path != "/api/v4/application/settings":
                self.answer(404, {"message": "404 Not Found"})
                return False
            if self.headers.get("PRIVATE-TOKEN") != args.token:
                self.answer(401, {"message": "401 Unauthorized"})
                return False
            return True

        def do_GET(self):
            if self.allowed():
                self.answer(200, settings)

        def do_PUT(self):
            if not self.allowed():
                return
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            mode = query.get("maintenance_mode", [""])[0]
            if mode not in ("true", "false"):
                return self.answer(400, {"error": "maintenance_mode is invalid"})
            settings["maintenance_mode"] = mode == "true"
            if "maintenance_mode_message" in query:
                settings["maintenance_mode_message"] = query["maintenance_mode_message"][0]
            settings["calls"] += 1
            self.answer(200, settings)

    serve(Handler)


if __name__ == "__main__":
    main()
