import LiaisonHost
import LiaisonAPI
import LiaisonEvents
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// What delegation and partner events do here: keep the projection of delegations the
/// agreements cite and of the partner registry (known from events, never by calling the
/// delegations service).
struct AgreementsConsumer: EventConsumer {
    func handle(event: CloudEvent, db: Database) throws -> EventDisposition {
        guard let type = event.eventType else { return .ignored }
        if type.family == .partner {
            return type == .partnerClaimed ? .ignored : try AgreementsPartners.apply(event, db)
        }
        guard type.family == .delegation else { return .ignored }
        let d: Delegation
        do { d = try JSONDecoding.decode(Delegation.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(
                field: error.path,
                "not a delegation this service understands: \(error.reason)"
            )
        }
        try AgreementsTables.project(db, d, sequence: event.sequence, nowMillis: wallClockMillis())
        try AgreementsPartners.completeLinks(db, d)
        return .applied
    }
}
