/// Command-line words: positionals, `--option value`, `--option=value` and flags.
struct Arguments {
    var positionals: [String] = []
    var options: [String: [String]] = [:]
    var flags: Set<String> = []

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    /// `valued` names the options that take a value; every other `--name` is a flag, checked against `allowedFlags`.
    init(_ words: [String], valued: Set<String>, flags allowedFlags: Set<String>) throws(UsageError) {
        var index = 0
        var onlyPositionals = false
        while index < words.count {
            let word = words[index]
            index += 1
            if onlyPositionals || !word.hasPrefix("-") || word == "-" {
                positionals.append(word)
                continue
            }
            if word == "--" { onlyPositionals = true; continue }
            var name = word
            var value: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                value = String(word[word.index(after: equals)...])
            }
            if valued.contains(name) {
                if value == nil {
                    guard index < words.count else { throw UsageError(description: "\(name) needs a value") }
                    value = words[index]
                    index += 1
                }
                options[name, default: []].append(value ?? "")
            } else if allowedFlags.contains(name) && value == nil {
                flags.insert(name)
            } else {
                let known = (valued.union(allowedFlags)).sorted().joined(separator: " ")
                throw UsageError(description: "unknown option \(name)" + (known.isEmpty ? "" : "; this command takes: \(known)"))
            }
        }
    }

    func value(_ name: String) -> String? { options[name]?.last }
    func has(_ name: String) -> Bool { flags.contains(name) }
}
