import Foundation
import MaintCore

/// What a channel's deliveries made for a window on the other side: a status page's incident id.
extension MaintenanceStore {
    public func reference(channel: String, window: String) throws(SQLiteError) -> String? {
        try database.row("SELECT reference FROM channel_references WHERE channel = ? AND window_id = ?", [channel, window])?.string(0)
    }

    public func saveReference(_ reference: String, channel: String, window: String) throws(SQLiteError) {
        try database.run("""
            INSERT INTO channel_references (channel, window_id, reference) VALUES (?, ?, ?)
            ON CONFLICT (channel, window_id) DO UPDATE SET reference = excluded.reference
            """, [channel, window, reference])
    }

    /// Each channel's reference for a window, by channel.
    public func references(window: String) throws(SQLiteError) -> [String: String] {
        var result: [String: String] = [:]
        for row in try database.rows("SELECT channel, reference FROM channel_references WHERE window_id = ?", [window]) {
            result[row.string(0) ?? ""] = row.string(1) ?? ""
        }
        return result
    }

    /// Whether a delivery of the same window to the same channel, queued after this one, was
    /// delivered: this one (retried late by hand) would set back what that one set.
    public func hasLaterDeliveredDelivery(than delivery: DeliveryRecord) throws(SQLiteError) -> Bool {
        try database.row("""
            SELECT 1 FROM outbox WHERE state = 'delivered' AND channel = ?1 AND window_id IS ?2
              AND rowid > (SELECT rowid FROM outbox WHERE id = ?3) LIMIT 1
            """, [delivery.channel, delivery.windowId, delivery.id]) != nil
    }
}
