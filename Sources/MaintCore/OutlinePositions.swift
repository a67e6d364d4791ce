/// Where a value of a large file starts, found from the locator's outline instead of by locating
/// every value of the file: a path under a member of a section (`windows.w58.start`) is located
/// in that member's text alone (`JSON5Locator`, which the outline says parses alone between
/// braces), then placed in the file by a table of where each line starts. One warning in a file
/// of 100,000 windows costs a member's text, not the whole file's (over a second).
struct OutlinePositions {
    private let text: String
    private let outline: [JSON5Locator.OutlineMember]
    /// The text's bytes, copied at the first question (most files are never asked).
    private var bytes: [UInt8] = []
    /// The offset at which each line starts, found at the first question.
    private var lineStarts: [Int] = []
    /// Each section's members by key, found at the first question about that section.
    private var membersByKey: [String: [String: Range<Int>]] = [:]

    init(text: String, outline: [JSON5Locator.OutlineMember]) {
        self.text = text
        self.outline = outline
    }

    /// The position `JSON5Locator.position(of:preferKey:)` gives, or nil for a path this cannot
    /// place (not under a section's member, or a member whose text does not hold it).
    mutating func position(of path: FieldPath, preferKey: Bool) -> JSON5Locator.Position? {
        guard path.components.count >= 2, case .key(let section) = path.components[0], case .key(let name) = path.components[1],
              let range = member(name, of: section) else { return nil }
        if bytes.isEmpty { bytes = Array(text.utf8) }
        // The member alone, between braces: its key starts on line 1, column 2.
        let alone = JSON5Locator(text: "{" + String(decoding: bytes[range], as: UTF8.self) + "}")
        let inside = FieldPath(Array(path.components.dropFirst()))
        let found = alone.position(of: inside, preferKey: preferKey)
        // Positions found within the member only (its key at least): above it, this locator knows nothing.
        guard alone.keyPositions[FieldPath([.key(name)])] != nil else { return nil }
        let start = place(range.lowerBound)
        return found.line == 1 ? JSON5Locator.Position(line: start.line, column: start.column + found.column - 2)
                               : JSON5Locator.Position(line: start.line + found.line - 1, column: found.column)
    }

    private mutating func member(_ name: String, of section: String) -> Range<Int>? {
        if membersByKey[section] == nil {
            guard let entry = outline.first(where: { $0.key == section }), let ranges = entry.members, let keys = entry.memberKeys else { return nil }
            membersByKey[section] = Dictionary(zip(keys, ranges), uniquingKeysWith: { first, _ in first })
        }
        return membersByKey[section]?[name]
    }

    /// The line and column of a byte, counted as the locator counts them: lines at each "\n",
    /// columns in characters (bytes that do not continue a UTF-8 sequence).
    private mutating func place(_ offset: Int) -> JSON5Locator.Position {
        if lineStarts.isEmpty {
            lineStarts = [0]
            for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { lineStarts.append(index + 1) }
        }
        // The last line starting at or before the offset.
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        let column = bytes[lineStarts[low]..<offset].reduce(1) { $1 & 0xC0 != 0x80 ? $0 + 1 : $0 }
        return JSON5Locator.Position(line: low + 1, column: column)
    }
}
