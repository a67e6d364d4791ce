import Foundation
import MaintCore
import MaintEngine
import MaintNet
import MaintStore
import MaintSystem
import Testing

/// A channel whose deliveries change what the one before made (a status page): the engine sends a
/// window's deliveries to it strictly in order and never lets an old one undo a later one. Driven
/// by a fake clock over a real SQLite file; the page's address refuses connections, and no test
/// here waits for an answer.
struct OrderedChannelTests {
    static let text = """
        {
          targets: { paris: { driver: "file", file: { path: "/nonexistent/maint-test/paris" } } },
          channels: { status: { type: "statuspage", pageId: "pg1", apiKey: "{{secret:SP_KEY}}", api: "http://127.0.0.1:9/v1",
                                components: { paris: "cmp-paris" } } },
          windows: { w: { targets: ["paris"], start: "2030-06-05T02:00:00Z", duration: "1h", channels: ["status"] } },
        }
        """

    func engine(now: Date) throws -> (Engine, MaintenanceStore) {
        let schedule = try ScheduleLoader(now: now).load(sources: [("s.json5", Self.text)])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ordered-\(UUID().uuidString)/maint.db").path
        let store = try MaintenanceStore(path: path)
        let engine = try Engine(store: store, schedule: schedule, secrets: SecretSource(environment: ["SP_KEY": "k"]),
                                log: Log(environment: [:], threshold: .error), pool: TransferPool())
        return (engine, store)
    }

    func at(_ text: String) throws -> Date { try #require(TimeText.parseRFC3339(text)) }

    func delivery(_ id: String, _ event: AnnouncementEvent, state: DeliveryState, next: Date, window: String) -> DeliveryRecord {
        let ms = next.epochMilliseconds
        return DeliveryRecord(id: id, channel: "status", event: event, windowId: window, body: "{}", state: state, attempts: 0, maxAttempts: 3,
                              nextAttemptAt: ms, lastError: nil, createdAt: ms, deliveredAt: state == .delivered ? ms : nil)
    }

    @Test func aLaterDeliveryWaitsForTheOneBeforeAndTheLoopSleepsUntilThatOnesRetry() throws {
        let now = try at("2030-06-05T01:00:00Z")
        let (engine, store) = try engine(now: now)
        try engine.sync(now: now)
        let window = try #require(try store.deliveries().first?.windowId)
        // The creation waits for a retry in a minute; the next change is due now.
        var first = try #require(try store.deliveries().first)
        first.nextAttemptAt = now.addingTimeInterval(60).epochMilliseconds
        first.attempts = 1
        try store.saveDelivery(first)
        try store.enqueue(delivery("msg_later", .updated, state: .pending, next: now, window: window))
        try engine.advance(now: now)
        #expect(!engine.hasWorkInFlight, "nothing is sent before the creation")
        #expect(try store.delivery("msg_later")?.state == .pending)
        #expect(try engine.nextDue(now: now) == now.addingTimeInterval(60), "the loop sleeps until the creation's retry, not at once")
    }

    @Test func anOldDeliveryRetriedAfterALaterOneWentThroughSendsNothing() throws {
        let now = try at("2030-06-05T01:00:00Z")
        let (engine, store) = try engine(now: now)
        try engine.sync(now: now)
        var first = try #require(try store.deliveries().first)
        let window = try #require(first.windowId)
        first.state = .dead
        try store.saveDelivery(first)
        try store.enqueue(delivery("msg_start", .start, state: .delivered, next: now, window: window))
        try engine.retryDelivery(first.id, now: now)
        try engine.advance(now: now)
        #expect(!engine.hasWorkInFlight, "the retried creation would set the page back: it is not sent")
        #expect(try store.delivery(first.id)?.state == .delivered)
    }
}
