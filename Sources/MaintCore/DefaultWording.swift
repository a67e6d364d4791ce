
/// The English wording of every event, for channels that do not set their own.
enum DefaultWording {
    static let texts: [AnnouncementEvent: (subject: String, body: String)] = [
        .scheduled: ("{{headline}} on {{start.local}}",
                      "{{headline}}\n\n{{message}}\n\nWhen: {{start.local}} to {{end.local}} ({{duration}})\nAffected: {{targets}}\n\nPlease save your work before the start: open changes may be lost."),
        .notice: ("Reminder: maintenance in {{notice.offset}}: {{headline}}",
                   "{{headline}} starts in {{notice.offset}}.\n\n{{message}}\n\nWhen: {{start.local}} to {{end.local}} ({{duration}})\nAffected: {{targets}}\n\nPlease save your work before the start: open changes may be lost."),
        .start: ("Maintenance started: {{headline}}",
                  "Maintenance has started.\n\n{{message}}\n\nExpected back: {{end.local}}\nAffected: {{targets}}"),
        .updated: ("Maintenance update: {{headline}}",
                    "{{message}}\n\nExpected back: {{end.local}}\nAffected: {{targets}}"),
        .extended: ("Maintenance extended until {{end.local}}: {{headline}}",
                     "The maintenance now ends at {{end.local}}.\n\n{{message}}\n\nAffected: {{targets}}"),
        .canceled: ("Maintenance canceled: {{headline}}",
                     "The maintenance planned for {{start.local}} to {{end.local}} is canceled. Nothing will be interrupted.\n\nAffected: {{targets}}"),
        .end: ("Maintenance over ({{result}}): {{headline}}",
                "The maintenance is over: {{result}}.\n\nHealth checks:\n{{health}}"),
        .failure: ("Maintenance problem on {{failure.target}}: {{headline}}",
                    "{{failure.target}} could not {{failure.action}}: {{failure.error}}\n\nWhat happens next: {{failure.next}}\n\nWindow: {{window.id}}, {{start.local}} to {{end.local}}"),
        .missed: ("Maintenance missed: {{headline}}",
                   "The window planned for {{start.local}} to {{end.local}} passed while maint was not running. Nothing was switched.\n\nAffected: {{targets}}"),
    ]

    static func `for`(_ event: AnnouncementEvent) -> (subject: Template, body: Template) {
        let text = texts[event] ?? ("{{headline}}", "{{message}}")
        // The defaults use only known placeholders; a test parses every one of them.
        let subject = (try? Template(parsing: text.subject, placeholders: Template.announcementPlaceholders)) ?? Template.literal(text.subject)
        let body = (try? Template(parsing: text.body, placeholders: Template.announcementPlaceholders)) ?? Template.literal(text.body)
        return (subject, body)
    }
}
