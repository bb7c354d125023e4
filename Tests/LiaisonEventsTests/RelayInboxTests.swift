import LiaisonJSON
import Foundation
import Glibc
import LiaisonSync
import Synchronization
import Testing
import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonTestSupport
@testable import LiaisonStore
@testable import LiaisonWire

/// A consumer whose handler can be told to fail, run on a real socket with the runtime's inbox.
final class FlakyConsumer: EventConsumer, @unchecked Sendable {
    let eventStore: Store
    /// Event subjects refused non-retryably until cleared.
    let poison = Locked<Set<String>>([])
    /// Event subjects refused retryably.
    let flaky = Locked<Set<String>>([])
    /// Event subjects refused as a full disk refuses them.
    let full = Locked<Set<String>>([])
    let applied = Locked<[(key: String, seq: Int64, subject: String)]>([])
    /// Each applied event's data version and data.
    let data = Locked<[(version: Int, data: JSONValue)]>([])

    init(path: String) throws {
        eventStore = try Store(path: path, migrations: [], components: [("inbox", Inbox.migrations)])
    }

    func handle(event: CloudEvent, db: Database) throws -> EventDisposition {
        if poison.withLock({ $0.contains(event.subject) }) {
            throw ServiceError(.invalidParams, "cannot use \(event.subject)", retryable: false)
        }
        if flaky.withLock({ $0.contains(event.subject) }) {
            throw ServiceError(.unavailable, "not now: \(event.subject)", retryable: true)
        }
        if full.withLock({ $0.contains(event.subject) }) {
            throw ServiceError(.unavailable, "the disk is full", retryable: true, details: ["reason": "disk_full"])
        }
        applied.withLock { $0.append((event.partitionkey, event.sequence, event.subject)) }
        data.withLock { $0.append((event.dataversion ?? 1, event.data)) }
        return .applied
    }
}

/// A dispatcher over a method table, for serving a consumer in-process.
struct TableDispatcher: CallDispatcher {
    let table: MethodTable
    let log: Logger
    func admit(_ peer: PeerCredentials) -> ServiceError? { nil }
    func dispatch(_ call: IncomingCall, _ responder: Responder) {
        switch table.invoke(call.method, call.params, log: log) {
        case .success(let v): responder.reply(v)
        case .failure(let e): responder.fail(e)
        }
    }
}

final class RelayFixture: @unchecked Sendable {
    let dir: String
    let producer: Store
    let consumer: FlakyConsumer
    let socket: String
    /// What the relay and consumer logged, for a failure's message.
    let logged = LogCapture()
    let log: Logger
    var relay: EventRelay!
    var producerTable = MethodTable()
    var loop: EventLoop?
    var listener: Listener?
    var server: WireServer?

    /// `seed`, when given, first prepares the producer's database at its path (an older schema).
    init(settings: EventSettings, versions: EventVersions = .release, seed: ((String) throws -> Void)? = nil) throws {
        var t = Array("/tmp/lzr-XXXXXX".utf8CString)
        dir = t.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        socket = dir + "/c.sock"
        log = logged.logger(service: "test")
        try seed?(dir + "/p.db")
        producer = try Store(path: dir + "/p.db", migrations: [], components: [("outbox", Outbox.migrations)])
        consumer = try FlakyConsumer(path: dir + "/c.db")
        let subs = Subscriptions([.delegationUpdated: [.init(name: "consumer", socket: socket, maxFrame: 1 << 20)]])
        relay = EventRelay(
            store: producer,
            source: "producer",
            subscriptions: subs,
            settings: settings,
            log: log,
            versions: versions
        )
        EventMethods.registerProducer(&producerTable, store: producer, source: "producer", relay: relay)
        try relay.start()
    }

