import CCrypto
import CCurl
import Foundation
import MaintCore
import MaintSystem

/// HTTP transfers in flight on a libcurl multi handle (and, for a crowd, a second one on a
/// thread of its own: `TransferLane`). Used from one thread: `add` requests,
/// then `wait` (which can also watch the caller's own file descriptors) and collect what finished.
public final class TransferPool {
    private let multi: UnsafeMutableRawPointer
    private var inFlight: [UnsafeMutableRawPointer: Transfer] = [:]
    /// Transfers added beyond `maximumInFlight`, started in turn as others finish (from `waitingFrom` on).
    private var waiting: [Transfer] = []
    private var waitingFrom = 0
    /// How many transfers go to each origin (scheme, host and port, or Unix socket), in flight or
    /// waiting, and on which lane: an origin keeps its lane while it has transfers in the pool, so
    /// that its connections are shared, and capped, in one multi handle.
    private var inPoolByOrigin: [String: (count: Int, onHelper: Bool)] = [:]
    /// Half of a crowd runs on a second thread (`TransferLane`), when there is a second core.
    private var helper: TransferLane?
    /// Transfers on the helper lane, in flight or waiting, and those admitted but not handed yet.
    private var onHelper = 0
    private var handing: [Transfer] = []
    /// How many transfers were handed to the helper lane, in all.
    private(set) var handedToHelper = 0
    private static let hasSecondCore = ProcessInfo.processInfo.activeProcessorCount > 1
    private let maximumInFlight: Int
    private var nextTag = 0
    /// From this many transfers in the pool on, a transfer added is one of a crowd (see `start`).
    static let crowd = 64

    public struct Completion {
        public var tag: Int
        public var result: Result<HTTPResponse, TransferError>
    }

    private static let globalInit: Void = {
        // OpenSSL's exit handler can race handle cleanup at exit; curl must not install signal handlers.
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
        _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        signal(SIGPIPE, SIG_IGN)
    }()

