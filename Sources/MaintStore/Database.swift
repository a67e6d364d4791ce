import CSQLite
import Foundation

/// One connection to the SQLite file, used from one thread.
public final class Database {
    let handle: OpaquePointer
    private var statements: [String: Statement] = [:]
    public let path: String

    /// Opens (creating with mode 0600) the file, in WAL mode with full sync, foreign keys and a
    /// busy timeout, and brings its schema up to date.
    public init(path: String) throws(SQLiteError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        // Create the file ourselves so that it is 0600 whatever the umask.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd < 0 {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot open \(path): \(String(cString: strerror(errno)))", sql: nil)
        }
        close(fd)
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            throw SQLiteError(code: code, message: "\(path): \(message)", sql: nil)
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, 10_000)
        sqlite3_extended_result_codes(handle, 1)
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = FULL")
        try execute("PRAGMA foreign_keys = ON")
        try Migrations.apply(to: self)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    public func execute(_ sql: String) throws(SQLiteError) {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw SQLiteError(code: code, message: message, sql: sql)
        }
    }

    /// A cached prepared statement for `sql`.
    func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] { return cached }
        let statement = try Statement(database: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    public func run(_ sql: String, _ values: [any SQLConvertible] = []) throws(SQLiteError) {
        let statement = try statement(sql)
        try statement.bind(values.map(\.sqlValue))
        while try statement.step() {}
        sqlite3_reset(statement.handle)
    }

    public func rows(_ sql: String, _ values: [any SQLConvertible] = []) throws(SQLiteError) -> [Row] {
        let statement = try statement(sql)
        try statement.bind(values.map(\.sqlValue))
        var rows: [Row] = []
        while try statement.step() { rows.append(statement.row()) }
        sqlite3_reset(statement.handle)
        return rows
    }

    public func row(_ sql: String, _ values: [any SQLConvertible] = []) throws(SQLiteError) -> Row? {
        try rows(sql, values).first
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }

    private var depth = 0

    /// Runs `body` in an immediate transaction: all of it is written, or none of it. Inside
    /// another transaction it is a savepoint: its failure undoes its own writes only, and it is
    /// written when the outer one commits.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let savepoint = "maint_\(depth)"
        try execute(depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT \(savepoint)")
        depth += 1
        do {
            let result = try body()
            depth -= 1
            try execute(depth == 0 ? "COMMIT" : "RELEASE \(savepoint)")
            return result
        } catch {
            depth -= 1
            if depth == 0 {
                try? execute("ROLLBACK")
            } else {
                try? execute("ROLLBACK TO \(savepoint)")
                try? execute("RELEASE \(savepoint)")
            }
            throw error
        }
    }
}
