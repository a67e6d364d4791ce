import Foundation

/// An announcement as an e-mail: MIME with text and HTML alternatives, RFC 2047 headers, a
/// `Message-ID` made from the delivery id (so every retry is the same message), and, for a
/// window with an end, an iCalendar part with the UID `maint export --ics` uses.
enum MailMessage {
    static func render(_ announcement: Announcement, email: EmailChannel, id: String, invitation: String?) -> String {
        let domain = MailAddress.bare(email.from)?.split(separator: "@").last.map(String.init) ?? "maint.invalid"
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = announcement.zone
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var headers = [
            "Date: " + formatter.string(from: announcement.now),
            "From: " + mailbox(email.from),
            "To: " + email.to.map(mailbox).joined(separator: ", "),
            "Subject: " + encodeHeader(announcement.subject),
            "Message-ID: <\(id)@\(domain)>",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "X-Auto-Response-Suppress: All",
            "X-Maint-Window: \(announcement.window.id)",
            "X-Maint-Event: \(announcement.event)",
        ]
        let alternative = "maint-\(id)-alternative"
        let alternatives = [
            part(["Content-Type: text/plain; charset=utf-8"], announcement.body),
            part(["Content-Type: text/html; charset=utf-8"], html(announcement)),
        ]
        var body = multipart(alternatives, boundary: alternative)
        if let invitation {
            let mixed = "maint-\(id)-mixed"
            headers.append("Content-Type: multipart/mixed; boundary=\"\(mixed)\"")
            body = multipart([
                "Content-Type: multipart/alternative; boundary=\"\(alternative)\"\r\n\r\n" + body,
                part(["Content-Type: text/calendar; charset=utf-8; method=PUBLISH; name=\"maintenance.ics\"",
                      "Content-Disposition: attachment; filename=\"maintenance.ics\""], invitation),
            ], boundary: mixed)
        } else {
            headers.append("Content-Type: multipart/alternative; boundary=\"\(alternative)\"")
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    static func part(_ headers: [String], _ text: String) -> String {
        (headers + ["Content-Transfer-Encoding: base64"]).joined(separator: "\r\n") + "\r\n\r\n" + base64Lines(Data(text.utf8))
    }

    static func multipart(_ parts: [String], boundary: String) -> String {
        parts.map { "--\(boundary)\r\n\($0)\r\n" }.joined() + "--\(boundary)--\r\n"
    }

    static func base64Lines(_ data: Data) -> String {
        let text = data.base64EncodedString()
        var lines: [Substring] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\r\n")
    }

    /// `Name <address>` with the name encoded when it needs to be.
    static func mailbox(_ text: String) -> String {
        guard let address = MailAddress.bare(text) else { return text }
        guard let name = MailAddress.displayName(text) else { return address }
        let safe = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "." || $0 == "_") }
        return (safe ? name : encodeHeader(name)) + " <\(address)>"
    }

    /// RFC 2047: printable ASCII as it is; anything else as UTF-8 B encoded-words of at most 75
    /// characters each, split between characters, folded onto continuation lines.
    static func encodeHeader(_ text: String) -> String {
        if text.allSatisfy({ $0.isASCII && !$0.isNewline }) && text.utf8.count <= 900 { return text }
        var words: [String] = []
        var chunk = Data()
        for character in text {
            let bytes = Data(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    static func html(_ announcement: Announcement) -> String {
        let paragraphs = announcement.body.components(separatedBy: "\n\n").map {
            "<p style=\"margin:0 0 1em\">" + HTMLText.escape($0).replacingOccurrences(of: "\n", with: "<br>") + "</p>"
        }.joined()
        let accent = String(format: "#%06X", ChatPayload.color(announcement.event, result: announcement.values["result"] ?? ""))
        return """
            <!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body style="margin:0;padding:24px;background:#f6f8fa;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328">
            <div style="max-width:600px;margin:0 auto;background:#fff;border-top:4px solid \(accent);border-radius:6px;padding:24px">
            <h1 style="font-size:20px;margin:0 0 16px">\(HTMLText.escape(announcement.subject))</h1>\(paragraphs)
            <p style="margin:24px 0 0;font-size:12px;color:#656d76">Window \(HTMLText.escape(announcement.window.id)) · sent by maint</p>
            </div></body></html>
            """
    }
}
