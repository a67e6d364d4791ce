import Foundation
import MaintCore
import MaintNet

/// The page's image, to embed.
public enum PageImage {
    /// The page's image, fetched to be embedded (the page loads nothing from elsewhere); nil
    /// when there is none or it cannot be had in 5 s, and the page shows its icon instead.
    public static func fetch(_ url: String?) -> (mediaType: String, data: Data)? {
        guard let url, url.hasPrefix("http://") || url.hasPrefix("https://") else { return nil }
        guard let response = try? TransferPool().perform([HTTPRequest(method: "GET", url: url, timeoutMilliseconds: 5_000)]).first?.get(),
              (200...299).contains(response.status), response.body.count <= 512 * 1024 else { return nil }
        let bytes = [UInt8](response.body.prefix(12))
        let type: String?
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { type = "image/png" }
        else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { type = "image/jpeg" }
        else if bytes.starts(with: Array("GIF8".utf8)) { type = "image/gif" }
        else if bytes.count >= 12 && bytes[8...11].elementsEqual(Array("WEBP".utf8)) { type = "image/webp" }
        else if String(decoding: response.body.prefix(256), as: UTF8.self).contains("<svg") { type = "image/svg+xml" }
        else { type = nil }
        return type.map { ($0, response.body) }
    }
}
