/// What an answer does to an announcement in the outbox, decided on values.
public enum DeliveryOutcome {
    /// Accepted by the channel.
    public static func delivered(_ delivery: DeliveryRecord, now: Int64) -> DeliveryRecord {
        var delivered = delivery
        delivered.state = .delivered
        delivered.attempts += 1
        delivered.deliveredAt = now
        delivered.lastError = nil
        return delivered
    }

    /// Not accepted: tried again after `backoff(attempts)` milliseconds, or dead after its last
    /// attempt (or a failure no retry can mend, `final`), with the log line that says how to send
    /// it again.
    public static func failed(_ delivery: DeliveryRecord, error: String, final: Bool, now: Int64,
                              backoff: (Int) -> Int64) -> (record: DeliveryRecord, dead: String?) {
        var failed = delivery
        failed.attempts += 1
        failed.lastError = error
        guard final || failed.attempts >= failed.maxAttempts else {
            failed.nextAttemptAt = now + backoff(failed.attempts)
            return (failed, nil)
        }
        failed.state = .dead
        return (failed, "\(delivery.event) to \(delivery.channel) gave up after \(failed.attempts) attempt(s): \(error); `maint retry \(delivery.id)` sends it again")
    }
}
