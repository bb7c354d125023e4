import Foundation
import LiaisonModels
import LiaisonEvents
import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonSync
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
@testable import Agreements

/// An agreements service on a temp database, called through its method table.
final class TestAgreements: @unchecked Sendable {
    let dir: String
    let service: AgreementsService
    let table: MethodTable
    let under: ServiceUnderTest
    let log = Logger(service: "agreements", minimum: .error) { _ in }

    /// `prepare` runs on the data directory before the database is opened in it.
    init(now: @escaping @Sendable () -> Int64 = { wallClockMillis() }, prepare: (String) throws -> Void = { _ in }) throws {
        let (home, ctx) = try TestMesh.context(for: "agreements", prefix: "lza", log: log) {
            $0.services[1].consumes = ["delegation.*", "agreement.*"]
        }
        try prepare(ctx.entry.dataDir)
        dir = home
        service = try AgreementsService(ctx, now: now)
        under = ServiceUnderTest("agreements", service.definition, log: log)
        table = under.table
    }

    deinit { TestMesh.remove(dir) }

    func ok(_ m: String, _ p: JSONValue, uid: UInt32 = 1000) throws -> JSONValue { try table.invoke(m, p, uid: uid, log: log).get() }
    func error(_ m: String, _ p: JSONValue) -> ServiceError? {
        if case .failure(let e) = table.invoke(m, p, log: log) { return e }
        return nil
    }

    /// Event types in the outbox, in order.
    func events() throws -> [String] {
        (try ok("events.outbox", ["limit": 1000])["items"]?.arrayValue ?? []).map { $0["type"]!.stringValue! }.filter {
            $0.hasPrefix("agreement.")
        }
    }

    /// Delivers a delegation.completed event for a visit, as delegations would.
    /// `also`: the countries of further partners (a joint visit).
    func project(id: String, country: String, start: String, also: [String] = []) throws {
        var d: JSONValue = [
            "id": .string(id), "ref": .string("DEL-\(id)"), "version": 4, "status": "completed", "schedule_version": 1,
            "direction": "inbound",
            "title": .string("Visit \(id)"), "partner": ["name": "P", "kind": "government", "country": .string(country)],
            "time_zone": "Asia/Shanghai", "starts_at": .string(start + "T09:00"), "ends_at": .string(start + "T17:00"),
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        ]
        if !also.isEmpty, case .object(var o) = d {
            o["partner"] = nil
            o["partners"] = .array(
                ([country] + also).map { ["name": .string("P \($0)"), "kind": "university", "country": .string($0)] })
            d = .object(o)
        }
        let e: JSONValue = [
            "specversion": "1.0", "id": .string("evt-\(id)"), "source": "delegations", "type": "delegation.completed",
            "subject": .string("delegation/\(id)"),
            "time": "2026-01-01T00:00:00Z", "partitionkey": .string("delegation/\(id)"), "sequence": 1,
            "datacontenttype": "application/json", "data": d,
        ]
        _ = try ok("events.deliver", ["event": e], uid: getuid())  // as the producer, the mesh's own account
    }

    /// Creates, negotiates and signs; returns (id, version).
    func signed(_ draft: JSONValue, signedOn: String = "2024-01-10") throws -> (JSONValue, Int64) {
        let a = try ok("agreements.create", draft)
        let n = try ok("agreements.negotiate", ["id": a["id"]!, "expected_version": a["version"]!])
        let s = try ok("agreements.sign", ["id": a["id"]!, "expected_version": n["version"]!, "signed_on": .string(signedOn)])
        return (a["id"]!, s["version"]!.intValue!)
    }
}

func uganda(
    start: String? = "2024-07-09", end: String? = "2029-07-08", reference: String? = nil, title: String = "Study in BIT Uganda Workstation"
) -> JSONValue {
    var o: JSONObject = [
        "title": .string(title), "kind": "workstation",
        "partners": [
            [
                "name": "China Communications Construction Company", "name_local": "中国交通建设股份有限公司", "kind": "enterprise", "country": "UG",
                "contact_email": "partner@example.org",
            ]
        ],
        "coordinator": ["name": "International Office", "email": "io@bit.example.cn"],
        "focus_areas": ["talent co-cultivation"],
        "signatories": [["name": "Representative of BIT", "side": "bit"], ["name": "Representative of CCCC", "side": "CCCC"]],
        "documents": [["title": "Signed agreement", "sha256": .string(String(repeating: "ab", count: 32))]],
    ]
    if let start { o["starts_on"] = .string(start) }
    if let end { o["ends_on"] = .string(end) }
    if let reference { o["reference"] = .string(reference) }
    return .object(o)
}

/// A clock the tests move from day to day: a sweep applies on the real day only (issue 26), so
/// the days an agreement lives through are lived on this clock.
final class DayClock: Sendable {
    private let millis = Locked<Int64>(wallClockMillis())

    var now: @Sendable () -> Int64 { { [millis] in millis.withLock { $0 } } }

    /// Noon (UTC) of `day`, written YYYY-MM-DD.
    func set(_ day: String) {
        let date = ISO8601DateFormatter().date(from: day + "T12:00:00Z")!
        millis.withLock { $0 = Int64(date.timeIntervalSince1970 * 1000) }
    }
}
