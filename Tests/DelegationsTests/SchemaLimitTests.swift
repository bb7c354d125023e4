import Testing
import LiaisonHost
import LiaisonTestSupport
import LiaisonWire
@testable import Delegations

@Suite struct DelegationsSchemaTests {
    @Test func everyMethodRefusesAValueJustOutsideEachDeclaredLimitNamingTheField() throws {
        let t = try TestDelegations()
        let (failures, sent) = SchemaProbes.unrefused(t.under)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(sent > 150, "\(sent) probes")
    }

    @Test func describeGivesEveryMethodItsParamsAndResultAndEveryEventItsData() throws {
        let t = try TestDelegations()
        let d = try t.ok("service.describe", [:])
        for m in d["methods"]?.arrayValue ?? [] {
            #expect(m["params"]?["type"] == "object" || m["params"]?["oneOf"] != nil, "\(m["name"]!) params")
            #expect(m["result"] != [:] && m["result"] != nil, "\(m["name"]!) result")
        }
        let emits = d["events"]?["emits"]?.arrayValue ?? []
        #expect(emits.count == 7)
        for e in emits { #expect(e["data"]?["properties"]?["itinerary"] != nil, "\(e["type"]!) data") }
    }
}
