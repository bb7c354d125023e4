import Foundation
import Testing
import LiaisonModels
import LiaisonJSON
import LiaisonLocale
import LiaisonProcess
@testable import Notifications

/// Each mail in the recipient's language with English beside it (issue 28, item 1).
@Suite struct LanguageMailTests {
    static let catalogueDir = URL(filePath: #filePath).deletingLastPathComponent()
        .appending(path: "../../Shared/LiaisonLocale/Catalogues").standardized

    @Test func everyCatalogueHasEveryKeyAndEveryPluralFormItsLanguageNeeds() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.catalogueDir.path).filter {
            $0.hasSuffix(".json")
        }
        #expect(Set(files.map { String($0.dropLast(5)) }) == Set(Catalogue.all.keys), "every file compiled in")
        for code in ["en", "zh", "th", "ar", "ko", "fr", "ru"] { #expect(Catalogue.all[code] != nil, "\(code)") }
        let english = Catalogue.english.keys
        for (code, c) in Catalogue.all {
            let keys = c.keys
            #expect(
                Set(keys.keys) == Set(english.keys),
                "\(code): missing \(Set(english.keys).subtracting(keys.keys).sorted()), extra \(Set(keys.keys).subtracting(english.keys).sorted())"
            )
            for (key, forms) in english {
                // A message that counts in English counts in every language, with each form its language has.
                guard forms != nil else {
                    #expect(keys[key] ?? nil == nil, "\(code).\(key) is plain in English"); continue
                }
                let have = (keys[key] ?? nil) ?? []
                #expect(
                    have.isSuperset(of: c.pluralCategories),
                    "\(code).\(key): has \(have.sorted()), needs \(c.pluralCategories.sorted())"
                )
            }
            let text = try String(contentsOf: Self.catalogueDir.appending(path: "\(code).json"), encoding: .utf8)
            #expect(!text.contains("\"\"\"#"), "\(code): cannot be compiled in as a raw string")
        }
    }

    @Test func placeholdersAreFilledAndPluralsChosenAsEachLanguageCounts() throws {
        let ru = try #require(Catalogue.named("ru")), ar = try #require(Catalogue.named("ar"))
        #expect(ru("briefing.count", count: 1) == "1 человек")
        #expect(ru("briefing.count", count: 3) == "3 человека")
        #expect(ru("briefing.count", count: 11) == "11 человек")
        #expect(ru("briefing.count", count: 22) == "22 человека")
        #expect(ar("briefing.count", count: 2) == "شخصان")
        #expect(ar("briefing.count", count: 5) == "5 أشخاص")
        #expect(ar("briefing.count", count: 15) == "15 شخصاً")
        #expect(Catalogue.english("briefing.count", count: 1) == "1 person")
        #expect(Catalogue.first(of: ["zh-Hans", "en"]).code == "zh")
        #expect(Catalogue.first(of: ["uz", "ru"]).code == "ru")
        #expect(Catalogue.first(of: ["uz"]).code == "en")
    }

    @Test func datesAreWrittenAsEachLanguageWritesThem() throws {
        var why = ""
        let a = LocalDateTime.parse("2027-03-02T14:00", why: &why)!,
            b = LocalDateTime.parse("2027-03-04T17:00", why: &why)!
        func day(_ code: String) -> String { Catalogue.named(code)!.day(a) }
        #expect(day("en") == "Tuesday 2 March 2027")
        #expect(day("zh") == "2027年3月2日（星期二）")
        #expect(day("th") == "วันอังคารที่ 2 มีนาคม พ.ศ. 2570")
        #expect(day("ar") == "الثلاثاء 2 مارس 2027")
        #expect(day("ko") == "2027년 3월 2일 화요일")
        #expect(day("fr") == "mardi 2 mars 2027")
        #expect(day("ru") == "вторник, 2 марта 2027 г.")
        #expect(Catalogue.named("zh")!.span(a, b) == "2027年3月2日至4日")
        #expect(Catalogue.english.span(a, b) == "2–4 March 2027")
    }

    @Test func eachMemberReadsTheirLanguageWithEnglishBesideIt() throws {
        let t = try TestNotifications(start: false)
        var d = visit()
        d.draft.members[0].languages = ["th", "en"]
        d.draft.members[1].languages = ["ko"]
        d.draft.members[2].languages = ["ar"]
        d.draft.members[3].languages = ["uz"]  // no catalogue: English only
        try t.deliver("delegation.confirmed", d)
        func mail(_ to: String) throws -> ParsedMessage {
            let m = try #require(try t.messages().first { $0["recipient"] == .string(to) })
            return try t.parsed(m["id"]!.intValue!)
        }
        let th = try mail("th@example.org")
        let thText = try #require(th.text("text/plain"))
        #expect(thText.hasPrefix("เรียน สมชาย ประเสริฐ"), "\(thText)")
        #expect(thText.contains("วันศุกร์ที่ 12 มีนาคม พ.ศ. 2570"), "\(thText)")
        #expect(thText.contains("——— ภาษาอังกฤษ ———") && thText.contains("Dear สมชาย ประเสริฐ,"), "\(thText)")
        let subject = th.headers.first { $0.name.lowercased() == "subject" }?.value ?? ""
        #expect(subject.hasPrefix("กำหนดการเยือน: ") && subject.contains(" / Visit schedule: "), "\(subject)")
        #expect(try #require(th.parts.first { $0.type == "text/calendar" }).body.count > 0)
        let ics = String(decoding: try #require(th.parts.first { $0.type == "text/calendar" }).body, as: UTF8.self)
        #expect(ics.replacingOccurrences(of: "\r\n ", with: "").contains("ATTENDEE;LANGUAGE=th;CN="), "\(ics)")

        let ko = try #require(try mail("ko@example.org").text("text/plain"))
        #expect(ko.hasPrefix("김민준 님께,") && ko.contains("2027년 3월 12일 금요일"), "\(ko)")

        let ar = try mail("ar@example.org")
        let html = try #require(ar.text("text/html"))
        #expect(
            html.contains("<html lang=\"ar\" dir=\"rtl\">") && html.contains("<div lang=\"ar\" dir=\"rtl\">"),
            "\(html)"
        )
        #expect(html.contains("<div lang=\"en\" dir=\"ltr\">"))
        #expect(html.contains("حضرة <bdi>فاطمة الزهراء</bdi>،"), "\(html)")
        #expect(html.contains("Dear <bdi>فاطمة الزهراء</bdi>,"), "the Arabic name is isolated in English too")
        #expect(try #require(ar.text("text/plain")).contains("الجمعة 12 مارس 2027"))

        let uz = try #require(try mail("zh@example.org").text("text/plain"))
        #expect(uz.hasPrefix("Dear 李伟,") && !uz.contains("———"), "no catalogue: English alone")
    }

    @Test func theArabicMailParsesCleanlyWithPythonsEmail() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            #expect(ProcessInfo.processInfo.environment["LIAISON_REQUIRE_PYTHON"] == nil, "python3 is required here")
            return
        }
        let t = try TestNotifications(start: false)
        var d = visit()
        d.draft.members[2].languages = ["ar"]
        try t.deliver("delegation.confirmed", d)
        let m = try #require(try t.messages().first { $0["recipient"] == "ar@example.org" })
        let raw = try t.call("notifications.show", ["id": m["id"]!, "raw": true])["raw"]!.stringValue!
        // Strict policy: any defect in headers or structure is reported; the HTML is read as text.
        let script = """
            import email, email.policy, sys
            m = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.strict)
            defects = [d for p in m.walk() for d in p.defects]
            html = m.get_body(('html',)).get_content()
            text = m.get_body(('plain',)).get_content()
            assert not defects, defects
            assert 'dir="rtl"' in html and '<bdi>' in html, html[:200]
            assert 'فاطمة الزهراء' in text
            print(m['subject'])
            """
        // Our own spawn, not Foundation's Process (swift-corelibs-foundation #5472).
        let r = try Subprocess.run(python, ["-c", script], input: Array(raw.utf8), timeoutMs: 30_000)
        let said = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.exit == .exited(0), "\(String(decoding: r.stderr, as: UTF8.self))")
        #expect(said.hasPrefix("برنامج الزيارة: "), "\(said)")
    }
}
