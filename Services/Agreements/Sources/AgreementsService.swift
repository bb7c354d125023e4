import LiaisonRuntime
import LiaisonWire

/// The agreements service: partnership agreements from first visit to renewal.
package final class AgreementsService: ServiceModule {
    let context: ServiceContext

    package init(_ context: ServiceContext) throws {
        self.context = context
    }

    package var emits: [String] { [] }

    package func register(_ table: inout MethodTable) {}
}
