import Glibc
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// How mail leaves the service.
package enum MailTransport: Sendable, Equatable {
    /// Run `path -i -f <bounce> -- <recipient>` with the message on stdin.
    case sendmail(path: String)
    /// Write each message as `<dir>/<message-id>.eml`.
    case file(dir: String)
}

/// The notifications service's settings: `settings.mail` and `settings.rules` in the mesh file.
package struct NotificationsSettings: Sendable {
    package var transport: MailTransport
    /// True when the file transport was chosen because no sendmail exists (said loudly at start).
    package var fellBackToFile = false
    package var from: Mailbox
    package var bounce: String
    /// The invitations' ORGANIZER: where calendars send their answers (the MTA pipes that address
    /// to `liaison mail receive`). Default: `from`.
    package var organizer: Mailbox
    package var replyTo: Mailbox?
    package var timeoutMs = 30_000
    package var concurrency = 4
    package var maxAttempts = 10
    package var maxAgeMs: Int64 = 2 * 24 * 3600 * 1000
    package var retryBaseMs = 2000
    package var retryCapMs = 600_000
    /// The right-hand side of Message-IDs and calendar UIDs: the From address's domain unless the
    /// settings name one.
    package var messageIDDomain = "liaison.localhost"
    /// The mail ledger (default: the data directory's sent-ledger.jsonl; on another disk it
    /// survives the database's), and how long it keeps a hand-over.
    package var ledger: String?
    package var ledgerKeepMs: Int64 = 8 * 24 * 3600 * 1000
    /// Rules: which events send mail, and reminder lead times in days.
    package var sendSchedules = true
    package var sendUpdates = true
    package var sendCancellations = true
    package var reminderDays: [Int] = [7, 1]
    package var agreementNotices = true
    /// Also write agreement notices to the partners' contacts (not only BIT's coordinator).
    package var agreementPartnerContacts = false
    /// Changes of a confirmed visit are held this long and mailed as one update per person
    /// (`mail.coalesce_s`; 0 mails each change at once).
    package var coalesceMs: Int64 = 30_000
    /// At most this many mails an hour to one address, and of one visit (`mail.per_recipient_per_hour`,
    /// `mail.per_visit_per_hour`; 0: no limit); the rest wait their turn.
    package var perRecipientPerHour = 60
    package var perVisitPerHour = 2_000
    /// A message over this size is built again in its short form (notes cut, lists summed up, no
    /// HTML part), and refused (dead, with the reason) if that is still over (`mail.max_message_kb`).
    package var maxMessageBytes = 1024 * 1024
    /// Recipients rendered per transaction: a large visit is queued in pieces this size.
    package var pieceSize = 16

    /// Reads the settings; `home` is the mesh's home (the file transport writes under it).
    package static func from(_ settings: JSONValue, home: String) throws -> NotificationsSettings {
        let mail = settings["mail"] ?? .object([:])
        let rules = settings["rules"] ?? .object([:])
        func str(_ v: JSONValue, _ k: String, _ path: String) throws -> String? {
            guard let x = v[k] else { return nil }
            guard case .string(let s) = x else { throw MeshError("settings.\(path).\(k): expected a string") }
            return s
        }
        func int(_ v: JSONValue, _ k: String, _ path: String, _ range: ClosedRange<Int64>) throws -> Int64? {
            guard let x = v[k] else { return nil }
            guard let i = x.intValue, range.contains(i) else {
                throw MeshError(
                    "settings.\(path).\(k): expected an integer from \(range.lowerBound) to \(range.upperBound)"
                )
            }
            return i
        }
        func bool(_ v: JSONValue, _ k: String, _ path: String) throws -> Bool? {
            guard let x = v[k] else { return nil }
            guard let b = x.boolValue else { throw MeshError("settings.\(path).\(k): expected true or false") }
            return b
        }
        let fromText = try str(mail, "from", "mail") ?? "BIT International Office <international-office@localhost>"
        let from: Mailbox
        do { from = try Mailbox.parse(fromText) } catch { throw MeshError("settings.mail.from: \(error)") }
        var s = NotificationsSettings(
            transport: .file(dir: home + "/mail"),
            from: from,
            bounce: from.address,
            organizer: from
        )
        // Message-IDs and calendar UIDs are ours when they carry the From address's domain.
        if let at = from.address.lastIndex(of: "@") {
            s.messageIDDomain = String(from.address[from.address.index(after: at)...]).lowercased()
        }
        if let b = try str(mail, "bounce", "mail") {
            if let why = EmailAddress.problem(b) { throw MeshError("settings.mail.bounce: \(why)") }
            s.bounce = b
        }
        if let o = try str(mail, "organizer", "mail") {
            do {
                let m = try Mailbox.parse(o)
                s.organizer = Mailbox(name: m.name ?? from.name, address: m.address)
            } catch { throw MeshError("settings.mail.organizer: \(error)") }
        }
        if let r = try str(mail, "reply_to", "mail") {
            do { s.replyTo = try Mailbox.parse(r) } catch { throw MeshError("settings.mail.reply_to: \(error)") }
        }
        let path = try str(mail, "sendmail_path", "mail") ?? "/usr/sbin/sendmail"
        switch try str(mail, "transport", "mail") {
        case "sendmail"?: s.transport = .sendmail(path: path)
        case "file"?: s.transport = .file(dir: try str(mail, "dir", "mail") ?? home + "/mail")
        case nil:
            if access(path, X_OK) == 0 {
                s.transport = .sendmail(path: path)
            } else {
                s.transport = .file(dir: try str(mail, "dir", "mail") ?? home + "/mail")
                s.fellBackToFile = true
            }
        case let other?: throw MeshError("settings.mail.transport: \"\(other)\" is not sendmail or file")
        }
        if let v = try int(mail, "timeout_ms", "mail", 100...3_600_000) { s.timeoutMs = Int(v) }
        if let v = try int(mail, "concurrency", "mail", 1...64) { s.concurrency = Int(v) }
        if let v = try int(mail, "max_attempts", "mail", 1...1000) { s.maxAttempts = Int(v) }
        if let v = try int(mail, "max_age_s", "mail", 60...31_536_000) { s.maxAgeMs = v * 1000 }
        if let v = try int(mail, "retry_base_ms", "mail", 1...3_600_000) { s.retryBaseMs = Int(v) }
        if let v = try int(mail, "retry_cap_ms", "mail", 1...86_400_000) { s.retryCapMs = Int(v) }
        if let v = try int(mail, "coalesce_s", "mail", 0...3600) { s.coalesceMs = v * 1000 }
        if let v = try int(mail, "per_recipient_per_hour", "mail", 0...100_000) { s.perRecipientPerHour = Int(v) }
        if let v = try int(mail, "per_visit_per_hour", "mail", 0...1_000_000) { s.perVisitPerHour = Int(v) }
        if let v = try int(mail, "max_message_kb", "mail", 64...65_536) { s.maxMessageBytes = Int(v) * 1024 }
        if let v = try int(mail, "piece_size", "mail", 1...1000) { s.pieceSize = Int(v) }
        if let l = try str(mail, "ledger", "mail") { s.ledger = l.hasPrefix("/") ? l : home + "/" + l }
        if let v = try int(mail, "ledger_keep_s", "mail", 3600...31_536_000) { s.ledgerKeepMs = v * 1000 }
        if let d = try str(mail, "message_id_domain", "mail") {
            guard !d.isEmpty,
                d.utf8.allSatisfy({
                    ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2E
                        || $0 == 0x2D
                })
            else {
                throw MeshError("settings.mail.message_id_domain: letters, digits, dots and hyphens only")
            }
            s.messageIDDomain = d
        }
        if let b = try bool(rules, "schedule", "rules") { s.sendSchedules = b }
        if let b = try bool(rules, "reschedule", "rules") { s.sendUpdates = b }
        if let b = try bool(rules, "cancel", "rules") { s.sendCancellations = b }
        if let b = try bool(rules, "agreements", "rules") { s.agreementNotices = b }
        if let b = try bool(rules, "agreement_partner_contacts", "rules") { s.agreementPartnerContacts = b }
        if let days = rules["reminder_days"] {
            guard case .array(let a) = days, a.allSatisfy({ ($0.intValue ?? 0) >= 1 && ($0.intValue ?? 0) <= 365 })
            else {
                throw MeshError(
                    "settings.rules.reminder_days: expected a list of whole days from 1 to 365, e.g. [7, 1]"
                )
            }
            s.reminderDays = Array(Set(a.compactMap { $0.intValue.map(Int.init) })).sorted(by: >)
        }
        return s
    }

    /// The delay before attempt `n + 1` after `n` failures, jittered by ±20 %.
    package func retryDelayMs(afterAttempt n: Int) -> Int64 {
        let base = min(Double(retryBaseMs) * Double(1 << min(max(n - 1, 0), 20)), Double(retryCapMs))
        return Int64(base * Double.random(in: 0.8...1.2))
    }
}
