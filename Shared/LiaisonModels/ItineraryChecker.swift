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

    package init(
        delegationID: String, delegationRef: String, delegationTitle: String, item: Int, itemTitle: String, start: Int64, end: Int64,
        venue: String?, hosts: [String]
    ) {
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

/// One clash the checker found, naming both sides.
package struct Finding: Codable, Sendable, Equatable {
    /// The other delegation's side of a clash.
    package struct Other: Codable, Sendable, Equatable {
        package var delegationID, ref, title: String
        package var item: Int
        package var itemTitle: String
        enum CodingKeys: String, CodingKey { case delegationID = "delegation_id", ref, title, item, itemTitle = "item_title" }
    }

    /// venue_double_booked, host_double_booked, member_double_booked, item_outside_window,
    /// item_ends_before_start, unknown_host, unknown_attendee, interpreter_missing.
    package var kind, message: String
    /// The items of this delegation involved, as field paths (`itinerary[2]`).
    package var items: [String]
    package var other: Other?
}

/// Finds clashes in an itinerary: double-booked venues and hosts (across delegations too),
/// members in two places at once, items outside the visit or ending before they start, hosts
/// who are not the delegation's, members who need an interpreter where there is none.
package enum ItineraryChecker {
    struct Placed {
        var index: Int
        var item: ItineraryItem
        var start, end: Int64
    }

    /// Every finding for `draft`, given the bookings of other delegations (its own excluded).
    package static func check(_ draft: DelegationDraft, others: [Booking]) -> [Finding] {
        var findings: [Finding] = []
        let zone = draft.zone
        let visitStart = draft.startsAt.epochSeconds(in: zone), visitEnd = draft.endsAt.epochSeconds(in: zone)
        let hostEmails = Set(draft.hosts.map { $0.email.lowercased() })
        let memberRefs = Set(draft.members.flatMap { [$0.reference.lowercased(), $0.name.lowercased()] })
        let interpreterHosts = Set(draft.hosts.filter { $0.interpreter == true }.map { $0.email.lowercased() })
        func label(_ p: Placed) -> String { "itinerary[\(p.index)] \"\(p.item.title)\" (\(p.item.startsAt)–\(p.item.endsAt.time))" }

        var placed: [Placed] = []
        for (i, item) in draft.itinerary.enumerated() {
            let p = Placed(index: i, item: item, start: item.startsAt.epochSeconds(in: zone), end: item.endsAt.epochSeconds(in: zone))
            let path = "itinerary[\(i)]"
            if p.end <= p.start {
                findings.append(Finding(kind: "item_ends_before_start", message: "\(label(p)) ends before it starts", items: [path]))
                continue
            }
            if p.start < visitStart || p.end > visitEnd {
                findings.append(
                    Finding(
                        kind: "item_outside_window",
                        message: "\(label(p)) is outside the visit window \(draft.startsAt)–\(draft.endsAt)", items: [path]))
            }
            for h in item.hosts where !hostEmails.contains(h.lowercased()) {
                findings.append(
                    Finding(kind: "unknown_host", message: "\(label(p)): host \(h) is not among the delegation's hosts", items: [path]))
            }
            if !item.everyone {
                for a in item.attendees where !memberRefs.contains(a.lowercased()) {
                    findings.append(
                        Finding(
                            kind: "unknown_attendee", message: "\(label(p)): attendee \(a) is not a member of the delegation", items: [path]
                        ))
                }
            }
            let attending = draft.attendees(of: item)
            let needing = attending.filter { $0.needs?.interpreter == true }
            let hasInterpreter =
                attending.contains { $0.role == .interpreter } || item.hosts.contains { interpreterHosts.contains($0.lowercased()) }
            if !needing.isEmpty && !hasInterpreter {
                let who = needing.map(\.name).joined(separator: ", ")
                findings.append(
                    Finding(
                        kind: "interpreter_missing",
                        message: "\(label(p)): \(who) \(needing.count == 1 ? "needs" : "need") an interpreter and none attends",
                        items: [path]))
            }
            placed.append(p)
        }

        // Within the delegation: hosts and members in two overlapping items.
        let sorted = placed.sorted { ($0.start, $0.index) < ($1.start, $1.index) }
        for (a, x) in sorted.enumerated() {
            for y in sorted[(a + 1)...] {
                if y.start >= x.end { break }
                let (first, second) = x.index < y.index ? (x, y) : (y, x)
                let paths = ["itinerary[\(first.index)]", "itinerary[\(second.index)]"]
                let hx = Set(first.item.hosts.map { $0.lowercased() })
                for h in second.item.hosts.map({ $0.lowercased() }) where hx.contains(h) {
                    findings.append(
                        Finding(
                            kind: "host_double_booked", message: "host \(h) is in \(label(first)) and \(label(second)) at the same time",
                            items: paths))
                }
                let mx = Set(draft.attendees(of: first.item).map { $0.reference.lowercased() })
                for m in draft.attendees(of: second.item) where mx.contains(m.reference.lowercased()) {
                    findings.append(
                        Finding(
                            kind: "member_double_booked",
                            message: "member \(m.name) is in \(label(first)) and \(label(second)) at the same time", items: paths))
                }
            }
        }

        // Across delegations: the same venue or host at overlapping times.
        var byVenue: [String: [Booking]] = [:], byHost: [String: [Booking]] = [:]
        for b in others {
            if let v = b.venue { byVenue[v, default: []].append(b) }
            for h in b.hosts { byHost[h, default: []].append(b) }
        }
        for p in placed {
            let path = "itinerary[\(p.index)]"
            func other(_ b: Booking) -> Finding.Other {
                Finding.Other(
                    delegationID: b.delegationID, ref: b.delegationRef, title: b.delegationTitle, item: b.item, itemTitle: b.itemTitle)
            }
            func describe(_ b: Booking) -> String { "\(b.delegationRef) \"\(b.delegationTitle)\" itinerary[\(b.item)] \"\(b.itemTitle)\"" }
            if let venue = Booking.normalizeVenue(p.item.venue) {
                for b in byVenue[venue] ?? [] where b.start < p.end && p.start < b.end {
                    findings.append(
                        Finding(
                            kind: "venue_double_booked",
                            message: "venue \"\(p.item.venue!)\" is booked by \(label(p)) and by \(describe(b)) at overlapping times",
                            items: [path], other: other(b)))
                }
            }
            for h in Set(p.item.hosts.map { $0.lowercased() }) {
                for b in byHost[h] ?? [] where b.start < p.end && p.start < b.end {
                    findings.append(
                        Finding(
                            kind: "host_double_booked",
                            message: "host \(h) is in \(label(p)) and in \(describe(b)) at overlapping times",
                            items: [path], other: other(b)))
                }
            }
        }
        return findings
    }

    /// The bookings `draft` makes, for other delegations' checks.
    package static func bookings(of draft: DelegationDraft, id: String, ref: String) -> [Booking] {
        let zone = draft.zone
        return draft.itinerary.enumerated().compactMap { i, item in
            let s = item.startsAt.epochSeconds(in: zone), e = item.endsAt.epochSeconds(in: zone)
            guard e > s else { return nil }
            return Booking(
                delegationID: id, delegationRef: ref, delegationTitle: draft.title, item: i, itemTitle: item.title, start: s, end: e,
                venue: Booking.normalizeVenue(item.venue), hosts: item.hosts.map { $0.lowercased() })
        }
    }
}
