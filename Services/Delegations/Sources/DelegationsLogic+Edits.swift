import LiaisonAPI
import LiaisonEvents
import LiaisonJSON
import LiaisonModels
import LiaisonRecords
import LiaisonWire

/// Changes of a visit's draft that leave its state: `update` patches whole fields, and the part
/// edits change one part in one versioned change (`delegations.add_member` …). What names
/// the part changes with it in the same write (sessions naming a member who leaves), so nothing
/// is ever left half done. A confirmed visit (or one under way) emits `delegation.rescheduled`
/// when its sessions changed (clashes refused, as reschedule does) and `delegation.updated`
/// otherwise: its people are mailed what changed for them.
extension DelegationsLogic {
    /// The draft's fields on the wire, in order (what an update may change).
    static let draftFields: [String] = DelegationDraft.schema.fields.map(\.name)

    /// Schedule fields: on a confirmed visit they change only through reschedule.
    static let scheduleFields: Set<String> = ["starts_at", "ends_at", "time_zone", "itinerary"]

    /// Patches the draft with `changes` (RFC 7396: a member replaces, an object merges, null
    /// clears; draft fields only, unknown ones are ignored).
    func update(_ p: DelegationUpdate, uid: UInt32) throws -> SavedDelegation {
        var given = Set(p.changes.keys).intersection(Self.draftFields)
        guard !given.isEmpty else {
            throw ServiceError.invalidParams(
                field: "",
                "nothing to change: give one or more of \(Self.draftFields.joined(separator: ", "))"
            )
        }
        let running: Set<DelegationStatus> = [.confirmed, .inProgress]
        var changes = p.changes
        if let one = changes["partner"], changes["partners"] == nil {
            // The older form: one partner described in place.
            changes["partners"] = [one]
            given.insert("partners")
        }
        given.remove("partner")
        changes["partner"] = nil
        if let raw = changes["partners"] {
            // Described partners are found in (or added to) the registry before the change.
            var probe = DelegationDraft(
                direction: .inbound,
                title: "-",
                partners: try JSONDecoding.decode([PartnerRef].self, from: raw, path: [NameKey("partners")]),
                startsAt: LocalDateTime(year: 2000, month: 1, day: 1),
                endsAt: LocalDateTime(year: 2000, month: 1, day: 2)
            )
            var v = Validator()
            for (i, ref) in probe.partners.enumerated() { v.nested("partners[\(i)]") { ref.problems(&$0) } }
            try v.finish()
            try store.write { [self] db in try resolvePartners(db, &probe, nowMillis: now()) }
            changes["partners"] = JSONEncoding.encode(probe.partners)
        }
        // A dated visit given a schedule (or a scheduled one given a date) drops the other form.
        if changes["starts_at"] != nil || changes["ends_at"] != nil {
            given.insert("date"); changes["date"] = changes["date"] ?? .null
        }
        if let d = changes["date"], d != .null {
            for k in ["starts_at", "ends_at"] { given.insert(k); changes[k] = changes[k] ?? .null }
        }
        let partnersGiven = changes["partners"] != nil
        return try transition(
            p.id,
            expectedVersion: p.expectedVersion,
            action: .update,
            uid: uid,
            event: .delegationUpdated,
            emitWhen: { running.contains($0) },
            // Partners renamed or merged since they were resolved: worked out again (a refresh of
            // a visit naming them already makes the change start over; these are new to it).
            guarded: partnersGiven
                ? { d, db in
                    var now = d.draft
                    if try now.showRegistry(db) { throw RecordRefreshed() }
                } : nil
        ) { d in
            if running.contains(d.status), let f = given.intersection(Self.scheduleFields).sorted().first {
                throw ServiceError(
                    .failedPrecondition,
                    "\(f): delegation \(d.ref) is \(d.status.rawValue); change its schedule with "
                        + "delegations.reschedule",
                    retryable: false,
                    details: ["field": .string(f), "current_state": .string(d.status.rawValue)]
                )
            }
            let before = d.draft.itinerary
            d.draft = try Patch(changes).applied(to: d.draft, fields: given)
            if partnersGiven { _ = try store.read { db in try d.draft.showRegistry(db) } }
            d.draft.numberItems(previous: before) { IDs.make("it") }
            d.place()
            if !given.isDisjoint(with: Self.scheduleFields) { d.scheduleVersion += 1 }
        }
    }

