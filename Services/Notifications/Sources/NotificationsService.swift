import LiaisonRuntime
import LiaisonWire

/// The notifications service: visit schedules and agreement notices by email.
package final class NotificationsService: ServiceModule {
    let context: ServiceContext

    package init(_ context: ServiceContext) throws {
        self.context = context
    }

    package var emits: [String] { [] }

    package func register(_ table: inout MethodTable) {}
}
