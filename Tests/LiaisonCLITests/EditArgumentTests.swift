import Foundation
import LiaisonCLI
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire
import Testing

/// How the office writes spans, signatories and session times on the command line.
@Suite struct EditArgumentTests {
    @Test func spansAndSignatoriesAsTheOfficeWritesThem() throws {
        #expect(CLI.shiftMinutes("3d") == 4320 && CLI.shiftMinutes("-2h") == -120 && CLI.shiftMinutes("1d2h30m") == 1590)
        #expect(CLI.shiftMinutes("90m") == 90 && CLI.shiftMinutes("+1d") == 1440)
        for bad in ["", "3", "d", "3x", "1d2", "--1d", "9999999d"] { #expect(CLI.shiftMinutes(bad) == nil, "\(bad)") }
        var why = ""
        #expect(
            try CLI.signatory("Li Wei;Vice-President;bit;2026-03-12")
                == Signatory(name: "Li Wei", title: "Vice-President", side: "bit", signedOn: LocalDate.parse("2026-03-12", why: &why)))
        #expect(try CLI.signatory("Kim;;Hanyang University") == Signatory(name: "Kim", side: "Hanyang University"))
        #expect(throws: (any Error).self) { try CLI.signatory("Kim;Dean") }
    }

    @Test func sessionTimesAsTheOfficeWritesThem() throws {
        #expect(try CLI.localTime("--at", "2027-05-10T14:00", day: nil).description == "2027-05-10T14:00")
        #expect(try CLI.localTime("--at", "14:00", day: "2027-05-10").description == "2027-05-10T14:00")
        #expect(try CLI.localTime("--until", "9:30", day: "2027-05-10").description == "2027-05-10T09:30")
        for (bad, day) in [("14:00", nil), ("25:00", "2027-05-10"), ("2027-02-30T10:00", nil), ("noon", "2027-05-10")] as [(String, String?)] {
            #expect(throws: UsageError.self, "\(bad)") { try CLI.localTime("--at", bad, day: day) }
        }
    }
}
