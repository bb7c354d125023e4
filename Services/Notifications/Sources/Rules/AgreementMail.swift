import LiaisonHost
import LiaisonAPI
import Foundation
import LiaisonModels
import LiaisonLocale
import LiaisonEvents
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// Agreement notices: signed, expiring (at each lead time), expired — to BIT's coordinator, and
/// to the partners' contacts when the rules say so. Same builder, keys and transport as visits.
extension NotificationRules {
    func applyAgreement(_ event: CloudEvent, _ db: Database) throws -> Bool {
        guard let type = event.eventType,
            [.agreementSigned, .agreementExpiring, .agreementExpired].contains(type)
        else {
            return false
        }
        let a: Agreement
        do { a = try JSONDecoding.decode(Agreement.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(
                field: error.path,
                "not an agreement this service understands: \(error.reason)"
            )
        }
        let recipients = agreementRecipients(a)
        let lead = event.data["lead_days"]?.intValue
        let left = event.data["days_left"]?.intValue
        let kind = type.action
        var n = 0
        for r in recipients {
            let leadKey = lead.map { "\($0):" } ?? ""
            let key =
                "agreement-\(kind):\(a.id):\(r.address.lowercased()):\(leadKey)\(a.draft.endsOn?.description ?? "open")"
            n += try queueAgreement(
                kind,
                a,
                r,
                leadDays: lead.map(Int.init),
                daysLeft: left.map(Int.init),
                key: key,
                db
            )
        }
        return n > 0
    }

    /// Who an agreement's notices go to: the coordinator, and the partners' contacts when the
    /// rules say so.
    func agreementRecipients(_ a: Agreement) -> [Recipient] {
        // A record of the past may have no coordinator's address (its notices have none to go to).
        var recipients =
            a.draft.coordinator.email.map {
                [Recipient(name: a.draft.coordinator.name, nameLocal: nil, address: $0, view: .host)]
            }
            ?? []
        if settings.agreementPartnerContacts {
            for p in a.draft.partners {
                if let e = p.contactEmail, !recipients.contains(where: { $0.address.lowercased() == e.lowercased() }) {
                    recipients.append(
                        Recipient(name: p.contactName ?? p.name ?? "", nameLocal: nil, address: e, view: .member)
                    )
                }
            }
        }
        return recipients
    }

    /// The notices `rule` (agreement_signed, _expiring, _expired; default: what the agreement's
    /// state calls for) would send now, rendered, nothing queued.
    func previewAgreement(_ a: Agreement, rule: String?) throws -> Preview {
        let kind: String
        switch rule {
        case nil:
            kind =
                a.status == .expired
                ? "expired"
                : a.status == .signed || a.status == .active
                    ? (a.draft.endsOn == nil ? "signed" : "expiring") : "signed"
        case let r? where r.hasPrefix("agreement_"): kind = String(r.dropFirst("agreement_".count))
        case let r?:
            throw ServiceError.invalidParams(
                field: "rule",
                "\(r) is a visit's message: give one of "
                    + "\(MessageRule.allCases.filter(\.isAgreementNotice).map(\.rawValue))"
            )
        }
        let left = a.draft.endsOn?.exactDay.map { LocalDate.utc(millis: now()).days(until: $0) }
        let messages = agreementRecipients(a).map { r in
            let (subject, lines) = renderAgreement(kind, a, r, leadDays: nil, daysLeft: left)
            return Preview.Message(
                to: "\(r.displayName) <\(r.address)>",
                view: r.view == .host ? "coordinator" : "partner",
                subject: subject,
                text: lines.joined(separator: "\n") + "\n",
                calendar: nil,
                size: nil,
                refused: nil
            )
        }
        return Preview(
            rule: MessageRule(rawValue: "agreement_\(kind)") ?? .agreementSigned,
            subjectID: a.id,
            messages: messages
        )
    }

    func queueAgreement(
        _ kind: String,
        _ a: Agreement,
        _ r: Recipient,
        leadDays: Int?,
        daysLeft: Int?,
        key: String,
        _ db: Database
    ) throws -> Int {
        if try NotificationsTables.exists(db, key: key) { return 0 }
        let t = now()
        let (subject, lines) = renderAgreement(kind, a, r, leadDays: leadDays, daysLeft: daysLeft)
        let text = lines.joined(separator: "\n") + "\n"
        return try insertMessage(
            key: key,
            rule: "agreement_\(kind)",
            subjectID: a.id,
            subjectRef: a.currentReference,
            recipient: r,
            view: r.view == .host ? "coordinator" : "partner",
            version: leadDays ?? a.version,
            at: t,
            db
        ) { messageID, _ in
            MailMessage(
                from: settings.from,
                to: [r.mailbox],
                replyTo: settings.replyTo,
                subject: subject,
                date: Date(timeIntervalSince1970: Double(t) / 1000),
                messageID: messageID,
                text: text,
                html: MailBody.html(title: subject, [MailBody(subject: subject, lines: lines, t: .english)])
            )
        }
    }

    /// The subject and the lines of an agreement notice.
    func renderAgreement(
        _ kind: String,
        _ a: Agreement,
        _ r: Recipient,
        leadDays: Int?,
        daysLeft: Int?
    ) -> (String, [String]) {
        let partners = a.draft.partners.map(\.label).joined(separator: ", ")
        let subject: String
        var intro: String
        switch kind {
        case "signed":
            subject = "Agreement signed: \(a.draft.title) (\(a.currentReference))"
            intro =
                "The agreement \(a.currentReference) with \(partners) has been signed"
                + (a.draft.signedOn.map { " on \($0.display)" } ?? "") + "."
        case "expiring":
            let days = daysLeft ?? leadDays ?? 0
            subject = "Agreement ending in \(days) day\(days == 1 ? "" : "s"): \(a.draft.title) (\(a.currentReference))"
            intro =
                "The agreement \(a.currentReference) with \(partners) ends on \(a.draft.endsOn?.display ?? "?"), in "
                + "\(days) "
                + "day\(days == 1 ? "" : "s")."
            if a.draft.autoRenew {
                intro += " It renews automatically unless it is terminated."
            } else if let notice = a.draft.noticePeriodDays, let end = a.draft.endsOn?.exactDay {
                intro += " Its notice period is \(notice) days: decide about renewal by \(end.adding(days: -notice))."
            } else {
                intro += " Renew it (liaison agreement renew) if the cooperation goes on."
            }
        default:
            subject = "Agreement expired: \(a.draft.title) (\(a.currentReference))"
            intro = "The agreement \(a.currentReference) with \(partners) expired on \(a.draft.endsOn?.display ?? "?")."
        }
        var lines = [
            "Dear \(r.displayName),", "", intro, "", "Agreement: \(a.draft.title)", "Reference: \(a.currentReference)",
            "Kind:      \(a.draft.kind.rawValue)",
            "Partners:  \(partners)",
        ]
        if let s = a.draft.startsOn {
            lines.append("Term:      \(s.display) – \(a.draft.endsOn?.display ?? "open-ended")")
        }
        if !a.draft.focusAreas.isEmpty { lines.append("Focus:     \(a.draft.focusAreas.joined(separator: ", "))") }
        lines += [
            "", "With kind regards,", settings.from.name ?? "International Office", "Beijing Institute of Technology",
        ]
        return (subject, lines)
    }
}
