/// E-mail addresses as schedule files write them: `ops@example.com` or `Shop Ops <ops@example.com>`.
public enum MailAddress {
    /// The bare address, or nil when the text is not one.
    public static func bare(_ text: String) -> String? {
        var candidate = text.trimmingWhitespace()
        if let open = candidate.lastIndex(of: "<"), candidate.hasSuffix(">") {
            candidate = String(candidate[candidate.index(after: open)..<candidate.index(before: candidate.endIndex)])
        }
        let parts = candidate.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !candidate.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" || $0 == "," }) else { return nil }
        return candidate
    }

    /// The display name before `<…>`, if any.
    public static func displayName(_ text: String) -> String? {
        guard let open = text.lastIndex(of: "<") else { return nil }
        let name = String(text[..<open]).trimmingWhitespace().trimmingCharacters(in: "\"")
        return name.isEmpty ? nil : name
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var result = Substring(self)
        while result.first == set { result = result.dropFirst() }
        while result.last == set { result = result.dropLast() }
        return String(result)
    }
}
