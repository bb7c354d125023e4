import Foundation
import LiaisonJSON
import Testing

/// `liaison bench scale` (issue 30): the generated records import through the public import and
/// every everyday command answers on them. Figures are the bench's to print, not this test's.
@Suite(.timeLimit(.minutes(5))) struct ScaleBenchTests {
    @Test func aSmallHomeIsBuiltAndEveryWorkAnswers() throws {
        let r = try runCLI(["bench", "scale", "--visits", "200", "--json"])
        #expect(r.code == 0, "\(r.stderr)")
        let run = try #require(r.json?[0]?.objectValue)
        #expect(run["visits"] == 200)
        let works = run.members.map(\.key).filter { $0 != "visits" }
        #expect(works.contains("delegation list --text \"Visit 4242\"") && works.contains("audit verify"))
        for (work, value) in run.members where work != "visits" && work != "disk per visit" {
            #expect(value.doubleValue != nil, "\(work): \(value)")
        }
        #expect(run["disk per visit"]?.stringValue?.hasSuffix("write-ahead logs)") == true)
        #expect(processes(mentioning: "/tmp/lzs-").isEmpty, "no mesh of the bench outlives it")
    }
}
