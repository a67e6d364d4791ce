#!/usr/bin/env python3
"""A loopback imitation of Haiilo's on-premises management API, as its documentation describes
it: POST /manage/maintenance with {"headline", "message"} turns maintenance mode on, DELETE the
same path turns it off, both with basic auth of the management user (401 without or wrong, 400
for a body without both fields). GET /manage/maintenance says the state (an addition for tests).

    haiilo_imitation.py --user USER --password PASSWORD   (prints "listening on PORT")
"""
import argparse
import base64
import json

from loopback_server import JSONHandler, serve


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    expected = "Basic " + base64.b64encode(f"{args.user}:{args.password}".encode()).decode()
    state = {"enabled": False, "headline": None, "message": None, "calls": []}

    class Handler(JSONHandler):
        def authorized(self):
            if self.headers.get("Authorization") != expected:
                self.answer(401, {"error": "unauthorized"})
                return False
            return True

        def do_GET(self):
            if self.path == "/manage/maintenance" and self.authorized():
                self.answer(200, state)

        def do_POST(self):
            if self.path != "/manage/maintenance":
                return self.answer(404, {"error": "not found"})
            if not self.authorized():
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return self.answer(400, {"error": "not JSON"})
            if not isinstance(body.get("headline"), str) or not isinstance(body.get("message"), str):
                return self.answer(400, {"error": "headline and message are required"})
            state.update(enabled=True, headline=body["headline"], message=body["message"])
            state["calls"].append("POST")
            self.answer(200, {"enabled": True})

        def do_DELETE(self):
            if self.path != "/manage/maintenance":
                return self.answer(404, {"error": "not found"})
            if self.authorized():
                state.update(enabled=False)
                state["calls"].append("DELETE")
                self.answer(200, {"enabled": False})

    serve(Handler)


if __name__ == "__main__":
    main()
