import Testing
import LiaisonHost
import LiaisonTestSupport
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
        #expect(emits.count == 9)
        for e in emits { #expect(e["data"]?["properties"]?["partners"] != nil, "\(e["type"]!) data") }
        #expect(d["events"]?["consumes"] == ["delegation.*"])
    }
}
