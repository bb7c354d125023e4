import Foundation
import LiaisonJSON
import Testing

/// `delegation programme --pdf` printed by headless Chromium and read back with poppler's tools
/// (issue 28.3). It runs where `.ci/run` installed them (LIAISON_REQUIRE_CHROMIUM=1).
@Suite(.serialized, .timeLimit(.minutes(6))) struct ProgrammeMeshTests {
    static var required: Bool { ProcessInfo.processInfo.environment["LIAISON_REQUIRE_CHROMIUM"] == "1" }

    @Test func theProgrammePrintsOnA4WithAPagePerDay() throws {
        guard Self.required else {
            print("ProgrammeMeshTests: LIAISON_REQUIRE_CHROMIUM is not set (.ci/run installs Chromium); skipped")
            return
        }
        let mesh = try MeshHarness()
        let visit = mesh.home + "/visit.json"
        try """
            {"direction": "inbound", "title": "Delegation from Khalifa University",
             "partners": [{"name": "Khalifa University", "name_local": "جامعة خليفة", "kind": "university", "country": "AE"}],
             "starts_at": "2027-05-10T09:00", "ends_at": "2027-05-11T17:00",
             "members": [{"name": "Yousef Al Hammadi", "name_local": "يوسف الحمادي", "title": "Dean"}],
             "hosts": [{"name": "Li Wei", "email": "li.wei@bit.example.cn", "unit": "International Office"}],
             "itinerary": [
               {"starts_at": "2027-05-10T09:00", "ends_at": "2027-05-10T10:00", "title": "Welcome", "kind": "meeting",
                "venue": "Main Building 101", "hosts": ["li.wei@bit.example.cn"]},
               {"starts_at": "2027-05-11T09:00", "ends_at": "2027-05-11T11:00", "title": "Signing", "kind": "signing",
                "venue": "Library hall"}]}
            """.write(toFile: visit, atomically: true, encoding: .utf8)
        let created = try mesh.cli("delegation", "create", "-f", visit, "--json")
        let id = try #require(created.json?["id"]?.stringValue, "\(created.stderr)")
        let pdf = mesh.home + "/programme.pdf"
        let r = try mesh.cli("delegation", "programme", id, "--pdf", "-o", pdf, "--contact", "International Office")
        #expect(r.code == 0, "\(r.stderr)")
        let info = try runProgram("/usr/bin/pdfinfo", [pdf], timeoutMs: 30_000).stdout
        #expect(info.contains("Pages:           3") && info.contains("(A4)"), "the visit, then a page per day: \(info)")
        let text = try runProgram("/usr/bin/pdftotext", ["-layout", pdf, "-"], timeoutMs: 30_000).stdout
        for s in ["Delegation from Khalifa University", "Yousef Al Hammadi", "Monday 10 May 2027", "Main Building 101",
                  "Tuesday 11 May 2027", "Library hall", "International Office"] {
            #expect(text.contains(s), "\(s) in the PDF:\n\(text)")
        }
        let html = try mesh.cli("delegation", "programme", id)
        #expect(html.code == 0 && html.stdout.contains("<bdi>يوسف الحمادي</bdi>"))
        let noOutput = try mesh.cli("delegation", "programme", id, "--pdf")
        #expect(noOutput.code == 64 && noOutput.stderr.contains("--pdf needs -o FILE"))
    }
}
