import Foundation
import Synchronization
import Glibc
import LiaisonModels
import LiaisonEvents
import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
@testable import Notifications

/// A notifications service on a temp database with a stub sendmail; events are fed through the
/// runtime's inbox, as the relay would.
final class TestNotifications: @unchecked Sendable {
    let dir: String
    let service: NotificationsService
    let table: MethodTable
    let under: ServiceUnderTest
    /// Warnings and errors the service logged, for a failing test's message.
    let logged: LogCapture
    let log: Logger
    let stub: String
    let clock: Clock
    var sequence: [String: Int64] = [:]

    /// A clock that runs with the wall clock, shifted by an offset (tests move it while the
    /// service's threads read it: atomic).
    final class Clock: Sendable {
        private let offset: Atomic<Int64>
        init(_ start: Int64) { offset = Atomic(start - wallClockMillis()) }
        var ms: Int64 {
            get { wallClockMillis() + offset.load(ordering: .relaxed) }
            set { offset.store(newValue - wallClockMillis(), ordering: .relaxed) }
        }
    }

    /// `stubScript` is the body of a /bin/sh script standing in for sendmail; it sees the
    /// arguments as "$@" and the message on stdin. `$LOG` is a directory for it to write to.
    init(
        stubScript: String = "cat > /dev/null; exit 0", mail: JSONObject = [:], rules: JSONObject = [:], now: Int64? = nil,
        start: Bool = true, mesh edit: (inout MeshFile) -> Void = { _ in }, prepare: ((String) throws -> Void)? = nil
    ) throws {
        let logged = LogCapture()
        self.logged = logged
        log = logged.logger(service: "notifications", minimum: .warning)
        dir = TestMesh.directory("lzn")
        try FileManager.default.createDirectory(atPath: dir + "/log", withIntermediateDirectories: true)
        stub = dir + "/sendmail"
        try "#!/bin/sh\nLOG='\(dir)/log'\n\(stubScript)\n".write(toFile: stub, atomically: true, encoding: .utf8)
        chmod(stub, 0o755)
        var mailSettings: JSONObject = [
            "transport": "sendmail", "sendmail_path": .string(stub), "from": "BIT International Office <io@bit.example.cn>",
            "bounce": "bounces@bit.example.cn", "retry_base_ms": 20, "retry_cap_ms": 50, "timeout_ms": 2000,
            // Each change mailed at once, no rate limits: the tests of those set them.
            "coalesce_s": 0, "per_recipient_per_hour": 0, "per_visit_per_hour": 0,
        ]
        for m in mail.members { mailSettings[m.key] = m.value }
        let loaded = try TestMesh.write(home: dir) {
            $0.services[1].settings = ["mail": .object(mailSettings), "rules": .object(rules)]
            edit(&$0)
        }
        try FileManager.default.createDirectory(atPath: loaded.service("notifications")!.dataDir, withIntermediateDirectories: true)
        try prepare?(loaded.service("notifications")!.dataDir)  // e.g. a database of an older schema
        let clock = Clock(now ?? wallClockMillis())
        self.clock = clock
        let ctx = ServiceContext(name: "notifications", mesh: loaded, entry: loaded.service("notifications")!, log: log)
        service = try NotificationsService(ctx, now: { clock.ms })
        under = ServiceUnderTest("notifications", service.definition, log: log)
        table = under.table
        if start { try under.start() }
    }

    deinit {
        under.stop()
        _ = system("rm -rf '\(dir)'")
    }

    /// The last event delivered, for `redeliverLast`.
    var last: CloudEvent?

    /// Offers the last event again, as the relay does after a refusal.
    @discardableResult
    func redeliverLast() throws -> JSONValue {
        try table.invoke("events.deliver", ["event": JSONEncoding.encode(last!)], uid: getuid(), log: log).get()
    }

    /// Delivers a delegation event of `type` carrying `d`.
    @discardableResult
    func deliver(_ type: String, _ d: Delegation) throws -> JSONValue {
        let key = "delegation/\(d.id)"
        let seq = (sequence[key] ?? 0) + 1
        sequence[key] = seq
        let e = CloudEvent(
            id: IDs.make("evt"), source: "delegations", type: type, subject: key, time: Timestamp.rfc3339(), partitionkey: key,
            sequence: seq, data: JSONEncoding.encode(d))
        last = e
        // As the producer: in a dev mesh the services run as this process's own account.
        return try table.invoke("events.deliver", ["event": JSONEncoding.encode(e)], uid: getuid(), log: log).get()
    }