    /// Changes the visit `v` names by `body`, which says in words what it did.
    func edit(
        _ v: VisitRef,
        _ label: String,
        uid: UInt32,
        _ body: (inout VisitParts) throws -> String
    ) throws -> EditedDelegation {
        var v2 = Validator()
        v2.optionalText(v.reason, "reason", max: Limits.reason, multiline: true)
        try v2.finish()
        let running: Set<DelegationStatus> = [.confirmed, .inProgress]
        var done = ""
        var sessionsChanged = false
        let saved = try transition(
            v.id,
            expectedVersion: v.expectedVersion,
            action: .update,
            uid: uid,
            event: nil,
            emitting: { before, after in
                guard running.contains(after.status) else { return nil }
                return before.draft.itinerary != after.draft.itinerary ? .delegationRescheduled : .delegationUpdated
            },
            label: label,
            refusing: { d in sessionsChanged && running.contains(d.status) ? "change" : nil }
        ) { d in
            var parts = VisitParts(draft: d.draft, ref: d.ref)
            done = try body(&parts)
            let before = d.draft.itinerary
            d.draft = parts.draft
            d.draft.numberItems(previous: before) { IDs.make("it") }
            sessionsChanged = d.draft.itinerary != before
            if sessionsChanged { d.scheduleVersion += 1 }
            if sessionsChanged || v.reason != nil { d.rescheduleReason = v.reason }
            d.place()
        }
        return EditedDelegation(saved: saved, done: done)
    }

    func addMember(_ p: PartEdit<Member>, uid: UInt32) throws -> EditedDelegation {
        guard var m = p.part else { throw ServiceError.invalidParams(field: "part", "required: the member who joins") }
        // One of the registry's people: their details come from there.
        var from: String?
        if let id = m.person {
            guard let (partner, person) = try store.read({ db in try PartnerTables.person(db, id: id) }) else {
                throw ServiceError(
                    .notFound,
                    "no person \(id) in the registry (liaison partner show PARTNER lists its people)",
                    retryable: false,
                    details: ["field": "part.person"]
                )
            }
            m.follow(person)
            from = partner.id
        }
        return try edit(p.visit, "add_member", uid: uid) { parts in
            if let from, m.partner == nil, parts.draft.partners.count > 1,
                parts.draft.partners.contains(where: { $0.id == from })
            {
                m.partner = from
            }
            if let clash = parts.draft.members.first(where: {
                VisitParts.same(name: $0.name, email: $0.email, as: m.email ?? m.name)
            }) {
                throw ServiceError(
                    .conflict,
                    "\(parts.ref) already has \(VisitParts.label(name: clash.name, email: clash.email)); change them "
                        + "instead",
                    retryable: false,
                    details: ["field": "part.email"]
                )
            }
            parts.draft.members.append(m)
            return "added \(VisitParts.label(name: m.name, email: m.email))"
        }
    }

    func updateMember(_ p: PartEdit<Member>, uid: UInt32) throws -> EditedDelegation {
        let (who, patch) = try Self.whichAndChanges(p)
        return try edit(p.visit, "update_member", uid: uid) { parts in
            let i = try parts.memberIndex(who)
            let before = parts.draft.members[i]
            let after = try patch.applied(to: before, path: [NameKey("changes")])
            guard after != before else {
                throw ServiceError.invalidParams(field: "changes", "nothing changes for \(before.name)")
            }
            parts.draft.members[i] = after
            // Sessions naming them in a way that no longer answers to them name them anew.
            parts.rewriteAttendees(
                VisitParts.names(before).subtracting(VisitParts.names(after)),
                with: [after.reference]
            )
            return "changed \(VisitParts.label(name: after.name, email: after.email))"
        }
    }

