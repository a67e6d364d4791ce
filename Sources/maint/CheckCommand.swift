import MaintControl
import Foundation
import MaintCore
import MaintEngine

/// `maint check TARGET…`: runs the targets' health checks now, through the daemon when one runs.
enum CheckCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard !session.arguments.positionals.isEmpty else { throw Failure(.usage, "name at least one TARGET (a name or tag:NAME)") }
        let door = try Door.open(session)
        var results: [JSONValue] = []
        var seen = Set<String>()
        for selector in session.arguments.positionals {
            for target in try door.send("POST", "/v1/targets/\(ControlClient.escape(selector))/check", session: session).arrayValue ?? [] {
                // A target named twice (by name and by tag) is shown once.
                if let name = target["target"]?.stringValue, seen.insert(name).inserted { results.append(target) }
            }
        }
        let allPassed = results.allSatisfy { $0["ok"] == .bool(true) }
        if session.json {
            printJSON(.array(results))
            return allPassed ? .success : .partialFailure
        }
        var table = Table(headers: ["TARGET", "CHECK", "RESULT", "STATUS", "TIME", "DETAIL"])
        for target in results {
            let name = target["target"]?.stringValue ?? "?"
            let checks = target["checks"]?.arrayValue ?? []
            if checks.isEmpty { table.rows.append([name, "-", "no checks", "-", "-", "-"]) }
            for check in checks {
                let number = { (key: String) -> Int? in if case .number(let value)? = check[key] { return Int(value) } else { return nil } }
                table.rows.append([name, check["check"]?.stringValue ?? "?", check["ok"] == .bool(true) ? "ok" : "FAIL",
                                   number("status").map(String.init) ?? "-", number("responseTimeMs").map { "\($0) ms" } ?? "-",
                                   check["detail"]?.stringValue ?? ""])
            }
        }
        print(table.render())
        return allPassed ? .success : .partialFailure
    }
}
