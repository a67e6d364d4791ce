import CLinux
import Foundation

/// A timer on the wall clock (`timerfd`, `CLOCK_REALTIME`, absolute) that also fires when the
/// clock is stepped (`TFD_TIMER_CANCEL_ON_SET`), so an NTP or manual change is seen at once.
public final class WallClockTimer {
    public let fd: Int32

    public enum Firing { case due, clockChanged, nothing }

    public init() throws(SystemError) {
        let fd = timerfd_create(CLOCK_REALTIME, Int32(TFD_NONBLOCK | TFD_CLOEXEC))
        guard fd >= 0 else { throw SystemError("timerfd_create") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Arms the timer for `date`, or disarms it (while still watching clock steps) when nil.
    public func arm(at date: Date?) {
        var spec = itimerspec()
        // An instant in the past fires at once; a disarmed timer still needs a far value for CANCEL_ON_SET.
        let seconds = date?.timeIntervalSince1970 ?? (Date().timeIntervalSince1970 + 365 * 86_400)
        let clamped = max(seconds, 0.000_001)
        spec.it_value.tv_sec = Int(clamped.rounded(.down))
        spec.it_value.tv_nsec = Int((clamped - clamped.rounded(.down)) * 1_000_000_000)
        if spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0 { spec.it_value.tv_nsec = 1 }
        timerfd_settime(fd, Int32(TFD_TIMER_ABSTIME) | Int32(TFD_TIMER_CANCEL_ON_SET), &spec, nil)
    }

    /// Reads the timer after poll said it is readable.
    public func consume() -> Firing {
        var expirations: UInt64 = 0
        let count = read(fd, &expirations, 8)
        if count == 8 { return .due }
        if count < 0 && errno == ECANCELED { return .clockChanged }
        return .nothing
    }
}

/// A counter other threads (signal handlers' queue) bump to wake the loop: `eventfd`.
public final class WakeSignal: Sendable {
    public let fd: Int32

    public init() throws(SystemError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw SystemError("eventfd") }
        self.fd = fd
    }

    deinit { close(fd) }

    public func wake() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    public func drain() {
        var value: UInt64 = 0
        _ = read(fd, &value, 8)
    }
}

public struct SystemError: Error, Sendable, CustomStringConvertible {
    public var call: String
    public var code: Int32

    public init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    public var description: String { "\(call): \(String(cString: strerror(code)))" }
}
