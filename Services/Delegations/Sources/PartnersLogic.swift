import LiaisonAPI
import LiaisonEvents
import LiaisonRecords
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonJSON
import LiaisonWire

/// The partner registry: institutions with their people, found by name and country, merged
/// when two entries turn out to be one. Every change leaves a history row and tells the other
/// services (`partner.created|updated|merged`), which keep their own copy of what they show.
extension DelegationsLogic {
    /// Writes `event` about `p` to the outbox.
    func announce(_ db: Database, _ type: EventType, _ p: PartnerRecord, nowMillis: Int64) throws {
        try partners.emit(db, type, JSONEncoding.encode(p), id: p.id, nowMillis: nowMillis)
    }

    /// Announces the entries a migration registered without telling anyone (once, at start).
    func announceMigrated() throws -> Int {
        try store.write { [self] db in
            let pending = try PartnerTables.unannounced(db)
            let t = now()
            for p in pending {
                try announce(db, p.status == .merged ? .partnerMerged : .partnerCreated, p, nowMillis: t)
                try PartnerTables.markAnnounced(db, id: p.id)
            }
            return pending.count
        }
    }

    /// Replaces each described partner of `draft` by the registry's entry (found by name and
    /// country, or registered and announced), checks that each id exists (following merges), and
    /// turns members' and groups' partner names into ids.
    func resolvePartners(_ db: Database, _ draft: inout DelegationDraft, nowMillis: Int64) throws {
        var byName: [String: String] = [:]
        var v = Validator()
        for i in draft.partners.indices {
            let given = draft.partners[i]
            let record: PartnerRecord?
            if let id = given.id {
                record = try PartnerTables.resolve(db, id: id)
                if record == nil { v.fail("partners[\(i)].id", "no partner \(id) in the registry (see partners.list)") }
            } else if let described = given.described {
                let (r, created) = try PartnerTables.findOrRegister(db, described, id: nil, nowMillis: nowMillis)
                if created { try announce(db, .partnerCreated, r, nowMillis: nowMillis) }
                record = r
            } else {
                record = nil
            }
            guard let record else { continue }
            if let name = given.name { byName[name] = record.id }
            if let id = given.id { byName[id] = record.id }
            draft.partners[i].resolve(record.reference)
        }
        try v.finish()
        for i in draft.members.indices {
            if let p = draft.members[i].partner { draft.members[i].partner = byName[p] ?? p }
        }
        for i in draft.groups.indices {
            if let p = draft.groups[i].partner { draft.groups[i].partner = byName[p] ?? p }
        }
    }

    // MARK: methods

    func createPartner(_ p: PartnerCreate, uid: UInt32) throws -> PartnerRecord {
        var draft = p.partner
        draft.country = draft.country.uppercased()
        var v = Validator()
        draft.problems(&v)
        for (i, person) in p.people.enumerated() { v.nested("people[\(i)]") { person.problems(&$0) } }
        try v.finish()
        return try store.write { [self] db in
            let key = Partner.matchKey(name: draft.name, country: draft.country)
            if let existing = try PartnerTables.find(db, matchKey: key, orMerged: true) {
                throw ServiceError(
                    .conflict,
                    "\(existing.draft.name) (\(existing.draft.country)) is already in the registry as \(existing.id)",
                    retryable: false,
                    details: ["existing_id": .string(existing.id)]
                )
            }
            if let parent = draft.parent, try PartnerTables.load(db, id: parent) == nil {
                throw ServiceError.invalidParams(field: "parent", "no partner \(parent) in the registry")
            }
            let t = now()
            let (record, _) = try PartnerTables.findOrRegister(db, draft, id: nil, people: p.people, nowMillis: t)
            try announce(db, .partnerCreated, record, nowMillis: t)
            return record
        }
    }

    func partner(_ id: String) throws -> PartnerView {
        try store.read { db in
            guard let p = try PartnerTables.resolve(db, id: id) else { throw ServiceError.notFound("partner", id) }
            let merged = try p.mergedFrom.compactMap { try PartnerTables.load(db, id: $0) }
            let visits = try PartnerTables.visits(db, partners: [p.id] + p.mergedFrom)
            let met: Set<DelegationStatus> = [.completed, .inProgress]
            let last = visits.filter { met.contains($0.status) }.max { $0.draft.startsAt < $1.draft.startsAt }
            return PartnerView(
                partner: p,
                visits: visits.map { d in PartnerView.Visit(d, lead: d.draft.lead?.id == p.id) },
                lastVisit: last.map { $0.draft.date?.description ?? $0.draft.startsAt.date },
                merged: merged
            )
        }
    }

