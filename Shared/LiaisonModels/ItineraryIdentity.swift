/// Each itinerary item's identity (`id`, its calendar UID) and revision (`rev`, its calendar
/// SEQUENCE), kept across changes so that a calendar updates exactly the sessions that moved.
extension DelegationDraft {
    /// Gives the items ids and revisions against the `previous` itinerary: an item keeps its id
    /// (given back by the caller, or else found by title and venue among the previous items not
    /// yet matched), and its revision goes up when its time, place, title or people changed.
    package mutating func numberItems(previous: [ItineraryItem], newID: () -> String) {
        var unmatched = previous.filter { $0.id != nil }
        for i in itinerary.indices {
            var item = itinerary[i]
            let j =
                item.id.flatMap { id in unmatched.firstIndex { $0.id == id } }
                ?? unmatched.firstIndex { $0.title == item.title && $0.venue == item.venue }
                ?? (item.id == nil ? unmatched.firstIndex { $0.title == item.title } : nil)
            if let j {
                let old = unmatched.remove(at: j)
                item.id = old.id
                item.rev = Self.sameSession(old, item) ? (old.rev ?? 1) : (old.rev ?? 1) + 1
            } else {
                item.id = item.id ?? newID()
                item.rev = 1
            }
            itinerary[i] = item
        }
    }

    /// Whether two versions of an item show the same in a calendar.
    static func sameSession(_ a: ItineraryItem, _ b: ItineraryItem) -> Bool {
        a.startsAt == b.startsAt && a.endsAt == b.endsAt && a.title == b.title && a.venue == b.venue
            && a.hosts == b.hosts
            && a.attendees == b.attendees && a.kind == b.kind
    }

    /// Whether `m` is expected at `item`: every member when it names nobody.
    package func attends(_ m: Member, _ item: ItineraryItem) -> Bool {
        if item.everyone { return true }
        let refs = Set(item.attendees.map { $0.lowercased() })
        return refs.contains(m.reference.lowercased()) || refs.contains(m.name.lowercased())
    }

    /// Whether host `email` is expected at `item`: the item's hosts, or every host when it names none.
    package func hosts(_ email: String, _ item: ItineraryItem) -> Bool {
        item.hosts.isEmpty || item.hosts.contains { $0.lowercased() == email.lowercased() }
    }
}
