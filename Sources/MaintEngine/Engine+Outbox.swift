import Foundation
import MaintCore
import MaintNet
import MaintStore

extension Engine {
    /// Deliveries to a target's own `notice` request (an in-app banner) use this channel prefix.
    static let bannerPrefix = "target:"

    /// Queues `event` for every channel of the window that wants it, and, for a notice, the
    /// in-app banner of every target that has a `notice` request. Called inside the transaction of
    /// the state change that caused it, so the change and its announcements land together. The
    /// body is rendered now, so every retry sends the same bytes.
    func enqueue(_ event: AnnouncementEvent, window: WindowRecord, now: Date, extra: [String: JSONValue] = [:]) throws {
        // Most windows of a large schedule have nobody to tell: nothing is read for them.
        let wanted = window.channels.contains { schedule.channels[$0]?.wants(event) == true }
        guard wanted || event == .notice else { return }
        let nowMs = Self.milliseconds(now)
        let current = try store.window(window.id) ?? window
        let targets = try store.targets(of: window.id)
        func queue(channel: String, attempts: Int, body: (String) -> String) throws {
            let id = Self.newDeliveryId()
            try store.enqueue(DeliveryRecord(id: id, channel: channel, event: event, windowId: window.id, body: body(id),
                                             state: .pending, attempts: 0, maxAttempts: attempts, nextAttemptAt: nowMs,
                                             lastError: nil, createdAt: nowMs, deliveredAt: nil))
        }
        for name in current.channels {
            guard let channel = schedule.channels[name], channel.wants(event) else { continue }
            // The e-mail's Message-ID is made from the delivery id, so the body is rendered with it.
            try queue(channel: name, attempts: channel.attempts) {
                render(event, window: current, targets: targets, channel: channel, extra: extra, now: now, id: $0)
            }
        }
        if event == .notice {
            for target in targets {
                guard let action = targetConfig(target.target)?.notice else { continue }
                try queue(channel: Self.bannerPrefix + target.target, attempts: action.retries + 1) { _ in extra["notice"]?["offset"]?.stringValue ?? "" }
            }
        }
    }

