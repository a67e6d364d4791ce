import Foundation
import MaintCore
import Testing

/// maint's built-in command and file recipes (SPEC "Profiles") run for real, with PHP, against
/// imitations of each platform's command line (Tests/Support/php_platforms, written from the
/// platforms' documentation) set up in a temporary site directory.
struct PlatformRecipeTests {
    struct Recipe: CustomStringConvertible, Sendable {
        var profile: String
        /// Imitation files copied into the site: source under php_platforms → path in the site.
        var files: [(String, String)]
        /// Files the site starts with: path → content.
        var seeds: [(String, String)]
        /// Extra vars (besides `path`), in JSON5; `SUPPORT` stands for php_platforms' directory.
        var vars: String = ""
        /// Whether the site is in maintenance, and the message it shows (nil: its own page).
        var read: @Sendable (URL) -> (on: Bool, message: String?)
        var shows: String?
        var description: String { profile }
    }

    static func json(_ url: URL) -> [String: Any] {
        (try? Data(contentsOf: url)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
    }

    static let message = "Back at 04:00, \"really\" & 'truly' $HOME `id`"

    static let recipes = [
        Recipe(profile: "laravel", files: [("artisan", "artisan")], seeds: [("storage/framework/.keep", "")],
               read: { site in (FileManager.default.fileExists(atPath: site.appendingPathComponent("storage/framework/down").path), nil) }),
        Recipe(profile: "clientxcms", files: [("artisan", "artisan")], seeds: [("storage/framework/.keep", "")],
               read: { site in
                   let settings = json(site.appendingPathComponent("storage/settings.json"))
                   return (settings["maintenance_enabled"] as? Bool == true, settings["maintenance_message"] as? String)
               }, shows: message),
        Recipe(profile: "drupal", files: [], seeds: [("sites/default/files/site.json", "{}")], vars: #"drush: "SUPPORT/drush""#,
               read: { site in
                   let state = json(site.appendingPathComponent("sites/default/files/site.json"))
                   let mode = (state["state"] as? [String: Any])?["system.maintenance_mode"] as? Int
                   return (mode == 1, ((state["config"] as? [String: Any])?["system.maintenance"] as? [String: Any])?["message"] as? String)
               }, shows: message),
        Recipe(profile: "nextcloud", files: [("occ", "occ")], seeds: [("config/config.json", #"{"maintenance": false}"#)],
               read: { site in (json(site.appendingPathComponent("config/config.json"))["maintenance"] as? Bool == true, nil) }),
        Recipe(profile: "magento", files: [("magento/magento", "bin/magento")], seeds: [("var/.keep", "")],
               read: { site in (FileManager.default.fileExists(atPath: site.appendingPathComponent("var/.maintenance.flag").path), nil) }),
        Recipe(profile: "moodle", files: [("moodle/maintenance.php", "admin/cli/maintenance.php")], seeds: [("moodledata/config.json", "{}")],
               read: { site in (json(site.appendingPathComponent("moodledata/config.json"))["maintenance_enabled"] as? Int == 1, nil) }),
    ]

    /// On with the window's text (where the platform shows one; quotes, `$` and backquotes reach it
    /// as text) after a failed first run, off at the end; a directory that is not the platform's
    /// fails with its own words.
    @Test(arguments: recipes)
    func aRecipeSwitchesThePlatformThroughItsOwnCommand(_ recipe: Recipe) throws {
        let workspace = try Workspace()
        let support = Repository.root.appendingPathComponent("Tests/Support/php_platforms")
        let site = workspace.directory.appendingPathComponent("site")
        for (path, content) in recipe.seeds {
            let file = site.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: file, atomically: true, encoding: .utf8)
        }
        for (source, path) in recipe.files {
            let file = site.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: support.appendingPathComponent(source), to: file)
        }
        let vars = ["path: \"\(site.path)\"", recipe.vars.replacingOccurrences(of: "SUPPORT", with: support.path)].filter { !$0.isEmpty }
        try workspace.write("site.json5", """
            { targets: {
                site: { profile: "\(recipe.profile)", vars: { \(vars.joined(separator: ", ")) } },
                elsewhere: { profile: "\(recipe.profile)", vars: { \(vars.joined(separator: ", ").replacingOccurrences(of: site.path, with: workspace.directory.path)) } },
            } }
            """)
        // The platform's first run fails (a locked database): the switch is tried again.
        try "".write(to: site.appendingPathComponent(".fail-once"), atomically: true, encoding: .utf8)
        let now = try workspace.maint(["now", "site", "--message", Self.message, "--for", "1h"])
        #expect(now.status == 0, "\(now.stdout) \(now.stderr)")
        #expect(now.stdout.contains("activate attempt 1 failed: exit 1; stderr: SQLSTATE[HY000]: General error: 5 database is locked"), "\(now.stdout)")
        #expect(recipe.read(site).on)
        if let shows = recipe.shows { #expect(recipe.read(site).message == shows) }
        let id = try #require(now.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        let end = try workspace.maint(["end", id])
        #expect(end.status == 0, "\(end.stdout) \(end.stderr)")
        #expect(!recipe.read(site).on)

        let wrong = try workspace.maint(["now", "elsewhere", "--message", "x", "--for", "1h"])
        #expect(wrong.status == 1, "\(wrong.stdout)")
        #expect(wrong.stdout.contains("Could not open input file") || wrong.stdout.contains("needs a higher bootstrap level"), "\(wrong.stdout) \(wrong.stderr)")
    }

    /// WordPress's `.maintenance`, read by PHP as WordPress reads it: on while `$upgrading` is
    /// less than ten minutes old, written again before then, gone at the end.
    @Test func theWordPressRecipeWritesAFlagWordPressHonours() throws {
        let workspace = try Workspace()
        let site = workspace.directory.appendingPathComponent("wordpress")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        try workspace.write("site.json5", #"{ targets: { blog: { profile: "wordpress", vars: { path: "\#(site.path)" } } } }"#)
        let now = try workspace.maint(["now", "blog", "--message", "x", "--for", "1h"])
        #expect(now.status == 0, "\(now.stdout) \(now.stderr)")
        let flag = site.appendingPathComponent(".maintenance")
        // wp_maintenance(): include the file, then compare $upgrading with the time.
        let check = try ChildProcess("/usr/bin/env", ["php", "-r", "include '\(flag.path)'; echo (time() - $upgrading) < 600 ? 'on' : 'off';"],
                                     directory: workspace.directory)
        check.process.waitUntilExit()
        #expect(check.stdout == "on", "\(check.stdout) \(check.stderr)")
        let id = try #require(now.stdout.split(separator: " ").dropFirst(2).first.map(String.init))
        #expect(try workspace.maint(["end", id]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: flag.path))
    }

    /// ClientXCMS's page fields from the window's `page`: the button's text, icon and link, set
    /// with the message when the window starts, and maintenance off at its end.
    @Test func theClientXCMSRecipeSetsThePageFields() throws {
        let workspace = try Workspace()
        let site = workspace.directory.appendingPathComponent("clientxcms")
        try FileManager.default.createDirectory(at: site.appendingPathComponent("storage/framework"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Repository.root.appendingPathComponent("Tests/Support/php_platforms/artisan"), to: site.appendingPathComponent("artisan"))
        try workspace.write("site.json5", """
            {
              targets: { billing: { profile: "clientxcms", vars: { path: "\(site.path)" } } },
              windows: { w: { headline: "Upgrade", message: "Back soon.", targets: ["billing"], start: "+3s", duration: "2s",
                              page: { bypassUrl: "https://status.example.com", buttonText: "View status", icon: "fas fa-tools" } } },
            }
            """)
        let daemon = try workspace.readyDaemon()
        defer { daemon.stop() }
        #expect(try workspace.waitForWindow("w", in: ["completed", "failed", "degraded"], timeout: 40) == "completed")
        let settings = Self.json(site.appendingPathComponent("storage/settings.json"))
        #expect(settings["maintenance_message"] as? String == "Back soon.")
        #expect(settings["maintenance_button_text"] as? String == "View status")
        #expect(settings["maintenance_button_icon"] as? String == "fas fa-tools")
        #expect(settings["maintenance_button_url"] as? String == "https://status.example.com")
        #expect(settings["maintenance_enabled"] as? Bool == false, "off at the end")
    }
}
