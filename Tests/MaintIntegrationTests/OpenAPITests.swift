import Foundation
import MaintCore
import MaintFuzz
import MaintNet
import Testing

/// docs/openapi.json is valid OpenAPI 3.1, and the daemon's real answers match its schemas.
@Suite(.serialized)
struct OpenAPITests {
    static let document = Repository.root.appendingPathComponent("docs/openapi.json").path
    static let validator = Repository.root.appendingPathComponent("Tests/Support/validate_openapi.py").path

    @Test func theDocumentIsValidOpenAPI() throws {
        #expect(try LineFilter.run(["/usr/bin/env", "python3", Self.validator, Self.document, "--check"], lines: []) == ["ok"])
    }

    @Test func everyAnswerMatchesItsSchema() throws {
        let (workspace, site, receiver) = try siteSetup()
        try workspace.write("shop.json5", scheduleText([site], receiver: receiver,
                                                       windows: #""later": { targets: ["site"], start: "+2d", duration: "1h", notices: ["1h"] },"#))
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        let socket = workspace.database + ".sock"
        func ask(_ method: String, _ path: String, _ body: String? = nil, prefer: String? = nil) throws -> JSONValue {
            var request = HTTPRequest(method: method, url: "http://localhost" + path,
                                      headers: [(name: "Content-Type", value: "application/json")] + (prefer.map { [(name: "Prefer", value: $0)] } ?? []),
                                      body: body.map { Data($0.utf8) } ?? (method == "POST" ? Data() : nil))
            request.unixSocket = socket
            return try JSONValue.parseJSON(try #require(TransferPool().perform([request]).first).get().body)
        }
        let created = try ask("POST", "/v1/windows/now", #"{"targets": "site", "message": "checking the schema", "duration": "1h"}"#)
        let id = try #require(created["id"]?.stringValue)
        #expect(waitUntil(timeout: 20) { (try? ask("GET", "/v1/windows/\(id)"))?["state"] == .string("active") })
        var answers: [(schema: String, document: JSONValue)] = [
            ("WindowDetail", created),
            ("Status", try ask("GET", "/v1/status")),
            ("WindowList", try ask("GET", "/v1/windows?all=1")),
            ("WindowList", try ask("GET", "/v1/windows?to=%2B30d&limit=1")),
            ("WindowDetail", try ask("GET", "/v1/windows/later")),
            ("WindowDetail", try ask("POST", "/v1/windows/\(id)/extend", #"{"by": "10m"}"#)),
            ("WindowDetail", try ask("POST", "/v1/windows/\(id)/update", #"{"message": "almost there"}"#)),
            ("WindowMinimal", try ask("POST", "/v1/windows/\(id)/extend", #"{"by": "10m"}"#, prefer: "return=minimal")),
            ("Plan", try ask("GET", "/v1/plan?targets=site&duration=1h&within=3d")),
            ("CheckResults", try ask("POST", "/v1/targets/site/check")),
            ("Reload", try ask("POST", "/v1/reload")),
            ("Error", try ask("POST", "/v1/windows", #"{"targets": 1, "start": "soon"}"#)),
            ("Error", try ask("GET", "/v1/windows/nope")),
            ("Error", try ask("POST", "/v1/windows/later/end")),
        ]
        let events = try ask("GET", "/v1/events?window=\(id)")
        answers += (events.arrayValue ?? []).map { ("Event", $0) }
        let ended = try ask("POST", "/v1/windows/\(id)/end")
        answers.append(("WindowDetail", ended))
        #expect(waitUntil(timeout: 20) { (try? ask("GET", "/v1/windows/\(id)"))?["state"] == .string("completed") })
        answers.append(("WindowDetail", try ask("GET", "/v1/windows/\(id)")))
        for delivery in try ask("GET", "/v1/windows/\(id)")["deliveries"]?.arrayValue ?? [] {
            if let deliveryId = delivery["id"]?.stringValue { answers.append(("Delivery", try ask("GET", "/v1/deliveries/\(deliveryId)"))) }
        }
        let lines = answers.map { JSONValue.object(["schema": .string($0.schema), "document": $0.document]).serialized() }
        let verdicts = try LineFilter.run(["/usr/bin/env", "python3", Self.validator, Self.document], lines: lines)
        #expect(verdicts.count == answers.count)
        for (answer, verdict) in zip(answers, verdicts) {
            #expect(verdict == "ok", "\(answer.schema): \(verdict)\n\(answer.document.serialized())")
        }
    }
}
