import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// The delegations service's settings: `settings` of its mesh entry.
package struct DelegationsSettings: Sendable, Equatable {
    /// Delegations per page of `delegations.list` when the caller gives no limit.
    package var defaultPage = 50
    /// How many days before a visit's first day `start` is accepted (0: from the first day).
    package var startMarginDays = 0
    /// Days after a visit ends (or is cancelled) before its people's personal data is purged.
    package var retentionDays = 365
    /// Whether members' and hosts' names stay for the record after the purge.
    package var retentionKeepsNames = true

    package init() {}

    /// Reads the settings, keeping defaults for what is absent.
    package static func from(_ settings: JSONValue) throws -> DelegationsSettings {
        var s = DelegationsSettings()
        if let v = settings["list_page"] {
            guard let n = v.intValue, (1...500).contains(n) else {
                throw MeshError("settings.list_page: expected an integer from 1 to 500")
            }
            s.defaultPage = Int(n)
        }
        if let v = settings["start_margin_days"] {
            guard let n = v.intValue, (0...30).contains(n) else {
                throw MeshError(
                    "settings.start_margin_days: expected an integer from 0 to 30 (days before the first day)"
                )
            }
            s.startMarginDays = Int(n)
        }
        if let v = settings["retention_days"] {
            guard let n = v.intValue, (0...36_500).contains(n) else {
                throw MeshError(
                    "settings.retention_days: expected an integer from 0 to 36500 (days after a visit ends)"
                )
            }
            s.retentionDays = Int(n)
        }
        if let v = settings["retention_keeps_names"] {
            guard case .bool(let b) = v else {
                throw MeshError("settings.retention_keeps_names: expected true or false")
            }
            s.retentionKeepsNames = b
        }
        return s
    }
}
