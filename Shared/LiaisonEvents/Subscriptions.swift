import LiaisonModels
import LiaisonProcess

/// Who consumes what a producer emits, worked out once from the mesh file: the relay delivers
/// to these subscribers, and every outbox append names them.
package struct Subscriptions: Sendable {
    /// A service this producer delivers to.
    package struct Subscriber: Sendable, Equatable {
        package var name, socket: String
        /// The largest frame it takes, as its mesh entry says.
        package var maxFrame: Int

        package init(name: String, socket: String, maxFrame: Int) {
            (self.name, self.socket, self.maxFrame) = (name, socket, maxFrame)
        }
    }

    /// Every subscriber of at least one emitted type, by name.
    package let subscribers: [String: Subscriber]
    private let byType: [EventType: [String]]
    /// The type names each subscriber takes.
    private let taken: [String: Set<String>]

    /// The subscribers of `emits` in `mesh`, leaving out `source` itself.
    package init(mesh: Mesh, source: String, emits: [EventType]) {
        var subs: [String: Subscriber] = [:]
        var byType: [EventType: [String]] = [:]
        for type in emits {
            let names = mesh.config.services.filter { $0.name != source && $0.consumes(type: type.rawValue) }
            byType[type] = names.map(\.name)
            for s in names { subs[s.name] = Subscriber(name: s.name, socket: s.socket, maxFrame: s.maxFrameBytes) }
        }
        subscribers = subs
        self.byType = byType
        taken = Self.taken(byType)
    }

    /// Subscriptions named directly (tests).
    package init(_ byType: [EventType: [Subscriber]]) {
        var subs: [String: Subscriber] = [:]
        for list in byType.values { for s in list { subs[s.name] = s } }
        subscribers = subs
        self.byType = byType.mapValues { $0.map(\.name) }
        taken = Self.taken(self.byType)
    }

    private static func taken(_ byType: [EventType: [String]]) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for (type, names) in byType { for n in names { out[n, default: []].insert(type.rawValue) } }
        return out
    }

    /// Whether `subscriber` takes events of `type` (a type name as the outbox holds it).
    package func takes(_ subscriber: String, _ type: String) -> Bool { taken[subscriber]?.contains(type) ?? false }

    /// The services that consume `type`.
    package func of(_ type: EventType) -> [String] { byType[type] ?? [] }
}
