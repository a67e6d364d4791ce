import Foundation
@testable import MaintCore
import MaintFuzz
import Testing

struct DurationTextTests {
    @Test(arguments: [("90s", 90_000), ("45m", 2_700_000), ("2h30m", 9_000_000), ("7d", 604_800_000), ("1d2h3m4s", 93_784_000), ("500ms", 500)] as [(String, Int64)])
    func parses(_ text: String, _ milliseconds: Int64) {
        #expect(DurationText.parse(text) == milliseconds)
        #expect(DurationText.parse(DurationText.format(milliseconds)) == milliseconds)
    }

    /// As people write them: hours below two days, and no milliseconds in a lateness.
    @Test func formatsAsPeopleWriteThem() {
        #expect(DurationText.format(86_400_000) == "24h")
        #expect(DurationText.format(129_600_000) == "36h")
        #expect(DurationText.format(172_800_000) == "2d")
        #expect(DurationText.format(604_800_000) == "7d")
        #expect(DurationText.rounded(116_992_790) == "32h30m")
        #expect(DurationText.rounded(199_792_790) == "2d7h30m")
        #expect(DurationText.rounded(12_490) == "12s")
        #expect(DurationText.rounded(1_237) == "1s237ms")
        #expect(DurationText.rounded(-3_629_999) == "-1h")
    }

    @Test(arguments: ["", "h", "2", "2 h", "30m2h", "2h2h", "-5m", "1.5h", "10y"])
    func rejects(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    /// The parser reads bytes; it reads every text as one reading characters does (the first
    /// version of it, kept here), on random texts of digits, units, spaces and other scripts.
    @Test func readsBytesAsItReadCharacters() {
        func byCharacters(_ text: String) -> Int64? {
            let units: [(name: String, size: Int64, order: Int)] = [("d", 86_400_000, 0), ("h", 3_600_000, 1), ("ms", 1, 4), ("m", 60_000, 2), ("s", 1_000, 3)]
            var rest = Substring(text)
            while let first = rest.first, first.isWhitespace { rest = rest.dropFirst() }
            while let last = rest.last, last.isWhitespace { rest = rest.dropLast() }
            guard !rest.isEmpty, rest.utf8.count <= 64 else { return nil }
            var total: Int64 = 0
            var lastRank = -1
            while !rest.isEmpty {
                let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
                guard !digits.isEmpty, digits.count <= 9, let amount = Int64(digits) else { return nil }
                rest = rest.dropFirst(digits.count)
                guard let unit = units.first(where: { rest.hasPrefix($0.name) }) else { return nil }
                guard unit.order > lastRank else { return nil }
                lastRank = unit.order
                rest = rest.dropFirst(unit.name.count)
                total += amount * unit.size
            }
            return total
        }
        let pieces = ["1", "0", "9", "12", "999999999", "1234567890", "d", "h", "m", "s", "ms", " ", "\t", "\u{A0}", "\u{301}", "٣", "é", "-", ".", "y"]
        var generator = SystemRandomNumberGenerator()
        var parsed = 0
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            #expect(DurationText.parse(text) == byCharacters(text), "\(text.debugDescription)")
            if DurationText.parse(text) != nil { parsed += 1 }
        }
        #expect(parsed > 100, "the texts include durations")
    }
}

struct TimeTextTests {
    static let paris = TimeZone(identifier: "Europe/Paris")!
    static let newYork = TimeZone(identifier: "America/New_York")!

    @Test func localTimeIsReadInItsZone() throws {
        let date = try #require(TimeText.parse("2026-12-06 02:00", zone: Self.paris, now: Date()))
        #expect(TimeText.rfc3339(date) == "2026-12-06T01:00:00Z")
    }

    /// `--to +6mo`: calendar months, the same wall time, a missing day the month's last.
    @Test func monthsAheadAreCalendarMonths() throws {
        let now = try #require(TimeText.parseRFC3339("2026-08-31T10:00:00Z"))
        let later = try #require(TimeText.parse("+6mo", zone: Self.paris, now: now))
        #expect(TimeText.local(later, zone: Self.paris) == "2027-02-28 12:00 CET (+01:00)", "Feb has no 31st; summer time to winter time")
        #expect(TimeText.parse("+1y", zone: .gmt, now: now).map { TimeText.rfc3339($0) } == "2027-08-31T10:00:00Z")
        #expect(TimeText.parse("+180d", zone: .gmt, now: now) == now.addingTimeInterval(180 * 86_400))
        #expect(TimeText.parse("+mo", zone: .gmt, now: now) == nil)
        #expect(TimeText.parse("+99999y", zone: .gmt, now: now) == nil)
    }

