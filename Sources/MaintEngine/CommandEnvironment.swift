/// The environment of a command driver program: the window's fields as MAINT_* variables.
enum CommandEnvironment {
    static let names: [(variable: String, placeholder: String)] = [
        ("MAINT_WINDOW_ID", "window.id"), ("MAINT_TARGET", "target"), ("MAINT_HEADLINE", "headline"), ("MAINT_MESSAGE", "message"),
        ("MAINT_START", "start"), ("MAINT_END", "end"), ("MAINT_START_LOCAL", "start.local"), ("MAINT_END_LOCAL", "end.local"),
        ("MAINT_DURATION", "duration"), ("MAINT_RETRY_AFTER", "retryAfter"), ("MAINT_BYPASS_URL", "page.bypassUrl"),
        ("MAINT_BUTTON_TEXT", "page.buttonText"), ("MAINT_IMAGE_URL", "page.imageUrl"), ("MAINT_ICON", "page.icon"),
    ]

    static func variables(values: [String: String], action: String, base: [String: String]) -> [String: String] {
        var environment = base
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        for (variable, placeholder) in names { environment[variable] = values[placeholder] ?? "" }
        environment["MAINT_ACTION"] = action
        return environment
    }
}
