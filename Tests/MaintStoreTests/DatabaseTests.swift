import Foundation
import MaintCore
@testable import MaintStore
import Testing

struct DatabaseTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)/sub/maint.db").path
    }

    @Test func theFileIsPrivateAndConfiguredAsPromised() throws {
        let path = temporaryPath()
        let database = try Database(path: path)
        let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o600)
        #expect(try database.row("PRAGMA journal_mode")?.string(0) == "wal")
        #expect(try database.row("PRAGMA synchronous")?.int(0) == 2)  // FULL
        #expect(try database.row("PRAGMA foreign_keys")?.int(0) == 1)
        #expect(try database.row("PRAGMA user_version")?.int(0) == 12)
    }

    /// A command's connection leaves its write-ahead log when it closes; what it committed is
    /// read from there by the next connection. The daemon's copies the log into the file and
    /// removes it, so that a stopped daemon leaves one file.
    @Test func aCommandLeavesItsLogAndTheDaemonFoldsItIn() throws {
        let path = temporaryPath()
        do {
            let command = try Database(path: path, checkpointsOnClose: false)
            try command.execute("CREATE TABLE note (text TEXT)")
            try command.run("INSERT INTO note VALUES (?)", ["committed by a command"])
        }
        let log = try #require(FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)
        #expect(log.intValue > 0)
        do {
            let daemon = try Database(path: path)
            #expect(try daemon.row("SELECT text FROM note")?.string(0) == "committed by a command")
        }
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let alone = try Database(readingOnly: path)
        #expect(try alone.row("SELECT text FROM note")?.string(0) == "committed by a command")
    }

    @Test func twoConnectionsOpeningANewFileAtOnceBothSucceed() throws {
        let path = temporaryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let results = (0..<4).map { _ in Result { try Database(path: path) } }
        for result in results { #expect((try? result.get()) != nil) }
    }

    @Test func aFailedTransactionWritesNothing() throws {
        let store = try MaintenanceStore(path: temporaryPath())
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try store.transaction {
                try store.appendEvent(at: 1, window: nil, kind: "test", message: "rolled back")
                throw Stop()
            }
        }
        #expect(try store.events(window: nil).isEmpty)
    }

    @Test func windowsTheirTargetsAndDeliveriesRoundTrip() throws {
        let store = try MaintenanceStore(path: temporaryPath())
        let window = WindowRecord(id: "w", origin: .cli, sourceFile: nil, headline: "H", message: "M",
                                  page: PageFields(bypassUrl: "https://s.example", buttonText: "B"), selectors: ["tag:x"],
                                  channels: ["ops"], timezone: "Europe/Paris", startAt: 1000, endAt: 2000,
                                  healthTimeoutMilliseconds: nil, state: .scheduled, fingerprint: nil, createdAt: 1, updatedAt: 1)
        try store.insertWindow(window, targets: ["a", "b"], notices: [NoticeRecord(windowId: "w", offsetMilliseconds: 500, dueAt: 500, state: .pending)])
        #expect(try store.window("w") == window)
        #expect(try store.targets(of: "w").map(\.target) == ["a", "b"])
        #expect(try store.nextDueInstant() == 500)
        try store.enqueue(DeliveryRecord(id: "msg_1", channel: "ops", event: .start, windowId: "w", body: "{}", state: .pending,
                                         attempts: 0, maxAttempts: 3, nextAttemptAt: 10, lastError: nil, createdAt: 1, deliveredAt: nil))
        #expect(try store.dueDeliveries(now: 9).isEmpty)
        #expect(try store.dueDeliveries(now: 10).map(\.id) == ["msg_1"])
        // Every field of every record reads back by its column's name.
        let delivery = DeliveryRecord(id: "msg_2", channel: "ops", event: .end, windowId: "w", body: "{\"a\":1}", state: .dead,
                                      attempts: 3, maxAttempts: 3, nextAttemptAt: 11, lastError: "refused", createdAt: 2, deliveredAt: 12)
        try store.enqueue(delivery)
        #expect(try store.delivery("msg_2") == delivery)
        let target = TargetStateRecord(windowId: "w", target: "b", state: .held, attempts: 2, nextAttemptAt: 7, phaseStartedAt: 3,
                                       activatedAt: 4, deactivatedAt: 5, lastError: "e", health: "[]", stage: 0, driverState: "silence-1")
        try store.saveTarget(target)
        #expect(try store.target("b", of: "w") == target)
        #expect(try store.notices(of: "w") == [NoticeRecord(windowId: "w", offsetMilliseconds: 500, dueAt: 500, state: .pending)])
        let eventId = try store.appendEvent(at: 9, window: "w", target: "a", kind: "target.held", message: "m", detail: "d")
        #expect(try store.events(window: "w").last == EventRecord(id: eventId, at: 9, windowId: "w", target: "a", kind: "target.held", message: "m", detail: "d"))
    }

    /// Schema step 12 rebuilds the events table without AUTOINCREMENT: every event keeps its id
    /// and text, the window's index is there again, and the next event follows the last.
    @Test func eventsKeepTheirIdsWhenTheirTableIsRebuilt() throws {
        let path = temporaryPath()
        do {
            let database = try Database(path: path)
            // The events table as step 11 left it, with an id given and another skipped.
            try database.execute("""
                DROP TABLE events;
                CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, window_id TEXT, target TEXT,
                    kind TEXT NOT NULL, message TEXT NOT NULL, detail TEXT, actor TEXT);
                CREATE INDEX events_window ON events(window_id, id);
                PRAGMA user_version = 11;
                """)
            for id in [1, 2, 3, 7] {
                let target: String? = id == 2 ? nil : "t\(id)"
                let actor: String? = id == 3 ? "ci" : nil
                let values: [any SQLConvertible] = [id, 1_000 + id, "w\(id % 2)", target, "event \(id)", "{\"n\":\(id)}", actor]
                try database.run("INSERT INTO events (id, at, window_id, target, kind, message, detail, actor) VALUES (?, ?, ?, ?, 'k', ?, ?, ?)", values)
            }
        }
        let store = try MaintenanceStore(path: path)
        let database = store.database
        #expect(try database.row("PRAGMA user_version")?.int(0) == 12)
        let rows = try database.rows("SELECT id, at, window_id, target, kind, message, detail, actor FROM events ORDER BY id")
        let kept: [[String?]] = rows.map { (row: Row) -> [String?] in
            let numbers: [String?] = [row.int(0).map { String($0) }, row.int(1).map { String($0) }]
            return numbers + (2...7).map { row.string($0) }
        }
        let written: [[String?]] = [1, 2, 3, 7].map { (id: Int) -> [String?] in
            let target: String? = id == 2 ? nil : "t\(id)"
            let actor: String? = id == 3 ? "ci" : nil
            return [String(id), String(1_000 + id), "w\(id % 2)", target, "k", "event \(id)", "{\"n\":\(id)}", actor]
        }
        #expect(kept == written)
        #expect(try database.row("SELECT count(*) FROM sqlite_sequence WHERE name = 'events'")?.int(0) == 0)
        #expect(try database.row("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'events_window' AND tbl_name = 'events'")?.int(0) == 1)
        #expect(try store.appendEvent(at: 2_000, window: "w1", kind: "k", message: "next") == 8)
        #expect(try store.lastEventId(window: "w1") == 8)
    }
}

