/// Writes `Encodable` values straight to JSON text, without building a tree first: what
/// `JSONEncoding.bytes` does. The text is the same as the tree's, written: members in the order
/// they are encoded, nil optionals left out, a value that encodes nothing as `{}`.
///
/// Containers are written as they are used, which needs them used one inside another, the way
/// `encode(to:)` implementations do. What only a tree can do — a key encoded twice in one object
/// (the tree keeps one member), a value replaced after it was written, a container used after a
/// later sibling began — stops the stream, and the value is encoded by way of the tree instead.
enum JSONStream {
    /// The value as JSON text; nil when only the tree can encode it (see above) or its
    /// `encode(to:)` threw.
    static func encode<T: Encodable>(_ value: T, capacity: Int = 512) -> [UInt8]? {
        let s = StreamState(capacity: capacity)
        do { try s.encoder(0).encode(value) } catch { return nil }
        s.closeFrames(downTo: 0)
        if s.awaiting == 0 { s.w.raw("{}") }
        return s.failed ? nil : s.w.bytes
    }
}

/// The text written so far and the containers still open. Its fields are only ever touched by
/// the one thread encoding, one call inside another: their run-time exclusivity checks (a
/// fifth of the encoding's time) are turned off.
final class StreamState {
    @exclusivity(unchecked) var w: JSONWriter
    /// Open containers, outermost first; the container of a value at depth d is `frames[d]`.
    @exclusivity(unchecked) var frames: [Frame] = []
    /// The depth of the position whose value is expected next (after a key or an array's
    /// comma), nil when none is.
    @exclusivity(unchecked) var awaiting: Int? = 0
    /// Set on any use only a tree supports; the caller then encodes by way of the tree.
    @exclusivity(unchecked) var failed = false
    /// One encoder per depth, reused by siblings (each starts after the one before has ended).
    @exclusivity(unchecked) private var encoders: [StreamEncoder] = []

    struct Frame {
        var isObject: Bool
        var count = 0
        /// Where this object's keys start in `keys`.
        var keysFrom: Int
    }

    /// The keys of every open object, outermost first (a repeated one stops the stream): one
    /// array for all, so that an object costs no allocation of its own.
    @exclusivity(unchecked) var keys: [String] = []

    init(capacity: Int) {
        w = JSONWriter(capacity: capacity)
        keys.reserveCapacity(64)
        frames.reserveCapacity(8)
    }

    func encoder(_ depth: Int) -> StreamEncoder {
        while encoders.count <= depth { encoders.append(StreamEncoder(state: self, depth: encoders.count)) }
        return encoders[depth]
    }