    func partners(_ p: PartnerFilter) throws -> Page<PartnerRecord> {
        var f = PartnerQuery(
            country: p.country,
            continent: p.continent,
            kind: p.kind,
            includeMerged: p.includeMerged ?? false
        )
        if let t = p.text { f.words = t.lowercased().split(separator: " ").map(String.init) }
        if let c = p.cursor {
            guard let parsed = KeyedCursor.parse(c) else {
                throw ServiceError.invalidParams(
                    field: "cursor",
                    "not a cursor from a previous page (expected next_cursor as given)"
                )
            }
            f.after = parsed
        }
        let limit = p.limit ?? 100
        let rows = try store.read { db in try PartnerTables.list(db, f, limit: limit) }
        return Page(rows, limit: limit) { KeyedCursor.make($0.draft.name, $0.id) }
    }

    /// Changes a partner's entry at `expected_version`; every visit naming it shows the change.
    func updatePartner(_ p: PartnerUpdate, uid: UInt32) throws -> PartnerRecord {
        try changePartner(
            p.id,
            expectedVersion: p.expectedVersion,
            action: "update",
            uid: uid,
            guarded: { record, db in
                if let parent = record.draft.parent, try PartnerTables.load(db, id: parent) == nil {
                    throw ServiceError.invalidParams(field: "parent", "no partner \(parent) in the registry")
                }
                let key = Partner.matchKey(name: record.draft.name, country: record.draft.country)
                if let other = try PartnerTables.find(db, matchKey: key), other.id != record.id {
                    throw ServiceError(
                        .conflict,
                        "\(record.draft.name) (\(record.draft.country)) is already in the registry as \(other.id): "
                            + "merge the two instead",
                        retryable: false,
                        details: ["existing_id": .string(other.id)]
                    )
                }
            }
        ) { record in
            var draft = try Patch(p.changes).applied(to: record.draft, fields: Self.partnerFields)
            draft.country = draft.country.uppercased()
            var v = Validator()
            draft.problems(&v)
            if draft.parent == record.id { v.fail("parent", "a partner cannot be its own parent") }
            try v.finish()
            record.draft = draft
            record.place()
        }
    }

    /// The fields of a partner's entry an update may change, and of a person.
    static let partnerFields = Set(Partner.schema.fields.map(\.name))
    static let personFields = Set(Person.schema.fields.map(\.name)).subtracting(["id"])

    func addPerson(_ p: PersonAdd, uid: UInt32) throws -> PartnerRecord {
        var v = Validator(prefix: "person")
        p.person.problems(&v)
        try v.finish()
        return try changePartner(p.partner, expectedVersion: nil, action: "add_person", uid: uid) { record in
            guard record.people.count < Limits.people else {
                throw ServiceError.invalidParams(
                    field: "person",
                    "\(record.id) already lists \(Limits.people) people (the limit)"
                )
            }
            var person = p.person
            person.id = IDs.make("per")
            record.people.append(person)
        }
    }

    /// One of a partner's people changed: the fields given replace theirs; null clears one.
    func updatePerson(_ p: PersonUpdate, uid: UInt32) throws -> PartnerRecord {
        if p.changes["name"] == .null {
            throw ServiceError.invalidParams(field: "name", "cannot be cleared: a person has a name")
        }
        return try changePartner(p.partner, expectedVersion: p.expectedVersion, action: "update_person", uid: uid) {
            record in
            let i = try Self.personIndex(record, p.person)
            let person = try Patch(p.changes).applied(to: record.people[i], fields: Self.personFields)
            var v = Validator()
            person.problems(&v)
            try v.finish()
            record.people[i] = person
        }
    }

    /// One of a partner's people is no longer there.
    func removePerson(_ p: PersonRemove, uid: UInt32) throws -> PartnerRecord {
        try changePartner(p.partner, expectedVersion: p.expectedVersion, action: "remove_person", uid: uid) { record in
            record.people.remove(at: try Self.personIndex(record, p.person))
        }
    }

    /// The one person `who` (an id, or an email) names among a partner's people.
    static func personIndex(_ record: PartnerRecord, _ who: String) throws -> Int {
        let matches = record.people.indices.filter {
            record.people[$0].id == who || record.people[$0].email?.lowercased() == who.lowercased()
        }
        if matches.count == 1 { return matches[0] }
        let list = (matches.isEmpty ? Array(record.people.indices) : matches).map { i in
            let person = record.people[i]
            return "\(person.name) (\(person.id)\(person.email.map { ", \($0)" } ?? ""))"
        }
        let known = list.isEmpty ? "it lists nobody" : "people: " + list.joined(separator: "; ")
        throw ServiceError.invalidParams(
            field: "person",
            matches.isEmpty
                ? "\(record.id) has no person \(who) (by id or email); \(known)"
                : "\(who) names \(matches.count) people of \(record.id): give their id; \(known)"
        )
    }

