import LiaisonJSON

/// An itinerary item of another delegation, as the checker needs it: when, where, who hosts.
package struct Booking: Sendable, Equatable {
    package var delegationID, delegationRef, delegationTitle: String
    package var item: Int
    package var itemTitle: String
    /// Epoch seconds, [start, end).
    package var start, end: Int64
    /// Lowercased, trimmed venue.
    package var venue: String?
    /// Lowercased host emails.
    package var hosts: [String]
    /// The other delegation is only proposed: a clash with it is a warning, not a refusal.
    package var tentative: Bool

    package init(
        delegationID: String,
        delegationRef: String,
        delegationTitle: String,
        item: Int,
        itemTitle: String,
        start: Int64,
        end: Int64,
        venue: String?,
        hosts: [String],
        tentative: Bool = false
    ) {
        self.tentative = tentative
        self.delegationID = delegationID
        self.delegationRef = delegationRef
        self.delegationTitle = delegationTitle
        self.item = item
        self.itemTitle = itemTitle
        self.start = start
        self.end = end
        self.venue = venue
        self.hosts = hosts
    }

    /// The normal form venues are compared in.
    package static func normalizeVenue(_ v: String?) -> String? {
        guard let v else { return nil }
        let t = v.trimmingWhitespace().lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return t.isEmpty ? nil : t
    }
}

