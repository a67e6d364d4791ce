#!/usr/bin/env python3
"""A demo site with a maintenance mode like ClientXCMS's or Haiilo's.

Admin API (Authorization: Bearer ADMIN_TOKEN):
  POST /admin/api/maintenance  {"enabled": bool, "headline", "message", "url" (bypass URL),
                                "button" (button text), "image" (image URL), "icon" (CSS icon class),
                                "retryAfter" (seconds)}
  GET  /admin/api/maintenance  the current state
  GET  /admin/api/requests     every maintenance call received, with its arrival time
  POST /admin/api/banner       {"text"}: a banner on every page ahead of maintenance ("" removes it)
  POST /admin/api/faults       {"failNext": N, "status": 500, "unhealthy": bool, "delayMs": N}: for tests

With --manager USER:PASSWORD it also speaks Haiilo's on-premises management API (basic auth of
that user), as maint's `haiilo` profile drives it:
  POST   /manage/maintenance              {"headline", "message"}: maintenance on
  DELETE /manage/maintenance              maintenance off
  POST   /manage/maintenance/message/all  {"message", "duration" (seconds), "onlyAdmins"}: a banner

While maintenance is on, public pages answer 503 with Retry-After and a page showing the
headline, message, image or icon and the bypass button; signed-in users are logged out; a request
with the admin token (header, or cookie admin_token) still gets through. /health answers 503
with {"status": "maintenance"} then (but to an admin), and 200 {"status": "ok"} otherwise.
"""
import argparse
import base64
import html
import json
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Site:
    def __init__(self, name, token, manager=None):
        self.name = name
        self.token = token
        self.manager = manager
        self.lock = threading.Lock()
        self.maintenance = {"enabled": False}
        self.sessions = set()
        self.requests = []
        self.fail_next = 0
        self.fail_status = 500
        self.unhealthy = False
        self.delay = 0.0
        self.banner = ""
        self.banner_until = None
        self.banners = []


def page(site, state):
    esc = lambda key: html.escape(str(state.get(key) or ""), quote=True)
    visual = ""
    if state.get("image"):
        visual = f'<img src="{esc("image")}" alt="" style="max-width:160px">'
    elif state.get("icon"):
        visual = f'<i class="{esc("icon")}" aria-hidden="true"></i>'
    button = ""
    if state.get("url"):
        button = f'<p><a class="button" href="{esc("url")}">{esc("button") or "More information"}</a></p>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc("headline") or "Maintenance"} · {html.escape(site.name)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:10vh auto;padding:0 1rem;text-align:center}}
