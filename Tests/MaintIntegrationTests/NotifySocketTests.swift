import Foundation
import Synchronization
import Testing

/// A stand-in for systemd's end of `$NOTIFY_SOCKET`: a datagram socket on loopback (a path in
/// the workspace) that keeps every message the daemon sends.
final class NotifyListener: @unchecked Sendable {
    /// What arrived, written by the reading thread.
    final class Inbox: Sendable {
        let messages = Mutex<[String]>([])
    }

    let path: String
    private let fd: Int32
    private let inbox = Inbox()

    init(directory: URL) throws {
        let path = directory.appendingPathComponent("notify.sock").path
        self.path = path
        let socketFD = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        fd = socketFD
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes + [0]) }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard bound == 0 else { throw FixtureError("bind \(path): \(errno)") }
        let inbox = self.inbox
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(socketFD, &buffer, buffer.count, 0)
                if count <= 0 { return }
                let text = String(decoding: buffer.prefix(count), as: UTF8.self)
                inbox.messages.withLock { $0.append(text) }
            }
        }
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    var received: [String] { inbox.messages.withLock { $0 } }

    /// The first message after `index` that has every line of `lines`.
    func waitFor(_ lines: [String], after index: Int = 0, timeout: Double = 10) -> (index: Int, message: String)? {
        var found: (Int, String)?
        _ = waitUntil(timeout: timeout) {
            let all = received
            guard all.count > index else { return false }
            for (offset, message) in all.enumerated().dropFirst(index) {
                let got = message.split(separator: "\n").map(String.init)
                if lines.allSatisfy({ wanted in got.contains { $0 == wanted || (wanted.hasSuffix("=") && $0.hasPrefix(wanted)) } }) {
                    found = (offset, message)
                    return true
                }
            }
            return false
        }
        return found
    }
}

/// sd_notify as systemd's `Type=notify` (and `notify-reload`) expects it of the daemon.
struct NotifySocketTests {
    @Test func theDaemonTellsSystemdItIsReadyReloadingAliveAndStopping() throws {
        let workspace = try Workspace()
        try workspace.write("a.json5", """
            { targets: { web: { driver: "file", file: { path: "\(workspace.directory.path)/web.flag" } } },
              windows: { later: { targets: ["web"], start: "2099-01-01 02:00", duration: "1h", timezone: "UTC" } } }
            """)
        let listener = try NotifyListener(directory: workspace.directory)
        let daemon = try ChildProcess(Repository.binary, ["daemon"],
                                      environment: workspace.environment.merging(["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "1000000"]) { $1 },
                                      directory: workspace.directory)
        defer { daemon.stop() }
        let ready = try #require(listener.waitFor(["READY=1", "STATUS="]), "\(listener.received)")
        #expect(ready.message.contains("STATUS=0 window(s) running, 0 target(s) in maintenance, next start 2099-01-01T02:00:00Z, 0 dead deliveries"),
                "\(ready.message)")
        // The watchdog, every half of WATCHDOG_USEC, with the status line beside it.
        #expect(listener.waitFor(["WATCHDOG=1", "STATUS="], after: ready.index) != nil, "\(listener.received)")
        #expect(try workspace.maint(["now", "web", "--for", "1h", "--message", "x"]).status == 0)
        #expect(listener.waitFor(["WATCHDOG=1", "STATUS=1 window(s) running, 1 target(s) in maintenance, next start 2099-01-01T02:00:00Z, 0 dead deliveries"],
                                 after: ready.index) != nil, "\(listener.received)")

        let mark = listener.received.count
        #expect(try workspace.maint(["reload"]).status == 0)
        let reloading = try #require(listener.waitFor(["RELOADING=1", "MONOTONIC_USEC="], after: mark), "\(listener.received)")
        let microseconds = reloading.message.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap { Int64($0.dropFirst(15)) }
        var clock = timespec()
        clock_gettime(CLOCK_MONOTONIC, &clock)
        let nowMicroseconds = Int64(clock.tv_sec) * 1_000_000 + Int64(clock.tv_nsec) / 1_000
        #expect(microseconds.map { $0 > 0 && $0 <= nowMicroseconds } == true, "the monotonic clock, as systemd reads it")
        #expect(listener.waitFor(["READY=1"], after: reloading.index + 1) != nil, "\(listener.received)")

        daemon.stop()
        #expect(listener.waitFor(["STOPPING=1"], after: mark) != nil, "\(listener.received)")
    }

    /// SPEC "Deployment": the shipped unit's hardening, as systemd itself scores it.
    @Test func theShippedUnitIsHardenedAndHasItsRuntimeDirectory() throws {
        let unit = Repository.root.appendingPathComponent("deploy/maint.service").path
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(text.contains("RuntimeDirectory=maint") && text.contains("Type=notify") && text.contains("WatchdogSec="))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["security", "--offline=true", unit]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let level = report.split(separator: "\n").first { $0.contains("Overall exposure level") }
            .flatMap { line in line.split(separator: " ").compactMap { Double($0) }.first }
        let score = try #require(level, "\(report)")
        #expect(score <= 2.0, "\(report)")
    }
}
