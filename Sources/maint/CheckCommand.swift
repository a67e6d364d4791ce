import MaintControl
import Foundation
import MaintCore
import MaintEngine

/// `maint check TARGET…`: runs the targets' health checks now.
enum CheckCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard !session.arguments.positionals.isEmpty else { throw Failure(.usage, "name at least one TARGET (a name or tag:NAME)") }
        let (engine, _, _) = try WindowCommands.prepare(session)
        let results = try WindowCommands.refusing { try engine.checkNow(session.arguments.positionals, now: Date()) }
        let allPassed = results.allSatisfy { $0.results.allSatisfy(\.ok) }
        if session.json {
            printJSON(.array(results.map { target in
                .object(["target": .string(target.target), "ok": .bool(target.results.allSatisfy(\.ok)),
                         "checks": .array(target.results.map { check in
                             .object(["check": .string(check.check), "ok": .bool(check.ok), "detail": .string(check.detail),
                                      "status": check.status.map { .number(Double($0)) } ?? .null,
                                      "responseTimeMs": check.responseTimeMs.map { .number(Double($0)) } ?? .null])
                         })])
            }))
            return allPassed ? .success : .partialFailure
        }
        var table = Table(headers: ["TARGET", "CHECK", "RESULT", "STATUS", "TIME", "DETAIL"])
        for target in results {
            if target.results.isEmpty { table.rows.append([target.target, "-", "no checks", "-", "-", "-"]) }
            for check in target.results {
                table.rows.append([target.target, check.check, check.ok ? "ok" : "FAIL", check.status.map(String.init) ?? "-",
                                   check.responseTimeMs.map { "\($0) ms" } ?? "-", check.detail])
            }
        }
        print(table.render())
        return allPassed ? .success : .partialFailure
    }
}
