import Foundation
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
@testable import Delegations

/// A delegations service on a temp database, called through its method table (no sockets).
final class TestDelegations: Sendable {
    let dir: String
    let service: DelegationsService
    let table: MethodTable
    let under: ServiceUnderTest
    let log = Logger(service: "delegations", minimum: .error) { _ in }

    /// `prepare` runs on the data directory before the database is opened in it.
    init(
        subscribers: [String] = ["notifications", "agreements"], settings: JSONValue? = nil,
        now: @escaping @Sendable () -> Int64 = { wallClockMillis() }, prepare: (String) throws -> Void = { _ in }
    ) throws {
        let (home, ctx) = try TestMesh.context(for: "delegations", prefix: "lzd", log: log) { mesh in
            for i in mesh.services.indices where mesh.services[i].name != "delegations" {
                mesh.services[i].consumes = subscribers.contains(mesh.services[i].name) ? ["delegation.*"] : []
            }
            if let settings, let i = mesh.services.firstIndex(where: { $0.name == "delegations" }) { mesh.services[i].settings = settings }
        }
        dir = home
        do {
            try prepare(ctx.entry.dataDir)
            service = try DelegationsService(ctx, now: now)
        } catch {
            TestMesh.remove(home)  // deinit does not run for an init that throws
            throw error
        }
        under = ServiceUnderTest("delegations", service.definition, log: log)
        table = under.table
    }

    deinit { TestMesh.remove(dir) }

    func call(_ method: String, _ params: JSONValue, uid: UInt32 = 1000) -> Result<JSONValue, ServiceError> {
        under.call(method, params, uid: uid)
    }

    func ok(_ method: String, _ params: JSONValue, uid: UInt32 = 1000) throws -> JSONValue { try call(method, params, uid: uid).get() }

    func error(_ method: String, _ params: JSONValue) -> ServiceError? {
        if case .failure(let e) = call(method, params) { return e }
        return nil
    }

    /// Creates and returns (id, version).
    func create(_ draft: JSONValue) throws -> (String, Int64) {
        let d = try ok("delegations.create", draft)
        return (d["id"]!.stringValue!, d["version"]!.intValue!)
    }
}

/// The Thai Ministry of Education visit as the issue writes it.
func thaiVisit(
    title: String = "Thailand Ministry of Education delegation", venue: String = "Main Building 301",
    host: String = "li.wei@bit.edu.cn", start: String = "2026-03-12T09:00", end: String = "2026-03-12T10:30"
) -> JSONValue {
    [
        "direction": "inbound", "title": .string(title),
        "partner": ["name": "Ministry of Education", "name_local": "กระทรวงศึกษาธิการ", "kind": "government", "country": "TH"],
        "purpose": "Closer cooperation and more learning opportunities for students of both countries",
        "topics": ["student exchange"], "time_zone": "Asia/Shanghai",
        "starts_at": "2026-03-12T09:00", "ends_at": "2026-03-13T17:00",
        "members": [
            [
                "name": "Deputy Permanent Secretary", "name_local": "รองปลัดกระทรวง", "title": "Deputy Permanent Secretary", "role": "head",
                "email": "head@moe.example.th", "languages": ["th", "en"], "needs": ["dietary": "no beef"],
            ],
            [
                "name": "Director, Bureau of International Cooperation", "role": "member", "email": "bic@moe.example.th",
                "languages": ["th", "en"],
            ],
        ],
        "hosts": [["name": "Li Wei", "email": .string(host), "unit": "International Office"]],
        "itinerary": [
            [
                "starts_at": .string(start), "ends_at": .string(end), "title": "Welcome meeting", "kind": "meeting",
                "venue": .string(venue), "hosts": [.string(host)], "attendees": [],
            ]
        ],
    ]
}