/// A row whose state names nothing (a damaged file, or one written by a newer maint) is an error
/// that says so, never read as some default state.
struct StoredValueTests {
    @Test func anUnknownStateInARowIsReportedNotGuessed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)/maint.db").path
        let store = try MaintenanceStore(path: path)
        let window = WindowRecord(id: "w", origin: .cli, sourceFile: nil, headline: "H", message: "M", page: PageFields(), selectors: ["a"],
                                  channels: [], timezone: "UTC", startAt: 1000, endAt: 2000, healthTimeoutMilliseconds: nil,
                                  state: .scheduled, fingerprint: nil, createdAt: 1, updatedAt: 1)
        try store.insertWindow(window, targets: ["a"], notices: [])
        let database = try Database(path: path)
        try database.run("UPDATE windows SET state = 'paused' WHERE id = 'w'")
        let error = #expect(throws: SQLiteError.self) { try store.window("w") }
        #expect(error?.message.contains("unknown WindowState in state: \"paused\"") == true, "\(String(describing: error))")
        // Every state reads back as itself.
        for state in WindowState.allCases {
            try store.setWindowState("w", state, at: 5)
            #expect(try store.window("w")?.state == state)
        }
    }
}

struct NestedTransactionTests {
    @Test func aFailedInnerTransactionUndoesOnlyItsOwnWrites() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nested-\(UUID().uuidString)/maint.db").path
        let store = try MaintenanceStore(path: path)
        struct Stop: Error {}
        try store.transaction {
            try store.appendEvent(at: 1, window: nil, kind: "outer", message: "kept")
            #expect(throws: Stop.self) {
                try store.transaction {
                    try store.appendEvent(at: 2, window: nil, kind: "inner", message: "undone")
                    throw Stop()
                }
            }
            _ = try store.transaction { try store.appendEvent(at: 3, window: nil, kind: "inner", message: "kept too") }
        }
        #expect(try store.events(window: nil).map(\.message) == ["kept", "kept too"])
    }
}

