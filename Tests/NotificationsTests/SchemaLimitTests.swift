import Testing
import LiaisonHost
import LiaisonTestSupport
import LiaisonWire
@testable import Notifications

@Suite struct NotificationsSchemaTests {
    @Test func everyMethodRefusesAValueJustOutsideEachDeclaredLimitNamingTheField() throws {
        let t = try TestNotifications(start: false)
        let (failures, sent) = SchemaProbes.unrefused(t.under)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(sent > 25, "\(sent) probes")
    }

    @Test func theDueDaysLimitIsEnforcedBeforeAnyArithmetic() throws {
        let t = try TestNotifications(start: false)
        for days: JSONValue in [3651, 106_751_991_167, .int(Int64.max), .int(Int64.min), 0, 1e12] {
            let e = try #require(t.under.error("notifications.due", ["days": days]), "\(days)")
            #expect(e.code == .invalidParams && e.details?["field"] == "days", "\(days): \(e)")
        }
        #expect(try t.call("notifications.due", ["days": 3650])["items"] == [])
    }

    @Test func describeGivesEveryMethodItsParamsAndResult() throws {
        let t = try TestNotifications(start: false)
        let d = try t.call("service.describe")
        for m in d["methods"]?.arrayValue ?? [] {
            #expect(m["params"]?["type"] == "object" || m["params"]?["oneOf"] != nil, "\(m["name"]!) params")
            #expect(m["result"] != [:] && m["result"] != nil, "\(m["name"]!) result")
        }
    }
}
