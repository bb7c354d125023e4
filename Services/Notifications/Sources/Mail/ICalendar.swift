import Foundation

/// iCalendar (RFC 5545) objects for iTIP (RFC 5546) invitations: one VEVENT per session the
/// recipient attends, each with a UID stable for the session's life and its own SEQUENCE (the
/// item's revision), times in UTC — so a moved session updates one calendar entry and a removed
/// one is cancelled alone.
///
/// Several VEVENTs with different UIDs in one METHOD:REQUEST object is how calendars import a
/// programme (Thunderbird, Apple Calendar, Google Calendar's import); iTIP strictly speaks of one
/// UID per message, and some Outlook versions act on the first event only — the mail's text
/// lists every session either way.
package struct CalendarEvent: Sendable, Equatable {
    package var uid: String
    package var sequence: Int
    package var stamp, start, end: Date
    package var summary: String
    package var location: String?
    package var description: String
    package var organizer: Mailbox
    package var attendees: [Mailbox]
    /// CONFIRMED or CANCELLED.
    package var status: String
    /// The language of the attendees' names and of the mail the invitation comes with (RFC 5545
    /// LANGUAGE on ATTENDEE), when known.
    package var attendeeLanguage: String?
    /// Whether the attendee is asked to answer (RSVP=TRUE): invitations yes, cancellations no.
    package var rsvp = false

    package init(
        uid: String,
        sequence: Int,
        stamp: Date,
        start: Date,
        end: Date,
        summary: String,
        location: String?,
        description: String,
        organizer: Mailbox,
        attendees: [Mailbox],
        status: String,
        attendeeLanguage: String? = nil,
        rsvp: Bool = false
    ) {
        self.rsvp = rsvp
        self.attendeeLanguage = attendeeLanguage
        self.uid = uid
        self.sequence = sequence
        self.stamp = stamp
        self.start = start
        self.end = end
        self.summary = summary
        self.location = location
        self.description = description
        self.organizer = organizer
        self.attendees = attendees
        self.status = status
    }
}

package enum ICalendar {
    /// The VCALENDAR text (CRLF lines, folded at 75 octets) for `method` REQUEST or CANCEL.
    package static func build(method: String, event e: CalendarEvent) -> String { build(method: method, events: [e]) }

    /// The VCALENDAR text holding every event of `events`.
    package static func build(method: String, events: [CalendarEvent]) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "PRODID:-//Liaison//BIT International Office//EN", "VERSION:2.0", "CALSCALE:GREGORIAN",
            "METHOD:\(method)",
        ]
        for e in events { lines += vevent(e) }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    static func vevent(_ e: CalendarEvent) -> [String] {
        var lines = [
            "BEGIN:VEVENT",
            "UID:\(escape(e.uid))", "SEQUENCE:\(e.sequence)", "DTSTAMP:\(utc(e.stamp))", "DTSTART:\(utc(e.start))",
            "DTEND:\(utc(e.end))",
            "SUMMARY:\(escape(e.summary))",
        ]
        if let l = e.location { lines.append("LOCATION:\(escape(l))") }
        lines.append("DESCRIPTION:\(escape(e.description))")
        lines.append("ORGANIZER\(cn(e.organizer.name)):mailto:\(e.organizer.address)")
        for a in e.attendees {
            let language = e.attendeeLanguage.map { ";LANGUAGE=\($0)" } ?? ""
            let rsvp = e.rsvp ? "TRUE" : "FALSE"
            lines.append(
                "ATTENDEE\(language)\(cn(a.name));ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=\(rsvp)"
                    + ":mailto:\(a.address)"
            )
        }
        lines.append("STATUS:\(e.status)")
        lines.append("TRANSP:OPAQUE")
        lines.append("END:VEVENT")
        return lines
    }

    /// `;CN="Name"` (quotes and control characters removed, as parameter values cannot hold them).
    static func cn(_ name: String?) -> String {
        guard let name, !name.isEmpty else { return "" }
        let clean = String(
            name.unicodeScalars.filter { $0 != "\"" && $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init)
        )
        return ";CN=\"\(clean)\""
    }

    /// TEXT escaping (RFC 5545 §3.3.11).
    package static func escape(_ s: String) -> String {
        var out = ""
        for c in s.replacingCRLF().unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            default: if c.value >= 0x20 || c == "\t" { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// Undoes `escape`. By scalars, not characters: a combining mark after `\n` must not join
    /// the `n` (found by fuzzing).
    package static func unescape(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var it = s.unicodeScalars.makeIterator()
        while let c = it.next() {
            guard c == "\\", let n = it.next() else { out.append(c); continue }
            out.append(n == "n" || n == "N" ? "\n" : n)
        }
        return String(out)
    }

    /// Folds a content line at 75 octets without splitting a UTF-8 character.
    package static func fold(_ line: String) -> String {
        let b = Array(line.utf8)
        guard b.count > 75 else { return line }
        var out = [UInt8](), i = 0, limit = 75
        while i < b.count {
            var end = min(i + limit, b.count)
            while end < b.count && end > i && (b[end] & 0xC0) == 0x80 { end -= 1 }  // back off to a character start
            if !out.isEmpty { out += [0x0D, 0x0A, 0x20] }
            out += b[i..<end]
            i = end
            limit = 74  // continuation lines start with a space
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `20260312T010000Z`.
    package static func utc(_ d: Date) -> String {
        var t = time_t(d.timeIntervalSince1970)
        var tm = tm()
        gmtime_r(&t, &tm)
        func p(_ v: Int32, _ w: Int = 2) -> String {
            String(repeating: "0", count: max(0, w - String(v).count)) + String(v)
        }
        let day = "\(p(tm.tm_year + 1900, 4))\(p(tm.tm_mon + 1))\(p(tm.tm_mday))"
        return "\(day)T\(p(tm.tm_hour))\(p(tm.tm_min))\(p(tm.tm_sec))Z"
    }

    /// A parsed content line.
    package struct Property: Sendable, Equatable {
        package var name: String
        package var params: [String: String]
        package var value: String
    }

    /// Unfolds and splits a calendar into its properties, in order.
    package static func parse(_ text: String) -> [Property] {
        let unfolded = text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false)
        var lines: [String] = []
        for l in unfolded {
            // Bytes, not Characters: a fold can fall before a combining mark, which would join the
            // leading space into one grapheme with it.
            if let first = l.utf8.first, first == 0x20 || first == 0x09, !lines.isEmpty {
                lines[lines.count - 1] += String(decoding: l.utf8.dropFirst(), as: UTF8.self)
            } else if !l.isEmpty {
                lines.append(String(l))
            }
        }
        // Bytes again: a value starting with a combining mark would join the colon into one
        // grapheme with it, and the property would be lost (found by fuzzing).
        return lines.compactMap { line in
            let bytes = Array(line.utf8)
            var inQuotes = false
            guard
                let colon = bytes.firstIndex(where: { b in
                    if b == 0x22 { inQuotes.toggle() }
                    return b == 0x3A && !inQuotes
                })
            else { return nil }
            func text(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
            let head = bytes[..<colon].split(separator: 0x3B, omittingEmptySubsequences: true)
            var params: [String: String] = [:]
            for p in head.dropFirst() {
                let kv = p.split(separator: 0x3D, maxSplits: 1)
                if kv.count == 2 {
                    params[text(kv[0]).uppercased()] = text(kv[1]).trimmingCharacters(
                        in: CharacterSet(charactersIn: "\"")
                    )
                }
            }
            return Property(
                name: text(head.first ?? []).uppercased(),
                params: params,
                value: text(bytes[(colon + 1)...])
            )
        }
    }
}
