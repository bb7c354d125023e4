import LiaisonAPI
import LiaisonHost
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// A message to store.
struct NewMessage {
    var key, rule, subjectID, subjectRef, recipient: String
    var recipientName: String?
    var view: String
    var version: Int
    var status: MessageStatus
    var messageID, subject: String
    var raw: [UInt8]?
    var lastError: String?
    var createdMs: Int64
    /// Not handed over before this time (a change held to be coalesced with the next): 0 at once.
    var notBeforeMs: Int64 = 0
    /// The version of the visit a held change was derived from (`bases`), nil otherwise.
    var basis: Int64?
}

extension MessageRow {
    /// Adds what the stored message itself says: headers, parts, size.
    mutating func describe(raw: [UInt8]) {
        let p = ParsedMessage.parse(raw)
        headers = p.headers.map { Header(name: $0.name, value: $0.value) }
        parts = p.parts.map { Part(type: $0.type, bytes: $0.body.count) }
        text = p.text("text/plain")
        size = raw.count
    }
}

/// A message ready to be handed over.
struct DueMessage: Decodable {
    var id: Int64
    var raw: [UInt8]
    var recipient, messageID, subjectID: String
    var attempts: Int
    var createdMs: Int64
    enum CodingKeys: String, CodingKey {
        case id, raw, recipient, messageID = "message_id", subjectID = "subject_id", attempts, createdMs = "created_ms"
    }
}