    /// At most `maximumInFlight` transfers run at once; by default as many as the process's limit
    /// on open files leaves room for (each holds a socket, and two more while its name is resolved).
    public init(maximumInFlight: Int = TransferPool.descriptorBudget) {
        self.maximumInFlight = max(1, maximumInFlight)
        _ = Self.globalInit
        // curl_multi_init only fails when out of memory.
        guard let multi = curl_multi_init() else { preconditionFailure("curl_multi_init failed: out of memory") }
        self.multi = multi
        _ = maint_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8)
    }

    deinit {
        helper?.stop()
        for (_, transfer) in inFlight where !transfer.onHelper {
            curl_multi_remove_handle(multi, transfer.easy)
        }
        inFlight.removeAll()
        curl_multi_cleanup(multi)
    }

    public var isEmpty: Bool { count == 0 }
    public var count: Int { inFlight.count + waiting.count - waitingFrom }

    /// The transfers the limit on open files leaves room for, keeping 256 descriptors for the
    /// database, the logs, the control API and programs run by the command driver.
    public static var descriptorBudget: Int {
        let limit = OpenFiles.softLimit
        return limit > 512 ? Int(clamping: (limit - 256) / 3) : 64
    }

    /// Starts a transfer; its completion carries the returned tag.
    @discardableResult
    public func add(_ request: HTTPRequest) -> Int {
        nextTag += 1
        return start(Transfer(request: request, tag: nextTag))
    }

    /// Starts sending a message; its completion carries the returned tag (the status is the SMTP reply code).
    @discardableResult
    public func add(_ mail: MailRequest) -> Int {
        nextTag += 1
        return start(Transfer(mail: mail, tag: nextTag))
    }

    /// Added transfers start at the next `send` or `wait`: a round adds all it has, then one
    /// `send` starts them together (driving the multi handle once per transfer would visit every
    /// transfer in flight each time).
    ///
    /// A crowd (a fleet switched at once) is treated apart, because libcurl 7.88 walks all it
    /// caches per transfer: its names at the end of each one, and all its connections when a
    /// handle whose connection was kept is removed; over a fleet that is quadratic in the number
    /// of sites. A transfer added to a crowd resolves its name afresh, and keeps its connection
    /// only when another transfer to its origin is in the pool (a hundred silences on one
    /// Alertmanager share eight connections). Outside a crowd, connections and names are kept
    /// for the next request, a health check after a switch, say.
    ///
    /// A crowd is also shared between two threads where there are two cores: each origin new to
    /// the pool goes to the lane with fewer transfers (`TransferLane`), handed over 64 at a time,
    /// so that the lane is connecting while the caller builds the rest. Outside a crowd, every
    /// transfer stays on this thread's handle, with no hand-over to wait for.
    private func start(_ transfer: Transfer) -> Int {
        let crowd = count >= Self.crowd
        let spareLane = crowd && Self.hasSecondCore && 2 * onHelper < count
        // One look-up of the origin, changed in place.
        let sharing = Self.join(&inPoolByOrigin[transfer.origin, default: (0, spareLane)])
        transfer.onHelper = sharing.onHelper
        if transfer.onHelper { onHelper += 1 }
        if crowd {
            _ = maint_curl_setopt_long(transfer.easy, CURLOPT_DNS_CACHE_TIMEOUT, 0)
            if sharing.before == 0 { _ = maint_curl_setopt_long(transfer.easy, CURLOPT_FORBID_REUSE, 1) }
        }
        if inFlight.count < maximumInFlight {
            admit(transfer)
        } else {
            waiting.append(transfer)
        }
        return transfer.tag
    }

    /// Counts one more transfer to an origin: how many were there before, and its lane.
    private static func join(_ origin: inout (count: Int, onHelper: Bool)) -> (before: Int, onHelper: Bool) {
        origin.count += 1
        return (origin.count - 1, origin.onHelper)
    }

    private func admit(_ transfer: Transfer) {
        inFlight[transfer.easy] = transfer
        if transfer.onHelper {
            handing.append(transfer)
            if handing.count >= Self.crowd { handOver() }
        } else {
            curl_multi_add_handle(multi, transfer.easy)
        }
    }

    /// Gives the helper lane what was admitted to it: its thread starts them at once.
    private func handOver() {
        guard !handing.isEmpty else { return }
        let lane = helper ?? TransferLane(wakingWhenDone: multi)
        helper = lane
        lane.hand(handing)
        handedToHelper += handing.count
        handing = []
    }

    /// Starts waiting transfers as far as there is room (at the next drive of the multi handle).
    private func admitWaiting() {
        while inFlight.count < maximumInFlight, waitingFrom < waiting.count {
            admit(waiting[waitingFrom])
            waitingFrom += 1
        }
        if waitingFrom == waiting.count {
            waiting.removeAll(keepingCapacity: false)
            waitingFrom = 0
        }
    }

    /// Starts connecting and sending what was added, now rather than at the next wait: a switch is
    /// due at this instant.
    public func send() {
        handOver()
        var running: Int32 = 0
        curl_multi_perform(multi, &running)
    }

    /// Drives transfers, waiting at most `timeoutMilliseconds` (or until one of `fds` is readable),
    /// and returns the transfers that finished.
    public func wait(timeoutMilliseconds: Int, fds: [Int32] = []) -> (completions: [Completion], readable: Set<Int32>) {
        handOver()
        var running: Int32 = 0
        curl_multi_perform(multi, &running)
        var completions = collect()
        var readable = Set<Int32>()
        if completions.isEmpty {
            var waits = fds.map { curl_waitfd(fd: $0, events: Int16(CURL_WAIT_POLLIN), revents: 0) }
            var ready: Int32 = 0
            _ = waits.withUnsafeMutableBufferPointer { buffer in
                curl_multi_poll(multi, buffer.baseAddress, UInt32(buffer.count), Int32(max(0, min(timeoutMilliseconds, Int(Int32.max)))), &ready)
            }
            for wait in waits where wait.revents != 0 { readable.insert(wait.fd) }
            curl_multi_perform(multi, &running)
            completions = collect()
        }
        return (completions, readable)
    }

    /// Runs the requests to completion, in parallel.
    public func perform(_ requests: [HTTPRequest]) -> [Result<HTTPResponse, TransferError>] {
        finish(requests.map { add($0) })
    }

    /// Sends the messages to completion, in parallel.
    public func perform(_ mails: [MailRequest]) -> [Result<HTTPResponse, TransferError>] {
        finish(mails.map { add($0) })
    }

    private func finish(_ tags: [Int]) -> [Result<HTTPResponse, TransferError>] {
        // Only these tags count: a completion of another transfer in the pool must not end the
        // wait before one of these has come back.
        let wanted = Set(tags)
        var results: [Int: Result<HTTPResponse, TransferError>] = [:]
        while results.count < wanted.count {
            for completion in wait(timeoutMilliseconds: 1000).completions where wanted.contains(completion.tag) {
                results[completion.tag] = completion.result
            }
        }
        return tags.map { results[$0] ?? .failure(TransferError(code: -1, message: "lost transfer", elapsedMilliseconds: 0)) }
    }

    /// The transfers of a multi handle that finished, with libcurl's result for each, removed from
    /// it. Every message is read before any handle is removed: removing a handle searches the
    /// messages not yet read, a search that grew with the round.
    static func takeFinished(from multi: UnsafeMutableRawPointer, among inFlight: [UnsafeMutableRawPointer: Transfer])
        -> [(transfer: Transfer, code: CURLcode)] {
        var finished: [(transfer: Transfer, code: CURLcode)] = []
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                  let transfer = inFlight[easy] else { continue }
            finished.append((transfer, maint_curl_msg_result(message)))
        }
        for (transfer, _) in finished { curl_multi_remove_handle(multi, transfer.easy) }
        return finished
    }

    private func collect() -> [Completion] {
        // The helper lane's come back already removed from its handle.
        let finished = Self.takeFinished(from: multi, among: inFlight) + (helper?.takeFinished() ?? [])
        let completions = finished.map { transfer, code in
            inFlight[transfer.easy] = nil
            let sharing = (inPoolByOrigin[transfer.origin]?.count ?? 1) - 1
            inPoolByOrigin[transfer.origin] = sharing > 0 ? (sharing, transfer.onHelper) : nil
            if transfer.onHelper { onHelper -= 1 }
            return Completion(tag: transfer.tag, result: transfer.result(code))
        }
        if !finished.isEmpty {
            admitWaiting()
            handOver()
        }
        return completions
    }
}

