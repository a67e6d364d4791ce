import Foundation
import MaintCore
import MaintStore

/// What `maint ls` and `GET /v1/windows` list: a page of windows, earliest first, with how many
/// there are in all. A range with an end reaches as far as it says: occurrences not stored yet
/// (the daemon stores two weeks ahead) are computed from the schedule and marked
/// `"stored": false`.
public struct WindowList: Sendable {
    public static let defaultLimit = 50

    public var includeFinished = false
    public var from: Int64?
    public var through: Int64?
    public var state: WindowState?
    public var target: String?
    /// nil: every one.
    public var limit: Int? = WindowList.defaultLimit
    /// Where the page starts; the cursor of the answer's next page.
    public var offset = 0

    public init() {}

    /// The query of `GET /v1/windows?from=&to=&state=&target=&limit=&cursor=&all=`.
    public init(query: [String: String], now: Date) throws(RequestBody.Problem) {
        var problems: [(path: String, message: String)] = []
        func time(_ key: String) -> Int64? {
            guard let text = query[key] else { return nil }
            guard let date = TimeText.parse(text, zone: .current, now: now) else {
                problems.append((key, "\(Quoted(text)) is not a time; \(TimeText.forms)"))
                return nil
            }
            return date.epochMilliseconds
        }
        func count(_ key: String, minimum: Int) -> Int? {
            guard let text = query[key] else { return nil }
            guard let number = Int(text), number >= minimum else {
                problems.append((key, "\(Quoted(text)) is not a whole number of at least \(minimum)"))
                return nil
            }
            return number
        }
        from = time("from")
        through = time("to")
        if let text = query["state"] {
            state = WindowState(rawValue: text)
            if state == nil { problems.append(("state", "\(Quoted(text)) is not a state; one of \(WindowState.allCases.map(\.rawValue).joined(separator: ", "))")) }
        }
        target = query["target"]
        includeFinished = query["all"].map { $0 == "" || $0 == "1" || $0 == "true" } ?? false || from != nil || through != nil
        limit = query["all"] != nil && query["limit"] == nil ? nil : count("limit", minimum: 1) ?? Self.defaultLimit
        offset = count("cursor", minimum: 0) ?? 0
        if !problems.isEmpty { throw RequestBody.Problem(fields: problems) }
    }

    /// `{windows, total, nextCursor}`. `schedule` computes what is not stored yet (nil: left out,
    /// and `note` says why).
    public func json(store: MaintenanceStore, schedule: Schedule?, note: String? = nil, now: Date) throws -> JSONValue {
        var rows: [(window: WindowRecord, targets: [TargetStateRecord], stored: Bool)] = []
        var total: Int
        var notes: [String] = note.map { [$0] } ?? []
        if let through, let schedule {
            // Stored and computed rows are merged, then the page is taken.
            let page = try store.windowPage(includeFinished: includeFinished, from: from, through: through, state: state, target: target)
            rows = try page.windows.map { ($0, try store.targets(of: $0.id), true) }
            let stored = Set(rows.map(\.window.id))
            let plans = schedule.forecast(from: Date(timeIntervalSince1970: Double(from ?? 0) / 1000),
                                          through: Date(timeIntervalSince1970: Double(through) / 1000), now: now)
            for plan in plans where !stored.contains(plan.record.id) && (state == nil || state == .scheduled)
                && (target == nil || plan.targets.contains(target ?? "")) {
                rows.append((plan.record, plan.targets.map {
                    TargetStateRecord(windowId: plan.record.id, target: $0, state: .pending, attempts: 0, nextAttemptAt: nil, phaseStartedAt: nil,
                                      activatedAt: nil, deactivatedAt: nil, lastError: nil, health: nil, stage: plan.stages[$0] ?? 0)
                }, false))
            }
            rows.sort { ($0.window.startAt, $0.window.id) < ($1.window.startAt, $1.window.id) }
            total = rows.count
            let end = limit.map { min(rows.count, offset + $0) } ?? rows.count
            rows = offset < end ? Array(rows[offset..<end]) : []
        } else {
            if through != nil { notes.append("occurrences not yet stored are left out") }
            let page = try store.windowPage(includeFinished: includeFinished, from: from, through: through, state: state, target: target,
                                            limit: limit, offset: offset)
            rows = try page.windows.map { ($0, try store.targets(of: $0.id), true) }
            total = page.total
        }
        let next = offset + rows.count
        var fields: [String: JSONValue] = [
            "windows": .array(rows.map { row in
                guard case .object(var object) = WindowJSON.window(row.window, targets: row.targets) else { return .null }
                object["stored"] = .bool(row.stored)
                return .object(object)
            }),
            "total": .number(Double(total)),
            "nextCursor": next < total ? .string(String(next)) : .null,
        ]
        if !notes.isEmpty { fields["notes"] = .array(notes.map(JSONValue.string)) }
        return .object(fields)
    }
}