    @Test func rfc3339CarriesItsOwnOffset() throws {
        let date = try #require(TimeText.parse("2026-12-06T02:00:00+05:30", zone: Self.paris, now: Date()))
        #expect(TimeText.rfc3339(date) == "2026-12-05T20:30:00Z")
    }

    /// 2026-03-29 02:30 does not exist in Paris (02:00 → 03:00): it moves forward by the gap, to 03:30 CEST.
    @Test func aSkippedLocalTimeMovesForwardByTheGap() throws {
        let date = try #require(TimeText.parse("2026-03-29 02:30", zone: Self.paris, now: Date()))
        #expect(TimeText.rfc3339(date) == "2026-03-29T01:30:00Z")
        #expect(TimeText.rfc3339(date, zone: Self.paris) == "2026-03-29T03:30:00+02:00")
    }

    /// 2026-11-01 01:30 happens twice in New York: the first one (EDT) is taken.
    @Test func aRepeatedLocalTimeIsTheFirstOne() throws {
        let date = try #require(TimeText.parse("2026-11-01 01:30", zone: Self.newYork, now: Date()))
        #expect(TimeText.rfc3339(date) == "2026-11-01T05:30:00Z")
    }

    @Test func relativeTimesCountFromNow() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(TimeText.parse("+90s", zone: Self.paris, now: now) == now.addingTimeInterval(90))
    }

    @Test(arguments: ["2026-02-30 02:00", "2026-13-01 00:00", "2026-01-01 25:00", "tomorrow", "2026-01-01"])
    func rejects(_ text: String) {
        #expect(TimeText.parse(text, zone: Self.paris, now: Date()) == nil)
    }

    @Test func localDisplayShowsAbbreviationAndOffset() throws {
        let date = try #require(TimeText.parseRFC3339("2026-12-06T01:00:00Z"))
        #expect(TimeText.local(date, zone: Self.paris) == "2026-12-06 02:00 CET (+01:00)")
        #expect(TimeText.local(date, zone: TimeZone(identifier: "Asia/Kolkata")!) == "2026-12-06 06:30 IST (+05:30)")
    }

    @Test func stampsCarryMillisecondsInTheirZoneWithoutAFormatter() throws {
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        let date = Date(timeIntervalSince1970: 1_900_000_000.25)
        #expect(TimeText.stamp(date) == "2030-03-17T17:46:40.250")
        #expect(TimeText.stamp(date, zone: paris, separator: " ") == "2030-03-17 18:46:40.250")
        #expect(TimeText.stamp(Date(timeIntervalSince1970: -0.75)) == "1969-12-31T23:59:59.250")
    }

    @Test func abbreviationsAreTheSameWhenAskedAgain() throws {
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        let winter = Date(timeIntervalSince1970: 1_900_000_000), summer = Date(timeIntervalSince1970: 1_910_000_000)
        #expect(TimeText.abbreviation(winter, zone: paris) == "CET")
        #expect(TimeText.abbreviation(summer, zone: paris) == "CEST")
        #expect(TimeText.abbreviation(winter, zone: paris) == "CET")
    }
}

struct TemplateTests {
    let context = TemplateContext(values: ["message": "Say \"hi\"\n</script>", "headline": "H"],
                                  secrets: SecretSource(environment: ["TOKEN": "s3cr3t-value"]))

    @Test func unknownPlaceholdersAreErrorsWithTheirOffset() {
        let error = #expect(throws: Template.ParseError.self) { try Template(parsing: "abc {{mesage}}") }
        #expect(error?.offset == 4)
        #expect(error?.message.contains("unknown placeholder \"{{mesage}}\"") == true)
    }

