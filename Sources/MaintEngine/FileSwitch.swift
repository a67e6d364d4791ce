import Foundation
import MaintCore
import MaintNet
import MaintStore

/// The file driver's work: the page (if any) and then the flag, each written to a temporary file
/// beside it and renamed into place, so that a reader never sees half a file; removed in the
/// reverse order.
struct FileSwitch {
    var driver: FileDriver
    var secrets: SecretSource

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func apply(activate: Bool, window: WindowRecord, values: [String: String]) throws {
        if activate {
            if let page = driver.page {
                let html = MaintenancePage(headline: window.headline, message: values["message"] ?? window.message, page: window.page,
                                           backAt: window.endAt == nil ? nil : values["end.local"], image: PageImage.fetch(window.page.imageUrl)).render()
                try Self.writeAtomically(Data(html.utf8), to: page)
            }
            var contextValues = values
            contextValues["now.unix"] = String(Int(Date().timeIntervalSince1970))
            let content = try driver.content?.render(TemplateContext(values: contextValues, secrets: secrets)) ?? ""
            try Self.writeAtomically(Data(content.utf8), to: driver.path)
        } else {
            try Self.remove(driver.path)
            if let page = driver.page { try Self.remove(page) }
        }
    }

    /// Whether the flag is there: the real state, for `maint status`.
    var isOn: Bool { FileManager.default.fileExists(atPath: driver.path) }

    static func writeAtomically(_ data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(directory)/.\((path as NSString).lastPathComponent).maint-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o644]) else {
            throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(description: "cannot rename into \(path): \(reason)")
        }
    }

    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw Failure(description: "cannot remove \(path): \(String(cString: strerror(errno)))")
        }
    }
}

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
