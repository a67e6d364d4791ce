import Foundation

/// A MIME message as people read it (`maint preview` of an e-mail channel): the headers with
/// RFC 2047 words decoded, then each part under its content type, its base64 body decoded.
/// It reads what `MailMessage` writes; anything else it shows as it is.
public enum MailPreview {
    public static func readable(_ message: String) -> String {
        var lines: [String] = []
        show(message.replacingOccurrences(of: "\r\n", with: "\n"), depth: 0, into: &lines)
        return lines.joined(separator: "\n")
    }

    static func show(_ entity: String, depth: Int, into lines: inout [String]) {
        let (headers, body) = split(entity)
        let type = headers.first { $0.name.lowercased() == "content-type" }?.value ?? "text/plain"
        if depth == 0 {
            for header in headers where !header.name.lowercased().hasPrefix("content-") && header.name != "MIME-Version" {
                lines.append("\(header.name): \(decodeWords(header.value))")
            }
        }
        if type.lowercased().hasPrefix("multipart/"), let boundary = parameter("boundary", of: type), depth < 8 {
            for part in parts(body, boundary: boundary) { show(part, depth: depth + 1, into: &lines) }
            return
        }
        let encoding = headers.first { $0.name.lowercased() == "content-transfer-encoding" }?.value.lowercased()
        let text = encoding == "base64"
            ? Data(base64Encoded: body.filter { !$0.isWhitespace }).map { String(decoding: $0, as: UTF8.self) } ?? body
            : body
        lines.append("")
        lines.append("--- \(type.split(separator: ";").first.map(String.init) ?? type) ---")
        lines.append(text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .newlines))
    }

    /// The header lines (continuations unfolded) and the body after the blank line.
    static func split(_ entity: String) -> (headers: [(name: String, value: String)], body: String) {
        let parts = entity.components(separatedBy: "\n\n")
        let head = parts.first ?? ""
        let body = parts.dropFirst().joined(separator: "\n\n")
        var headers: [(name: String, value: String)] = []
        for line in head.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.first == " " || line.first == "\t", let last = headers.popLast() {
                headers.append((last.name, last.value + " " + line.trimmingCharacters(in: .whitespaces)))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        return (headers, body)
    }

    static func parts(_ body: String, boundary: String) -> [String] {
        var result: [String] = []
        for chunk in body.components(separatedBy: "--" + boundary).dropFirst() {
            if chunk.hasPrefix("--") { break }
            result.append(String(chunk.drop { $0 == "\n" }))
        }
        return result
    }

    /// `boundary="x"` of a Content-Type value.
    static func parameter(_ name: String, of value: String) -> String? {
        for piece in value.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == name { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    /// RFC 2047 B words (`=?UTF-8?B?…?=`), as `MailMessage` writes them; adjacent words join.
    static func decodeWords(_ value: String) -> String {
        let words = value.split(separator: " ", omittingEmptySubsequences: false)
        var decoded: [String] = []
        var previousWasWord = false
        for word in words {
            if word.hasPrefix("=?"), word.hasSuffix("?="), word.lowercased().contains("?b?") {
                let inner = word.dropFirst(2).dropLast(2).split(separator: "?", omittingEmptySubsequences: false)
                if inner.count == 3, let data = Data(base64Encoded: String(inner[2])) {
                    let text = String(decoding: data, as: UTF8.self)
                    if previousWasWord, let last = decoded.popLast() { decoded.append(last + text) } else { decoded.append(text) }
                    previousWasWord = true
                    continue
                }
            }
            decoded.append(String(word))
            previousWasWord = false
        }
        return decoded.joined(separator: " ")
    }
}