    /// The text is read as bytes; an offset still counts characters, and text between
    /// placeholders comes back whole, whatever its letters.
    @Test func textBeyondASCIIKeepsItsLettersAndOffsets() throws {
        let error = #expect(throws: Template.ParseError.self) { try Template(parsing: "Café ☕ {{mesage}}") }
        #expect(error?.offset == 7)
        let template = try Template(parsing: "Wartung ☕ {{end.local}} — zurück {{ target }}!")
        #expect(template.parts == [.text("Wartung ☕ "), .placeholder("end.local"), .text(" — zurück "), .placeholder("target"), .text("!")])
        #expect(try Template(parsing: "{ {x} }} é").parts == [.text("{ {x} }} é")])
        #expect(throws: Template.ParseError.self) { try Template(parsing: "é {{") }
    }

    @Test func substitutionInsideJSONStaysAString() throws {
        let body = JSONValue.object(["text": .string("{{message}}"), "n": .number(3)])
        let rendered = try JSONBodyTemplate(body).render(context)
        #expect(rendered == #"{"n":3,"text":"Say \"hi\"\n</script>"}"#)
        let parsed = try JSONValue.parseJSON(Data(rendered.utf8))
        #expect(parsed["text"] == .string("Say \"hi\"\n</script>"))
    }

    /// A body laid out once gives, for every request, the text of its value with each string
    /// rendered and then written whole: on random values whose strings hold placeholders, secrets,
    /// braces that are not templates, quotes and other scripts, and numbers that cannot be written.
    @Test func aBodyLaidOutOnceIsTheValueRenderedThenWritten() throws {
        func rendered(_ value: JSONValue) throws -> JSONValue {
            switch value {
            case .string(let text):
                guard let template = try? Template(parsing: text) else { return value }
                return .string(try template.render(context))
            case .array(let values): return .array(try values.map(rendered))
            case .object(let values): return .object(try values.mapValues(rendered))
            default: return value
            }
        }
        var random = RandomJSON(seed: 118, longestText: 4, largestObject: 4, deepestContainer: 3,
                                pieces: ["a", "{{message}}", "{{message}}", "{{ headline }}", "{{secret:TOKEN}}", "{{mesage}}", "{", "}}", "\"", "é", "\n"],
                                numbers: [0, -1.5, 7200, 1e300, 3, 4, 5, .infinity])
        var templated = 0
        for _ in 0..<500 {
            let value = random.value(0)
            let body = JSONBodyTemplate(value)
            if body.pieces.contains(where: { if case .string = $0 { return true } else { return false } }) { templated += 1 }
            #expect(try body.render(context) == rendered(value).serialized(), "\(value)")
        }
        // Many bodies held a templated string: their pieces were joined, not the value written again.
        #expect(templated > 40)
    }

    @Test func secretsComeFromTheEnvironmentOrCredentialsDirectory() throws {
        #expect(try Template(parsing: "Bearer {{secret:TOKEN}}").render(context) == "Bearer s3cr3t-value")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "from-file\n".write(to: directory.appendingPathComponent("TOKEN"), atomically: true, encoding: .utf8)
        let secrets = SecretSource(environment: ["CREDENTIALS_DIRECTORY": directory.path, "TOKEN": "from-env"])
        #expect(try secrets.value(of: "TOKEN") == "from-file")
        #expect(secrets.redact("got from-file back", names: ["TOKEN"]) == "got [secret:TOKEN] back")
    }

    @Test func aMissingSecretNamesItselfOnly() {
        let error = #expect(throws: SecretError.self) { try Template(parsing: "{{secret:NOPE}}").render(context) }
        #expect(error?.description.contains("NOPE") == true)
    }
}

