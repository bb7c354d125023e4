import Foundation
import Testing
@testable import Notifications

let names = [
    "กระทรวงศึกษาธิการ", "สมชาย ประเสริฐศักดิ์ชัยวงศ์ รองปลัดกระทรวงศึกษาธิการ", "한양대학교 국제처장 김민준", "وزارة التربية الوطنية المغربية",
    "北京理工大学国际交流合作处", "Rustam Karimjonov — Oʻzbekiston Respublikasi Raqamli texnologiyalar vaziri", "👩🏽‍💻 Zoë Ünïcödé",
]

@Suite struct EncodedWordTests {
    @Test(arguments: names)
    func roundTripsEveryScriptWithoutSplittingCharacters(name: String) {
        let words = EncodedWord.encode(name)
        for w in words {
            #expect(w.count <= 75, "\(w)")
            #expect(w.hasPrefix("=?UTF-8?B?") && w.hasSuffix("?="))
            let payload = Base64.decode(w.dropFirst(10).dropLast(2))!
            #expect(String(validating: payload, as: UTF8.self) != nil, "each word holds whole characters")
        }
        #expect(EncodedWord.decode(words.joined(separator: " ")) == name)
        #expect(EncodedWord.decode(words.joined(separator: "\r\n ").replacingCRLF().replacingAll("\n", "")) == name)
    }

    @Test func keepsTheFirstWordShortEnoughForItsLine() {
        let words = EncodedWord.encode(names[1], firstLimit: 67)
        #expect(words[0].count <= 67)
        #expect(words.dropFirst().allSatisfy { $0.count <= 75 })
    }

    /// A title's U+202E (right-to-left override) reached the Subject, where it reverses what
    /// follows (issue 26): directional controls are left out, Arabic kept as it is.
    @Test func aSubjectLeavesOutDirectionalOverridesAndKeepsArabic() throws {
        let header = try Header.unstructured("Visit \u{202E}txt.exe\u{202C} \u{2066}وزارة\u{2069}", field: "Subject")
        let decoded = EncodedWord.decode(header)
        #expect(decoded == "Visit txt.exe وزارة", "\(decoded.unicodeScalars.map { String($0.value, radix: 16) })")
    }

    @Test func decodesQWordsAndKeepsSpaceBetweenPlainText() {
        #expect(EncodedWord.decode("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "André Pirard")
        #expect(EncodedWord.decode("=?UTF-8?Q?a_b?= =?UTF-8?Q?c?=") == "a bc")
        #expect(EncodedWord.decode("plain text here") == "plain text here")
    }
}

@Suite struct BodyEncodingTests {
    @Test func quotedPrintableRoundTripsAndKeepsLinesShort() {
        let text = names.joined(separator: " = ") + "\ntrailing space \n" + String(repeating: "long ", count: 60)
        let qp = QuotedPrintable.encode(text)
        for line in qp.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 76, "\(line)") }
        #expect(String(decoding: QuotedPrintable.decode(qp), as: UTF8.self) == text.replacingAll("\n", "\r\n"))
    }

    @Test func base64RoundTrips() {
        for n in 0..<10 {
            let bytes = (0..<n * 37).map { UInt8($0 % 256) }
            #expect(Base64.decode(Base64.encodeLines(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("Man".utf8)) == "TWFu")
        #expect(Base64.encode(Array("Ma".utf8)) == "TWE=")
    }
}

@Suite struct ICalendarTests {
    func event(_ summary: String = "Visit: 한양대학교 delegation") -> CalendarEvent {
        CalendarEvent(uid: "delegation-del-1@liaison", sequence: 3, stamp: Date(timeIntervalSince1970: 1_800_000_000),
                      start: Date(timeIntervalSince1970: 1_773_277_200), end: Date(timeIntervalSince1970: 1_773_392_400), summary: summary,
                      location: "BIT, Beijing", description: "Day 1; welcome, tour\nDay 2: \\talks\\ " + names.joined(separator: "\n"),
                      organizer: Mailbox(name: "BIT International Office", address: "io@bit.example.cn"),
                      attendees: [Mailbox(name: "Kim \"Min\" Jun", address: "lz-ko@localhost")], status: "CONFIRMED")
    }

