import Foundation
import MaintCore
import MaintNet
import MaintStore

extension Engine {
    /// Queues `event` for every channel of the window that wants it. Called inside the transaction
    /// of the state change that caused it, so the change and its announcements land together.
    func enqueue(_ event: String, window: WindowRecord, now: Date, extra: [String: JSONValue] = [:]) throws {
        let nowMs = Self.milliseconds(now)
        let current = try store.window(window.id) ?? window
        let targets = try store.targets(of: window.id)
        for name in current.channels {
            guard let channel = schedule.channels[name], channel.wants(event) else { continue }
            let body = Payload.body(event: event, window: current, targets: targets, zone: channel.timezone, now: now, extra: extra)
            // The id is the Standard Webhooks `webhook-id`: the same on every retry.
            let id = "msg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try store.enqueue(DeliveryRecord(id: id, channel: name, event: event, windowId: window.id, body: body, state: "pending",
                                             attempts: 0, maxAttempts: channel.attempts, nextAttemptAt: nowMs, lastError: nil,
                                             createdAt: nowMs, deliveredAt: nil))
        }
    }

    func sendDueDeliveries(now: Date) throws {
        for delivery in try store.dueDeliveries(now: Self.milliseconds(now)) where !busy.contains("d|\(delivery.id)") {
            guard let channel = schedule.channels[delivery.channel] else {
                recordDelivery(delivery, error: "channel \"\(delivery.channel)\" is no longer defined in the schedule files", final: true, now: now)
                continue
            }
            let context = TemplateContext(values: [:], secrets: builder.secrets)
            do {
                let url = try channel.url.render(context)
                var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
                let timestamp = Int64(now.timeIntervalSince1970)
                headers.append(("webhook-id", delivery.id))
                headers.append(("webhook-timestamp", String(timestamp)))
                if let secret = try channel.secret?.render(context) {
                    headers.append(("webhook-signature", WebhookSigner.signature(id: delivery.id, timestamp: timestamp, body: delivery.body, secret: secret)))
                }
                let request = HTTPRequest(method: "POST", url: url, headers: headers, body: Data(delivery.body.utf8), timeoutMilliseconds: 15_000)
                busy.insert("d|\(delivery.id)")
                jobs[pool.add(request)] = .delivery(id: delivery.id, secrets: channel.url.secretNames + (channel.secret?.secretNames ?? []))
            } catch {
                recordDelivery(delivery, error: error.description, final: false, now: now)
            }
        }
    }

    func completeDelivery(id: String, secrets: [String], result: Result<HTTPResponse, TransferError>, now: Date) {
        busy.remove("d|\(id)")
        guard let delivery = try? store.deliveries().first(where: { $0.id == id }) else { return }
        switch result {
        case .success(let response) where (200...299).contains(response.status):
            var delivered = delivery
            delivered.state = "delivered"
            delivered.attempts += 1
            delivered.deliveredAt = Self.milliseconds(now)
            delivered.lastError = nil
            do {
                try store.saveDelivery(delivered)
            } catch {
                log(.error, "delivery \(id): delivered but cannot record it: \(error)")
            }
            log(.info, "delivery \(id): \(delivery.event) to \(delivery.channel) delivered (HTTP \(response.status))")
        case .success(let response):
            recordDelivery(delivery, error: "HTTP \(response.status)", final: false, now: now)
        case .failure(let error):
            recordDelivery(delivery, error: builder.redact(error.message, names: secrets), final: false, now: now)
        }
    }

    func recordDelivery(_ delivery: DeliveryRecord, error: String, final: Bool, now: Date) {
        var failed = delivery
        failed.attempts += 1
        failed.lastError = error
        let nowMs = Self.milliseconds(now)
        let dead = final || failed.attempts >= failed.maxAttempts
        if dead {
            failed.state = "dead"
        } else {
            failed.nextAttemptAt = nowMs + Backoff(base: 2_000, cap: 300_000).delay(afterAttempts: failed.attempts)
        }
        do {
            try store.transaction {
                try store.saveDelivery(failed)
                if dead {
                    try store.appendEvent(at: nowMs, window: delivery.windowId, kind: "delivery.dead",
                                          message: "\(delivery.event) to \(delivery.channel) gave up after \(failed.attempts) attempt(s): \(error) (delivery \(delivery.id))")
                }
            }
        } catch {
            log(.error, "delivery \(delivery.id): cannot record the failure: \(error)")
        }
        log(dead ? .error : .warning, "delivery \(delivery.id): \(delivery.event) to \(delivery.channel) failed: \(error)\(dead ? " (dead)" : ", will retry")")
    }
}
