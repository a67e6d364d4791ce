import CCurl
import Foundation
import Synchronization

/// A second libcurl multi handle, driven by a thread of its own, for half of a crowd (a fleet
/// switched at once): most of a transfer's cost is the kernel's TCP work and libcurl's, done
/// by the thread that drives its handle, so one thread holds a fleet's switch to one core.
///
/// The pool hands transfers over (`hand`) and takes them back finished (`takeFinished`),
/// already removed from this lane's handle. A transfer belongs to one thread at a time: it
/// passes between them only through the lane's lock. Idle, the thread sleeps in `curl_multi_poll`
/// until it is handed more; no timer wakes it.
final class TransferLane: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    /// The pool's own handle: woken from its poll when a transfer here finishes.
    private let owner: UnsafeMutableRawPointer
    private let shared = Mutex(Shared())
    private let stopped = DispatchSemaphore(value: 0)
    /// Whether the thread was started (read and written by the pool's thread only).
    private var started = false

    private struct Shared {
        var arriving: [Transfer] = []
        var finished: [(transfer: Transfer, code: CURLcode)] = []
        var stopping = false
    }

    init(wakingWhenDone owner: UnsafeMutableRawPointer) {
        // curl_multi_init only fails when out of memory.
        guard let multi = curl_multi_init() else { preconditionFailure("curl_multi_init failed: out of memory") }
        self.multi = multi
        self.owner = owner
        _ = maint_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8)
    }

    /// Gives transfers to the lane's thread, started the first time.
    func hand(_ transfers: [Transfer]) {
        guard !transfers.isEmpty else { return }
        shared.withLock { $0.arriving += transfers }
        if started {
            curl_multi_wakeup(multi)
        } else {
            started = true
            Thread.detachNewThread { [self] in run() }
        }
    }

    /// The transfers that finished since the last call, with libcurl's result for each.
    func takeFinished() -> [(transfer: Transfer, code: CURLcode)] {
        shared.withLock { shared in
            defer { shared.finished = [] }
            return shared.finished
        }
    }

    /// Stops the thread (transfers still running are dropped) and frees the handle.
    func stop() {
        if started {
            shared.withLock { $0.stopping = true }
            curl_multi_wakeup(multi)
            stopped.wait()
        }
        curl_multi_cleanup(multi)
    }

    private func run() {
        var inFlight: [UnsafeMutableRawPointer: Transfer] = [:]
        while true {
            let (arriving, stopping) = shared.withLock { shared in
                defer { shared.arriving = [] }
                return (shared.arriving, shared.stopping)
            }
            if stopping { break }
            for transfer in arriving {
                inFlight[transfer.easy] = transfer
                curl_multi_add_handle(multi, transfer.easy)
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            let finished = TransferPool.takeFinished(from: multi, among: inFlight)
            for (transfer, _) in finished { inFlight[transfer.easy] = nil }
            if !finished.isEmpty {
                shared.withLock { $0.finished += finished }
                curl_multi_wakeup(owner)
            }
            // libcurl shortens the wait to its own next timeout while transfers run.
            var ready: Int32 = 0
            curl_multi_poll(multi, nil, 0, Int32.max, &ready)
        }
        for easy in inFlight.keys { curl_multi_remove_handle(multi, easy) }
        inFlight.removeAll()
        stopped.signal()
    }
}
