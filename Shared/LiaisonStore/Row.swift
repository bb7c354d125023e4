import CSQLite

/// The column names of a statement's rows, shared by every row it returns.
package final class RowColumns: Sendable {
    /// In SELECT order.
    package let names: [String]
    let index: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
        self.index = index
    }

    /// Where the column `name` is: among a few columns found by comparing names (cheaper than
    /// hashing it, and a report reads tens of thousands of rows), otherwise by the index.
    func position(of name: String) -> Int? {
        guard names.count <= 8 else { return index[name] }
        return names.firstIndex(of: name)
    }
}

/// A type a column can be read as. `Optional` reads NULL as nil; the others refuse it.
package protocol SQLReadable {
    /// The value, or nil when `sql` cannot be read as this type.
    init?(sql: SQLValue)
}

extension String: SQLReadable {
    package init?(sql: SQLValue) {
        switch sql {
        case .text(let s): self = s
        case .blob(let b): self = String(decoding: b, as: UTF8.self)
        case .int(let i): self = String(i)
        default: return nil
        }
    }
}

extension Int64: SQLReadable {
    package init?(sql: SQLValue) {
        guard case .int(let i) = sql else { return nil }
        self = i
    }
}

extension Int: SQLReadable {
    package init?(sql: SQLValue) {
        guard case .int(let i) = sql else { return nil }
        self = Int(i)
    }
}

extension Double: SQLReadable {
    package init?(sql: SQLValue) {
        switch sql {
        case .double(let d): self = d
        case .int(let i): self = Double(i)
        default: return nil
        }
    }
}

extension Bool: SQLReadable {
    package init?(sql: SQLValue) {
        guard case .int(let i) = sql else { return nil }
        self = i != 0
    }
}

extension Array: SQLReadable where Element == UInt8 {
    package init?(sql: SQLValue) {
        switch sql {
        case .blob(let b): self = b
        case .text(let s): self = Array(s.utf8)
        default: return nil
        }
    }
}

extension Optional: SQLReadable where Wrapped: SQLReadable {
    package init?(sql: SQLValue) {
        if case .null = sql { self = .none; return }
        guard let w = Wrapped(sql: sql) else { return nil }
        self = .some(w)
    }
}

extension SQLValue {
    /// The storage class's name, for errors.
    var typeName: String {
        switch self {
        case .null: "NULL"
        case .int: "an integer"
        case .double: "a real"
        case .text: "text"
        case .blob: "a blob"
        }
    }
}

/// One result row, read by column name: `let status: String = try row["status"]`.
package struct Row: Sendable {
    package let columns: RowColumns
    package var values: [SQLValue]

    package init(columns: RowColumns, values: [SQLValue]) { (self.columns, self.values) = (columns, values) }

    /// The column `name` as `T`; a missing column or a value of another type (NULL for a
    /// non-optional `T`) is an error naming the column, never a silent default.
    package subscript<T: SQLReadable>(_ name: String) -> T {
        get throws {
            guard let i = columns.position(of: name) else {
                throw StoreError(
                    code: SQLITE_RANGE,
                    message: "the row has no column \(name) (it has \(columns.names.joined(separator: ", ")))"
                )
            }
            guard let v = T(sql: values[i]) else {
                throw StoreError(
                    code: SQLITE_MISMATCH,
                    message: "column \(name) holds \(values[i].typeName), not \(T.self)"
                )
            }
            return v
        }
    }
}
