#!/usr/bin/env python3
"""Many sites behind one port, for benchmarks: POST /site/N/admin/api/maintenance answers 200
({"enabled": …} is accepted and counted). GET /count tells how many calls arrived."""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

count = {"n": 0}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with lock:
            count["n"] += 1
        self.reply({"ok": True})

    def do_GET(self):
        with lock:
            self.reply({"count": count["n"]})


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
server.daemon_threads = True
server.request_queue_size = 1024
print("listening on %d" % server.server_address[1], flush=True)
server.serve_forever()
