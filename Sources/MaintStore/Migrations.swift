/// The schema, one step per `user_version`. Steps are only ever appended.
enum Migrations {
    static let steps: [String] = [
        """
        CREATE TABLE windows (
            id TEXT PRIMARY KEY,
            origin TEXT NOT NULL,
            source_file TEXT,
            headline TEXT NOT NULL,
            message TEXT NOT NULL,
            page TEXT NOT NULL DEFAULT '{}',
            selectors TEXT NOT NULL DEFAULT '[]',
            channels TEXT NOT NULL DEFAULT '[]',
            timezone TEXT NOT NULL,
            start_at INTEGER NOT NULL,
            end_at INTEGER,
            health_timeout_ms INTEGER,
            state TEXT NOT NULL,
            fingerprint TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX windows_state ON windows(state, start_at);
        CREATE TABLE window_targets (
            window_id TEXT NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
            target TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            phase_started_at INTEGER,
            activated_at INTEGER,
            deactivated_at INTEGER,
            last_error TEXT,
            health TEXT,
            PRIMARY KEY (window_id, target)
        );
        CREATE TABLE notices (
            window_id TEXT NOT NULL REFERENCES windows(id) ON DELETE CASCADE,
            offset_ms INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            state TEXT NOT NULL,
            PRIMARY KEY (window_id, offset_ms)
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            window_id TEXT,
            target TEXT,
            kind TEXT NOT NULL,
            message TEXT NOT NULL,
            detail TEXT
        );
        CREATE INDEX events_window ON events(window_id, id);
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            channel TEXT NOT NULL,
            event TEXT NOT NULL,
            window_id TEXT,
            body TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT,
            created_at INTEGER NOT NULL,
            delivered_at INTEGER
        );
        CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
        """,
        """
        ALTER TABLE windows ADD COLUMN series TEXT;
        CREATE INDEX windows_series ON windows(series, state, start_at);
        """,
        """
        ALTER TABLE window_targets ADD COLUMN stage INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE windows ADD COLUMN on_failure TEXT NOT NULL DEFAULT 'halt';
        ALTER TABLE windows ADD COLUMN max_parallel INTEGER;
        """,
        """
        ALTER TABLE window_targets ADD COLUMN driver_state TEXT;
        """,
        """
        ALTER TABLE windows ADD COLUMN on_health_failure TEXT NOT NULL DEFAULT 'alert';
        ALTER TABLE windows ADD COLUMN end_when_healthy INTEGER NOT NULL DEFAULT 0;
        """,
        // What is due is found through indexes, not by reading every open window: the scheduler's
        // rounds and its sleep cost the same with a hundred thousand windows planned as with ten.
        """
        CREATE INDEX windows_end ON windows(state, end_at);
        CREATE INDEX windows_end_when_healthy ON windows(end_when_healthy) WHERE end_when_healthy = 1;
        CREATE INDEX notices_due ON notices(state, due_at);
        CREATE INDEX window_targets_attempt ON window_targets(next_attempt_at) WHERE next_attempt_at IS NOT NULL;
        CREATE INDEX window_targets_target ON window_targets(target, state);
        """,
        // 7: who asked for a change (the control socket's caller, an API token).
        """
        ALTER TABLE events ADD COLUMN actor TEXT;
        """,
        // 8: the Idempotency-Key of each window created through the API, kept a day.
        """
        CREATE TABLE idempotency_keys (
            key TEXT PRIMARY KEY,
            request TEXT NOT NULL,
            window_id TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
        """,
        // 9: the daemon's copy of the files' targets, channels and api section, and the stamp of
        // the files they came from: a restart with the same files is ready without reading them.
        """
        CREATE TABLE definitions (
            section TEXT NOT NULL,
            name TEXT NOT NULL,
            file TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (section, name)
        ) WITHOUT ROWID;
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
        // 10: what a channel's deliveries made for a window on the other side (a status page's
        // incident), for the window's later deliveries to change it.
        """
        CREATE TABLE channel_references (
            channel TEXT NOT NULL,
            window_id TEXT NOT NULL REFERENCES windows(id),
            reference TEXT NOT NULL,
            PRIMARY KEY (channel, window_id)
        ) WITHOUT ROWID;
        """,
        // 11: the index of the windows' targets by name alone: with the state in it, every change
        // of a target's state rewrote it, two entries per switch of each site. Who else holds a
        // target reads the state from each row the name finds (a target is in a few windows).
        """
        DROP INDEX window_targets_target;
        CREATE INDEX window_targets_by_target ON window_targets(target);
        """,
        // 12: event ids without AUTOINCREMENT, which read and rewrote a row of sqlite_sequence
        // at every event. Events are never deleted, so the next id is still one past the last.
        """
        CREATE TABLE events_without_sequence (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            window_id TEXT,
            target TEXT,
            kind TEXT NOT NULL,
            message TEXT NOT NULL,
            detail TEXT,
            actor TEXT
        );
        INSERT INTO events_without_sequence (id, at, window_id, target, kind, message, detail, actor)
            SELECT id, at, window_id, target, kind, message, detail, actor FROM events;
        DROP TABLE events;
        ALTER TABLE events_without_sequence RENAME TO events;
        CREATE INDEX events_window ON events(window_id, id);
        """,
    ]

    /// Applies the missing steps. The version is read inside the write transaction, so two
    /// processes opening a new file at once (the daemon and a CLI) never both migrate it.
    static func apply(to database: Database) throws(SQLiteError) {
        // A cheap read first: nothing to do on every open after the first.
        if Int(try database.row("PRAGMA user_version")?.int(0) ?? 0) == steps.count { return }
        do {
            try database.transaction {
                let version = Int(try database.row("PRAGMA user_version")?.int(0) ?? 0)
                if version > steps.count {
                    throw SQLiteError(code: 1, message: "the database schema (version \(version)) is newer than this maint (version \(steps.count)); upgrade maint", sql: nil)
                }
                for (index, step) in steps.enumerated().dropFirst(version) {
                    try database.execute(step)
                    try database.execute("PRAGMA user_version = \(index + 1)")
                }
            }
        } catch let error as SQLiteError {
            throw error
        } catch {
            throw SQLiteError(code: 1, message: "\(error)", sql: nil)
        }
    }
}
