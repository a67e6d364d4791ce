import Foundation
import MaintCore
import MaintEngine
import MaintNet
import Testing

struct WebhookSignerTests {
    /// The example of the Standard Webhooks specification.
    @Test func matchesTheStandardWebhooksExample() {
        let signature = WebhookChannel.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                                 body: #"{"test": 2432232314}"#, secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                                 authenticate: HMACSHA256.authenticate)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    /// RFC 4231 test case 2.
    @Test func hmacMatchesRFC4231() {
        let mac = HMACSHA256.authenticate(Data("what do ya want for nothing?".utf8), key: Data("Jefe".utf8))
        #expect(mac.map { String(format: "%02x", $0) }.joined() == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}

struct BackoffTests {
    @Test func growsExponentiallyWithJitterUpToTheCap() {
        let backoff = Backoff(base: 1_000, cap: 60_000)
        #expect(backoff.delay(afterAttempts: 1, random: 0) == 500)
        #expect(backoff.delay(afterAttempts: 1, random: 1) == 1_000)
        #expect(backoff.delay(afterAttempts: 3, random: 1) == 4_000)
        #expect(backoff.delay(afterAttempts: 40, random: 1) == 60_000)
        #expect(backoff.delay(afterAttempts: 40, random: 0) == 30_000)
    }
}
