import Foundation

/// One part of a message body.
package struct MailPart: Sendable, Equatable {
    /// e.g. `text/plain; charset=UTF-8`.
    package var contentType: String
    package var body: [UInt8]
    /// `quoted-printable` for text people read, `base64` otherwise.
    package var transferEncoding: String
    /// `attachment; filename=…` when set.
    package var disposition: String?

    package init(contentType: String, body: [UInt8], transferEncoding: String, disposition: String? = nil) {
        self.contentType = contentType
        self.body = body
        self.transferEncoding = transferEncoding
        self.disposition = disposition
    }
}

/// An email to build: headers and the parts of a visit schedule.
package struct MailMessage: Sendable, Equatable {
    package var from: Mailbox
    package var to: [Mailbox]
    package var replyTo: Mailbox?
    package var subject: String
    package var date: Date
    /// Without angle brackets: `liaison.…@host`.
    package var messageID: String
    /// text/plain and text/html, shown as alternatives.
    package var text, html: String
    /// `text/calendar` content with its METHOD (REQUEST or CANCEL), when there is an invitation.
    package var calendar: (method: String, content: String)?

    package static func == (a: MailMessage, b: MailMessage) -> Bool {
        a.from == b.from && a.to == b.to && a.subject == b.subject && a.messageID == b.messageID && a.text == b.text
            && a.html == b.html
            && a.calendar?.method == b.calendar?.method && a.calendar?.content == b.calendar?.content
    }

    package init(
        from: Mailbox,
        to: [Mailbox],
        replyTo: Mailbox? = nil,
        subject: String,
        date: Date,
        messageID: String,
        text: String,
        html: String,
        calendar: (method: String, content: String)? = nil
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.text = text
        self.html = html
        self.calendar = calendar
    }
}

/// Builds RFC 5322 / MIME messages. The structure, chosen for how mail clients recognise
/// invitations (Gmail, Outlook and Apple Mail show the accept/decline bar for a `text/calendar`
/// alternative; some only offer an attachment):
///
///     multipart/mixed
///       multipart/alternative
///         text/plain; charset=UTF-8        (quoted-printable)
///         text/html; charset=UTF-8         (quoted-printable)
///         text/calendar; method=REQUEST    (base64; the last alternative = the richest)
///       application/ics; name=invite.ics   (base64, attachment: the same calendar)
package enum MessageBuilder {
    /// The whole message, CRLF line endings, ready for sendmail's stdin.
    package static func build(_ m: MailMessage, boundarySeed: String) throws(MailError) -> [UInt8] {
        guard !m.to.isEmpty else { throw MailError("no recipients") }
        try Header.checkValue(m.messageID, field: "Message-ID")
        if m.messageID.contains(where: { $0 == "<" || $0 == ">" || $0 == " " }) {
            throw MailError("Message-ID \(m.messageID) has <, > or a space")
        }
        var h = ""
        h += Header.line("From", try m.from.rendered(firstLimit: Header.firstLimit("From")))
        var to: [String] = []
        for r in m.to { to.append(try r.rendered(firstLimit: to.isEmpty ? Header.firstLimit("To") : 75)) }
        h += Header.line("To", to.joined(separator: ", "))
        if let r = m.replyTo { h += Header.line("Reply-To", try r.rendered(firstLimit: Header.firstLimit("Reply-To"))) }
        h += Header.line("Subject", try Header.unstructured(m.subject, field: "Subject"))
        h += Header.line("Date", rfc5322Date(m.date))
        h += Header.line("Message-ID", "<\(m.messageID)>")
        h += "MIME-Version: 1.0\r\n"
        h += "Auto-Submitted: auto-generated\r\n"

        let alt = "alt-" + boundarySeed, mixed = "mix-" + boundarySeed
        var parts: [MailPart] = [
            MailPart(
                contentType: "text/plain; charset=UTF-8",
                body: Array(m.text.utf8),
                transferEncoding: "quoted-printable"
            ),
            MailPart(
                contentType: "text/html; charset=UTF-8",
                body: Array(m.html.utf8),
                transferEncoding: "quoted-printable"
            ),
        ]
        guard let cal = m.calendar else {
            h += "Content-Type: multipart/alternative; boundary=\"\(alt)\"\r\n\r\n"
            return Array((h + multipart(parts, boundary: alt)).utf8)
        }
        try Header.checkValue(cal.method, field: "calendar method")
        parts.append(
            MailPart(
                contentType: "text/calendar; method=\(cal.method); charset=UTF-8",
                body: Array(cal.content.utf8),
                transferEncoding: "base64"
            )
        )
        let attachment = MailPart(
            contentType: "application/ics; name=\"invite.ics\"",
            body: Array(cal.content.utf8),
            transferEncoding: "base64",
            disposition: "attachment; filename=\"invite.ics\""
        )
        h += "Content-Type: multipart/mixed; boundary=\"\(mixed)\"\r\n\r\n"
        var body = "This is a multi-part message in MIME format.\r\n"
        body += "--\(mixed)\r\nContent-Type: multipart/alternative; boundary=\"\(alt)\"\r\n\r\n"
        body += multipart(parts, boundary: alt)
        body += "\r\n--\(mixed)\r\n" + render(attachment) + "\r\n--\(mixed)--\r\n"
        return Array((h + body).utf8)
    }

    static func multipart(_ parts: [MailPart], boundary: String) -> String {
        var s = ""
        for p in parts { s += "--\(boundary)\r\n" + render(p) + "\r\n" }
        return s + "--\(boundary)--\r\n"
    }

    static func render(_ p: MailPart) -> String {
        var s = "Content-Type: \(p.contentType)\r\nContent-Transfer-Encoding: \(p.transferEncoding)\r\n"
        if let d = p.disposition { s += "Content-Disposition: \(d)\r\n" }
        s += "\r\n"
        switch p.transferEncoding {
        case "base64": s += Base64.encodeLines(p.body)
        default: s += QuotedPrintable.encode(String(decoding: p.body, as: UTF8.self))
        }
        return s
    }

    /// `Sun, 29 Nov 2026 04:05:00 +0000`.
    package static func rfc5322Date(_ d: Date) -> String {
        var t = time_t(d.timeIntervalSince1970)
        var tm = tm()
        gmtime_r(&t, &tm)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func p(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(days[Int(tm.tm_wday)]), \(p(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(tm.tm_year + 1900) "
            + "\(p(tm.tm_hour)):\(p(tm.tm_min)):\(p(tm.tm_sec)) +0000"
    }
}
