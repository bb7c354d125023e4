import Foundation
import Glibc
import Testing
import LiaisonModels
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
@testable import Notifications

@Suite(.serialized, .timeLimit(.minutes(6))) struct TransportTests {
    @Test func runsSendmailWithoutAShellTheRecipientAfterDashDash() throws {
        let t = try TestNotifications(stubScript: "line=$(printf '%s|' \"$@\"); echo \"$line\" >> \"$LOG/calls\"; cat > \"$LOG/msg.$$\"; exit 0")
        try t.deliver("delegation.confirmed", visit())
        try t.settle()
        #expect(try t.messages(status: "sent").count == 5)
        let calls = t.stubCalls().sorted()
        #expect(calls.count == 5)
        #expect(calls.contains("-i|-f|bounces@bit.example.cn|--|th@example.org|"))
        #expect(calls.allSatisfy { $0.hasPrefix("-i|-f|bounces@bit.example.cn|--|") && $0.split(separator: "|").count == 5 })
    }

    @Test func injectionAttemptsNeverReachSendmail() throws {
        let t = try TestNotifications(stubScript: "line=$(printf '%s|' \"$@\"); echo \"$line\" >> \"$LOG/calls\"; cat > /dev/null; exit 0")
        // Delegations validates all of this away; an event from elsewhere could still carry it.
        try t.deliver("delegation.confirmed", visit(members: [
            Member(name: "Option", email: "-oQ/tmp/x@example.org"),
            Member(name: "Spaces", email: "a b@example.org"),
            Member(name: "Header\r\nBcc: victim@example.net", email: "hdr@example.org"),
            Member(name: "Fine", nameLocal: "李伟", email: "fine@example.org"),
        ]))
        try t.settle()
        let calls = t.stubCalls()
        #expect(Set(calls) == ["-i|-f|bounces@bit.example.cn|--|fine@example.org|", "-i|-f|bounces@bit.example.cn|--|host@bit.example.cn|"])
        let dead = try t.messages(status: "dead")
        #expect(dead.count == 3)
        #expect(dead.allSatisfy { $0["last_error"]?.stringValue?.hasPrefix("not built:") == true })
    }

    @Test func exit75IsRetriedThenSent() throws {
        let t = try TestNotifications(stubScript: """
            cat > /dev/null
            if [ ! -e "$LOG/failed-$5" ]; then touch "$LOG/failed-$5"; echo "451 try later" >&2; exit 75; fi
            exit 0
            """)
        try t.deliver("delegation.confirmed", visit(members: [Member(name: "A", email: "a@example.org")]))
        try t.settle()
        let m = try t.messages().first { $0["recipient"] == "a@example.org" }!
        #expect(m["status"] == "sent")
        #expect(m["attempts"] == 2)
        let show = try t.call("notifications.show", ["id": m["id"]!])
        #expect(show["attempt_log"]?.arrayValue?.map { $0["outcome"]!.stringValue! } == ["retry", "sent"])
        #expect(show["attempt_log"]?[0]?["detail"]?.stringValue?.contains("exit 75 (EX_TEMPFAIL): 451 try later") == true)
    }

    @Test func exit67IsDeadWithTheMTAsStderrShown() throws {
        let t = try TestNotifications(stubScript: "cat > /dev/null; echo \"550 5.1.1 <$5>: user unknown\" >&2; exit 67")
        try t.deliver("delegation.confirmed", visit(members: [Member(name: "A", email: "a@example.org")]))
        try t.settle()
        let m = try t.messages().first { $0["recipient"] == "a@example.org" }!
        #expect(m["status"] == "dead")
        #expect(m["attempts"] == 1, "not retried")
        let show = try t.call("notifications.show", ["id": m["id"]!])
        #expect(show["last_error"] == "sendmail exit 67")
        #expect(show["mta_output"] == "550 5.1.1 <a@example.org>: user unknown")
    }

    /// A sendmail killed at the timeout may have taken the message: it was tried again, and a
    /// slow MTA got the same message on each of five attempts (issue 26). It is `possibly_sent`,
    /// for an operator to retry, and it is in the service's process group, which its supervisor
    /// stops with the service.
    @Test func aHangingSendmailIsKilledAtTheTimeoutAndNotSentAgainBlindly() throws {
        let t = try TestNotifications(stubScript: """
            cat > /dev/null
            echo "$$ $(cut -d' ' -f5 /proc/$$/stat)" >> "$LOG/groups"
            if [ ! -e "$LOG/hung-$5" ]; then touch "$LOG/hung-$5"; exec sleep 31.4159; fi
            exit 0
            """, mail: ["timeout_ms": 300])
        try t.deliver("delegation.confirmed", visit(members: [Member(name: "A", email: "a@example.org")]))
        try t.settle()
        let m = try t.messages().first { $0["recipient"] == "a@example.org" }!
        #expect(m["status"] == "possibly_sent" && m["attempts"] == 1, "\(m)")
        #expect(m["last_error"]?.stringValue?.contains("did not finish within 300 ms; killed; it may have been sent") == true)
        let log = try t.call("notifications.show", ["id": m["id"]!])["attempt_log"]!.arrayValue!
        #expect(log.first?["outcome"] == "possibly_sent", "\(log)")
        // Killed (a moment may pass before the kernel has it gone).
        var left = processes(named: "sleep 31.4159")
        for _ in 0..<200 where !left.isEmpty {
            usleep(10_000)
            left = processes(named: "sleep 31.4159")
        }
        #expect(left.isEmpty, "the hung sendmail was killed")
        let groups = (try? String(contentsOfFile: t.dir + "/log/groups", encoding: .utf8)) ?? ""
        let pgid = String(getpgrp())
        #expect(groups.split(separator: "\n").allSatisfy { $0.split(separator: " ").last.map(String.init) == pgid },
            "sendmail runs in the service's process group (\(pgid)): \(groups)")
        // An operator's retry sends it.
        _ = try t.call("notifications.retry", ["id": m["id"]!])
        try t.settle()
        #expect(try t.messages().first { $0["id"] == m["id"] }?["status"] == "sent")
    }

    @Test func gaveUpAfterTheCapIsDead() throws {
        let t = try TestNotifications(stubScript: "cat > /dev/null; exit 75", mail: ["max_attempts": 3])
        try t.deliver("delegation.confirmed", visit(members: [Member(name: "A", email: "a@example.org")]))
        try t.settle()
        let m = try t.messages().first { $0["recipient"] == "a@example.org" }!
        #expect(m["status"] == "dead" && m["attempts"] == 3)
        #expect(m["last_error"]?.stringValue?.hasPrefix("gave up after 3 attempts") == true)
        _ = try t.call("notifications.retry", ["id": m["id"]!])
        #expect(try t.messages().first { $0["id"] == m["id"] }?["status"] != "dead")
    }

    @Test func anInterruptedHandOverBecomesPossiblySentAndNeedsAnOperator() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", visit(members: [Member(name: "A", email: "a@example.org")]))
        let claimed = try t.service.sender.claim().0
        #expect(claimed != nil)
        #expect(try t.service.sender.recover() == 1, "as at start after a crash")
        let m = try t.messages().first { $0["recipient"] == "a@example.org" }!
        #expect(m["status"] == "possibly_sent")
        #expect(m["last_error"]?.stringValue?.contains("Not sent again without an operator retry") == true)
        #expect(try t.service.sender.claim().0?.recipient == "host@bit.example.cn", "the host's message is next")
        #expect(try t.service.sender.claim().0 == nil, "A's is not picked up again on its own")
        _ = try t.call("notifications.retry", ["id": m["id"]!])
        #expect(try t.service.sender.claim().0?.recipient == "a@example.org")
    }

    @Test func theFileTransportWritesEmlFiles() throws {
        let t = try TestNotifications(mail: ["transport": "file"])
        try t.deliver("delegation.confirmed", visit(members: [Member(name: "A", email: "a@example.org")]))
        try t.settle()
        let files = try FileManager.default.contentsOfDirectory(atPath: t.dir + "/mail").filter { $0.hasSuffix(".eml") }
        #expect(files.count == 2)
        let m = try t.messages().first { $0["recipient"] == "a@example.org" }!
        #expect(files.contains(m["message_id"]!.stringValue! + ".eml"))
        #expect(m["status"] == "sent")
    }
}

/// Pids of live processes whose command line contains `needle`.
func processes(named needle: String) -> [Int32] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { e -> Int32? in
        guard let pid = Int32(e), let cmd = FileManager.default.contents(atPath: "/proc/\(e)/cmdline") else { return nil }
        return String(decoding: cmd.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(needle) ? pid : nil
    }
}
