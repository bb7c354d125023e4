import LiaisonModels
import LiaisonJSON
import LiaisonWire
import Testing

@testable import Delegations

/// A partner renamed or merged while a change of a visit naming it is being worked out: the
/// refresh of the visit's document bumps no version, so the change's write must notice it by the
/// document itself, and redo the change on the refreshed visit rather than write over it.
@Suite struct RefreshRaceTests {
    func partner(_ t: TestDelegations, _ name: String) throws -> String {
        try t.ok("partners.create", ["name": .string(name), "kind": "university", "country": "KR"])["id"]!.stringValue!
    }

    func visit(_ t: TestDelegations, naming partner: String) throws -> String {
        let d = try t.ok(
            "delegations.create",
            [
                "direction": "inbound", "title": "Exchange talks", "partners": [["id": .string(partner)]],
                "starts_at": "2027-05-10T09:00", "ends_at": "2027-05-10T17:00",
            ])
        return d["id"]!.stringValue!
    }

    /// Changes the visit at version 1, running `meanwhile` after the visit was read and before
    /// the change is written; returns how many times the change was worked out.
    func change(_ t: TestDelegations, _ id: String, meanwhile: () throws -> Void) throws -> Int {
        var runs = 0
        _ = try t.service.logic.changes.change(id, expectedVersion: 1, action: "update", uid: 1000, event: { _, _ in nil }) { d in
            runs += 1
            if runs == 1 { try meanwhile() }
            d.draft.notes = "Arrives by train"
        }
        return runs
    }

    @Test func aRenameDuringAChangeIsKept() throws {
        let t = try TestDelegations()
        let p = try partner(t, "Hanyang Univ")
        let id = try visit(t, naming: p)
        let runs = try change(t, id) {
            _ = try t.ok("partners.update", ["id": .string(p), "expected_version": 1, "name": "Hanyang University"])
        }
        #expect(runs == 2, "worked out again on the renamed visit")
        let after = try t.ok("delegations.get", ["id": .string(id)])
        #expect(after["partners"]?[0]?["name"] == "Hanyang University", "\(after)")
        #expect(after["notes"] == "Arrives by train" && after["version"] == 2)
        #expect(try t.ok("delegations.list", ["text": "hanyang university"])["items"]?.arrayValue?.count == 1, "search text too")
    }

    @Test func aMergeDuringAChangeIsKept() throws {
        let t = try TestDelegations()
        let kept = try partner(t, "Yonsei University")
        let dup = try partner(t, "Yonsei Univ.")
        let id = try visit(t, naming: dup)
        _ = try change(t, id) { _ = try t.ok("partners.merge", ["from": .string(dup), "into": .string(kept), "reason": "same"]) }
        let after = try t.ok("delegations.get", ["id": .string(id)])
        #expect(after["partners"]?[0]?["id"] == .string(kept), "the visit names the kept entry: \(after)")
        let visits = try t.ok("partners.get", ["id": .string(kept)])["visits"]?.arrayValue ?? []
        #expect(visits.map { $0["id"] } == [.string(id)], "and is linked to it")
    }

    @Test func aVisitRefreshedOnEveryTryIsRetryableAndUnchanged() throws {
        let t = try TestDelegations()
        let p = try partner(t, "Sogang Univ")
        let id = try visit(t, naming: p)
        var renames = 0
        var failure: ServiceError?
        do {
            _ = try t.service.logic.changes.change(id, expectedVersion: 1, action: "update", uid: 1000, event: { _, _ in nil }) { d in
                renames += 1
                _ = try t.ok(
                    "partners.update", ["id": .string(p), "expected_version": .int(Int64(renames)), "name": .string("Sogang \(renames)")])
                d.draft.notes = "Never written"
            }
        } catch let e as ServiceError { failure = e }
        let e = try #require(failure)
        #expect(e.code == .unavailable && e.retryable && e.message.contains("try again"), "\(e)")
        #expect(renames == 8)
        let after = try t.ok("delegations.get", ["id": .string(id)])
        #expect(after["version"] == 1 && after["notes"] == nil && after["partners"]?[0]?["name"] == "Sogang 8", "\(after)")
    }

    /// `delegations.update` resolves the partners it is given in a transaction of its own, then
    /// makes the change: a partner it names merged in between is shown as the entry it was
    /// merged into. The merge runs from the clock the change reads after it was worked out.
    @Test func aPartnerMergedAfterAnUpdateResolvedItIsShownAsTheKeptEntry() throws {
        final class Hook: @unchecked Sendable {
            var armed = false, calls = 0, merged = false
            var merge: () throws -> Void = {}
        }
        let hook = Hook()
        let t = try TestDelegations(now: {
            if hook.armed {
                hook.calls += 1
                if hook.calls == 2 {  // 1: resolving the partners; 2: the change, worked out, about to be written
                    hook.armed = false
                    try? hook.merge()
                    hook.merged = true
                }
            }
            return wallClockMillis()
        })
        let id = try visit(t, naming: try partner(t, "Ewha Womans University"))
        let kept = try partner(t, "Seoul National University")
        let dup = try partner(t, "SNU")
        // unowned: t holds the clock that holds the hook; a strong t here would keep it (and its
        // temp dir) for good.
        hook.merge = { [unowned t] in _ = try t.ok("partners.merge", ["from": .string(dup), "into": .string(kept), "reason": "same"]) }
        hook.armed = true
        let updated = try t.ok("delegations.update", ["id": .string(id), "expected_version": 1, "partners": [["id": .string(dup)]]])
        #expect(hook.merged, "the merge ran while the update was under way")
        #expect(updated["partners"]?[0]?["id"] == .string(kept) && updated["partners"]?[0]?["name"] == "Seoul National University")
        let visits = try t.ok("partners.get", ["id": .string(kept)])["visits"]?.arrayValue ?? []
        #expect(visits.map { $0["id"] } == [.string(id)], "linked to the kept entry")
    }

    @Test func aChangeWithNothingInBetweenIsWorkedOutOnce() throws {
        let t = try TestDelegations()
        let id = try visit(t, naming: try partner(t, "Korea University"))
        #expect(try change(t, id) {} == 1)
    }
}
