import Foundation
import Glibc
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonWire
import Notifications
import Testing

/// Issue 28's acceptance through a real exim: a confirmed visit whose members read Thai, Arabic
/// and Korean gets each their mail in their language with English beside it; an answer sent as a
/// calendar sends it reaches `liaison mail receive` through exim's pipe and shows as accepted in
/// `delegation attendance`; a forged answer changes nothing and is logged.
@Suite(.serialized, .timeLimit(.minutes(5)), mtaCondition) struct AnswerMeshTests {
    static let pipe = "/usr/local/lib/liaison-test/rsvp-pipe"
    static let target = "/var/lib/liaison-test/rsvp-target"

    /// Hands `raw` to exim for `to`, as a calendar's mail server would.
    func send(_ raw: String, from: String, to: String = "lz-rsvp@localhost") throws {
        let r = try runProgram(RealMTA.sendmail, ["-f", from, "--", to], stdin: raw, timeoutMs: 30_000)
        #expect(r.code == 0, "sendmail: \(r.stderr)")
    }

    func answers(_ mesh: MeshHarness, _ ref: String) throws -> [String: String] {
        let r = try mesh.cli("delegation", "attendance", ref, "--json")
        var out: [String: String] = [:]
        for s in r.json?["sessions"]?.arrayValue ?? [] where s["title"] == "Welcome meeting" {
            for p in s["people"]?.arrayValue ?? [] { out[p["address"]!.stringValue!] = p["answer"]!.stringValue! }
        }
        return out
    }

    @Test(.enabled(if: geteuid() == 0, "exim's pipe runs as liaisontest: root sets up the mesh it may reach"))
    func mailsInEachLanguageAndAnAnswerThroughEximsPipe() throws {
        #expect(access(Self.pipe, X_OK) == 0, ".ci/setup-mta installs the pipe; run it again")
        let tag = "R" + IDs.make("x").dropFirst(2).prefix(8)
        let bouncesBefore = bounces()
        let mesh = try MeshHarness(
            meshFile: { home in
                chmod(home, 0o755)  // exim's pipe (liaisontest) reads the mesh file and reaches the sockets
                var m = MeshFile.standard(home: home)
                m.socketGroup = "lzmail"
                m.access = AccessRules(write: [.user("liaisontest")])
                let n = m.services.firstIndex { $0.name == "notifications" }!
                m.services[n].settings = ["mail": ["organizer": "lz-rsvp@localhost"]]
                return m
            },
            mail: "sendmail"
        )
        try "LIAISON_BIN='\(binDirectory())/liaison'\nLIAISON_HOME='\(mesh.home)'\n"
            .write(toFile: Self.target, atomically: true, encoding: .utf8)
        chmod(Self.target, 0o644)
        defer { unlink(Self.target) }
        let people: [(String, String, String, String)] = [
            ("Somchai Prasert", "สมชาย ประเสริฐศักดิ์", "lz-th@localhost", "th"),
            ("Fatima Zahra", "فاطمة الزهراء", "lz-ar@localhost", "ar"),
            ("Kim Min-jun", "김민준", "lz-ko@localhost", "ko"),
        ]
        let draft: JSONValue = [
            "direction": "inbound", "title": .string("Joint delegation \(tag)"),
            "partner": ["name": "Ministry of Education", "kind": "government", "country": "TH"],
            "starts_at": "2027-03-12T09:00", "ends_at": "2027-03-12T17:00",
            "members": .array(people.map {
                ["name": .string($0.0), "name_local": .string($0.1), "email": .string($0.2), "languages": [.string($0.3), "en"]]
            }),
            "hosts": [["name": "International Office", "email": "lz-host@localhost"]],
            "itinerary": [
                ["starts_at": "2027-03-12T09:00", "ends_at": "2027-03-12T10:30", "title": "Welcome meeting",
                 "venue": "Main Building 301", "hosts": ["lz-host@localhost"]],
            ],
        ]
        let c = try WireClient(path: mesh.socket("delegations"))
        let d = try c.call("delegations.create", draft)
        let ref = d["ref"]!.stringValue!
        _ = try c.call("delegations.confirm", ["id": d["id"]!])
        let mails = RealMTA.wait(tag: tag, count: 4)
        #expect(mails.count == 4, "three members and the host")
        func mail(_ address: String) -> ParsedMessage? { mails.first { $0.header("To")?.contains(address) == true } }

        let th = try #require(mail("lz-th@localhost")?.text("text/plain"))
        #expect(th.hasPrefix("เรียน สมชาย ประเสริฐศักดิ์") && th.contains("——— ภาษาอังกฤษ ———") && th.contains("Dear สมชาย"), "\(th)")
        let ko = try #require(mail("lz-ko@localhost")?.text("text/plain"))
        #expect(ko.hasPrefix("김민준 님께,") && ko.contains("——— 영어 ———"), "\(ko)")
        let ar = try #require(mail("lz-ar@localhost"))
        let html = try #require(ar.text("text/html"))
        #expect(html.contains("<div lang=\"ar\" dir=\"rtl\">") && html.contains("<bdi>فاطمة الزهراء</bdi>"), "\(html)")
        #expect(try #require(mail("lz-host@localhost")?.text("text/plain")).hasPrefix("Dear International Office,"))

        // Somchai accepts in his calendar: a REPLY to the invitation he holds, through exim's pipe.
        let ics = ICalendarText(try #require(mail("lz-th@localhost")?.text("text/calendar")))
        #expect(ics.value("ORGANIZER")?.hasSuffix("mailto:lz-rsvp@localhost") == true, "answers go to the organizer")
        #expect(ics.attendee.contains("RSVP=TRUE"))
        let uid = try #require(ics.value("UID")), sequence = Int(try #require(ics.value("SEQUENCE")))!
        try send(reply(from: "lz-th@localhost", name: "Somchai Prasert", uid: uid, sequence: sequence, partstat: "ACCEPTED"), from: "lz-th@localhost")
        let accepted = eventually(timeoutMs: 30_000) { (try? answers(mesh, ref))?["lz-th@localhost"] == "accepted" ? true : nil }
        #expect(accepted == true, "through the pipe: \((try? answers(mesh, ref)) ?? [:]); exim: \(eximLog())")
        let shown = try mesh.cli("delegation", "attendance", ref)
        #expect(shown.stdout.contains("Somchai Prasert") && shown.stdout.contains("accepted"), "\(shown.stdout)")
        #expect(try mesh.cli("delegation", "show", ref).stdout.contains("Welcome meeting (2027-03-12 09:00): 1 accepted, 3 no answer"))

        // Forged: Kim's answer sent by someone else; and one to an invitation never sent.
        try send(reply(from: "lz-other@localhost", name: "Kim Min-jun", uid: uid, sequence: sequence, partstat: "DECLINED", attendee: "lz-ko@localhost"), from: "lz-other@localhost")
        try send(reply(from: "lz-ko@localhost", name: "Kim Min-jun", uid: "it-nosuch-del-nosuch@localhost", sequence: 1, partstat: "DECLINED"), from: "lz-bounce@localhost")
        let logged = eventually(timeoutMs: 30_000) { () -> String? in
            let log = (try? String(contentsOfFile: mesh.home + "/log/notifications.log", encoding: .utf8)) ?? ""
            let dropped = log.split(separator: "\n").filter { $0.contains("rsvp.dropped") }
            return dropped.count >= 2 ? dropped.joined(separator: "\n") : nil
        }
        #expect(logged?.contains("not from the person invited") == true && logged?.contains("unknown") == true, "\(logged ?? eximLog())")
        #expect(try answers(mesh, ref)["lz-ko@localhost"] == "no_answer", "the forged answer changed nothing")
        // The reply to an unknown invitation bounced (67) to its envelope sender.
        let bounced = eventually(timeoutMs: 30_000) { bounces() > bouncesBefore ? true : nil }
        #expect(bounced == true, "\(eximLog())")
    }

    func reply(from: String, name: String, uid: String, sequence: Int, partstat: String, attendee: String? = nil) -> String {
        """
        From: \(name) <\(from)>\r
        To: lz-rsvp@localhost\r
        Subject: Accepted: Welcome meeting\r
        Message-ID: <\(IDs.make("r"))@calendar.example>\r
        MIME-Version: 1.0\r
        Content-Type: text/calendar; charset="UTF-8"; method=REPLY\r
        \r
        BEGIN:VCALENDAR\r
        PRODID:-//Google Inc//Google Calendar 70.9054//EN\r
        VERSION:2.0\r
        METHOD:REPLY\r
        BEGIN:VEVENT\r
        UID:\(uid)\r
        SEQUENCE:\(sequence)\r
        ATTENDEE;CUTYPE=INDIVIDUAL;PARTSTAT=\(partstat);CN=\(name):mailto:\(attendee ?? from)\r
        END:VEVENT\r
        END:VCALENDAR\r

        """
    }

    /// How many mails exim has bounced because the pipe said 67 (no such invitation).
    func bounces() -> Int {
        let log = (try? String(contentsOfFile: "/var/log/exim4/mainlog", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").filter { $0.contains(" ** |\(Self.pipe)") && $0.contains("returned 67") }.count
    }

    func eximLog() -> String {
        let log = (try? String(contentsOfFile: "/var/log/exim4/mainlog", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").suffix(12).joined(separator: "\n")
    }
}

/// A calendar's unfolded content lines, enough to answer it.
struct ICalendarText {
    let lines: [String]
    init(_ text: String) {
        var out: [String] = []
        for l in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n") {
            if l.hasPrefix(" "), !out.isEmpty { out[out.count - 1] += l.dropFirst() } else { out.append(String(l)) }
        }
        lines = out
    }
    func value(_ name: String) -> String? {
        lines.first { $0.hasPrefix(name + ":") || $0.hasPrefix(name + ";") }.map { line in
            String(line[line.index(after: line.firstIndex(of: ":")!)...])
        }
    }
    var attendee: String { lines.first { $0.hasPrefix("ATTENDEE") } ?? "" }
}
