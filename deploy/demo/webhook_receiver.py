#!/usr/bin/env python3
"""Records the webhooks it receives and checks their Standard Webhooks signatures.

POST anything: recorded with its webhook-* headers, its JSON body and whether the signature
(v1, base64 HMAC-SHA256 of "id.timestamp.body" with --secret) is valid.
GET /received: the list. --fail-first N answers the first N deliveries with 500.
--log FILE also appends each record to FILE as one JSON line.
"""
import argparse
import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--secret", default="")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--log")
    args = parser.parse_args()
    received = []
    lock = threading.Lock()
    failures = {"left": args.fail_first}

    def key():
        if args.secret.startswith("whsec_"):
            return base64.b64decode(args.secret[6:])
        return args.secret.encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def reply(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            with lock:
                self.reply(200, list(received))

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            msg_id = self.headers.get("webhook-id") or ""
            stamp = self.headers.get("webhook-timestamp") or ""
            signature = self.headers.get("webhook-signature") or ""
            expected = "v1," + base64.b64encode(hmac.new(key(), f"{msg_id}.{stamp}.".encode() + raw, hashlib.sha256).digest()).decode()
            valid = any(hmac.compare_digest(expected, part) for part in signature.split(" ")) if signature else False
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            record = {"at": time.time(), "path": self.path, "id": msg_id, "timestamp": stamp, "signatureValid": valid,
                      "event": (body or {}).get("data", {}).get("event") if isinstance(body, dict) else None, "body": body}
            with lock:
                if failures["left"] > 0:
                    failures["left"] -= 1
                    record["answered"] = 500
                else:
                    record["answered"] = 200
                received.append(record)
                if args.log:
                    with open(args.log, "a") as f:
                        f.write(json.dumps(record) + "\n")
            self.reply(record["answered"], {"ok": record["answered"] == 200})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"webhooks listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