    /// A Standard Webhooks id: the same on every retry of the delivery.
    static func newDeliveryId() -> String { "msg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    /// Exactly what a channel is sent for an event: the webhook body, or the whole e-mail.
    public func render(_ event: AnnouncementEvent, window: WindowRecord, targets: [TargetStateRecord], channel: ChannelConfig,
                       extra: [String: JSONValue], now: Date, id: String) -> String {
        var names: [String: String] = [:]
        for target in targets { names[target.target] = targetConfig(target.target)?.displayName }
        let announcement = Announcement(event: event, window: window, targets: targets, channel: channel, extra: extra, now: now, displayNames: names)
        let invitation = window.endAt != nil && channel.kind.invites(event) ? CalendarFeed(store: store, schedule: schedule).invitation(for: window) : nil
        return channel.kind.render(announcement, id: id, invitation: invitation)
    }

    /// The pending deliveries (in the order they were queued) that wait for an earlier pending one
    /// of the same window to the same ordered channel: what `sendDueDeliveries` leaves and the
    /// loop does not wake for.
    func heldDeliveries(_ pending: [(id: String, channel: String, window: String?, at: Int64)]) -> Set<String> {
        var first = Set<String>()
        var held = Set<String>()
        for delivery in pending {
            guard let kind = schedule.channels[delivery.channel]?.kind, type(of: kind).ordered else { continue }
            if !first.insert(delivery.channel + "\n" + (delivery.window ?? "")).inserted { held.insert(delivery.id) }
        }
        return held
    }

    func sendDueDeliveries(now: Date) throws {
        let due = try store.dueDeliveries(now: Self.milliseconds(now))
        guard !due.isEmpty else { return }
        // Only a schedule with an ordered channel (a status page) reads every pending delivery.
        let ordered = schedule.channels.values.contains { type(of: $0.kind).ordered }
        let held = ordered ? heldDeliveries(try store.pendingDeliveryTimes()) : []
        for delivery in due where !busy.contains(.delivery(delivery.id)) && !held.contains(delivery.id) {
            // Oldest first, one at a time per channel: `start` never overtakes `scheduled`.
            guard !busyChannels.contains(delivery.channel) else { continue }
            do {
                if delivery.channel.hasPrefix(Self.bannerPrefix) {
                    try sendBanner(delivery, now: now)
                    continue
                }
                guard let channel = schedule.channels[delivery.channel] else {
                    recordDelivery(delivery, error: "channel \"\(delivery.channel)\" is no longer defined in the schedule files", final: true, now: now)
                    continue
                }
                // A status page: each change waits for the one before, never undoes a later one, is
                // given what the earlier ones made, and keeps the platform's rate limit.
                var reference: String?
                if type(of: channel.kind).ordered {
                    if try store.hasLaterDeliveredDelivery(than: delivery) {
                        try recordUnneeded(delivery, reason: "a later event has changed it since", now: now)
                        continue
                    }
                    reference = try delivery.windowId.flatMap { window throws(SQLiteError) in try store.reference(channel: delivery.channel, window: window) }
                }
                let pacing = channel.kind.pacing
                if let pacing, let until = pacedUntil[pacing.key], until > now { continue }
                let context = DeliveryContext(id: delivery.id, event: delivery.event, reference: reference, now: now, secrets: builder.secrets,
                                              authenticate: HMACSHA256.authenticate)
                let tag: Int
                switch try channel.kind.delivery(of: delivery.body, context) {
                case .request(let request): tag = pool.add(request)
                case .mail(let mail): tag = pool.add(mail)
                case .unneeded(let reason):
                    try recordUnneeded(delivery, reason: reason, now: now)
                    continue
                }
                if let pacing { pacedUntil[pacing.key] = now.addingTimeInterval(pacing.interval) }
                busy.insert(.delivery(delivery.id))
                busyChannels.insert(delivery.channel)
                jobs[tag] = .delivery(id: delivery.id, secrets: channel.secretNames)
            } catch {
                recordDelivery(delivery, error: "\(error)", final: false, now: now)
            }
        }
    }

    /// A delivery with nothing to send is done: said in the log, why.
    func recordUnneeded(_ delivery: DeliveryRecord, reason: String, now: Date) throws {
        try store.saveDelivery(DeliveryOutcome.delivered(delivery, now: Self.milliseconds(now)))
        log(.info, "delivery \(delivery.id): \(delivery.event) to \(delivery.channel): nothing to send, \(reason)")
    }

    /// A target's `notice` request, rendered with the window as it is now.
    func sendBanner(_ delivery: DeliveryRecord, now: Date) throws {
        let name = String(delivery.channel.dropFirst(Self.bannerPrefix.count))
        guard let target = targetConfig(name), let action = target.notice, let windowId = delivery.windowId,
              let window = try store.window(windowId) else {
            recordDelivery(delivery, error: "target \(name) or its notice request is no longer defined", final: true, now: now)
            return
        }
        let request = try builder.request(action, values: values(window, target: target, now: now))
        busy.insert(.delivery(delivery.id))
        busyChannels.insert(delivery.channel)
        jobs[pool.add(request)] = .delivery(id: delivery.id, secrets: action.secretNames)
    }

    func completeDelivery(id: String, secrets: [String], result: Result<HTTPResponse, TransferError>, now: Date) {
        busy.remove(.delivery(id))
        guard let delivery = try? store.delivery(id) else { return }
        busyChannels.remove(delivery.channel)
        let accepted: Bool
        switch result {
        case .success(let response):
            if delivery.channel.hasPrefix(Self.bannerPrefix) {
                let name = String(delivery.channel.dropFirst(Self.bannerPrefix.count))
                accepted = targetConfig(name)?.notice?.accepts(response.status) ?? false
            } else {
                accepted = (200...299).contains(response.status)  // HTTP 2xx, or SMTP 250 after the message
            }
            guard accepted else {
                recordDelivery(delivery, error: "answered \(response.status)", final: false, now: now)
                return
            }
            do {
                let kind = schedule.channels[delivery.channel]?.kind
                try store.transaction {
                    try store.saveDelivery(DeliveryOutcome.delivered(delivery, now: Self.milliseconds(now)))
                    if let window = delivery.windowId, let reference = kind?.reference(from: response) {
                        try store.saveReference(reference, channel: delivery.channel, window: window)
                    }
                }
            } catch {
                log(.error, "delivery \(id): delivered but cannot record it: \(error)")
            }
            // Which protocol answered: an e-mail channel's server speaks SMTP, the rest HTTP.
            let proto = schedule.channels[delivery.channel]?.kind is EmailChannel ? "SMTP" : "HTTP"
            log(.info, "delivery \(id): \(delivery.event) to \(delivery.channel) delivered (\(proto) \(response.status))")
        case .failure(let error):
            recordDelivery(delivery, error: scrub(error.message, secrets), final: false, now: now)
        }
    }

    func recordDelivery(_ delivery: DeliveryRecord, error: String, final: Bool, now: Date) {
        let nowMs = Self.milliseconds(now)
        let (failed, dead) = DeliveryOutcome.failed(delivery, error: error, final: final, now: nowMs) { deliveryBackoff.delay(afterAttempts: $0) }
        do {
            try store.transaction {
                try store.saveDelivery(failed)
                if let dead { try store.appendEvent(at: nowMs, window: delivery.windowId, kind: "delivery.dead", message: dead) }
            }
        } catch {
            log(.error, "delivery \(delivery.id): cannot record the failure: \(error)")
        }
        log(dead != nil ? .error : .warning, "delivery \(delivery.id): \(delivery.event) to \(delivery.channel) failed: \(error)\(dead != nil ? " (dead)" : ", will retry")")
    }

    /// Sends a dead (or pending) delivery again, now, with the same id and body.
    public func retryDelivery(_ id: String, now: Date, by actor: Actor = .commandLine) throws {
        guard var delivery = try store.delivery(id) else { throw CommandRefusal(.notFound, "no delivery \(Quoted(id)) (see `maint status` or `maint show WINDOW`)") }
        guard delivery.state != .delivered else { throw CommandRefusal(.state, "delivery \(id) was delivered already") }
        delivery.state = .pending
        delivery.attempts = 0
        delivery.nextAttemptAt = Self.milliseconds(now)
        try store.transaction {
            try store.saveDelivery(delivery)
            try store.appendEvent(at: Self.milliseconds(now), window: delivery.windowId, kind: "delivery.retry",
                                  message: "\(delivery.event) to \(delivery.channel): sent again on request (delivery \(id))", actor: actor.name)
        }
    }
}