    /// Serves `events.deliver` with frames up to `maxFrame`; with `describes`, also a
    /// `service.describe` that says so (as every service's does).
    /// `reads`, when given, are the versions of each type the consumer reads: it says so in its
    /// `service.describe` and refuses anything newer as `upgrade_needed`.
    func startConsumer(maxFrame: Int = FrameLimits.defaultMax, describes: Bool = false, reads: [String: [Int]]? = nil) throws {
        var table = MethodTable()
        EventMethods.registerConsumer(&table, store: consumer.eventStore, consumer: consumer, log: log, reads: reads)
        if describes || reads != nil {
            var answer: JSONObject = ["limits": ["max_frame_bytes": .int(Int64(maxFrame))]]
            if let reads { answer["events"] = ["reads": JSONEncoding.encode(reads)] }
            table.add(
                MethodSpec(name: "service.describe", summary: "Limits only.", params: NoParams.schema, result: .any, execution: .inline) {
                    [answer] _, _ in .object(answer)
                })
        }
        var limits = ServerLimits()
        limits.maxFrame = maxFrame
        let l = try Listener.bind(path: socket)
        let loop = try EventLoop()
        let server = WireServer(listenFD: l.fd, loop: loop, limits: limits, dispatcher: TableDispatcher(table: table, log: log))
        server.start()
        try OwnedThread.start(name: "consumer") { loop.run() }
        self.loop = loop
        self.server = server
        listener = l
    }

    /// A consumer that refuses (as `upgrade_needed`) what `reads` does not list, but whose
    /// `service.describe` says nothing of it, as a service might.
    func startConsumerKnowing(_ reads: [String: [Int]]) throws {
        var table = MethodTable()
        EventMethods.registerConsumer(&table, store: consumer.eventStore, consumer: consumer, log: log, reads: reads)
        let l = try Listener.bind(path: socket)
        let loop = try EventLoop()
        let server = WireServer(listenFD: l.fd, loop: loop, limits: ServerLimits(), dispatcher: TableDispatcher(table: table, log: log))
        server.start()
        try OwnedThread.start(name: "consumer") { loop.run() }
        self.loop = loop
        self.server = server
        listener = l
    }

    func stopConsumer() {
        loop?.stop()
        usleep(20_000)
        listener?.close()
        listener = nil
        loop = nil
    }

    /// Commits one event per subject, in order, each in its own transaction.
    func produce(_ subjects: [String], key: (String) -> String = { _ in "k" }) throws {
        for s in subjects { try produceTogether([(s, key(s), 0)]) }
    }

    /// Commits events (subject, key, bytes of filler to make it larger) in one transaction.
    func produceTogether(
        _ events: [(subject: String, key: String, padding: Int)],
        type: EventType = .delegationUpdated,
        dataVersion: Int = 1
    ) throws {
        try producer.write { db in
            for e in events {
                // Version 2 of the test's data names the subject `subject`; version 1 named it `s`.
                var data: JSONObject = dataVersion > 1 ? ["subject": .string(e.subject)] : ["s": .string(e.subject)]
                if e.padding > 0 { data["pad"] = .string(String(repeating: "x", count: e.padding)) }
                try Outbox.append(
                    db, source: "producer", type: type, subject: e.subject, partitionKey: e.key,
                    dataJSON: JSONWriter.encode(.object(data)), subscribers: ["consumer"], dataVersion: dataVersion)
            }
        }
    }

    /// Deliveries to the consumer in `status`, as `events.queue` lists them: (outbox seq, subject).
    func deliveries(_ status: String) throws -> [(Int64, String)] {
        let rows = try producerTable.invoke("events.queue", ["status": .string(status), "limit": 1000], log: log).get()["deliveries"]
        return try producer.read { db in
            try (rows?.arrayValue ?? []).map { r in
                let seq = r["outbox_seq"]?.intValue ?? 0
                let event: [UInt8] = try db.queryOne("SELECT event FROM outbox WHERE seq = ?", [seq])?["event"] ?? []
                return (seq, try JSONParser.parse(event)["subject"]?.stringValue ?? "?")
            }
        }
    }

