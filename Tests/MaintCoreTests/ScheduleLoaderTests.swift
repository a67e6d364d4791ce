import Foundation
import MaintCore
import Testing

/// Each mistake must be reported at its file, line and column, with its field path.
struct ScheduleLoaderTests {
    static let base = """
        {
          targets: {
            web: {
              driver: "http", tags: ["shop"], timezone: "Europe/Paris",
              activate: { url: "https://web.example.com/m", json: { on: true, text: "{{message}}" } },
              deactivate: { url: "https://web.example.com/m", json: { on: false } },
              health: [ { name: "home", url: "https://web.example.com/", expect: "[STATUS] == 200" } ],
            },
          },
          channels: { ops: { type: "webhook", url: "https://hooks.example.com/x", secret: "{{secret:HOOK}}" } },
          windows: {
            w: { targets: ["web"], start: "2030-01-01 02:00", timezone: "Europe/Paris", duration: "1h", channels: ["ops"] },
          },
        }
        """

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var replace: String
        var with: String
        var path: String
        var message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "URL not http", replace: #"activate: { url: "https://web.example.com/m""#, with: #"activate: { url: ⟨"ftp://web.example.com/m""#,
             path: "targets.web.activate.url", message: "not an absolute http or https URL"),
        Case(name: "unknown placeholder", replace: #"text: "{{message}}""#, with: #"text: "⟨{{mesage}}""#,
             path: "targets.web.activate.json.text", message: "unknown placeholder \"{{mesage}}\""),
        Case(name: "misspelt field", replace: "deactivate: {", with: "⟨deactivte: {",
             path: "targets.web.deactivte", message: "unknown field (did you mean \"deactivate\"?)"),
        Case(name: "bad duration", replace: #"duration: "1h""#, with: #"duration: ⟨"1 hour""#,
             path: "windows.w.duration", message: "\"1 hour\" is not a duration"),
        Case(name: "bad time zone", replace: #"timezone: "Europe/Paris", duration"#, with: #"timezone: ⟨"Europe/Pariss", duration"#,
             path: "windows.w.timezone", message: "\"Europe/Pariss\" is not an IANA time zone"),
        Case(name: "bad start", replace: #"start: "2030-01-01 02:00""#, with: #"start: ⟨"next sunday""#,
             path: "windows.w.start", message: "\"next sunday\" is not a time"),
        Case(name: "unknown target", replace: #"w: { targets: ["web"]"#, with: #"w: { targets: [⟨"webb"]"#,
             path: "windows.w.targets[0]", message: "no target is named \"webb\"; did you mean \"web\"?"),
        Case(name: "unknown tag", replace: #"w: { targets: ["web"]"#, with: #"w: { targets: [⟨"tag:shopp"]"#,
             path: "windows.w.targets[0]", message: "no target has the tag \"shopp\"; did you mean \"shop\"?"),
        Case(name: "unknown channel", replace: #"channels: ["ops"]"#, with: #"channels: [⟨"opss"]"#,
             path: "windows.w.channels[0]", message: "no channel is named \"opss\"; did you mean \"ops\"?"),
        Case(name: "wrong type", replace: #"tags: ["shop"]"#, with: #"tags: ⟨"shop""#,
             path: "targets.web.tags", message: "expected a list of strings, got a string"),
        Case(name: "bad health condition", replace: #"expect: "[STATUS] == 200""#, with: #"expect: "⟨[STAUS] == 200""#,
             path: "targets.web.health[0].expect", message: "unknown placeholder \"[STAUS]\""),
        Case(name: "unknown driver", replace: #"driver: "http""#, with: #"driver: ⟨"telnet""#,
             path: "targets.web.driver", message: "unknown driver \"telnet\""),
        Case(name: "bad status code", replace: #"json: { on: false } }"#, with: #"json: { on: false }, expect: [⟨700] }"#,
             path: "targets.web.deactivate.expect[0]", message: "expected an HTTP status code"),
        Case(name: "end before start", replace: #"duration: "1h""#, with: #"end: ⟨"2029-12-31 02:00""#,
             path: "windows.w.end", message: "the end is not after the start"),
        Case(name: "literal signing key", replace: #"secret: "{{secret:HOOK}}""#, with: #"secret: ⟨"hunter2""#,
             path: "channels.ops.secret", message: "write the signing key as \"{{secret:NAME}}\""),
        Case(name: "missing comma", replace: #"driver: "http", tags"#, with: #"driver: "http" ⟨tags"#,
             path: "(syntax)", message: "a ',' or '}' was expected"),
        Case(name: "unclosed string", replace: #"timezone: "Europe/Paris","#, with: #"timezone: ⟨"Europe/Paris,"#,
             path: "(syntax)", message: "a string is not closed on its line"),
    ]

    /// The text with the marker removed, and the marker's line and column.
    static func locate(_ text: String) -> (String, Int, Int) {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let marker = line.firstIndex(of: "⟨") {
                return (text.replacingOccurrences(of: "⟨", with: ""), index + 1, line.distance(from: line.startIndex, to: marker) + 1)
            }
        }
        return (text, 0, 0)
    }

    @Test func theBaseFileIsValid() throws {
        let schedule = try ScheduleLoader().load(sources: [("s.json5", Self.base)])
        #expect(schedule.targets.keys.sorted() == ["web"])
        #expect(schedule.windows["w"]?.targets == ["web"])
    }

    @Test(arguments: cases)
    func mistakesAreReportedWhereTheyAre(_ mistake: Case) throws {
        #expect(Self.base.contains(mistake.replace), "the case does not apply to the base file")
        let (text, line, column) = Self.locate(Self.base.replacingOccurrences(of: mistake.replace, with: mistake.with))
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("shop.json5", text)]) }
        let issues = try #require(error).issues
        let issue = issues.first { $0.path == mistake.path }
        #expect(issue != nil, "got: \(issues)")
        #expect(issue?.file == "shop.json5")
        #expect(issue?.line == line, "got: \(issues)")
        #expect(issue?.column == column, "got: \(issues)")
        #expect(issue?.message.contains(mistake.message) == true, "got: \(issues)")
        #expect(issue?.description.hasPrefix("shop.json5:\(line):\(column): \(mistake.path): ") == true)
    }

    /// A file larger than a part (256 KiB) is read in parts on every core (`JSON5Parts`): it reads
    /// as written, and a mistake in it is still reported at its line and column.
    @Test func aLargeFileIsReadInPartsWithItsMistakesWhereTheyAre() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let first = try #require(calendar.date(from: DateComponents(year: 2030, month: 1, day: 1)))
        var lines: [String] = []
        for index in 0..<12_000 {
            let start = calendar.dateComponents([.year, .month, .day, .hour], from: first.addingTimeInterval(Double(index) * 7_200))
            let text = String(format: "%04d-%02d-%02d %02d:00", start.year ?? 0, start.month ?? 0, start.day ?? 0, start.hour ?? 0)
            lines.append(#"    w\#(index): { targets: ["web"], start: "\#(text)", timezone: "UTC", duration: "1h" },"#)
        }
        func file(_ windows: [String]) -> String {
            Self.base.replacingOccurrences(of: "  windows: {\n", with: "  windows: {\n" + windows.joined(separator: "\n") + "\n")
        }
        let whole = file(lines)
        #expect(whole.utf8.count > 1 << 20)
        let schedule = try ScheduleLoader().load(sources: [("big.json5", whole)])
        #expect(schedule.windows.count == 12_001)
        #expect(schedule.windows["w11999"]?.targets == ["web"])

        // Two mistakes far apart: windows are checked a share on each core, and each share's
        // issues are gathered, in the order of the file.
        var broken = lines
        for index in [100, 9_000] {
            broken[index] = broken[index].replacingOccurrences(of: #"duration: "1h""#, with: #"duration: "an hour""#)
        }
        let text = file(broken)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("big.json5", text)]) }
        let issues = error?.issues ?? []
        #expect(issues.count == 2, "\(issues)")
        for (issue, index) in zip(issues, [100, 9_000]) {
            let line = try #require(text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("    w\(index):") }) + 1
            let column = try #require(broken[index].range(of: #""an hour""#)).lowerBound.utf16Offset(in: broken[index]) + 1
            #expect(issue.description.hasPrefix("big.json5:\(line):\(column): windows.w\(index).duration: "), "\(issues)")
        }

        // Overlaps are looked for a share of windows on each core: they are found as on one.
        var overlapping = lines
        for index in [2_999, 5_999] {
            overlapping[index] = overlapping[index].replacingOccurrences(of: #"duration: "1h""#, with: #"duration: "3h""#)
        }
        let overlaps = file(overlapping)
        let before = first.addingTimeInterval(-86_400)
        let shared = #expect(throws: ScheduleIssues.self) { try ScheduleLoader(now: before).load(sources: [("big.json5", overlaps)]) }
        let alone = #expect(throws: ScheduleIssues.self) { try ScheduleLoader(now: before, readsInParallel: false).load(sources: [("big.json5", overlaps)]) }
        #expect(shared?.issues.map(\.description) == alone?.issues.map(\.description))
        let messages = shared?.issues.map(\.description) ?? []
        #expect(messages.count == 2, "\(messages)")
        #expect(messages.first?.contains("windows.w3000.start: overlaps window w2999 on web") == true, "\(messages)")
        #expect(messages.last?.contains("windows.w6000.start: overlaps window w5999 on web") == true, "\(messages)")
    }

    /// Windows that start together are compared in name order, whatever order the table of
    /// windows (seeded afresh in each process) and the shares give them: the target a report
    /// names is the earlier name's first one that the later also holds.
    @Test func windowsStartingTogetherAreReportedTheSameWayEachTime() throws {
        var windows: [String] = []
        for pair in 0..<1_200 {
            let start = String(format: "2030-%02d-%02d %02d:00", pair / 300 + 1, pair / 12 % 25 + 1, pair % 12 * 2)
            windows.append(#"a\#(pair): { targets: ["web", "api"], start: "\#(start)", timezone: "UTC", duration: "1h" },"#)
            windows.append(#"b\#(pair): { targets: ["api", "web"], start: "\#(start)", timezone: "UTC", duration: "1h" },"#)
        }
        let text = """
            { targets: { web: { driver: "file", file: { path: "/nonexistent/web" } }, api: { driver: "file", file: { path: "/nonexistent/api" } } },
              windows: {
            \(windows.joined(separator: "\n"))
              } }
            """
        let now = try #require(ISO8601DateFormatter().date(from: "2029-12-01T00:00:00Z"))
        for inParallel in [true, false] {
            let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader(now: now, readsInParallel: inParallel).load(sources: [("s.json5", text)]) }
            let messages = error?.issues.map(\.message) ?? []
            #expect(messages.count == 1_200)
            #expect(messages.allSatisfy { $0.hasPrefix("overlaps window a") && $0.contains(" on web (") }, "\(messages.filter { !$0.contains(" on web (") }.prefix(3))")
        }
    }

    /// A name is ASCII letters, digits, '-', '_' and '.', 1 to 100 of them: it goes into ids,
    /// URLs and file names.
    @Test(arguments: [("web-1.eu_2", true), (String(repeating: "a", count: 100), true), (String(repeating: "a", count: 101), false),
                      ("café", false), ("e\u{301}", false), ("١٢", false), ("a b", false), ("a/b", false), ("ｗｅｂ", false)])
    func aNameIsASCIILettersDigitsAndThreeSigns(_ name: String, _ valid: Bool) throws {
        let text = Self.base.replacingOccurrences(of: "    web: {", with: "    \(JSONValue.string(name).serialized()): {")
            .replacingOccurrences(of: #"targets: ["web"]"#, with: #"targets: [\#(JSONValue.string(name).serialized())]"#)
        if valid {
            #expect(try ScheduleLoader().load(sources: [("s.json5", text)]).targets[name] != nil)
        } else {
            let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("s.json5", text)]) }
            #expect(error?.issues.first?.message == "a target name is letters, digits, '-', '_' or '.', at most 100 characters", "\(error?.issues ?? [])")
            #expect(error?.issues.first?.path.hasPrefix("targets") == true)
        }
    }

    @Test func aNameDefinedInTwoFilesIsAnErrorAtTheSecond() throws {
        let other = """
            {
              targets: {
                web: { driver: "http", activate: { url: "https://a.example/" }, deactivate: { url: "https://a.example/" } },
              },
            }
            """
        let error = #expect(throws: ScheduleIssues.self) {
            try ScheduleLoader().load(sources: [("a.json5", Self.base), ("b.json5", other)])
        }
        let issue = try #require(error?.issues.first)
        #expect(issue.description == "b.json5:3:5: targets.web: target \"web\" is already defined in a.json5")
    }

    /// A target or channel with an error of its own is that one error: the windows that name it
    /// are not also told that it does not exist.
    @Test func aBrokenDefinitionIsOneErrorNotACascade() throws {
        let text = Self.base
            .replacingOccurrences(of: #"secret: "{{secret:HOOK}}" }"#, with: #"secret: "{{secret:HOOK}}", timezone: "Europe/Pariss" }"#)
            .replacingOccurrences(of: #"driver: "http""#, with: #"driver: "ftp""#)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("s.json5", text)]) }
        let issues = error?.issues ?? []
        #expect(issues.map(\.path).sorted() == ["channels.ops.timezone", "targets.web.driver"], "\(issues)")
        #expect(!issues.contains { $0.message.contains("no channel is named") || $0.message.contains("no target is named") })
    }

    /// Overlaps are found among the windows that read well while another has an error: the
    /// user fixes everything in one round, not the overlap after the rest.
    @Test func anOverlapIsReportedTogetherWithTheOtherErrors() throws {
        let text = Self.base.replacingOccurrences(of: #"channels: ["ops"] },"#, with: #"""
            channels: ["ops"] },
                w2: { targets: ["web"], start: "2030-01-01 02:30", timezone: "Europe/Paris", duration: "1h" },
                broken: { targets: ["web"], start: "2030-02-01 02:00", timezone: "Europe/Paris", duration: "an hour" },
            """#)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader(now: try #require(TimeText.parseRFC3339("2029-12-01T00:00:00Z"))).load(sources: [("s.json5", text)]) }
        let paths = (error?.issues ?? []).map(\.path)
        #expect(paths.contains("windows.broken.duration"), "\(paths)")
        #expect(paths.contains("windows.w2.start"), "the overlap of w and w2 comes with the other error: \(paths)")
    }

    /// What reads well but will not happen as written is a warning, not an error: a notice
    /// already due, a start already past. A window entirely past is history: no warning.
    @Test func whatWillNotHappenAsWrittenIsAWarning() throws {
        let now = try #require(TimeText.parseRFC3339("2030-01-01T00:00:00Z"))
        let text = Self.base.replacingOccurrences(of: #"channels: ["ops"] },"#, with: #"""
            channels: ["ops"], notices: ["1h", "7d", "24h"] },
                begun: { targets: ["web"], start: "2029-12-31 23:50", timezone: "UTC", duration: "2h", force: true },
                history: { targets: ["web"], start: "2029-06-01 02:00", timezone: "UTC", duration: "1h", notices: ["1h"] },
            """#)
        let schedule = try ScheduleLoader(now: now).load(sources: [("s.json5", text)])
        let warnings = schedule.warnings.map { "\($0.path): \($0.message)" }
        #expect(schedule.warnings.map(\.path) == ["windows.w.notices[1]", "windows.w.notices[2]", "windows.begun.start"], "\(warnings)")
        #expect(warnings[0].hasPrefix("windows.w.notices[1]: the 7d notice was due 2029-12-25 02:00 CET (+01:00)"), "\(warnings)")
        #expect(warnings[2].contains("is past: unless a daemon stored this window before then, it is recorded skipped"), "\(warnings)")
        #expect(schedule.warnings.allSatisfy { $0.file == "s.json5" && $0.line > 1 })
    }

    static let profiled = """
        {
          profiles: {
            shop: { driver: "http", timezone: "Europe/Paris", tags: ["shop"],
                    activate: { url: "{{vars.base}}/admin/maintenance", headers: { Authorization: "Bearer {{vars.token}}" }, json: { on: true } },
                    deactivate: { url: "{{vars.base}}/admin/maintenance", json: { on: false } },
                    health: [ { name: "home", url: "{{vars.base}}/" } ] },
          },
          targets: {
            eu: { profile: "shop", vars: { base: "https://eu.example.com", token: "{{secret:EU_TOKEN}}" } },
            us: { profile: "shop", vars: { base: "https://us.example.com", token: "{{secret:US_TOKEN}}" }, timezone: "America/New_York",
                  health: [ { name: "api", url: "https://us.example.com/health" } ] },
          },
        }
        """

    /// A profile is a target written once: each target that names it gets its keys, with its
    /// own vars filled in (a secret inside a var works), and its own keys taken over them.
    @Test func aProfileIsATargetWrittenOnceWithEachTargetsVars() throws {
        let schedule = try ScheduleLoader().load(sources: [("p.json5", Self.profiled)])
        let eu = try #require(schedule.targets["eu"]), us = try #require(schedule.targets["us"])
        #expect(eu.timezone.identifier == "Europe/Paris" && eu.tags == ["shop"])
        #expect(us.timezone.identifier == "America/New_York", "the target's own key is taken over the profile's")
        #expect(eu.health.map(\.name) == ["home"] && us.health.map(\.name) == ["api"])
        let http = try #require(eu.driver as? HTTPDriver)
        #expect(http.activate.url.source == "https://eu.example.com/admin/maintenance")
        #expect(http.activate.headers.first?.value.source == "Bearer {{secret:EU_TOKEN}}")
        #expect((us.driver as? HTTPDriver)?.deactivate.url.source == "https://us.example.com/admin/maintenance")
        #expect(schedule.secretNames == ["EU_TOKEN", "US_TOKEN"], "a secret inside a var is a secret")
    }

    /// Many targets are read a share per core (`ScheduleReader.readTargets`): the same targets,
    /// written out in full the same way, the same secrets, and the same mistakes at the same
    /// places as when read on one core.
    @Test func manyTargetsReadOnEveryCoreAreReadAsOnOne() throws {
        var lines: [String] = []
        for index in 0..<2_000 {
            let token = index % 7 == 0 ? "{{secret:TOKEN_\(index % 3)}}" : "t\(index)"
            lines.append(#"    s\#(index): { profile: "shop", vars: { base: "https://s\#(index).example.com", token: "\#(token)" } },"#)
        }
        func file(_ lines: [String]) -> String {
            Self.profiled.replacingOccurrences(of: "  targets: {\n", with: "  targets: {\n" + lines.joined(separator: "\n") + "\n")
        }
        let sources = [("many.json5", file(lines))]
        let shared = try ScheduleLoader(keepsDefinitions: true).load(sources: sources)
        let alone = try ScheduleLoader(keepsDefinitions: true, readsInParallel: false).load(sources: sources)
        #expect(shared.targets.count == 2_002)
        #expect(shared.definitions == alone.definitions)
        #expect(shared.secretNames == alone.secretNames && shared.secretNames == ["EU_TOKEN", "TOKEN_0", "TOKEN_1", "TOKEN_2", "US_TOKEN"])
        #expect((shared.targets["s1999"]?.driver as? HTTPDriver)?.activate.url.source == "https://s1999.example.com/admin/maintenance")

        var broken = lines
        for index in [10, 1_500] {
            broken[index] = broken[index].replacingOccurrences(of: #"profile: "shop""#, with: #"profile: "shop", timezone: "Mars/Olympus""#)
        }
        let failing = [("many.json5", file(broken))]
        let sharedError = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: failing) }
        let aloneError = #expect(throws: ScheduleIssues.self) { try ScheduleLoader(readsInParallel: false).load(sources: failing) }
        #expect(sharedError?.issues.map(\.description) == aloneError?.issues.map(\.description))
        #expect(sharedError?.issues.map(\.path) == ["targets.s10.timezone", "targets.s1500.timezone"])
    }

    @Test func anUnknownProfileOrVarIsAnErrorAtItsPlace() throws {
        let typo = Self.profiled.replacingOccurrences(of: #"us: { profile: "shop""#, with: #"us: { profile: "shp""#)
            .replacingOccurrences(of: #"eu: { profile: "shop", vars: { base"#, with: #"eu: { profile: "shop", vars: { bas"#)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("p.json5", typo)]) }
        let messages = Dictionary((error?.issues ?? []).map { ($0.path, $0.message) }) { first, _ in first }
        #expect(messages["targets.us.profile"] == "no profile is named \"shp\"; did you mean \"shop\"?", "\(messages)")
        #expect(messages["targets.eu.vars"] == "profile shop takes the vars base, token; missing: base (did you mean \"bas\" for \"base\"?)", "\(messages)")
        #expect(messages["targets.eu.vars.bas"] == "profile shop has no var \"bas\"; its vars: base, token", "\(messages)")
        let badKey = Self.profiled.replacingOccurrences(of: #"shop: { driver: "http""#, with: #"shop: { drivr: "http", driver: "http""#)
        let keyError = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("p.json5", badKey)]) }
        #expect(keyError?.issues.first?.path == "profiles.shop.drivr", "a mistake in a profile is found in the profile: \(keyError?.issues ?? [])")
    }

    /// `maint validate` names every var a profile needs when one is left out.
    @Test func aMissingVarOfABuiltInProfileListsTheProfilesVars() throws {
        let text = #"{ targets: { code: { profile: "gitlab", vars: { url: "https://git.example.com", tokn: "{{secret:T}}" } } } }"#
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("g.json5", text)]) }
        let messages = Dictionary((error?.issues ?? []).map { ($0.path, $0.message) }) { first, _ in first }
        #expect(messages["targets.code.vars"] == "profile gitlab takes the vars token, url; missing: token (did you mean \"tokn\" for \"token\"?)", "\(messages)")
        #expect(messages["targets.code.vars.tokn"] == "profile gitlab has no var \"tokn\"; its vars: token, url", "\(messages)")
    }

    @Test func everyErrorOfAFileIsReportedAtOnce() throws {
        let text = Self.base
            .replacingOccurrences(of: #"duration: "1h""#, with: #"duration: "soon""#)
            .replacingOccurrences(of: #"driver: "http""#, with: #"driver: "ftp""#)
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("s.json5", text)]) }
        let paths = Set(error?.issues.map(\.path) ?? [])
        #expect(paths.isSuperset(of: ["windows.w.duration", "targets.web.driver"]))
    }

    @Test func theAPISectionIsReadWithItsTokensFromSecrets() throws {
        let api = #"{ api: { listen: "[::1]:8470", tokens: { ci: { token: "{{secret:CI_TOKEN}}", scope: "write" } }, publicStatus: true } }"#
        let schedule = try ScheduleLoader().load(sources: [("a.json5", Self.base), ("api.json5", api)])
        let config = try #require(schedule.api)
        #expect(config.host == "::1" && config.port == 8470 && config.publicStatus)
        #expect(config.tokens.map(\.name) == ["ci"] && config.tokens.first?.scope == .write)
        #expect(schedule.secretNames.contains("CI_TOKEN"), "the token is cleared from whatever leaves a request")
    }

    @Test func mistakesInTheAPISectionAreEachReported() throws {
        let api = """
            { api: { listen: "api.example.com:80",
                     tokens: { ci: { token: "hunter2", scope: "write" }, ro: { token: "{{secret:RO}}", scope: "admin" } },
                     publicStatus: "yes" } }
            """
        let error = #expect(throws: ScheduleIssues.self) { try ScheduleLoader().load(sources: [("api.json5", api)]) }
        let messages = Dictionary((error?.issues ?? []).map { ($0.path, $0.message) }) { first, _ in first }
        #expect(messages["api.listen"]?.contains("numeric host") == true, "\(messages)")
        #expect(messages["api.tokens.ci.token"]?.contains("must not be written in the file") == true, "\(messages)")
        #expect(messages["api.tokens.ro.scope"]?.contains("one of: read, write") == true, "\(messages)")
        #expect(messages["api.publicStatus"] == "expected true or false", "\(messages)")
        let twice = #expect(throws: ScheduleIssues.self) {
            try ScheduleLoader().load(sources: [("a.json5", #"{ api: { listen: "127.0.0.1:1" } }"#), ("b.json5", #"{ api: { listen: "127.0.0.1:2" } }"#)])
        }
        #expect(twice?.issues.first?.description == "b.json5:1:3: api: the api section is already defined in a.json5; one file holds it")
    }
}
