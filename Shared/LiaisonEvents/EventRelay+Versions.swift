import Dispatch
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonStore
import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

/// What a subscriber gets, and gets again: an event in a version it reads (or held until it is
/// upgraded), and after its restore from a backup what it has not applied (events.replay).
extension EventRelay {
    /// `events.replay`: the positions of a restored subscriber, page by page; `done` rewinds
    /// its relay to them (the loop starts again from what the database now says).
    func replay(_ p: ReplayParams) throws -> ReplayResult {
        guard subscriptions.subscribers[p.subscriber] != nil else {
            throw ServiceError.invalidParams(
                field: "subscriber",
                "\(p.subscriber) takes nothing from \(source) (the mesh file's consumes)"
            )
        }
        if let positions = p.positions, !positions.isEmpty {
            try store.write { db in try RelayQueries.addReplayPositions(db, subscriber: p.subscriber, positions) }
        }
        guard p.done == true else { return ReplayResult() }
        // What the loop wrote behind it lands before the rewind, never after.
        for slot in slots.withLock({ $0 }) where slot.name == p.subscriber { slot.settles.sync {} }
        let r = try store.write { [subscriptions] db in
            try RelayQueries.rewind(
                db,
                subscriber: p.subscriber,
                takes: { subscriptions.takes(p.subscriber, $0) },
                keyTaken: { key in
                    let kind = key.split(separator: "/").first.map(String.init) ?? ""
                    return EventType.allCases.contains {
                        $0.family.rawValue == kind && subscriptions.takes(p.subscriber, $0.rawValue)
                    }
                },
                now: wallClockMillis()
            )
        }
        for slot in slots.withLock({ $0 }) where slot.name == p.subscriber {
            slot.stale.store(true, ordering: .relaxed)
        }
        wakeAll()
        log.info(
            "relay.replay",
            ["subscriber": p.subscriber, "events": String(r.events), "gaps": String(r.gaps.count)]
        )
        return r
    }

    /// How `sub` gets a stored event: as stored when it reads its version (the usual case, the
    /// text untouched), turned into an older version it reads, or held until it is upgraded.
    func form(for sub: String, reads: [String: [Int]]?) -> (String, [UInt8]) throws -> RelayForm {
        { [versions] type, stored in
            let version = CloudEvent.dataVersion(ofStored: stored)
            let readable = reads?[type] ?? [1]
            if readable.contains(version) { return .send(stored) }
            guard let t = EventType(rawValue: type), case .object(var e) = try JSONParser.parse(stored),
                let (data, v) = try versions.data(e["data"] ?? .null, of: t, version: version, for: readable)
            else {
                return .waitUpgrade(
                    "\(sub) reads \(type) version \(readable.map(String.init).joined(separator: ", ")), "
                        + "this event is version \(version): upgrade \(sub)"
                )
            }
            e["data"] = data
            e["dataversion"] = v > 1 ? .int(Int64(v)) : nil
            var out = JSONObject()
            out["specversion"] = e["specversion"]
            for m in e.members where m.key != "specversion" { out[m.key] = m.value }
            return .send(Array(JSONWriter.string(.object(out)).utf8))
        }
    }
}