    @Test func foldsAt75OctetsWithoutSplittingCharacters() {
        let text = ICalendar.build(method: "REQUEST", event: event())
        #expect(text.hasSuffix("\r\n"))
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 75, "\(line)")
            #expect(String(validating: Array(line.utf8), as: UTF8.self) != nil)
        }
    }

    @Test func unfoldsBeforeACombiningMark() {
        // A fold right before a Thai vowel sign: the continuation's space and the mark are one
        // grapheme to Swift, so unfolding must work on bytes.
        let text = "DESCRIPTION:กระทรวงศึกษาธ\r\n ิการ\r\n"
        #expect(ICalendar.parse(text).first?.value == "กระทรวงศึกษาธิการ")
    }

    @Test func escapingRoundTripsACombiningMarkAfterANewline() {
        // Found by fuzzing: unescaping by Characters read "n" + mark as one and kept the backslash.
        let text = "\u{34B}\n\u{64B}\u{FFFD}"
        #expect(ICalendar.unescape(ICalendar.escape(text)) == text)
    }

    @Test func aValueStartingWithACombiningMarkIsKept() {
        // Found by fuzzing: the colon and the mark were one Character, so no colon was found.
        #expect(ICalendar.parse("SUMMARY:\u{307}x\r\n").first?.value == "\u{307}x")
        #expect(ICalendar.parse("ATTENDEE;CN=\u{307}A:mailto:a@b\r\n").first?.params["CN"] == "\u{307}A")
    }

    @Test func parsesBackTheSameFields() {
        let e = event()
        let props = ICalendar.parse(ICalendar.build(method: "CANCEL", event: e))
        func v(_ n: String) -> String? { props.first { $0.name == n }?.value }
        #expect(v("METHOD") == "CANCEL")
        #expect(v("UID") == e.uid)
        #expect(v("SEQUENCE") == "3")
        #expect(v("DTSTART") == "20260312T010000Z")
        #expect(v("SUMMARY").map(ICalendar.unescape) == e.summary)
        #expect(v("DESCRIPTION").map(ICalendar.unescape) == e.description)
        let attendee = props.first { $0.name == "ATTENDEE" }
        #expect(attendee?.value == "mailto:lz-ko@localhost")
        #expect(attendee?.params["CN"] == "Kim Min Jun", "quotes cannot appear in a parameter value")
        #expect(props.first { $0.name == "ORGANIZER" }?.value == "mailto:io@bit.example.cn")
    }
}

@Suite struct MessageBuilderTests {
    func message(to: Mailbox = Mailbox(name: names[0], address: "lz-th@localhost"), subject: String = "Schedule: " + names[2]) -> MailMessage {
        MailMessage(from: Mailbox(name: "BIT International Office 北京理工大学", address: "io@bit.example.cn"), to: [to],
                    replyTo: Mailbox(name: nil, address: "reply@bit.example.cn"), subject: subject, date: Date(timeIntervalSince1970: 1_800_000_000),
                    messageID: "liaison.abc123@liaison.example", text: "Hello " + names.joined(separator: "\n"), html: "<p>Hello</p>",
                    calendar: ("REQUEST", ICalendar.build(method: "REQUEST", event: ICalendarTests().event())))
    }

    @Test func buildsAMessageThatParsesBackExactly() throws {
        let m = message()
        let raw = try MessageBuilder.build(m, boundarySeed: "b1")
        let text = String(decoding: raw, as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 998)
            if line.contains("=?UTF-8?") { #expect(line.utf8.count <= 76, "\(line)") }
        }
        #expect(!text.replacingAll("\r\n", "").contains("\n"), "CRLF line endings only")
        let p = ParsedMessage.parse(raw)
        #expect(p.header("Subject") == m.subject)
        #expect(p.header("From") == "BIT International Office 北京理工大学 <io@bit.example.cn>")
        #expect(p.header("To") == "\(names[0]) <lz-th@localhost>")
        #expect(p.header("Message-ID") == "<liaison.abc123@liaison.example>")
        #expect(p.header("MIME-Version") == "1.0")
        #expect(p.header("Date") == "Fri, 15 Jan 2027 08:00:00 +0000")
        #expect(p.text("text/plain") == m.text)
        #expect(p.text("text/html") == "<p>Hello</p>")
        let cal = try #require(p.parts.first { $0.type == "text/calendar" })
        #expect(cal.params["method"] == "REQUEST")
        #expect(String(decoding: cal.body, as: UTF8.self) == m.calendar?.content)
        #expect(p.parts.contains { $0.type == "application/ics" && $0.disposition?.contains("invite.ics") == true })
        #expect(p.parts.map(\.type) == ["text/plain", "text/html", "text/calendar", "application/ics"])
    }

    @Test(arguments: ["Subject\r\nBcc: victim@example.com", "Name\nX-Injected: 1", "null\u{0}byte"])
    func refusesHeaderInjection(_ evil: String) {
        #expect(throws: MailError.self) { try MessageBuilder.build(message(subject: evil), boundarySeed: "x") }
        #expect(throws: MailError.self) { try MessageBuilder.build(message(to: Mailbox(name: evil, address: "lz-th@localhost")), boundarySeed: "x") }
    }

    @Test(arguments: ["-oQ/tmp/evil@localhost", "a b@localhost", "x@localhost\r\nBcc: y@z.org", "\"quoted\"@localhost", "<x@localhost>"])
    func refusesAddressesThatCouldReachSendmailAsArguments(_ evil: String) {
        #expect(throws: MailError.self) { try MessageBuilder.build(message(to: Mailbox(name: nil, address: evil)), boundarySeed: "x") }
    }

    @Test func quotesASCIIDisplayNames() throws {
        let m = Mailbox(name: "Li \"Wei\" \\ Office", address: "li@bit.example.cn")
        #expect(try m.rendered() == "\"Li \\\"Wei\\\" \\\\ Office\" <li@bit.example.cn>")
        #expect(try Mailbox.parse("BIT International Office <io@bit.example.cn>") == Mailbox(name: "BIT International Office", address: "io@bit.example.cn"))
        #expect(throws: MailError.self) { try Mailbox.parse("Evil <-f@x.org>") }
    }
}
