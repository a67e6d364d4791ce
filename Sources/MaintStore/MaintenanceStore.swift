import Foundation
import MaintCore

/// The queries maint runs, over one connection.
public final class MaintenanceStore {
    public let database: Database
    /// Told each event's id as it is written (the daemon rings followers of the log with it).
    public var eventAppended: (@Sendable (Int64) -> Void)?

    public init(database: Database) { self.database = database }

    /// Whether this connection keeps the target rows of the windows it reads (`TargetRowCache`):
    /// for the one connection that writes them, the engine's.
    public var keepsTargetRows = false {
        didSet { targetRows = TargetRowCache() }
    }
    private var targetRows = TargetRowCache()

    /// The kept rows of a window, if they can still be used.
    private func keptRows(of windowId: String) throws(SQLiteError) -> TargetRowCache.Rows? {
        guard keepsTargetRows else { return nil }
        targetRows.check(rollbacks: database.rollbacks, dataVersion: try database.dataVersion())
        return targetRows.rows(of: windowId)
    }

    /// Lets go of every kept row (another process may have written them).
    public func forgetTargetRows() { targetRows = TargetRowCache() }

    /// See `Database(path:checkpointsOnClose:)`.
    public convenience init(path: String, checkpointsOnClose: Bool = true) throws(SQLiteError) {
        self.init(database: try Database(path: path, checkpointsOnClose: checkpointsOnClose))
    }

