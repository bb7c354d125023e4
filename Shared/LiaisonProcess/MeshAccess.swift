import LiaisonJSON
import LiaisonWire

/// A user or group as the mesh file names it: a name ("liaison-delegations") or a number (998).
package struct AccountRef: Codable, Sendable, Hashable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The name, or the number as text.
    package var text: String

    package init(_ text: String) { self.text = text }
    package init(integerLiteral n: UInt32) { text = String(n) }
    package init(stringLiteral s: String) { text = s }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(UInt32.self) {
            text = String(n)
            return
        }
        let s = try c.decode(String.self)
        // Checked by hand, not by a regular expression (ICU's sets take 2 ms to build).
        func allowed(_ c: UInt8, first: Bool) -> Bool {
            (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || (0x30...0x39).contains(c) || c == 0x5F
                || (!first && (c == 0x2E || c == 0x2D))
        }
        let b = Array(s.utf8)
        guard !b.isEmpty, b.count <= 64, allowed(b[0], first: true),
            b.dropFirst().allSatisfy({ allowed($0, first: false) })
        else {
            throw DecodingError.dataCorruptedError(
                in: c,
                debugDescription: "\"\(s)\" is not a user or group name (or number)"
            )
        }
        text = s
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let n = UInt32(text) { try c.encode(n) } else { try c.encode(text) }
    }

    package var description: String { text }

    /// The uid it names on this machine (nil: no such user).
    package var uid: UInt32? { Accounts.user(text)?.uid }
    /// The gid it names on this machine (nil: no such group).
    package var gid: UInt32? { Accounts.group(text) }
}

/// Who a rule lets in: a user (`user:alice`) or every member of a group (`group:liaison`),
/// by name or number.
package enum Principal: Codable, Sendable, Hashable, CustomStringConvertible {
    case user(AccountRef)
    case group(AccountRef)

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        let parts = s.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["user", "group"].contains(parts[0]),
            let ref = try? JSONDecoding.decode(AccountRef.self, from: .string(parts[1]))
        else {
            throw DecodingError.dataCorruptedError(
                in: c,
                debugDescription: "\"\(s)\" is not user:NAME or group:NAME (names or numbers)"
            )
        }
        self = parts[0] == "user" ? .user(ref) : .group(ref)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    package var description: String {
        switch self {
        case .user(let r): "user:\(r)"
        case .group(let r): "group:\(r)"
        }
    }
}

/// Who may call what (DESIGN §8): each class of method, the principals it admits. Writing
/// includes reading and operating includes both; delivering events is for the services that
/// produce them and is not named here (it follows each service's `user`).
package struct AccessRules: Codable, Sendable, Equatable {
    /// get, list, check, reports, describe, health, status, logs.
    package var read: [Principal]
    /// create, update and every lifecycle change.
    package var write: [Principal]
    /// supervisor control, events redrive/skip, notifications retry, agreements sweep.
    package var operate: [Principal]

    package init(read: [Principal] = [], write: [Principal] = [], operate: [Principal] = []) {
        (self.read, self.write, self.operate) = (read, write, operate)
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        read = try c.decodeIfPresent([Principal].self, forKey: .read) ?? []
        write = try c.decodeIfPresent([Principal].self, forKey: .write) ?? []
        operate = try c.decodeIfPresent([Principal].self, forKey: .operate) ?? []
    }
}
