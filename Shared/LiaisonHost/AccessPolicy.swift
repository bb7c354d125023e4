import Glibc
import LiaisonProcess
import LiaisonSync
import LiaisonJSON
import LiaisonWire

/// Who may call what on one process, from the mesh file: the `access` rules (or, without them,
/// the account running the mesh), each service's `user` for event delivery, and the kernel's word
/// on who is calling (SO_PEERCRED's uid and gid, and that uid's groups).
///
/// Root and the process's own account may do everything; the mesh's other services may read
/// and deliver their events. Writing includes reading, operating includes both.
package final class AccessPolicy: Sendable {
    struct Rule: Sendable {
        var uids: Set<UInt32> = []
        var gids: Set<UInt32> = []
        /// How the mesh file says it, for messages.
        var names: [String] = []

        func admits(uid: UInt32, groups: Set<UInt32>) -> Bool { uids.contains(uid) || !gids.isDisjoint(with: groups) }

        mutating func add(_ p: Principal) {
            names.append(p.description)
            switch p {
            case .user(let r): if let u = r.uid { uids.insert(u) }
            case .group(let r): if let g = r.gid { gids.insert(g) }
            }
        }
    }

    private let rules: [Access: Rule]
    /// The services each uid speaks for (their events it may deliver): those that emit any.
    private let producers: [UInt32: Set<String>]
    /// The accounts of the mesh's other services, which read each other.
    private let services: Set<UInt32>
    /// What each service of the mesh emits (`emits` in the mesh file).
    private let emitters: [String: ServiceEntry]
    private let own: Set<UInt32>
    private let label: String
    private let groupCache = Locked<[UInt32: (groups: Set<UInt32>, at: UInt64)]>([:])
    private let groupsOf: @Sendable (UInt32) -> [UInt32]
    private let refusalsLogged = Locked<Set<String>>([])

    /// The policy of the process `name` ("supervisor" for the supervisor) in `mesh`; `groupsOf`
    /// gives a uid's groups (the account database by default).
    package init(
        mesh: MeshFile,
        name: String,
        selfUID: UInt32 = getuid(),
        groupsOf: @escaping @Sendable (UInt32) -> [UInt32] = { Accounts.user(uid: $0)?.groups ?? [] }
    ) {
        label = name
        self.groupsOf = groupsOf
        own = [0, selfUID]
        let entry = mesh.service(name)
        var read = Rule(), write = Rule(), operate = Rule()
        if let a = mesh.access {
            for p in a.operate { operate.add(p) }
            for p in a.write + a.operate { write.add(p) }
            for p in a.read + a.write + a.operate { read.add(p) }
        } else {
            read.names = ["the account running the mesh"]
            write.names = read.names
            operate.names = read.names
        }
        // allowed_uids / allowed_gids of this service: reading and writing.
        for u in entry?.allowedUids ?? [] {
            read.add(.user(u))
            write.add(.user(u))
        }
        for g in entry?.allowedGids ?? [] {
            read.add(.group(g))
            write.add(.group(g))
        }
        rules = [.read: read, .write: write, .operate: operate]
        var producers: [UInt32: Set<String>] = [:]
        var services: Set<UInt32> = []
        for s in mesh.services where s.name != name {
            let uid = s.user?.uid ?? selfUID
            services.insert(uid)
            if !s.emits.isEmpty { producers[uid, default: []].insert(s.name) }
        }
        self.producers = producers
        self.services = services
        emitters = Dictionary(mesh.services.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The groups the kernel's `gid` and the account database give `uid` (looked up once every
    /// few seconds per uid).
    func groups(of peer: PeerCredentials) -> Set<UInt32> {
        let now = monotonicNanos()
        if let hit = groupCache.withLock({ $0[peer.uid] }), now - hit.at < 5_000_000_000 {
            return hit.groups.union([peer.gid])
        }
        let found = Set(groupsOf(peer.uid))
        groupCache.withLock { $0[peer.uid] = (found, now) }
        return found.union([peer.gid])
    }

    /// Whether `peer` may call methods of class `access`.
    package func allows(_ peer: PeerCredentials, _ access: Access) -> Bool {
        if own.contains(peer.uid) { return true }
        if access == .deliver { return producers[peer.uid] != nil }
        // The mesh's services read each other (a relay asks its consumers' limits).
        if access == .read && services.contains(peer.uid) { return true }
        guard let rule = rules[access] else { return false }
        return rule.admits(uid: peer.uid, groups: groups(of: peer))
    }

    /// Whether `peer` may call anything at all (checked when it connects).
    package func admits(_ peer: PeerCredentials) -> Bool { Access.allCases.contains { allows(peer, $0) } }

    /// The services whose events `peer` may deliver; nil means any (root, or this process's own
    /// account — in a dev home every service runs as the operator, so nothing tells them apart).
    package func sources(for peer: PeerCredentials) -> Set<String>? {
        if own.contains(peer.uid) { return nil }
        return producers[peer.uid] ?? []
    }

    /// Why an event of `type` from `source` is not taken, whoever delivers it: nil when `source`
    /// is a service of the mesh that emits `type`.
    package func ownership(source: String, type: String) -> String? {
        guard let entry = emitters[source] else { return "no service of the mesh is named \(source)" }
        if entry.emits(type: type) { return nil }
        let own = entry.emits.isEmpty ? "no events" : entry.emits.joined(separator: ", ")
        return "\(source) emits \(own), not \(type) (emits in the mesh file)"
    }

    /// Who `peer` is, for messages: `uid 1001 (alice)`.
    package static func who(_ peer: PeerCredentials) -> String { "uid \(peer.uid) (\(Accounts.userName(peer.uid)))" }

    /// The refusal for `peer` calling `method` of class `access`, naming the rule; logged once
    /// per caller and rule.
    package func refusal(_ peer: PeerCredentials, method: String, _ access: Access, log: Logger) -> ServiceError {
        let rule: String
        switch access {
        case .deliver:
            let names = producers.values.flatMap { $0 }.sorted().joined(separator: ", ")
            rule = "events are delivered only by the services producing them (\(names))"
        case .read, .write, .operate:
            let names = rules[access]?.names ?? []
            let who = names.isEmpty ? "nobody" : names.joined(separator: ", ")
            rule = "\(access.rawValue) methods are for access.\(access.rawValue) in the mesh file (\(who))"
        }
        let e = ServiceError(
            .permissionDenied,
            "\(Self.who(peer)) may not call \(method) on \(label): \(rule)",
            retryable: false,
            details: ["rule": .string("access.\(access.rawValue)"), "uid": .int(Int64(peer.uid))]
        )
        let first = refusalsLogged.withLock { $0.insert("\(peer.uid) \(access.rawValue)").inserted }
        if first {
            log.warning(
                "call.refused",
                ["peer.uid": String(peer.uid), "method": method, "rule": "access.\(access.rawValue)"]
            )
        }
        return e
    }
}
