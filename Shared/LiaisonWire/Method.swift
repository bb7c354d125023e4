import LiaisonJSON

/// The class of a method, for the access policy (DESIGN §8).
package enum Access: String, WireEnum {
    /// Looks without changing anything: get, list, check, reports, health, status, logs.
    case read
    /// Office work: create, update, every lifecycle change.
    case write
    /// Operator actions: supervisor control, redrive/skip, retry, sweep.
    case operate
    /// `events.deliver`: only the services producing the events.
    case deliver
}

/// One method of a service's contract: its name, what it does, who may call it, and the types of
/// its params and result. The service registers a handler for it (`MethodTable.add`); clients
/// call it and get the result typed (`WireClient.call`). Its schemas, for the door's check and
/// `service.describe`, come from the same types.
package struct Method<Params: Encodable & Sendable & Schematic, Result: Decodable & Sendable & Schematic>: Sendable {
    /// The mesh service that answers it; nil for methods every service answers (`service.*`,
    /// `events.*`).
    package let service: String?
    /// e.g. `delegations.create`.
    package let name: String
    /// One line for `service.describe`.
    package let summary: String
    /// Who may call it.
    package let access: Access
    /// The release that added it: a client calling an older service says which it needs.
    package let since: String

    package init(_ name: String, on service: String?, _ access: Access, _ summary: String, since: String = "0.1.0") {
        self.name = name
        self.service = service
        self.access = access
        self.summary = summary
        self.since = since
    }

    /// What the door checks params against.
    package var paramsSchema: Schema { Params.schema }
    /// What the answer looks like.
    package var resultSchema: Schema { Result.outputSchema }
}

/// What a handler may answer for a method whose result is `Shape`: the result itself, or the
/// result's JSON already written (a stored document sent as it is).
package protocol WireAnswer<Shape>: Encodable, Sendable {
    associatedtype Shape
    /// The answer as JSON text.
    var wireText: [UInt8] { get }
}

extension WireAnswer {
    package var wireText: [UInt8] { JSONEncoding.bytes(self) }
}

// A stored document answered as it is stands for its `Shape`, and is its own text (without an
// encoder around it: that was a twentieth of a `delegations.get`).
extension StoredJSON: WireAnswer {
    package var wireText: [UInt8] { text }
}
