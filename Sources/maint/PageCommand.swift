import Foundation
import MaintCore
import MaintEngine

/// `maint page WINDOW`: the rendered maintenance page, to stdout.
enum PageCommand {
    static func run(_ session: Session) throws -> ExitCode {
        guard session.arguments.positionals.count == 1, let id = session.arguments.positionals.first else { throw Failure(.usage, "name one WINDOW") }
        let store = try session.openStore()
        guard let window = try store.window(id) else { throw Failure.noWindow(id) }
        let zone = TimeZone(identifier: window.timezone) ?? .current
        let values = WindowContext.values(window, target: nil, zone: zone, now: Date())
        let page = MaintenancePage(headline: window.headline, message: values["message"] ?? window.message, page: window.page,
                                   backAt: window.endAt == nil ? nil : values["end.local"], image: PageImage.fetch(window.page.imageUrl))
        FileHandle.standardOutput.write(Data(page.render().utf8))
        return .success
    }
}
