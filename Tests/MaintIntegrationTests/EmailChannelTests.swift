import Foundation
import MaintCore
import Testing

/// A real SMTP server (aiosmtpd from Debian) that requires STARTTLS and AUTH, with a certificate
/// made by openssl for the test; the messages are read back with Python's email package.
final class SMTPServer: @unchecked Sendable {
    let child: ChildProcess
    let port: Int
    let directory: URL
    let certificate: String

    init(workspace: Workspace) throws {
        directory = workspace.directory.appendingPathComponent("mail")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificate = workspace.directory.appendingPathComponent("cert.pem").path
        let key = workspace.directory.appendingPathComponent("key.pem").path
        let openssl = try ChildProcess("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                                                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], directory: workspace.directory)
        openssl.process.waitUntilExit()
        guard openssl.process.terminationStatus == 0 else { throw FixtureError("openssl: \(openssl.stderr)") }
        child = try ChildProcess("/usr/bin/python3", [Repository.root.appendingPathComponent("Tests/Support/smtp_server.py").path,
                                                      "--dir", directory.path, "--cert", certificate, "--key", key,
                                                      "--user", "maint", "--password", "smtp-pass-123"], directory: workspace.directory)
        port = try child.listeningPort()
    }

    var count: Int { ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".eml") }.count }

    /// The stored messages, as Tests/Support/mail_reader.py reads them.
    func messages() throws -> [[String: Any]] {
        let reader = try ChildProcess("/usr/bin/env", ["python3", Repository.root.appendingPathComponent("Tests/Support/mail_reader.py").path, directory.path],
                                      directory: directory.deletingLastPathComponent())
        reader.process.waitUntilExit()
        guard reader.process.terminationStatus == 0 else { throw FixtureError("mail_reader: \(reader.stderr)") }
        return (try JSONSerialization.jsonObject(with: Data(reader.stdout.utf8)) as? [[String: Any]]) ?? []
    }

    func channel(password: String = "{{secret:SMTP_PASSWORD}}", attempts: Int = 8) -> String {
        """
        mail: { type: "email", smtp: "smtp://127.0.0.1:\(port)", starttls: "required", user: "maint", password: "\(password)",
                caFile: "\(certificate)", from: "Équipe Ops <ops@example.com>", to: ["alice@example.com", "Bob <bob@example.org>"],
                events: ["scheduled", "notice", "start", "end"], timezone: "Europe/Paris", attempts: \(attempts) },
        """
    }
}