/// A COMMIT that fails (a full disk, an I/O error) must leave the connection as it was: the next
/// transaction works and nothing of the failed one is written. A deferred foreign key makes a
/// COMMIT fail every time, with the transaction still open afterwards, as SQLITE_FULL may.
struct FailedCommitTests {
    func database() throws -> Database {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("commit-\(UUID().uuidString)/maint.db").path
        let database = try Database(path: path)
        try database.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        try database.execute("CREATE TABLE child (parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED, note TEXT)")
        return database
    }

    @Test func theNextTransactionsWorkAfterACommitFails() throws {
        let database = try database()
        for round in 0..<3 {
            #expect(throws: SQLiteError.self) {
                try database.transaction {
                    try database.run("INSERT INTO child VALUES (42, ?)", ["orphan \(round)"])
                }
            }
            #expect(!database.inTransaction)
            try database.transaction {
                try database.run("INSERT INTO parent VALUES (?)", [round])
                // A nested one still gets a valid savepoint name.
                try database.transaction { try database.run("INSERT INTO child VALUES (?, 'kept')", [round]) }
            }
        }
        #expect(try database.row("SELECT count(*) FROM child WHERE note LIKE 'orphan%'")?.int(0) == 0)
        #expect(try database.row("SELECT count(*) FROM child WHERE note = 'kept'")?.int(0) == 3)
    }

    @Test func aFailedOuterCommitUndoesTheInnerOnesToo() throws {
        let database = try database()
        #expect(throws: SQLiteError.self) {
            try database.transaction {
                try database.transaction { try database.run("INSERT INTO parent VALUES (1)") }
                try database.run("INSERT INTO child VALUES (99, 'orphan')")
            }
        }
        #expect(!database.inTransaction)
        #expect(try database.row("SELECT count(*) FROM parent")?.int(0) == 0)
    }
}

/// What a scheduler round reads: only the windows with something due at the instant, whatever
/// else is planned; and the pages and summaries the commands read instead of every window.
struct DueWindowTests {
    static func window(_ id: String, _ state: WindowState, start: Int64, end: Int64?, endWhenHealthy: Bool = false) -> WindowRecord {
        var record = WindowRecord(id: id, origin: .file, sourceFile: "s.json5", headline: "H", message: "M", page: PageFields(), selectors: ["a"],
                                  channels: [], timezone: "UTC", startAt: start, endAt: end, healthTimeoutMilliseconds: nil,
                                  state: state, fingerprint: "f", createdAt: 1, updatedAt: 1, series: id)
        record.endWhenHealthy = endWhenHealthy
        return record
    }

