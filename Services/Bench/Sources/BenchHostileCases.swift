import LiaisonCLI
import CLiaisonShims
import Foundation
import Glibc
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Synchronization

extension Bench.Hostile {
    /// Another user holds `idle` connections (`liaison bench hold` as a child) while the three
    /// calls are timed from this user.
    mutating func idleFlood() throws -> JSONValue {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "liaison"
        var args = [exe, "hold", "--socket", try socket(service), "--connections", String(idle)]
        if getuid() == 0 && holderUID != 0 { args += ["--uid", String(holderUID)] }
        // The holder reads its stdin until we close it, and says how it went on one line.
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1]
        guard liaison_pipe2(&input, 0) == 0, liaison_pipe2(&output, 0) == 0 else { throw SystemError("pipe2") }
        let pid: Int32
        do {
            pid = try Subprocess.spawn(
                exe,
                arguments: args,
                environment: Subprocess.currentEnvironment(),
                fds: [input[0], output[1], 2]
            )
        } catch {
            for fd in input + output { close(fd) }
            throw error
        }
        close(input[0])
        close(output[1])
        defer {
            close(input[1])
            var status: Int32 = 0
            _ = restartingEINTR { waitpid(pid, &status, 0) }
            close(output[0])
        }
        var line: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while !line.contains(0x0A) {
            let n = restartingEINTR { read(output[0], &buf, buf.count) }.0
            if n <= 0 { break }
            line += buf[0..<n]
        }
        let holder = (try? JSONParser.parse(line)) ?? ["error": "the holder said nothing"]
        return ["holder": holder, "while_held": try threeCalls()]
    }

    /// `flood` pipelined list calls on one connection (one thread sends, one reads) while
    /// `service.health` is timed on others.
    mutating func pipelined() throws -> JSONValue {
        let path = try socket(service)
        let fd = try UnixSocket.connect(path, timeoutMs: 5000)
        defer { close(fd) }
        let frame = Message.call(
            id: "f",
            method: "delegations.list",
            params: ["limit": .int(Int64(listLimit))],
            timeoutMs: 120_000
        )
        .framed()
        let answered = Atomic<Int>(0), finished = Atomic<Bool>(false)
        let n = flood
        let t0 = monotonicNanos()
        try OwnedThread.start(name: "flood-send") {
            for _ in 0..<n { guard (try? UnixSocket.sendAll(fd, frame)) != nil else { return } }
        }
        try OwnedThread.start(name: "flood-read") {
            defer { finished.store(true, ordering: .releasing) }
            var decoder = FrameDecoder(maxFrame: 16 << 20)
            var buf = [UInt8](repeating: 0, count: 256 * 1024)
            while answered.load(ordering: .relaxed) < n {
                let got = recv(fd, &buf, buf.count, 0)
                guard got > 0 else { return }
                buf.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
                while case .some(.some) = try? decoder.next() { answered.wrappingAdd(1, ordering: .relaxed) }
            }
        }
        while answered.load(ordering: .relaxed) < 1 && !finished.load(ordering: .acquiring) { usleep(1000) }
        let health = time(path, "service.health")
        let duringFlood = answered.load(ordering: .relaxed) < n
        while !finished.load(ordering: .acquiring) { usleep(5000) }
        let got = answered.load(ordering: .relaxed)
        failed += n - got
        return [
            "calls": .int(Int64(n)), "page": .int(Int64(listLimit)), "answered": .int(Int64(got)),
            "seconds_for_all": .double(Double((monotonicNanos() - t0) / 1_000_000) / 1000),
            "service_health_meanwhile": health,
            "health_timed_during_flood": .bool(duringFlood),
        ]
    }

    /// A client sends `flood` list calls and never reads an answer: the service's memory is
    /// sampled for three seconds (it stops reading that client once its answers pile up).
    mutating func neverReading() throws -> JSONValue {
        let (pid, _) = try row()
        let fd = try UnixSocket.connect(try socket(service), timeoutMs: 5000)
        let frame = Message.call(id: "n", method: "delegations.list", params: ["limit": .int(Int64(listLimit))])
            .framed()
        let before = Self.memory(pid)
        let n = flood
        try OwnedThread.start(name: "never-read") {
            for _ in 0..<n { guard (try? UnixSocket.sendAll(fd, frame)) != nil else { return } }
        }
        var peak = before.rss
        for _ in 0..<30 {
            usleep(100_000)
            peak = max(peak, Self.memory(pid).rss)
        }
        let health = time(try socket(service), "service.health")
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        return [
            "calls_sent": .int(Int64(n)), "rss_kib_before": .int(Int64(before.rss)), "rss_kib_peak": .int(Int64(peak)),
            "growth_kib": .int(Int64(peak - before.rss)), "service_health_meanwhile": health,
        ]
    }

    /// `closed` connections, each sending a frame that announces 1 MiB (the odd ones all of it, the
    /// even ones half) and closing: the service's memory before, at its peak, and a second after
    /// the last close (a closed connection's buffer must go with it).
    mutating func closedFrames() throws -> JSONValue {
        let (pid, _) = try row()
        let path = try socket(service)
        let size = FrameLimits.defaultMax - 16
        var frame = [UInt8]()
        FrameEncoder.appendHeader(UInt32(size), to: &frame)
        frame.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: size))
        let half = Array(frame.prefix(4 + size / 2))
        let before = Self.memory(pid)
        var peak = before.rss
        let t0 = monotonicNanos()
        for i in 0..<closed {
            let fd = try UnixSocket.connect(path, timeoutMs: 5000)
            try? UnixSocket.sendAll(fd, i % 2 == 0 ? half : frame)
            close(fd)
            if i % 50 == 0 { peak = max(peak, Self.memory(pid).rss) }
        }
        let seconds = Double(monotonicNanos() - t0) / 1e9
        let health = time(path, "service.health")
        usleep(1_000_000)
        let after = Self.memory(pid)
        return [
            "connections": .int(Int64(closed)), "seconds": .double(seconds),
            "rss_kib_before": .int(Int64(before.rss)), "rss_kib_peak": .int(Int64(max(peak, after.rss))),
            "rss_kib_after": .int(Int64(after.rss)), "growth_kib": .int(Int64(after.rss - before.rss)),
            "service_health_after": health,
        ]
    }

    /// A visit's confirmation handed to notifications as if agreements had sent it, and a visit
    /// handed to agreements as if from notifications: each must be refused (its source does not
    /// emit the type), applied nowhere and logged.
    func forged() throws -> JSONValue {
        let first = try ctx.callRaw(service, "delegations.list", ["limit": 1])["items"]?[0]
        guard let id = first?["id"]?.stringValue else { return ["skipped": "no visit"] }
        let visit = try ctx.callRaw(service, "delegations.get", ["id": .string(id)])
        var out: [JSONValue] = []
        for (to, source) in [("notifications", "agreements"), ("agreements", "notifications")] {
            let event: JSONValue = [
                "specversion": "1.0", "id": .string("evt-bench-forged-\(source)-\(monotonicNanos())"),
                "source": .string(source), "type": "delegation.confirmed", "subject": .string(id),
                "datacontenttype": "application/json", "time": .string(Timestamp.rfc3339(millis: wallClockMillis())),
                "partitionkey": .string("delegation/" + id), "sequence": 1, "data": visit,
            ]
            let r = try ctx.callRaw(to, "events.deliver", ["events": [event]])["results"]?[0]
            // The supervisor writes the service's log as it reads it: give it a few seconds.
            let logFile = ctx.home + "/log/\(to).log"
            var logged = false
            for _ in 0..<50 where !logged {
                logged = ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "").contains("event=event.refused")
                if !logged { usleep(100_000) }
            }
            out.append([
                "to": .string(to), "source": .string(source), "status": r?["status"] ?? .null,
                "code": r?["error"]?["code"] ?? .null, "logged": .bool(logged),
            ])
        }
        return .array(out)
    }

    /// Another process pipelines `checks` 1,000-item itinerary checks on one connection while
    /// this one times `delegations.list`: reads take turns between processes, so the list waits
    /// for a thread beside the flood's share, not behind all of it.
    mutating func checkFlood(checks: Int) throws -> JSONValue {
        let path = try socket(service)
        let idle = time(path, "delegations.list", ["limit": 1])
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "liaison"
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1]
        guard liaison_pipe2(&input, 0) == 0, liaison_pipe2(&output, 0) == 0 else { throw SystemError("pipe2") }
        let pid = try Subprocess.spawn(
            exe,
            arguments: [exe, "pipeline", "--socket", path, "--method", "delegations.check", "--calls", String(checks)],
            environment: Subprocess.currentEnvironment(),
            fds: [input[0], output[1], 2]
        )
        close(input[0])
        close(output[1])
        try? FD.writeAll(
            input[1],
            Array(JSONWriter.string(Self.draft("Bench flood", items: 1000, venue: "Flood hall")).utf8)
        )
        close(input[1])
        usleep(100_000)  // the flood under way
        // Lists, one after another, for as long as the flood lasts.
        var h = LatencyHistogram()
        var bad = 0
        var status: Int32 = 0
        while restartingEINTR({ waitpid(pid, &status, WNOHANG) }).0 == 0 {
            let t0 = monotonicNanos()
            do {
                _ = try WireClient(path: path, timeoutMs: 60_000).call(
                    "delegations.list",
                    ["limit": 1],
                    timeoutMs: 60_000
                )
            } catch { bad += 1 }
            h.record(micros: (monotonicNanos() - t0) / 1000)
        }
        failed += bad
        let during: JSONValue = [
            "calls": .int(Int64(h.count)), "p50_us": .int(Int64(h.percentile(0.5))), "max_us": .int(Int64(h.maxMicros)),
            "failed": .int(Int64(bad)),
        ]
        var text: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = restartingEINTR { read(output[0], &buf, buf.count) }.0
            if n <= 0 { break }
            text += buf[0..<n]
        }
        close(output[0])
        return [
            "checks": .int(Int64(checks)), "flood": (try? JSONParser.parse(text)) ?? .null,
            "list_idle": idle, "list_during": during,
        ]
    }

    /// Five stored visits of 200 items sharing a host and a room, then a 1,000-item check
    /// against them; the visits are cancelled afterwards.
    mutating func check() throws -> JSONValue {
        let (pid, _) = try row()
        var stored: [(JSONValue, JSONValue)] = []
        for v in 0..<5 {
            let d = try ctx.callRaw(
                service,
                "delegations.create",
                Self.draft("Bench hostile check \(v)", items: 200, venue: "Bench check hall")
            )
            stored.append((d["id"] ?? .null, d["version"] ?? 1))
        }
        defer {
            for (id, version) in stored {
                _ = try? ctx.callRaw(
                    service,
                    "delegations.cancel",
                    ["id": id, "expected_version": version, "reason": "bench hostile"]
                )
            }
        }
        let mem0 = Self.memory(pid)
        let t0 = monotonicNanos()
        let r = try ctx.callRaw(
            service,
            "delegations.check",
            Self.draft("Bench hostile check", items: 1000, venue: "Bench check hall")
        )
        let ms = Double((monotonicNanos() - t0) / 1000) / 1000
        let mem1 = Self.memory(pid)
        return [
            "items": 1000, "stored_items": 1000, "ms": .double(ms),
            "findings_returned": .int(Int64(r["findings"]?.arrayValue?.count ?? 0)),
            "findings_total": r["findings_total"] ?? .null,
            "answer_bytes": .int(Int64(JSONWriter.string(r).utf8.count)),
            "rss_kib_before": .int(Int64(mem0.rss)), "rss_kib_after": .int(Int64(mem1.rss)),
            "hwm_kib_before": .int(Int64(mem0.hwm)),
            "hwm_kib_after": .int(Int64(mem1.hwm)),
        ]
    }

    func printReport(_ r: JSONObject) {
        func us(_ v: JSONValue?) -> String { latencyText(micros: Double(v?.intValue ?? 0)) }
        func calls(_ v: JSONValue?) -> String {
            ["service_health", "supervisor_status", "ordinary_call"].compactMap { k in
                guard let c = v?[k] else { return nil }
                return "\(k) p50 \(us(c["p50_us"])) max \(us(c["max_us"]))"
                    + ((c["failed"]?.intValue ?? 0) > 0 ? " (\(c["failed"]!.intValue!) failed)" : "")
            }.joined(separator: "; ")
        }
        ctx.print("baseline: \(calls(r["baseline"]))")
        if let i = r["idle_connections"] {
            ctx.print("\(idle) idle connections by uid \(holderUID) (\(JSONWriter.string(i["holder"] ?? .null))):")
            ctx.print("  \(calls(i["while_held"]))")
        }
        let p = r["pipelined_flood"]
        ctx.print(
            "\(flood) pipelined delegations.list (limit \(listLimit)): all answered in "
                + "\(latencyText(micros: (p?["seconds_for_all"]?.doubleValue ?? 0) * 1e6)); service.health meanwhile "
                + "p50 "
                + "\(us(p?["service_health_meanwhile"]?["p50_us"])) max "
                + "\(us(p?["service_health_meanwhile"]?["max_us"]))"
        )
        let n = r["never_reading_client"]
        ctx.print(
            "client that never reads: service RSS grew \(n?["growth_kib"]?.intValue ?? 0) KiB "
                + "(peak \(n?["rss_kib_peak"]?.intValue ?? 0) KiB)"
        )
        let c = r["itinerary_check"]
        ctx.print(
            "1,000-item check against 1,000 stored items: \(latencyText(micros: (c?["ms"]?.doubleValue ?? 0) * 1000)), "
                + "\(c?["findings_returned"]?.intValue ?? 0) of \(c?["findings_total"]?.intValue ?? 0) findings "
                + "spelled out, "
                + "\(c?["answer_bytes"]?.intValue ?? 0) bytes; RSS \(c?["rss_kib_after"]?.intValue ?? 0) KiB, "
                + "peak \(c?["hwm_kib_after"]?.intValue ?? 0) KiB"
        )
        for f in r["forged_events"]?.arrayValue ?? [] {
            ctx.print(
                "delegation.confirmed said to come from \(f["source"]?.stringValue ?? "?") to "
                    + "\(f["to"]?.stringValue ?? "?"): \(f["status"]?.stringValue ?? "?") "
                    + "(\(f["code"]?.stringValue ?? "-")), \(f["logged"] == true ? "logged" : "NOT logged")"
            )
        }
        if let f = r["check_flood"] {
            ctx.print(
                "\(f["checks"]?.intValue ?? 0) pipelined 1,000-item checks from another process: another caller's "
                    + "delegations.list p50 \(us(f["list_during"]?["p50_us"])) "
                    + "(idle \(us(f["list_idle"]?["p50_us"]))), "
                    + "max \(us(f["list_during"]?["max_us"])); the flood took "
                    + "\(latencyText(micros: (f["flood"]?["seconds"]?.doubleValue ?? 0) * 1e6))"
            )
        }
        if let f = r["closed_frames"] {
            ctx.print(
                "\(closed) connections closed after 1 MiB frames (half of them half-sent): RSS "
                    + "\(f["rss_kib_before"]?.intValue ?? 0) KiB before, peak \(f["rss_kib_peak"]?.intValue ?? 0), "
                    + "a second after \(f["rss_kib_after"]?.intValue ?? 0) (grew \(f["growth_kib"]?.intValue ?? 0) KiB)"
            )
        }
        if let e = r["edit_burst"] {
            ctx.print(
                "\(e["seconds"]?.intValue ?? 0) s of edits of one confirmed visit of 20 people "
                    + "(\(e["edits"]?.intValue ?? 0) edits): \(e["messages_after_the_schedules"]?.intValue ?? 0) "
                    + "messages after the \(e["schedules"]?.intValue ?? 0) schedules; largest "
                    + "\(e["largest_message_bytes"]?.intValue ?? 0) bytes"
            )
        }
        ctx.print("restarts: \(r["restarts"]?.intValue ?? 0), failed calls: \(r["failed_calls"]?.intValue ?? 0)")
    }
}
