/// Where a value sits in a schedule document: `windows.db-upgrade.notices[1]`.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible {
    public enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    public func appending(_ key: String) -> FieldPath { FieldPath(components + [.key(key)]) }
    public func appending(_ index: Int) -> FieldPath { FieldPath(components + [.index(index)]) }

    public var parent: FieldPath? {
        components.isEmpty ? nil : FieldPath(Array(components.dropLast()))
    }

    static func isPlain(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 100 && key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"): return true
            default: return false
            }
        }
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key) where Self.isPlain(key): text += text.isEmpty ? key : ".\(key)"
            // Any other key is quoted and escaped, so that a key cannot print a line of its own.
            case .key(let key): text += "[\(Quoted(key, limit: 60))]"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text.isEmpty ? "(document)" : text
    }
}
