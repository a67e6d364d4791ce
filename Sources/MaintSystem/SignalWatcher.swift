import Dispatch
import Foundation
import Synchronization

/// SIGTERM, SIGINT, SIGHUP and SIGUSR1 as a queue the scheduler loop reads, woken through a `WakeSignal`.
public final class SignalWatcher {
    private let inbox: Inbox
    private var sources: [any DispatchSourceSignal] = []

    final class Inbox: Sendable {
        let received = Mutex<[Int32]>([])
        let wake: WakeSignal
        init(wake: WakeSignal) { self.wake = wake }
    }

    public init(signals: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGUSR1], wake: WakeSignal) {
        let inbox = Inbox(wake: wake)
        self.inbox = inbox
        let queue = DispatchQueue(label: "maint.signals")
        for number in signals {
            // libdispatch installs its own handler; the default action must not run first.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                inbox.received.withLock { $0.append(number) }
                inbox.wake.wake()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Signals received since the last call, in order.
    public func take() -> [Int32] {
        inbox.received.withLock { signals in
            let taken = signals
            signals.removeAll()
            return taken
        }
    }
}