    func call(_ method: String, _ params: JSONValue = [:], uid: UInt32 = 1000) throws -> JSONValue {
        try table.invoke(method, params, uid: uid, log: log).get()
    }

    func messages(status: String? = nil) throws -> [JSONValue] {
        try under.pages("notifications.list", limit: 500, status.map { ["status": .string($0)] } ?? [:]).joined().reversed()
    }

    /// Waits until no message is pending or sending.
    func settle(timeoutMs: Int = 10_000) throws {
        let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        while monotonicNanos() < deadline {
            let counts = try call("notifications.list", ["limit": 1])["counts"]
            if (counts?["pending"]?.intValue ?? 0) == 0 && (counts?["sending"]?.intValue ?? 0) == 0 { return }
            usleep(10_000)
        }
        throw HarnessFailure(
            "messages still pending after \(timeoutMs) ms: \(try call("notifications.list", ["limit": 1])["counts"] ?? .null)")
    }

    /// The raw message of message `id`, parsed.
    func parsed(_ id: Int64) throws -> ParsedMessage {
        let raw = try call("notifications.show", ["id": .int(id), "raw": true])["raw"]!.stringValue!
        return ParsedMessage.parse(Array(raw.utf8))
    }

    /// Lines the stub wrote to $LOG/calls (one per run: its arguments).
    func stubCalls() -> [String] {
        ((try? String(contentsOfFile: dir + "/log/calls", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }
}

/// A visit with members in four scripts, the stub's recipients at example.org.
func visit(
    id: String = "del-test1", status: DelegationStatus = .confirmed, scheduleVersion: Int = 1, start: String = "2027-03-12T09:00",
    end: String = "2027-03-13T17:00", members: [Member]? = nil, welcome: (String, String, Int) = ("2027-03-12T09:00", "2027-03-12T10:30", 1)
) -> Delegation {
    var why = ""
    var draft = DelegationDraft(
        direction: .inbound, title: "Thailand Ministry of Education delegation",
        partners: [
            PartnerRef(id: "par-th-moe", name: "Ministry of Education", nameLocal: "กระทรวงศึกษาธิการ", kind: .government, country: "TH")
        ],
        purpose: "Closer cooperation", startsAt: LocalDateTime.parse(start, why: &why)!, endsAt: LocalDateTime.parse(end, why: &why)!,
        members: members ?? [
            Member(
                name: "Somchai Prasert", nameLocal: "สมชาย ประเสริฐ", role: .head, email: "th@example.org",
                needs: Needs(dietary: "no beef", interpreter: true)),
            Member(name: "Kim Min-jun", nameLocal: "김민준", email: "ko@example.org"),
            Member(
                name: "Fatima Zahra", nameLocal: "فاطمة الزهراء", email: "ar@example.org", needs: Needs(accessibility: "step-free routes")),
            Member(name: "Li Wei", nameLocal: "李伟", email: "zh@example.org"),
            Member(name: "Interpreter without email", role: .interpreter),
        ],
        hosts: [Host(name: "International Office", email: "host@bit.example.cn", unit: "International Office", interpreter: true)],
        itinerary: [
            ItineraryItem(
                startsAt: LocalDateTime.parse(welcome.0, why: &why)!, endsAt: LocalDateTime.parse(welcome.1, why: &why)!,
                title: "Welcome meeting", venue: "Main Building 301", hosts: ["host@bit.example.cn"])
        ])
    draft.itinerary[0].id = "it-welcome"
    draft.itinerary[0].rev = welcome.2
    var d = Delegation(
        id: id, ref: "DEL-2027-0001", version: 2, status: status, scheduleVersion: scheduleVersion, draft: draft,
        createdAt: "2026-11-29T00:00:00.000Z", updatedAt: "2026-11-29T00:00:00.000Z")
    d.status = status
    return d
}
