import Foundation
import LiaisonCLI
import LiaisonProcess
import LiaisonWire
import Testing

@Suite struct EditArgumentTests {
    @Test func spansAndSignatoriesAsTheOfficeWritesThem() throws {
        #expect(CLI.shiftMinutes("3d") == 4320 && CLI.shiftMinutes("-2h") == -120 && CLI.shiftMinutes("1d2h30m") == 1590)
        #expect(CLI.shiftMinutes("90m") == 90 && CLI.shiftMinutes("+1d") == 1440)
        for bad in ["", "3", "d", "3x", "1d2", "--1d", "9999999d"] { #expect(CLI.shiftMinutes(bad) == nil, "\(bad)") }
        #expect(try CLI.signatory("Li Wei;Vice-President;bit;2026-03-12") == ["name": "Li Wei", "side": "bit", "title": "Vice-President", "signed_on": "2026-03-12"])
        #expect(try CLI.signatory("Kim;;Hanyang University") == ["name": "Kim", "side": "Hanyang University"])
        #expect(throws: (any Error).self) { try CLI.signatory("Kim;Dean") }
    }
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct EditCLITests {
    @Test func aWeekOfEditsWithoutWritingJSON() throws {
        let mesh = try MeshHarness()
        let file = mesh.home + "/visit.json"
        try JSONWriter.pretty([
            "direction": "inbound", "title": "Hanyang review", "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
            "starts_at": "2027-03-02T09:00", "ends_at": "2027-03-03T17:00",
            "hosts": [["name": "Li Wei", "email": "li.wei@bit.example.cn"]],
            "itinerary": [
                ["starts_at": "2027-03-02T09:00", "ends_at": "2027-03-02T10:00", "title": "Welcome", "venue": "Room 1"],
                ["starts_at": "2027-03-03T14:00", "ends_at": "2027-03-03T15:00", "title": "Labs", "venue": "Lab 2"],
            ],
        ]).write(toFile: file, atomically: true, encoding: .utf8)
        let ref = try #require(try mesh.cli("delegation", "create", "-f", file, "--json").json?["ref"]?.stringValue)
        let upd = try mesh.cli("delegation", "update", ref, "--title", "Hanyang exchange review", "--topics", "exchange, research", "--json")
        #expect(upd.code == 0 && upd.json?["title"] == "Hanyang exchange review" && upd.json?["topics"] == ["exchange", "research"], "\(upd.stderr)")
        let moved = try mesh.cli("delegation", "reschedule", ref, "--shift", "3d", "--reason", "the minister's calendar", "--json")
        #expect(moved.code == 0, "\(moved.stderr)")
        #expect(moved.json?["starts_at"] == "2027-03-05T09:00" && moved.json?["itinerary"]?[1]?["starts_at"] == "2027-03-06T14:00")
        let to = try mesh.cli("delegation", "reschedule", ref, "--to", "2027-04-01", "--json")
        #expect(to.json?["ends_at"] == "2027-04-02T17:00" && to.json?["itinerary"]?[0]?["starts_at"] == "2027-04-01T09:00")
        #expect(try mesh.cli("delegation", "reschedule", ref, "--shift", "soon").code == 64)
        // Every problem, one per line, with its field path.
        let bad = try mesh.cli("delegation", "update", ref, "--title", " ", "--direction", "sideways", "--date", "2024-13")
        #expect(bad.code == 65)
        let created = try mesh.cli("agreement", "from-visit", ref, "--json")
        #expect(created.code == 0, "\(created.stderr)")
        let a = try #require(created.json)
        #expect(a["title"] == "Cooperation with Hanyang University" && a["coordinator"]?["email"] == "li.wei@bit.example.cn")
        #expect(a["delegations"]?[0]?["ref"] == .string(ref) && a["delegations"]?[0]?["relation"] == "led_to")
        let aref = a["reference"]!.stringValue!
        let retitled = try mesh.cli("agreement", "update", aref, "--title", "Exchange with Hanyang", "--ends-on", "2030-06-30", "--json")
        #expect(retitled.json?["title"] == "Exchange with Hanyang" && retitled.json?["ends_on"] == "2030-06-30", "\(retitled.stderr)")
        _ = try mesh.cli("agreement", "negotiate", aref)
        let signed = try mesh.cli(
            "agreement", "sign", aref, "--signatory", "Li Wei;Vice-President;bit", "--signatory", "Kim Min-jun;Dean;Hanyang University;2027-04-02",
            "--signed-on", "2027-04-02", "--json")
        #expect(signed.code == 0, "\(signed.stderr)")
        #expect(signed.json?["signatories"]?.arrayValue?.count == 2 && signed.json?["signatories"]?[1]?["signed_on"] == "2027-04-02")
        let invalid = try mesh.cli("delegation", "create", "-f", "-", stdin: #"{"direction": "inbound", "title": " ", "partners": [{"name": "X", "kind": "school", "country": "XX"}], "starts_at": "2027-01-01T10:00", "ends_at": "2027-01-01T09:00"}"#)
        #expect(invalid.code == 65)
        #expect(invalid.stderr.contains("3 problems:") && invalid.stderr.contains("\n  title: must not be empty"), "\(invalid.stderr)")
        #expect(invalid.stderr.contains("\n  partners[0].country:") && invalid.stderr.contains("\n  ends_at: must be after starts_at"))
    }

    @Test func aSignedDocumentIsRecognisedByItsFingerprint() throws {
        let mesh = try MeshHarness()
        let file = mesh.home + "/agreement.json"
        try JSONWriter.pretty([
            "title": "Exchange", "kind": "exchange", "coordinator": ["name": "Li Wei", "email": "li.wei@bit.example.cn"],
            "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
        ]).write(toFile: file, atomically: true, encoding: .utf8)
        let ref = try #require(try mesh.cli("agreement", "create", "-f", file, "--json").json?["reference"]?.stringValue)
        let signed = mesh.home + "/signed.pdf", other = mesh.home + "/draft.pdf"
        try Data("%PDF-1.7 the signed text".utf8).write(to: URL(fileURLWithPath: signed))
        try Data("%PDF-1.7 the signed text.".utf8).write(to: URL(fileURLWithPath: other))
        let attached = try mesh.cli("agreement", "attach", ref, signed, "--title", "Signed agreement", "--json")
        #expect(attached.code == 0, "\(attached.stderr)")
        let doc = try #require(attached.json?["documents"]?[0])
        #expect(doc["sha256"] == .string(SHA256.hex(Array("%PDF-1.7 the signed text".utf8))) && doc["size"] == 24)
        #expect(doc["name"] == "signed.pdf" && doc["media_type"] == "application/pdf" && doc["attached_at"] != nil)
        let yes = try mesh.cli("agreement", "verify", ref, signed)
        #expect(yes.code == 0 && yes.stdout.contains("is \"Signed agreement\" of \(ref)"), "\(yes.stdout)")
        let no = try mesh.cli("agreement", "verify", ref, other)
        #expect(no.code == 1 && no.stdout.contains("is none of the documents"))
        #expect(try mesh.cli("agreement", "attach", ref, signed).code == 1, "the same file twice is refused")
        #expect(try mesh.cli("agreement", "history", ref).stdout.contains("attach"))
    }
}
