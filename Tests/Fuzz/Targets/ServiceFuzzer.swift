import Agreements
import Delegations
import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonSync
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
import Notifications
import Synchronization

/// Calls a service's methods with fuzzed params, as the dispatcher would (schema at the door,
/// then the method on a real store): the input's first byte picks the method, the rest is the
/// params as JSON text. Any answer is fine but `internal` (a bug: a trap the code caught, or a
/// result outside its declared schema), which stops the run.
///
/// The service lives under /dev/shm and is made anew every `freshEvery` runs, so that what the
/// fuzzer stores does not pile up.
package final class ServiceFuzzer: Sendable {
    package static let delegations = ServiceFuzzer("delegations") { try DelegationsService($0).definition }
    package static let agreements = ServiceFuzzer("agreements") { try AgreementsService($0).definition }
    package static let notifications = ServiceFuzzer("notifications") { try NotificationsService($0).definition }

    /// The fuzzer of service `name`.
    package static func named(_ name: String) -> ServiceFuzzer? {
        ["delegations": delegations, "agreements": agreements, "notifications": notifications][name]
    }

    private struct Current {
        var under: ServiceUnderTest
        var home: String
        var runs = 0
    }

    let name: String
    let make: @Sendable (ServiceContext) throws -> ServiceDefinition
    private let current = Locked<Current?>(nil)
    private let log: Logger
    /// The last line logged at error level (an `internal` answer's cause).
    private final class LastLine: Sendable {
        let line = Locked("")
    }
    private let lastError = LastLine()
    static let freshEvery = 5000

    init(_ name: String, _ make: @escaping @Sendable (ServiceContext) throws -> ServiceDefinition) {
        self.name = name
        self.make = make
        let last = lastError
        log = Logger(service: name, minimum: .error) { line in last.line.withLock { $0 = line } }
    }

    deinit { if let c = current.withLock({ $0 }) { TestMesh.remove(c.home) } }

    /// The homes in use. The fuzzers are globals, never freed: libFuzzer ends the process with
    /// exit(), so the last home of each (a few MB of RAM under /dev/shm) goes at exit.
    private static let homes = Locked<Set<String>>([])
    private static let removedAtExit: Void = {
        atexit {
            for h in ServiceFuzzer.homes.withLock({ $0 }) { TestMesh.remove(h) }
        }
    }()

    /// The method names, in the order the first byte picks them.
    package func methods() -> [String] { service().table.order }

    private func service() -> ServiceUnderTest {
        current.withLock { c -> ServiceUnderTest in
            if let live = c, live.runs < Self.freshEvery {
                c!.runs += 1
                return live.under
            }
            if let old = c {
                TestMesh.remove(old.home)
                Self.homes.withLock { _ = $0.remove(old.home) }
            }
            let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : "/tmp"
            do {
                let (home, ctx) = try TestMesh.context(for: name, prefix: "lzf", in: base, log: log)
                Self.homes.withLock { _ = $0.insert(home) }
                _ = Self.removedAtExit
                let under = ServiceUnderTest(name, try make(ctx), log: log)
                c = Current(under: under, home: home)
                return under
            } catch {
                fatalError("cannot make a \(name) service to fuzz: \(error)")
            }
        }
    }

    package func run(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let under = service()
        let names = under.table.order
        let method = names[Int(first) % names.count]
        guard let params = try? JSONParser.parse(data.dropFirst()) else { return }
        // As the mesh's own account, which may call everything (the access policy has its own tests).
        if case .failure(let e) = under.call(method, params, uid: getuid()), e.code == .internal {
            let cause = lastError.line.withLock { $0 }
            FuzzTargets.check(false, "\(method) answered internal for \(JSONWriter.string(params)): \(e.message); log: \(cause)")
        }
    }
}
