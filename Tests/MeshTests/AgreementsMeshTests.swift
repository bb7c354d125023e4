import Foundation
import FoundationXML
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

@Suite(.serialized, .timeLimit(.minutes(6))) struct AgreementsMeshTests {
    func writeJSON(_ v: JSONValue, _ path: String) throws { try JSONWriter.pretty(v).write(toFile: path, atomically: true, encoding: .utf8) }

    func draft(end: String) -> JSONValue {
        ["title": "Exchange and cooperation with Hanyang University", "kind": "exchange",
         "partners": [["name": "Hanyang University", "name_local": "한양대학교", "kind": "university", "country": "KR"]],
         "coordinator": ["name": "International Office", "email": "io@bit.example.cn"], "focus_areas": ["student exchange"],
         "signatories": [["name": "Representative of BIT", "side": "bit"], ["name": "Representative of Hanyang University", "side": "Hanyang University"]],
         "starts_on": "2013-10-15", "ends_on": .string(end), "places_per_year": 10]
    }

    @Test func theWholeLifecycleThroughTheCLIWithHistory() throws {
        let mesh = try MeshHarness()
        try writeJSON(draft(end: "2028-10-14"), mesh.home + "/agreement.json")
        let created = try mesh.cli("agreement", "create", "-f", mesh.home + "/agreement.json", "--json")
        #expect(created.code == 0, "\(created.stderr)")
        let ref = try #require(created.json?["reference"]?.stringValue)
        #expect(try mesh.cli("agreement", "negotiate", ref).stdout.contains("negotiating"))
        #expect(try mesh.cli("agreement", "sign", ref, "--signed-on", "2013-10-15").stdout.contains("\(ref): active"))
        let bad = try mesh.cli("agreement", "negotiate", ref)
        #expect(bad.code == 1 && bad.stderr.contains("is active") && bad.stderr.contains("would be negotiating"))
        #expect(try mesh.cli("agreement", "suspend", ref, "--reason", "programme review").stdout.contains("suspended"))
        #expect(try mesh.cli("agreement", "resume", ref).stdout.contains("active"))
        try writeJSON(["places_per_year": 12], mesh.home + "/amend.json")
        let amended = try mesh.cli("agreement", "amend", ref, "--summary", "Two more places each way", "-f", mesh.home + "/amend.json")
        #expect(amended.stdout.contains("\(ref)-A1: active"), "\(amended.stdout)\(amended.stderr)")
        #expect(try mesh.cli("agreement", "activity", "add", ref, "--on", "2024-10-22", "--summary", "Eleven years of exchange reviewed").code == 0)
        let renewed = try mesh.cli("agreement", "renew", ref, "--ends-on", "2033-10-14")
        #expect(renewed.stdout.contains("superseded") && renewed.stdout.contains("\(ref)-R1: signed"), "\(renewed.stdout)")
        let show = try mesh.cli("agreement", "show", ref)
        #expect(show.stdout.contains("Amendment    \(ref)-A1") && show.stdout.contains("Renewed by") && show.stdout.contains("Eleven years of exchange reviewed"))
        #expect(show.stdout.contains("Hanyang University (한양대학교)"))
        let history = try mesh.cli("agreement", "history", ref)
        for step in ["create", "negotiate", "sign", "activate", "suspend", "resume", "amend", "add_activity", "renew"] {
            #expect(history.stdout.contains("  \(step)"), "history shows \(step)")
        }
        #expect(history.stdout.contains("status: active → superseded"))
        let list = try mesh.cli("agreement", "list", "--country", "KR")
        #expect(list.stdout.contains("\(ref)-R1") && list.stdout.contains("superseded"))
    }

    @Test func expiringNoticesReachNotificationsOnceEach() throws {
        let mesh = try MeshHarness()
        let c = try WireClient(path: mesh.socket("agreements"))
        // The services run on the real clock and apply a sweep only of today or a day gone by
        // (issue 26): the agreement ended 60 days ago, and its days are swept as a catch-up.
        func day(_ offset: Int) -> String {
            let f = DateFormatter()
            f.dateFormat = "yyyy-MM-dd"
            f.timeZone = TimeZone(identifier: "UTC")
            return f.string(from: Date().addingTimeInterval(Double(offset) * 86_400))
        }
        let a = try c.call("agreements.create", draft(end: day(-60)))
        _ = try c.call("agreements.negotiate", ["id": a["id"]!, "expected_version": 1])
        _ = try c.call("agreements.sign", ["id": a["id"]!, "expected_version": 2, "signed_on": "2013-10-15"])
        // A preview as of a later date changes nothing and says which notices would go.
        let preview = try mesh.cli("agreement", "sweep", "--today", day(-58))
        #expect(preview.code == 0 && preview.stdout.contains("Preview (nothing changed, nothing sent"), "\(preview.stdout)")
        #expect(preview.stdout.contains("notice that would go: agreement.expired") && preview.stdout.contains("io@bit.example.cn"))
        #expect(try c.call("agreements.get", ["id": a["id"]!])["status"] == "active", "the preview changed nothing")
        let refused = try mesh.cli("agreement", "sweep", "--today", day(30), "--apply")
        #expect(refused.code == 65 && refused.stderr.contains("a sweep of a day to come is a preview only"), "\(refused.stderr)")
        for offset in [-150, -149, -90, -89, -67, -60, -59, -58] {
            let r = try mesh.cli("agreement", "sweep", "--today", day(offset), "--apply")
            #expect(r.code == 0, "\(r.stderr)")
        }
        func messages() throws -> [JSONValue] { try mesh.call("notifications", "notifications.list", ["delegation_id": a["id"]!])["items"]?.arrayValue ?? [] }
        let got = try eventually(timeoutMs: 15_000) { () throws -> [JSONValue]? in
            let m = try messages()
            return m.count >= 5 ? m : nil
        }
        let rules = (got ?? []).map { $0["rule"]!.stringValue! }.sorted()
        #expect(rules == ["agreement_expired", "agreement_expiring", "agreement_expiring", "agreement_expiring", "agreement_signed"])
        #expect((got ?? []).allSatisfy { $0["recipient"] == "io@bit.example.cn" })
        let subjects = (got ?? []).compactMap { $0["subject"]?.stringValue }
        #expect(subjects.contains { $0.hasPrefix("Agreement ending in 90 days") })
        #expect(subjects.contains { $0.hasPrefix("Agreement ending in 30 days") })
        #expect(subjects.contains { $0.hasPrefix("Agreement ending in 7 days") })
        usleep(300_000)
        #expect(try messages().count == 5, "each notice once")
    }

    @Test func demoReportsAndTheChart() throws {
        let mesh = try MeshHarness()
        let demo = try mesh.cli("demo")
        #expect(demo.code == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("recorded as history"))
        let svg = mesh.home + "/partners.svg"
        let report = try mesh.cli("report", "partners", "--by", "continent", "--svg", svg, "--html", mesh.home + "/partners.html")
        #expect(report.code == 0, "\(report.stderr)")
        let lines = report.stdout.split(separator: "\n")
        let africa = try #require(lines.first { $0.hasPrefix("Africa") })
        let asia = try #require(lines.first { $0.hasPrefix("Asia") })
        #expect(africa.contains("site: Study in BIT Uganda Workstation (Uganda)") && !africa.contains("China Communications"))
        #expect(asia.contains("China Communications Construction Company") && asia.contains("Hanyang University"))
        // The chart is well-formed SVG with a bar per continent.
        let data = try #require(FileManager.default.contents(atPath: svg))
        let parser = XMLParser(data: data)
        final class Count: NSObject, XMLParserDelegate {
            var rects = 0, texts: [String] = [], current = "", root = ""
            func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if root.isEmpty { root = e }
                if e == "rect" { rects += 1 }
                current = ""
            }
            func parser(_ p: XMLParser, foundCharacters s: String) { current += s }
            func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) { if e == "text" { texts.append(current) } }
        }
        let counter = Count()
        parser.delegate = counter
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(counter.root == "svg")
        #expect(counter.texts.contains("Africa") && counter.texts.contains("Asia"))
        #expect(counter.rects >= 5, "background, legend and bars")
        #expect(counter.texts.contains("0 partners in force, 1 site of BIT's"), "\(counter.texts)")
        #expect(try String(contentsOfFile: mesh.home + "/partners.html", encoding: .utf8).contains("<svg"))

        // The visits reach agreements as events: the funnel counts them once they have arrived.
        let funnel = try #require(
            try eventually(timeoutMs: 20_000) { () -> CLIResult? in
                let r = try mesh.cli("report", "funnel", "--json")
                return r.json?["totals"]?["visits"] == 9 ? r : nil
            }, "agreements never heard of the demo's nine visits")
        #expect(funnel.json?["totals"]?["visits_leading_to_agreements"] == 0, "the article ties no agreement to an earlier visit")
        let dormant = try mesh.cli("call", "agreements", "agreements.report.dormant", #"{"months": 24, "today": "2025-05-14"}"#)
        #expect(dormant.json?["rows"] == [], "Hanyang's exchange had its visit in October 2024")
        let quiet = try mesh.cli("call", "agreements", "agreements.report.dormant", #"{"months": 6, "today": "2025-05-14"}"#)
        #expect(quiet.json?["rows"]?[0]?["last_contact"] == "2024-10-31", "a visit known to the month counts until its end")
        #expect(quiet.json?["rows"]?[0]?["last_contact_known"] == "2024-10", "and is said as known (issue 27.5)")
        let shown = try mesh.cli("report", "dormant")
        #expect(shown.stdout.contains("Oct 2024") && !shown.stdout.contains("2024-10-31"), "\(shown.stdout)")
        let expiring = try mesh.cli("report", "expiring", "--days", "3650", "--json")
        #expect(expiring.json?["rows"] == [], "the article gives no end date")
    }
}
