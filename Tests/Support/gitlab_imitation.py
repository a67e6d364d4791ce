#!/usr/bin/env python3
"""A loopback imitation of GitLab's application settings API for maintenance mode, as its
documentation describes it: PUT /api/v4/application/settings?maintenance_mode=true|false
&maintenance_mode_message=… with the PRIVATE-TOKEN header of an administrator (401 without or
wrong, 400 for a maintenance_mode that is not true or false); GET the same path answers the
settings. Like the instance, which caches its settings for up to 60 s, GET answers them as
they were --cache-seconds ago (0 by default).

    gitlab_imitation.py --token TOKEN [--cache-seconds S] [--fail-first N]   (prints "listening on PORT")
"""
import time
from urllib.parse import parse_qs, urlsplit

from loopback_server import SwitchImitation, new_state, serve, switch_arguments


def main():
    args = switch_arguments(__doc__, "token", cache_seconds="0")
    history = [(0.0, {"maintenance_mode": False, "maintenance_mode_message": None})]

    class Handler(SwitchImitation):
        state = new_state()
        failures_left = args.fail_first
        credentials = {"PRIVATE-TOKEN": args.token}
        refusal = (401, {"message": "401 Unauthorized"})

        def allowed(self):
            if urlsplit(self.path).path != "/api/v4/application/settings":
                self.answer(404, {"message": "404 Not Found"})
                return False
            return self.authorized()

        def settings(self):
            return {"maintenance_mode": self.state["enabled"], "maintenance_mode_message": self.state["message"]}

        def platform_get(self):
            if self.allowed():
                seen = time.time() - float(args.cache_seconds)
                self.answer(200, [settings for at, settings in history if at <= seen][-1])

        def do_PUT(self):
            if not self.allowed() or self.failing():
                return
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            mode = query.get("maintenance_mode", [""])[0]
            if mode not in ("true", "false"):
                return self.answer(400, {"error": "maintenance_mode is invalid"})
            self.state["enabled"] = mode == "true"
            if "maintenance_mode_message" in query:
                self.state["message"] = query["maintenance_mode_message"][0]
            history.append((time.time(), self.settings()))
            self.answer(200, self.settings())

    serve(Handler)


if __name__ == "__main__":
    main()
