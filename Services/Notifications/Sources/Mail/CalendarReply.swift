import LiaisonAPI

/// An iTIP REPLY (RFC 5546 §3.2.3) read out of a mail: the address it comes from and, per
/// VEVENT, the invitation it answers (UID, SEQUENCE) and the attendee's answer. Calendars put
/// it in a `text/calendar; method=REPLY` part (Outlook, alone or beside a text part) or also
/// attach it as `application/ics` (Google Calendar, Thunderbird): the first part holding
/// METHOD:REPLY is read.
package struct CalendarReply {
    package struct Event {
        package let uid: String
        package let sequence: Int
        package let attendee: String
        /// ACCEPTED, DECLINED, TENTATIVE — or what else the calendar wrote (refused later).
        let partstat: String
    }

    /// The From header's address, lowercased.
    let from: String?
    let messageID: String?
    package let events: [Event]

    /// Why a mail is not a reply that can be read.
    package enum Problem: Error, Equatable {
        /// No calendar in it, or a calendar that is not a REPLY: someone's mail, an auto-reply.
        case notAReply(String)
        /// A REPLY whose events cannot be read.
        case malformed(String)
    }

    /// The deepest MIME nesting read (a real reply has two or three levels).
    static let maxDepth = 8

    package static func read(_ raw: [UInt8]) throws(Problem) -> CalendarReply {
        let message = ParsedMessage.parse(raw, maxDepth: maxDepth)
        let calendars = message.parts.filter { p in
            p.type == "text/calendar" || p.type == "application/ics" || p.type == "text/x-vcalendar"
        }
        guard !calendars.isEmpty else { throw .notAReply("the mail holds no calendar") }
        var chosen: [ICalendar.Property]? = nil
        for part in calendars {
            let props = ICalendar.parse(String(decoding: part.body, as: UTF8.self))
            let method = props.first { $0.name == "METHOD" }?.value.uppercased() ?? part.params["method"]?.uppercased()
            if method == "REPLY" { chosen = props; break }
        }
        guard let props = chosen else { throw .notAReply("its calendar is not a REPLY (an invitation or a notice)") }
        var events: [Event] = []
        var current: [ICalendar.Property]? = nil
        for p in props {
            if p.name == "BEGIN" && p.value.uppercased() == "VEVENT" { current = []; continue }
            if p.name == "END" && p.value.uppercased() == "VEVENT", let c = current {
                events.append(try event(c))
                current = nil
                continue
            }
            current?.append(p)
        }
        guard !events.isEmpty else { throw .malformed("the REPLY holds no VEVENT") }
        return CalendarReply(
            from: message.header("From").flatMap(Self.address),
            messageID: message.header("Message-ID"),
            events: events
        )
    }

    static func event(_ props: [ICalendar.Property]) throws(Problem) -> Event {
        guard let uid = props.first(where: { $0.name == "UID" })?.value, !uid.isEmpty else {
            throw .malformed("a VEVENT without UID")
        }
        // SEQUENCE is absent only when it is 0 (RFC 5546 §2.1.4); ours start at 1.
        let sequenceText = props.first { $0.name == "SEQUENCE" }?.value ?? "0"
        guard let sequence = Int(sequenceText.trimmingWhitespaceOnly()), sequence >= 0 else {
            throw .malformed("SEQUENCE \(sequenceText) is not a number")
        }
        let attendees = props.filter { $0.name == "ATTENDEE" }
        guard attendees.count == 1, let a = attendees.first else {
            throw .malformed("a REPLY names exactly one ATTENDEE, this one \(attendees.count)")
        }
        guard let address = address(a.value) else { throw .malformed("ATTENDEE \(a.value) is not a mailto: address") }
        return Event(
            uid: uid,
            sequence: sequence,
            attendee: address,
            partstat: a.params["PARTSTAT"]?.uppercased() ?? ""
        )
    }

    /// The address in `mailto:x@y`, `"Name" <x@y>` or `x@y`, lowercased; nil when there is none.
    static func address(_ text: String) -> String? {
        var s = Substring(text.trimmingWhitespaceOnly())
        if let open = s.lastIndex(of: "<"), let close = s.lastIndex(of: ">"), open < close {
            s = s[s.index(after: open)..<close]
        }
        if s.lowercased().hasPrefix("mailto:") { s = s.dropFirst(7) }
        let a = s.trimmingWhitespaceOnly().lowercased()
        guard let at = a.firstIndex(of: "@"), at != a.startIndex, a.index(after: at) != a.endIndex,
            !a.contains(where: { $0 == " " || $0 == "<" || $0 == ">" })
        else { return nil }
        return a
    }

    /// The answer a PARTSTAT stands for; nil for those Liaison does not take (DELEGATED, …).
    static func answer(_ partstat: String) -> Answer? {
        switch partstat {
        case "ACCEPTED": .accepted
        case "DECLINED": .declined
        case "TENTATIVE": .tentative
        default: nil
        }
    }
}
