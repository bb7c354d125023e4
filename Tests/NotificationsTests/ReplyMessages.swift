import Foundation

/// Replies to an invitation as three calendars write them (structure after RFC 5546 §3.2.3 and
/// what Google Calendar, Outlook/Exchange and Thunderbird send; the messages are our own).
enum ReplyMessages {
    static func vcalendar(
        prodid: String, uid: String, sequence: Int, attendee: String, extra: [String], method: String = "REPLY"
    ) -> String {
        (["BEGIN:VCALENDAR", "PRODID:\(prodid)", "VERSION:2.0", "METHOD:\(method)", "BEGIN:VEVENT"] + extra
            + ["UID:\(uid)", "SEQUENCE:\(sequence)", attendee, "END:VEVENT", "END:VCALENDAR"]).joined(separator: "\r\n")
            + "\r\n"
    }

    static func base64Lines(_ s: String) -> String {
        let b = Data(s.utf8).base64EncodedString()
        return stride(from: 0, to: b.count, by: 76).map { i in
            let start = b.index(b.startIndex, offsetBy: i)
            return String(b[start..<b.index(start, offsetBy: min(76, b.count - i))])
        }.joined(separator: "\r\n")
    }

    /// Google Calendar: mixed(alternative(text, html, calendar), invite.ics attachment).
    static func google(
        from: String, name: String, uid: String, sequence: Int, partstat: String, method: String = "REPLY"
    ) -> String {
        let cal = vcalendar(
            prodid: "-//Google Inc//Google Calendar 70.9054//EN", uid: uid, sequence: sequence,
            attendee: "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=\(partstat);CN=\(name);X-NUM-GUESTS=0:mailto:\(from)",
            extra: ["DTSTART:20270312T010000Z", "DTEND:20270312T023000Z", "DTSTAMP:20270301T080000Z",
                    "ORGANIZER;CN=BIT International Office:mailto:io@bit.example.cn", "STATUS:CONFIRMED", "SUMMARY:Welcome meeting"],
            method: method)
        return """
            Received: from mail-sor-f41.google.com\r
            MIME-Version: 1.0\r
            From: \(name) <\(from)>\r
            Date: Mon, 1 Mar 2027 08:00:00 +0000\r
            Message-ID: <0000000000001a2b3c@google.com>\r
            Subject: Accepted: Welcome meeting @ Fri 12 Mar 2027 09:00 - 10:30 (CST) (io@bit.example.cn)\r
            To: io@bit.example.cn\r
            Content-Type: multipart/mixed; boundary="000000000000mixed"\r
            \r
            --000000000000mixed\r
            Content-Type: multipart/alternative; boundary="000000000000alt"\r
            \r
            --000000000000alt\r
            Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes\r
            \r
            \(name) has replied to this invitation.\r
            --000000000000alt\r
            Content-Type: text/html; charset="UTF-8"\r
            Content-Transfer-Encoding: quoted-printable\r
            \r
            <p>\(name) has replied to this invitation.</p>\r
            --000000000000alt\r
            Content-Type: text/calendar; charset="UTF-8"; method=\(method)\r
            Content-Transfer-Encoding: 7bit\r
            \r
            \(cal)\r
            --000000000000alt--\r
            --000000000000mixed\r
            Content-Type: application/ics; name="invite.ics"\r
            Content-Disposition: attachment; filename="invite.ics"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64Lines(cal))\r
            --000000000000mixed--\r

            """
    }

