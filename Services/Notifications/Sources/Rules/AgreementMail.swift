import Foundation
import LiaisonModels
import LiaisonRuntime
import LiaisonStore
import LiaisonWire

/// Agreement notices: signed, expiring (at each lead time), expired — to BIT's coordinator, and
/// to the partners' contacts when the rules say so. Same builder, keys and transport as visits.
extension NotificationRules {
    func applyAgreement(_ event: CloudEvent, _ db: Database) throws -> Bool {
        guard ["agreement.signed", "agreement.expiring", "agreement.expired"].contains(event.type) else { return false }
        let a: Agreement
        do { a = try JSONDecoding.decode(Agreement.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(field: error.path, "not an agreement this service understands: \(error.reason)")
        }
        var recipients = [Recipient(name: a.draft.coordinator.name, nameLocal: nil, address: a.draft.coordinator.email, view: .host)]
        if settings.agreementPartnerContacts {
            for p in a.draft.partners {
                if let e = p.contactEmail, !recipients.contains(where: { $0.address.lowercased() == e.lowercased() }) {
                    recipients.append(Recipient(name: p.contactName ?? p.name, nameLocal: nil, address: e, view: .member))
                }
            }
        }
        let lead = event.data["lead_days"]?.intValue
        let left = event.data["days_left"]?.intValue
        let kind = event.type.split(separator: ".").last.map(String.init) ?? event.type
        var n = 0
        for r in recipients {
            let key = "agreement-\(kind):\(a.id):\(r.address.lowercased()):\(lead.map { "\($0):" } ?? "")\(a.draft.endsOn?.description ?? "open")"
            n += try queueAgreement(kind, a, r, leadDays: lead.map(Int.init), daysLeft: left.map(Int.init), key: key, db)
        }
        return n > 0
    }

    func queueAgreement(_ kind: String, _ a: Agreement, _ r: Recipient, leadDays: Int?, daysLeft: Int?, key: String, _ db: Database) throws -> Int {
        if try db.queryOne("SELECT 1 FROM messages WHERE idem_key = ?", [key]) != nil { return 0 }
        let t = now()
        let partners = a.draft.partners.map { p in p.nameLocal.map { "\(p.name) (\($0))" } ?? p.name }.joined(separator: ", ")
        let subject: String
        var intro: String
        switch kind {
        case "signed":
            subject = "Agreement signed: \(a.draft.title) (\(a.currentReference))"
            intro = "The agreement \(a.currentReference) with \(partners) has been signed" + (a.draft.signedOn.map { " on \($0)" } ?? "") + "."
        case "expiring":
            let days = daysLeft ?? leadDays ?? 0
            subject = "Agreement ending in \(days) day\(days == 1 ? "" : "s"): \(a.draft.title) (\(a.currentReference))"
            intro = "The agreement \(a.currentReference) with \(partners) ends on \(a.draft.endsOn?.description ?? "?"), in \(days) day\(days == 1 ? "" : "s")."
            if a.draft.autoRenew { intro += " It renews automatically unless it is terminated." } else if let notice = a.draft.noticePeriodDays, let end = a.draft.endsOn {
                intro += " Its notice period is \(notice) days: decide about renewal by \(end.adding(days: -notice))."
            } else {
                intro += " Renew it (liaison agreement renew) if the cooperation goes on."
            }
        default:
            subject = "Agreement expired: \(a.draft.title) (\(a.currentReference))"
            intro = "The agreement \(a.currentReference) with \(partners) expired on \(a.draft.endsOn?.description ?? "?")."
        }
        var lines = ["Dear \(r.displayName),", "", intro, "", "Agreement: \(a.draft.title)", "Reference: \(a.currentReference)", "Kind:      \(a.draft.kind.rawValue)",
                     "Partners:  \(partners)"]
        if let s = a.draft.startsOn { lines.append("Term:      \(s) – \(a.draft.endsOn?.description ?? "open-ended")") }
        if !a.draft.focusAreas.isEmpty { lines.append("Focus:     \(a.draft.focusAreas.joined(separator: ", "))") }
        lines += ["", "With kind regards,", settings.from.name ?? "International Office", "Beijing Institute of Technology"]
        let messageID = "liaison.\(IDs.make("m").dropFirst(2))@\(settings.messageIDDomain)"
        let mail = MailMessage(from: settings.from, to: [r.mailbox], replyTo: settings.replyTo, subject: subject, date: Date(timeIntervalSince1970: Double(t) / 1000),
                               messageID: messageID, text: lines.joined(separator: "\n") + "\n", html: ScheduleRenderer.html(title: subject, lines: lines))
        var raw: [UInt8]? = nil
        var status = "pending"
        var lastError: String? = nil
        do { raw = try MessageBuilder.build(mail, boundarySeed: String(messageID.prefix(24))) } catch {
            status = "dead"
            lastError = "not built: \(error)"
        }
        try db.run("""
            INSERT INTO messages(idem_key, rule, subject_id, subject_ref, recipient, recipient_name, view, version, status, message_id, subject, raw,
                last_error, created_ms, updated_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """, [key, "agreement_\(kind)", a.id, a.currentReference, r.address, r.displayName, r.view == .host ? "coordinator" : "partner",
                  leadDays ?? a.version, status, messageID, subject, raw.map { SQLValue.blob($0) } ?? .null, lastError, t, t])
        return status == "pending" ? 1 : 0
    }
}
