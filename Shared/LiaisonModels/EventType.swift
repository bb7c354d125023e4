import LiaisonJSON
/// Every event type a Liaison service emits (DESIGN §4): producers emit them, consumers switch
/// over them, the mesh file subscribes to them (exactly or as `family.*`).
package enum EventType: String, WireEnum {
    case delegationConfirmed = "delegation.confirmed"
    case delegationRescheduled = "delegation.rescheduled"
    case delegationPostponed = "delegation.postponed"
    case delegationCancelled = "delegation.cancelled"
    case delegationStarted = "delegation.started"
    case delegationCompleted = "delegation.completed"
    case delegationUpdated = "delegation.updated"
    case delegationRecorded = "delegation.recorded"
    case delegationPurged = "delegation.purged"
    case agreementSigned = "agreement.signed"
    case agreementActivated = "agreement.activated"
    case agreementExpiring = "agreement.expiring"
    case agreementExpired = "agreement.expired"
    case agreementTerminated = "agreement.terminated"
    case agreementRenewed = "agreement.renewed"
    case agreementSuspended = "agreement.suspended"
    case agreementResumed = "agreement.resumed"
    case agreementAmended = "agreement.amended"
    case agreementRecorded = "agreement.recorded"
    case partnerCreated = "partner.created"
    case partnerUpdated = "partner.updated"
    case partnerMerged = "partner.merged"
    case partnerClaimed = "partner.claimed"

    /// The version of the data this release writes for the type. A change an older reader
    /// cannot read (a field removed, renamed, retyped or made required, an enum value it does
    /// not know) comes as a new version, which the producer turns into the older one for a
    /// subscriber that reads only that, for at least one release (`EventVersions`): the
    /// compatibility test (`Tests/Compatibility`) fails a change that does not.
    ///
    /// Version 2 of a visit's data (0.2.0): its `date` may be a range (`2020/2025`, `../2025-05`),
    /// which 0.1.0 cannot parse; it is given the latest year the range may mean, approximate.
    /// Version 2 of an agreement's (0.2.0): its coordinator may have no address (a record of the
    /// past whose source gives none); 0.1.0 is given `unknown@invalid` (RFC 2606: never delivered;
    /// such an agreement has no known end day, so no notice is sent).
    package var dataVersion: Int { family == .partner ? 1 : 2 }

    /// The versions of the type's data this release reads: its own and every older one still
    /// sent by a release it runs beside.
    package var readsVersions: [Int] { Array(1...dataVersion) }

    /// What happened: `confirmed`, `signed`, `merged` …
    package var action: String { String(rawValue.drop { $0 != "." }.dropFirst()) }

    /// What the event is about: `delegation`, `agreement` or `partner`.
    package var family: Family { Family(rawValue: String(rawValue.prefix { $0 != "." }))! }

    /// The kinds of record events are about; `data` holds the whole record.
    package enum Family: String, Sendable {
        case delegation, agreement, partner
    }

    /// Events that tell of the past (an import of history): consumers keep the record and act
    /// on nothing, so no mail goes out for a visit of 2018.
    package var isHistory: Bool {
        self == .delegationRecorded || self == .agreementRecorded || self == .delegationPurged
    }

    /// The types of one family.
    package static func all(_ family: Family) -> [EventType] { allCases.filter { $0.family == family } }

    /// What the event says, for `service.describe`.
    package var summary: String {
        switch self {
        case .delegationConfirmed: "A visit was confirmed; data is the delegation with its full schedule."
        case .delegationRescheduled: "A visit's window or itinerary changed (schedule_version bumped)."
        case .delegationPostponed: "A visit was postponed; it becomes proposed again when rescheduled."
        case .delegationCancelled: "A visit was cancelled (cancel_reason says why)."
        case .delegationStarted: "A visit began."
        case .delegationCompleted: "A visit ended (outcome says what came of it)."
        case .delegationUpdated: "Details of a confirmed or running visit changed."
        case .agreementSigned: "An agreement was signed; data is the agreement."
        case .agreementActivated: "An agreement took effect."
        case .agreementExpiring: "An agreement ends soon; lead_days and days_left say when."
        case .agreementExpired: "An agreement ended."
        case .agreementTerminated: "An agreement was ended early (termination_reason)."
        case .agreementRenewed: "An agreement was renewed; successor holds the new record."
        case .agreementSuspended: "An agreement was suspended (suspension_reason)."
        case .agreementResumed: "A suspended agreement is active again."
        case .agreementAmended: "A numbered amendment changed an agreement."
        case .delegationRecorded: "A past visit was recorded (imported history): keep it, send nothing."
        case .delegationPurged:
            "The retention period of a finished visit passed: data is the visit without its people's personal data; "
                + "drop every copy."
        case .agreementRecorded: "A past or running agreement was recorded (imported history): keep it, send nothing."
        case .partnerCreated: "A partner institution was registered; data is the registry entry with its people."
        case .partnerUpdated: "A partner's entry changed (name, country, people …)."
        case .partnerMerged: "A duplicate partner was merged; data is the merged entry, merged_into names the one kept."
        case .partnerClaimed:
            "A service met a partner the registry may not have (by name and country); the registry adopts it."
        }
    }
}
