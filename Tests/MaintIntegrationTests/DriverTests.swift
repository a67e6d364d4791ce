import Foundation
import MaintCore
import MaintNet
import Testing

@Suite(.serialized)
struct DriverTests {
    /// nginx (Debian's nginx-light) with deploy/nginx-maintenance.conf and the file driver:
    /// 503, Retry-After and the rendered page while the window lasts, the site after.
    @Test func nginxServesTheFileDriversPageWhileTheFlagExists() throws {
        let workspace = try Workspace()
        let root = workspace.directory.path
        for folder in ["www", "flags", "maintenance", "nginx/tmp"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(folder)", withIntermediateDirectories: true)
        }
        try "the shop".write(toFile: "\(root)/www/index.html", atomically: true, encoding: .utf8)
        let snippet = try String(contentsOf: Repository.root.appendingPathComponent("deploy/nginx-maintenance.conf"), encoding: .utf8)
            .replacingOccurrences(of: "/var/lib/maint-flags/shop.flag", with: "\(root)/flags/shop.flag")
            .replacingOccurrences(of: "/var/www/maintenance", with: "\(root)/maintenance")
        try snippet.write(toFile: "\(root)/nginx/maintenance.conf", atomically: true, encoding: .utf8)
        let port = try freePort()
        try """
            daemon off; worker_processes 1; pid \(root)/nginx/nginx.pid; error_log \(root)/nginx/error.log;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path \(root)/nginx/tmp; proxy_temp_path \(root)/nginx/tmp; fastcgi_temp_path \(root)/nginx/tmp;
              uwsgi_temp_path \(root)/nginx/tmp; scgi_temp_path \(root)/nginx/tmp;
              server { listen 127.0.0.1:\(port); root \(root)/www; include \(root)/nginx/maintenance.conf; }
            }
            """.write(toFile: "\(root)/nginx/nginx.conf", atomically: true, encoding: .utf8)
        let nginx = try ChildProcess("/usr/sbin/nginx", ["-c", "\(root)/nginx/nginx.conf", "-p", "\(root)/nginx"], directory: workspace.directory)
        defer { nginx.stop(signal: SIGQUIT) }
        let base = "http://127.0.0.1:\(port)/"
        #expect(waitUntil(timeout: 10) { httpGet(base)?.status == 200 }, "nginx: \(nginx.stderr)")

        try workspace.write("shop.json5", """
            {
              targets: { shop: { driver: "file", file: { path: "\(root)/flags/shop.flag", page: "\(root)/maintenance/shop.html" },
                                 health: [ { name: "home", url: "\(base)", expect: "[STATUS] == 200 && [BODY] == the shop" } ] } },
              windows: { w: { targets: ["shop"], headline: "Back soon <3", message: "Upgrading the shop.", start: "+2s", duration: "3s",
                              page: { bypassUrl: "https://status.example.com", buttonText: "Status page", icon: "fas fa-tools" } } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["active"], timeout: 15) == "active")
        let during = try #require(httpGet(base))
        #expect(during.status == 503)
        #expect(during.text.contains("<h1>Back soon &lt;3</h1>"))
        #expect(during.text.contains("href=\"https://status.example.com\""))
        #expect(httpGet(base, headers: [("Cookie", "admin_bypass=let-me-in")])?.status == 200)
        let headers = try #require(try? curlHeaders(base))
        #expect(headers.contains("retry-after: 300"))

        #expect(try workspace.waitForWindow("w", in: ["completed", "degraded", "failed"], timeout: 30) == "completed", "\(daemon.stderr)")
        #expect(httpGet(base)?.status == 200)
        #expect(!FileManager.default.fileExists(atPath: "\(root)/flags/shop.flag"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/maintenance/shop.html"))
    }

    /// The window's fields reach the program in MAINT_* variables, never its command line.
    @Test func theCommandDriverRunsProgramsWithoutAShell() throws {
        let workspace = try Workspace()
        let root = workspace.directory.path
        let hostile = "Back at 5 $(touch \(root)/pwned); `touch \(root)/pwned2` \"quoted\""
        try workspace.write("app.json5", """
            {
              targets: {
                app: { driver: "command",
                       activate: { argv: ["/bin/sh", "-c", "printf '%s|%s|%s' \\"$MAINT_MESSAGE\\" \\"$MAINT_ACTION\\" \\"$MAINT_WINDOW_ID\\" > \(root)/down; echo activated >&2"] },
                       deactivate: { argv: ["/bin/rm", "\(root)/down"] } },
                broken: { driver: "command",
                          activate: { argv: ["/bin/sh", "-c", "echo 'Database is locked' >&2; exit 3"], retries: 1 },
                          deactivate: { argv: ["/bin/true"] } },
                slow: { driver: "command",
                        activate: { argv: ["/bin/sleep", "30"], timeout: "1s", retries: 0 },
                        deactivate: { argv: ["/bin/true"] } },
              },
            }
            """)
        let now = try workspace.maint(["now", "app", "broken", "slow", "--message", hostile])
        #expect(now.status == 1, "\(now.stdout) \(now.stderr)")
        let written = try String(contentsOfFile: "\(root)/down", encoding: .utf8)
        #expect(written.hasPrefix(hostile + "|activate|now-"))
        #expect(!FileManager.default.fileExists(atPath: "\(root)/pwned") && !FileManager.default.fileExists(atPath: "\(root)/pwned2"))
        #expect(now.stdout.contains("app  target.activated  in maintenance: exit 0; stderr: activated"))
        #expect(now.stdout.contains("broken  target.failed  could not activate after 2 attempt(s): exit 3; stderr: Database is locked"))
        #expect(now.stdout.contains("slow  target.failed  could not activate after 1 attempt(s): timed out after 1s"))
        let id = try #require(now.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        #expect(try workspace.maint(["end", id]).status == 1)  // the window failed: two targets never switched
        #expect(!FileManager.default.fileExists(atPath: "\(root)/down"))
    }

    /// WordPress's `.maintenance` expires after 600 s: with `rearm` the flag is written again
    /// while the window lasts, with the time of writing in it.
    @Test func rearmRewritesAnExpiringFlag() throws {
        let workspace = try Workspace()
        let root = workspace.directory.path
        try workspace.write("wp.json5", """
            { targets: { blog: { driver: "file", file: { path: "\(root)/.maintenance", content: "<?php $upgrading = {{now.unix}}; ?>", rearm: "1s" } } },
              windows: { w: { targets: ["blog"], start: "+1s", duration: "4500ms" } } }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["active"], timeout: 15) == "active")
        var stamps = Set<String>()
        let deadline = Date().addingTimeInterval(3.5)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: "\(root)/.maintenance", encoding: .utf8) { stamps.insert(text) }
            usleep(100_000)
        }
        #expect(stamps.count >= 3, "\(stamps)")
        #expect(stamps.allSatisfy { $0.hasPrefix("<?php $upgrading = 1") && $0.hasSuffix("; ?>") })
        #expect(try workspace.waitForWindow("w", in: ["completed", "degraded", "failed"], timeout: 20) == "completed")
        #expect(!FileManager.default.fileExists(atPath: "\(root)/.maintenance"))
    }

    /// `maint validate` keeps window fields out of argv.
    @Test func argvTakesNoWindowFields() throws {
        let workspace = try Workspace()
        try workspace.write("app.json5", """
            { targets: { app: { driver: "command", activate: { argv: ["artisan", "down", "--message={{message}}"] }, deactivate: { argv: ["artisan", "up"] } } } }
            """)
        let result = try workspace.maint(["validate"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("targets.app.activate.argv[2]: unknown placeholder \"{{message}}\""))
        #expect(result.stderr.contains("MAINT_* environment variables"))
    }
}