@Suite(.serialized)
struct EmailChannelTests {
    @Test func announcementsArriveAsProperMIMEMessagesOverSTARTTLSWithAuth() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "shop", directory: workspace.directory)
        let smtp = try SMTPServer(workspace: workspace)
        try workspace.write("shop.json5", """
            {
              targets: { \(site.target(tags: ["shop"])) },
              channels: { \(smtp.channel()) },
              windows: { w: { targets: ["shop"], headline: "Maintenance planifiée — base de données", message: "Retour à {{end.local}}.",
                              start: "+4s", duration: "2s", notices: ["2s"], channels: ["mail"], timezone: "Europe/Paris" } },
            }
            """)
        var environment = workspace.environment
        environment["SMTP_PASSWORD"] = "smtp-pass-123"
        let daemon = try ChildProcess(Repository.binary, ["daemon"], environment: environment, directory: workspace.directory)
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["completed"], timeout: 40) == "completed", "\(daemon.stderr)")
        #expect(waitUntil(timeout: 20) { smtp.count == 4 }, "\(daemon.stderr)")

        let messages = try smtp.messages()
        try #require(messages.compactMap { $0["event"] as? String } == ["scheduled", "notice", "start", "end"])
        let deliveries = try #require(try workspace.window("w")["deliveries"] as? [[String: Any]])
        for (message, delivery) in zip(messages, deliveries) {
            let envelope = try #require(message["envelope"] as? [String: Any])
            // One transaction, both recipients, over TLS, authenticated.
            #expect(envelope["to"] as? [String] == ["alice@example.com", "bob@example.org"])
            #expect(envelope["from"] as? String == "ops@example.com")
            #expect(envelope["tls"] as? Bool == true && envelope["authenticated"] as? Bool == true)
            #expect(message["from"] as? String == "Équipe Ops <ops@example.com>")
            #expect(message["to"] as? String == "alice@example.com, Bob <bob@example.org>")
            #expect((message["rawSubject"] as? String)?.hasPrefix("=?UTF-8?B?") == true)
            #expect(message["autoSubmitted"] as? String == "auto-generated")
            // The Message-ID is the delivery's id, the same on any retry.
            #expect(message["messageId"] as? String == "<\(delivery["id"] as? String ?? "")@example.com>")
            let parts = message["parts"] as? [String] ?? []
            #expect(parts.contains("multipart/alternative") && parts.contains("text/plain") && parts.contains("text/html"))
            #expect((message["html"] as? String)?.contains("<h1") == true)
        }
        let firstText: String = messages[0]["text"] as? String ?? ""
        let when: String = firstText.components(separatedBy: "When: ").dropFirst().first?.components(separatedBy: " to ").first ?? "?"
        #expect(messages[0]["subject"] as? String == "Maintenance planifiée — base de données on " + when)
        let text = try #require(messages[0]["text"] as? String)
        #expect(text.contains("Retour à ") && (text.contains(" CET (+01:00)") || text.contains(" CEST (+02:00)")))
        #expect((messages[1]["subject"] as? String)?.hasPrefix("Reminder: maintenance in 2s: ") == true)
        #expect((messages[3]["text"] as? String)?.contains("- shop: healthy (home: ok; api: ok)") == true)

        // Planned-window messages carry an invitation with the export's UID; start and end do not.
        let export = try workspace.maint(["export", "--ics"]).stdout
        for message in messages.prefix(2) {
            let calendar = try #require(message["calendar"] as? [String: Any])
            #expect(calendar["method"] as? String == "PUBLISH")
            #expect(calendar["uid"] as? String == "w@maint")
            #expect(export.contains("UID:w@maint"))
        }
        #expect(messages[2]["calendar"] is NSNull && messages[3]["calendar"] is NSNull)
    }

    @Test func aDeadDeliveryIsShownAndSentAgainWithTheSameMessageId() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "shop", directory: workspace.directory)
        let smtp = try SMTPServer(workspace: workspace)
        try workspace.write("shop.json5", """
            {
              targets: { \(site.target(tags: ["shop"])) },
              channels: { \(smtp.channel(attempts: 2)) },
            }
            """)
        var environment = workspace.environment
        environment["SMTP_PASSWORD"] = "wrong-password"
        _ = try workspace.add(["shop", "--at", "+1h", "--for", "1h", "--channel", "mail"])
        let daemon = try ChildProcess(Repository.binary, ["daemon"], environment: environment, directory: workspace.directory)
        let status = { () throws -> [String: Any] in try #require(try workspace.json(["status"]) as? [String: Any]) }
        #expect(waitUntil(timeout: 30) { ((try? status())?["deadDeliveries"] as? [[String: Any]])?.count == 1 }, "\(daemon.stderr)")
        daemon.stop()
        let dead = try #require((try status()["deadDeliveries"] as? [[String: Any]])?.first)
        #expect((dead["lastError"] as? String)?.isEmpty == false)
        #expect(dead["attempts"] as? Int == 2)
        #expect(!(try workspace.maint(["status"]).stdout).contains("wrong-password"))
        #expect(smtp.count == 0)

        // With the right password, `maint retry` sends it (no daemon: the command does it).
        let id = try #require(dead["id"] as? String)
        environment["SMTP_PASSWORD"] = "smtp-pass-123"
        let retry = try ChildProcess(Repository.binary, ["retry", id], environment: environment, directory: workspace.directory)
        retry.process.waitUntilExit()
        #expect(retry.process.terminationStatus == 0, "\(retry.stdout) \(retry.stderr)")
        #expect(smtp.count == 1)
        #expect(try smtp.messages().first?["messageId"] as? String == "<\(id)@example.com>")
        #expect(((try status()["deadDeliveries"]) as? [[String: Any]])?.isEmpty == true)
    }
}

@Suite(.serialized)
struct DeliveryRestartTests {
    /// The daemon is killed three times while announcements are being refused and retried: in the
    /// end every one has arrived, and any that arrived twice came with the same id.
    @Test func killingTheDaemonWhileDeliveringLosesNothingAndDuplicatesKeepTheirId() throws {
        let workspace = try Workspace()
        let site = try DemoSite(name: "shop", directory: workspace.directory)
        let receiver = try WebhookReceiver(directory: workspace.directory, failFirst: 3)
        try workspace.write("shop.json5", """
            {
              targets: { \(site.target(tags: ["x"])) },
              channels: { \(receiver.channel) },
              windows: { w: { targets: ["shop"], start: "+2s", duration: "3s", notices: ["1s"], channels: ["ops"] } },
            }
            """)
        for _ in 0..<3 {
            let daemon = try workspace.daemon()
            Thread.sleep(forTimeInterval: 1.5)
            daemon.stop(signal: SIGKILL)
        }
        let daemon = try workspace.daemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["completed"], timeout: 40) == "completed", "\(daemon.stderr)")
        #expect(waitUntil(timeout: 40) { Set(receiver.received.filter { $0.answered == 200 }.map(\.event)).isSuperset(of: ["scheduled", "start", "end"]) })
        let accepted = receiver.received.filter { $0.answered == 200 }
        for event in Set(accepted.map(\.event)) {
            #expect(Set(accepted.filter { $0.event == event }.map(\.id)).count == 1, "\(event) arrived under two ids")
        }
        let deliveries = try #require(try workspace.window("w")["deliveries"] as? [[String: Any]])
        #expect(deliveries.allSatisfy { $0["state"] as? String == "delivered" })
        #expect(Set(deliveries.compactMap { $0["id"] as? String }) == Set(accepted.map(\.id)))
    }
}
