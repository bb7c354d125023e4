import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// The agreements service's methods: agreements, their lifecycle, reports, and BIT's sites.
package enum AgreementsAPI {
    package static let service = "agreements"

    package static let create = Method<AgreementDraft, SavedAgreement>(
        "agreements.create",
        on: service,
        .write,
        "Stores a new agreement (status draft)."
    )
    package static let get = Method<AgreementID, Agreement>(
        "agreements.get",
        on: service,
        .read,
        "One agreement by id or reference."
    )
    package static let list = Method<AgreementFilter, Page<Agreement>>(
        "agreements.list",
        on: service,
        .read,
        "Agreements by status, kind, partner country or continent, or words."
    )
    package static let update = Method<AgreementUpdate, Agreement>(
        "agreements.update",
        on: service,
        .write,
        "Replaces fields of a draft or negotiating agreement (after signing, changes are amendments)."
    )
    package static let negotiate = Method<AgreementTransition, Agreement>(
        "agreements.negotiate",
        on: service,
        .write,
        "draft → negotiating."
    )
    package static let sign = Method<AgreementTransition, Agreement>(
        "agreements.sign",
        on: service,
        .write,
        "→ signed (signed_on, signatories); active at once if its start has come. Emits agreement.signed."
    )
    package static let activate = Method<AgreementTransition, Agreement>(
        "agreements.activate",
        on: service,
        .write,
        "signed → active (normally automatic on starts_on). Emits agreement.activated."
    )
    package static let suspend = Method<AgreementTransition, Agreement>(
        "agreements.suspend",
        on: service,
        .write,
        "active → suspended; reason required."
    )
    package static let resume = Method<AgreementTransition, Agreement>(
        "agreements.resume",
        on: service,
        .write,
        "suspended → active."
    )
    package static let terminate = Method<AgreementTransition, Agreement>(
        "agreements.terminate",
        on: service,
        .write,
        "→ terminated; reason required. Emits agreement.terminated."
    )
    package static let renew = Method<AgreementRenewal, Renewal>(
        "agreements.renew",
        on: service,
        .write,
        "A successor agreement for a new term, linked to this one, which becomes superseded. Emits agreement.renewed."
    )
    package static let amend = Method<AgreementAmendment, Agreement>(
        "agreements.amend",
        on: service,
        .write,
        "A numbered amendment to a signed agreement: the changed fields and a summary; the reference gains -A<n>."
    )
    package static let addActivity = Method<ActivityParams, Agreement>(
        "agreements.add_activity",
        on: service,
        .write,
        "Records an activity or outcome (exchange, visit, workshop, research, outcome, other)."
    )
    package static let linkDelegation = Method<LinkParams, Agreement>(
        "agreements.link_delegation",
        on: service,
        .write,
        "Links a delegation (known here from its events) that led to the agreement or followed from it."
    )
    package static let history = Method<HistoryParams, AgreementHistory>(
        "agreements.history",
        on: service,
        .read,
        "Every change: when, by which uid, what."
    )
    package static let sweep = Method<SweepParams, SweepResult>(
        "agreements.sweep",
        on: service,
        .operate,
        "Applies the dates as of today: activations, expiries, auto-renewals, expiring notices; with another today it "
            + "only previews (what would change, which notices would go) unless apply."
    )
    package static let partnersReport = Method<PartnersReportParams, PartnersReport>(
        "agreements.report.partners",
        on: service,
        .read,
        "Partners and agreements by continent, region, country, kind or year (in force on a date, or signed in a year)."
    )
    package static let funnelReport = Method<NoParams, FunnelReport>(
        "agreements.report.funnel",
        on: service,
        .read,
        "Visits → agreements citing them → agreements with activities, per continent."
    )
    package static let dormantReport = Method<DormantParams, DormantReport>(
        "agreements.report.dormant",
        on: service,
        .read,
        "Active agreements with no linked visit or activity in N months (default 12)."
    )
    package static let expiringReport = Method<ExpiringParams, ExpiringReport>(
        "agreements.report.expiring",
        on: service,
        .read,
        "Agreements ending within N days (default 90) and their renewal status."
    )
    package static let delegations = Method<ProjectionParams, Page<ProjectedDelegation>>(
        "agreements.delegations",
        on: service,
        .read,
        "The local projection of delegations (from events): id, title, partner, country, dates, status."
    )
    package static let record = Method<AgreementRecordParams, SavedAgreement>(
        "agreements.record",
        on: service,
        .write,
        "Records an agreement as it stands or ended (history: imports, the demo); emits agreement.recorded, on which "
            + "nothing is mailed."
    )
    package static let importStage = Method<AgreementsImportStage, ImportStaged>(
        "agreements.import_stage",
        on: service,
        .write,
        "Keeps rows of an import too large for one call; agreements.import {staged} imports them all at once."
    )
    package static let importRows = Method<AgreementsImport, ImportReport>(
        "agreements.import",
        on: service,
        .write,
        "Agreements and sites from a file, all or nothing: every problem by section, row and field; dry_run writes "
            + "nothing."
    )
    package static let attach = Method<AttachParams, Agreement>(
        "agreements.attach",
        on: service,
        .write,
        "Adds a document's fingerprint (SHA-256, name, size, media type of the file), kept in the history."
    )
}

/// BIT's own places abroad (on the agreements service, beside the agreements that create them).
package enum SitesAPI {
    package static let service = AgreementsAPI.service

    package static let create = Method<SiteDraft, Site>(
        "sites.create",
        on: service,
        .write,
        "Records a place of BIT's own abroad (a workstation, an office) with its country and agreement."
    )
    package static let list = Method<SiteFilter, SiteList>(
        "sites.list",
        on: service,
        .read,
        "BIT's sites abroad, by name."
    )
    package static let get = Method<SiteID, Site>("sites.get", on: service, .read, "One site by id or external key.")
}
