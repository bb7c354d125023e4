import LiaisonRuntime
import LiaisonWire

/// The delegations service: visits hosted and sent, their members and itineraries.
package final class DelegationsService: ServiceModule {
    let context: ServiceContext

    package init(_ context: ServiceContext) throws {
        self.context = context
    }

    package var emits: [String] { [] }

    package func register(_ table: inout MethodTable) {}
}
