import Foundation

/// Profiles maint ships for real platforms (SPEC "Profiles"), written as a schedule file would
/// write them. A profile of the same name in the files is taken instead.
public enum BuiltInProfiles {
    static let text = """
        {
          // Haiilo (on premises): the management API; users are logged out, admins with the
          // permission keep working. vars: url, user, password (the management user's).
          haiilo: {
            driver: "http",
            activate: { method: "POST", url: "{{vars.url}}/manage/maintenance",
                        basicAuth: { user: "{{vars.user}}", password: "{{vars.password}}" },
                        json: { headline: "{{headline}}", message: "{{message}}" } },
            deactivate: { method: "DELETE", url: "{{vars.url}}/manage/maintenance",
                          basicAuth: { user: "{{vars.user}}", password: "{{vars.password}}" } },
          },
          // GitLab (self-managed): the application setting, with an administrator's token. The
          // instance caches it for up to 60 s. vars: url, token.
          gitlab: {
            driver: "http",
            activate: { method: "PUT", url: "{{vars.url}}/api/v4/application/settings?maintenance_mode=true&maintenance_mode_message={{message}}",
                        headers: { "PRIVATE-TOKEN": "{{vars.token}}" } },
            deactivate: { method: "PUT", url: "{{vars.url}}/api/v4/application/settings?maintenance_mode=false",
                          headers: { "PRIVATE-TOKEN": "{{vars.token}}" } },
          },
        }
        """

    /// Each built-in profile by name, as the reader's `profile` takes it.
    public static let all: [String: JSONValue] = {
        guard case .object(let profiles)? = try? JSONValue.parseJSON5(Data(text.utf8)) else { return [:] }
        return profiles
    }()
}
