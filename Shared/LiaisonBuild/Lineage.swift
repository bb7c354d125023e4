// What a database is and where it came from: shared by the services (which keep it) and the
// CLI (which restores it), so in the module every binary links.

/// Where a database comes from: an identity made when it was created, and an incarnation that a
/// restore from a backup raises. Events carry both (`CloudEvent.incarnation`), so a consumer
/// tells a producer restored behind what it has seen from a duplicate.
package struct StoreLineage: Sendable, Equatable {
    package var identity: String
    package var incarnation: Int

    package init(identity: String, incarnation: Int) { (self.identity, self.incarnation) = (identity, incarnation) }

    /// `db-…:2`, as events carry it.
    package var text: String { "\(identity):\(incarnation)" }

    /// Reads `db-…:2`.
    package static func parse(_ text: String) -> StoreLineage? {
        guard let colon = text.lastIndex(of: ":"), let n = Int(text[text.index(after: colon)...]) else { return nil }
        return StoreLineage(identity: String(text[..<colon]), incarnation: n)
    }
}

/// What `liaison restore` leaves beside a database it put back (`<db>.restored`), read by the
/// service's next start: the backup it came from.
package struct RestoreMarker: Codable, Sendable {
    package var backup: String
    package var takenAt: String
    package var restoredAt: String

    package init(backup: String, takenAt: String, restoredAt: String) {
        (self.backup, self.takenAt, self.restoredAt) = (backup, takenAt, restoredAt)
    }

    enum CodingKeys: String, CodingKey { case backup, takenAt = "taken_at", restoredAt = "restored_at" }

    /// The marker's path for the database at `path`.
    package static func path(for database: String) -> String { database + ".restored" }
}