    /// Outlook / Exchange: alternative(text, calendar in base64), MAILTO in capitals, a time zone.
    static func outlook(from: String, name: String, uid: String, sequence: Int, partstat: String) -> String {
        let cal = vcalendar(
            prodid: "Microsoft Exchange Server 2010", uid: uid, sequence: sequence,
            attendee: "ATTENDEE;PARTSTAT=\(partstat);CN=\"\(name)\":MAILTO:\(from.uppercased())",
            extra: ["COMMENT;LANGUAGE=en-US:Sorry\\, I cannot come.\\n", "SUMMARY;LANGUAGE=en-US:Declined: Welcome meeting",
                    "DTSTART;TZID=China Standard Time:20270312T090000", "DTEND;TZID=China Standard Time:20270312T103000",
                    "CLASS:PUBLIC", "PRIORITY:5", "DTSTAMP:20270301T080000Z", "TRANSP:OPAQUE", "STATUS:CONFIRMED",
                    "X-MICROSOFT-CDO-APPT-SEQUENCE:\(sequence)", "X-MICROSOFT-CDO-BUSYSTATUS:BUSY"])
        let withZone = cal.replacingOccurrences(
            of: "METHOD:REPLY\r\n",
            with: "METHOD:REPLY\r\nBEGIN:VTIMEZONE\r\nTZID:China Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
                + "TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n")
        return """
            From: "\(name)" <\(from)>\r
            To: "BIT International Office" <io@bit.example.cn>\r
            Subject: Declined: Welcome meeting\r
            Thread-Topic: Welcome meeting\r
            Date: Mon, 1 Mar 2027 08:00:00 +0000\r
            Message-ID: <SG2PR01MB1234ABCD@SG2PR01MB1234.apcprd01.prod.exchangelabs.com>\r
            Content-Language: ko-KR\r
            MIME-Version: 1.0\r
            Content-Type: multipart/alternative;\r
            \tboundary="_000_SG2PR01MB1234ABCD_"\r
            \r
            --_000_SG2PR01MB1234ABCD_\r
            Content-Type: text/plain; charset="utf-8"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64Lines("Sorry, I cannot come."))\r
            \r
            --_000_SG2PR01MB1234ABCD_\r
            Content-Type: text/calendar; charset="utf-8"; method=REPLY\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64Lines(withZone))\r
            \r
            --_000_SG2PR01MB1234ABCD_--\r

            """
    }

    /// Thunderbird: mixed(text, calendar in 8bit, invite.ics attachment).
    static func thunderbird(from: String, name: String, uid: String, sequence: Int, partstat: String) -> String {
        let cal = vcalendar(
            prodid: "-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN", uid: uid, sequence: sequence,
            attendee: "ATTENDEE;CN=\(name);PARTSTAT=\(partstat);ROLE=REQ-PARTICIPANT:mailto:\(from)",
            extra: ["CREATED:20270301T075900Z", "LAST-MODIFIED:20270301T080000Z", "DTSTAMP:20270301T080000Z",
                    "SUMMARY:Welcome meeting — Thailand Ministry of Education delegation",
                    "ORGANIZER;CN=BIT International Office:mailto:io@bit.example.cn", "DTSTART:20270312T010000Z",
                    "DTEND:20270312T023000Z"])
        return """
            Message-ID: <5f1e2d3c-aaaa-bbbb-cccc-1234567890ab@example.org>\r
            Date: Mon, 1 Mar 2027 16:00:00 +0800\r
            MIME-Version: 1.0\r
            User-Agent: Mozilla Thunderbird\r
            From: \(name) <\(from)>\r
            To: io@bit.example.cn\r
            Subject: =?UTF-8?B?\(Data("Tentative: Welcome meeting".utf8).base64EncodedString())?=\r
            Content-Type: multipart/mixed; boundary="------------tb0123"\r
            \r
            This is a multi-part message in MIME format.\r
            --------------tb0123\r
            Content-Type: text/plain; charset=UTF-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            \(name) has accepted tentatively.\r
            --------------tb0123\r
            Content-Type: text/calendar; charset=UTF-8; method=REPLY\r
            Content-Transfer-Encoding: 8bit\r
            \r
            \(cal)\r
            --------------tb0123\r
            Content-Type: application/ics; name="invite.ics"\r
            Content-Disposition: attachment; filename="invite.ics"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(base64Lines(cal))\r
            --------------tb0123--\r

            """
    }
}
