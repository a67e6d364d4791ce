#!/usr/bin/env python3
"""A loopback imitation of Haiilo's on-premises management API, as its documentation describes
it: POST /manage/maintenance with {"headline", "message"} turns maintenance mode on, DELETE the
same path turns it off; POST /manage/maintenance/message/all with {message, duration (seconds),
onlyAdmins} shows a banner ahead of it; all with basic auth of the management user (401 without
or wrong, 400 for a body without its fields). From Haiilo 32 the prefix is /manage/backend
(--prefix). Like the platform's JSON reader, duration may be a number or a numeric string. GET
/manage/maintenance says the state (an addition for tests); the banners are in the state.

    haiilo_imitation.py --user USER --password PASSWORD [--prefix P] [--fail-first N]   (prints "listening on PORT")
"""
import json

from loopback_server import SwitchImitation, basic, new_state, serve, switch_arguments


def main():
    args = switch_arguments(__doc__, "user", "password", prefix="/manage")
    switch_path = args.prefix + "/maintenance"
    banner_path = args.prefix + "/maintenance/message/all"

    class Handler(SwitchImitation):
        state = dict(new_state(), banners=[])
        failures_left = args.fail_first
        credentials = {"Authorization": basic(args.user, args.password)}

        def platform_get(self):
            if self.path != switch_path:
                return self.answer(404, {"error": "not found"})
            if self.authorized():
                self.answer(200, {key: self.state[key] for key in ("enabled", "headline", "message")})

        def do_POST(self):
            if self.path not in (switch_path, banner_path):
                return self.answer(404, {"error": "not found"})
            if not self.authorized() or self.failing():
                return
            try:
                body = json.loads(self.read_body() or b"{}")
            except ValueError:
                return self.answer(400, {"error": "not JSON"})
            if self.path == banner_path:
                duration = body.get("duration")
                if not isinstance(body.get("message"), str) or not str(duration).isdigit() or not isinstance(body.get("onlyAdmins"), bool):
                    return self.answer(400, {"error": "message, duration and onlyAdmins are required"})
                self.state["banners"].append({"message": body["message"], "duration": int(duration), "onlyAdmins": body["onlyAdmins"]})
                return self.answer(200, {})
            if not isinstance(body.get("headline"), str) or not isinstance(body.get("message"), str):
                return self.answer(400, {"error": "headline and message are required"})
            self.switch(True, body["headline"], body["message"])
            self.answer(200, {"enabled": True})

        def do_DELETE(self):
            if self.path != switch_path:
                return self.answer(404, {"error": "not found"})
            if self.authorized() and not self.failing():
                self.switch(False)
                self.answer(200, {"enabled": False})

    serve(Handler)


if __name__ == "__main__":
    main()
