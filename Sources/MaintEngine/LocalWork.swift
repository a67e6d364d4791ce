import Foundation
import MaintCore
import MaintNet

/// The driver work that waits on this machine: files and runtime sockets. The daemon runs it on
/// its worker threads, `maint status` in line; either way its failures are results, not throws.
enum LocalWork {
    static func perform(_ work: FileWork) -> DriverResult {
        do {
            switch work {
            case .write(let writes):
                for write in writes {
                    switch write.content {
                    case .text(let text):
                        try writeAtomically(Data(text.utf8), to: write.path)
                    case .page(var page):
                        page.image = PageImage.fetch(page.page.imageUrl)
                        try writeAtomically(Data(page.render().utf8), to: write.path)
                    }
                }
                return .written
            case .remove(let paths):
                for path in paths { try remove(path) }
                return .written
            case .exists(let path):
                return .exists(FileManager.default.fileExists(atPath: path))
            }
        } catch {
            return .failed(error.description)
        }
    }

    static func perform(_ exchange: SocketExchange) -> DriverResult {
        let runtime = HAProxyRuntime(address: exchange.address, timeoutMilliseconds: Int(exchange.timeoutMilliseconds))
        var answers: [String] = []
        for command in exchange.commands {
            do {
                answers.append(try runtime.send(command))
            } catch {
                return .failed(error.description)
            }
        }
        return .answers(answers)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Written to a temporary file beside it and renamed into place, so that a reader never sees
    /// half a file.
    static func writeAtomically(_ data: Data, to path: String) throws(Failure) {
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

    static func remove(_ path: String) throws(Failure) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw Failure(description: "cannot remove \(path): \(String(cString: strerror(errno)))")
        }
    }
}