    static func store() throws -> MaintenanceStore {
        try MaintenanceStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("due-\(UUID().uuidString)/maint.db").path)
    }

    func target(_ store: MaintenanceStore, _ window: String, _ name: String, _ state: TargetState, next: Int64?) throws {
        try store.saveTarget(TargetStateRecord(windowId: window, target: name, state: state, attempts: 0, nextAttemptAt: next, phaseStartedAt: nil,
                                               activatedAt: nil, deactivatedAt: nil, lastError: nil, health: nil, stage: 0))
    }

    /// Which of a window's targets other open windows hold, and which windows, oldest first: read
    /// before a round of activate requests and for a window's report. Only holding states of
    /// open, begun windows count.
    @Test func theOtherHoldersOfAWindowsTargetsAreFoundInOneQuery() throws {
        let store = try Self.store()
        try store.insertWindow(Self.window("mine", .activating, start: 0, end: 10), targets: ["a", "b", "c", "d", "e"], notices: [])
        try store.insertWindow(Self.window("open", .active, start: 0, end: 20), targets: ["a", "b", "x"], notices: [])
        try target(store, "open", "a", .active, next: nil)
        try target(store, "open", "b", .deactivating, next: nil)
        try target(store, "open", "x", .active, next: nil)
        try store.insertWindow(Self.window("later", .scheduled, start: 5, end: 20), targets: ["c"], notices: [])
        try target(store, "later", "c", .activating, next: nil)
        try store.insertWindow(Self.window("over", .completed, start: 0, end: 1), targets: ["d"], notices: [])
        try target(store, "over", "d", .active, next: nil)
        try store.insertWindow(Self.window("refreshing", .active, start: 0, end: 30), targets: ["e"], notices: [])
        try target(store, "refreshing", "e", .refreshing, next: nil)
        try target(store, "mine", "a", .activating, next: 0)
        try store.insertWindow(Self.window("newer", .activating, start: 3, end: 20), targets: ["a"], notices: [])
        try target(store, "newer", "a", .activating, next: nil)
        #expect(try store.otherHolders(ofTargetsOf: "mine") == ["a": ["open", "newer"], "e": ["refreshing"]])
        #expect(try store.otherHolders(ofTargetsOf: "open") == ["a": ["mine", "newer"]])
        #expect(try store.otherHolders(ofTargetsOf: "nothing") == [:])
        #expect(try store.holds(of: "a").map(\.id) == ["mine", "open", "newer"])
        #expect(try store.holds(of: "c").isEmpty)
        // The holders are found from the window's targets, by name: a thousand planned windows
        // of the same targets are not scanned, and the plan starts from the targets, not from the
        // windows under way (a daemon may have hundreds).
        for (query, first) in [(MaintenanceStore.otherHoldersQuery, "SEARCH mine "), (MaintenanceStore.holdsQuery, "SEARCH window_targets USING INDEX window_targets_by_target")] {
            let plan = try store.database.rows("EXPLAIN QUERY PLAN " + query, ["mine"]).compactMap { $0.string("detail") }
            #expect(plan.first?.hasPrefix(first) == true, "\(plan)")
        }
        for index in 0..<1_000 {
            try store.insertWindow(Self.window("planned-\(index)", .scheduled, start: 100 + Int64(index), end: 200 + Int64(index)),
                                   targets: ["a", "b", "e"], notices: [])
        }
        let scanned = store.database.fullScanSteps
        #expect(try store.otherHolders(ofTargetsOf: "mine") == ["a": ["open", "newer"], "e": ["refreshing"]])
        #expect(try store.holds(of: "a").map(\.id) == ["mine", "open", "newer"])
        #expect(store.database.fullScanSteps - scanned < 100)
    }

    @Test func aRoundReadsOnlyTheWindowsWithSomethingDue() throws {
        let store = try Self.store()
        let now: Int64 = 10_000
        // Due: a start, a notice, an end, a target's retry, a window ending when healthy.
        try store.insertWindow(Self.window("starts", .scheduled, start: now, end: now + 100), targets: ["a"], notices: [])
        try store.insertWindow(Self.window("notice", .scheduled, start: now + 5_000, end: now + 6_000), targets: ["b"],
                               notices: [NoticeRecord(windowId: "notice", offsetMilliseconds: 5_000, dueAt: now, state: .pending)])
        try store.insertWindow(Self.window("ends", .active, start: 0, end: now - 1), targets: ["c"], notices: [])
        try store.insertWindow(Self.window("retry", .activating, start: 0, end: now + 1_000), targets: ["d"], notices: [])
        try target(store, "retry", "d", .activating, next: now)
        try store.insertWindow(Self.window("healthy", .active, start: 0, end: nil, endWhenHealthy: true), targets: ["e"], notices: [])
        // Not due: later starts, a sent notice, a later end, a target's later look, a finished
        // window whose target kept an attempt time, and a thousand planned for later.
        try store.insertWindow(Self.window("later", .scheduled, start: now + 1, end: now + 2), targets: ["a"], notices: [])
        try store.insertWindow(Self.window("sent", .scheduled, start: now + 5_000, end: now + 6_000), targets: ["b"],
                               notices: [NoticeRecord(windowId: "sent", offsetMilliseconds: 5_000, dueAt: now, state: .sent)])
        try store.insertWindow(Self.window("running", .active, start: 0, end: now + 1), targets: ["f"], notices: [])
        try target(store, "running", "f", .active, next: now + 1)
        try store.insertWindow(Self.window("over", .completed, start: 0, end: 1), targets: ["g"], notices: [])
        try target(store, "over", "g", .active, next: 0)
        for index in 0..<1_000 {
            try store.insertWindow(Self.window("planned-\(index)", .scheduled, start: now + 60_000 + Int64(index), end: now + 70_000 + Int64(index)),
                                   targets: ["h"], notices: [])
        }
        let scanned = store.database.fullScanSteps
        #expect(try store.dueWindows(now: now).map(\.id) == ["ends", "healthy", "retry", "starts", "notice"])
        #expect(try store.nextDueInstant() == now - 1)
        #expect(try store.runningWindows().map(\.id) == ["ends", "healthy", "retry", "running"])
        // Through indexes: the thousand planned windows are not stepped over.
        #expect(store.database.fullScanSteps - scanned < 100)
        // The sleep: the earliest attempt not in flight, read in time order.
        #expect(try store.firstTargetAttempt { _, _ in true } == now)
        #expect(try store.firstTargetAttempt { _, target in target != "d" } == now + 1)
        #expect(try store.firstTargetAttempt { _, _ in false } == nil)
    }

    @Test func listsReadOnlyTheirPageAndSummaries() throws {
        let store = try Self.store()
        for index in 0..<120 {
            try store.insertWindow(Self.window(String(format: "w%03d", index), index < 20 ? .completed : .scheduled,
                                               start: Int64(index) * 1_000, end: Int64(index) * 1_000 + 500),
                                   targets: [index % 2 == 0 ? "even" : "odd"], notices: [])
        }
        let open = try store.windowPage(includeFinished: false, limit: 5)
        #expect(open.total == 100)
        #expect(open.windows.map(\.id) == ["w020", "w021", "w022", "w023", "w024"])
        let all = try store.windowPage(includeFinished: true, limit: nil)
        #expect(all.total == 120 && all.windows.count == 120)
        let range = try store.windowPage(includeFinished: true, from: 10_000, through: 12_000, limit: 2)
        #expect(range.total == 3 && range.windows.map(\.id) == ["w010", "w011"])
        #expect(try store.windowIds(includeFinished: true, from: 10_000, through: 12_000) == ["w010", "w011", "w012"])
        let next = try store.nextWindows()
        #expect(next["even"]?.id == "w020" && next["even"]?.startAt == 20_000)
        #expect(next["odd"]?.id == "w021")
    }
}
