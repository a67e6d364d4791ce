import Foundation
import MaintCore

/// The daemon's stored copy of the files' definitions (`StoredDefinition`), with their stamp.
extension MaintenanceStore {
    /// Replaces the copy: rows whose text is unchanged are not written, rows no longer defined
    /// are removed, and the stamp is set last, in the caller's transaction.
    public func replaceDefinitions(_ definitions: [StoredDefinition], stamp: String, secretNames: [String]) throws(SQLiteError) {
        var kept = Set<String>()
        for definition in definitions {
            kept.insert(definition.section.rawValue + "/" + definition.name)
            try database.run("""
                INSERT INTO definitions (section, name, file, body) VALUES (?, ?, ?, ?)
                ON CONFLICT (section, name) DO UPDATE SET file = excluded.file, body = excluded.body
                WHERE file IS NOT excluded.file OR body IS NOT excluded.body
                """, [definition.section.rawValue, definition.name, definition.file, definition.body])
        }
        for row in try database.rows("SELECT section, name FROM definitions") {
            let section = row.string(0) ?? "", name = row.string(1) ?? ""
            if !kept.contains(section + "/" + name) {
                try database.run("DELETE FROM definitions WHERE section = ? AND name = ?", [section, name])
            }
        }
        try setSetting("definitions.secrets", secretNames.joined(separator: "\n"))
        try setSetting("definitions.stamp", stamp)
    }

    func setSetting(_ key: String, _ value: String) throws(SQLiteError) {
        try database.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])
    }

    /// The names of the secrets the stored files use (names only, never values).
    public func definitionSecretNames() throws(SQLiteError) -> [String]? {
        try database.row("SELECT value FROM settings WHERE key = 'definitions.secrets'")?.string(0).map {
            $0.split(separator: "\n").map(String.init)
        }
    }

    /// The copy is no longer the files' (they could not all be stored): the next start reads them.
    public func forgetDefinitionStamp() throws(SQLiteError) {
        try database.run("DELETE FROM settings WHERE key = 'definitions.stamp'")
    }

    public func definitionStamp() throws(SQLiteError) -> String? {
        try database.row("SELECT value FROM settings WHERE key = 'definitions.stamp'")?.string(0)
    }

    /// Every stored definition of the sections given.
    public func definitions(_ sections: [StoredDefinition.Section]) throws(SQLiteError) -> [StoredDefinition] {
        var found: [StoredDefinition] = []
        for section in sections {
            for row in try database.rows("SELECT name, file, body FROM definitions WHERE section = ?", [section.rawValue]) {
                found.append(StoredDefinition(section: section, name: row.string(0) ?? "", file: row.string(1) ?? "", body: row.string(2) ?? ""))
            }
        }
        return found
    }

    public func definition(_ section: StoredDefinition.Section, named name: String) throws(SQLiteError) -> StoredDefinition? {
        try database.row("SELECT file, body FROM definitions WHERE section = ? AND name = ?", [section.rawValue, name]).map {
            StoredDefinition(section: section, name: name, file: $0.string(0) ?? "", body: $0.string(1) ?? "")
        }
    }

    /// The names stored in a section.
    public func definitionNames(_ section: StoredDefinition.Section) throws(SQLiteError) -> [String] {
        try database.rows("SELECT name FROM definitions WHERE section = ?", [section.rawValue]).compactMap { $0.string(0) }
    }
}
