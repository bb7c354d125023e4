import LiaisonJSON
import LiaisonModels

// The domain's records travel as they are (answers and event data): their schemas come from
// their coding and the rules on their keys (LiaisonModels).
extension Delegation: Schematic {}
extension DelegationDraft: Schematic {}
extension PartnerRecord: Schematic {}
extension Partner: Schematic {}
extension Person: Schematic {}
extension PartnerRef: Schematic {}
extension Agreement: Schematic {}
extension AgreementDraft: Schematic {}
extension Site: Schematic {}
extension SiteDraft: Schematic {}