    func removeMember(_ p: PartEdit<Member>, uid: UInt32) throws -> EditedDelegation {
        guard let who = p.which else {
            throw ServiceError.invalidParams(field: "which", "required: the member's email or name")
        }
        return try edit(p.visit, "remove_member", uid: uid) { parts in
            // Someone taken off by an older client that left sessions naming them: those are
            // what is left to do.
            let stray =
                !parts.draft.members.contains { VisitParts.same(name: $0.name, email: $0.email, as: who) }
                && parts.named([who.lowercased()])
            let refs: Set<String>, label: String
            if stray {
                (refs, label) = ([who.lowercased()], who)
            } else {
                let gone = parts.draft.members[try parts.memberIndex(who)]
                (refs, label) = (VisitParts.names(gone), VisitParts.label(name: gone.name, email: gone.email))
            }
            let alone = parts.onlyAttended(by: refs)
            if !alone.isEmpty {
                throw ServiceError(
                    .failedPrecondition,
                    "\(label) is the only attendee of " + alone.map(parts.describe).joined(separator: ", ")
                        + ": without them it would be for the whole delegation; give it other attendees or drop it "
                        + "first",
                    retryable: false,
                    details: ["field": "which"]
                )
            }
            if !stray { parts.draft.members.removeAll { VisitParts.names($0) == refs } }
            parts.rewriteAttendees(refs, with: [])
            return stray ? "took \(who) out of the sessions still naming them" : "removed \(label)"
        }
    }

    func addHost(_ p: PartEdit<Host>, uid: UInt32) throws -> EditedDelegation {
        guard let h = p.part else { throw ServiceError.invalidParams(field: "part", "required: the host who joins") }
        return try edit(p.visit, "add_host", uid: uid) { parts in
            if let clash = parts.draft.hosts.first(where: { $0.email.lowercased() == h.email.lowercased() }) {
                throw ServiceError(
                    .conflict,
                    "\(parts.ref) already has \(VisitParts.label(name: clash.name, email: clash.email)) as a host",
                    retryable: false,
                    details: ["field": "part.email"]
                )
            }
            parts.draft.hosts.append(h)
            return "added host \(VisitParts.label(name: h.name, email: h.email))"
        }
    }

    func removeHost(_ p: PartEdit<Host>, uid: UInt32) throws -> EditedDelegation {
        guard let who = p.which else {
            throw ServiceError.invalidParams(field: "which", "required: the host's email or name")
        }
        return try edit(p.visit, "remove_host", uid: uid) { parts in
            let gone = parts.draft.hosts.remove(at: try parts.hostIndex(who))
            for i in parts.draft.itinerary.indices {
                parts.draft.itinerary[i].hosts.removeAll { $0.lowercased() == gone.email.lowercased() }
            }
            return "removed host \(VisitParts.label(name: gone.name, email: gone.email))"
        }
    }

    func addGroup(_ p: PartEdit<MemberGroup>, uid: UInt32) throws -> EditedDelegation {
        guard let g = p.part else { throw ServiceError.invalidParams(field: "part", "required: the group") }
        return try edit(p.visit, "add_group", uid: uid) { parts in
            parts.draft.groups.append(g)
            return "added the group \(g.description)"
        }
    }

    func updateGroup(_ p: PartEdit<MemberGroup>, uid: UInt32) throws -> EditedDelegation {
        let (which, patch) = try Self.whichAndChanges(p)
        return try edit(p.visit, "update_group", uid: uid) { parts in
            let i = try parts.groupIndex(which)
            let after = try patch.applied(to: parts.draft.groups[i], path: [NameKey("changes")])
            guard after != parts.draft.groups[i] else {
                throw ServiceError.invalidParams(field: "changes", "nothing changes")
            }
            parts.draft.groups[i] = after
            return "changed the group \(after.description)"
        }
    }

