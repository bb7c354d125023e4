import LiaisonModels
import LiaisonJSON
import LiaisonWire

extension DelegationDraft {
    /// Draft fields whose value decodes on its own: no default or rule ties them to another
    /// field (unlike `partners`, `date`, `starts_at`, `ends_at` and `time_zone`).
    /// The names of `fields`, in order (worked out once: `fields` builds the schemas).
    static let fieldNames: [String] = schema.fields.map(\.name)

    static let independentFields: Set<String> = [
        "direction", "title", "purpose", "topics", "members", "groups", "hosts", "itinerary", "budget", "notes", "external_key",
    ]

    /// Replaces the `given` fields with their values in `changes` (null: not given), as if the
    /// draft had been encoded, those members replaced, and the whole decoded again.
    mutating func merge(_ changes: JSONObject, given: Set<String>) throws(JSONDecodeError) {
        if let d = try mergingFieldByField(changes, given: given) {
            self = d
        } else {
            self = try mergingWholeDraft(changes, given: given)
        }
    }

    /// The merge as the definition says: encode, replace, decode.
    func mergingWholeDraft(_ changes: JSONObject, given: Set<String>) throws(JSONDecodeError) -> DelegationDraft {
        guard case .object(var merged) = JSONEncoding.encode(self) else { return self }
        for key in given { merged[key] = changes[key] == .null ? nil : changes[key] }
        return try JSONDecoding.decode(DelegationDraft.self, from: .object(merged))
    }

    /// The same, each value decoded on its own (what an update of the notes needs, without
    /// encoding and decoding the rest of the draft); nil when a field is not independent or a
    /// required one is given as null (the whole decode then says what is wrong).
    func mergingFieldByField(_ changes: JSONObject, given: Set<String>) throws(JSONDecodeError) -> DelegationDraft? {
        guard given.isSubset(of: Self.independentFields) else { return nil }
        var d = self
        // In the order the whole decode reads them, so that the first bad field is the one named.
        for key in Self.fieldNames where given.contains(key) {
            let value = changes[key] ?? .null
            func decoded<T: Decodable>(_ type: T.Type) throws(JSONDecodeError) -> T? {
                value == .null ? nil : try JSONDecoding.decode(type, from: value, path: [NameKey(key)])
            }
            switch key {
            case "direction":
                guard let v = try decoded(Direction.self) else { return nil }
                d.direction = v
            case "title":
                guard let v = try decoded(String.self) else { return nil }
                d.title = v
            case "purpose": d.purpose = try decoded(String.self)
            case "topics": d.topics = try decoded([String].self) ?? []
            case "members": d.members = try decoded([Member].self) ?? []
            case "groups": d.groups = try decoded([MemberGroup].self) ?? []
            case "hosts": d.hosts = try decoded([Host].self) ?? []
            case "itinerary": d.itinerary = try decoded([ItineraryItem].self) ?? []
            case "budget": d.budget = try decoded(Money.self)
            case "notes": d.notes = try decoded(String.self)
            case "external_key": d.externalKey = try decoded(String.self)
            default: return nil
            }
        }
        return d
    }
}