/// Finds clashes in an itinerary: double-booked venues and hosts (across delegations too),
/// members in two places at once, items outside the visit or ending before they start, hosts
/// who are not the delegation's, members who need an interpreter where there is none.
///
/// What it compares is indexed (items and bookings by host, member and venue, sorted by start),
/// so the work grows with what clashes rather than with every pair; at most `perKind` findings of
/// a kind and `total` in all are spelled out, the rest only counted.
package enum ItineraryChecker {
    /// How many findings are spelled out.
    package struct Caps: Sendable {
        package var perKind = 25
        package var total = 100
        package init(perKind: Int = 25, total: Int = 100) { (self.perKind, self.total) = (perKind, total) }
    }

    struct Placed {
        var index: Int
        var item: ItineraryItem
        var start, end: Int64
    }

    /// Every finding for `draft`, given the bookings of other delegations (its own excluded).
    package static func check(_ draft: DelegationDraft, others: [Booking], caps: Caps = Caps()) -> CheckFindings {
        var out = Collector(caps: caps)
        let placed = checkItems(draft, &out)
        checkWithin(draft, placed, &out)
        checkAcross(placed, others, &out)
        return out.result
    }

    /// A session as people read it: numbered from 1, as `delegation show` numbers it (the
    /// finding's `fields` keep the path, `itinerary[0]`).
    static func label(_ p: Placed) -> String {
        "session \(p.index + 1) \"\(p.item.title)\" (\(p.item.startsAt)–\(p.item.endsAt.time))"
    }

    /// Checks each item on its own; returns the items with a real time span.
    static func checkItems(_ draft: DelegationDraft, _ out: inout Collector) -> [Placed] {
        let zone = draft.zone
        let visitStart = draft.startsAt.epochSeconds(in: zone), visitEnd = draft.endsAt.epochSeconds(in: zone)
        let hostEmails = Set(draft.hosts.map { $0.email.lowercased() })
        let memberRefs = Set(draft.members.flatMap { [$0.reference.lowercased(), $0.name.lowercased()] })
        let interpreterHosts = Set(draft.hosts.filter { $0.interpreter == true }.map { $0.email.lowercased() })
        var placed: [Placed] = []
        for (i, item) in draft.itinerary.enumerated() {
            let p = Placed(
                index: i,
                item: item,
                start: item.startsAt.epochSeconds(in: zone),
                end: item.endsAt.epochSeconds(in: zone)
            )
            let path = ["itinerary[\(i)]"]
            if p.end <= p.start {
                out.add("item_ends_before_start", path) { "\(label(p)) ends before it starts" }
                continue
            }
            if p.start < visitStart || p.end > visitEnd {
                out.add("item_outside_window", path) {
                    "\(label(p)) is outside the visit window \(draft.startsAt)–\(draft.endsAt)"
                }
            }
            for h in item.hosts where !hostEmails.contains(h.lowercased()) {
                out.add("unknown_host", path) { "\(label(p)): host \(h) is not among the delegation's hosts" }
            }
            if !item.everyone {
                for a in item.attendees where !memberRefs.contains(a.lowercased()) {
                    out.add("unknown_attendee", path) { "\(label(p)): attendee \(a) is not a member of the delegation" }
                }
            }
            let attending = draft.attendees(of: item)
            let needing = attending.filter { $0.needs?.interpreter == true }
            let hasInterpreter =
                attending.contains { $0.role == .interpreter }
                || item.hosts.contains { interpreterHosts.contains($0.lowercased()) }
            if !needing.isEmpty && !hasInterpreter {
                out.add("interpreter_missing", path) {
                    let who = needing.map(\.name).joined(separator: ", ")
                    return
                        "\(label(p)): \(who) \(needing.count == 1 ? "needs" : "need") an interpreter and none attends"
                }
            }
            placed.append(p)
        }
        return placed
    }

    /// Within the delegation: a venue, a host or a member in two overlapping items.
    static func checkWithin(_ draft: DelegationDraft, _ placed: [Placed], _ out: inout Collector) {
        var byHost: [String: [Placed]] = [:], byMember: [String: [Placed]] = [:], byVenue: [String: [Placed]] = [:]
        var names: [String: String] = [:]
        for p in placed {
            if let v = Booking.normalizeVenue(p.item.venue) { byVenue[v, default: []].append(p) }
            for h in Set(p.item.hosts.map { $0.lowercased() }) { byHost[h, default: []].append(p) }
            for m in draft.attendees(of: p.item) {
                let key = m.reference.lowercased()
                names[key] = m.name
                byMember[key, default: []].append(p)
            }
        }
        for (v, items) in byVenue.sorted(by: { $0.key < $1.key }) {
            overlappingPairs(items, kind: "venue_double_booked", &out) { a, b in
                "venue \"\(a.item.venue ?? v)\" is used by \(label(a)) and \(label(b)) at the same time"
            }
        }
        for (h, items) in byHost.sorted(by: { $0.key < $1.key }) {
            overlappingPairs(items, kind: "host_double_booked", &out) { a, b in
                "host \(h) is in \(label(a)) and \(label(b)) at the same time"
            }
        }
        for (m, items) in byMember.sorted(by: { $0.key < $1.key }) {
            overlappingPairs(items, kind: "member_double_booked", &out) { a, b in
                "member \(names[m] ?? m) is in \(label(a)) and \(label(b)) at the same time"
            }
        }
    }

    /// Reports each pair of `items` that overlap in time: counted exactly with binary searches,
    /// spelled out by a sweep only while the kind's cap allows.
    static func overlappingPairs(
        _ items: [Placed],
        kind: String,
        _ out: inout Collector,
        _ message: (Placed, Placed) -> String
    ) {
        let sorted = items.sorted { ($0.start, $0.index) < ($1.start, $1.index) }
        let starts = sorted.map(\.start)
        for (i, x) in sorted.enumerated() {
            // Items after x (in start order) that start before x ends overlap it.
            let overlapping = lowerBound(starts, x.end) - (i + 1)
            guard overlapping > 0 else { continue }
            guard out.room(for: kind) else {
                out.omit(kind, overlapping)
                continue
            }
            for y in sorted[(i + 1)..<(i + 1 + overlapping)] {
                let (a, b) = x.index < y.index ? (x, y) : (y, x)
                out.add(kind, ["itinerary[\(a.index)]", "itinerary[\(b.index)]"]) { message(a, b) }
            }
        }
    }

    /// Across delegations: the same venue or host at overlapping times.
    static func checkAcross(_ placed: [Placed], _ others: [Booking], _ out: inout Collector) {
        var byVenue: [String: Index] = [:], byHost: [String: Index] = [:]
        var tentativeVenue: [String: Index] = [:], tentativeHost: [String: Index] = [:]
        for b in others {
            if let v = b.venue {
                if b.tentative {
                    tentativeVenue[v, default: Index()].bookings.append(b)
                } else {
                    byVenue[v, default: Index()].bookings.append(b)
                }
            }
            for h in b.hosts {
                if b.tentative {
                    tentativeHost[h, default: Index()].bookings.append(b)
                } else {
                    byHost[h, default: Index()].bookings.append(b)
                }
            }
        }
        for k in byVenue.keys { byVenue[k]!.sort() }
        for k in byHost.keys { byHost[k]!.sort() }
        for k in tentativeVenue.keys { tentativeVenue[k]!.sort() }
        for k in tentativeHost.keys { tentativeHost[k]!.sort() }
        func other(_ b: Booking) -> Finding.Other {
            Finding.Other(
                delegationID: b.delegationID,
                ref: b.delegationRef,
                title: b.delegationTitle,
                item: b.item,
                itemTitle: b.itemTitle
            )
        }
        func describe(_ b: Booking) -> String {
            "\(b.delegationRef) \"\(b.delegationTitle)\" session \(b.item + 1) \"\(b.itemTitle)\""
        }
        for p in placed {
            let path = ["itinerary[\(p.index)]"]
            // A clash with a visit that is only proposed warns; with a confirmed or running one it blocks.
            if let venue = Booking.normalizeVenue(p.item.venue) {
                for (index, kind) in [
                    (byVenue[venue], "venue_double_booked"), (tentativeVenue[venue], "venue_also_proposed"),
                ] {
                    index?.overlapping(p, kind: kind, &out) { b in
                        let how = b.tentative ? "also wanted, by the proposed visit" : "booked by"
                        return (
                            "venue \"\(p.item.venue!)\" is booked by \(label(p)) and \(how) \(describe(b)) at "
                                + "overlapping times",
                            path,
                            other(b)
                        )
                    }
                }
            }
            for h in Set(p.item.hosts.map { $0.lowercased() }) {
                for (index, kind) in [(byHost[h], "host_double_booked"), (tentativeHost[h], "host_also_proposed")] {
                    index?.overlapping(p, kind: kind, &out) { b in
                        let how = b.tentative ? "the proposed visit" : ""
                        return (
                            "host \(h) is in \(label(p)) and in \(how.isEmpty ? "" : how + " ")\(describe(b)) at "
                                + "overlapping times",
                            path,
                            other(b)
                        )
                    }
                }
            }
        }
    }

    /// Other delegations' bookings of one venue or host, sorted by start (and, apart, by end).
    struct Index {
        var bookings: [Booking] = []
        var starts: [Int64] = []
        var ends: [Int64] = []

        mutating func sort() {
            bookings.sort { ($0.start, $0.delegationID, $0.item) < ($1.start, $1.delegationID, $1.item) }
            starts = bookings.map(\.start)
            ends = bookings.map(\.end).sorted()
        }

        /// The bookings overlapping `p`: those starting before it ends, less those ending before
        /// it starts (two binary searches); spelled out only while the cap allows.
        func overlapping(
            _ p: Placed,
            kind: String,
            _ out: inout Collector,
            _ finding: (Booking) -> (String, [String], Finding.Other)
        ) {
            let startedBefore = lowerBound(starts, p.end)
            let count = startedBefore - upperBound(ends, p.start)
            guard count > 0 else { return }
            guard out.room(for: kind) else {
                out.omit(kind, count)
                return
            }
            for b in bookings[..<startedBefore] where b.end > p.start {
                let (message, items, other) = finding(b)
                out.add(kind, items, other: other) { message }
            }
        }
    }

    /// The first index whose value is not below `v` (values sorted).
    static func lowerBound(_ a: [Int64], _ v: Int64) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The first index whose value is above `v` (values sorted).
    static func upperBound(_ a: [Int64], _ v: Int64) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] <= v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Keeps findings within the caps and counts the rest.
    struct Collector {
        let caps: Caps
        var result = CheckFindings()
        var perKind: [String: Int] = [:]

        /// Whether another finding of `kind` would be spelled out.
        func room(for kind: String) -> Bool {
            result.findings.count < caps.total && (perKind[kind] ?? 0) < caps.perKind
        }

        mutating func add(_ kind: String, _ items: [String], other: Finding.Other? = nil, _ message: () -> String) {
            guard room(for: kind) else { return omit(kind, 1) }
            perKind[kind, default: 0] += 1
            result.findings.append(Finding(kind: kind, message: message(), items: items, other: other))
        }

        mutating func omit(_ kind: String, _ n: Int) { result.omitted[kind, default: 0] += n }
    }

    /// The bookings `draft` makes, for other delegations' checks.
    package static func bookings(of draft: DelegationDraft, id: String, ref: String) -> [Booking] {
        let zone = draft.zone
        return draft.itinerary.enumerated().compactMap { i, item in
            let s = item.startsAt.epochSeconds(in: zone), e = item.endsAt.epochSeconds(in: zone)
            guard e > s else { return nil }
            return Booking(
                delegationID: id,
                delegationRef: ref,
                delegationTitle: draft.title,
                item: i,
                itemTitle: item.title,
                start: s,
                end: e,
                venue: Booking.normalizeVenue(item.venue),
                hosts: item.hosts.map { $0.lowercased() }
            )
        }
    }
}