/// Response headers, lower-cased, from the curl command line (the pool keeps only bodies).
func curlHeaders(_ url: String) throws -> String {
    let curl = Process()
    curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    curl.arguments = ["-s", "-o", "/dev/null", "-D", "-", url]
    let output = Pipe()
    curl.standardOutput = output
    try curl.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    curl.waitUntilExit()
    return String(decoding: data, as: UTF8.self).lowercased()
}

@Suite(.serialized)
struct HAProxyDriverTests {
    /// An admin runtime socket in `root`, a backend `be_shop` with the servers, and a frontend if asked.
    func haproxyConfig(root: String, frontendPort: Int?, servers: [(String, Int)]) -> String {
        var lines = ["global", "  stats socket \(root)/haproxy.sock mode 600 level admin",
                     "defaults", "  mode http", "  timeout connect 2s", "  timeout client 5s", "  timeout server 5s"]
        if let frontendPort { lines += ["frontend fe", "  bind 127.0.0.1:\(frontendPort)", "  default_backend be_shop"] }
        lines.append("backend be_shop")
        lines += servers.map { "  server \($0.0) 127.0.0.1:\($0.1)" }
        // HAProxy refuses a configuration whose last line has no line feed.
        return lines.joined(separator: "\n") + "\n"
    }

