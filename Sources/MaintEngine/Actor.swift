import Foundation
import MaintCore

/// Who asked the engine for a change, as the event log records it.
public struct Actor: Sendable, Equatable {
    /// Where the request came in, for the log's wording: "the command line", "the control API".
    public var via: String
    /// Who: `uid 1000 (alice)`, `token ci`; stored in the event's `actor` column.
    public var name: String?
    public var origin: WindowOrigin

    public init(via: String, name: String?, origin: WindowOrigin) {
        self.via = via
        self.name = name
        self.origin = origin
    }

    /// The CLI working on the database itself, as the user running it.
    public static var commandLine: Actor { Actor(via: "the command line", name: user(getuid()), origin: .cli) }

    /// A caller of the Unix socket, by the uid the kernel vouches for (`SO_PEERCRED`).
    public static func socket(uid: Int64) -> Actor {
        Actor(via: "the control API", name: uid_t(exactly: uid).map(user) ?? "uid \(uid)", origin: .api)
    }

    /// A caller over TCP, by the name of the token it showed.
    public static func token(_ name: String) -> Actor {
        Actor(via: "the control API", name: "token \(name)", origin: .api)
    }

    /// `uid 1000 (alice)`, or `uid 1000` when the account has no name.
    static func user(_ uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return "uid \(uid)" }
        return "uid \(uid) (\(String(cString: name)))"
    }
}
