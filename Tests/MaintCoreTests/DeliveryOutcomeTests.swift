import MaintCore
import Testing

/// An announcement's answers, decided on values: delivered, tried again with backoff, or dead.
struct DeliveryOutcomeTests {
    static let now: Int64 = 1_900_000_000_000

    static func delivery(attempts: Int = 0, maxAttempts: Int = 3) -> DeliveryRecord {
        DeliveryRecord(id: "msg_1", channel: "ops", event: .start, windowId: "w", body: "{}", state: .pending, attempts: attempts,
                       maxAttempts: maxAttempts, nextAttemptAt: now, lastError: "before", createdAt: now, deliveredAt: nil)
    }

    @Test func anAcceptedDeliveryIsDeliveredAndForgetsItsLastError() {
        let delivered = DeliveryOutcome.delivered(Self.delivery(attempts: 1), now: Self.now + 5)
        #expect(delivered.state == .delivered && delivered.attempts == 2 && delivered.deliveredAt == Self.now + 5 && delivered.lastError == nil)
    }

    @Test func aRefusedDeliveryIsTriedAgainAfterItsBackoffUntilItsLastAttempt() {
        let (retried, dead) = DeliveryOutcome.failed(Self.delivery(attempts: 1), error: "answered 503", final: false, now: Self.now) { 2_000 * Int64($0) }
        #expect(dead == nil)
        #expect(retried.state == .pending && retried.attempts == 2 && retried.nextAttemptAt == Self.now + 4_000)
        #expect(retried.lastError == "answered 503")
        let (last, message) = DeliveryOutcome.failed(retried, error: "answered 503", final: false, now: Self.now) { _ in 1 }
        #expect(last.state == .dead && last.attempts == 3)
        #expect(message == "start to ops gave up after 3 attempt(s): answered 503; `maint retry msg_1` sends it again")
    }

    @Test func aFailureNoRetryCanMendIsDeadAtOnce() {
        let (record, dead) = DeliveryOutcome.failed(Self.delivery(), error: "channel \"ops\" is no longer defined", final: true, now: Self.now) { _ in 1 }
        #expect(record.state == .dead && record.attempts == 1)
        #expect(dead != nil)
    }
}
