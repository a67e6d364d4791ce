import Foundation
import MaintCore
import MaintFuzz
import Testing

/// Inputs that once crashed, hung or fooled a parser: each now gets a located error.
struct HostileInputTests {
    static let base = ScheduleLoaderTests.base

    func issues(_ text: String) throws -> [ScheduleIssue] {
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("s.json5", text)]) }
        return try #require(error).issues
    }

    func replacing(_ old: String, _ new: String) -> String {
        #expect(Self.base.contains(old), "the case does not apply to the base file")
        return Self.base.replacingOccurrences(of: old, with: new)
    }

    @Test(arguments: ["300000000-01-01 00:00", "9000000000000000000-01-01 00:00", "99999999999999999999-01-01 00:00",
                      "0000-01-01 00:00", "10000-01-01T00:00:00Z", "+999999999d"])
    func yearsOutsideOneTo9999AreRefused(_ start: String) throws {
        let found = try issues(replacing(#"start: "2030-01-01 02:00""#, "start: \"\(start)\""))
        let issue = try #require(found.first { $0.path == "windows.w.start" }, "got: \(found)")
        #expect(issue.message.contains("is not a time"))
        #expect(issue.message.contains("years 1 to 9999"))
    }

    @Test func aWindowEndingAfterTheYear9999IsRefused() throws {
        let found = try issues(replacing(#"start: "2030-01-01 02:00", timezone: "Europe/Paris", duration: "1h""#,
                                         #"start: "9999-12-31 20:00", timezone: "Europe/Paris", duration: "7d""#))
        #expect(found.contains { $0.path == "windows.w.duration" && $0.message.contains("after the year 9999") }, "got: \(found)")
    }

    @Test(arguments: ["INTERVAL=-9223372036854775808", "COUNT=-9223372036854775808", "BYMONTHDAY=-9223372036854775808",
                      "BYDAY=-9223372036854775808SU", "BYSETPOS=-9223372036854775808", "INTERVAL=9223372036854775807",
                      "BYMONTH=-9223372036854775808"])
    func ruleNumbersAtTheEdgesOfIntAreErrors(_ part: String) throws {
        let rule = "FREQ=MONTHLY;\(part)"
        let error = #expect(throws: RecurrenceRule.ParseError.self) { try RecurrenceRule(parsing: rule) }
        // At the value, after "FREQ=MONTHLY;" and the part's name.
        let name: Int = part.firstIndex(of: "=").map { part.distance(from: part.startIndex, to: $0) } ?? 0
        #expect(error?.offset == 13 + name + 1)
    }

    @Test func aRuleWithAnOverflowingIntervalIsReportedInTheFile() throws {
        let text = replacing(#"start: "2030-01-01 02:00", timezone: "Europe/Paris", duration: "1h""#,
                             #"recurrence: "FREQ=WEEKLY;BYDAY=SU;INTERVAL=-9223372036854775808", start: "03:00", timezone: "Europe/Paris", duration: "1h""#)
        let found = try issues(text)
        let issue = try #require(found.first { $0.path == "windows.w.recurrence" }, "got: \(found)")
        #expect(issue.message.contains("INTERVAL"))
        // The column points at the value inside the string.
        #expect(issue.column == text.split(separator: "\n")[issue.line - 1].distance(
            from: text.split(separator: "\n")[issue.line - 1].startIndex,
            to: try #require(text.split(separator: "\n")[issue.line - 1].range(of: "-9223372036854775808")).lowerBound) + 1)
    }

    @Test func twoNoticesAtTheSameOffsetAreRefusedWhereTheSecondIs() throws {
        let (text, line, column) = ScheduleLoaderTests.locate(replacing(#"duration: "1h", channels"#, #"duration: "1h", notices: ["1h", "24h", ⟨"60m"], channels"#))
        let issue = try #require(try issues(text).first)
        #expect(issue.description == "s.json5:\(line):\(column): windows.w.notices[2]: \"60m\" is the same offset as notices[0]; each notice is sent once")
    }

    @Test(arguments: [100, 50_000])
    func deepNestingIsAnErrorAtTheLevelTooDeep(_ depth: Int) throws {
        let text = "{ targets: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + " }"
        let issue = try #require(try issues(text).first)
        #expect(issue.path == "(syntax)")
        #expect(issue.message.contains("nested more than 64 deep"))
        // The 64th list is allowed; the error is at the 65th, column 12 + 64 (the object is the first level).
        #expect(issue.line == 1 && issue.column == 12 + 63)
    }

    @Test func aStringLongerThanAMebibyteIsAnError() throws {
        let text = replacing(#"duration: "1h""#, "duration: \"1h\", message: \"" + String(repeating: "x", count: 2 << 20) + "\"")
        let issue = try #require(try issues(text).first)
        #expect(issue.path == "(syntax)")
        #expect(issue.message == "a string is longer than 1024 KiB")
    }

    @Test func aLongTemplateOfPlaceholdersReadsWhole() throws {
        let source = String(repeating: "x{{message}}", count: 100_000)
        let template = try Template(parsing: source)
        #expect(template.parts.count == 200_000)
        let rendered = try template.render(TemplateContext(values: ["message": "m"], secrets: SecretSource(environment: [:])))
        #expect(rendered == String(repeating: "xm", count: 100_000))
    }

    @Test func anUnclosedPlaceholderIsFoundAtItsOffset() throws {
        let error = #expect(throws: Template.ParseError.self) { try Template(parsing: "ab{{message" + String(repeating: "x", count: 10_000)) }
        #expect(error?.offset == 2)
    }

    /// A key holding a line break is echoed escaped, at the key's own position, and cannot print a
    /// line that looks like another file's error.
    @Test(arguments: [#""bad\nshop.json5:1:1: targets.x: fake""#, #""bad\u2028key""#, #""bad\rkey""#, "\"bad\u{2028}key\""])
    func keysWithLineBreaksAreEscapedAndLocated(_ key: String) throws {
        let (text, line, column) = ScheduleLoaderTests.locate(replacing(#"tags: ["shop"]"#, #"tags: ["shop"], ⟨"# + key + ": 1"))
        let found = try issues(text)
        let issue = try #require(found.first { $0.message.hasPrefix("unknown field") }, "got: \(found)")
        #expect(issue.line == line && issue.column == column, "got: \(issue)")
        #expect(!issue.description.contains("\n") && !issue.description.contains("\r") && !issue.description.contains("\u{2028}"))
        #expect(issue.path.hasPrefix("targets.web[\"bad\\"))
    }

    @Test func valuesWithControlCharactersAreEscapedInMessages() throws {
        let found = try issues(replacing(#"duration: "1h""#, #"duration: "1\nsrc/x.json5:9:9: windows.w: forged\u001B[2J""#))
        let issue = try #require(found.first { $0.path == "windows.w.duration" })
        #expect(issue.message.hasPrefix(#""1\nsrc/x.json5:9:9: windows.w: forged\u{1B}[2J" is not a duration"#), "got: \(issue.message)")
    }

    /// A key is compared as Foundation decodes it: written once plainly and once with an escape
    /// part-way through, it is the same key twice.
    @Test func aKeyWrittenTwiceIsFoundWhateverItsEscapes() throws {
        let locator = JSON5Locator(text: #"{ "maintenance": 1, "main\u0074enance": 2 }"#)
        #expect(locator.syntaxError?.message == #"the key "maintenance" appears twice in this object"#)
        #expect(locator.syntaxError?.position == .init(line: 1, column: 21))
        #expect(JSON5Locator(text: #"{ "café": 1, "caf\u00e9s": 2 }"#).syntaxError == nil)
    }

    /// Few keys are compared one by one and many are hashed: a key written twice is found either
    /// way, at any place in an object of any size, and no key is taken for another.
    @Test(arguments: [2, 16, 17, 18, 40])
    func aKeyWrittenTwiceIsFoundInAnObjectOfAnySize(_ size: Int) throws {
        let keys = (0..<size).map { "k\($0)" }
        let plain = "{ " + keys.map { "\($0): 1" }.joined(separator: ", ") + " }"
        #expect(JSON5Locator(text: plain).syntaxError == nil)
        for repeated in [keys[0], keys[size / 2], keys[size - 1]] {
            let twice = "{ " + (keys + [repeated, "after"]).map { "\($0): 1" }.joined(separator: ", ") + " }"
            #expect(JSON5Locator(text: twice).syntaxError?.message == "the key \"\(repeated)\" appears twice in this object", "\(size) keys")
        }
    }

    /// An unquoted key is read up to its limit, and one byte more is an error at that byte; a
    /// word is named by at most as many bytes, however long it runs.
    @Test func anUnquotedKeyOrWordIsReadUpToItsLimit() throws {
        let longest = String(repeating: "k", count: JSON5Locator.maximumKeyBytes)
        #expect(JSON5Locator(text: "{ \(longest): 1, é\(longest.dropFirst(2)): 2 }").syntaxError == nil)
        let tooLong = JSON5Locator(text: "{ \(longest)k: 1 }")
        #expect(tooLong.syntaxError?.message == "a key is longer than \(JSON5Locator.maximumKeyBytes) bytes")
        #expect(tooLong.syntaxError?.position == .init(line: 1, column: 3 + JSON5Locator.maximumKeyBytes + 1))
        let word = JSON5Locator(text: "{ a: \(longest)\(longest) }")
        #expect(word.syntaxError?.message == "unexpected word \(Quoted(longest)): strings need quotes")
        #expect(word.syntaxError?.position == .init(line: 1, column: 6))
        #expect(JSON5Locator(text: "{ a: -Infinity, b: +1.5e3, c: NaN, d: null, e: true }").syntaxError == nil)
    }

    /// A line comment ends at a carriage return, as Foundation reads it: what follows is text.
    /// Found by fuzzing: the locator read it as comment, Foundation as a mistake, and a file
    /// read in parts (which once left out what lay before the first member) was accepted.
    @Test func aLineCommentEndsAtACarriageReturn() throws {
        let header = "// a note\r oops\n"
        let locator = JSON5Locator(text: header + "{}")
        #expect(locator.syntaxError?.message == #"unexpected word "oops": strings need quotes"#)
        #expect(locator.syntaxError?.position == .init(line: 1, column: 12))
        #expect(JSON5Locator(text: "// a note\r\n{}").syntaxError == nil)

        // Large enough to be read in parts, whatever the text before and between the members.
        let windows = (0..<3_000).map { #"w\#($0): { targets: ["web"], start: "2030-01-01 02:00", duration: "1h", message: "\#(String(repeating: "x", count: 60))" },"# }
        let body = "{ windows: {\n" + windows.joined(separator: "\n") + "\n} }"
        #expect(body.utf8.count > 256 << 10)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("big.json5", header + body)]) }
        #expect(error?.issues.map(\.description) == [#"big.json5:1:12: (syntax): unexpected word "oops": strings need quotes"#])

        // Had the locator taken the header for a comment (its outline of the body, moved past the
        // header), the parts would still give it to Foundation: every byte goes to one part.
        let shift = header.utf8.count
        func moved(_ range: Range<Int>) -> Range<Int> { range.lowerBound + shift..<range.upperBound + shift }
        let outline = JSON5Locator(text: body, positions: false, outlining: true).outline.map { member in
            var member = member
            member.text = moved(member.text)
            member.members = member.members?.map(moved)
            return member
        }
        let parts = try #require(JSON5Parts(text: header + body, outline: outline, partBytes: 64 << 10))
        #expect(parts.parts.count > 1)
        #expect(parts.parse() == nil)
        #expect(JSON5Parts(text: body, outline: JSON5Locator(text: body, positions: false, outlining: true).outline, partBytes: 64 << 10)?.parse() != nil)
    }

    @Test func escapesInKeysAreDecodedAsFoundationDecodesThem() throws {
        let locator = JSON5Locator(text: #"{ "a\u0041\x42\t": { 'q\'s': [1, "\uD83D\uDE00"] } }"#)
        #expect(locator.syntaxError == nil)
        #expect(locator.valuePositions[FieldPath([.key("aAB\t"), .key("q's"), .index(1)])] == .init(line: 1, column: 34))
    }

    /// Found by the fuzzer: ICU's formatters write dates before 1582 in the Julian calendar, so
    /// `1026-12-06` came back as `1026-11-30`. Dates are proleptic Gregorian both ways now.
    @Test func datesBefore1582ReadBackAsThemselves() throws {
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        let date = try #require(TimeText.parse("1026-12-06T02:00:00+01:00", zone: paris, now: Date()))
        #expect(TimeText.rfc3339(date) == "1026-12-06T01:00:00Z")
        // Paris kept local mean time then (+00:09:21): RFC 3339 cannot write it, so UTC is used.
        #expect(TimeText.rfc3339(date, zone: paris) == "1026-12-06T01:00:00Z")
        #expect(TimeText.local(date, zone: paris).hasPrefix("1026-12-06 01:09:21"))
        let early = try #require(TimeText.parse("0042-03-01 12:00", zone: TimeZone(secondsFromGMT: 0) ?? paris, now: Date()))
        #expect(TimeText.rfc3339(early) == "0042-03-01T12:00:00Z")
    }

    /// Every closed choice is read by one function: a word outside it lists the choices.
    @Test(arguments: [("onFailure", "stop", "halt, continue"), ("onHealthFailure", "retry", "alert, reactivate")])
    func aWordOutsideAClosedChoiceListsTheChoices(_ key: String, _ word: String, _ choices: String) throws {
        let found = try issues(replacing(#"duration: "1h""#, "duration: \"1h\", \(key): \"\(word)\""))
        let issue = try #require(found.first { $0.path == "windows.w.\(key)" }, "got: \(found)")
        #expect(issue.message == "\"\(word)\" is not one of: \(choices)")
    }

    @Test func quotedTextIsCutAndEscaped() {
        #expect(Quoted("a\u{202E}b\u{7F}").description == #""a\u{202E}b\u{7F}""#)
        #expect(Quoted(String(repeating: "é", count: 100), limit: 3).description == "\"ééé…(100 characters)\"")
    }

    /// Every saved input that once crashed or hung a parser (fuzz/regressions/TARGET/) is replayed.
    @Test func savedFuzzInputsReplayCleanly() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fuzz/regressions").standardized
        var replayed = 0
        for target in FuzzTarget.allCases {
            let folder = root.appendingPathComponent(target.rawValue)
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where !file.hasPrefix(".") {
                let data = try #require(FileManager.default.contents(atPath: folder.appendingPathComponent(file).path))
                #expect(throws: Never.self, "\(target.rawValue)/\(file)") { try target.run(Array(data)) }
                replayed += 1
            }
        }
        // The folder is found and holds the inputs kept so far (at least the Julian-calendar one).
        #expect(replayed >= 1)
    }
}

struct SecretScrubbingTests {
    let secrets = SecretSource(environment: ["TOKEN": "S3cr3t-0123456789", "SHORT": "abc"])

    @Test func aSecretIsReplacedBeforeTheTextIsCut() {
        // The secret starts 5 characters before the cut: cut first, its first 5 characters would leak.
        let text = String(repeating: "a", count: 295) + "S3cr3t-0123456789 and more"
        let scrubbed = secrets.scrub(text, names: ["TOKEN"], limit: 300)
        #expect(!scrubbed.contains("S3cr3"))
        #expect(scrubbed.hasSuffix("[secr…"))
    }

    @Test func theEndIsKeptForProgramOutputAndLinesAreFolded() {
        let scrubbed = secrets.scrub("line one\nbad token S3cr3t-0123456789\r\n", names: ["TOKEN", "SHORT"], limit: 20, keep: .end)
        #expect(scrubbed == "…token [secret:TOKEN]")
    }
}
