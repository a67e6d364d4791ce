import Foundation
import MaintCore
import Testing

/// maint's built-in profiles (SPEC "Profiles") against loopback imitations of each platform's
/// API (Tests/Support/*_imitation.py, written from the platforms' documentation).
struct PlatformProfileTests {
    struct Platform: CustomStringConvertible, Sendable {
        var profile: String
        var imitation: String
        /// The imitation's credentials; `SECRET` stands for the secret's value.
        var arguments: [String]
        /// The target's vars, in JSON5; `BASE` stands for the imitation's address.
        var vars: String
        /// What the platform shows of the window: its own text, or nothing (its own page).
        var shows: (headline: String?, message: String?)
        /// What it answers a wrong secret.
        var refusal: Int
        /// How long the platform takes to show a change (GitLab's settings cache): the end waits
        /// for its health check to see it.
        var cacheSeconds: Double = 0
        var description: String { profile }
    }

    static let headline = "Wartung"
    static let message = "Upgrade & migration: back at 04:00 (100% sure?)"
    static let secret = "s3cret/+&=value"

    static let platforms = [
        Platform(profile: "haiilo", imitation: "haiilo_imitation.py", arguments: ["--user", "manager", "--password", "SECRET", "--prefix", "/manage/backend"],
                 vars: #"url: "BASE", user: "manager", password: "{{secret:PLATFORM_SECRET}}", prefix: "/manage/backend""#,
                 shows: (headline, message), refusal: 401),
        Platform(profile: "gitlab", imitation: "gitlab_imitation.py", arguments: ["--token", "SECRET", "--cache_seconds", "3"],
                 vars: #"url: "BASE", token: "{{secret:PLATFORM_SECRET}}""#, shows: (nil, message), refusal: 401, cacheSeconds: 3),
        Platform(profile: "consul", imitation: "consul_imitation.py", arguments: ["--token", "SECRET"],
                 vars: #"url: "BASE", token: "{{secret:PLATFORM_SECRET}}""#, shows: (nil, headline + ": " + message), refusal: 403),
        Platform(profile: "consul-service", imitation: "consul_imitation.py", arguments: ["--token", "SECRET", "--service", "web-1"],
                 vars: #"url: "BASE", token: "{{secret:PLATFORM_SECRET}}", service: "web-1""#, shows: (nil, headline + ": " + message), refusal: 403),
        Platform(profile: "discourse", imitation: "discourse_imitation.py", arguments: ["--key", "SECRET", "--username", "system"],
                 vars: #"url: "BASE", apiKey: "{{secret:PLATFORM_SECRET}}", apiUsername: "system""#, shows: (nil, nil), refusal: 403),
        Platform(profile: "github-enterprise", imitation: "github_enterprise_imitation.py", arguments: ["--password", "SECRET"],
                 vars: #"url: "BASE", password: "{{secret:PLATFORM_SECRET}}""#, shows: (nil, nil), refusal: 401),
    ]

    /// On with the window's text (where the platform shows one) after a 500 retried, off at the
    /// end, refused with a wrong secret (and then nothing switched), the secret in no output.
    @Test(arguments: platforms)
    func aBuiltInProfileSwitchesItsPlatform(_ platform: Platform) throws {
        let workspace = try Workspace()
        let arguments = platform.arguments.map { $0 == "SECRET" ? Self.secret : $0 }
        let imitation = try ChildProcess("/usr/bin/env", ["python3", Repository.root.appendingPathComponent("Tests/Support/" + platform.imitation).path]
                                         + arguments + ["--fail-first", "1"], directory: workspace.directory)
        defer { imitation.stop(signal: SIGKILL) }
        let base = "http://127.0.0.1:\(try imitation.listeningPort())"
        try workspace.write("site.json5", """
            { targets: { site: { profile: "\(platform.profile)", vars: { \(platform.vars.replacingOccurrences(of: "BASE", with: base)) } } } }
            """)
        func state() -> [String: Any] {
            guard let answer = httpGet(base + "/imitation/state"),
                  let object = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any] else { return [:] }
            return object
        }
        let good = ["PLATFORM_SECRET": Self.secret]
        let now = try workspace.maint(["now", "site", "--headline", Self.headline, "--message", Self.message, "--for", "1h"], environment: good)
        #expect(now.status == 0, "\(now.stdout) \(now.stderr)")
        #expect(state()["enabled"] as? Bool == true)
        // Only where the platform shows the window's text: elsewhere its imitation keeps none.
        if let headline = platform.shows.headline { #expect(state()["headline"] as? String == headline) }
        if let message = platform.shows.message { #expect(state()["message"] as? String == message, "the whole text, as one value") }
        #expect((state()["calls"] as? [Int])?.first == 500, "the first answer was a 500, and the switch was tried again")
        let id = try #require(now.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        // A window lasts longer than the cache: the platform shows it on by the time it ends.
        usleep(UInt32(platform.cacheSeconds * 1_000_000))
        let ending = Date()
        let end = try workspace.maint(["end", id], environment: good)
        #expect(end.status == 0, "\(end.stdout) \(end.stderr)")
        if platform.cacheSeconds > 0 {
            #expect(Date().timeIntervalSince(ending) >= platform.cacheSeconds, "the end waits until the platform shows it")
        }
        #expect(state()["enabled"] as? Bool == false)

        let wrong = try workspace.maint(["now", "site", "--message", "x", "--for", "1h"], environment: ["PLATFORM_SECRET": "wrong"])
        #expect(wrong.status == 1 && wrong.stdout.contains("HTTP \(platform.refusal)"), "\(wrong.stdout) \(wrong.stderr)")
        #expect(state()["enabled"] as? Bool == false)
        let log = try workspace.maint(["log", "--json"]).stdout
        for output in [now.stdout, now.stderr, end.stdout, wrong.stdout, wrong.stderr, log] { #expect(!output.contains(Self.secret)) }
    }

    /// Haiilo's banner ahead of the maintenance: the profile's `notice` request, at each notice
    /// offset, shown to everyone until the start.
    @Test func theHaiiloProfileShowsABannerAtEachNotice() throws {
        let workspace = try Workspace()
        let imitation = try ChildProcess("/usr/bin/env", ["python3", Repository.root.appendingPathComponent("Tests/Support/haiilo_imitation.py").path,
                                                          "--user", "manager", "--password", Self.secret], directory: workspace.directory)
        defer { imitation.stop(signal: SIGKILL) }
        let base = "http://127.0.0.1:\(try imitation.listeningPort())"
        try workspace.write("intranet.json5", """
            {
              targets: { intranet: { profile: "haiilo", vars: { url: "\(base)", user: "manager", password: "{{secret:PLATFORM_SECRET}}" } } },
              windows: { w: { headline: "Wartung", message: "Kurz weg.", targets: ["intranet"], start: "+6s", duration: "2s", notices: ["4s"] } },
            }
            """)
        let daemon = try ChildProcess(Repository.binary, ["daemon"], environment: workspace.environment.merging(["PLATFORM_SECRET": Self.secret]) { $1 },
                                      directory: workspace.directory)
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["completed", "failed", "degraded"], timeout: 40) == "completed")
        guard let answer = httpGet(base + "/imitation/state"),
              let state = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any] else { Issue.record("no state"); return }
        let banners = state["banners"] as? [[String: Any]] ?? []
        #expect(banners.count == 1, "\(state)")
        let banner = banners.first?["message"] as? String ?? ""
        #expect(banner.hasPrefix("Wartung at ") && banner.hasSuffix(". Kurz weg."), "\(banner)")
        let duration = banners.first?["duration"] as? Int ?? -1
        #expect((3...4).contains(duration), "shown until the start: \(duration) s")
        #expect(banners.first?["onlyAdmins"] as? Bool == false)
        #expect(state["enabled"] as? Bool == false && state["headline"] as? String == "Wartung", "on, then off at the end")
    }
}
