import Testing
import LiaisonHost
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
@testable import Delegations

@Suite struct DelegationsSchemaTests {
    @Test func everyMethodRefusesAValueJustOutsideEachDeclaredLimitNamingTheField() throws {
        let (problems, probes) = try TestDelegations().under.schemaProblems()
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect(probes > 25, "\(probes) probes")
    }

    @Test func describeGivesEveryMethodItsParamsAndResultAndEveryEventItsData() throws {
        let t = try TestDelegations()
        let d = try t.ok("service.describe", [:])
        let emits = d["events"]?["emits"]?.arrayValue ?? []
        #expect(emits.count == 12, "7 delegation.*, delegation.recorded and purged aside; partner.created, updated, merged")
        for e in emits {
            let key = e["type"]?.stringValue?.hasPrefix("partner.") == true ? "people" : "itinerary"
            #expect(e["data"]?["properties"]?[key] != nil, "\(e["type"]!) data")
        }
    }
}
