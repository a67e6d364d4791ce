import Dispatch
import Foundation
import Synchronization

/// Programs run for the command driver, with no shell. Each finishes on its own; the scheduler
/// loop learns of it through `wake` (an eventfd it polls) and collects it with `take`.
public final class ProcessPool: Sendable {
    public struct Completion: Sendable {
        public var tag: Int
        public var status: Int32
        public var timedOut: Bool
        public var stdout: String
        public var stderr: String
        public var elapsedMilliseconds: Int
        /// The program could not be started at all.
        public var launchError: String?
    }

    public let wake: WakeSignal
    private let finished = Mutex<[Completion]>([])
    private let nextTag = Mutex(0)
    private let running = Mutex(0)

    public init() throws(SystemError) {
        wake = try WakeSignal()
    }

    public var inFlight: Int { running.withLock { $0 } }

    /// Starts `argv` (the program found on `PATH` unless it has a slash) in `directory`, with
    /// exactly `environment`, and returns its tag. Output is kept up to 64 KiB per stream.
    public func start(argv: [String], environment: [String: String], directory: String?, timeoutMilliseconds: Int64) -> Int {
        let tag = nextTag.withLock { $0 += 1; return $0 }
        let began = Date()
        guard let program = argv.first, let executable = Self.resolve(program, path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") else {
            deliver(Completion(tag: tag, status: 127, timedOut: false, stdout: "", stderr: "", elapsedMilliseconds: 0,
                               launchError: "\(argv.first ?? "(nothing)"): not found on PATH"))
            return tag
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Output goes to files, so a chatty program never blocks on a full pipe.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("maint-\(getpid())-\(tag)")
        let outURL = base.appendingPathExtension("out"), errURL = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil, attributes: [.posixPermissions: 0o600])
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil, attributes: [.posixPermissions: 0o600])
        let timedOut = Mutex(false)
        do {
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            process.standardInput = FileHandle.nullDevice
            process.terminationHandler = { [self] done in
                let read = { (url: URL) -> String in
                    let data = (try? Data(contentsOf: url)) ?? Data()
                    try? FileManager.default.removeItem(at: url)
                    return String(decoding: data.suffix(65_536), as: UTF8.self)
                }
                self.running.withLock { $0 -= 1 }
                self.deliver(Completion(tag: tag, status: done.terminationStatus, timedOut: timedOut.withLock { $0 }, stdout: read(outURL),
                                        stderr: read(errURL), elapsedMilliseconds: Int(Date().timeIntervalSince(began) * 1000), launchError: nil))
            }
            running.withLock { $0 += 1 }
            try process.run()
        } catch {
            running.withLock { $0 -= 1 }
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
            deliver(Completion(tag: tag, status: 126, timedOut: false, stdout: "", stderr: "", elapsedMilliseconds: 0,
                               launchError: "\(program): cannot start: \(error.localizedDescription)"))
            return tag
        }
        // Past the timeout: TERM, then KILL five seconds later.
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeoutMilliseconds))) {
            guard process.isRunning else { return }
            timedOut.withLock { $0 = true }
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(5)) {
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        return tag
    }

    private func deliver(_ completion: Completion) {
        finished.withLock { $0.append(completion) }
        wake.wake()
    }

    /// Programs that finished since the last call.
    public func take() -> [Completion] {
        finished.withLock { list in
            let taken = list
            list.removeAll()
            return taken
        }
    }

    static func resolve(_ program: String, path: String) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
