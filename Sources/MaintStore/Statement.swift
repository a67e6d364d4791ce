import CSQLite

/// A prepared statement, finalized when released.
public final class Statement {
    let handle: OpaquePointer
    let sql: String
    unowned let database: Database

    init(database: Database, sql: String) throws(SQLiteError) {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v2(database.handle, sql, -1, &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw SQLiteError(code: code, message: database.lastMessage, sql: sql)
        }
        self.handle = handle
        self.sql = sql
        self.database = database
        columns = (0..<sqlite3_column_count(handle)).map { column in sqlite3_column_name(handle, column).map { String(cString: $0) } ?? "" }
        parameterCount = Int(sqlite3_bind_parameter_count(handle))
    }

    /// How many parameters the statement takes: when every one is given, none is left from the
    /// last use, and the bindings need no clearing first.
    let parameterCount: Int

    /// The result columns' names, in order: rows are read by name, so that a query's column
    /// order can change without shifting every field.
    let columns: [String]

    deinit { sqlite3_finalize(handle) }

    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// Binds each value in turn (read straight from the caller's array: no copy is made).
    public func bind(_ values: [any SQLConvertible]) throws(SQLiteError) {
        sqlite3_reset(handle)
        if values.count < parameterCount { sqlite3_clear_bindings(handle) }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value.sqlValue {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .real(let number): code = sqlite3_bind_double(handle, index, number)
            // The string's own bytes where it keeps them (no array made); SQLite copies them.
            case .text(let text): code = text.withCString { sqlite3_bind_text(handle, index, $0, -1, Self.transient) }
            }
            guard code == SQLITE_OK else { throw SQLiteError(code: code, message: database.lastMessage, sql: sql) }
        }
    }

    /// Steps once: true while a row is available.
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError(code: sqlite3_extended_errcode(database.handle), message: database.lastMessage, sql: sql)
        }
    }

    public func row() -> Row {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        for column in 0..<sqlite3_column_count(handle) {
            switch sqlite3_column_type(handle, column) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, column)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(handle, column)))
            case SQLITE_NULL: values.append(.null)
            default:
                if let text = sqlite3_column_text(handle, column) {
                    values.append(.text(String(cString: text)))
                } else {
                    values.append(.null)
                }
            }
        }
        return Row(values: values, columns: columns)
    }
}

public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
}

/// One result row, read by column index.
public struct Row: Sendable {
    public var values: [SQLValue]
    /// The columns' names, in order (one array shared by a statement's rows). A name is found by
    /// comparing: a query has a dozen columns, and a short name compares in one step where a
    /// dictionary would hash it.
    let columns: [String]

    public func int(_ name: String) -> Int64? { columns.firstIndex(of: name).flatMap(int) }
    public func string(_ name: String) -> String? { columns.firstIndex(of: name).flatMap(string) }

    public func int(_ index: Int) -> Int64? {
        guard index < values.count else { return nil }
        switch values[index] {
        case .integer(let number): return number
        case .real(let number): return Int64(exactly: number.rounded(.down))
        case .text(let text): return Int64(text)
        case .null: return nil
        }
    }

    public func string(_ index: Int) -> String? {
        guard index < values.count else { return nil }
        switch values[index] {
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .null: return nil
        }
    }
}

public protocol SQLConvertible {
    var sqlValue: SQLValue { get }
}

extension Int64: SQLConvertible { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLConvertible { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension String: SQLConvertible { public var sqlValue: SQLValue { .text(self) } }
extension Optional: SQLConvertible where Wrapped: SQLConvertible {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
