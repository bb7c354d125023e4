import Foundation
import Glibc
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Notifications
import Synchronization
import Testing

/// The real MTA the CI installs (.ci/setup-mta): exim delivering *@localhost into liaisontest's Maildir.
enum RealMTA {
    static let sendmail = "/usr/sbin/sendmail"
    static let maildir = "/home/liaisontest/Maildir/new"
    static var required: Bool { ProcessInfo.processInfo.environment["LIAISON_REQUIRE_MTA"] == "1" }
    static var available: Bool {
        access(sendmail, X_OK) == 0 && FileManager.default.fileExists(atPath: "/home/liaisontest")
    }

    /// Subjects of the Maildir files already read: a delivered file never changes, and the
    /// Maildir keeps every earlier run's messages, so each file is decoded once.
    private static let subjects = Locked<[String: String]>([:])

    /// Messages in the Maildir whose subject contains `tag`, parsed with the project's decoder.
    static func messages(tagged tag: String) -> [ParsedMessage] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: maildir)) ?? []
        return files.compactMap { f in
            if let subject = subjects.withLock({ $0[f] }), !subject.contains(tag) { return nil }
            guard let data = FileManager.default.contents(atPath: maildir + "/" + f) else { return nil }
            let p = ParsedMessage.parse([UInt8](data))
            let subject = p.header("Subject") ?? ""
            subjects.withLock { $0[f] = subject }
            return subject.contains(tag) ? p : nil
        }
    }

    /// Waits until exim has no message left to deliver (frozen bounces aside), so what has been
    /// handed over is in the Maildir.
    static func quiesce(timeoutMs: Int = 20_000) {
        let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        while monotonicNanos() < deadline {
            guard let text = (try? runProgram("/usr/sbin/exim", ["-bp"], timeoutMs: 30_000))?.stdout else { return }
            let waiting = text.split(separator: "\n").filter {
                $0.first?.isWhitespace == true && $0.contains(" <") && !$0.contains("*** frozen ***")
            }
            if waiting.isEmpty { return }
            usleep(100_000)
        }
    }

    /// Waits until `count` tagged messages are in the Maildir.
    static func wait(tag: String, count: Int, timeoutMs: Int = 60_000) -> [ParsedMessage] {
        let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        var found: [ParsedMessage] = []
        repeat {
            found = messages(tagged: tag)
            if found.count >= count { return found }
            usleep(50_000)
        } while monotonicNanos() < deadline
        return found
    }
}

let mtaCondition: ConditionTrait = .enabled(
    if: RealMTA.available || RealMTA.required,
    "needs a local MTA: run .ci/setup-mta (Debian exim4 delivering into ~liaisontest/Maildir) to enable"
)

