import Foundation

extension DelegationDraft {
    /// Every problem with this draft, each with its field path; empty when it is valid.
    /// (Clashes between items are the itinerary checker's job, not validation's.)
    package func problems() -> [ValidationError] {
        var v = Validator()
        v.text(title, "title", max: Limits.title)
        if partners.isEmpty { v.fail("partners", "give at least one partner") }
        if v.count(partners, "partners", max: Limits.partners) {
            for (i, p) in partners.enumerated() { v.nested("partners[\(i)]") { p.problems(&$0) } }
            if partners.filter({ $0.lead == true }).count > 1 {
                v.fail("partners", "only one partner may lead the delegation")
            }
        }
        let partnerKeys = Set(partners.compactMap(\.id) + partners.compactMap(\.name))
        if v.count(groups, "groups", max: Limits.members) {
            for (i, g) in groups.enumerated() {
                v.nested("groups[\(i)]") { gv in
                    gv.text(g.description, "description", max: Limits.purpose)
                    if let n = g.count {
                        gv.check(
                            (1...100_000).contains(n),
                            "count",
                            "must be between 1 and 100000 (leave it out when unknown)"
                        )
                    }
                    if let p = g.partner, !partnerKeys.contains(p) {
                        gv.fail("partner", "\(p) is not one of the delegation's partners")
                    }
                }
            }
        }
        if date != nil && !itinerary.isEmpty {
            v.fail(
                "itinerary",
                "a visit known only by its date (\(date!)) has no itinerary: give starts_at and ends_at to schedule it"
            )
        }
        v.optionalText(purpose, "purpose", max: Limits.purpose, multiline: true)
        v.optionalText(notes, "notes", max: Limits.notes, multiline: true)
        v.optionalText(externalKey, "external_key", max: Limits.externalKey)
        if v.count(topics, "topics", max: Limits.topics) {
            for (i, t) in topics.enumerated() { v.text(t, "topics[\(i)]", max: Limits.topic) }
        }
        let zone = TimeZones.zone(timeZone)
        if zone == nil {
            v.fail("time_zone", "\"\(timeZone)\" is not an IANA time zone (e.g. Asia/Shanghai, Asia/Bangkok)")
        }
        if endsAt <= startsAt { v.fail("ends_at", "must be after starts_at (\(startsAt))") }
        if let budget {
            v.nested("budget") { b in
                if !Self.isDecimalAmount(budget.amount) {
                    b.fail("amount", "expected a decimal like 12000.50 (at most 13 digits before the point, 2 after)")
                }
                if !(budget.currency.utf8.count == 3 && budget.currency.utf8.allSatisfy { $0 >= 65 && $0 <= 90 }) {
                    b.fail("currency", "expected an ISO 4217 code like CNY or USD")
                }
            }
        }
        var memberEmails = Set<String>()
        if v.count(members, "members", max: Limits.members) {
            for (i, m) in members.enumerated() {
                v.nested("members[\(i)]") { mv in
                    mv.person(name: m.name, nameLocal: m.nameLocal, (m.title, "title"), phone: m.phone, email: m.email)
                    if let p = m.partner, !partnerKeys.contains(p) {
                        mv.fail("partner", "\(p) is not one of the delegation's partners")
                    }
                    if let e = m.email?.lowercased(), !memberEmails.insert(e).inserted {
                        mv.fail("email", "\(e) is given for two members")
                    }
                    if mv.count(m.languages, "languages", max: Limits.languages) {
                        for (j, l) in m.languages.enumerated() where !Self.isLanguageTag(l) {
                            mv.fail("languages[\(j)]", "\"\(l)\" is not a language tag like th, en or zh-Hans")
                        }
                    }
                    if let n = m.needs {
                        mv.optionalText(n.dietary, "needs.dietary", max: Limits.shortText)
                        mv.optionalText(n.accessibility, "needs.accessibility", max: Limits.shortText)
                    }
                }
            }
        }
        var hostEmails = Set<String>()
        if v.count(hosts, "hosts", max: Limits.hosts) {
            for (i, h) in hosts.enumerated() {
                v.nested("hosts[\(i)]") { hv in
                    hv.person(name: h.name, nameLocal: h.nameLocal, (h.unit, "unit"), phone: h.phone, email: h.email)
                    if !hostEmails.insert(h.email.lowercased()).inserted {
                        hv.fail("email", "\(h.email) is given for two hosts")
                    }
                }
            }
        }
        if v.count(itinerary, "itinerary", max: Limits.itinerary) {
            for (i, item) in itinerary.enumerated() {
                v.nested("itinerary[\(i)]") { iv in
                    iv.text(item.title, "title", max: Limits.title)
                    iv.optionalText(item.venue, "venue", max: Limits.name)
                    iv.optionalText(item.notes, "notes", max: Limits.notes, multiline: true)
                    _ = iv.count(item.hosts, "hosts", max: Limits.hosts)
                    _ = iv.count(item.attendees, "attendees", max: Limits.attendees)
                }
            }
        }
        return v.errors
    }

    /// Throws every problem at once.
    package func validate() throws(ValidationErrors) {
        let p = problems()
        if !p.isEmpty { throw ValidationErrors(p) }
    }

    /// A BCP 47 tag in its common shapes: `en`, `th`, `zh-Hans`, `pt-BR`, `uz-Latn-UZ`.
    static func isLanguageTag(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count), (2...3).contains(parts[0].utf8.count),
            parts[0].utf8.allSatisfy(isASCIILetter)
        else {
            return false
        }
        return parts.dropFirst().allSatisfy { p in
            (2...8).contains(p.utf8.count) && p.utf8.allSatisfy { isASCIILetter($0) || ($0 >= 48 && $0 <= 57) }
        }
    }

    static func isASCIILetter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }

    /// `12000` or `12000.50`: 1-13 digits, then optionally a point and 1-2 digits.
    static func isDecimalAmount(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, (1...13).contains(parts[0].utf8.count),
            parts[0].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else {
            return false
        }
        return parts.count == 1
            || ((1...2).contains(parts[1].utf8.count) && parts[1].utf8.allSatisfy { $0 >= 48 && $0 <= 57 })
    }

    /// The zone (valid drafts only).
    package var zone: TimeZone { TimeZones.zone(timeZone) ?? TimeZone(identifier: "UTC")! }

    /// The members an item names (all of them when it names none or "all").
    package func attendees(of item: ItineraryItem) -> [Member] {
        if item.everyone { return members }
        let refs = Set(item.attendees.map { $0.lowercased() })
        return members.filter { refs.contains($0.reference.lowercased()) || refs.contains($0.name.lowercased()) }
    }
}
