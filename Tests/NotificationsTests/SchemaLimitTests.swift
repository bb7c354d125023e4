import Testing
import LiaisonHost
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
@testable import Notifications

@Suite struct NotificationsSchemaTests {
    @Test func everyMethodRefusesAValueJustOutsideEachDeclaredLimitNamingTheField() throws {
        let (problems, probes) = try TestNotifications(start: false).under.schemaProblems()
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(probes > 25, "\(probes) probes")
    }

    @Test func theDueDaysLimitIsEnforcedBeforeAnyArithmetic() throws {
        let t = try TestNotifications(start: false)
        for days: JSONValue in [3651, 106_751_991_167, .int(Int64.max), .int(Int64.min), 0, 1e12] {
            let e = try #require(t.under.error("notifications.due", ["days": days]), "\(days)")
            #expect(e.code == .invalidParams && e.details?["field"] == "days", "\(days): \(e)")
        }
        #expect(try t.call("notifications.due", ["days": 3650])["items"] == [])
    }

    @Test func describeSaysWhatIsConsumed() throws {
        let d = try TestNotifications(start: false).call("service.describe")
        #expect(d["events"]?["consumes"] == ["delegation.*", "agreement.*"])
        #expect(d["events"]?["emits"] == [])
    }
}
