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

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text.isEmpty ? "(document)" : text
    }
}
