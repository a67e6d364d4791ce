import Foundation

/// A large JSON5 document cut into parts that Foundation's `JSONDecoder` reads each on a core
/// of its own: a schedule of 100,000 windows is one object of 100,000 members, which one decoder
/// reads on one core. The cuts are where `JSON5Locator`'s outline says a member of the root
/// object, or a member of one of its objects, begins and ends. Each part is whole members put
/// between braces, and `parse` merges the parts' objects back in the same shape.
public struct JSON5Parts: Sendable {
    /// Every member of the root as written, except that an object cut into parts is only its key
    /// and `{` (its text up to its first member), closed by `}`.
    public private(set) var root: Data
    /// Runs of one object's members, each with the key of the root member it goes back under.
    public private(set) var parts: [(key: String, text: Data)] = []

    /// nil when nothing is worth cutting: no outline (the root is not an object), or no object
    /// whose members together are larger than `partBytes`.
    public init?(text: String, outline: [JSON5Locator.OutlineMember], partBytes: Int) {
        let bytes = Array(text.utf8)
        guard partBytes > 0 else { return nil }
        root = Data([UInt8(ascii: "{")])
        for member in outline {
            if root.count > 1 { root.append(UInt8(ascii: ",")) }
            guard let members = member.members, let first = members.first, let last = members.last,
                  last.upperBound - first.lowerBound > partBytes else {
                root.append(contentsOf: bytes[member.text])
                continue
            }
            root.append(contentsOf: bytes[member.text.lowerBound..<first.lowerBound])
            root.append(UInt8(ascii: "}"))
            var run = first
            for range in members.dropFirst() {
                if range.upperBound - run.lowerBound > partBytes {
                    parts.append((member.key, Self.braced(bytes[run])))
                    run = range
                } else {
                    run = run.lowerBound..<range.upperBound
                }
            }
            parts.append((member.key, Self.braced(bytes[run])))
        }
        root.append(UInt8(ascii: "}"))
        if parts.isEmpty { return nil }
    }

    private static func braced(_ members: ArraySlice<UInt8>) -> Data {
        var data = Data([UInt8(ascii: "{")])
        data.append(contentsOf: members)
        data.append(UInt8(ascii: "}"))
        return data
    }

    /// The parts read at once and merged; nil if one does not read as an object: the caller then
    /// reads the whole text, so that an error is the one the whole text gives.
    public func parse() -> JSONValue? {
        let texts = [root] + parts.map(\.text)
        let values = Parallel.map(texts.count) { index in try? JSONValue.parseJSON5(texts[index]) }
        guard case .object(var merged)? = values[0] else { return nil }
        for (index, part) in parts.enumerated() {
            guard case .object(let members)? = values[index + 1], case .object(var object)? = merged[part.key] else { return nil }
            // The root's copy goes first, so that adding to `object` does not copy it.
            merged[part.key] = nil
            object.merge(members) { first, _ in first }
            merged[part.key] = .object(object)
        }
        return .object(merged)
    }
}