    /// Closes containers until `depth` are open; a position left without a value gets `{}`.
    func closeFrames(downTo depth: Int) {
        while frames.count > depth {
            if awaiting == frames.count { w.raw("{}") }
            awaiting = nil
            let f = frames.removeLast()
            keys.removeSubrange(f.keysFrom...)
            w.bytes.append(f.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    /// Starts the next member of the container at `depth` (its frame is `frames[depth]`); false
    /// (and the stream stopped) when that container is closed already or `key` is repeated.
    func beginMember(of depth: Int, key: String?) -> Bool {
        guard !failed else { return false }
        closeFrames(downTo: depth + 1)
        if awaiting == depth + 1 { w.raw("{}") }
        guard frames.count == depth + 1, frames[depth].isObject == (key != nil) else { return fail() }
        if let key {
            if keys[frames[depth].keysFrom...].contains(key) { return fail() }
            keys.append(key)
        }
        if frames[depth].count > 0 { w.bytes.append(UInt8(ascii: ",")) }
        frames[depth].count += 1
        if let key {
            w.writeString(key)
            w.bytes.append(UInt8(ascii: ":"))
        }
        awaiting = depth + 1
        return true
    }

    /// Readies the position at `depth` for a single value; false when it has one already.
    func beginValue(at depth: Int) -> Bool {
        guard !failed, frames.count == depth, awaiting == depth else { return fail() }
        awaiting = nil
        return true
    }

    /// Opens (or, for a second container of the same value, reopens) a container at `depth`.
    @discardableResult
    func open(at depth: Int, object: Bool) -> Bool {
        guard !failed else { return false }
        if frames.count > depth + 1 { closeFrames(downTo: depth + 1) }
        if frames.count == depth + 1 && awaiting != depth {
            // The same value asking for its container again: members continue in it.
            return frames[depth].isObject == object ? true : fail()
        }
        guard frames.count == depth, awaiting == depth else { return fail() }
        awaiting = nil
        w.bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        frames.append(Frame(isObject: object, keysFrom: keys.count))
        return true
    }

    @discardableResult
    func fail() -> Bool {
        failed = true
        return false
    }

    /// The coding path of a value at `depth` (asked for rarely: built when asked).
    func codingPath(_ depth: Int) -> [any CodingKey] {
        (0..<min(depth, frames.count)).map { d -> any CodingKey in
            let end = d + 1 < frames.count ? frames[d + 1].keysFrom : keys.count
            return frames[d].isObject
                ? NameKey(keys[frames[d].keysFrom..<end].last ?? "") : IndexKey(max(frames[d].count - 1, 0))
        }
    }
}

/// The encoder of the value at one depth. Encoders and containers refer to the state without
/// counting (`unowned(unsafe)`: a counted reference on every call was a tenth of the time): the
/// state lives through the whole `JSONStream.encode`, and an `encode(to:)` keeping an encoder
/// past its own return would be wrong with any encoder.
final class StreamEncoder: Encoder, SingleValueEncodingContainer {
    unowned(unsafe) let state: StreamState
    let depth: Int
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var codingPath: [any CodingKey] { state.codingPath(depth) }

    init(state: StreamState, depth: Int) { (self.state, self.depth) = (state, depth) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        state.open(at: depth, object: true)
        return KeyedEncodingContainer(StreamKeyedEncoder<Key>(state: state, depth: depth))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        state.open(at: depth, object: false)
        return StreamUnkeyedEncoder(state: state, depth: depth)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    func encodeNil() { if state.beginValue(at: depth) { state.w.raw("null") } }
    func encode(_ value: Bool) { if state.beginValue(at: depth) { state.w.raw(value ? "true" : "false") } }
    func encode(_ value: String) { if state.beginValue(at: depth) { state.w.writeString(value) } }
    func encode(_ value: Double) { if state.beginValue(at: depth) { state.w.writeDouble(value) } }
    func encode(_ value: Float) { encode(Double(value)) }
    func encode(_ value: Int) { encode(Int64(value)) }
    func encode(_ value: Int8) { encode(Int64(value)) }
    func encode(_ value: Int16) { encode(Int64(value)) }
    func encode(_ value: Int32) { encode(Int64(value)) }
    func encode(_ value: Int64) { if state.beginValue(at: depth) { state.w.writeInt(value) } }
    func encode(_ value: UInt) { encode(UInt64(value)) }
    func encode(_ value: UInt8) { encode(Int64(value)) }
    func encode(_ value: UInt16) { encode(Int64(value)) }
    func encode(_ value: UInt32) { encode(Int64(value)) }
    func encode(_ value: UInt64) {
        if value <= UInt64(Int64.max) { encode(Int64(value)) } else { encode(Double(value)) }
    }

    func encode<T: Encodable>(_ value: T) throws {
        if let v = value as? JSONValue {
            if state.beginValue(at: depth) { state.w.write(v) }
            return
        }
        try value.encode(to: self)
    }
}

struct StreamKeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    unowned(unsafe) let state: StreamState
    let depth: Int
    var codingPath: [any CodingKey] { state.codingPath(depth) }

    /// The encoder of the member `key`, its key written; nil when the stream has stopped.
    private func member(_ key: Key) -> StreamEncoder? {
        state.beginMember(of: depth, key: key.stringValue) ? state.encoder(depth + 1) : nil
    }

    mutating func encodeNil(forKey key: Key) { member(key)?.encodeNil() }
    mutating func encode(_ value: Bool, forKey key: Key) { member(key)?.encode(value) }
    mutating func encode(_ value: String, forKey key: Key) { member(key)?.encode(value) }
    mutating func encode(_ value: Double, forKey key: Key) { member(key)?.encode(value) }
    mutating func encode(_ value: Int, forKey key: Key) { member(key)?.encode(value) }
    mutating func encode(_ value: Int64, forKey key: Key) { member(key)?.encode(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try member(key)?.encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        (member(key) ?? state.encoder(depth + 1)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        (member(key) ?? state.encoder(depth + 1)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        _ = state.beginMember(of: depth, key: "super")
        return state.encoder(depth + 1)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { member(key) ?? state.encoder(depth + 1) }
}

struct StreamUnkeyedEncoder: UnkeyedEncodingContainer {
    unowned(unsafe) let state: StreamState
    let depth: Int
    var codingPath: [any CodingKey] { state.codingPath(depth) }
    var count: Int { state.frames.count > depth ? state.frames[depth].count : 0 }

    private func next() -> StreamEncoder? { state.beginMember(of: depth, key: nil) ? state.encoder(depth + 1) : nil }

    mutating func encodeNil() { next()?.encodeNil() }
    mutating func encode(_ value: Bool) { next()?.encode(value) }
    mutating func encode(_ value: String) { next()?.encode(value) }
    mutating func encode(_ value: Double) { next()?.encode(value) }
    mutating func encode(_ value: Int) { next()?.encode(value) }
    mutating func encode(_ value: Int64) { next()?.encode(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try next()?.encode(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        (next() ?? state.encoder(depth + 1)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        (next() ?? state.encoder(depth + 1)).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { next() ?? state.encoder(depth + 1) }
}
