import LiaisonAPI
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// The agreements service's settings: `settings` of its mesh entry.
package struct AgreementsSettings: Sendable, Equatable {
    /// Days before `ends_on` at which `agreement.expiring` fires, longest first.
    package var expiringLeadDays = [90, 30, 7]

    package init() {}

    /// Reads the settings, keeping defaults for what is absent.
    package static func from(_ settings: JSONValue, service: String) throws -> AgreementsSettings {
        var s = AgreementsSettings()
        if let l = settings["expiring_lead_days"] {
            guard case .array(let a) = l, !a.isEmpty,
                a.allSatisfy({ ($0.intValue ?? 0) >= 1 && ($0.intValue ?? 0) <= 3650 })
            else {
                throw MeshError(
                    "services[\(service)].settings.expiring_lead_days: expected a list of days from 1 to 3650, e.g. "
                        + "[90, 30, 7]"
                )
            }
            s.expiringLeadDays = a.compactMap { $0.intValue.map(Int.init) }.sorted(by: >)
        }
        return s
    }
}
