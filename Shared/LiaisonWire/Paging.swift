import LiaisonJSON

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

    package init(items: [Item], nextCursor: String?) { (self.items, self.nextCursor) = (items, nextCursor) }

    enum CodingKeys: String, CodingKey, FieldKey {
        case items
        case nextCursor = "next_cursor"

        var rule: FieldRule {
            switch self {
            case .items: .plain
            case .nextCursor: .doc("Give as cursor for the next page; absent on the last.")
            }
        }
    }
}

extension Page: Sendable where Item: Sendable {}

extension Page: Encodable where Item: Encodable {
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encodeIfPresent(nextCursor, forKey: .nextCursor)
    }
}

extension Page: Decodable where Item: Decodable {
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        items = try c.decode([Item].self, forKey: .items)
        nextCursor = try c.decodeIfPresent(String.self, forKey: .nextCursor)
    }
}

extension Page: Schematic where Item: Decodable {}

// A page of stored documents stands for a page of what they are.
extension Page: WireAnswer where Item: WireAnswer {
    package typealias Shape = Page<Item.Shape>
}

/// Params of a list method: the cursor of the page asked for.
package protocol Paged: Encodable, Sendable {
    var cursor: String? { get set }
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
