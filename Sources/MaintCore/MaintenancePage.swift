import Foundation

/// The maintenance page of the file driver and `maint page`: one self-contained, responsive HTML
/// file that loads nothing from elsewhere. Every field is escaped. The image, when there is one,
/// is embedded (a data: URI); the icon is drawn inline, since icon fonts would load from elsewhere.
public struct MaintenancePage: Sendable {
    public var headline: String
    public var message: String
    public var page: PageFields
    /// The end, already written for people (`2026-12-06 04:00 CET (+01:00)`), if known.
    public var backAt: String?
    /// The image's bytes and media type, when `page.imageUrl` could be fetched.
    public var image: (mediaType: String, data: Data)?

    public init(headline: String, message: String, page: PageFields, backAt: String?, image: (mediaType: String, data: Data)? = nil) {
        self.headline = headline
        self.message = message
        self.page = page
        self.backAt = backAt
        self.image = image
    }

    public static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// Inline SVG paths for the icon classes people use (Font Awesome names); a wrench otherwise.
    static func iconPath(_ iconClass: String?) -> String {
        let name = iconClass ?? ""
        if name.contains("clock") || name.contains("hourglass") {
            return "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm1 5v5.4l3.6 2.1-1 1.7L11 13V7h2Z"
        }
        if name.contains("cog") || name.contains("gear") {
            return "M19.4 13a7.6 7.6 0 0 0 0-2l2.1-1.6-2-3.5-2.5 1a7.5 7.5 0 0 0-1.7-1L15 3h-4l-.4 2.9a7.5 7.5 0 0 0-1.7 1l-2.5-1-2 3.5L6.5 11a7.6 7.6 0 0 0 0 2l-2.1 1.6 2 3.5 2.5-1a7.5 7.5 0 0 0 1.7 1L11 21h4l.4-2.9a7.5 7.5 0 0 0 1.7-1l2.5 1 2-3.5-2.2-1.6ZM13 15.5a3.5 3.5 0 1 1 0-7 3.5 3.5 0 0 1 0 7Z"
        }
        return "M22.7 19.3 13.6 10.2A6 6 0 0 0 6.1 2.5l3.9 3.9-2.8 2.8-3.9-3.9a6 6 0 0 0 7.7 7.5l9.1 9.1a1 1 0 0 0 1.4 0l1.2-1.2a1 1 0 0 0 0-1.4Z"
    }

    /// Only http(s) links become the button; anything else (javascript:, data:) is left out.
    static func safeLink(_ url: String?) -> String? {
        guard let url, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "https" || scheme == "http" else { return nil }
        return url
    }

    public func render() -> String {
        var visual = ""
        if let image, image.mediaType.hasPrefix("image/") {
            visual = "<img class=\"visual\" alt=\"\" src=\"data:\(Self.escape(image.mediaType));base64,\(image.data.base64EncodedString())\">"
        } else {
            visual = "<svg class=\"visual icon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\"><path d=\"\(Self.iconPath(page.icon))\"/></svg>"
        }
        let paragraphs = message.components(separatedBy: "\n").filter { !$0.isEmpty }.map { "<p>\(Self.escape($0))</p>" }.joined()
        var button = ""
        if let link = Self.safeLink(page.bypassUrl) {
            button = "<a class=\"button\" href=\"\(Self.escape(link))\" rel=\"noopener\">\(Self.escape(page.buttonText ?? "More information"))</a>"
        }
        let back = backAt.map { "<p class=\"back\">Expected back: \(Self.escape($0))</p>" } ?? ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>\(Self.escape(headline))</title>
            <style>
            :root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;--card:#fff;--accent:#0969da}
            @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#161b22;--accent:#4493f8}}
            *{box-sizing:border-box}
            body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px;background:var(--bg);color:var(--fg);
            font:16px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
            main{width:100%;max-width:560px;background:var(--card);border-radius:12px;padding:40px 32px;text-align:center;box-shadow:0 1px 3px rgba(0,0,0,.12)}
            .visual{display:block;margin:0 auto 24px;max-width:160px;max-height:120px}
            .icon{width:64px;height:64px;fill:var(--accent)}
            h1{font-size:clamp(22px,5vw,30px);line-height:1.25;margin:0 0 16px;overflow-wrap:anywhere}
            p{margin:0 0 12px;color:var(--muted);overflow-wrap:anywhere}
            .back{font-weight:600;color:var(--fg)}
            .button{display:inline-block;margin-top:16px;padding:12px 24px;border-radius:8px;background:var(--accent);color:#fff;text-decoration:none;font-weight:600;overflow-wrap:anywhere}
            @media (max-width:480px){main{padding:28px 20px}}
            </style>
            </head>
            <body>
            <main>
            \(visual)
            <h1>\(Self.escape(headline))</h1>
            \(paragraphs)\(back)\(button)
            </main>
            </body>
            </html>

            """
    }
}
