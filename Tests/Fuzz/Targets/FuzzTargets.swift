import Foundation
import LiaisonProcess
import LiaisonJSON
import LiaisonWire
import Notifications

/// What the fuzzer feeds: each target takes arbitrary bytes and must neither crash nor break the
/// property it checks (a failed `check` is a crash too, so libFuzzer keeps the input).
package enum FuzzTargets {
    /// Every target by name (the corpus directory under Tests/Fuzz/Corpus has the same name).
    package static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "json": json, "frame": frame, "envelope": envelope, "mesh": mesh, "mime": mime, "icalendar": icalendar,
        "reply": reply,
        "params-delegations": { ServiceFuzzer.delegations.run($0) }, "params-agreements": { ServiceFuzzer.agreements.run($0) },
        "params-notifications": { ServiceFuzzer.notifications.run($0) },
    ]

    /// Stops with `message` when `condition` does not hold (in release builds too).
    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz property failed: \(message())") }
    }

    /// JSON: whatever parses is written back as JSON that parses to the same value.
    static func json(_ data: [UInt8]) {
        guard let v = try? JSONParser.parse(data) else { return }
        let text = JSONWriter.encode(v)
        let again: JSONValue
        do { again = try JSONParser.parse(text) } catch { return check(false, "written JSON does not parse: \(error)") }
        check(again == v, "round trip changed the value")
    }

    /// Frames: the input cut into pieces (sizes from its first byte) never crashes the decoder,
    /// which hands out only frames within its limit, then stops at the first bad header.
    static func frame(_ data: [UInt8]) {
        guard let first = data.first else { return }
        var d = FrameDecoder(maxFrame: 4096)
        let step = Int(first % 64) + 1
        var i = 1
        while i < data.count {
            d.append(Array(data[i..<min(i + step, data.count)]))
            i += step
            while true {
                let f: [UInt8]?
                do { f = try d.next() } catch { return }
                guard let payload = f else { break }
                check(payload.count <= 4096, "a frame over the limit came out")
            }
        }
    }

    /// Envelopes: anything decodes or is refused; a decoded message encodes to one that decodes
    /// the same.
    static func envelope(_ data: [UInt8]) {
        guard let m = try? Message.decode(data) else { return }
        let again: Message
        do { again = try Message.decode(m.encoded()) } catch { return check(false, "re-encoded envelope refused: \(error)") }
        check(again.kind == m.kind && again.id == m.id && again.method == m.method, "re-encoded envelope differs")
    }

    /// Mesh files: parsed and validated, or refused with a MeshError; a valid one orders its
    /// services and gives their limits.
    static func mesh(_ data: [UInt8]) {
        guard let m = try? Mesh.parse(data, file: "/fuzz/home/mesh.json") else { return }
        _ = try? m.startOrder()
        for s in m.config.services { _ = s.serverLimits.outputBoundPerConnection }
    }

    /// MIME: any bytes parse into headers and parts without trapping.
    static func mime(_ data: [UInt8]) {
        let m = ParsedMessage.parse(data)
        _ = m.header("Subject")
        _ = m.text("text/plain")
        _ = m.text("text/calendar")
    }

    /// Calendar replies as `liaison mail receive` hands them over (issue 28): reading one never
    /// traps, and what it reads names one invitation and one address each.
    static func reply(_ data: [UInt8]) {
        guard let r = try? CalendarReply.read(data) else { return }
        check(!r.events.isEmpty, "a reply read without events")
        for e in r.events {
            check(!e.uid.isEmpty && e.sequence >= 0, "an event without its invitation")
            check(e.attendee.contains("@") && !e.attendee.contains(" "), "an attendee that is no address: \(e.attendee)")
        }
    }

    /// iCalendar: unfolding never traps; escaping round-trips; folded lines stay within 75
    /// octets and unfold to the line they came from.
    static func icalendar(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        _ = ICalendar.parse(text)
        // TEXT holds no control characters but tab and newline; escaping keeps everything else.
        let clean = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\t" || $0 == "\n" }))
        check(ICalendar.unescape(ICalendar.escape(clean)) == clean, "escape does not round-trip")
        let line = "SUMMARY:" + ICalendar.escape(clean)
        let folded = ICalendar.fold(line)
        let physical = folded.split(separator: "\r\n", omittingEmptySubsequences: false)
        check(physical.allSatisfy { $0.utf8.count <= 75 }, "a folded line is over 75 octets")
        let props = ICalendar.parse(folded + "\r\n")
        check(props.first.map { "\($0.name):\($0.value)" } == line, "fold then parse changed the line")
    }
}
