#!/usr/bin/env python3
"""A loopback imitation of Consul's agent API for node maintenance, as its documentation
describes it: PUT /v1/agent/maintenance?enable=true|false&reason=… puts the node in maintenance
(a critical `_node_maintenance` check with the reason as its notes) or takes it out; the ACL
token in X-Consul-Token (403 "Permission denied" without or wrong); 400 "Missing value for
enable" or "Invalid value for enable"; 405 for another method. GET /v1/agent/checks lists the
maintenance check.

    consul_imitation.py --token TOKEN [--fail-first N]   (prints "listening on PORT")
"""
from urllib.parse import parse_qs, urlsplit

from loopback_server import SwitchImitation, new_state, serve, switch_arguments


def main():
    args = switch_arguments(__doc__, "token")

    class Handler(SwitchImitation):
        state = new_state()
        failures_left = args.fail_first

        def text(self, status, text):
            data = text.encode()
            self.state["calls"].append(status)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def permitted(self):
            if self.headers.get("X-Consul-Token") != args.token:
                self.text(403, "Permission denied")
                return False
            return True

        def platform_get(self):
            if urlsplit(self.path).path == "/v1/agent/maintenance":
                return self.text(405, "method GET not allowed")
            if urlsplit(self.path).path != "/v1/agent/checks":
                return self.text(404, "")
            if not self.permitted():
                return
            checks = {}
            if self.state["enabled"]:
                checks["_node_maintenance"] = {"CheckID": "_node_maintenance", "Name": "Node Maintenance Mode",
                                               "Status": "critical", "Notes": self.state["message"]}
            self.answer(200, checks)

        def do_PUT(self):
            if urlsplit(self.path).path != "/v1/agent/maintenance":
                return self.text(404, "")
            if not self.permitted() or self.failing():
                return
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            if "enable" not in query:
                return self.text(400, "Missing value for enable")
            enable = query["enable"][0]
            if enable not in ("true", "false"):
                return self.text(400, f"Invalid value for enable: {enable!r}")
            self.switch(enable == "true", None, query.get("reason", [""])[0])
            self.answer(200, None)

    serve(Handler)


if __name__ == "__main__":
    main()
