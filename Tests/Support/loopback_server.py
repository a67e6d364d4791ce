"""What the loopback imitations of platform APIs share: JSON answers, no request log, and
serving on 127.0.0.1 at a free port announced as "listening on PORT" (as the tests read it)."""
import json
from http.server import BaseHTTPRequestHandler, HTTPServer


class JSONHandler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def serve(handler):
    server = HTTPServer(("127.0.0.1", 0), handler)
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()
