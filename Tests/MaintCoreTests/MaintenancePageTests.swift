import Foundation
import MaintCore
import Testing

struct MaintenancePageTests {
    let hostile = MaintenancePage(
        headline: "<script>alert('x')</script> & \"quotes\"",
        message: "Line one <img src=x onerror=alert(1)>\nLine two " + String(repeating: "verylongwordwithoutspaces", count: 80),
        page: PageFields(bypassUrl: "https://status.example.com/?a=1&b=\"2\"", buttonText: "<b>Status</b>", imageUrl: nil, icon: "fas fa-tools"),
        backAt: "2026-12-06 04:00 CET (+01:00)")

    @Test func everyFieldIsEscaped() {
        let html = hostile.render()
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"))
        #expect(!html.contains("<img src=x"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("href=\"https://status.example.com/?a=1&amp;b=&quot;2&quot;\""))
        #expect(html.contains(">&lt;b&gt;Status&lt;/b&gt;</a>"))
        #expect(html.contains("<p>Line two verylongword"))
        #expect(html.contains("Expected back: 2026-12-06 04:00 CET (+01:00)"))
    }

    @Test func itLoadsNothingFromElsewhere() {
        let html = hostile.render()
        for needle in ["src=\"http", "@import", "url(", "<link", "<script"] {
            #expect(!html.contains(needle), "\(needle)")
        }
        // The only link is the bypass button; the icon is inline SVG.
        #expect(html.components(separatedBy: "href=").count == 2)
        #expect(html.contains("<svg class=\"visual icon\""))
    }

    @Test func onlyWebLinksBecomeTheButton() {
        var page = hostile
        page.page.bypassUrl = "javascript:alert(1)"
        #expect(!page.render().contains("javascript:"))
        #expect(!page.render().contains("class=\"button\""))
    }

    @Test func anEmbeddedImageReplacesTheIcon() {
        var page = hostile
        page.image = ("image/png", Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]))
        let html = page.render()
        #expect(html.contains("src=\"data:image/png;base64,iVBORwECAw==\""))
        #expect(!html.contains("<svg"))
    }

    @Test func itIsResponsive() {
        let html = hostile.render()
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(html.contains("overflow-wrap:anywhere"))
        #expect(html.contains("@media (max-width:480px)"))
    }
}