    func waitUntil(_ what: String, timeoutMs: Int = 10_000, _ cond: () throws -> Bool) throws {
        let deadline = monotonicNanos() + UInt64(timeoutMs) * 1_000_000
        while try !cond() {
            if monotonicNanos() > deadline {
                let rows = try producer.read { db in
                    try db.query("SELECT outbox_seq, status, attempts, last_error FROM delivery_exceptions").map { r in
                        "\(try r["outbox_seq"] as Int64) \(try r["status"] as String) \(try r["attempts"] as Int64) \(try r["last_error"] as String?)"
                    }
                }
                throw HarnessFailure("timed out waiting for \(what); deliveries: \(rows); log:\n\(logged.text)")
            }
            usleep(5_000)
        }
    }

    func appliedSubjects() -> [String] { consumer.applied.withLock { $0.map(\.subject) } }

    deinit {
        relay.stop(deadline: monotonicNanos() + 1_000_000_000)
        stopConsumer()
        _ = system("rm -rf '\(dir)'")
    }
}

func fastSettings() -> EventSettings {
    var s = EventSettings()
    s.retryBaseMs = 10
    s.retryCapMs = 50
    s.maxAttempts = 3
    s.pollMs = 50
    // A call the consumer never answers is tried again after 2 s, not 10 (once in CI a relay
    // that connected while the test's consumer was starting waited out a whole test's timeout).
    s.callTimeoutMs = 2000
    return s
}

