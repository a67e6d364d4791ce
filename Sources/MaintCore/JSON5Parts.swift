import Foundation

/// A large JSON5 document cut into parts that Foundation's `JSONDecoder` reads each on a core
/// of its own: a schedule of 100,000 windows is one object of 100,000 members, which one decoder
/// reads on one core. The cuts are where `JSON5Locator`'s outline says a member of one of the
/// root's objects begins. Every byte of the text goes to exactly one part, comments and commas
/// too, so the decoder sees all that it would see in the whole; `parse` merges the parts'
/// objects back in the same shape.
public struct JSON5Parts: Sendable {
    /// The text as written, less the inside of each object cut into parts (left as `{}`).
    public private(set) var root: Data
    /// Runs of one object's members, each with what follows it up to the next run (a comma,
    /// comments), put between braces; and the key of the root member it goes back under.
    public private(set) var parts: [(key: String, text: Data)] = []

    /// nil when nothing is worth cutting: no outline (the root is not an object), or no object
    /// whose members together are larger than `partBytes`.
    public init?(text: String, outline: [JSON5Locator.OutlineMember], partBytes: Int) {
        let bytes = Array(text.utf8)
        guard partBytes > 0 else { return nil }
        root = Data()
        // The first byte of the text not yet in a part.
        var rest = 0
        for member in outline {
            guard let members = member.members, let first = members.first, let last = members.last,
                  last.upperBound - first.lowerBound > partBytes else { continue }
            // As many parts as `partBytes` asks for, of about equal size: cut at `partBytes`, a
            // 274 KB section was one core's 256 KB and the other's 18 KB.
            let size = last.upperBound - first.lowerBound
            let share = size / ((size + partBytes - 1) / partBytes)
            // The object's `}` ends the member's text; the root keeps it.
            let closing = member.text.upperBound - 1
            root.append(contentsOf: bytes[rest..<first.lowerBound])
            rest = closing
            var run = first.lowerBound
            for range in members.dropFirst() where range.upperBound - run > share {
                parts.append((member.key, Self.braced(bytes[run..<range.lowerBound])))
                run = range.lowerBound
            }
            parts.append((member.key, Self.braced(bytes[run..<closing])))
        }
        if parts.isEmpty { return nil }
        root.append(contentsOf: bytes[rest...])
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
        // Each object's table sized once for all its parts: grown a doubling at a time, 100,000
        // windows were moved to a new table, on one core, seventeen times.
        var sizes: [String: Int] = [:]
        for (index, part) in parts.enumerated() {
            guard case .object(let members)? = values[index + 1] else { return nil }
            sizes[part.key, default: 0] += members.count
        }
        for (index, part) in parts.enumerated() {
            guard case .object(let members)? = values[index + 1], case .object(var object)? = merged[part.key] else { return nil }
            // The root's copy goes first, so that adding to `object` does not copy it.
            merged[part.key] = nil
            if let size = sizes.removeValue(forKey: part.key) { object.reserveCapacity(object.count + size) }
            object.merge(members) { first, _ in first }
            merged[part.key] = .object(object)
        }
        return .object(merged)
    }
}
