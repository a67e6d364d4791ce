"""What the loopback imitations of platform APIs share: JSON answers, no request log, and
serving on 127.0.0.1 at a free port announced as "listening on PORT" (as the tests read it).

An imitation of a maintenance switch keeps `state` (enabled, headline, message, and each answer
it gave in `calls`), serves it at GET /imitation/state for tests (no auth), and answers the first
`--fail-first N` authorized switches with 500, as a platform having a bad moment would."""
import argparse
import base64
import json
from http.server import BaseHTTPRequestHandler, HTTPServer


class JSONHandler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        """JSON, or plain text when `body` is a string, or nothing for None."""
        if isinstance(body, str):
            data, content_type = body.encode(), "text/plain; charset=utf-8"
        else:
            data, content_type = (b"", None) if body is None else (json.dumps(body).encode(), "application/json")
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class SwitchImitation(JSONHandler):
    """Set `state`, `failures_left`, `credentials` (each header the platform wants, with its
    value) and `refusal` (the status and body it answers without them) on the subclass."""
    state = {}
    failures_left = 0
    credentials = {}
    refusal = (401, {"error": "unauthorized"})

    def authorized(self):
        """True when every credential header is as expected; else the refusal is sent."""
        if all(self.headers.get(name) == value for name, value in self.credentials.items()):
            return True
        self.answer(*self.refusal)
        return False

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


def basic(user, password):
    """The Authorization header of HTTP basic authentication."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def new_state():
    return {"enabled": False, "headline": None, "message": None, "calls": []}


def serve(handler):
    server = HTTPServer(("127.0.0.1", 0), handler)
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()
