import MaintCore

/// A value of a closed set (a state, an option, an event) stored as its raw string; a string that
/// names none of the set is a damaged row, reported as such, never read as some default.
public protocol StoredValue: RawRepresentable<String>, SQLConvertible, CaseIterable {}

extension StoredValue {
    public var sqlValue: SQLValue { .text(rawValue) }

    /// `'a','b'`: for `IN (…)` in SQL.
    static func sqlList(_ states: some Sequence<Self>) -> String { states.map { "'\($0.rawValue)'" }.joined(separator: ",") }
}

extension Row {
    /// Column `name` as a value of the closed set `S`.
    func value<S: StoredValue>(_ name: String, _ type: S.Type) throws(SQLiteError) -> S {
        try value(columns.firstIndex(of: name) ?? values.count, named: name, type)
    }

    /// The value of the column at `index`, called `name` in errors.
    func value<S: StoredValue>(_ index: Int, named name: String, _ type: S.Type) throws(SQLiteError) -> S {
        guard let text = string(index), let state = S(rawValue: text) else {
            throw SQLiteError(code: 11, message: "a stored row names an unknown \(S.self) in \(name): \(string(index).map { Quoted($0).description } ?? "NULL")", sql: nil)
        }
        return state
    }
}

extension WindowState: StoredValue {}
extension TargetState: StoredValue {}
extension WindowOrigin: StoredValue {}
extension NoticeState: StoredValue {}
extension DeliveryState: StoredValue {}
extension StageFailure: StoredValue {}
extension AnnouncementEvent: StoredValue {}
extension HealthFailure: StoredValue {}