@Suite(.serialized, .timeLimit(.minutes(5)), mtaCondition) struct NotificationsMeshTests {
    func visitDraft(tag: String, members: [JSONValue]) -> JSONValue {
        [
            "direction": "inbound", "title": .string("Thailand Ministry of Education delegation \(tag)"),
            "partner": [
                "name": "Ministry of Education", "name_local": "กระทรวงศึกษาธิการ", "kind": "government", "country": "TH",
            ],
            "purpose": "Closer cooperation and more learning opportunities for students of both countries",
            "starts_at": "2027-03-12T09:00", "ends_at": "2027-03-13T17:00", "members": .array(members),
            "hosts": [["name": "International Office", "email": "lz-host@localhost", "unit": "International Office"]],
            "itinerary": [
                [
                    "starts_at": "2027-03-12T09:00", "ends_at": "2027-03-12T10:30", "title": "Welcome meeting",
                    "venue": "Main Building 301",
                    "hosts": ["lz-host@localhost"],
                ],
                [
                    "starts_at": "2027-03-13T14:00", "ends_at": "2027-03-13T15:00",
                    "title": "Signing of the exchange MoU",
                    "kind": "signing",
                    "venue": "Central Teaching Building", "hosts": ["lz-host@localhost"],
                ],
            ],
        ]
    }

    @Test func confirmRescheduleCancelReachTheMaildirCorrectInEveryScript() throws {
        #expect(RealMTA.available, "CI installs exim (.ci/setup-mta); without it this test cannot run")
        let tag = "T" + IDs.make("x").dropFirst(2).prefix(8)
        let people: [(String, String, String)] = [
            ("Somchai Prasert", "สมชาย ประเสริฐศักดิ์", "lz-th@localhost"), ("Kim Min-jun", "김민준", "lz-ko@localhost"),
            ("Fatima Zahra", "فاطمة الزهراء بنت محمد", "lz-ar@localhost"), ("Li Wei", "李伟", "lz-zh@localhost"),
            ("Rustam Karimjonov", "Рустам Каримжонов", "lz-uz@localhost"),
        ]
        let members: [JSONValue] = people.map {
            ["name": .string($0.0), "name_local": .string($0.1), "email": .string($0.2)]
        }
        let mesh = try MeshHarness(mail: "sendmail")
        let c = try WireClient(path: mesh.socket("delegations"))
        let d = try c.call("delegations.create", visitDraft(tag: tag, members: members))
        let id = d["id"]!
        _ = try c.call("delegations.confirm", ["id": id, "expected_version": 1])
        let first = RealMTA.wait(tag: tag, count: 6)
        #expect(first.count == 6, "a schedule for five members and the host")
        // The visit gains a morning and the signing moves into it: one session moved for everyone.
        var itinerary = visitDraft(tag: tag, members: [])["itinerary"]!.arrayValue!
        if case .object(var signing) = itinerary[1] {
            signing["starts_at"] = "2027-03-14T10:00"
            signing["ends_at"] = "2027-03-14T11:00"
            itinerary[1] = .object(signing)
        }
        _ = try c.call(
            "delegations.reschedule",
            [
                "id": id, "expected_version": 2, "ends_at": "2027-03-14T12:00", "itinerary": .array(itinerary),
                "reason": "the minister's flight",
            ]
        )
        _ = RealMTA.wait(tag: tag, count: 12)
        _ = try c.call("delegations.cancel", ["id": id, "expected_version": 3, "reason": "travel restrictions"])
        let all = RealMTA.wait(tag: tag, count: 18)
        #expect(all.count == 18, "three messages for each of six recipients")

        let byRecipient = Dictionary(
            grouping: all,
            by: { p in p.header("To").flatMap { $0.split(separator: "<").last?.dropLast() }.map(String.init) ?? "" }
        )
        for (name, local, address) in people {
            let rank = ["Visit schedule": 0, "Updated schedule": 1, "Cancelled": 2]
            let mine = try #require(byRecipient[address]).sorted {
                rank[String($0.header("Subject")!.prefix { $0 != ":" }), default: 9]
                    < rank[String($1.header("Subject")!.prefix { $0 != ":" }), default: 9]
            }
            #expect(mine.count == 3, "\(address)")
            for m in mine {
                #expect(m.header("To") == "\(local) <\(address)>", "the local-script name decodes back exactly")
                #expect(m.header("From") == "\"BIT International Office\" <international-office@localhost>")
                #expect(m.header("MIME-Version") == "1.0")
                #expect(m.header("Message-ID")?.hasSuffix("@localhost>") == true)
            }
            #expect(
                mine.map { $0.header("Subject")! } == [
                    "Visit schedule: Thailand Ministry of Education delegation \(tag), 12–13 March 2027",
                    "Updated schedule: Thailand Ministry of Education delegation \(tag), 12–14 March 2027",
                    "Cancelled: Thailand Ministry of Education delegation \(tag), 12–14 March 2027",
                ]
            )
            let text = mine[0].text("text/plain")!
            // A right-to-left name sits between isolates (U+2068 … U+2069) in the left-to-right text.
            let shown =
                local.unicodeScalars.contains { (0x0590...0x08FF).contains($0.value) }
                ? "\u{2068}\(local)\u{2069}" : local
            #expect(text.hasPrefix("Dear \(shown),"))
            #expect(text.contains("Friday 12 March 2027\n  09:00–10:30  Welcome meeting — Main Building 301"))
            #expect(text.contains("Partner:  Ministry of Education (กระทรวงศึกษาธิการ), Thailand"))
            #expect(text.contains("\(name) (\(shown))"))
            #expect(
                !text.contains("lz-ko@localhost") || address == "lz-ko@localhost",
                "members do not see each other's addresses"
            )
            let cals = mine.map { ICalendar.parse($0.text("text/calendar") ?? "") }
            func all(_ c: [ICalendar.Property], _ n: String) -> [String] { c.filter { $0.name == n }.map(\.value) }
            // One VEVENT per session, each with its own UID for life and its own SEQUENCE.
            let uids = all(cals[0], "UID")
            #expect(
                uids.count == 2
                    && uids.allSatisfy { $0.hasPrefix("it-") && $0.hasSuffix("-\(id.stringValue!)@localhost") }
            )
            #expect(cals.map { all($0, "METHOD") } == [["REQUEST"], ["REQUEST"], ["CANCEL"]])
            #expect(
                all(cals[0], "DTSTART") == ["20270312T010000Z", "20270313T060000Z"]
                    && all(cals[0], "SEQUENCE") == ["1", "1"]
            )
            #expect(all(cals[1], "UID") == [uids[1]] && all(cals[1], "SEQUENCE") == ["2"], "the moved session only")
            #expect(all(cals[1], "DTSTART") == ["20270314T020000Z"] && all(cals[1], "DTEND") == ["20270314T030000Z"])
            #expect(Set(all(cals[2], "UID")) == Set(uids) && all(cals[2], "STATUS") == ["CANCELLED", "CANCELLED"])
            #expect(cals[0].first { $0.name == "ATTENDEE" }?.params["CN"] == local)
            #expect(
                all(cals[0], "SUMMARY").map(ICalendar.unescape).contains { $0.hasPrefix("Signing of the exchange MoU") }
            )
            let update = mine[1].text("text/plain") ?? ""
            #expect(
                update.contains(
                    "Signing of the exchange MoU moved from Saturday 13 March 2027 14:00–15:00 to Sunday 14 March 2027 10:00–11:00"
                )
            )
            #expect(
                update.contains("Reason given: the minister's flight")
                    && update.contains("The visit now runs 12–14 March 2027")
            )
            #expect(mine[0].parts.map(\.type) == ["text/plain", "text/html", "text/calendar", "application/ics"])
        }
        let hostText = try #require(
            byRecipient["lz-host@localhost"]?.first { $0.header("Subject")?.hasPrefix("Visit schedule") == true }?.text(
                "text/plain"
            )
        )
        #expect(
            hostText.contains("<lz-th@localhost>") && hostText.contains("<lz-uz@localhost>"),
            "the host sees the members' addresses"
        )
    }

    @Test func killNineInTheMiddleOfTwoHundredRecipientsSendsEachExactlyOnce() throws {
        #expect(RealMTA.available, "CI installs exim (.ci/setup-mta); without it this test cannot run")
        let tag = "K" + IDs.make("x").dropFirst(2).prefix(8)
        let mesh = try MeshHarness(mail: "sendmail")
        let members: [JSONValue] = (0..<200).map {
            ["name": .string("Recipient \($0)"), "email": .string("lz-r\($0)@localhost")]
        }
        var draft = visitDraft(tag: tag, members: members)
        if case .object(var o) = draft { o["hosts"] = []; o["itinerary"] = []; draft = .object(o) }
        let c = try WireClient(path: mesh.socket("delegations"))
        let d = try c.call("delegations.create", draft)
        _ = try c.call("delegations.confirm", ["id": d["id"]!, "expected_version": 1])
        // Kill notifications once some, but not all, have gone out.
        let some = try eventually(timeoutMs: 30_000) { () throws -> Int? in
            let n = Int(
                try mesh.call("notifications", "notifications.list", ["limit": 1])["counts"]?["sent"]?.intValue ?? 0
            )
            return n >= 20 ? n : nil
        }
        #expect(some != nil)
        let pid = try #require(try mesh.pid("notifications"))
        kill(pid, SIGKILL)
        try mesh.waitForReady()
        let settled = try eventually(timeoutMs: 120_000) { () throws -> Bool? in
            let counts = try mesh.call("notifications", "notifications.list", ["limit": 1])["counts"]
            return (counts?["pending"]?.intValue ?? 0) == 0 && (counts?["sending"]?.intValue ?? 0) == 0 ? true : nil
        }
        #expect(settled == true)
        // An interrupted hand-over is "possibly sent": the operator looks in the mailbox and retries
        // only what did not arrive.
        let unsure =
            try mesh.call("notifications", "notifications.list", ["status": "possibly_sent"])["items"]?.arrayValue ?? []
        RealMTA.quiesce()
        let delivered = Set(
            RealMTA.messages(tagged: tag).compactMap {
                $0.header("To")?.split(separator: "<").last.map { String($0.dropLast()) }
            }
        )
        var retried = 0
        for m in unsure where !delivered.contains(m["recipient"]!.stringValue!) {
            #expect(try mesh.cli("notification", "retry", String(m["id"]!.intValue!)).code == 0)
            retried += 1
        }
        _ = RealMTA.wait(tag: tag, count: 200)
        RealMTA.quiesce()
        let all = RealMTA.messages(tagged: tag)
        let perRecipient = Dictionary(grouping: all, by: { $0.header("To") ?? "" }).mapValues(\.count)
        print(
            "kill -9 mid-batch: \(some ?? 0) sent before the kill, \(unsure.count) possibly sent, \(retried) retried by the operator, "
                + "\(all.count) delivered"
        )
        #expect(perRecipient.count == 200, "every recipient has the schedule")
        #expect(perRecipient.values.allSatisfy { $0 == 1 }, "exactly once")
        #expect(
            try mesh.call("notifications", "notifications.list", ["status": "dead"])["items"]?.arrayValue?.isEmpty
                == true
        )
    }

    /// A sendmail that hangs is stopped with the service: each restart of notifications left its
    /// in-flight sendmails running, and they outlived the supervisor's stop (issue 26). Its
    /// message is `possibly_sent`, not handed over again at the next start.
    @Test func aHungSendmailStopsWithTheServiceAndItsMessageWaitsForAnOperator() throws {
        let marker = "sleep 27.1828"
        let stubDir = makeTempDir("lzs")
        defer { try? FileManager.default.removeItem(atPath: stubDir) }
        let stub = stubDir + "/sendmail"
        try "#!/bin/sh\ncat > /dev/null\nexec \(marker)\n".write(toFile: stub, atomically: true, encoding: .utf8)
        chmod(stub, 0o755)
        let mesh = try MeshHarness(meshFile: { home in
            var m = MeshFile.standard(home: home)
            for i in m.services.indices where m.services[i].name == "notifications" {
                m.services[i].settings = [
                    "mail": ["transport": "sendmail", "sendmail_path": .string(stub), "timeout_ms": 120_000]
                ]
            }
            return m
        })
        let c = try WireClient(path: mesh.socket("delegations"))
        let d = try c.call("delegations.create", loadDraft(3, title: "Hung MTA"))
        _ = try c.call("delegations.confirm", ["id": d["id"]!])
        let hung = eventually(timeoutMs: 10_000) { () -> [Int32]? in
            let p = processes(mentioning: marker)
            return p.isEmpty ? nil : p
        }
        #expect(hung != nil, "the stub sendmail is running")
        let stopped = try mesh.cli("stop", "notifications")
        #expect(stopped.code == 0, "\(stopped.stderr)")
        let gone = eventually(timeoutMs: 5000) { processes(mentioning: marker).isEmpty ? true : nil }
        #expect(gone == true, "no sendmail outlives its service: \(processes(mentioning: marker))")
        #expect(try mesh.cli("start", "notifications").code == 0)
        let messages = try mesh.call("notifications", "notifications.list", ["status": "possibly_sent"])["items"]?
            .arrayValue
        #expect(messages?.isEmpty == false, "the interrupted hand-over waits for an operator")
        #expect(messages?.allSatisfy { $0["attempts"] == 1 } == true, "not handed over again at the start")
    }

    @Test func theCLIShowsPreviewsAndMessages() throws {
        let tag = "P" + IDs.make("x").dropFirst(2).prefix(8)
        let mesh = try MeshHarness(mail: "sendmail")
        let file = mesh.home + "/visit.json"
        try JSONWriter.pretty(
            visitDraft(
                tag: tag,
                members: [
                    [
                        "name": "Kim Min-jun", "name_local": "김민준", "email": "lz-ko@localhost",
                        "needs": ["dietary": "vegetarian"],
                    ]
                ]
            )
        ).write(toFile: file, atomically: true, encoding: .utf8)
        let created = try mesh.cli("delegation", "create", "-f", file, "--json")
        let ref = try #require(created.json?["ref"]?.stringValue)
        let preview = try mesh.cli("notification", "preview", ref)
        #expect(preview.code == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("2 message(s), rule schedule — nothing is sent."))
        #expect(preview.stdout.contains("To: 김민준 <lz-ko@localhost>   [member view]"))
        #expect(preview.stdout.contains("diet: vegetarian"), "the host's view shows needs")
        #expect(
            try mesh.cli("notification", "list", "--delegation", ref).stdout.contains("(no messages)"),
            "a preview sends nothing"
        )
        #expect(try mesh.cli("delegation", "confirm", ref).code == 0)
        var last = ""
        let waitStart = monotonicNanos()
        let sent = try eventually(timeoutMs: 30_000) { () throws -> JSONValue? in
            let r = try mesh.cli("notification", "list", "--delegation", ref, "--json")
            last = r.stdout + r.stderr
            let items = r.json?["items"]?.arrayValue ?? []
            // (An `if`, not `? items[0] : nil`: JSONValue is nil-literal-expressible, so that
            // ternary would yield JSONValue.null, not "not yet".)
            if items.count == 2 && items.allSatisfy({ $0["status"] == "sent" }) { return items[0] }
            return nil
        }
        let id = try #require(
            sent?["id"]?.intValue,
            "both messages sent within \((monotonicNanos() - waitStart) / 1_000_000) ms; last listing: \(last)"
        )
        let show = try mesh.cli("notification", "show", String(id))
        #expect(
            show.stdout.contains("sent") && show.stdout.contains("attempt at")
                && show.stdout.contains("Subject: Visit schedule")
        )
        #expect(
            show.stdout.contains("\n  | Dear ") && show.stdout.contains("\n  | Your sessions"),
            "the text as they read it: \(show.stdout)"
        )
        let due = try mesh.cli("notification", "due", "--days", "3650")
        #expect(due.stdout.contains(ref))
        let bogus = try mesh.cli("notification", "preview", ref, "--rule", "bogus")
        #expect(
            bogus.code == 64 && bogus.stderr.contains("schedule, update, cancel, postpone, reminder"),
            "\(bogus.stderr)"
        )
        // A cancelled visit's reminders will not fire: due no longer lists them.
        #expect(try mesh.cli("delegation", "cancel", ref, "--reason", "postponed sine die").code == 0)
        let afterCancel = try eventually(timeoutMs: 10_000) { () throws -> CLIResult? in
            let r = try mesh.cli("notification", "due", "--days", "3650")
            return r.stdout.contains(ref) ? nil : r
        }
        #expect(afterCancel != nil, "due lists only reminders that will go out")
        // Agreement notices preview the same way.
        let agreement = mesh.home + "/agreement.json"
        try JSONWriter.pretty([
            "title": "Exchange", "kind": "exchange",
            "coordinator": ["name": "Li Wei", "email": "li.wei@bit.example.cn"],
            "partners": [["name": "Hanyang University", "kind": "university", "country": "KR"]],
            "ends_on": "2030-06-30",
        ]).write(toFile: agreement, atomically: true, encoding: .utf8)
        let aref = try #require(
            try mesh.cli("agreement", "create", "-f", agreement, "--json").json?["reference"]?.stringValue
        )
        let notice = try mesh.cli("notification", "preview", aref, "--rule", "expiring")
        #expect(
            notice.code == 0 && notice.stdout.contains("rule agreement_expiring — nothing is sent."),
            "\(notice.stdout)\(notice.stderr)"
        )
        #expect(
            notice.stdout.contains("To: Li Wei <li.wei@bit.example.cn>")
                && notice.stdout.contains("ends on 30 Jun 2030")
        )
        #expect(try mesh.cli("notification", "preview", aref, "--rule", "reminder").code == 64)
    }
}
