import LiaisonHost
import LiaisonProcess
import LiaisonWire

/// An event as it travels between services: CloudEvents 1.0 attributes plus Liaison's per-key
/// `sequence` (DESIGN §2).
package struct CloudEvent: Codable, Sendable, Equatable {
    package var specversion: String
    /// Unique per source, e.g. `evt-…`.
    package var id: String
    /// The producing service, e.g. `delegations`.
    package var source: String
    /// e.g. `delegation.confirmed`.
    package var type: String
    /// e.g. `delegation/del-…`.
    package var subject: String
    /// When it happened, RFC 3339 UTC.
    package var time: String
    /// Events with the same key are delivered in order.
    package var partitionkey: String
    /// Position among the producer's events with this key, from 1.
    package var sequence: Int64
    package var datacontenttype: String
    package var data: JSONValue

    package init(
        id: String, source: String, type: String, subject: String, time: String, partitionkey: String, sequence: Int64, data: JSONValue
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

    /// The event as JSON text, the same document `JSONEncoding` writes for it, around `data`
    /// already encoded (one JSON value, not checked here).
    package static func json(
        id: String, source: String, type: String, subject: String, time: String, partitionkey: String,
        sequence: Int64, dataJSON: [UInt8]
    ) -> String {
        var w = JSONWriter(capacity: dataJSON.count + 320)
        w.raw("{\"specversion\":\"1.0\",\"id\":")
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
        w.raw(",\"datacontenttype\":\"application/json\",\"data\":")
        w.raw(dataJSON)
        w.raw("}")
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

extension CloudEvent: Schematic {
    package static var schema: Schema {
        .object([
            .req("specversion", .string(values: ["1.0"])), .req("id", .string(maxLength: 256)), .req("source", .string(maxLength: 64)),
            .req("type", .string(maxLength: 128)), .req("subject", .string(maxLength: 256)), .req("time", .string(format: "date-time")),
            .req("partitionkey", .string(maxLength: 256)), .req("sequence", .integer(minimum: 1, maximum: Int64(Int32.max) * 1_000_000)),
            .req("datacontenttype", .string()), .req("data", .any, "The record the event is about (see the producer's service.describe)."),
            .opt(
                "prevsequence", .integer(minimum: 0, maximum: Int64(Int32.max) * 1_000_000),
                "Sequence of the previous event of this key delivered to this consumer."),
        ])
    }
}
