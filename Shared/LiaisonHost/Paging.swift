import LiaisonWire

/// One page of a list: the items, and the cursor to ask for the next page with (nil on the last).
///
/// Every list method answers at most its maximum page (`limit`) and pages on with `cursor` /
/// `next_cursor`; the query behind it asks for one row more than `limit`, which says whether
/// another page follows without counting.
package struct Page<Item> {
    package var items: [Item]
    package var nextCursor: String?

    /// The page in `rows` (up to `limit + 1` of them, in list order); `cursor` names a row's place.
    package init(_ rows: [Item], limit: Int, cursor: (Item) -> String) {
        items = Array(rows.prefix(limit))
        nextCursor = rows.count > limit ? items.last.map(cursor) : nil
    }

    /// The same page with each item transformed.
    package func map<T>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), nextCursor: nextCursor)
    }

    init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

extension Page: Sendable where Item: Sendable {}

extension Page: Encodable where Item: Encodable {
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: NameKey.self)
        try c.encode(items, forKey: NameKey("items"))
        if let nextCursor { try c.encode(nextCursor, forKey: NameKey("next_cursor")) }
    }
}

extension Page: Schematic where Item: Schematic {
    package static var schema: Schema {
        .object([
            .req("items", .array(Item.schema)), .opt("next_cursor", .string(), "Give as cursor for the next page; absent on the last."),
        ])
    }
}

/// Cursors that are a sort key and an id (`key~id`), for lists ordered by both.
package enum KeyedCursor {
    package static func make(_ key: String, _ id: String) -> String { key + "~" + id }

    /// The key and id of a cursor, or nil when it is not one.
    package static func parse(_ cursor: String) -> (key: String, id: String)? {
        let parts = cursor.split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }
}