/// One easy handle and the buffers libcurl writes into while it runs. Used by one thread at a
/// time: a transfer on the helper lane passes between threads through the lane's lock.
final class Transfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    let tag: Int
    /// Where it connects: transfers to one origin can share a connection.
    let origin: String
    /// The URL as libcurl read it, kept while the easy handle uses it.
    private let parsedURL: ParsedURL?
    /// Whether it runs on the pool's helper lane (`TransferLane`), set when it joins the pool.
    var onHelper = false
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var recipients: UnsafeMutablePointer<curl_slist>?
    /// libcurl writes its error text here; it must stay put for the transfer's life.
    private let errorBuffer: UnsafeMutablePointer<CChar> = {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        buffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        return buffer
    }()
    var received = Data()
    var maximumResponseBytes = 1 << 20
    /// What an upload (an e-mail message) sends, and how much of it has gone.
    var upload = Data()
    var uploaded = 0

    /// The settings every transfer shares.
    private init(tag: Int, url: String, unixSocket: String? = nil, protocols: String, timeoutMilliseconds: Int64) {
        guard let easy = curl_easy_init() else { preconditionFailure("curl_easy_init failed: out of memory") }
        self.easy = easy
        self.tag = tag
        parsedURL = unixSocket == nil ? ParsedURL(url) : nil
        origin = unixSocket.map { "unix:" + $0 } ?? parsedURL?.origin ?? url
        if let parsedURL {
            _ = maint_curl_setopt_pointer(easy, CURLOPT_CURLU, UnsafeMutableRawPointer(parsedURL.handle))
        } else {
            _ = maint_curl_setopt_string(easy, CURLOPT_URL, url)
        }
        _ = maint_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        if let socket = unixSocket { _ = maint_curl_setopt_string(easy, CURLOPT_UNIX_SOCKET_PATH, socket) }
        _ = maint_curl_setopt_string(easy, CURLOPT_PROTOCOLS_STR, protocols)
        _ = maint_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(timeoutMilliseconds))
        _ = maint_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeoutMilliseconds, 10_000)))
        _ = maint_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        _ = maint_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
        _ = maint_curl_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            guard let data, let user else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
            let length = size * count
            // Bodies past the limit (1 MiB for a site) are not needed to judge a reply.
            if transfer.received.count < transfer.maximumResponseBytes {
                data.withMemoryRebound(to: UInt8.self, capacity: length) { transfer.received.append($0, count: length) }
            }
            return length
        }
    }

    convenience init(mail: MailRequest, tag: Int) {
        self.init(tag: tag, url: mail.url, protocols: "smtp,smtps", timeoutMilliseconds: mail.timeoutMilliseconds)
        _ = maint_curl_setopt_string(easy, CURLOPT_MAIL_FROM, mail.from)
        for recipient in mail.recipients { recipients = curl_slist_append(recipients, recipient) }
        _ = maint_curl_setopt_slist(easy, CURLOPT_MAIL_RCPT, recipients)
        let level: curl_usessl
        switch mail.startTLS {
        case .required: level = CURLUSESSL_ALL
        case .optional: level = CURLUSESSL_TRY
        case .off: level = CURLUSESSL_NONE
        }
        _ = maint_curl_setopt_long(easy, CURLOPT_USE_SSL, Int(level.rawValue))
        if let user = mail.user { _ = maint_curl_setopt_string(easy, CURLOPT_USERNAME, user) }
        if let password = mail.password { _ = maint_curl_setopt_string(easy, CURLOPT_PASSWORD, password) }
        if let caFile = mail.caFile { _ = maint_curl_setopt_string(easy, CURLOPT_CAINFO, caFile) }
        upload = mail.message
        _ = maint_curl_setopt_long(easy, CURLOPT_UPLOAD, 1)
        _ = maint_curl_setopt_off(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(mail.message.count))
        _ = maint_curl_setopt_pointer(easy, CURLOPT_READDATA, Unmanaged.passUnretained(self).toOpaque())
        _ = maint_curl_setopt_data_callback(easy, CURLOPT_READFUNCTION) { buffer, size, count, user in
            guard let buffer, let user else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
            let length = min(size * count, transfer.upload.count - transfer.uploaded)
            guard length > 0 else { return 0 }
            transfer.upload.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress {
                    UnsafeMutableRawPointer(buffer).copyMemory(from: base + transfer.uploaded, byteCount: length)
                }
            }
            transfer.uploaded += length
            return length
        }
    }

    convenience init(request: HTTPRequest, tag: Int) {
        self.init(tag: tag, url: request.url, unixSocket: request.unixSocket, protocols: "http,https", timeoutMilliseconds: request.timeoutMilliseconds)
        Self.userAgent.withUnsafeBufferPointer { _ = maint_curl_setopt_string(easy, CURLOPT_USERAGENT, $0.baseAddress) }
        if request.wantsCertificate { _ = maint_curl_setopt_long(easy, CURLOPT_CERTINFO, 1) }
        if let caFile = request.caFile { _ = maint_curl_setopt_string(easy, CURLOPT_CAINFO, caFile) }
        if let credentials = request.credentials {
            // libcurl's default authentication is basic.
            _ = maint_curl_setopt_string(easy, CURLOPT_USERNAME, credentials.user)
            _ = maint_curl_setopt_string(easy, CURLOPT_PASSWORD, credentials.password)
        }
        maximumResponseBytes = request.maximumResponseBytes
        _ = maint_curl_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        let method = request.method.uppercased()
        if let body = request.body {
            _ = maint_curl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            if body.isEmpty {
                _ = maint_curl_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBytes { bytes in
                    _ = maint_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, bytes.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) })
                }
            }
            if method != "POST" { _ = maint_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method) }
        } else if method == "HEAD" {
            _ = maint_curl_setopt_long(easy, CURLOPT_NOBODY, 1)
        } else if method != "GET" {
            _ = maint_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, method)
        }
        for header in request.headers { appendHeader(header.name, header.value) }
        // An empty Expect stops libcurl waiting for "100 Continue" on larger bodies.
        appendHeader("Expect", "")
        _ = maint_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)
    }

    /// Its C text made as bytes (libcurl copies it): each transfer of a fleet has a few.
    private func appendHeader(_ name: String, _ value: String) {
        var line: [UInt8] = []
        line.reserveCapacity(name.utf8.count + value.utf8.count + 3)
        UTF8Text.append(name, to: &line)
        line.append(UInt8(ascii: ":"))
        line.append(UInt8(ascii: " "))
        UTF8Text.append(value, to: &line)
        line.append(0)
        line.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { headerList = curl_slist_append(headerList, $0.baseAddress) }
        }
    }

    /// The User-Agent as C text, made once (libcurl copies it for each transfer).
    private static let userAgent = Version.userAgent.utf8CString

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        curl_slist_free_all(recipients)
        errorBuffer.deallocate()
    }

    func result(_ code: CURLcode) -> Result<HTTPResponse, TransferError> {
        var total: curl_off_t = 0
        _ = maint_curl_getinfo_off(easy, CURLINFO_TOTAL_TIME_T, &total)
        let elapsed = Int(total / 1000)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            return .failure(TransferError(code: Int32(code.rawValue), message: message, elapsedMilliseconds: elapsed))
        }
        var status = 0
        _ = maint_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, body: received, elapsedMilliseconds: elapsed, certificateExpiry: certificateExpiry()))
    }

    /// The leaf certificate's "Expire date" from CURLINFO_CERTINFO (`Nov 21 20:35:00 2028 GMT`).
    func certificateExpiry() -> Date? {
        var raw: UnsafeMutableRawPointer?
        guard maint_curl_getinfo_pointer(easy, CURLINFO_CERTINFO, &raw) == CURLE_OK, let raw else { return nil }
        let info = raw.assumingMemoryBound(to: curl_certinfo.self).pointee
        guard info.num_of_certs > 0, let chain = info.certinfo, var item = chain[0] else { return nil }
        while true {
            if let data = item.pointee.data {
                let line = String(cString: data)
                if line.hasPrefix("Expire date:") {
                    let text = line.dropFirst("Expire date:".count).trimmingCharacters(in: .whitespaces)
                    let formatter = DateFormatter()
                    formatter.locale = Locale(identifier: "en_US_POSIX")
                    formatter.timeZone = TimeZone(identifier: "GMT")
                    for format in ["MMM d HH:mm:ss yyyy zzz", "MMM  d HH:mm:ss yyyy zzz", "yyyy-MM-dd HH:mm:ss zzz"] {
                        formatter.dateFormat = format
                        if let date = formatter.date(from: text) { return date }
                    }
                    return nil
                }
            }
            guard let next = item.pointee.next else { return nil }
            item = next
        }
    }
}
