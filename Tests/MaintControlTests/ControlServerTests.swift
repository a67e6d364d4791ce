import Foundation
import MaintCore
import MaintHTTP
@testable import MaintNet
import MaintSystem
import Synchronization
import Testing

/// libmicrohttpd on a real Unix socket, asked through libcurl as the CLI asks it.
struct ControlServerTests {
    /// A socket in a fresh directory, served by `handler`.
    func serve(_ handler: @escaping ControlServer.Handler) throws -> (ControlServer, UnixListener, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("maint.sock").path
        let listener = try UnixListener(path: path)
        return (try ControlServer(listeningFD: listener.fd, handler: handler), listener, path)
    }

    func send(_ socket: String, _ method: String, _ path: String, body: Data? = nil, headers: [(name: String, value: String)] = []) throws -> HTTPResponse {
        var request = HTTPRequest(method: method, url: "http://localhost" + path, headers: headers, body: body)
        request.unixSocket = socket
        return try #require(TransferPool().perform([request]).first).get()
    }

    @Test func aRequestArrivesWholeWithTheCallersUidAndTheAnswerGoesBack() throws {
        let seen = Mutex<ControlRequest?>(nil)
        let (server, listener, socket) = try serve { request in
            seen.withLock { $0 = request }
            return ControlResponse(status: 201, headers: [("Content-Type", "application/json"), ("X-Test", "yes")], body: Data(#"{"ok":true}"#.utf8))
        }
        defer { server.stop(); listener.remove() }
        var info = stat()
        #expect(stat(socket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660, "the socket's mode is the access control")

        let response = try send(socket, "POST", "/v1/windows?limit=5&flag", body: Data(#"{"targets":["web"]}"#.utf8),
                                headers: [(name: "Idempotency-Key", value: "k-1"), (name: "Content-Type", value: "application/json")])
        #expect(response.status == 201)
        #expect(response.text == #"{"ok":true}"#)
        let request = try #require(seen.withLock { $0 })
        #expect(request.method == "POST")
        #expect(request.path == "/v1/windows")
        #expect(request.query == ["limit": "5", "flag": ""])
        #expect(request.headers["idempotency-key"] == "k-1")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"targets":["web"]}"#)
        #expect(request.peerUID == Int64(getuid()))
    }

    @Test func aBodyOverOneMebibyteIsRefusedWithoutReachingTheHandler() throws {
        let calls = Atomic<Int>(0)
        let (server, listener, socket) = try serve { _ in
            calls.add(1, ordering: .relaxed)
            return ControlResponse(status: 200)
        }
        defer { server.stop(); listener.remove() }
        let response = try send(socket, "POST", "/v1/windows", body: Data(repeating: 0x20, count: ControlServer.maximumBody + 1))
        #expect(response.status == 413)
        #expect(response.text.contains("too-large"))
        #expect(calls.load(ordering: .relaxed) == 0)
        #expect(try send(socket, "POST", "/v1/windows", body: Data(repeating: 0x20, count: 1000)).status == 200)
        #expect(calls.load(ordering: .relaxed) == 1)
    }

    /// A handler that waits (for the scheduler loop, for a probe) holds up only its own caller:
    /// the first request's handler waits until the second one's has run.
    @Test func aWaitingHandlerDoesNotHoldUpAnotherCaller() throws {
        let second = DispatchSemaphore(value: 0)
        let (server, listener, socket) = try serve { request in
            if request.path == "/first" {
                return ControlResponse(status: second.wait(timeout: .now() + 10) == .success ? 200 : 504)
            }
            second.signal()
            return ControlResponse(status: 200)
        }
        defer { server.stop(); listener.remove() }
        var first = HTTPRequest(method: "GET", url: "http://localhost/first")
        first.unixSocket = socket
        var other = HTTPRequest(method: "GET", url: "http://localhost/second")
        other.unixSocket = socket
        let pool = TransferPool()
        let results = pool.perform([first, other])
        #expect(try results[0].get().status == 200, "the first handler saw the second one run while it waited")
        #expect(try results[1].get().status == 200)
    }

    /// A pool allowed three transfers at once runs twelve, three at a time: a fleet larger than
    /// the limit on open files is switched in turns instead of failing for want of sockets.
    @Test func aPoolRunsNoMoreAtOnceThanItsLimitAndStartsTheRestAsOthersFinish() throws {
        let running = Mutex((now: 0, most: 0))
        let (server, listener, socket) = try serve { _ in
            running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            usleep(30_000)
            running.withLock { $0.now -= 1 }
            return ControlResponse(status: 200)
        }
        defer { server.stop(); listener.remove() }
        let requests = (0..<12).map { index in
            var request = HTTPRequest(method: "GET", url: "http://localhost/\(index)")
            request.unixSocket = socket
            return request
        }
        let pool = TransferPool(maximumInFlight: 3)
        let results = pool.perform(requests)
        #expect(try results.map { try $0.get().status } == Array(repeating: 200, count: 12))
        #expect(running.withLock { $0.most } <= 3)
        #expect(running.withLock { $0.most } >= 2, "transfers did run side by side")
        #expect(pool.isEmpty)
    }

    /// A crowd on four origins, fifty requests each, added origin by origin: the first 64 make
    /// no crowd and stay on the pool's own thread; each origin new to the crowd goes to the lane
    /// with fewer transfers, and keeps it; the lane is handed its first 64 while the rest are
    /// still being added. Every answer comes back to its own request.
    @Test func aCrowdIsSharedWithASecondThreadOriginByOrigin() throws {
        var served: [(ControlServer, UnixListener, String)] = []
        defer { for (server, listener, _) in served { server.stop(); listener.remove() } }
        for _ in 0..<4 {
            served.append(try serve { request in ControlResponse(status: 200, body: Data(request.path.utf8)) })
        }
        let requests = (0..<200).map { index in
            var request = HTTPRequest(method: "GET", url: "http://localhost/\(index)")
            request.unixSocket = served[index / 50].2
            return request
        }
        let pool = TransferPool()
        let secondCore = ProcessInfo.processInfo.activeProcessorCount > 1
        let tags = requests.map { pool.add($0) }
        #expect(pool.handedToHelper == (secondCore ? 64 : 0), "handed over before the caller sends")
        var bodies: [Int: String] = [:]
        // At most a minute: a lost transfer fails the test rather than hanging it. (A count of
        // waits is no bound: on a busy machine the answers come back a few per wait.)
        let deadline = Date().addingTimeInterval(60)
        while bodies.count < tags.count, Date() < deadline {
            for completion in pool.wait(timeoutMilliseconds: 1000).completions {
                bodies[completion.tag] = String(decoding: try completion.result.get().body, as: UTF8.self)
            }
        }
        #expect(tags.map { bodies[$0] } == (0..<200).map { "/\($0)" })
        #expect(pool.isEmpty)
        #expect(pool.handedToHelper == (secondCore ? 100 : 0), "the third and fourth origins, whole, where there is a second core")
        // The pool goes on after the crowd: a single request stays on its own thread.
        #expect(try pool.perform([requests[150]])[0].get().status == 200)
        #expect(pool.handedToHelper == (secondCore ? 100 : 0))
    }

    /// `perform` waits for its own requests: another transfer of the pool that finishes first
    /// does not end the wait with one of its own still out.
    @Test func performWaitsForItsOwnRequestsNotAnothersAnswer() throws {
        let (server, listener, socket) = try serve { request in
            if request.path == "/slow" { Thread.sleep(forTimeInterval: 0.3) }
            return ControlResponse(status: 200, body: Data(request.path.utf8))
        }
        defer { server.stop(); listener.remove() }
        func request(_ path: String) -> HTTPRequest {
            var request = HTTPRequest(method: "GET", url: "http://localhost" + path)
            request.unixSocket = socket
            return request
        }
        let pool = TransferPool()
        pool.add(request("/fast"))
        let results = pool.perform([request("/slow")])
        #expect(try results.map { String(decoding: try $0.get().body, as: UTF8.self) } == ["/slow"])
    }

    /// A pool let go with a crowd still running stops its second thread and frees every
    /// transfer, without waiting for the answers: no handler has answered when it is gone.
    @Test func aPoolLetGoWithACrowdInFlightStopsItsSecondThread() throws {
        let release = DispatchSemaphore(value: 0)
        let answered = Mutex(0)
        var served: [(ControlServer, UnixListener, String)] = []
        defer { for (server, listener, _) in served { server.stop(); listener.remove() } }
        for _ in 0..<2 {
            served.append(try serve { _ in
                _ = release.wait(timeout: .now() + 10)
                answered.withLock { $0 += 1 }
                return ControlResponse(status: 200)
            })
        }
        var pool: TransferPool? = TransferPool()
        for index in 0..<100 {
            var request = HTTPRequest(method: "GET", url: "http://localhost/\(index)")
            request.unixSocket = served[index < 64 ? 0 : 1].2
            pool?.add(request)
        }
        _ = pool?.wait(timeoutMilliseconds: 50)
        let handed = pool?.handedToHelper ?? -1
        pool = nil
        #expect(answered.withLock { $0 } == 0, "letting go waited for no answer")
        for _ in 0..<100 { release.signal() }
        #expect(handed == (ProcessInfo.processInfo.activeProcessorCount > 1 ? 36 : 0))
    }

    @Test func transfersToOneOriginAreKnownWhateverTheURLsSpelling() {
        func origin(_ url: String) -> String? { ParsedURL(url)?.origin }
        #expect(origin("http://Example.COM/a?b=1") == origin("http://example.com:80/c"))
        #expect(origin("https://example.com/") == origin("https://example.com:443/x"))
        #expect(origin("https://example.com/") != origin("http://example.com/"))
        #expect(origin("http://127.0.0.1:8081/") != origin("http://127.0.0.1:8082/"))
        // Without a scheme, as libcurl reads a URL given as text.
        #expect(origin("example.com/a") == origin("http://example.com/"))
        #expect(origin("http://[::1") == nil)
    }

    @Test func aStreamedBodyArrivesPieceByPieceUntilItEnds() throws {
        let pieces = Mutex(["b\n", "", "c\n"])
        let (server, listener, socket) = try serve { _ in
            ControlResponse(status: 200, body: Data("a\n".utf8), stream: {
                pieces.withLock { list in list.isEmpty ? nil : Data(list.removeFirst().utf8) }
            })
        }
        defer { server.stop(); listener.remove() }
        var request = HTTPRequest(method: "GET", url: "http://localhost/v1/events?follow=1")
        request.unixSocket = socket
        var received: [String] = []
        let status = try StreamingTransfer.perform(request) { received.append(String(decoding: $0, as: UTF8.self)) }.get()
        #expect(status == 200)
        #expect(received.joined() == "a\nb\nc\n")
    }

    @Test func theBellWakesAFollowerAndClosingItEndsEveryWait() {
        let bell = EventBell()
        #expect(bell.wait(after: 0, timeout: 0) == .timedOut)
        bell.ring(7)
        #expect(bell.wait(after: 3, timeout: 0) == .rang(7))
        #expect(bell.wait(after: 7, timeout: 0) == .timedOut)
        let woken = DispatchSemaphore(value: 0)
        let outcome = Mutex<EventBell.Wait?>(nil)
        Thread.detachNewThread {
            outcome.withLock { $0 = bell.wait(after: 7, timeout: 30) }
            woken.signal()
        }
        bell.close()
        #expect(woken.wait(timeout: .now() + 10) == .success)
        #expect(outcome.withLock { $0 } == .closed)
    }

    @Test func aStoppedServerNoLongerAnswersAndAStaleSocketFileIsReplaced() throws {
        let (server, listener, socket) = try serve { _ in ControlResponse(status: 200) }
        #expect(try send(socket, "GET", "/").status == 200)
        server.stop()
        var request = HTTPRequest(method: "GET", url: "http://localhost/")
        request.unixSocket = socket
        #expect(throws: TransferError.self) { try TransferPool().perform([request]).first?.get() }
        // The file is still there, as after a kill -9: the next daemon binds over it.
        #expect(FileManager.default.fileExists(atPath: socket))
        let again = try UnixListener(path: socket)
        let next = try ControlServer(listeningFD: again.fd) { _ in ControlResponse(status: 204) }
        defer { next.stop(); again.remove(); listener.remove() }
        #expect(try send(socket, "GET", "/").status == 204)
    }

    @Test func aPathThatIsNotASocketIsNeverReplaced() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString.prefix(8)).db").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: file))
        defer { unlink(file) }
        #expect(throws: SystemError.self) { try UnixListener(path: file) }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "precious")
    }
}
