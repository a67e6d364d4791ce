/// "Did you mean": the defined name nearest to a mistyped one, by edit distance.
public enum Suggestion {
    /// The candidate nearest to `word`, if it is near enough to be a typo: at most `limit` edits,
    /// by default one per three characters (and at least one). Ties go to the first in order.
    public static func closest(to word: String, among candidates: some Sequence<String>, limit: Int? = nil) -> String? {
        let target = Array(word.lowercased().unicodeScalars)
        guard !target.isEmpty, target.count <= 200 else { return nil }
        let limit = limit ?? max(1, target.count / 3)
        var best: (distance: Int, name: String)?
        // A hint is not worth a hang: among very many long names, the search stops early.
        var work = 0
        for candidate in candidates {
            let other = Array(candidate.lowercased().unicodeScalars)
            guard abs(other.count - target.count) <= limit, other.count <= 200 else { continue }
            work += target.count * other.count
            if work > 2_000_000 { break }
            let distance = editDistance(target, other)
            guard distance <= limit, distance > 0 || candidate != word else { continue }
            if best.map({ distance < $0.distance }) ?? true {
                best = (distance, candidate)
            }
        }
        return best?.name
    }

    /// `; did you mean "shop-eu"?`, or nothing.
    public static func clause(for word: String, among candidates: some Sequence<String>) -> String {
        closest(to: word, among: candidates).map { "; did you mean \(Quoted($0))?" } ?? ""
    }

    /// Levenshtein distance, two rows at a time.
    static func editDistance(_ left: [Unicode.Scalar], _ right: [Unicode.Scalar]) -> Int {
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for (i, a) in left.enumerated() {
            current[0] = i + 1
            for (j, b) in right.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a == b ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[right.count]
    }
}

extension Schedule {
    /// Why a selector picks nothing, with the nearest name or tag: `no target is named
    /// "shop-ue"; did you mean "shop-eu"?`.
    public func unknownSelector(_ selector: String) -> String {
        if selector.hasPrefix("tag:") {
            let tag = String(selector.dropFirst(4))
            let tags = Set(targetSummaries.values.flatMap(\.tags))
            return "no target has the tag \(Quoted(tag))" + Suggestion.clause(for: tag, among: tags.sorted())
        }
        return "no target is named \(Quoted(selector))" + Suggestion.clause(for: selector, among: targetSummaries.keys.sorted())
    }
}
