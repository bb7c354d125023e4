/// The transitions an agreement may make.
package enum AgreementAction: String, LifecycleAction {
    case negotiate, sign, activate, suspend, resume, terminate, renew, amend, update, expire

    package var allowedFrom: Set<AgreementStatus> {
        switch self {
        case .negotiate: [.draft]
        case .sign: [.draft, .negotiating]
        case .activate: [.signed]
        case .suspend: [.active]
        case .resume: [.suspended]
        case .terminate: [.signed, .active, .suspended]
        case .renew: [.signed, .active, .expired]
        case .amend: [.signed, .active, .suspended]
        case .update: [.draft, .negotiating]
        case .expire: [.active, .suspended]
        }
    }

    package func target(from: AgreementStatus) -> AgreementStatus {
        switch self {
        case .negotiate: .negotiating
        case .sign: .signed
        case .activate, .resume: .active
        case .suspend: .suspended
        case .terminate: .terminated
        case .renew: .superseded
        case .amend, .update: from
        case .expire: .expired
        }
    }
}

extension AgreementDraft {
    /// Every problem, each with its field path.
    package func problems() -> [ValidationError] {
        var v = Validator()
        if let r = reference {
            v.check(
                r.count <= 40 && !r.isEmpty
                    && r.unicodeScalars.allSatisfy {
                        $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "/" || $0 == "."
                    },
                "reference",
                "1-40 letters, digits, '-', '/' or '.'"
            )
        }
        v.text(title, "title", max: Limits.title)
        if partners.isEmpty { v.fail("partners", "at least one partner is required") }
        if v.count(partners, "partners", max: 20) {
            for (i, p) in partners.enumerated() {
                v.nested("partners[\(i)]") { pv in
                    p.problems(&pv)
                    pv.optionalText(p.contactName, "contact_name", max: Limits.name)
                    pv.email(p.contactEmail, "contact_email")
                }
            }
        }
        v.nested("coordinator") { cv in
            cv.text(coordinator.name, "name", max: Limits.name)
            if let email = coordinator.email {
                cv.email(email, "email")
            } else if endsOn?.exactDay != nil {
                cv.fail("email", "required: the agreement ends on a known day, and its notices go to this address")
            }
            cv.optionalText(coordinator.unit, "unit", max: Limits.name)
        }
        if v.count(focusAreas, "focus_areas", max: 30) {
            for (i, f) in focusAreas.enumerated() { v.text(f, "focus_areas[\(i)]", max: Limits.topic) }
        }
        if v.count(signatories, "signatories", max: 20) {
            for (i, s) in signatories.enumerated() {
                v.nested("signatories[\(i)]") { sv in
                    sv.text(s.name, "name", max: Limits.name)
                    sv.optionalText(s.title, "title", max: Limits.name)
                    sv.text(s.side, "side", max: Limits.name)
                }
            }
        }
        if v.count(documents, "documents", max: 20) {
            for (i, d) in documents.enumerated() {
                v.nested("documents[\(i)]") { dv in
                    dv.text(d.title, "title", max: Limits.title)
                    dv.check(
                        d.sha256.utf8.count == 64
                            && d.sha256.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) },
                        "sha256",
                        "expected 64 lowercase hex digits (the SHA-256 of the signed text)"
                    )
                }
            }
        }
        v.optionalText(notes, "notes", max: Limits.notes, multiline: true)
        v.optionalText(externalKey, "external_key", max: Limits.externalKey)
        if let n = noticePeriodDays { v.check((0...3650).contains(n), "notice_period_days", "must be 0 to 3650") }
        if let p = placesPerYear { v.check((0...10_000).contains(p), "places_per_year", "must be 0 to 10000") }
        // A range is for a visit known only roughly; an agreement's dates are dates.
        for (field, d) in [("signed_on", signedOn), ("starts_on", startsOn), ("ends_on", endsOn)] {
            if let d, d.isRange { v.fail(field, "\(d) is a range: give a year, a month or a day (~ if approximate)") }
        }
        // Compared by the days each date may mean: "2024" ends after "2024-03-01" starts.
        if let s = startsOn, let e = endsOn, e.last <= s.first { v.fail("ends_on", "must be after starts_on (\(s))") }
        if let signed = signedOn, let s = startsOn, s.last < signed.first {
            v.fail("signed_on", "must not be after starts_on (\(s)): an agreement is signed before it takes effect")
        }
        for (i, s) in signatories.enumerated() {
            if let d = s.signedOn, let start = startsOn, start.last < d {
                v.fail("signatories[\(i)].signed_on", "must not be after starts_on (\(start))")
            }
        }
        return v.errors
    }

    package func validate() throws(ValidationErrors) {
        let p = problems()
        if !p.isEmpty { throw ValidationErrors(p) }
    }
}