.button{{display:inline-block;padding:.6rem 1.2rem;background:#1f6feb;color:#fff;border-radius:.4rem;text-decoration:none}}</style>
</head><body>{visual}<h1>{esc("headline") or "Maintenance"}</h1><p>{esc("message")}</p>{button}</body></html>
"""


def make_handler(site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def reply(self, status, body, content_type="application/json", headers=None):
            data = body if isinstance(body, bytes) else (json.dumps(body) if content_type == "application/json" else body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def cookies(self):
            result = {}
            for part in (self.headers.get("Cookie") or "").split(";"):
                if "=" in part:
                    key, value = part.strip().split("=", 1)
                    result[key] = value
            return result

        def is_admin(self):
            auth = self.headers.get("Authorization") or ""
            return auth == f"Bearer {site.token}" or self.cookies().get("admin_token") == site.token

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self):
            self.route("GET", b"")

        def do_POST(self):
            self.route("POST", self.body())

        def do_PUT(self):
            self.route("PUT", self.body())

        def do_DELETE(self):
            self.route("DELETE", self.body())

        def route(self, method, raw):
            path = self.path.split("?", 1)[0]
            if path.startswith("/admin/api/"):
                return self.admin(method, path, raw)
            if site.manager and path.startswith("/manage/"):
                return self.manage(method, path, raw)
            with site.lock:
                state = dict(site.maintenance)
                unhealthy = site.unhealthy
            if path == "/health":
                # Admins get the real health even in maintenance (maint done checks with the token).
                if state["enabled"] and not self.is_admin():
                    return self.reply(503, {"status": "maintenance"})
                return self.reply(503 if unhealthy else 200, {"status": "down" if unhealthy else "ok", "site": site.name})
            if state["enabled"] and not self.is_admin():
                retry = str(state.get("retryAfter") or 3600)
                return self.reply(503, page(site, state), "text/html; charset=utf-8", {"Retry-After": retry})
            if path == "/login" and method == "POST":
                session = secrets.token_hex(8)
                with site.lock:
                    site.sessions.add(session)
                return self.reply(200, {"session": session}, headers={"Set-Cookie": f"session={session}; HttpOnly"})
            if path == "/account":
                with site.lock:
                    signed_in = self.cookies().get("session") in site.sessions
                return self.reply(200 if signed_in else 401, {"signedIn": signed_in})
            with site.lock:
                notice = site.banner if site.banner_until is None or time.time() < site.banner_until else ""
            banner = "<p><strong>Maintenance mode is active</strong></p>" if state["enabled"] else ""
            if notice:
                banner += f'<p class="banner">{html.escape(notice)}</p>'

            return self.reply(200, f"<!doctype html><title>{site.name}</title>{banner}<h1>{site.name}</h1>", "text/html; charset=utf-8")

        def manage(self, method, path, raw):
            """Haiilo's management API, with the management user's basic auth."""
            expected = "Basic " + base64.b64encode(site.manager.encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self.reply(401, {"error": "unauthorized"})
            try:
                data = json.loads(raw or b"{}")
            except ValueError:
                return self.reply(400, {"error": "not JSON"})
            if path == "/manage/maintenance" and method == "POST":
                if not isinstance(data.get("headline"), str) or not isinstance(data.get("message"), str):
                    return self.reply(400, {"error": "headline and message are required"})
                with site.lock:
                    site.requests.append({"at": time.time(), "done": time.time(), "method": method, "body": dict(data, enabled=True)})
                    site.maintenance = {"enabled": True, "headline": data["headline"], "message": data["message"]}
                    site.sessions.clear()  # users are logged out; admins keep working
                return self.reply(200, {"enabled": True})
            if path == "/manage/maintenance" and method == "DELETE":
                with site.lock:
                    site.requests.append({"at": time.time(), "done": time.time(), "method": method, "body": {"enabled": False}})
                    site.maintenance = {"enabled": False}
                return self.reply(200, {"enabled": False})
            if path == "/manage/maintenance/message/all" and method == "POST":
                duration = str(data.get("duration"))
                if not isinstance(data.get("message"), str) or not duration.isdigit():
                    return self.reply(400, {"error": "message and duration are required"})
                with site.lock:
                    site.banner = data["message"]
                    site.banner_until = time.time() + int(duration)
                    site.banners.append({"at": time.time(), "text": site.banner})
                return self.reply(200, {})
            return self.reply(404, {"error": "not found"})

        def admin(self, method, path, raw):
            if not self.is_admin():
                # Like many platforms, it echoes the credential it refused.
                given = self.headers.get("Authorization")
                return self.reply(401, {"error": f"denied: bad Authorization {given}" if given else "admin token required"})
            if path == "/admin/api/maintenance" and method in ("POST", "PUT"):
                arrived = time.time()
                with site.lock:
                    delay = site.delay
                if delay:
                    time.sleep(delay)
                try:
                    data = json.loads(raw or b"{}")
                    if not isinstance(data, dict) or not isinstance(data.get("enabled"), bool):
                        raise ValueError("enabled must be true or false")
                except ValueError as error:
                    return self.reply(400, {"error": str(error)})
                with site.lock:
                    site.requests.append({"at": arrived, "done": time.time(), "method": method, "body": data})
                    if site.fail_next > 0:
                        site.fail_next -= 1
                        return self.reply(site.fail_status, {"error": "injected failure"})
                    site.maintenance = {k: data.get(k) for k in ("enabled", "headline", "message", "url", "button", "image", "icon", "retryAfter")}
                    if data["enabled"]:
                        site.sessions.clear()  # users are logged out; admins keep their token
                    state = dict(site.maintenance)
                return self.reply(200, state)
            if path == "/admin/api/maintenance":
                with site.lock:
                    return self.reply(200, dict(site.maintenance))
            if path == "/admin/api/banner" and method == "POST":
                data = json.loads(raw or b"{}")
                with site.lock:
                    site.banner = str(data.get("text") or "")
                    site.banner_until = None
                    site.banners.append({"at": time.time(), "text": site.banner})
                return self.reply(200, {"ok": True})
            if path == "/admin/api/banner":
                with site.lock:
                    return self.reply(200, list(site.banners))
            if path == "/admin/api/requests":
                with site.lock:
                    return self.reply(200, list(site.requests))
            if path == "/admin/api/faults" and method == "POST":
                data = json.loads(raw or b"{}")
                with site.lock:
                    site.fail_next = int(data.get("failNext", 0))
                    site.fail_status = int(data.get("status", 500))
                    site.unhealthy = bool(data.get("unhealthy", False))
                    site.delay = float(data.get("delayMs", 0)) / 1000
                return self.reply(200, {"ok": True})
            return self.reply(404, {"error": "not found"})

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--name", default="demo")
    parser.add_argument("--token", default="demo-admin-token")
    parser.add_argument("--manager", help="USER:PASSWORD: also speak Haiilo's management API")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(Site(args.name, args.token, args.manager)))
    server.daemon_threads = True
    print(f"{args.name} listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
