/// Durations as schedule files write them: `90s`, `45m`, `2h30m`, `7d`, `500ms`.
public enum DurationText {
    /// Each unit with its size and its place from largest to smallest; "ms" is tried before "m".
    private static let units: [(name: String, size: Int64, order: Int)] = [
        ("d", 86_400_000, 0), ("h", 3_600_000, 1), ("ms", 1, 4), ("m", 60_000, 2), ("s", 1_000, 3),
    ]

    /// Milliseconds, or nil when the text is not a duration.
    public static func parse(_ text: String) -> Int64? {
        // Read as bytes: every byte of a duration is ASCII, and anything else makes it no duration.
        let bytes = text.trimmingWhitespace().utf8
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        var rest = bytes[...]
        var total: Int64 = 0
        var lastRank = -1
        while !rest.isEmpty {
            let digits = rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard !digits.isEmpty, digits.count <= 9 else { return nil }
            let amount = digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.starts(with: $0.name.utf8) }) else { return nil }
            // Units must come from largest to smallest, each once ("2h30m", not "30m2h").
            guard unit.order > lastRank else { return nil }
            lastRank = unit.order
            rest = rest.dropFirst(unit.name.utf8.count)
            total += amount * unit.size
        }
        return total
    }

    /// The shortest text that `parse` reads back to the same value: `2h30m`, `45s`, `0s`. Days
    /// from two on, as people write them: `24h` and `36h`, but `7d`.
    public static func format(_ milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds.magnitude
        var text = milliseconds < 0 ? "-" : ""
        for (unit, size) in [("d", UInt64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] where rest >= size {
            if unit == "d" && rest < 2 * size { continue }
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }

    /// For people, rounded to what matters: whole seconds from 10 s, whole minutes from an hour
    /// (`due 1d8h10m ago`, not `1d8h9m52s790ms`).
    public static func rounded(_ milliseconds: Int64) -> String {
        let magnitude = milliseconds.magnitude
        let unit: UInt64 = magnitude >= 3_600_000 ? 60_000 : magnitude >= 10_000 ? 1_000 : 1
        let whole = (magnitude / unit + (magnitude % unit >= unit / 2 && unit > 1 ? 1 : 0)) * unit
        return format(milliseconds < 0 ? -Int64(whole) : Int64(whole))
    }
}

extension String {
    func trimmingWhitespace() -> String {
        // Most text has none to trim: its first and last bytes are printable ASCII.
        if let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) { return self }
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