@Suite(.serialized, .timeLimit(.minutes(6))) struct RelayInboxTests {
    @Test func deliversInOrderAcrossKeysOnceEach() throws {
        let f = try RelayFixture(settings: fastSettings())
        try f.startConsumer()
        let subjects = (0..<300).map { "s\($0)" }
        try f.produce(subjects) { "key\(Int($0.dropFirst())! % 7)" }
        try f.waitUntil("all applied") { f.appliedSubjects().count == 300 }
        let applied = f.consumer.applied.withLock { $0 }
        for k in 0..<7 {
            let seqs = applied.filter { $0.key == "key\(k)" }.map(\.seq)
            #expect(seqs == Array(1...Int64(seqs.count)), "key\(k) in order, no gaps, no repeats")
        }
        // The relay marks a delivery done when the consumer's answer arrives, just after the
        // consumer committed it.
        try f.waitUntil("all marked delivered") { try f.deliveries("delivered").count == 300 }
    }

    @Test func waitsForAConsumerThatIsDownWithoutCountingAttempts() throws {
        let f = try RelayFixture(settings: fastSettings())
        try f.produce((0..<20).map { "s\($0)" })
        usleep(300_000)
        #expect(try f.deliveries("pending").count == 20)
        #expect(
            try f.producer.read { db in try db.queryOne("SELECT count(*) AS n FROM delivery_exceptions")?["n"] as Int64? } == 0,
            "an unreachable consumer counts no attempt and lists nothing")
        #expect(f.relay.health()["consumer"]?.reachable == false)
        try f.startConsumer()
        try f.waitUntil("delivery after the consumer came up") { f.appliedSubjects().count == 20 }
        #expect(f.appliedSubjects() == (0..<20).map { "s\($0)" })
    }

    @Test func aNonRetryableFailureIsDeadAndBlocksOnlyItsKeyUntilRedriven() throws {
        let f = try RelayFixture(settings: fastSettings())
        f.consumer.poison.withLock { $0 = ["a2"] }
        try f.startConsumer()
        try f.produce(["a1", "a2", "a3", "b1", "b2"]) { String($0.prefix(1)) }
        try f.waitUntil("a2 dead") { try f.deliveries("dead").map(\.1) == ["a2"] }
        try f.waitUntil("key b flows") { f.appliedSubjects().filter { $0.hasPrefix("b") } == ["b1", "b2"] }
        usleep(100_000)
        #expect(!f.appliedSubjects().contains("a3"), "a3 waits behind the dead a2")
        let dead = try f.deliveries("dead")[0].0
        let row = try f.producerTable.invoke("events.queue", ["status": "dead"], log: f.log).get()["deliveries"]?[0]
        #expect(row?["last_error"]?.stringValue?.contains("cannot use a2") == true)
        #expect(row?["attempts"] == 1, "dead at once: not retried")

        f.consumer.poison.withLock { $0 = [] }  // the fix
        _ = try f.producerTable.invoke("events.redrive", ["outbox_seq": .int(dead), "subscriber": "consumer"], uid: 7, log: f.log).get()
        try f.waitUntil("redrive delivers a2 then a3") { f.appliedSubjects().filter { $0.hasPrefix("a") } == ["a1", "a2", "a3"] }
        let audit = try f.producerTable.invoke("events.audit", [:], log: f.log).get()["items"]?[0]
        #expect(audit?["action"] == "redrive" && audit?["uid"] == 7)
    }

    @Test func skipMovesTheKeyPastAPoisonEvent() throws {
        let f = try RelayFixture(settings: fastSettings())
        f.consumer.poison.withLock { $0 = ["x2"] }
        try f.startConsumer()
        try f.produce(["x1", "x2", "x3", "x4"])
        try f.waitUntil("x2 dead") { try f.deliveries("dead").count == 1 }
        let seq = try f.deliveries("dead")[0].0
        _ = try f.producerTable.invoke(
            "events.skip", ["outbox_seq": .int(seq), "subscriber": "consumer", "reason": "bad data"], log: f.log
        ).get()
        try f.waitUntil("x3 and x4 after the skip") { f.appliedSubjects() == ["x1", "x3", "x4"] }
        #expect(try f.deliveries("skipped").map(\.1) == ["x2"])
        #expect(try f.deliveries("dead").isEmpty)
        let missing = f.producerTable.invoke("events.skip", ["outbox_seq": .int(seq), "subscriber": "consumer"], log: f.log)
        #expect((try? missing.get()) == nil, "a delivery already skipped cannot be skipped again")
    }

    @Test func retryableFailuresBackOffThenDieAtTheCap() throws {
        let f = try RelayFixture(settings: fastSettings())
        f.consumer.flaky.withLock { $0 = ["r1"] }
        try f.startConsumer()
        try f.produce(["r1"])
        try f.waitUntil("r1 dead after 3 attempts") { try f.deliveries("dead").count == 1 }
        let row = try f.producerTable.invoke("events.queue", ["status": "dead"], log: f.log).get()["deliveries"]?[0]
        #expect(row?["attempts"] == 3)
        #expect(row?["last_error"]?.stringValue?.hasPrefix("gave up after 3 attempts") == true)
        f.consumer.flaky.withLock { $0 = [] }
        _ = try f.producerTable.invoke("events.redrive", ["all_dead": true], log: f.log).get()
        try f.waitUntil("delivered after the redrive") { f.appliedSubjects() == ["r1"] }
    }

    /// A subscriber whose disk is full holds the event without counting attempts (it would be
    /// dead after 3 otherwise), and takes it once space is back (issue 26, item 5).
    @Test func aSubscribersFullDiskHoldsTheEventWithoutCountingAttempts() throws {
        let f = try RelayFixture(settings: fastSettings())
        f.consumer.full.withLock { $0 = ["f1"] }
        try f.startConsumer()
        try f.produce(["f1"])
        try f.waitUntil("f1 held for the full disk") {
            let rows = try f.producerTable.invoke("events.queue", ["status": "pending"], log: f.log).get()["deliveries"]
            return rows?[0]?["last_error"]?.stringValue?.hasPrefix("subscriber disk full") == true
        }
        let row = try f.producerTable.invoke("events.queue", ["status": "pending"], log: f.log).get()["deliveries"]?[0]
        #expect(row?["attempts"] == 0, "\(String(describing: row))")
        #expect(try f.deliveries("dead").isEmpty)
        #expect(f.logged.text.contains("relay.waiting_disk"))
        f.consumer.full.withLock { $0 = [] }
        try f.waitUntil("f1 delivered once space is back") { f.appliedSubjects() == ["f1"] }
    }

    @Test func anEventAroundPreEncodedDataIsTheDocumentTheEncoderWrites() throws {
        let data: JSONValue = ["title": "Визит \"делегации\"\n", "n": 3, "members": [["name": "김민준"]], "none": nil]
        let event = CloudEvent(
            id: "evt-1", source: "delegations", type: "delegation.updated", subject: "delegation/del-1",
            time: "2026-11-29T05:00:00.000Z", partitionkey: "delegation/del-1", sequence: 42, data: data)
        let spliced = CloudEvent.json(
            id: event.id, source: event.source, type: event.type, subject: event.subject, time: event.time,
            partitionkey: event.partitionkey, sequence: event.sequence, dataJSON: JSONWriter.encode(data))
        #expect(try JSONParser.parse(Array(spliced.utf8)) == JSONEncoding.encode(event))
        #expect(try JSONDecoding.decode(CloudEvent.self, from: Array(spliced.utf8)) == event)
    }

    @Test func aDuplicateSentByHandIsAcknowledgedWithoutEffect() throws {
        let f = try RelayFixture(settings: fastSettings())
        try f.startConsumer()
        try f.produce(["d1"])
        try f.waitUntil("d1 applied") { f.appliedSubjects() == ["d1"] }
        let event = try f.producer.read { db in try JSONParser.parse(try db.queryOne("SELECT event FROM outbox")!["event"] as [UInt8]) }
        let c = try WireClient(path: f.socket)
        #expect(try c.call("events.deliver", ["event": event]) == ["duplicate": true, "status": "duplicate"])
        #expect(
            try c.call("events.deliver", ["events": [event, event]])["results"]?.arrayValue?.map { $0["status"] } == [
                "duplicate", "duplicate",
            ])
        #expect(f.appliedSubjects() == ["d1"], "no second effect")
    }

    @Test func aSequenceGapIsRefusedAsRetryable() throws {
        let f = try RelayFixture(settings: fastSettings())
        try f.startConsumer()
        let c = try WireClient(path: f.socket)
        let e2: JSONValue = [
            "specversion": "1.0", "id": "evt-2", "source": "elsewhere", "type": "thing.changed", "subject": "g",
            "time": "2026-01-01T00:00:00Z",
            "partitionkey": "g", "sequence": 2, "datacontenttype": "application/json", "data": [:],
        ]
        do {
            _ = try c.call("events.deliver", ["event": e2])
            Issue.record("a gap was accepted")
        } catch {
            #expect(error.retryable)
            #expect(error.message.contains("sequence gap on g"))
        }
        let bad = try c.call("events.deliver", ["events": [["id": "x"]]])["results"]?[0]
        #expect(bad?["status"] == "failed")
        #expect(bad?["error"]?["code"] == "invalid_params")
    }

    @Test func prunesDeliveredRowsAfterTheRetention() throws {
        var s = fastSettings()
        s.pruneDeliveredAfterMs = 0
        s.pruneEveryMs = 20
        let f = try RelayFixture(settings: s)
        try f.startConsumer()
        try f.produce(["p1", "p2"])
        try f.waitUntil("delivered") { f.appliedSubjects().count == 2 }
        try f.waitUntil("pruned") { try f.producer.read { db in try db.queryOne("SELECT count(*) AS n FROM outbox")?["n"] as Int64? } == 0 }
        #expect(
            try f.producer.read { db in try db.queryOne("SELECT count(*) AS n FROM relay_acks")?["n"] as Int64? } == 1, "the position stays"
        )
        #expect(
            try f.producer.read { db in try db.queryOne("SELECT last_seq FROM outbox_keys")?["last_seq"] as Int64? } == 2,
            "per-key sequences survive pruning")
    }
}