    func removeGroup(_ p: PartEdit<MemberGroup>, uid: UInt32) throws -> EditedDelegation {
        guard let which = p.which else {
            throw ServiceError.invalidParams(field: "which", "required: the group's number or words")
        }
        return try edit(p.visit, "remove_group", uid: uid) { parts in
            "dropped the group \(parts.draft.groups.remove(at: try parts.groupIndex(which)).description)"
        }
    }

    func addItem(_ p: PartEdit<ItineraryItem>, uid: UInt32) throws -> EditedDelegation {
        guard let item = p.part else { throw ServiceError.invalidParams(field: "part", "required: the session") }
        return try edit(p.visit, "add_item", uid: uid) { parts in
            parts.draft.itinerary.append(item)
            return "added “\(item.title)” " + VisitParts.span(item.startsAt, item.endsAt)
        }
    }

    func updateItem(_ p: PartEdit<ItineraryItem>, uid: UInt32) throws -> EditedDelegation {
        let (which, patch) = try Self.whichAndChanges(p)
        return try edit(p.visit, "update_item", uid: uid) { parts in
            let i = try parts.itemIndex(which)
            let was = parts.describe(i)
            var after = try patch.applied(to: parts.draft.itinerary[i], path: [NameKey("changes")])
            if after.attendees == ["all"] { after.attendees = [] }
            guard after != parts.draft.itinerary[i] else {
                throw ServiceError.invalidParams(field: "changes", "nothing changes for \(was)")
            }
            parts.draft.itinerary[i] = after
            return "changed \(was)"
        }
    }

    func moveItem(_ p: ItemMove, uid: UInt32) throws -> EditedDelegation {
        guard (p.at == nil) != (p.shiftMinutes == nil) else {
            throw ServiceError.invalidParams(
                field: "at",
                "give at (a new start) or shift_minutes (a move along), not both"
            )
        }
        return try edit(p.visit, "move_item", uid: uid) { parts in
            let i = try parts.itemIndex(p.which)
            let old = parts.draft.itinerary[i]
            let length = old.startsAt.minutes(until: old.endsAt)
            var start = old.startsAt, end = old.endsAt
            if let m = p.shiftMinutes {
                (start, end) = (start.adding(minutes: m), end.adding(minutes: m))
            } else if let at = p.at {
                start = try VisitParts.localTime("at", at, day: old.startsAt.date)
                end =
                    try p.until.map { try VisitParts.localTime("until", $0, day: start.date) }
                    ?? start.adding(minutes: length)
            }
            let was = parts.describe(i)
            parts.draft.itinerary[i].startsAt = start
            parts.draft.itinerary[i].endsAt = end
            if let venue = p.venue { parts.draft.itinerary[i].venue = venue.isEmpty ? nil : venue }
            return "moved \(was) to " + VisitParts.span(start, end)
        }
    }

    func removeItem(_ p: PartEdit<ItineraryItem>, uid: UInt32) throws -> EditedDelegation {
        guard let which = p.which else {
            throw ServiceError.invalidParams(field: "which", "required: the session's number, id or title")
        }
        return try edit(p.visit, "remove_item", uid: uid) { parts in
            let i = try parts.itemIndex(which)
            let was = parts.describe(i)
            parts.draft.itinerary.remove(at: i)
            return "dropped \(was)"
        }
    }

    /// `which` and `changes`, both required for an update.
    static func whichAndChanges<P>(_ p: PartEdit<P>) throws -> (String, Patch) {
        guard let which = p.which else {
            throw ServiceError.invalidParams(field: "which", "required: who or which to change")
        }
        guard let changes = p.changes, changes.count > 0 else {
            throw ServiceError.invalidParams(field: "changes", "required: the fields to change (null clears one)")
        }
        return (which, Patch(changes))
    }
}
