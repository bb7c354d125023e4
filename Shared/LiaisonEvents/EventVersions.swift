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

    /// This release's: no type has changed in a way 0.1.0 cannot read, so nothing to turn.
    package static let release = EventVersions()

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
