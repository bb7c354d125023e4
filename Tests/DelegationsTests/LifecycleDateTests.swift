import Foundation
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Synchronization
import Testing

@testable import Delegations

/// start and complete follow the visit's dates; exceptions need force and a reason.
@Suite struct LifecycleDateTests {
    /// 2027-05-10 09:00 in Shanghai.
    static let visitStart: Int64 = 1_809_910_800_000

    final class Clock: Sendable {
        let ms = Atomic<Int64>(0)
        init(_ v: Int64) { ms.store(v, ordering: .relaxed) }
        func set(_ v: Int64) { ms.store(v, ordering: .relaxed) }
        var now: @Sendable () -> Int64 { { [self] in self.ms.load(ordering: .relaxed) } }
    }

    func confirmedVisit(_ t: TestDelegations) throws -> String {
        let (id, _) = try t.create(thaiVisit(start: "2027-05-10T09:00", end: "2027-05-10T10:00").withWindow("2027-05-10T09:00", "2027-05-11T17:00"))
        _ = try t.ok("delegations.confirm", ["id": .string(id), "expected_version": 1])
        return id
    }

    @Test func startWaitsForTheFirstDayAndCompleteForTheBeginning() throws {
        let clock = Clock(Self.visitStart - 40 * 86_400_000)  // forty days before
        let t = try TestDelegations(now: clock.now)
        let id = try confirmedVisit(t)
        let early = try #require(t.error("delegations.start", ["id": .string(id), "expected_version": 2]))
        #expect(early.code == .failedPrecondition && early.message.contains("begins on 2027-05-10"), "\(early.message)")
        let noReason = try #require(t.error("delegations.start", ["id": .string(id), "expected_version": 2, "force": true]))
        #expect(noReason.code == .invalidParams && noReason.details?["field"] == "reason")
        clock.set(Self.visitStart - 3_600_000)  // 08:00 on the first day
        let started = try t.ok("delegations.start", ["id": .string(id), "expected_version": 2])
        #expect(started["status"] == "in_progress" && started["exceptions"] == nil)
        let tooSoon = try #require(t.error("delegations.complete", ["id": .string(id), "expected_version": 3, "outcome": "x"]))
        #expect(tooSoon.code == .failedPrecondition && tooSoon.message.contains("begins at 2027-05-10T09:00"))
        clock.set(Self.visitStart + 60_000)
        #expect(try t.ok("delegations.complete", ["id": .string(id), "expected_version": 3, "outcome": "MoU drafted"])["status"] == "completed")
    }

    @Test func forcedExceptionsAreKeptInTheHistoryAndTheMarginIsASetting() throws {
        let clock = Clock(Self.visitStart - 40 * 86_400_000)
        let t = try TestDelegations(now: clock.now)
        let id = try confirmedVisit(t)
        let forced = try t.ok(
            "delegations.start", ["id": .string(id), "expected_version": 2, "force": true, "reason": "the delegation arrived early"])
        #expect(forced["exceptions"] == ["start forced on 2027-03-31: the delegation arrived early"], "\(forced)")
        let history = try t.ok("delegations.history", ["id": .string(id)])["items"]!.arrayValue!
        #expect(JSONWriter.string(history.last!["changes"]!).contains("arrived early"))
        let withMargin = try TestDelegations(settings: ["start_margin_days": 2], now: { Self.visitStart - 2 * 86_400_000 + 3_600_000 })
        let other = try confirmedVisit(withMargin)
        #expect(try withMargin.ok("delegations.start", ["id": .string(other), "expected_version": 2])["status"] == "in_progress")
        #expect(throws: (any Error).self) { try TestDelegations(settings: ["start_margin_days": 90]) }
    }
}

extension JSONValue {
    /// The same delegation with another window.
    func withWindow(_ start: String, _ end: String) -> JSONValue {
        guard case .object(var o) = self else { return self }
        o["starts_at"] = .string(start)
        o["ends_at"] = .string(end)
        return .object(o)
    }
}