    /// The same queries on a connection that only reads (see `Database(readingOnly:)`).
    public convenience init(readingOnly path: String) throws(SQLiteError) {
        self.init(database: try Database(readingOnly: path))
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T { try database.transaction(body) }

    // MARK: Windows

    static let windowColumns = "id, origin, source_file, headline, message, page, selectors, channels, timezone, start_at, end_at, health_timeout_ms, state, fingerprint, created_at, updated_at, series, on_failure, max_parallel, on_health_failure, end_when_healthy"

    static func window(_ row: Row) throws(SQLiteError) -> WindowRecord {
        var record = WindowRecord(
            id: row.string("id") ?? "", origin: try row.value("origin", WindowOrigin.self), sourceFile: row.string("source_file"),
            headline: row.string("headline") ?? "", message: row.string("message") ?? "",
            page: decodePage(row.string("page")),
            selectors: decodeList(row.string("selectors")), channels: decodeList(row.string("channels")), timezone: row.string("timezone") ?? "UTC",
            startAt: row.int("start_at") ?? 0, endAt: row.int("end_at"), healthTimeoutMilliseconds: row.int("health_timeout_ms"),
            state: try row.value("state", WindowState.self), fingerprint: row.string("fingerprint"), createdAt: row.int("created_at") ?? 0,
            updatedAt: row.int("updated_at") ?? 0, series: row.string("series"), onFailure: try row.value("on_failure", StageFailure.self),
            maxParallel: row.int("max_parallel").map(Int.init))
        record.onHealthFailure = try row.value("on_health_failure", HealthFailure.self)
        record.endWhenHealthy = (row.int("end_when_healthy") ?? 0) != 0
        return record
    }

    static func decodeList(_ text: String?) -> [String] {
        guard let text, text != "[]" else { return [] }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]) ?? []
    }

    static func decodePage(_ text: String?) -> PageFields {
        guard let text, text != "{}" else { return PageFields() }
        return (try? JSONDecoder().decode(PageFields.self, from: Data(text.utf8))) ?? PageFields()
    }

    /// `stages[target]` is the target's stage (0 when absent).
    public func insertWindow(_ window: WindowRecord, targets: [String], stages: [String: Int] = [:], notices: [NoticeRecord]) throws(SQLiteError) {
        try database.run("INSERT INTO windows (\(Self.windowColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
            window.id, window.origin, window.sourceFile, window.headline, window.message, StoredJSON.text(window.page),
            StoredJSON.text(window.selectors), StoredJSON.text(window.channels), window.timezone, window.startAt, window.endAt,
            window.healthTimeoutMilliseconds, window.state, window.fingerprint, window.createdAt, window.updatedAt, window.series,
            window.onFailure, window.maxParallel, window.onHealthFailure, window.endWhenHealthy ? 1 : 0,
        ])
        try insertTargets(of: window.id, targets, stages: stages)
        for notice in notices { try insertNotice(notice) }
    }

    /// Rewrites the planned fields of a window that has not started.
    public func replanWindow(_ window: WindowRecord, targets: [String], stages: [String: Int] = [:], notices: [NoticeRecord]) throws(SQLiteError) {
        try database.run("""
            UPDATE windows SET source_file = ?, headline = ?, message = ?, page = ?, selectors = ?, channels = ?, timezone = ?,
                start_at = ?, end_at = ?, health_timeout_ms = ?, fingerprint = ?, updated_at = ?, on_failure = ?, max_parallel = ?,
                on_health_failure = ? WHERE id = ?
            """, [window.sourceFile, window.headline, window.message, StoredJSON.text(window.page), StoredJSON.text(window.selectors),
                  StoredJSON.text(window.channels), window.timezone, window.startAt, window.endAt, window.healthTimeoutMilliseconds,
                  window.fingerprint, window.updatedAt, window.onFailure, window.maxParallel, window.onHealthFailure, window.id])
        try database.run("DELETE FROM window_targets WHERE window_id = ?", [window.id])
        targetRows.forget(window.id)
        try insertTargets(of: window.id, targets, stages: stages)
        try database.run("DELETE FROM notices WHERE window_id = ? AND state = 'pending'", [window.id])
        for notice in notices {
            try database.run("INSERT OR IGNORE INTO notices (window_id, offset_ms, due_at, state) VALUES (?, ?, ?, ?)",
                             [notice.windowId, notice.offsetMilliseconds, notice.dueAt, notice.state])
        }
    }

    func insertTargets(of windowId: String, _ targets: [String], stages: [String: Int]) throws(SQLiteError) {
        targetRows.forget(windowId)
        for target in targets {
            try database.run("INSERT INTO window_targets (window_id, target, state, stage) VALUES (?, ?, 'pending', ?)",
                             [windowId, target, stages[target] ?? 0])
        }
    }

    func insertNotice(_ notice: NoticeRecord) throws(SQLiteError) {
        try database.run("INSERT INTO notices (window_id, offset_ms, due_at, state) VALUES (?, ?, ?, ?)",
                         [notice.windowId, notice.offsetMilliseconds, notice.dueAt, notice.state])
    }

    public func window(_ id: String) throws(SQLiteError) -> WindowRecord? {
        try database.row("SELECT \(Self.windowColumns) FROM windows WHERE id = ?", [id]).map(Self.window)
    }

    /// The final states as an SQL list: `'completed','canceled',…`.
    static let terminalList = WindowState.sqlList(WindowState.terminal)

    /// Windows not yet in a final state.
    public func openWindows() throws(SQLiteError) -> [WindowRecord] {
        try database.rows("SELECT \(Self.windowColumns) FROM windows WHERE state NOT IN (\(Self.terminalList)) ORDER BY start_at, id")
            .map(Self.window)
    }

    /// A page of windows in start order, open ones only unless `includeFinished`, those that end
    /// from `from` and start through `through` when given; and how many there are in all. Only
    /// the page is read.
    public func windowPage(includeFinished: Bool, from: Int64? = nil, through: Int64? = nil, state: WindowState? = nil, target: String? = nil,
                           limit: Int? = nil, offset: Int = 0) throws(SQLiteError) -> (windows: [WindowRecord], total: Int) {
        let values = Self.listed(includeFinished, from, through, state, target)
        let total = Int(try database.row("SELECT COUNT(*) FROM windows \(Self.listedFilter)", values)?.int(0) ?? 0)
        let windows = try database.rows("SELECT \(Self.windowColumns) FROM windows \(Self.listedFilter) ORDER BY start_at, id LIMIT ?6 OFFSET ?7",
                                        values + [limit ?? -1, offset]).map(Self.window)
        return (windows, total)
    }

    /// The ids of all the windows a `windowPage` takes its page from.
    public func windowIds(includeFinished: Bool, from: Int64? = nil, through: Int64? = nil, state: WindowState? = nil, target: String? = nil)
        throws(SQLiteError) -> Set<String> {
        Set(try database.rows("SELECT id FROM windows \(Self.listedFilter)", Self.listed(includeFinished, from, through, state, target)).compactMap { $0.string(0) })
    }

    /// The windows a list takes: ?1 finished ones too, ?2 ending from, ?3 starting through,
    /// ?4 in this state only, ?5 holding this target only.
    static let listedFilter = """
        WHERE (?1 OR ?4 IS NOT NULL OR state NOT IN (\(terminalList))) AND (?2 IS NULL OR end_at IS NULL OR end_at >= ?2) AND (?3 IS NULL OR start_at <= ?3)
          AND (?4 IS NULL OR state = ?4)
          AND (?5 IS NULL OR EXISTS (SELECT 1 FROM window_targets t WHERE t.window_id = windows.id AND t.target = ?5))
        """

    static func listed(_ includeFinished: Bool, _ from: Int64?, _ through: Int64?, _ state: WindowState?, _ target: String?) -> [any SQLConvertible] {
        [includeFinished ? 1 : 0, from, through, state?.rawValue, target]
    }

    public func windows(includeFinished: Bool) throws(SQLiteError) -> [WindowRecord] {
        if includeFinished {
            return try database.rows("SELECT \(Self.windowColumns) FROM windows ORDER BY start_at, id").map(Self.window)
        }
        return try openWindows()
    }

    /// What planning an occurrence needs of the window stored under `id`, if one is.
    public func storedOccurrence(_ id: String) throws(SQLiteError) -> StoredOccurrence? {
        try database.row("SELECT origin, state, fingerprint, created_at FROM windows WHERE id = ?", [id]).map { (row) throws(SQLiteError) in
            StoredOccurrence(origin: try row.value("origin", WindowOrigin.self), state: try row.value("state", WindowState.self),
                             fingerprint: row.string("fingerprint"), createdAt: row.int("created_at") ?? 0)
        }
    }

    /// Whether any window is stored, in whatever state.
    public func holdsAnyWindow() throws(SQLiteError) -> Bool {
        try database.row("SELECT 1 FROM windows LIMIT 1") != nil
    }

    /// The ids and starts of a series' planned occurrences, in start order.
    public func plannedOccurrences(series: String) throws(SQLiteError) -> [(id: String, startAt: Int64)] {
        try database.rows("SELECT id, start_at FROM windows WHERE series = ? AND state = 'scheduled' ORDER BY start_at", [series])
            .map { ($0.string(0) ?? "", $0.int(1) ?? 0) }
    }

    public func setWindowState(_ id: String, _ state: WindowState, at now: Int64) throws(SQLiteError) {
        try database.run("UPDATE windows SET state = ?, updated_at = ? WHERE id = ?", [state, now, id])
        if state.isTerminal { targetRows.forget(id) }
    }

    public func setWindowEnd(_ id: String, endAt: Int64?, at now: Int64) throws(SQLiteError) {
        try database.run("UPDATE windows SET end_at = ?, updated_at = ? WHERE id = ?", [endAt, now, id])
    }

    public func setEndWhenHealthy(_ id: String, at now: Int64) throws(SQLiteError) {
        try database.run("UPDATE windows SET end_when_healthy = 1, updated_at = ? WHERE id = ?", [now, id])
    }

    public func setWindowMessage(_ id: String, _ message: String, at now: Int64) throws(SQLiteError) {
        try database.run("UPDATE windows SET message = ?, updated_at = ? WHERE id = ?", [message, now, id])
    }

    public func setWindowHeadline(_ id: String, _ headline: String, at now: Int64) throws(SQLiteError) {
        try database.run("UPDATE windows SET headline = ?, updated_at = ? WHERE id = ?", [headline, now, id])
    }

    // MARK: Targets of a window

    static let targetColumns = "window_id, target, state, attempts, next_attempt_at, phase_started_at, activated_at, deactivated_at, last_error, health, stage, driver_state"

    /// A row of `targetColumns`, read by place: a fleet's rows are read at each of its window's
    /// steps, and finding each column by name compared a dozen names per row.
    static func targetState(_ row: Row) throws(SQLiteError) -> TargetStateRecord {
        TargetStateRecord(windowId: row.string(0) ?? "", target: row.string(1) ?? "", state: try row.value(2, named: "state", TargetState.self),
                          attempts: Int(row.int(3) ?? 0), nextAttemptAt: row.int(4), phaseStartedAt: row.int(5),
                          activatedAt: row.int(6), deactivatedAt: row.int(7), lastError: row.string(8),
                          health: row.string(9), stage: Int(row.int(10) ?? 0), driverState: row.string(11))
    }

    /// In the order of the primary key's index (no sort by SQLite); `targets(of:)` puts the
    /// stages in order.
    static let targetsQuery = "SELECT \(targetColumns) FROM window_targets WHERE window_id = ? ORDER BY target"
    static let targetQuery = "SELECT \(targetColumns) FROM window_targets WHERE window_id = ? AND target = ?"

    /// A window's targets, by stage, then by name.
    public func targets(of windowId: String) throws(SQLiteError) -> [TargetStateRecord] {
        if let kept = try keptRows(of: windowId) { return kept.records }
        var records = try database.rows(Self.targetsQuery, [windowId]).map(Self.targetState)
        if let first = records.first, records.contains(where: { $0.stage != first.stage }) {
            // By stage, each stage's targets staying in the order read.
            records = records.enumerated().sorted { ($0.element.stage, $0.offset) < ($1.element.stage, $1.offset) }.map(\.element)
        }
        if keepsTargetRows { targetRows.keep(records, of: windowId) }
        return records
    }


    /// The holds on a target: the open windows that want it in maintenance now, oldest start first.
    /// Asked for a target another window holds too (`otherHolders` says which).
    public func holds(of name: String) throws(SQLiteError) -> [WindowRecord] {
        try database.rows(Self.holdsQuery, [name]).map(Self.window)
    }

    /// From the target's rows, then their windows, not from every window under way (CROSS JOIN
    /// keeps the order).
    static let holdsQuery = """
        SELECT \(qualifiedWindowColumns) FROM window_targets CROSS JOIN windows ON windows.id = window_targets.window_id
        WHERE window_targets.target = ? AND window_targets.state IN (\(holdingList)) AND windows.state IN (\(runningList))
        ORDER BY windows.start_at, windows.id
        """

    /// For each target of `windowId` that another open window holds, those windows' ids, oldest
    /// start first: one query for all the targets of a window (a round of activate requests, a
    /// window's report), not one per target. Most often there are none.
    public func otherHolders(ofTargetsOf windowId: String) throws(SQLiteError) -> [String: [String]] {
        // Most often no other window is under way: the windows' state index says so in a look,
        // before the query looks up each target of this one.
        guard try database.row("SELECT 1 FROM windows WHERE state IN (\(Self.runningList)) AND id != ? LIMIT 1", [windowId]) != nil else { return [:] }
        var holders: [String: [String]] = [:]
        for row in try database.rows(Self.otherHoldersQuery, [windowId]) {
            guard let target = row.string(0), let holder = row.string(1) else { continue }
            holders[target, default: []].append(holder)
        }
        return holders
    }

    /// From the window's targets to their other rows, then those rows' windows: the work follows
    /// the window's targets, never every window under way (CROSS JOIN keeps the order).
    static let otherHoldersQuery = """
        SELECT other.target, windows.id FROM window_targets AS mine
        CROSS JOIN window_targets AS other ON other.target = mine.target AND other.window_id != mine.window_id
        CROSS JOIN windows ON windows.id = other.window_id
        WHERE mine.window_id = ? AND other.state IN (\(holdingList)) AND windows.state IN (\(runningList))
        ORDER BY windows.start_at, windows.id
        """

    /// A target's row holds it in maintenance now when its state is one of these and its window
    /// is under way (`runningList`: begun and not over).
    static let holdingList = TargetState.sqlList(TargetState.allCases.filter(\.holds))
    static let qualifiedWindowColumns = windowColumns.split(separator: ",").map { "windows." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    /// One target of a window.
    public func target(_ name: String, of windowId: String) throws(SQLiteError) -> TargetStateRecord? {
        if let kept = try keptRows(of: windowId) { return kept.record(name) }
        return try database.row(Self.targetQuery, [windowId, name]).map(Self.targetState)
    }

    public func saveTarget(_ record: TargetStateRecord) throws(SQLiteError) {
        try saveTargets([record])
    }

    /// Writes target rows (all but their stage). Rows next to each other that take the same
    /// values, as a fleet's targets do when one step switches them all, are written by one
    /// statement naming them all: SQLite then finds each row, but the statement is run, and its
    /// values bound, once.
    public func saveTargets(_ records: [TargetStateRecord]) throws(SQLiteError) {
        var start = records.startIndex
        while start < records.endIndex {
            let record = records[start]
            var end = records.index(after: start)
            while end < records.endIndex, records[end].takesTheSameValues(as: record) { end = records.index(after: end) }
            let values: [any SQLConvertible] = [record.state, record.attempts, record.nextAttemptAt, record.phaseStartedAt, record.activatedAt,
                                                record.deactivatedAt, record.lastError, record.health, record.driverState, record.windowId]
            if end - start == 1 {
                try database.run(Self.saveTargetStatement, values + [record.target])
            } else {
                var names: [UInt8] = [UInt8(ascii: "[")]
                names.reserveCapacity(16 * (end - start))
                for (place, written) in records[start..<end].enumerated() {
                    if place > 0 { names.append(UInt8(ascii: ",")) }
                    JSONValue.writeString(written.target, to: &names)
                }
                names.append(UInt8(ascii: "]"))
                try database.run(Self.saveTargetsStatement, values + [String(decoding: names, as: UTF8.self)])
            }
            if keepsTargetRows { targetRows.update(records[start..<end], of: record.windowId) }
            start = end
        }
    }

    static let saveTargetStatement = savingTargets(where: "target = ?")
    static let saveTargetsStatement = savingTargets(where: "target IN (SELECT value FROM json_each(?))")
    private static func savingTargets(where names: String) -> String {
        """
        UPDATE window_targets SET state = ?, attempts = ?, next_attempt_at = ?, phase_started_at = ?, activated_at = ?,
            deactivated_at = ?, last_error = ?, health = ?, driver_state = ? WHERE window_id = ? AND \(names)
        """
    }

    // MARK: Notices

    public func notices(of windowId: String) throws(SQLiteError) -> [NoticeRecord] {
        try database.rows("SELECT window_id, offset_ms, due_at, state FROM notices WHERE window_id = ? ORDER BY due_at", [windowId]).map { (row) throws(SQLiteError) in
            NoticeRecord(windowId: row.string("window_id") ?? "", offsetMilliseconds: row.int("offset_ms") ?? 0, dueAt: row.int("due_at") ?? 0,
                         state: try row.value("state", NoticeState.self))
        }
    }

    /// Notices not sent yet will never be: the window started, passed or was canceled.
    public func skipPendingNotices(of windowId: String) throws(SQLiteError) {
        try database.run("UPDATE notices SET state = 'skipped' WHERE window_id = ? AND state = 'pending'", [windowId])
    }

    public func setNoticeState(_ notice: NoticeRecord, _ state: NoticeState) throws(SQLiteError) {
        try database.run("UPDATE notices SET state = ? WHERE window_id = ? AND offset_ms = ?", [state, notice.windowId, notice.offsetMilliseconds])
    }

    // MARK: Event log

    @discardableResult
    public func appendEvent(at: Int64, window: String?, target: String? = nil, kind: String, message: String, detail: String? = nil,
                            actor: String? = nil) throws(SQLiteError) -> Int64 {
        try database.run("INSERT INTO events (at, window_id, target, kind, message, detail, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [at, window, target, kind, message, detail, actor])
        let id = database.lastInsertedRowID
        eventAppended?(id)
        return id
    }

    /// The id of a window's last event, 0 if it has none: where a command that follows it starts.
    public func lastEventId(window: String) throws(SQLiteError) -> Int64 {
        try database.row("SELECT max(id) FROM events WHERE window_id = ?", [window])?.int(0) ?? 0
    }

    public func events(window: String?, after id: Int64 = 0) throws(SQLiteError) -> [EventRecord] {
        let rows: [Row]
        if let window {
            rows = try database.rows("SELECT id, at, window_id, target, kind, message, detail, actor FROM events WHERE window_id = ? AND id > ? ORDER BY id", [window, id])
        } else {
            rows = try database.rows("SELECT id, at, window_id, target, kind, message, detail, actor FROM events WHERE id > ? ORDER BY id", [id])
        }
        return rows.map {
            EventRecord(id: $0.int("id") ?? 0, at: $0.int("at") ?? 0, windowId: $0.string("window_id"), target: $0.string("target"),
                        kind: $0.string("kind") ?? "", message: $0.string("message") ?? "", detail: $0.string("detail"), actor: $0.string("actor"))
        }
    }

    // MARK: Outbox

    static let deliveryColumns = "id, channel, event, window_id, body, state, attempts, max_attempts, next_attempt_at, last_error, created_at, delivered_at"

    static func delivery(_ row: Row) throws(SQLiteError) -> DeliveryRecord {
        DeliveryRecord(id: row.string("id") ?? "", channel: row.string("channel") ?? "", event: try row.value("event", AnnouncementEvent.self),
                       windowId: row.string("window_id"), body: row.string("body") ?? "", state: try row.value("state", DeliveryState.self),
                       attempts: Int(row.int("attempts") ?? 0), maxAttempts: Int(row.int("max_attempts") ?? 1),
                       nextAttemptAt: row.int("next_attempt_at") ?? 0, lastError: row.string("last_error"),
                       createdAt: row.int("created_at") ?? 0, deliveredAt: row.int("delivered_at"))
    }

    public func enqueue(_ delivery: DeliveryRecord) throws(SQLiteError) {
        try database.run("INSERT INTO outbox (\(Self.deliveryColumns)) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", [
            delivery.id, delivery.channel, delivery.event, delivery.windowId, delivery.body, delivery.state, delivery.attempts,
            delivery.maxAttempts, delivery.nextAttemptAt, delivery.lastError, delivery.createdAt, delivery.deliveredAt,
        ])
    }

    public func delivery(_ id: String) throws(SQLiteError) -> DeliveryRecord? {
        try database.row("SELECT \(Self.deliveryColumns) FROM outbox WHERE id = ?", [id]).map(Self.delivery)
    }

    public func dueDeliveries(now: Int64) throws(SQLiteError) -> [DeliveryRecord] {
        try database.rows("SELECT \(Self.deliveryColumns) FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY created_at, id", [now])
            .map(Self.delivery)
    }

    public func deliveries(window: String? = nil, state: DeliveryState? = nil) throws(SQLiteError) -> [DeliveryRecord] {
        try database.rows("SELECT \(Self.deliveryColumns) FROM outbox WHERE (?1 IS NULL OR window_id = ?1) AND (?2 IS NULL OR state = ?2) ORDER BY created_at, id",
                          [window, state?.rawValue]).map(Self.delivery)
    }

    public func saveDelivery(_ delivery: DeliveryRecord) throws(SQLiteError) {
        try database.run("UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = ? WHERE id = ?",
                         [delivery.state, delivery.attempts, delivery.nextAttemptAt, delivery.lastError, delivery.deliveredAt, delivery.id])
    }

    // MARK: Waking

    /// The open windows a round must step at `now`: planned ones whose start or a notice is due,
    /// running ones whose end is due or that end when healthy, and those with a target due an
    /// attempt, a look or a check. Windows waiting for nothing are not read; each part of the
    /// query runs on an index.
    /// Planned windows are taken from `startingBy` on (the engine makes them ready a little ahead).
    public func dueWindows(now: Int64, startingBy: Int64? = nil) throws(SQLiteError) -> [WindowRecord] {
        try database.rows("""
            SELECT \(Self.windowColumns) FROM windows WHERE id IN (
                SELECT id FROM windows WHERE state = 'scheduled' AND start_at <= ?2
                UNION SELECT window_id FROM notices WHERE state = 'pending' AND due_at <= ?1
                UNION SELECT id FROM windows WHERE state IN ('activating', 'active', 'reactivating') AND end_at <= ?1
                UNION SELECT id FROM windows WHERE end_when_healthy = 1
                UNION SELECT window_id FROM window_targets WHERE next_attempt_at <= ?1 AND state IN (\(Self.attemptingList))
            ) AND state NOT IN (\(Self.terminalList))
            ORDER BY start_at, id
            """, [now, startingBy ?? now]).map(Self.window)
    }

    /// The target states in which a target waits for its `next_attempt_at`.
    static let attemptingList = TargetState.sqlList([.activating, .active, .refreshing, .deactivating, .verifying])

    /// The windows that have started and not ended: those a round reads again after the
    /// database changed under it (a start, a command), whatever is due.
    public func runningWindows() throws(SQLiteError) -> [WindowRecord] {
        // The running states named one by one, each looked up in an index: `NOT IN` the others
        // read every planned window.
        try database.rows("SELECT \(Self.windowColumns) FROM windows WHERE state IN (\(Self.runningList)) ORDER BY start_at, id")
            .map(Self.window)
    }

    /// The states of a window that has started and not ended, as an SQL list (each one is
    /// looked up in `windows_state`; the planned windows are not read).
    static let runningList = WindowState.sqlList(WindowState.allCases.filter { !$0.isTerminal && $0 != .scheduled })

    /// The targets of the windows that have started and not ended.
    public func runningTargetNames() throws(SQLiteError) -> Set<String> {
        Set(try database.rows("""
            SELECT DISTINCT window_targets.target FROM windows JOIN window_targets ON window_targets.window_id = windows.id
            WHERE windows.state IN (\(Self.runningList))
            """).compactMap { $0.string(0) })
    }

    /// The earliest window start or end, or notice, that is due: what the scheduler sleeps until.
    /// A start counts `startLead` early (the engine makes a window ready that much ahead).
    public func nextDueInstant(startLead: Int64 = 0) throws(SQLiteError) -> Int64? {
        try database.row("""
            SELECT MIN(t) FROM (
                SELECT MIN(start_at) - ?1 AS t FROM windows WHERE state = 'scheduled'
                UNION ALL SELECT MIN(end_at) FROM windows WHERE state IN ('activating', 'active', 'reactivating') AND end_at IS NOT NULL
                UNION ALL SELECT * FROM (SELECT n.due_at FROM notices n JOIN windows w ON w.id = n.window_id
                                         WHERE n.state = 'pending' AND w.state = 'scheduled' ORDER BY n.due_at LIMIT 1)
            )
            """, [startLead])?.int(0)
    }

    /// The earliest attempt (or look, or health round) a target of an open window waits for,
    /// among those `accept` takes (the engine leaves out work in flight). Read in time order,
    /// stopping at the first taken.
    public func firstTargetAttempt(where accept: (_ window: String, _ target: String) -> Bool) throws(SQLiteError) -> Int64? {
        try database.firstRow("""
            SELECT t.window_id, t.target, t.next_attempt_at FROM window_targets t JOIN windows w ON w.id = t.window_id
            WHERE t.next_attempt_at IS NOT NULL AND t.state IN (\(Self.attemptingList)) AND w.state NOT IN (\(Self.terminalList))
            ORDER BY t.next_attempt_at
            """) { accept($0.string(0) ?? "", $0.string(1) ?? "") }?.int(2)
    }

    /// Each target's next planned window: its id, start and zone. One grouped query, however many
    /// windows are planned.
    public func nextWindows() throws(SQLiteError) -> [String: (id: String, startAt: Int64, timezone: String)] {
        var next: [String: (id: String, startAt: Int64, timezone: String)] = [:]
        // SQLite takes the other columns from the row with the smallest start.
        for row in try database.rows("""
            SELECT t.target, MIN(w.start_at), w.id, w.timezone FROM window_targets t JOIN windows w ON w.id = t.window_id
            WHERE w.state = 'scheduled' GROUP BY t.target
            """) {
            if let name = row.string(0), let id = row.string(2) { next[name] = (id, row.int(1) ?? 0, row.string(3) ?? "UTC") }
        }
        return next
    }

    /// Each target's driver state kept by an open window (the newest such window's).
    public func driverStates() throws(SQLiteError) -> [String: String] {
        var states: [String: String] = [:]
        for row in try database.rows("""
            SELECT t.target, t.driver_state FROM window_targets t JOIN windows w ON w.id = t.window_id
            WHERE t.driver_state IS NOT NULL AND w.state NOT IN (\(Self.terminalList)) ORDER BY w.start_at, w.id
            """) {
            if let name = row.string(0), let state = row.string(1) { states[name] = state }
        }
        return states
    }

    /// The stored occurrences of a recurring window, earliest first (the `windows_series` index).
    public func occurrences(ofSeries name: String) throws(SQLiteError) -> [WindowRecord] {
        try database.rows("SELECT \(Self.windowColumns) FROM windows WHERE series = ? ORDER BY start_at, id", [name]).map(Self.window)
    }

    /// The planned windows of the schedule files, as (id, definition name): to find those whose
    /// definition is gone.
    public func plannedFileWindows() throws(SQLiteError) -> [(id: String, name: String)] {
        try database.rows("SELECT id, COALESCE(series, id) FROM windows WHERE origin = 'file' AND state = 'scheduled' ORDER BY start_at, id")
            .map { ($0.string(0) ?? "", $0.string(1) ?? "") }
    }

    /// For the daemon's one-line status: windows running, targets held in maintenance, the next
    /// start, dead deliveries.
    public func summary() throws(SQLiteError) -> (running: Int, held: Int, nextStart: Int64?, dead: Int) {
        let row = try database.row("""
            SELECT (SELECT COUNT(*) FROM windows WHERE state NOT IN (\(Self.terminalList)) AND state != 'scheduled'),
                   (SELECT COUNT(DISTINCT t.target) FROM window_targets t JOIN windows w ON w.id = t.window_id
                      WHERE w.state NOT IN (\(Self.terminalList)) AND t.state IN (\(Self.holdingList))),
                   (SELECT MIN(start_at) FROM windows WHERE state = 'scheduled'),
                   (SELECT COUNT(*) FROM outbox WHERE state = 'dead')
            """)
        return (Int(row?.int(0) ?? 0), Int(row?.int(1) ?? 0), row?.int(2), Int(row?.int(3) ?? 0))
    }

    /// The window an `Idempotency-Key` created, and what request it came with; keys older than
    /// `since` are gone.
    public func idempotentWindow(key: String, since: Int64) throws(SQLiteError) -> (request: String, windowId: String)? {
        try database.row("SELECT request, window_id FROM idempotency_keys WHERE key = ? AND created_at >= ?", [key, since])
            .map { ($0.string(0) ?? "", $0.string(1) ?? "") }
    }

    /// Remembers the window a key created, and forgets keys older than `before`.
    public func rememberIdempotencyKey(_ key: String, request: String, windowId: String, at: Int64, forgetBefore before: Int64) throws(SQLiteError) {
        try database.run("DELETE FROM idempotency_keys WHERE created_at < ?", [before])
        try database.run("INSERT OR REPLACE INTO idempotency_keys (key, request, window_id, created_at) VALUES (?, ?, ?, ?)", [key, request, windowId, at])
    }

    /// How many windows are in each state (states with none left out).
    public func windowCounts() throws(SQLiteError) -> [WindowState: Int] {
        var counts: [WindowState: Int] = [:]
        for row in try database.rows("SELECT state, COUNT(*) FROM windows GROUP BY state") {
            if let state = row.string(0).flatMap(WindowState.init(rawValue:)) { counts[state] = Int(row.int(1) ?? 0) }
        }
        return counts
    }

    /// How many announcements are in each state of the outbox.
    /// How many announcements wait to be delivered (through the `outbox_due` index).
    public func pendingDeliveryCount() throws(SQLiteError) -> Int {
        Int(try database.row("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")?.int(0) ?? 0)
    }

    public func deliveryCounts() throws(SQLiteError) -> [DeliveryState: Int] {
        var counts: [DeliveryState: Int] = [:]
        for row in try database.rows("SELECT state, COUNT(*) FROM outbox GROUP BY state") {
            if let state = row.string(0).flatMap(DeliveryState.init(rawValue:)) { counts[state] = Int(row.int(1) ?? 0) }
        }
        return counts
    }

    /// The definition names of every window stored from the files.
    public func fileWindowNames() throws(SQLiteError) -> Set<String> {
        Set(try database.rows("SELECT DISTINCT COALESCE(series, id) FROM windows WHERE origin = 'file'").compactMap { $0.string(0) })
    }

    /// Every pending delivery's next attempt, in the order they were queued.
    public func pendingDeliveryTimes() throws(SQLiteError) -> [(id: String, channel: String, window: String?, at: Int64)] {
        try database.rows("SELECT id, channel, window_id, next_attempt_at FROM outbox WHERE state = 'pending' ORDER BY rowid")
            .map { ($0.string(0) ?? "", $0.string(1) ?? "", $0.string(2), $0.int(3) ?? 0) }
    }
}

extension TargetStateRecord {
    /// Whether `saveTargets` writes the same values for both rows: all it writes but the name.
    fileprivate func takesTheSameValues(as other: TargetStateRecord) -> Bool {
        windowId == other.windowId && state == other.state && attempts == other.attempts && nextAttemptAt == other.nextAttemptAt
            && phaseStartedAt == other.phaseStartedAt && activatedAt == other.activatedAt && deactivatedAt == other.deactivatedAt
            && lastError == other.lastError && health == other.health && driverState == other.driverState
    }
}
