import Foundation
import MaintCore
import MaintStore
import Testing

/// The writing connection keeps the target rows it read (`keepsTargetRows`): every read gives
/// what a connection that keeps nothing would read, whatever was written, rolled back or
/// written by another connection in between.
struct TargetRowCacheTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID().uuidString)/maint.db").path

    static func window(_ id: String, targets: Int) -> (WindowRecord, [String]) {
        (WindowRecord(id: id, origin: .cli, sourceFile: nil, headline: "H", message: "M", page: PageFields(), selectors: [], channels: [],
                      timezone: "UTC", startAt: 0, endAt: 10, healthTimeoutMilliseconds: nil, state: .activating, fingerprint: nil,
                      createdAt: 0, updatedAt: 0),
         (0..<targets).map { "t\($0)" })
    }

    /// A store that keeps its rows, one that keeps nothing on the same file, and the window `w`
    /// with three targets, read once by the first so that it is kept.
    func stores() throws -> (keeping: MaintenanceStore, plain: MaintenanceStore) {
        let keeping = try MaintenanceStore(path: path)
        keeping.keepsTargetRows = true
        let (window, targets) = Self.window("w", targets: 3)
        try keeping.insertWindow(window, targets: targets, stages: ["t0": 1], notices: [])
        _ = try keeping.targets(of: "w")
        return (keeping, try MaintenanceStore(path: path))
    }

    func expectSame(_ stores: (keeping: MaintenanceStore, plain: MaintenanceStore), _ comment: Comment,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        let kept = try stores.keeping.targets(of: "w")
        #expect(kept == (try stores.plain.targets(of: "w")), comment, sourceLocation: sourceLocation)
        for record in kept {
            #expect(try stores.keeping.target(record.target, of: "w") == record, comment, sourceLocation: sourceLocation)
        }
    }

    func changed(_ record: TargetStateRecord, _ state: TargetState, attempts: Int) -> TargetStateRecord {
        var record = record
        record.state = state
        record.attempts = attempts
        record.nextAttemptAt = 1_000 + Int64(attempts)
        record.lastError = "e\(attempts)"
        return record
    }

    @Test func writesOfItsOwnAreKeptAndTheStageStaysAsRead() throws {
        let stores = try stores()
        let first = try #require(try stores.keeping.targets(of: "w").first)
        #expect(first.target == "t1" && first.stage == 0, "read in stage order")
        var written = changed(first, .active, attempts: 1)
        written.stage = 7  // not a column saveTarget writes
        try stores.keeping.saveTarget(written)
        try expectSame(stores, "a saved row")
        #expect(try stores.keeping.target("t1", of: "w")?.state == .active)
        #expect(try stores.keeping.target("t1", of: "w")?.stage == 0)
        #expect(try stores.keeping.target("nobody", of: "w") == nil)
    }

    @Test func whatARollbackUndidIsNotReadBack() throws {
        let stores = try stores()
        let first = try #require(try stores.keeping.targets(of: "w").first)
        struct Stop: Error {}
        try stores.keeping.transaction {
            try stores.keeping.saveTarget(changed(first, .active, attempts: 1))
            // A savepoint undone inside a transaction that commits.
            _ = try? stores.keeping.transaction {
                try stores.keeping.saveTarget(changed(first, .failed, attempts: 2))
                throw Stop()
            }
        }
        try expectSame(stores, "after a savepoint was undone")
        #expect(try stores.keeping.target("t1", of: "w")?.state == .active)
        _ = try? stores.keeping.transaction {
            try stores.keeping.saveTarget(changed(first, .failed, attempts: 3))
            throw Stop()
        }
        try expectSame(stores, "after a transaction was undone")
        #expect(try stores.keeping.target("t1", of: "w")?.attempts == 1)
    }

    @Test func whatAnotherConnectionWroteIsRead() throws {
        let stores = try stores()
        let first = try #require(try stores.plain.targets(of: "w").first)
        try stores.plain.saveTarget(changed(first, .verifying, attempts: 4))
        try expectSame(stores, "another connection's write")
        #expect(try stores.keeping.target("t1", of: "w")?.state == .verifying)
    }

    /// `data_version` is read once in a transaction (no one else can commit meanwhile): what
    /// another connection wrote between two transactions is still read in the second.
    @Test func whatAnotherConnectionWroteBetweenTransactionsIsRead() throws {
        let stores = try stores()
        let first = try #require(try stores.plain.targets(of: "w").first)
        for attempts in 1...3 {
            try stores.plain.saveTarget(changed(first, .verifying, attempts: attempts))
            try stores.keeping.transaction {
                #expect(try stores.keeping.target("t1", of: "w")?.attempts == attempts)
                try stores.keeping.saveTarget(changed(first, .active, attempts: attempts + 10))
                #expect(try stores.keeping.target("t1", of: "w")?.attempts == attempts + 10)
            }
            try expectSame(stores, "after transaction \(attempts)")
        }
    }

    @Test func aWindowsTargetsRewrittenOrEndedAreReadAgain() throws {
        let stores = try stores()
        let (window, _) = Self.window("w", targets: 0)
        try stores.keeping.replanWindow(window, targets: ["t1", "new"], notices: [])
        try expectSame(stores, "targets rewritten")
        #expect(try stores.keeping.targets(of: "w").map(\.target) == ["new", "t1"])
        let first = try #require(try stores.keeping.targets(of: "w").first)
        try stores.keeping.setWindowState("w", .completed, at: 5)
        // Saved once the window ended (as a late outcome may be): read from the file again.
        try stores.keeping.saveTarget(changed(first, .deactivating, attempts: 1))
        try expectSame(stores, "after the window ended")
    }

    /// Past its limit it lets go of what it kept, and reads stay true.
    @Test func aFleetLargerThanTheLimitIsReadFromTheFile() throws {
        let stores = try stores()
        let (large, targets) = Self.window("large", targets: 20_001)
        try stores.keeping.transaction { try stores.keeping.insertWindow(large, targets: targets, notices: []) }
        #expect(try stores.keeping.targets(of: "large").count == 20_001)
        let some = try #require(try stores.keeping.target("t5", of: "large"))
        try stores.keeping.saveTarget(changed(some, .active, attempts: 1))
        #expect(try stores.keeping.target("t5", of: "large") == (try stores.plain.target("t5", of: "large")))
        try expectSame(stores, "w, next to a fleet too large to keep")
    }
}
