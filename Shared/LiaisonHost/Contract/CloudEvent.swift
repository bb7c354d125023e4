import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// An event as it travels between services: CloudEvents 1.0 attributes plus Liaison's per-key
/// `sequence` (DESIGN §2).
package struct CloudEvent: Codable, Sendable, Equatable {
    package var specversion: String
    /// The version of `data`'s schema (absent: 1). Written only when above 1, so that a
    /// subscriber of a release that predates versions never sees it (PROTOCOL.md, "Compatibility").
    package var dataversion: Int?
    /// Unique per source, e.g. `evt-…`.
    package var id: String
    /// The producing service, e.g. `delegations`.
    package var source: String
    /// e.g. `delegation.confirmed`. Kept as sent: a newer release may emit a type this one does
    /// not know, which its consumers then ignore (`eventType`, in LiaisonEvents, is nil) instead
    /// of failing.
    package var type: String
    /// e.g. `delegation/del-…`.
    package var subject: String
    /// When it happened, RFC 3339 UTC.
    package var time: String
    /// Events with the same key are delivered in order.
    package var partitionkey: String
    /// Position among the producer's events with this key, from 1.
    package var sequence: Int64
    /// The producer's database: its identity and incarnation (`db-…:2`; raised by each restore
    /// from a backup), so that a consumer tells a producer restored behind it from a duplicate.
    /// Absent from 0.1.0 producers.
    package var incarnation: String?
    package var datacontenttype: String
    package var data: JSONValue
    /// The sequence of the previous event of this key delivered to this consumer (set by the
    /// relay per subscriber, so that a consumer can tell a gap from a skip).
    package var prevsequence: Int64?

    package init(
        id: String,
        source: String,
        type: String,
        subject: String,
        time: String,
        partitionkey: String,
        sequence: Int64,
        data: JSONValue
    ) {
        specversion = "1.0"
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.partitionkey = partitionkey
        self.sequence = sequence
        datacontenttype = "application/json"
        self.data = data
    }

    /// What follows `{"specversion":"1.0",` in a stored event of a data version above 1.
    package static let dataVersionPrefix = "\"dataversion\":"

    /// The data version of a stored event's text (1 when it says none).
    package static func dataVersion(ofStored text: [UInt8]) -> Int {
        let head = Array("{\"specversion\":\"1.0\",\(dataVersionPrefix)".utf8)
        guard text.count > head.count, text.starts(with: head) else { return 1 }
        var v = 0
        for b in text[head.count...] {
            guard b >= 48 && b <= 57 else { break }
            v = v * 10 + Int(b - 48)
            if v > 1_000_000 { break }
        }
        return max(v, 1)
    }

    /// The event as JSON text, the same document `JSONEncoding` writes for it, around `data`
    /// already encoded (one JSON value, not checked here).
    package static func json(
        id: String,
        source: String,
        type: String,
        subject: String,
        time: String,
        partitionkey: String,
        sequence: Int64,
        dataversion: Int = 1,
        incarnation: String? = nil,
        dataJSON: [UInt8]
    ) -> String {
        var w = JSONWriter(capacity: dataJSON.count + 320)
        w.raw("{\"specversion\":\"1.0\",")
        if dataversion > 1 {
            w.raw(Array(dataVersionPrefix.utf8))
            w.writeInt(Int64(dataversion))
            w.raw(",")
        }
        w.raw("\"id\":")
        w.writeString(id)
        w.raw(",\"source\":")
        w.writeString(source)
        w.raw(",\"type\":")
        w.writeString(type)
        w.raw(",\"subject\":")
        w.writeString(subject)
        w.raw(",\"time\":")
        w.writeString(time)
        w.raw(",\"partitionkey\":")
        w.writeString(partitionkey)
        w.raw(",\"sequence\":")
        w.writeInt(sequence)
        if let incarnation {
            w.raw(",\"incarnation\":")
            w.writeString(incarnation)
        }
        w.raw(",\"datacontenttype\":\"application/json\",\"data\":")
        w.raw(dataJSON)
        w.raw("}")
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

extension CloudEvent: Schematic {
    enum CodingKeys: String, CodingKey, FieldKey {
        case specversion, dataversion, id, source, type, subject, time, partitionkey, sequence, incarnation
        case datacontenttype, data
        case prevsequence

        var rule: FieldRule {
            switch self {
            case .specversion: .values(["1.0"])
            case .dataversion: .int(1...1_000_000, "The version of data's schema (absent: 1).")
            case .id, .subject, .partitionkey: .text(256)
            case .source: .text(64)
            case .type: .text(128)
            case .time: .format("date-time")
            case .sequence: .int(1...(Int64(Int32.max) * 1_000_000))
            case .incarnation: .text(80, "The producer's database and its incarnation, db-…:N.")
            case .datacontenttype: .plain
            case .data: .doc("The record the event is about (see the producer's service.describe).")
            case .prevsequence:
                .int(
                    0...(Int64(Int32.max) * 1_000_000),
                    "Sequence of the previous event of this key delivered to this consumer."
                )
            }
        }
    }
}
