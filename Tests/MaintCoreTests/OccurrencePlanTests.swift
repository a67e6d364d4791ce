import Foundation
import MaintCore
import Testing

/// Storing an occurrence of a schedule file's window, decided on values: new, edited, begun
/// before it was defined, frozen in part or whole, or already stored.
struct OccurrencePlanTests {
    static let loadedAt = Date(timeIntervalSince1970: 1_900_000_000)  // 2030-03-17T17:46:40Z

    static func schedule(_ windows: String, freezes: String = "") throws -> Schedule {
        try ScheduleLoader(now: loadedAt).load(sources: [("s.json5", """
            { targets: { paris: { driver: "file", file: { path: "/srv/paris" } }, lyon: { driver: "file", file: { path: "/srv/lyon" } } },
              windows: { \(windows) }, freezes: { \(freezes) } }
            """)])
    }

    /// The first occurrence of `name` from `from` on, planned at `now`.
    static func plan(_ schedule: Schedule, _ name: String, from: Date = loadedAt, now: Date, existing: WindowRecord? = nil) throws -> OccurrencePlan {
        let config = try #require(schedule.windows[name])
        let occurrence = try #require(config.occurrences(targetZones: [:], storedAt: loadedAt, from: from,
                                                         through: from.addingTimeInterval(30 * 86_400)).first)
        return schedule.plan(occurrence, of: config, existing: existing.map(StoredOccurrence.init), now: now)
    }

    static let oneOff = #"w: { targets: ["paris", "lyon"], start: "2030-03-20T02:00:00Z", duration: "1h", notices: ["1h"] },"#
    static let daily = #"d: { targets: ["paris", "lyon"], recurrence: "FREQ=DAILY", start: "02:00", timezone: "UTC", duration: "1h", notices: ["1h"] },"#

    @Test func aNewOneOffWindowIsPlannedWithItsNoticesAndAnnounced() throws {
        let plan = try Self.plan(try Self.schedule(Self.oneOff), "w", now: Self.loadedAt)
        #expect(plan.action == .insert)
        #expect(plan.record.state == .scheduled)
        #expect(plan.targets == ["paris", "lyon"])
        #expect(plan.notices.map(\.state) == [.pending])
        #expect(plan.notices.first?.dueAt == plan.record.startAt - 3_600_000)
        #expect(plan.announcesScheduled)
        #expect(plan.events.map(\.kind) == ["window.planned"])
    }

    @Test func aRecurringOccurrenceIsAnnouncedByItsNoticesOnly() throws {
        let plan = try Self.plan(try Self.schedule(Self.daily), "d", now: Self.loadedAt)
        #expect(plan.action == .insert)
        #expect(!plan.announcesScheduled)
        #expect(plan.events.first?.message == "planned from s.json5 (FREQ=DAILY): paris, lyon")
    }

    @Test func anOccurrenceBegunBeforeItWasDefinedIsSkippedAndSwitchesNothing() throws {
        let schedule = try Self.schedule(Self.daily)
        let start = Date(timeIntervalSince1970: 1_900_116_000)  // 2030-03-19T02:00:00Z
        let during = try Self.plan(schedule, "d", from: start, now: start.addingTimeInterval(600))
        #expect(during.action == .insert)
        #expect(during.record.state == .skipped)
        #expect(during.notices.map(\.state) == [.skipped])
        #expect(during.events.first?.message == "defined after its start (2030-03-19 02:00 UTC (+00:00)); nothing is switched; the next occurrence is planned")
        let after = try Self.plan(schedule, "d", from: start, now: start.addingTimeInterval(7_200))
        #expect(after.events.first?.message.hasPrefix("defined after its end") == true)
    }

    @Test func aStoredOccurrenceIsLeftAloneUnlessItWasEditedBeforeItsStart() throws {
        let schedule = try Self.schedule(Self.oneOff)
        let first = try Self.plan(schedule, "w", now: Self.loadedAt)
        // Stored as written: nothing to do, even once its start has passed (catch-up is the machine's).
        let late = Self.loadedAt.addingTimeInterval(3 * 86_400)
        #expect(try Self.plan(schedule, "w", now: late, existing: first.record).action == .none)
        // Added by hand under the same id: never touched by the files.
        var byHand = first.record
        byHand.origin = .cli
        byHand.fingerprint = nil
        #expect(try Self.plan(schedule, "w", now: Self.loadedAt, existing: byHand).action == .none)
        // Edited before its start: planned again; after it began: kept as it started.
        var edited = first.record
        edited.fingerprint = "older"
        let replanned = try Self.plan(schedule, "w", now: Self.loadedAt, existing: edited)
        #expect(replanned.action == .replan)
        #expect(replanned.record.createdAt == edited.createdAt)
        #expect(replanned.events.map(\.kind) == ["window.replanned"])
        edited.state = .active
        let kept = try Self.plan(schedule, "w", now: Self.loadedAt, existing: edited)
        #expect(kept.action == .keep(.active))
        #expect(kept.notes.first?.text == "window w changed in s.json5, but it is active already; the change is not applied")
    }

    static let parisFreeze = #"sale: { start: "2030-03-18 00:00", end: "2030-03-21 00:00", timezone: "UTC", targets: ["paris"] },"#

    @Test func aFreezeLeavesOutOnlyItsOwnTargetsAndIsPartOfThePlan() throws {
        let frozen = try Self.plan(try Self.schedule(Self.daily, freezes: Self.parisFreeze), "d", now: Self.loadedAt)
        #expect(frozen.record.state == .scheduled)
        #expect(frozen.targets == ["lyon"])
        #expect(frozen.events.map(\.kind) == ["window.planned", "target.frozen"])
        #expect(frozen.events.last?.target == "paris")
        // The freeze lifted: the stored occurrence differs from what is written, and is planned again whole.
        let lifted = try Self.plan(try Self.schedule(Self.daily), "d", now: Self.loadedAt, existing: frozen.record)
        #expect(lifted.action == .replan)
        #expect(lifted.targets == ["paris", "lyon"])
    }

    @Test func anOccurrenceWhoseEveryTargetIsFrozenIsCanceled() throws {
        let all = #"sale: { start: "2030-03-18 00:00", end: "2030-03-21 00:00", timezone: "UTC", targets: ["paris", "lyon"] },"#
        let schedule = try Self.schedule(Self.daily, freezes: all)
        let new = try Self.plan(schedule, "d", now: Self.loadedAt)
        #expect(new.action == .insert)
        #expect(new.record.state == .canceled)
        #expect(new.notices.map(\.state) == [.skipped])
        #expect(new.events.first?.message.hasPrefix("skipped: the freeze sale") == true)
        // Stored before the freeze came: planned again, canceled, its notices dropped.
        let stored = try Self.plan(try Self.schedule(Self.daily), "d", now: Self.loadedAt)
        let replanned = try Self.plan(schedule, "d", now: Self.loadedAt, existing: stored.record)
        #expect(replanned.action == .replan)
        #expect(replanned.record.state == .canceled)
        #expect(replanned.notices.isEmpty)
    }

    @Test func sequentialOrderGivesEachTargetItsOwnStage() throws {
        let schedule = try Self.schedule(#"w: { targets: ["paris", "lyon"], order: "sequential", start: "2030-03-20T02:00:00Z", duration: "1h" },"#)
        let plan = try Self.plan(schedule, "w", now: Self.loadedAt)
        #expect(plan.stages == ["paris": 0, "lyon": 1])
    }
}
