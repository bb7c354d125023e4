import Testing
import LiaisonHost
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
@testable import Agreements

@Suite struct AgreementsSchemaTests {
    @Test func everyMethodRefusesAValueJustOutsideEachDeclaredLimitNamingTheField() throws {
        let (problems, probes) = try TestAgreements().under.schemaProblems()
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(probes > 25, "\(probes) probes")
    }

    @Test func describeGivesEveryMethodItsParamsAndResultAndEveryEventItsData() throws {
        let t = try TestAgreements()
        let d = try t.ok("service.describe", [:])
        let emits = d["events"]?["emits"]?.arrayValue ?? []
        #expect(emits.count == 11, "10 agreement.* and partner.claimed")
        for e in emits {
            let key = e["type"] == "partner.claimed" ? "country" : "partners"
            #expect(e["data"]?["properties"]?[key] != nil, "\(e["type"]!) data")
        }
        #expect(d["events"]?["consumes"] == ["delegation.*", "partner.*"])
    }
}

@Suite struct AgreementsHostileNumbersTests {
    /// The values that once trapped the service (Swift arithmetic overflow) are refused at the door.
    @Test(arguments: [
        ("agreements.report.expiring", "days", JSONValue.int(1_000_000_000_000_000)),
        ("agreements.report.expiring", "days", .double(1e12)),
        ("agreements.report.expiring", "days", .int(1 << 62)),
        ("agreements.report.dormant", "months", .int(Int64.min)),
        ("agreements.report.dormant", "months", .int(Int64.max)),
        ("agreements.report.partners", "signed_in", .int(Int64.min)),
        ("agreements.sweep", "today", "99999-01-01"),
    ])
    func refusedWithTheField(method: String, field: String, value: JSONValue) throws {
        let t = try TestAgreements()
        let e = try #require(t.error(method, .object(JSONObject([(field, value)]))))
        #expect(e.code == .invalidParams && e.details?["field"] == .string(field), "\(e)")
    }
}
