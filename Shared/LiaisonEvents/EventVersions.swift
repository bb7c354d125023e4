import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// The versions of each event type's data a producer can send (PROTOCOL.md, "Compatibility"):
/// the one this release writes (`EventType.dataVersion`) and, for a release after a change
/// older readers cannot read, the older one it turns it into for a subscriber that reads only
/// that (expand, then contract). A subscriber's versions come from its `service.describe`
/// (`events.reads`; a release without it reads version 1).
package struct EventVersions: Sendable {
    /// How data of version `from` of `type` becomes version `from - 1`.
    package struct Downgrade: Sendable {
        package var type: EventType
        package var from: Int
        package var transform: @Sendable (JSONValue) throws -> JSONValue

        package init(_ type: EventType, from: Int, _ transform: @escaping @Sendable (JSONValue) throws -> JSONValue) {
            (self.type, self.from, self.transform) = (type, from, transform)
        }
    }

    package var downgrades: [Downgrade]
    /// The version written, per type (this release's `dataVersion` unless a test says otherwise).
    package var written: @Sendable (EventType) -> Int

    package init(downgrades: [Downgrade] = [], written: @escaping @Sendable (EventType) -> Int = { $0.dataVersion }) {
        self.downgrades = downgrades
        self.written = written
    }

    /// This release's: a visit's data of version 2 becomes version 1 with a range of dates
    /// given as the latest year it may mean, approximate (`2020/2025` → `~2025`); an agreement's
    /// with a coordinator's address where it has none.
    package static let release = EventVersions(
        downgrades: EventType.all(.delegation).map { Downgrade($0, from: 2, Self.visitWithoutRange) }
            + EventType.all(.agreement).map { Downgrade($0, from: 2, Self.agreementWithAddress) }
    )

    /// What 0.1.0 is given for a coordinator without an address.
    package static let noAddress = "unknown@invalid"

    /// An agreement's data with its coordinator's `email` (required before version 2).
    @Sendable static func agreementWithAddress(_ data: JSONValue) throws -> JSONValue {
        guard case .object(var o) = data.materialized, case .object(var c)? = o["coordinator"]?.materialized,
            c["email"] == nil || c["email"] == .null
        else { return data }
        c["email"] = .string(noAddress)
        o["coordinator"] = .object(c)
        return .object(o)
    }

    /// A visit's data without a range in its `date`.
    @Sendable static func visitWithoutRange(_ data: JSONValue) throws -> JSONValue {
        guard case .object(var o) = data.materialized, let text = o["date"]?.stringValue else { return data }
        var why = ""
        guard let d = PartialDate.parse(text, why: &why), d.isRange else { return data }
        o["date"] = .string(d.approximateYear.description)
        return .object(o)
    }

    /// Every version of `type` this producer can send, newest first.
    package func versions(of type: EventType) -> [Int] {
        var v = [written(type)]
        while let d = downgrades.first(where: { $0.type == type && $0.from == v.last! }) { v.append(d.from - 1) }
        return v
    }

    /// `data` of version `version`, as the newest version the subscriber `reads`; nil when
    /// none of the versions it reads can be made (it must be upgraded first).
    package func data(_ data: JSONValue, of type: EventType, version: Int, for reads: [Int]) throws -> (JSONValue, Int)?
    {
        var current = data, v = version
        while !reads.contains(v) {
            guard let d = downgrades.first(where: { $0.type == type && $0.from == v }) else { return nil }
            current = try d.transform(current)
            v -= 1
        }
        return (current, v)
    }
}
