import LiaisonJSON
/// The protocol version this code speaks.
package let protocolVersion: Int64 = 1

/// What an envelope is (DESIGN §2).
package enum MessageKind: String, Sendable {
    case call, reply, error
}

/// One protocol message: a call, its reply, or an error.
package struct Message: Sendable, Equatable {
    package var kind: MessageKind
    /// Chosen by the caller, unique on its connection, echoed in the answer. `nil` only in an
    /// error about a request whose id could not be read.
    package var id: String?
    /// For a call: the method, e.g. `delegations.create`.
    package var method: String?
    /// For a call: the parameters object (`{}` when absent).
    package var params: JSONValue
    /// For a reply: the result.
    package var result: JSONValue
    /// For an error: what went wrong.
    package var error: ServiceError?
    /// For a call: no reply is wanted.
    package var oneway: Bool
    /// For a call: how long the caller will wait, in milliseconds.
    package var timeoutMs: Int?

    /// A call.
    package static func call(
        id: String,
        method: String,
        params: JSONValue = .object([:]),
        timeoutMs: Int? = nil,
        oneway: Bool = false
    ) -> Message {
        Message(
            kind: .call,
            id: id,
            method: method,
            params: params,
            result: .null,
            error: nil,
            oneway: oneway,
            timeoutMs: timeoutMs
        )
    }

    /// A reply carrying `result`.
    package static func reply(id: String, result: JSONValue) -> Message {
        Message(
            kind: .reply,
            id: id,
            method: nil,
            params: .null,
            result: result,
            error: nil,
            oneway: false,
            timeoutMs: nil
        )
    }

    /// An error answer.
    package static func failure(id: String?, _ error: ServiceError) -> Message {
        Message(
            kind: .error,
            id: id,
            method: nil,
            params: .null,
            result: .null,
            error: error,
            oneway: false,
            timeoutMs: nil
        )
    }

    /// The envelope as JSON bytes (without the frame header).
    package func encoded() -> [UInt8] {
        switch kind {
        case .call:
            EnvelopeWriter.call(id: id ?? "", method: method ?? "", timeoutMs: timeoutMs, oneway: oneway) {
                $0.write(params)
            }
        case .reply:
            EnvelopeWriter.reply(id: id) { $0.write(result) }
        case .error:
            EnvelopeWriter.reply(id: id, member: "error") {
                $0.write(JSONEncoding.encode(error ?? ServiceError(.internal, "unknown error")))
            }
        }
    }

    /// The envelope framed for sending.
    package func framed() -> [UInt8] { FrameEncoder.frame(encoded()) }
}

/// Writes envelopes (DESIGN §2) around a body the caller writes: the one place their shape is
/// spelled out, for messages built from values and for bodies forwarded as JSON text.
package enum EnvelopeWriter {
    /// `{"v":1,"kind":"call","id":…,"method":…,"params":<body>[,"timeout_ms":…][,"oneway":true]}`.
    package static func call(
        id: String,
        method: String,
        timeoutMs: Int?,
        oneway: Bool = false,
        capacity: Int = 128,
        params: (inout JSONWriter) -> Void
    ) -> [UInt8] {
        var w = JSONWriter(capacity: capacity)
        w.raw("{\"v\":1,\"kind\":\"call\",\"id\":")
        w.writeString(id)
        w.raw(",\"method\":")
        w.writeString(method)
        w.raw(",\"params\":")
        params(&w)
        if let timeoutMs { w.raw(",\"timeout_ms\":"); w.writeInt(Int64(timeoutMs)) }
        if oneway { w.raw(",\"oneway\":true") }
        w.raw("}")
        return w.bytes
    }

    /// `{"v":1,"kind":"reply","id":…,"result":<body>}`, or with `member` "error" an error answer.
    package static func reply(
        id: String?,
        member: String = "result",
        capacity: Int = 128,
        body: (inout JSONWriter) -> Void
    ) -> [UInt8] {
        var w = JSONWriter(capacity: capacity)
        w.raw(member == "error" ? "{\"v\":1,\"kind\":\"error\",\"id\":" : "{\"v\":1,\"kind\":\"reply\",\"id\":")
        if let id { w.writeString(id) } else { w.raw("null") }
        w.raw(member == "error" ? ",\"error\":" : ",\"result\":")
        body(&w)
        w.raw("}")
        return w.bytes
    }
}

/// A frame that could not be read as a message: the error to answer with, and the request id
/// when it could be read.
package struct EnvelopeError: Error, Sendable, Equatable {
    package var id: String?
    package var error: ServiceError
    /// When the message was a call marked oneway, no error answer is wanted.
    package var oneway: Bool
}

extension Message {
    /// Longest id accepted.
    package static let maxIdLength = 256

