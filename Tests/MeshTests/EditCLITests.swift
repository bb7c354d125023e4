import Foundation
import LiaisonCLI
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Testing

@Suite(.serialized, .timeLimit(.minutes(6))) struct EditCLITests {
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
        let bad = try mesh.cli("delegation", "update", ref, "--title", String(repeating: "x", count: 201), "--date", "2024-13")
        #expect(bad.code == 65 && bad.stderr.contains("2 problems") && bad.stderr.contains("title: at most 200"), "\(bad.stderr)")
        let sideways = try mesh.cli("delegation", "update", ref, "--direction", "sideways")
        #expect(sideways.code == 64 && sideways.stderr.contains("not one of inbound, outbound"), "\(sideways.stderr)")
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

    /// A week before a confirmed visit: someone drops out, someone joins, a session moves, one is
    /// added and one dropped, a host changes; each one command, no JSON written.
    @Test func aVisitsPeopleAndSessionsChangeOneAtATime() throws {
        let mesh = try MeshHarness()
        let file = mesh.home + "/visit.json"
        try JSONWriter.pretty([
            "direction": "inbound", "title": "Kenyatta University delegation",
            "partners": [["name": "Kenyatta University", "kind": "university", "country": "KE"]],
            "starts_at": "2027-05-10T09:00", "ends_at": "2027-05-11T17:00",
            "members": [
                ["name": "Wanjiru Kamau", "email": "wk@ku.example", "role": "head"], ["name": "Otieno Ochieng", "email": "oo@ku.example"],
                ["name": "Achieng Atieno"],
            ],
            "hosts": [["name": "Li Wei", "email": "li.wei@bit.example.cn"]],
            "itinerary": [
                ["starts_at": "2027-05-10T09:00", "ends_at": "2027-05-10T10:00", "title": "Welcome", "venue": "Room 1"],
                ["starts_at": "2027-05-10T11:00", "ends_at": "2027-05-10T12:30", "title": "Engine lab", "venue": "Lab 2", "attendees": ["oo@ku.example"]],
                ["starts_at": "2027-05-11T09:00", "ends_at": "2027-05-11T10:00", "title": "Signing", "venue": "Hall A",
                 "hosts": ["li.wei@bit.example.cn"], "attendees": ["wk@ku.example", "Achieng Atieno"]],
                ["starts_at": "2027-05-11T10:30", "ends_at": "2027-05-11T11:00", "title": "Photo", "venue": "Hall A",
                 "attendees": ["Otieno Ochieng", "wk@ku.example"]],
            ],
        ]).write(toFile: file, atomically: true, encoding: .utf8)
        let ref = try #require(try mesh.cli("delegation", "create", "-f", file, "--json").json?["ref"]?.stringValue)
        #expect(try mesh.cli("delegation", "confirm", ref).code == 0)
        func visit() throws -> JSONValue { try mesh.call("delegations", "delegations.get", ["id": .string(ref)]) }
        func item(_ title: String) throws -> JSONValue? { try visit()["itinerary"]?.arrayValue?.first { $0["title"] == .string(title) } }
        let shown = try mesh.cli("delegation", "show", ref).stdout
        #expect(shown.contains("  2. 11:00–12:30  Engine lab (meeting) @ Lab 2"), "\(shown)")

        let patch = mesh.home + "/patch.json"
        try #"{"itinerary": []}"#.write(toFile: patch, atomically: true, encoding: .utf8)
        let refused = try mesh.cli("delegation", "update", ref, "-f", patch)
        #expect(refused.code != 0 && refused.stderr.contains("Hint: a confirmed visit's schedule changes with 'liaison delegation reschedule"))
        // The only one at the lab cannot leave it empty (it would be for everyone).
        let alone = try mesh.cli("delegation", "member", "remove", ref, "oo@ku.example")
        #expect(alone.code == 1 && alone.stderr.contains("only attendee of 2. “Engine lab” 2027-05-10T11:00–12:30"), "\(alone.stderr)")
        #expect(try mesh.cli("delegation", "item", "update", ref, "2", "--attendees", "wk@ku.example, oo@ku.example").code == 0)
        let removed = try mesh.cli("delegation", "member", "remove", ref, "otieno ochieng", "--reason", "cannot travel")
        #expect(removed.code == 0 && removed.stdout.contains("removed Otieno Ochieng <oo@ku.example>"), "\(removed.stderr)")
        #expect(try visit()["members"]?.arrayValue?.count == 2 && item("Engine lab")?["attendees"] == ["wk@ku.example"])
        #expect(try item("Photo")?["attendees"] == ["wk@ku.example"], "named by his name, gone too")
        let check = try mesh.cli("delegation", "check", ref)
        #expect(check.code == 0, "no session names someone who left: \(check.stdout)")
        // Her name still names her once she has an email; a new name is carried into the
        // sessions that named her by the old one.
        #expect(try mesh.cli("delegation", "member", "update", ref, "Achieng Atieno", "--email", "aa@ku.example", "--dietary", "halal").code == 0)
        #expect(try item("Signing")?["attendees"] == ["wk@ku.example", "Achieng Atieno"])
        #expect(try mesh.cli("delegation", "member", "update", ref, "aa@ku.example", "--name", "Achieng A. Atieno").code == 0)
        #expect(try item("Signing")?["attendees"] == ["wk@ku.example", "aa@ku.example"])
        #expect(try mesh.cli("delegation", "check", ref).code == 0)
        #expect(try visit()["members"]?[1]?["needs"] == ["dietary": "halal"])
        let joined = try mesh.cli("delegation", "member", "add", ref, "--name", "Amani Njoroge", "--email", "an@ku.example", "--role", "official")
        #expect(joined.code == 0, "\(joined.stderr)")
        let twice = try mesh.cli("delegation", "member", "add", ref, "--name", "Amani N.", "--email", "AN@ku.example")
        #expect(twice.code == 1 && twice.stderr.contains("already has Amani Njoroge <an@ku.example>"), "no one twice: \(twice.stderr)")

        // Sessions: moved (its length kept), added, dropped; each named as the office would.
        let moved = try mesh.cli("delegation", "item", "move", ref, "engine", "--at", "14:00", "--reason", "the lab is busy in the morning")
        #expect(moved.code == 0 && moved.stdout.contains("to 2027-05-10T14:00–15:30"), "\(moved.stdout)\(moved.stderr)")
        #expect(try item("Engine lab")?["starts_at"] == "2027-05-10T14:00" && item("Engine lab")?["ends_at"] == "2027-05-10T15:30")
        #expect(try visit()["reschedule_reason"] == "the lab is busy in the morning")
        let added = try mesh.cli(
            "delegation", "item", "add", ref, "--title", "Campus walk", "--at", "2027-05-11T14:00", "--for", "1h", "--venue", "Main gate",
            "--kind", "tour", "--attendees", "an@ku.example")
        #expect(added.code == 0, "\(added.stderr)")
        #expect(try item("Campus walk")?["ends_at"] == "2027-05-11T15:00" && item("Campus walk")?["id"]?.stringValue?.hasPrefix("it-") == true)
        let vague = try mesh.cli("delegation", "item", "remove", ref, "a")
        #expect(vague.code == 65 && vague.stderr.contains("sessions matching \"a\""), "\(vague.stderr)")
        #expect(try mesh.cli("delegation", "item", "remove", ref, "Campus walk").code == 0)
        #expect(try item("Campus walk") == nil && visit()["itinerary"]?.arrayValue?.count == 4)
        #expect(try mesh.cli("delegation", "item", "move", ref, "9", "--shift", "1h").code == 65, "no session 9")

        // A removal whose second half did not happen (members saved, the sessions not: here
        // written by hand) is finished by the same command again.
        #expect(try mesh.cli("delegation", "item", "add", ref, "--title", "Tea", "--at", "2027-05-11T15:00", "--for", "30m",
                             "--attendees", "an@ku.example, wk@ku.example").code == 0)
        let half = mesh.home + "/members.json"
        let kept = try visit()["members"]!.arrayValue!.filter { $0["email"] != "an@ku.example" }
        try JSONWriter.pretty(["members": .array(kept)]).write(toFile: half, atomically: true, encoding: .utf8)
        #expect(try mesh.cli("delegation", "update", ref, "-f", half).code == 0)
        #expect(try mesh.cli("delegation", "check", ref).code == 1, "Tea names someone no longer on the visit")
        // While that clash stands, a change that moves sessions is refused whole: nothing of it is
        // saved (the person and the sessions naming them change in one write, or not at all).
        let before = try visit()["version"]
        let refusedWhole = try mesh.cli("delegation", "member", "update", ref, "wk@ku.example", "--email", "wanjiru@ku.example")
        #expect(refusedWhole.code == 1 && refusedWhole.stderr.contains("cannot change"), "\(refusedWhole.stderr)")
        #expect(try visit()["version"] == before && visit()["members"]?[0]?["email"] == "wk@ku.example")
        #expect(try item("Tea")?["attendees"] == ["an@ku.example", "wk@ku.example"])
        let finished = try mesh.cli("delegation", "member", "remove", ref, "an@ku.example")
        #expect(finished.code == 0 && finished.stdout.contains("took an@ku.example out of the sessions still naming them"), "\(finished.stderr)")
        #expect(try item("Tea")?["attendees"] == ["wk@ku.example"] && mesh.cli("delegation", "check", ref).code == 0)

        // Hosts: one added, one removed (the sessions they hosted no longer name them).
        #expect(try mesh.cli("delegation", "host", "add", ref, "--name", "Zhang Min", "--email", "zhang.min@bit.example.cn").code == 0)
        #expect(try mesh.cli("delegation", "host", "remove", ref, "li.wei@bit.example.cn").code == 0)
        #expect(try visit()["hosts"]?.arrayValue?.map { $0["name"]! } == ["Zhang Min"] && item("Signing")?["hosts"] == [])
        let unknown = try mesh.cli("delegation", "member", "update", ref, "nobody@example.org", "--title", "x")
        #expect(unknown.code == 65 && unknown.stderr.contains("members: Wanjiru Kamau <wk@ku.example>"), "\(unknown.stderr)")

        // Under way, its sessions still move; the visit itself no longer does.
        #expect(try mesh.cli("delegation", "start", ref, "--force", "--reason", "they came early").code == 0)
        let onTheDay = try mesh.cli("delegation", "item", "move", ref, "Welcome", "--at", "09:30", "--json")
        #expect(onTheDay.code == 0 && onTheDay.json?["status"] == "in_progress", "\(onTheDay.stderr)")
        let whole = try mesh.cli("delegation", "reschedule", ref, "--shift", "1d")
        #expect(whole.code != 0 && whole.stderr.contains("shift_minutes: delegation \(ref) is in_progress since"), "\(whole.stderr)")

        // Otieno was told once that he is off the visit, with every session he was expected at.
        let mails = try #require(
            try eventually(timeoutMs: 20_000) { () throws -> [JSONValue]? in
                let items = try mesh.cli("notification", "list", "--json").json?["items"]?.arrayValue ?? []
                // The visit's events are applied in order: Zhang's third mail (the welcome moved)
                // comes of the last.
                return items.filter { $0["recipient"] == "zhang.min@bit.example.cn" }.count >= 3 ? items : nil
            })
        // (Session 2 naming him by address instead of by name changed nothing he sees: no update.)
        #expect(mails.filter { $0["recipient"] == "oo@ku.example" }.compactMap { $0["rule"]?.stringValue }.sorted() == ["removal", "schedule"])
        // Amani: the schedule when she joined, the walk added for her and taken back, tea, and
        // once that she is off the visit.
        let amani = mails.filter { $0["recipient"] == "an@ku.example" }.compactMap { $0["rule"]?.stringValue }
        #expect(amani.reversed() == ["schedule", "update", "removal", "update", "removal"])
        // Zhang: the schedule when added, the signing his once Li Wei no longer hosted it, the welcome moved.
        #expect(
            mails.filter { $0["recipient"] == "zhang.min@bit.example.cn" }.compactMap { $0["rule"]?.stringValue }.reversed()
                == ["schedule", "update", "update"])
    }

    /// A visit from nothing to confirmed with flags alone: the partner, the visit, its people and
    /// its sessions.
    @Test func aVisitBuiltFromFlagsAlone() throws {
        let mesh = try MeshHarness()
        let partner = try mesh.cli("partner", "create", "--name", "University of Nairobi", "--kind", "university", "--country", "KE", "--json")
        let pid = try #require(partner.json?["id"]?.stringValue, "\(partner.stderr)")
        #expect(try mesh.cli("delegation", "create", "--title", "Nairobi visit").code == 64, "no partner")
        // Its people: one added, given a new post, one gone.
        for args in [
            ["add", pid, "--name", "Peter Mwangi", "--email", "pm@uon.example", "--title", "Lecturer"],
            ["add", pid, "--name", "Grace Otieno", "--email", "go@uon.example"],
            ["update", pid, "pm@uon.example", "--title", "Dean of Engineering", "--role", "official"], ["remove", pid, "go@uon.example"],
        ] {
            let r = try runCLI(["partner", "person"] + args + ["--home", mesh.home])
            #expect(r.code == 0, "\(args): \(r.stderr)")
        }
        let people = try mesh.cli("partner", "show", pid).stdout
        #expect(people.contains("Peter Mwangi, Dean of Engineering — official <pm@uon.example>  [per-") && !people.contains("Grace"), "\(people)")
        #expect(try mesh.cli("partner", "person", "remove", pid, "go@uon.example").code == 65, "gone already")
        let created = try mesh.cli(
            "delegation", "create", "--title", "Nairobi engineering visit", "--partner", pid, "--starts-at", "2027-06-07T09:00",
            "--ends-at", "2027-06-08T17:00", "--topics", "engineering, exchange", "--json")
        let ref = try #require(created.json?["ref"]?.stringValue, "\(created.stderr)")
        #expect(created.json?["direction"] == "inbound" && created.json?["topics"] == ["engineering", "exchange"])
        #expect(created.json?["partners"]?[0]?["name"] == "University of Nairobi")
        for args in [
            ["member", "add", ref, "--name", "Mary Wambui", "--email", "mw@uon.example", "--role", "head", "--languages", "en,sw"],
            ["host", "add", ref, "--name", "Li Wei", "--email", "li.wei@bit.example.cn", "--unit", "International Office"],
            ["item", "add", ref, "--title", "Welcome", "--at", "2027-06-07T09:00", "--until", "10:00", "--venue", "Room 1",
             "--hosts", "li.wei@bit.example.cn"],
            ["item", "add", ref, "--title", "Farewell lunch", "--at", "2027-06-08T12:00", "--for", "90m", "--kind", "meal"],
            ["group", "add", ref, "--description", "Engineering students", "--role", "student"],
            ["group", "add", ref, "--description", "Drivers"], ["group", "update", ref, "students", "--count", "12"],
            ["group", "remove", ref, "2"],
        ] {
            let r = try runCLI(["delegation"] + args + ["--home", mesh.home])
            #expect(r.code == 0, "\(args): \(r.stderr)")
        }
        #expect(try mesh.cli("delegation", "confirm", ref).code == 0)
        let shown = try mesh.cli("delegation", "show", ref).stdout
        #expect(shown.contains("Mary Wambui — head <mw@uon.example> [en, sw]") && shown.contains("  2. 12:00–13:30  Farewell lunch (meal)"), "\(shown)")
        #expect(shown.contains("  1. Engineering students — 12 people, student") && !shown.contains("Drivers"), "\(shown)")
        #expect(try mesh.cli("delegation", "group", "update", ref, "1", "--count", "many").code == 64)
        // An agreement of its own, with flags too.
        #expect(try mesh.cli("agreement", "create", "--title", "Exchange", "--partner", pid).code == 64, "no coordinator")
        let agreement = try mesh.cli(
            "agreement", "create", "--title", "Engineering exchange with Nairobi", "--partner", pid, "--coordinator-name", "Li Wei",
            "--coordinator-email", "li.wei@bit.example.cn", "--starts-on", "2027-09-01", "--ends-on", "2030-08-31", "--json")
        let a = try #require(agreement.json, "\(agreement.stderr)")
        #expect(a["status"] == "draft" && a["kind"] == "mou" && a["partners"]?[0]?["id"] == .string(pid))
        #expect(a["coordinator"]?["email"] == "li.wei@bit.example.cn" && a["ends_on"] == "2030-08-31")
    }
}
