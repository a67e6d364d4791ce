#!/usr/bin/env python3
"""A loopback imitation of Consul's agent API for node maintenance, as its documentation
describes it: PUT /v1/agent/maintenance?enable=true|false&reason=… puts the node in maintenance
(a critical `_node_maintenance` check with the reason as its notes) or takes it out; the ACL
token in X-Consul-Token (403 "Permission denied" without or wrong); 400 "Missing value for
enable" or "Invalid value for enable"; 405 for another method. PUT /v1/agent/service/maintenance/SERVICE_ID with the same
query does it for one service (404 "Unknown service ID" for another). GET /v1/agent/checks
lists the maintenance check.

    consul_imitation.py --token TOKEN [--service ID] [--fail-first N]   (prints "listening on PORT")
"""
from urllib.parse import parse_qs, urlsplit

from loopback_server import SwitchImitation, new_state, serve, switch_arguments


def main():
    args = switch_arguments(__doc__, "token", service="web")
    node_path = "/v1/agent/maintenance"
    service_prefix = "/v1/agent/service/maintenance/"

    class Handler(SwitchImitation):
        state = new_state()
        failures_left = args.fail_first
        credentials = {"X-Consul-Token": args.token}
        refusal = (403, "Permission denied")

        def platform_get(self):
            if urlsplit(self.path).path == node_path or urlsplit(self.path).path.startswith(service_prefix):
                return self.answer(405, "method GET not allowed")
            if urlsplit(self.path).path != "/v1/agent/checks":
                return self.answer(404, "")
            if not self.authorized():
                return
            checks = {}
            if self.state["enabled"]:
                check = "_node_maintenance" if self.state.get("scope") == "node" else "_service_maintenance:" + args.service
                checks[check] = {"CheckID": check, "Status": "critical", "Notes": self.state["message"]}
            self.answer(200, checks)

        def do_PUT(self):
            path = urlsplit(self.path).path
            if path != node_path and not path.startswith(service_prefix):
                return self.answer(404, "")
            if path.startswith(service_prefix) and path[len(service_prefix):] != args.service:
                return self.answer(404, f'Unknown service ID "{path[len(service_prefix):]}". Ensure that the service ID is passed, not the service name.')
            if not self.authorized() or self.failing():
                return
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            if "enable" not in query:
                return self.answer(400, "Missing value for enable")
            enable = query["enable"][0]
            if enable not in ("true", "false"):
                return self.answer(400, f"Invalid value for enable: {enable!r}")
            self.switch(enable == "true", None, query.get("reason", [""])[0])
            self.state["scope"] = "node" if path == node_path else "service"
            self.answer(200, None)

    serve(Handler)


if __name__ == "__main__":
    main()
