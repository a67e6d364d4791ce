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
                guard let action = schedule.targets[target.target]?.notice else { continue }
                try queue(channel: Self.bannerPrefix + target.target, attempts: action.retries + 1) { _ in extra["notice"]?["offset"]?.stringValue ?? "" }
            }
        }
    }

    /// A Standard Webhooks id: the same on every retry of the delivery.
    static func newDeliveryId() -> String { "msg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    /// Exactly what a channel is sent for an event: the webhook body, or the whole e-mail.
    public func render(_ event: AnnouncementEvent, window: WindowRecord, targets: [TargetStateRecord], channel: ChannelConfig,
                       extra: [String: JSONValue], now: Date, id: String) -> String {
        let announcement = Announcement(event: event, window: window, targets: targets, channel: channel, extra: extra, now: now)
        switch channel.kind {
        case .webhook(let webhook):
            switch webhook.format {
            case .slack: return ChatPayload.slack(announcement)
            case .teams: return ChatPayload.teams(announcement)
            case .discord: return ChatPayload.discord(announcement)
            case .json: return Payload.body(announcement)
            }
        case .email(let email):
            let invites = window.endAt != nil && [.scheduled, .notice, .updated, .extended, .canceled].contains(event)
            let invitation = invites ? CalendarFeed(store: store, schedule: schedule).invitation(for: window) : nil
            return MailMessage.render(announcement, email: email, id: id, invitation: invitation)
        }
    }

    func sendDueDeliveries(now: Date) throws {
        for delivery in try store.dueDeliveries(now: Self.milliseconds(now)) where !busy.contains(.delivery(delivery.id)) {
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
                let context = TemplateContext(values: [:], secrets: builder.secrets)
                let tag: Int
                switch channel.kind {
                case .webhook(let webhook):
                    var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
                    if webhook.format == .json {
                        let timestamp = Int64(now.timeIntervalSince1970)
                        headers.append(("webhook-id", delivery.id))
                        headers.append(("webhook-timestamp", String(timestamp)))
                        if let secret = try webhook.secret?.render(context) {
                            headers.append(("webhook-signature", WebhookSigner.signature(id: delivery.id, timestamp: timestamp, body: delivery.body, secret: secret)))
                        }
                    }
                    tag = pool.add(HTTPRequest(method: "POST", url: try webhook.url.render(context), headers: headers,
                                               body: Data(delivery.body.utf8), timeoutMilliseconds: 15_000))
                case .email(let email):
                    tag = pool.add(MailRequest(
                        url: try email.server.render(context), from: MailAddress.bare(email.from) ?? email.from,
                        recipients: email.to.compactMap(MailAddress.bare), message: Data(delivery.body.utf8), user: email.user,
                        password: try email.password?.render(context), startTLS: Self.transport(email.startTLS),
                        caFile: email.caFile, timeoutMilliseconds: email.timeoutMilliseconds))
                }
                busy.insert(.delivery(delivery.id))
                busyChannels.insert(delivery.channel)
                jobs[tag] = .delivery(id: delivery.id, secrets: channel.secretNames)
            } catch {
                recordDelivery(delivery, error: "\(error)", final: false, now: now)
            }
        }
    }

    /// A target's `notice` request, rendered with the window as it is now.
    func sendBanner(_ delivery: DeliveryRecord, now: Date) throws {
        let name = String(delivery.channel.dropFirst(Self.bannerPrefix.count))
        guard let target = schedule.targets[name], let action = target.notice, let windowId = delivery.windowId,
              let window = try store.window(windowId) else {
            recordDelivery(delivery, error: "target \(name) or its notice request is no longer defined", final: true, now: now)
            return
        }
        let request = try builder.request(action, values: WindowContext.values(window, target: name, zone: target.timezone, now: now))
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
                accepted = schedule.targets[name]?.notice?.accepts(response.status) ?? false
            } else {
                accepted = (200...299).contains(response.status)  // HTTP 2xx, or SMTP 250 after the message
            }
            guard accepted else {
                recordDelivery(delivery, error: "answered \(response.status)", final: false, now: now)
                return
            }
            var delivered = delivery
            delivered.state = .delivered
            delivered.attempts += 1
            delivered.deliveredAt = Self.milliseconds(now)
            delivered.lastError = nil
            do {
                try store.saveDelivery(delivered)
            } catch {
                log(.error, "delivery \(id): delivered but cannot record it: \(error)")
            }
            log(.info, "delivery \(id): \(delivery.event) to \(delivery.channel) delivered (\(response.status))")
        case .failure(let error):
            recordDelivery(delivery, error: scrub(error.message, secrets), final: false, now: now)
        }
    }

    func recordDelivery(_ delivery: DeliveryRecord, error: String, final: Bool, now: Date) {
        var failed = delivery
        failed.attempts += 1
        failed.lastError = error
        let nowMs = Self.milliseconds(now)
        let dead = final || failed.attempts >= failed.maxAttempts
        if dead {
            failed.state = .dead
        } else {
            failed.nextAttemptAt = nowMs + deliveryBackoff.delay(afterAttempts: failed.attempts)
        }
        do {
            try store.transaction {
                try store.saveDelivery(failed)
                if dead {
                    try store.appendEvent(at: nowMs, window: delivery.windowId, kind: "delivery.dead",
                                          message: "\(delivery.event) to \(delivery.channel) gave up after \(failed.attempts) attempt(s): \(error); `maint retry \(delivery.id)` sends it again")
                }
            }
        } catch {
            log(.error, "delivery \(delivery.id): cannot record the failure: \(error)")
        }
        log(dead ? .error : .warning, "delivery \(delivery.id): \(delivery.event) to \(delivery.channel) failed: \(error)\(dead ? " (dead)" : ", will retry")")
    }

    /// Sends a dead (or pending) delivery again, now, with the same id and body.
    public func retryDelivery(_ id: String, now: Date) throws {
        guard var delivery = try store.delivery(id) else { throw CommandRefusal(.input, "no delivery \(Quoted(id)) (see `maint status` or `maint show WINDOW`)") }
        guard delivery.state != .delivered else { throw CommandRefusal(.state, "delivery \(id) was delivered already") }
        delivery.state = .pending
        delivery.attempts = 0
        delivery.nextAttemptAt = Self.milliseconds(now)
        try store.transaction {
            try store.saveDelivery(delivery)
            try store.appendEvent(at: Self.milliseconds(now), window: delivery.windowId, kind: "delivery.retry",
                                  message: "\(delivery.event) to \(delivery.channel): sent again on request (delivery \(id))")
        }
    }

    /// The channel's STARTTLS choice as libcurl's request takes it.
    static func transport(_ startTLS: StartTLS) -> MailRequest.StartTLS {
        switch startTLS {
        case .required: return .required
        case .optional: return .optional
        case .off: return .off
        }
    }
}
