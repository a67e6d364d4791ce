"""What the loopback imitations of platform APIs share: JSON answers, no request log, and
serving on 127.0.0.1 at a free port announced as "listening on PORT" (as the tests read it).

An imitation of a maintenance switch keeps `state` (enabled, headline, message, and each answer
it gave in `calls`), serves it at GET /imitation/state for tests (no auth), and answers the first
`--fail-first N` authorized switches with 500, as a platform having a bad moment would."""
import argparse
import json
from http.server import BaseHTTPRequestHandler, HTTPServer


class JSONHandler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class SwitchImitation(JSONHandler):
    """Set `state` and `failures_left` on the subclass (see `switch_arguments`)."""
    state = {}
    failures_left = 0

    def answer(self, status, body):
        self.state["calls"].append(status)
        super().answer(status, body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def failing(self):
        """After auth: True (with a 500 sent) while the first switches are to fail."""
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            self.answer(500, {"error": "internal server error"})
            return True
        return False

    def switch(self, enabled, headline=None, message=None):
        self.state.update(enabled=enabled)
        if enabled:
            self.state.update(headline=headline, message=message)

    def do_GET(self):
        if self.path == "/imitation/state":
            return JSONHandler.answer(self, 200, self.state)
        self.platform_get()

    def platform_get(self):
        self.answer(404, {"error": "not found"})


def switch_arguments(description, *credentials, **options):
    """The command line of a switch imitation: its credentials, options with their defaults,
    and --fail-first."""
    parser = argparse.ArgumentParser(description=description)
    for name in credentials:
        parser.add_argument("--" + name, required=True)
    for name, default in options.items():
        parser.add_argument("--" + name, default=default)
    parser.add_argument("--fail-first", type=int, default=0)
    return parser.parse_args()


def new_state():
    return {"enabled": False, "headline": None, "message": None, "calls": []}


def serve(handler):
    server = HTTPServer(("127.0.0.1", 0), handler)
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()