    /// The servers' administrative state as HAProxy reports it, read with Python's socket module.
    func adminStates(_ socket: String) throws -> [String: Int] {
        let python = try ChildProcess("/usr/bin/python3", ["-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"show servers state\\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
            print(data.decode())
            """, socket], directory: URL(fileURLWithPath: (socket as NSString).deletingLastPathComponent))
        python.process.waitUntilExit()
        var columns: [String] = []
        var states: [String: Int] = [:]
        for line in python.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if line.hasPrefix("# ") { columns = Array(fields.dropFirst()); continue }
            guard let b = columns.firstIndex(of: "be_name"), let s = columns.firstIndex(of: "srv_name"),
                  let a = columns.firstIndex(of: "srv_admin_state"), fields.count > a else { continue }
            states["\(fields[b])/\(fields[s])"] = Int(fields[a])
        }
        return states
    }

    @Test func serversGoIntoMaintenanceThroughTheRuntimeSocketAndBack() throws {
        let workspace = try Workspace()
        let root = workspace.directory.path
        let sites = try (1...2).map { try DemoSite(name: "web\($0)", directory: workspace.directory) }
        let port = try freePort()
        try haproxyConfig(root: root, frontendPort: port, servers: [("web1", sites[0].port), ("web2", sites[1].port)])
            .write(toFile: "\(root)/haproxy.cfg", atomically: true, encoding: .utf8)
        let haproxy = try ChildProcess("/usr/sbin/haproxy", ["-f", "\(root)/haproxy.cfg", "-db"], directory: workspace.directory)
        defer { haproxy.stop() }
        let front = "http://127.0.0.1:\(port)/"
        #expect(waitUntil(timeout: 10) { httpGet(front)?.status == 200 }, "haproxy: \(haproxy.stderr)")
        try workspace.write("lb.json5", """
            {
              targets: { lb: { driver: "haproxy", haproxy: { socket: "\(root)/haproxy.sock", servers: ["be_shop/web1", "be_shop/web2"] },
                               health: [ { name: "front", url: "\(front)", expect: "[STATUS] == 200" } ] } },
              windows: { w: { targets: ["lb"], start: "+2s", duration: "3s" } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["active"], timeout: 15) == "active", "\(daemon.stderr)")
        let during = try adminStates("\(root)/haproxy.sock")
        #expect(during["be_shop/web1"].map { $0 & 0x01 != 0 } == true, "\(during)")
        #expect(during["be_shop/web2"].map { $0 & 0x01 != 0 } == true, "\(during)")
        #expect(httpGet(front)?.status == 503)
        #expect(try workspace.waitForWindow("w", in: ["completed", "degraded", "failed"], timeout: 30) == "completed", "\(daemon.stderr)")
        let after = try adminStates("\(root)/haproxy.sock")
        #expect(after["be_shop/web1"] == 0 && after["be_shop/web2"] == 0, "\(after)")
        #expect(httpGet(front)?.status == 200)
    }

    @Test func anUnknownServerFailsWithHAProxysOwnWords() throws {
        let workspace = try Workspace()
        let root = workspace.directory.path
        try haproxyConfig(root: root, frontendPort: nil, servers: [("web1", 9)]).write(toFile: "\(root)/haproxy.cfg", atomically: true, encoding: .utf8)
        let haproxy = try ChildProcess("/usr/sbin/haproxy", ["-f", "\(root)/haproxy.cfg", "-db"], directory: workspace.directory)
        defer { haproxy.stop() }
        #expect(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: "\(root)/haproxy.sock") })
        try workspace.write("lb.json5", """
            { targets: { lb: { driver: "haproxy", haproxy: { socket: "\(root)/haproxy.sock", servers: ["be_shop/web9"] } } } }
            """)
        let now = try workspace.maint(["now", "lb", "--message", "x"])
        #expect(now.status == 1)
        #expect(now.stdout.contains("HAProxy: No such server"), "\(now.stdout)")
    }
}

@Suite(.serialized)
struct AlertmanagerDriverTests {
    func silences(_ base: String) throws -> [[String: Any]] {
        let response = try #require(httpGet("\(base)/api/v2/silences"))
        return (try JSONSerialization.jsonObject(with: response.body) as? [[String: Any]]) ?? []
    }

    @Test func aSilenceCoversTheWindowFollowsExtendAndIsExpiredAtTheEnd() throws {
        let workspace = try Workspace()
        let root = workspace.directory.path
        try FileManager.default.createDirectory(atPath: "\(root)/am", withIntermediateDirectories: true)
        try "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n".write(toFile: "\(root)/am/am.yml", atomically: true, encoding: .utf8)
        let port = try freePort()
        let alertmanager = try ChildProcess("/usr/bin/prometheus-alertmanager", [
            "--config.file=\(root)/am/am.yml", "--storage.path=\(root)/am", "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
        ], directory: workspace.directory)
        defer { alertmanager.stop() }
        let base = "http://127.0.0.1:\(port)"
        #expect(waitUntil(timeout: 20) { httpGet("\(base)/-/ready")?.status == 200 }, "alertmanager: \(alertmanager.stderr)")
        try workspace.write("am.json5", """
            { targets: { shop: { driver: "alertmanager", alertmanager: { url: "\(base)", matchers: ["instance=shop-eu:443", "job=~node|blackbox"] } } },
              windows: { w: { targets: ["shop"], headline: "Database upgrade", start: "+2s", duration: "6s" } } }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["active"], timeout: 15) == "active", "\(daemon.stderr)")
        let active = try silences(base).filter { ($0["status"] as? [String: Any])?["state"] as? String == "active" }
        #expect(active.count == 1)
        let silence = try #require(active.first)
        #expect(silence["comment"] as? String == "Database upgrade (maint window w)")
        #expect(silence["createdBy"] as? String == "maint")
        let matchers = (silence["matchers"] as? [[String: Any]] ?? []).map { "\($0["name"] as? String ?? "")|\($0["value"] as? String ?? "")|\($0["isRegex"] as? Bool ?? false)" }
        #expect(matchers.sorted() == ["instance|shop-eu:443|false", "job|node|blackbox|true"])
        let window = try workspace.window("w")
        #expect(rfc3339(silence["endsAt"]).map { abs($0.timeIntervalSince(rfc3339(window["end"]) ?? .distantPast)) < 1 } == true)

        // Extended by a minute: the silence's end follows.
        #expect(try workspace.maint(["extend", "w", "--by", "1m"]).status == 0)
        #expect(waitUntil(timeout: 10) {
            let newEnd = rfc3339((try? workspace.window("w"))?["end"])
            return ((try? silences(base)) ?? []).contains { ($0["status"] as? [String: Any])?["state"] as? String == "active"
                && rfc3339($0["endsAt"]).map { end in newEnd.map { abs(end.timeIntervalSince($0)) < 1 } ?? false } == true }
        })
        #expect(try workspace.maint(["end", "w"]).status == 0)
        #expect(try silences(base).allSatisfy { ($0["status"] as? [String: Any])?["state"] as? String == "expired" })
    }
}

@Suite(.serialized)
struct CheckCommandTests {
    /// `maint check` runs the checks now: a plain site, and an https one whose certificate
    /// (made for the test, valid two days) is read back by [CERTIFICATE_EXPIRATION].
    @Test func checksRunOnDemandIncludingCertificateExpiry() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "shop", directory: workspace.directory)
        let smtp = try SMTPServer(workspace: workspace)  // makes cert.pem and key.pem for 127.0.0.1
        smtp.child.stop(signal: SIGKILL)
        let root = workspace.directory.path
        let tls = try ChildProcess("/usr/bin/python3", ["-c", """
            import http.server, ssl, socket, sys
            server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); context.load_cert_chain(sys.argv[1], sys.argv[2])
            server.socket = context.wrap_socket(server.socket, server_side=True)
            print("listening on %d" % server.server_address[1], flush=True)
            server.serve_forever()
            """, "\(root)/cert.pem", "\(root)/key.pem"], directory: workspace.directory)
        defer { tls.stop(signal: SIGKILL) }
        let port = try tls.listeningPort()
        try workspace.write("sites.json5", """
            {
              targets: {
                \(site.target(tags: ["web"]))
                secure: { driver: "file", file: { path: "\(root)/flag" }, tags: ["web"],
                          health: [ { name: "tls", url: "https://127.0.0.1:\(port)/", caFile: "\(root)/cert.pem",
                                      expect: "[STATUS] == 200 && [CERTIFICATE_EXPIRATION] > 24h" },
                                    { name: "long-lived", url: "https://127.0.0.1:\(port)/", caFile: "\(root)/cert.pem",
                                      expect: "[CERTIFICATE_EXPIRATION] > 30d" } ] },
              },
            }
            """)
        let result = try workspace.maint(["check", "tag:web", "--json"])
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let targets = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let shop = try #require(targets.first { $0["target"] as? String == "shop" })
        #expect(shop["ok"] as? Bool == true)
        let secure = try #require(targets.first { $0["target"] as? String == "secure" }?["checks"] as? [[String: Any]])
        #expect(secure.first { $0["check"] as? String == "tls" }?["ok"] as? Bool == true)
        let longLived = try #require(secure.first { $0["check"] as? String == "long-lived" })
        #expect(longLived["ok"] as? Bool == false)
        #expect((longLived["detail"] as? String)?.contains("[CERTIFICATE_EXPIRATION] > 30d (got 1") == true, "\(longLived)")
        #expect(try workspace.maint(["check", "shop"]).status == 0)
        #expect(try workspace.maint(["check", "nowhere"]).status == 65)
    }
}

@Suite(.serialized)
struct DriftTests {
    /// An admin switches the site out of maintenance by hand, someone deletes a flag: the daemon
    /// notices on its next probe, records it, and switches them back. `maint status` shows both states.
    @Test func targetsThatDriftOutOfMaintenanceAreSwitchedBack() throws {
        let workspace = try Workspace()
        let root = workspace.directory.path
        let site = try DemoSite(name: "shop", directory: workspace.directory)
        let probe = """
            probe: { url: "\(site.base)/admin/api/maintenance", headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" }, expect: "[BODY].enabled == true" },
            probeInterval: "1s",
            """
        try workspace.write("shop.json5", """
            {
              targets: {
                \(site.target(tags: ["x"]).replacingOccurrences(of: "healthTimeout:", with: probe + " healthTimeout:"))
                blog: { driver: "file", file: { path: "\(root)/blog.flag" }, probeInterval: "1s", tags: ["x"] },
              },
              windows: { w: { targets: ["tag:x"], start: "+1s", duration: "8s" } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["active"], timeout: 15) == "active")
        let status = try #require(try workspace.json(["status"]) as? [String: Any])
        let targets = try #require(status["targets"] as? [[String: Any]])
        #expect(targets.allSatisfy { ($0["actual"] as? [String: Any])?["inMaintenance"] as? Bool == true }, "\(targets)")

        _ = site.post("/admin/api/maintenance", json: #"{"enabled": false}"#)
        try FileManager.default.removeItem(atPath: "\(root)/blog.flag")
        #expect(waitUntil(timeout: 5) { site.maintenanceEnabled == true && FileManager.default.fileExists(atPath: "\(root)/blog.flag") })
        let kinds = (try workspace.window("w")["events"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "target.drifted" }
        #expect(Set(kinds.compactMap { $0["target"] as? String }) == ["shop", "blog"])
        #expect(try workspace.waitForWindow("w", in: ["completed", "degraded", "failed"], timeout: 30) == "completed", "\(daemon.stderr)")
        let after = try #require(try workspace.json(["status"]) as? [String: Any])["targets"] as? [[String: Any]]
        #expect(after?.allSatisfy { ($0["actual"] as? [String: Any])?["inMaintenance"] as? Bool == false } == true)
    }
}

@Suite(.serialized)
struct HealthFailureTests {
    /// Still unhealthy at the health timeout: back into maintenance, with a `failure`. Fixed, then
    /// `maint done`: the window ends by itself once the checks pass.
    @Test func reactivateOnHealthFailureThenDoneEndsWhenHealthy() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "shop", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory)
        _ = site.post("/admin/api/faults", json: #"{"unhealthy": true}"#)
        try workspace.write("shop.json5", """
            {
              targets: {
                shop: { driver: "http",
                        activate: { url: "\(site.base)/admin/api/maintenance", headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" }, json: { enabled: true, message: "{{message}}" } },
                        deactivate: { url: "\(site.base)/admin/api/maintenance", headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" }, json: { enabled: false } },
                        health: [ { name: "api", url: "\(site.base)/health", headers: { Authorization: "Bearer {{secret:SITE_TOKEN}}" },
                                    expect: "[BODY].status == ok", interval: "500ms" } ],
                        healthTimeout: "2s" },
              },
              channels: { \(receiver.channel) },
              windows: { w: { targets: ["shop"], start: "+1s", duration: "2s", onHealthFailure: "reactivate", channels: ["ops"] } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        // On, off, unhealthy for 2 s, then on again: the window is active with no end.
        #expect(waitUntil(timeout: 20) { site.calls.map(\.enabled) == [true, false, true] }, "\(site.calls.map(\.enabled)) \(daemon.stderr)")
        #expect(try workspace.waitForWindow("w", in: ["active"], timeout: 10) == "active")
        #expect(try workspace.window("w")["end"] is NSNull)
        #expect(waitUntil(timeout: 10) { receiver.received.contains { $0.event == "failure" } })
        let failure = try #require(receiver.received.first { $0.event == "failure" }?.body["data"] as? [String: Any])
        #expect((failure["failure"] as? [String: Any])?["action"] as? String == "health")
        #expect(((failure["failure"] as? [String: Any])?["next"] as? String)?.contains("maint done w") == true)

        // Fixed: `maint done` waits for the checks (which get through maintenance), then ends it.
        _ = site.post("/admin/api/faults", json: #"{"unhealthy": false}"#)
        let done = try workspace.maint(["done", "w"])
        #expect(done.status == 0, "\(done.stdout) \(done.stderr)")
        #expect(done.stdout.contains("window.healthy") && done.stdout.contains("w: completed"))
        #expect(site.calls.map(\.enabled) == [true, false, true, false])
        #expect(site.maintenanceEnabled == false)
    }

    /// `basicAuth` on a request: libcurl sends the user and the password (a secret); a site
    /// that refuses them fails the switch with its own status.
    @Test func basicAuthenticationIsSentByLibcurl() throws {
        let workspace = try Workspace()
        // A site that wants basic auth (admin:s3cret) and says what it was sent.
        let site = try ChildProcess("/usr/bin/python3", ["-c", """
            import base64, http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    good = self.headers.get("Authorization") == "Basic " + base64.b64encode(b"admin:s3cret").decode()
                    self.send_response(200 if good else 401); self.end_headers()
                    print("auth", "good" if good else "bad", flush=True)
                do_DELETE = do_POST
                def log_message(self, *args): pass
            server = http.server.HTTPServer(("127.0.0.1", 0), H)
            print("listening on", server.server_address[1], flush=True)
            server.serve_forever()
            """], directory: workspace.directory)
        // SIGKILL: a plain Python server may have inherited SIGTERM ignored.
        defer { site.stop(signal: SIGKILL) }
        let port = try site.listeningPort()
        try workspace.write("auth.json5", """
            { targets: {
                good: { driver: "http", activate: { url: "http://127.0.0.1:\(port)/manage/maintenance", basicAuth: { user: "admin", password: "{{secret:MGMT_PASSWORD}}" }, retries: 0 },
                        deactivate: { method: "DELETE", url: "http://127.0.0.1:\(port)/manage/maintenance", basicAuth: { user: "admin", password: "{{secret:MGMT_PASSWORD}}" } } },
                bad: { driver: "http", activate: { url: "http://127.0.0.1:\(port)/manage/maintenance", basicAuth: { user: "admin", password: "wrong" }, retries: 0 },
                       deactivate: { url: "http://127.0.0.1:\(port)/manage/maintenance", retries: 0 } },
            } }
            """)
        let good = try workspace.maint(["now", "good", "--message", "x", "--for", "1h"], environment: ["MGMT_PASSWORD": "s3cret"])
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        #expect(site.stdout.contains("auth good"))
        let bad = try workspace.maint(["now", "bad", "--message", "x", "--for", "1h"])
        #expect(bad.status == 1 && bad.stdout.contains("HTTP 401"), "\(bad.stdout)")
        let log = try workspace.maint(["log", "--json"]).stdout
        #expect(!good.stdout.contains("s3cret") && !log.contains("s3cret"), "the password is a secret")
    }
}
