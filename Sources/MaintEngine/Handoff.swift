import Synchronization

/// A value passed from one thread to another and taken there once: afterwards neither side holds
/// it unless the taker keeps it (a schedule read off the loop, handed to the engine).
public final class Handoff<Value: Sendable>: Sendable {
    private let slot: Mutex<Value?>

    public init(_ value: Value? = nil) { slot = Mutex(value) }

    public func put(_ value: Value) { slot.withLock { $0 = value } }

    /// The value, once; nil while none is waiting.
    public func take() -> Value? { slot.withLock { value in defer { value = nil }; return value } }
}