    /// Marks `from` as a duplicate of `into`: its people join `into`, the visits naming it name
    /// `into`, and both keep their history (the merged entry stays readable, `merged_into` set).
    func merge(_ p: PartnerMerge, uid: UInt32) throws -> PartnerRecord {
        try partners.merge(
            p.from,
            into: p.into,
            uid: uid,
            reason: p.reason,
            events: (from: .partnerMerged, into: .partnerUpdated),
            combine: { from, into in
                for (field, r) in [("from", from), ("into", into)] where r.status == .merged {
                    throw ServiceError(
                        .failedPrecondition,
                        "\(field): \(r.id) was already merged into \(r.mergedInto ?? "?")",
                        retryable: false,
                        details: ["field": .string(field)]
                    )
                }
                let known = Set(into.people.compactMap { $0.email?.lowercased() })
                into.people += from.people.filter { $0.email.map { !known.contains($0.lowercased()) } ?? true }
                into.mergedFrom += [from.id] + from.mergedFrom
                from.status = .merged
                from.mergedInto = into.id
            },
            then: { [partners] from, into, db, _ in
                // Entries merged into `from` earlier now point at `into` too.
                for earlier in from.mergedFrom {
                    guard var e = try PartnerTables.load(db, id: earlier) else { continue }
                    e.mergedInto = into.id
                    try partners.refresh(db, e)
                }
                try DelegationsTables.refresh(db, partner: into, mergedFrom: from.id)
            }
        ).into
    }

    func partnerHistory(_ p: HistoryParams) throws -> RecordHistory {
        try store.read { db in
            guard try PartnerTables.load(db, id: p.id) != nil else { throw ServiceError.notFound("partner", p.id) }
            return RecordHistory(id: p.id, page: try PartnerTables.history.page(db, id: p.id, p))
        }
    }

    /// Changes an active entry at `expectedVersion` (nil: the one stored); every visit naming it
    /// shows the change, and the other services hear of it (`partner.updated`).
    private func changePartner(
        _ id: String,
        expectedVersion: Int?,
        action: String,
        uid: UInt32,
        guarded: ((PartnerRecord, Database) throws -> Void)? = nil,
        _ change: (inout PartnerRecord) throws -> Void
    ) throws -> PartnerRecord {
        try partners.change(
            id,
            expectedVersion: expectedVersion,
            action: action,
            uid: uid,
            event: { _, _ in .partnerUpdated },
            guarded: guarded,
            then: { record, db, _ in try DelegationsTables.refresh(db, partner: record) }
        ) { record in
            guard record.status == .active else {
                throw ServiceError(
                    .failedPrecondition,
                    "partner \(id) was merged into \(record.mergedInto ?? "?"): change that one",
                    retryable: false
                )
            }
            try change(&record)
        }.record
    }
}

/// What `partner.claimed` does here: another service met a partner by name and country (an
/// agreement written before the registry, or naming a partner described in place) and gave it
/// the id both derive; the registry adopts that id, or records it as merged into the entry it
/// already has under that name and country.
struct DelegationsConsumer: EventConsumer {
    let logic: DelegationsLogic

    func handle(event: CloudEvent, db: Database) throws -> EventDisposition {
        guard event.eventType == .partnerClaimed else { return .ignored }
        let claimed: PartnerRef
        do { claimed = try JSONDecoding.decode(PartnerRef.self, from: event.data, path: [NameKey("data")]) } catch {
            throw ServiceError.invalidParams(field: error.path, "not a partner claim: \(error.reason)")
        }
        guard let id = claimed.id, let described = claimed.described else {
            throw ServiceError.invalidParams(field: "data", "a partner claim carries id, name, kind and country")
        }
        if try PartnerTables.load(db, id: id) != nil { return .applied }
        let t = logic.now()
        if let existing = try PartnerTables.find(
            db,
            matchKey: Partner.matchKey(name: described.name, country: described.country)
        ) {
            var alias = PartnerRecord(id: id, draft: described, createdAt: Timestamp.rfc3339(millis: t))
            alias.draft.country = alias.draft.country.uppercased()
            alias.status = .merged
            alias.mergedInto = existing.id
            try logic.partners.create(
                db,
                alias,
                action: "claimed",
                uid: 0,
                event: .partnerMerged,
                note: ["by": .string(event.source), "into": .string(existing.id)],
                nowMillis: t
            )
            var kept = existing
            kept.mergedFrom.append(id)
            try logic.partners.refresh(db, kept)
            return .applied
        }
        var draft = described
        draft.country = draft.country.uppercased()
        let record = PartnerRecord(id: id, draft: draft, createdAt: Timestamp.rfc3339(millis: t))
        try logic.partners.create(
            db,
            record,
            action: "claimed",
            uid: 0,
            event: .partnerCreated,
            note: ["by": .string(event.source)],
            nowMillis: t
        )
        return .applied
    }
}