struct ConditionTests {
    let ok = HealthObservation(status: 200, responseTimeMilliseconds: 120, body: #"{"status":"ok","db":{"lag":3}}"#)
    let down = HealthObservation(status: 503, responseTimeMilliseconds: 950, body: #"{"status":"maintenance"}"#)

    @Test(arguments: [
        ("[STATUS] == 200", true, false),
        ("[STATUS] == 200 && [RESPONSE_TIME] < 800", true, false),
        ("[STATUS] == 200 || [STATUS] == 503", true, true),
        ("[BODY].status == ok", true, false),
        ("[BODY].db.lag <= 5", true, false),
        ("[RESPONSE_TIME] >= 900", false, true),
        ("[STATUS] != 200 && [BODY].status == maintenance", false, true),
    ])
    func evaluates(_ text: String, _ whenOK: Bool, _ whenDown: Bool) throws {
        let condition = try Condition(parsing: text)
        #expect(condition.evaluate(ok) == whenOK)
        #expect(condition.evaluate(down) == whenDown)
    }

    @Test func failuresSayWhatWasSeen() throws {
        let condition = try Condition(parsing: "[STATUS] == 200 && [RESPONSE_TIME] < 800")
        #expect(condition.failures(down) == ["[STATUS] == 200 (got 503)", "[RESPONSE_TIME] < 800 (got 950)"])
    }

    @Test(arguments: [("[STATUS] 200", 0, "has no comparison"), ("[STATUS] == 200 && [STAUS] == 1", 19, "unknown placeholder"), ("1 == 2", 0, "compares two constants")])
    func parseErrorsPointAtTheirColumn(_ text: String, _ offset: Int, _ message: String) {
        let error = #expect(throws: Condition.ParseError.self) { try Condition(parsing: text) }
        #expect(error?.offset == offset)
        #expect(error?.message.contains(message) == true)
    }
}

struct ConditionLanguageTests {
    let reply = HealthObservation(status: 200, responseTimeMilliseconds: 42,
                                  body: #"{"status":"ok","checks":[{"name":"db","state":"up"},{"name":"cache","state":"degraded"}],"tags":[]}"#,
                                  certificateExpiresInMilliseconds: 3 * 86_400_000)

    @Test(arguments: [
        ("[BODY].checks[0].state == up", true),
        ("[BODY].checks[1].state == up", false),
        ("[BODY].checks[5].state == up", false),
        ("len([BODY].checks) == 2", true),
        ("len([BODY].tags) == 0", true),
        ("len([BODY].status) == 2", true),
        ("[CERTIFICATE_EXPIRATION] > 48h", true),
        ("[CERTIFICATE_EXPIRATION] > 7d", false),
        ("[RESPONSE_TIME] < 500ms", true),
        ("[STATUS] == 200 && len([BODY].checks) > 1 || [STATUS] == 204", true),
    ])
    func evaluates(_ text: String, _ expected: Bool) throws {
        #expect(try Condition(parsing: text).evaluate(reply) == expected)
    }

    @Test(arguments: [
        ("[BODY].checks[x].state == up", 13, "a list index is [0], [1]"),
        ("len([STATUS]) > 1", 4, "len() takes [BODY] or [BODY].path"),
        ("len([BODY] > 1", 0, "len( is not closed"),
        ("[CERT_EXPIRY] > 1d", 0, "unknown placeholder \"[CERT_EXPIRY]\""),
    ])
    func errorsPointAtTheirColumn(_ text: String, _ offset: Int, _ message: String) {
        let error = #expect(throws: Condition.ParseError.self) { try Condition(parsing: text) }
        #expect(error?.offset == offset, "\(error?.message ?? "")")
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test func noCertificateMeansTheConditionFails() throws {
        let plain = HealthObservation(status: 200, responseTimeMilliseconds: 1, body: "")
        #expect(try Condition(parsing: "[CERTIFICATE_EXPIRATION] > 1h").evaluate(plain) == false)
    }
}

struct JSONValueTests {
    @Test func serializedTextHasSortedKeysWholeNumbersAndUnescapedSlashes() {
        let value: JSONValue = .object(["b": .number(7200), "a": .string("x/y \"q\"\n"), "c": .array([.bool(true), .null, .number(2.5)])])
        #expect(value.serialized() == #"{"a":"x/y \"q\"\n","b":7200,"c":[true,null,2.5]}"#)
        #expect(JSONValue.string("a\"b").serialized() == #""a\"b""#)
        #expect(JSONValue.number(.nan).serialized() == "null")
    }

    /// The text is the one Foundation's encoder writes, byte for byte (a request's signature is
    /// over these bytes): compared on random values of every kind, keys and strings drawn from
    /// quotes, backslashes, slashes, control characters, accents, combining marks and emoji.
    @Test func serializedTextIsWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var draw = RandomJSON(seed: 2026, longestText: 6, largestObject: 5, deepestContainer: 3,
                              pieces: ["a", "B", "z", "_", "10", "9", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{00}", "\u{1F}",
                                       "\u{7F}", "é", "e\u{301}", "😀", "\u{2028}", " ", "{{x}}", "Ω"],
                              numbers: [0, -0.0, 1, -7, 7200, 2.5, 0.1, 1e-7, 1e15, 2.5e15, 1e15 + 0.5, 123456789.125, -3.75, 1e300, .leastNonzeroMagnitude])
        func value(_ depth: Int) -> JSONValue { draw.value(depth) }
        for _ in 0..<2_000 {
            let drawn = value(0)
            let expected = String(decoding: try encoder.encode(drawn), as: UTF8.self)
            #expect(drawn.serialized() == expected)
            // The indented text (`--json`) reads back as the same value.
            if drawn.serialized() != "null" {
                #expect(try JSONValue.parseJSON(Data(drawn.prettyPrinted().utf8)).serialized() == expected)
            }
        }
    }

    @Test func prettyTextIndentsTwoSpacesALevel() {
        let value: JSONValue = .object(["b": .array([.number(1), .object([:])]), "a": .array([]), "c": .object(["d": .string("x")])])
        #expect(value.prettyPrinted() == """
            {
              "a": [],
              "b": [
                1,
                {}
              ],
              "c": {
                "d": "x"
              }
            }
            """)
    }

    /// The kinds stored with every window are written directly; the text is what the generic
    /// path (`JSONEncoder`) writes, so a stored fingerprint never changes with the way it is made.
    /// A switch's event detail, written directly, is the text of its four members as an object.
    @Test func aSwitchsDetailIsTheTextOfItsMembers() {
        var random = SplitMix64(seed: 48)
        let results = ["HTTP 200", "", "\"quoted\" \\ é\n", "exit 0: ok"]
        let numbers: [Int] = [0, 1, -1, 999, 86_400_000, -3_600_000, 999_999_999_999_999]
        for _ in 0..<200 {
            let result = random.pick(results), elapsed = random.pick(numbers), attempt = random.pick(numbers), phase = random.pick(numbers)
            let members: [String: JSONValue] = ["result": .string(result), "elapsedMs": .number(Double(elapsed)),
                                                "attempt": .number(Double(attempt)), "phaseMs": .number(Double(phase))]
            #expect(Payload.switched(result: result, elapsed: elapsed, attempt: attempt, phase: Int64(phase)) == Payload.object(members))
        }
    }

    /// Text put together as bytes reads as the same interpolation into a `String`.
    @Test func utf8TextIsWhatAStringInterpolationWrites() {
        var random = SplitMix64(seed: 49)
        let texts = ["", "a", "HTTP 200", "é", "e\u{301}", "😀", "\u{00}", "\"", "line\nnext"]
        let numbers: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 12_345, .max, .min, .max - 1, .min + 1, 1_000_000_000_000_000_000]
        for _ in 0..<500 {
            let first = random.pick(texts), second = random.pick(texts), number = random.pick(numbers), small = Int(random.pick(numbers) % 1_000)
            let text: UTF8Text = "\(first)<\(number)>\(second) \(small)"
            #expect(text.text == "\(first)<\(number)>\(second) \(small)")
            var appended = UTF8Text(stringLiteral: first)
            appended.append(number)
            appended.appendJSONString(second)
            var expected = first + String(number)
            JSONValue.writeString(second, to: &expected)
            #expect(appended.text == expected)
        }
    }

    @Test func storedTextIsTheSameEitherWay() {
        func generic<T: Encodable>(_ value: T) -> String { StoredJSON.text(value) }
        var random = SplitMix64(seed: 7)
        let pieces = ["a", "\"", "\\", "/", "\n", "é", "e\u{301}", "😀", "{{x}}", "https://example.com/a?b=c", "\u{00}"]
        func text() -> String { (0..<random.int(0...4)).map { _ in random.pick(pieces) }.joined() }
        for _ in 0..<500 {
            let page = PageFields(bypassUrl: random.chance(50) ? text() : nil, buttonText: random.chance(50) ? text() : nil,
                                  imageUrl: random.chance(50) ? text() : nil, icon: random.chance(50) ? text() : nil)
            #expect(StoredJSON.text(page) == generic(page))
            let list = (0..<random.int(0...4)).map { _ in text() }
            #expect(StoredJSON.text(list) == generic(list))
            var counts: [String: Int] = [:]
            for _ in 0..<random.int(0...4) { counts[text()] = random.int(-3...1_000_000) }
            #expect(StoredJSON.text(counts) == generic(counts))
            let results = (0..<random.int(0...3)).map { _ in
                CheckResult(check: text(), ok: random.chance(50), status: random.chance(50) ? random.int(100...599) : nil,
                            responseTimeMs: random.chance(50) ? random.int(0...60_000) : nil, detail: text())
            }
            #expect(StoredJSON.text(results) == generic(results))
        }
    }

    /// A large file is read in parts on every core (`JSON5Parts`): on random documents written
    /// in every JSON5 way (unquoted and quoted keys, single quotes, comments and trailing commas
    /// between members, hexadecimal numbers), cut at many sizes, the parts give the value the
    /// whole text gives.
    @Test func aDocumentReadInPartsIsTheDocumentReadWhole() throws {
        var cut = 0
        for (source, document) in RandomJSON5Document.documents(300, seed: 5545) {
            let outline = JSON5Locator(text: source, positions: false, outlining: true)
            #expect(outline.syntaxError == nil, "\(source)")
            #expect(try JSONValue.parseJSON5(Data(source.utf8)) == document, "\(source)")
            for size in [1, 20, 300] {
                guard let parts = JSON5Parts(text: source, outline: outline.outline, partBytes: size) else { continue }
                cut += 1
                #expect(parts.parse() == document, "in parts of \(size) bytes: \(source)")
            }
        }
        // Most documents were cut: the parts were read, not the whole text again.
        #expect(cut > 300)
    }

    /// In a large file, a position under a section's member is found in that member's text
    /// alone (`OutlinePositions`): on the same random documents, every path under a member, and
    /// one missing field under each, is placed where the locator of the whole file places it.
    @Test func aPositionFoundFromTheOutlineIsTheWholeFilesPosition() throws {
        var placed = 0
        for (source, document) in RandomJSON5Document.documents(300, seed: 5545) {
            let whole = JSON5Locator(text: source)
            var outlined = OutlinePositions(text: source, outline: JSON5Locator(text: source, positions: false, outlining: true).outline)
            guard case .object(let sections) = document else { continue }
            for (section, value) in sections {
                guard case .object(let members) = value else { continue }
                for (name, member) in members {
                    let base = FieldPath([.key(section), .key(name)])
                    for path in RandomJSON5Document.paths(in: member, under: base) + [base.appending("no such field")] {
                        for preferKey in [false, true] {
                            let found = outlined.position(of: path, preferKey: preferKey)
                            let position = try #require(found, "\(path) in \(source)")
                            #expect(position == whole.position(of: path, preferKey: preferKey), "\(path) in \(source)")
                            placed += 1
                        }
                    }
                }
            }
            // Above a member, the outline gives no position: the whole file's locator does.
            for section in sections.keys { #expect(outlined.position(of: FieldPath([.key(section)]), preferKey: false) == nil) }
        }
        #expect(placed > 2_000)
    }

    /// A section a little larger than a part is cut in halves: no core waits while another
    /// reads a whole part and the rest is a remnant.
    @Test func aSectionIsCutInPartsOfAboutEqualSize() throws {
        let members = (0..<100).map { String(format: "m%03d: \"0123456789\"", $0) }
        let source = "{ windows: { " + members.joined(separator: ", ") + " } }"
        let outline = JSON5Locator(text: source, positions: false, outlining: true).outline
        let parts = try #require(JSON5Parts(text: source, outline: outline, partBytes: 1_200))
        let sizes = parts.parts.map(\.text.count)
        #expect(sizes.count == 2 && abs(sizes[0] - sizes[1]) <= 2 * (members[0].utf8.count + 2), "\(sizes)")
        #expect(parts.parse() == (try JSONValue.parseJSON5(Data(source.utf8))))
    }

    @Test func readingTriesEveryKind() throws {
        let value = try JSONValue.parseJSON5(Data(#"{ s: "x", n: 1.5, b: false, a: [1, null], o: { k: "v" } }"#.utf8))
        #expect(value == .object(["s": .string("x"), "n": .number(1.5), "b": .bool(false), "a": .array([.number(1), .null]),
                                  "o": .object(["k": .string("v")])]))
    }

    /// A member is first decoded as the kind its key last had (`JSONValue.object`): a key that
    /// changes kind from one object to the next, in every order, still reads as written.
    @Test func aKeyThatChangesKindReadsAsWritten() throws {
        let kinds: [(text: String, value: JSONValue)] = [
            ("\"s\"", .string("s")), ("{ k: 1 }", .object(["k": .number(1)])), ("[true, \"x\"]", .array([.bool(true), .string("x")])),
            ("false", .bool(false)), ("-2.5", .number(-2.5)), ("null", .null), ("{}", .object([:])), ("[]", .array([])),
        ]
        var random = SplitMix64(seed: 42)
        for _ in 0..<50 {
            // Sibling objects whose `k` takes the kinds in a random order, and nested ones under `k`.
            let order = (0..<12).map { _ in random.pick(Array(kinds.indices)) }
            let members = order.enumerated().map { "m\($0.offset): { k: \(kinds[$0.element].text), n: { k: \(kinds[$0.element].text) } }" }
            var expected: [String: JSONValue] = [:]
            for (index, kind) in order.enumerated() {
                expected["m\(index)"] = .object(["k": kinds[kind].value, "n": .object(["k": kinds[kind].value])])
            }
            let source = "{ " + members.joined(separator: ", ") + " }"
            #expect(try JSONValue.parseJSON5(Data(source.utf8)) == .object(expected), "\(source)")
        }
        // A value that is no kind at all is still refused.
        #expect(throws: (any Error).self) { try JSONValue.parseJSON(Data(#"{ "k": "s", "o": { "k": 1e999 } }"#.utf8)) }
    }
}

/// Random JSON values of every kind, keys and strings drawn from `pieces`.
struct RandomJSON {
    var random: SplitMix64
    let longestText: Int
    let largestObject: Int
    /// Past this depth, only scalars.
    let deepestContainer: Int
    let pieces: [String]
    let numbers: [Double]

    init(seed: UInt64, longestText: Int, largestObject: Int, deepestContainer: Int, pieces: [String], numbers: [Double]) {
        random = SplitMix64(seed: seed)
        self.longestText = longestText
        self.largestObject = largestObject
        self.deepestContainer = deepestContainer
        self.pieces = pieces
        self.numbers = numbers
    }

    mutating func text() -> String { (0..<random.int(0...longestText)).map { _ in random.pick(pieces) }.joined() }

    mutating func value(_ depth: Int) -> JSONValue {
        switch random.int(0...(depth > deepestContainer ? 3 : 5)) {
        case 0: return .null
        case 1: return .bool(random.chance(50))
        case 2: return .number(random.pick(numbers))
        case 3: return .string(text())
        case 4: return .array((0..<random.int(0...4)).map { _ in value(depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<random.int(0...largestObject) { object[text()] = value(depth + 1) }
            return .object(object)
        }
    }
}

struct ICalendarTimezoneTests {
    /// RFC 5545 3.6.5: an observance's DTSTART is the local time of the onset in the offset it
    /// changes from; a client that uses the feed's own VTIMEZONE must see the same hour as IANA.
    @Test(arguments: [
        ("Europe/Paris", 2027, ["DAYLIGHT", "DTSTART:20270328T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200"],
         ["STANDARD", "DTSTART:20271031T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100"]),
        ("America/New_York", 2026, ["DAYLIGHT", "DTSTART:20260308T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400"],
         ["STANDARD", "DTSTART:20261101T020000", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500"]),
    ])
    func eachChangeStartsAtTheLocalTimeOfItsOnset(zone name: String, year: Int, spring: [String], autumn: [String]) throws {
        let zone = try #require(TimeZone(identifier: name))
        let from = try #require(TimeText.parseRFC3339("\(year)-01-15T00:00:00Z"))
        let through = try #require(TimeText.parseRFC3339("\(year)-12-15T00:00:00Z"))
        let text = ICalendarText.timezone(zone, from: from, through: through)
        let lines = text.components(separatedBy: "\r\n")
        for expected in [spring, autumn] {
            let begin = try #require(lines.indices.first { lines[$0] == "BEGIN:" + expected[0] && lines[$0 + 1] == expected[1] }, "\(text)")
            #expect(Array(lines[begin + 1...begin + 3]) == Array(expected.dropFirst()), "\(text)")
        }
    }
}

struct TemplateURLTests {
    /// In a URL a window's text is one value, percent-encoded: a message cannot end its query
    /// parameter or add another. A secret goes in as it is (it is often the whole URL).
    @Test func windowValuesInAURLArePercentEncodedAndSecretsAreNot() throws {
        let template = try Template(parsing: "https://gitlab.example.com/api/v4/application/settings?maintenance_mode=true&maintenance_mode_message={{message}}&t={{secret:TOKEN}}")
        let context = TemplateContext(values: ["message": "Back at 04:00 & more=yes ü/?#"], secrets: SecretSource(environment: ["TOKEN": "a/b?c"]))
        #expect(try template.renderURL(context)
                == "https://gitlab.example.com/api/v4/application/settings?maintenance_mode=true&maintenance_mode_message=Back%20at%2004%3A00%20%26%20more%3Dyes%20%C3%BC%2F%3F%23&t=a/b?c")
        #expect(try template.render(context).contains("Back at 04:00 & more=yes"), "elsewhere the text is as it is")
        let whole = try Template(parsing: "{{secret:SLACK_URL}}")
        #expect(try whole.renderURL(TemplateContext(values: [:], secrets: SecretSource(environment: ["SLACK_URL": "https://hooks.slack.com/services/T/B/x"])))
                == "https://hooks.slack.com/services/T/B/x")
    }
}

/// Random JSON5 texts of schedule-like documents (sections of many members, and members of every
/// other kind), written in every JSON5 way: unquoted and quoted keys, single quotes, comments
/// and trailing commas between members, hexadecimal numbers. Each with the value it holds.
enum RandomJSON5Document {
    static func documents(_ count: Int, seed: UInt64) -> [(source: String, document: JSONValue)] {
        var draw = RandomJSON(seed: seed, longestText: 5, largestObject: 4, deepestContainer: 2,
                              pieces: ["a", "Z", "_", "$", "9", "-", " ", "\"", "'", "\\", "/", "\n", "\t", "é", "😀", "{", "}", ",", ":", "//", "/*"],
                              numbers: [0, 1, -7, 2.5, 255, 1e-7, 123456789])
        func key(_ name: String) -> String {
            let bare = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0 == "_" || $0 == "$" || ("0"..."9").contains($0) }
                && !("0"..."9").contains(name.unicodeScalars.first ?? "0")
            return bare && draw.random.chance(70) ? name : JSONValue.string(name).serialized()
        }
        func between() -> String { draw.random.pick([",", ", ", ",\n  ", " ,", ", // a comment, with {braces}\n", ", // ended by CR LF\r\n", ",/* } */"]) }
        func written(_ value: JSONValue, _ depth: Int) -> String {
            switch value {
            case .number(let number) where number == number.rounded() && number >= 0 && number < 1e6 && draw.random.chance(30):
                return "0x" + String(Int(number), radix: 16)
            case .string(let string) where !string.contains("'") && !string.contains("\\") && draw.random.chance(30):
                return "'" + JSONValue.string(string).serialized().dropFirst().dropLast() + "'"
            case .array(let items):
                return "[" + items.map { written($0, depth + 1) }.joined(separator: between()) + (items.isEmpty || draw.random.chance(50) ? "" : ",") + "]"
            case .object(let members):
                return "{" + members.map { key($0.key) + ": " + written($0.value, depth + 1) }.joined(separator: between())
                    + (members.isEmpty || draw.random.chance(50) ? "" : ",") + "}"
            default:
                return value.serialized()
            }
        }
        return (0..<count).map { _ in
            var root: [String: JSONValue] = [:]
            for _ in 0..<draw.random.int(0...5) {
                if draw.random.chance(70) {
                    var section: [String: JSONValue] = [:]
                    for _ in 0..<draw.random.int(0...30) { section[draw.text()] = draw.value(1) }
                    root[draw.text()] = .object(section)
                } else {
                    root[draw.text()] = draw.value(1)
                }
            }
            let document = JSONValue.object(root)
            return (draw.random.pick(["", "// a schedule\n", "/* { */ "]) + written(document, 0) + draw.random.pick(["", "\n", " // end"]), document)
        }
    }

    /// Every path within a value, below `base`.
    static func paths(in value: JSONValue, under base: FieldPath) -> [FieldPath] {
        switch value {
        case .object(let members): return members.flatMap { [base.appending($0.key)] + paths(in: $0.value, under: base.appending($0.key)) }
        case .array(let items): return items.indices.flatMap { [base.appending($0)] + paths(in: items[$0], under: base.appending($0)) }
        default: return []
        }
    }
}