    /// Reads an envelope from a frame's payload. Unknown fields are ignored.
    package static func decode(_ payload: [UInt8]) throws(EnvelopeError) -> Message {
        let value: JSONValue
        do { value = try JSONParser.parse(payload) } catch {
            throw EnvelopeError(
                id: nil,
                error: ServiceError(.parseError, "frame is not valid JSON: \(error)"),
                oneway: false
            )
        }
        return try decode(value)
    }

    /// The kind and id of an answer as `EnvelopeWriter.reply` writes it (they lead), without
    /// reading its result: for a caller that only counts answers (`liaison bench`, as
    /// redis-benchmark reads a reply's header and skips its value). Nil for any other text,
    /// which `decode` then reads in full.
    package static func answerHead(_ payload: [UInt8]) -> (kind: MessageKind, id: String)? {
        let lead = Array("{\"v\":1,\"kind\":\"".utf8), quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        guard payload.count > lead.count + 8, payload[..<lead.count].elementsEqual(lead) else { return nil }
        let kind: MessageKind
        var i = lead.count
        if payload[i...].starts(with: "reply\",\"id\":\"".utf8) {
            kind = .reply
        } else if payload[i...].starts(with: "error\",\"id\":\"".utf8) {
            kind = .error
        } else {
            return nil
        }
        i += 13
        let start = i
        while i < payload.count && payload[i] != quote {
            if payload[i] == backslash { return nil }
            i += 1
        }
        guard i < payload.count, i > start, i - start <= maxIdLength else { return nil }
        return (kind, String(decoding: payload[start..<i], as: UTF8.self))
    }

    /// Reads an envelope from parsed JSON.
    package static func decode(_ value: JSONValue) throws(EnvelopeError) -> Message {
        guard case .object(let o) = value else {
            throw EnvelopeError(
                id: nil,
                error: ServiceError(.invalidRequest, "a message is a JSON object, found \(value.typeName)"),
                oneway: false
            )
        }
        // An id over the limit is not echoed back (it could be most of a megabyte): the error
        // about it goes without one.
        var id: String? = nil
        if case .string(let s)? = o["id"], s.utf8.count <= maxIdLength { id = s }
        let oneway = o["oneway"]?.boolValue ?? false
        func bad(_ field: String, _ reason: String) -> EnvelopeError {
            EnvelopeError(
                id: id,
                error: ServiceError(
                    .invalidRequest,
                    "\(field): \(reason)",
                    retryable: false,
                    details: ["field": .string(field)]
                ),
                oneway: oneway
            )
        }
        switch o["v"] {
        case nil: throw bad("v", "required (the protocol version, 1)")
        case .int(let v)?:
            if v != protocolVersion {
                throw bad("v", "unsupported protocol version \(v); this peer speaks \(protocolVersion)")
            }
        case let other?: throw bad("v", "expected an integer, found \(other.typeName)")
        }
        guard let idValue = o["id"] else { throw bad("id", "required") }
        let kind: MessageKind
        switch o["kind"] {
        case nil: throw bad("kind", "required (call, reply or error)")
        case .string(let k)?:
            guard let parsed = MessageKind(rawValue: k) else {
                throw bad("kind", "unknown kind \"\(k)\"; expected call, reply or error")
            }
            kind = parsed
        case let other?: throw bad("kind", "expected a string, found \(other.typeName)")
        }
        switch idValue {
        case .string(let s):
            if s.isEmpty || s.utf8.count > maxIdLength { throw bad("id", "must be 1 to \(maxIdLength) bytes") }
        case .null where kind == .error: break
        default: throw bad("id", "expected a string, found \(idValue.typeName)")
        }
        var m = Message(
            kind: kind,
            id: id,
            method: nil,
            params: kind == .call ? .object([:]) : .null,
            result: .null,
            error: nil,
            oneway: false,
            timeoutMs: nil
        )
        switch kind {
        case .call:
            guard let mv = o["method"] else { throw bad("method", "required") }
            guard case .string(let method) = mv, !method.isEmpty else {
                throw bad("method", "expected a non-empty string, found \(mv.typeName)")
            }
            m.method = method
            switch o["params"] {
            case nil, .null?: break
            case .object(let p)?: m.params = .object(p)
            case let other?: throw bad("params", "expected an object, found \(other.typeName)")
            }
            switch o["oneway"] {
            case nil, .null?: break
            case .bool(let b)?: m.oneway = b
            case let other?: throw bad("oneway", "expected true or false, found \(other.typeName)")
            }
            switch o["timeout_ms"] {
            case nil, .null?: break
            case let t?:
                guard let ms = t.intValue, ms >= 0, ms <= 86_400_000 else {
                    throw bad("timeout_ms", "expected an integer from 0 to 86400000")
                }
                m.timeoutMs = Int(ms)
            }
        case .reply:
            m.result = o["result"] ?? .null
        case .error:
            guard let ev = o["error"] else { throw bad("error", "required") }
            do { m.error = try JSONDecoding.decode(ServiceError.self, from: ev, path: [NameKey("error")]) } catch {
                throw bad(error.path, error.reason)
            }
        }
        return m
    }
}
