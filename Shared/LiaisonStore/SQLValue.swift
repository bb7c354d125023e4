/// A value bound to or read from SQL.
package enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

/// Something that can be bound as a SQL parameter.
package protocol SQLBindable {
    /// The SQL value.
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable { package var sqlValue: SQLValue { .text(self) } }
extension Int: SQLBindable { package var sqlValue: SQLValue { .int(Int64(self)) } }
extension Int64: SQLBindable { package var sqlValue: SQLValue { .int(self) } }
extension Double: SQLBindable { package var sqlValue: SQLValue { .double(self) } }
extension Bool: SQLBindable { package var sqlValue: SQLValue { .int(self ? 1 : 0) } }
extension SQLValue: SQLBindable { package var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    package var sqlValue: SQLValue { self?.sqlValue ?? .null }
}
