import Testing
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// Who may call what (issue 12): the rules of the mesh file, supplementary groups, event
/// producers by their service's user.
@Suite struct AccessPolicyTests {
    static func peer(_ uid: UInt32, gid: UInt32? = nil) -> PeerCredentials { PeerCredentials(uid: uid, gid: gid ?? uid, pid: 1) }

    /// A deployment: delegations runs as 998, agreements as 997; readers are group 2000, office
    /// staff user 1001, operators group 3000. uid 1002 is in 2000 and 1003 in 3000, both only as
    /// supplementary groups.
    static func deployed(as name: String = "notifications") throws -> AccessPolicy {
        var m = MeshFile.standard(home: "/srv/liaison")
        m.services[0].user = 998
        m.services[2].user = "997"
        m.access = try JSONDecoding.decode(
            AccessRules.self, from: ["read": ["group:2000"], "write": ["user:1001"], "operate": ["group:3000"]])
        let groups: [UInt32: [UInt32]] = [1002: [1002, 2000], 1003: [1003, 3000], 998: [998, 2000]]
        return AccessPolicy(mesh: m, name: name, selfUID: 996) { groups[$0] ?? [] }
    }

    @Test func eachClassAdmitsItsRuleAndTheOnesAboveIt() throws {
        let p = try Self.deployed()
        #expect(p.allows(Self.peer(1002), .read) && !p.allows(Self.peer(1002), .write), "a reader by supplementary group")
        #expect(p.allows(Self.peer(1001), .read) && p.allows(Self.peer(1001), .write) && !p.allows(Self.peer(1001), .operate))
        #expect(p.allows(Self.peer(1003), .operate) && p.allows(Self.peer(1003), .read), "operating includes the rest")
        #expect(!p.admits(Self.peer(1004)), "nobody else connects")
        #expect(p.allows(Self.peer(0), .operate) && p.allows(Self.peer(996), .operate), "root and the service's own account")
    }

    @Test func onlyTheProducersDeliverAndEachOnlyItsOwnEvents() throws {
        let p = try Self.deployed()
        #expect(p.allows(Self.peer(998), .deliver) && p.sources(for: Self.peer(998)) == ["delegations"])
        #expect(p.allows(Self.peer(997), .read) && !p.allows(Self.peer(997), .write), "services read each other, no more")
        #expect(p.sources(for: Self.peer(997)) == ["agreements"])
        #expect(!p.allows(Self.peer(1003), .deliver), "not even an operator")
        #expect(p.sources(for: Self.peer(1003)) == [])
        let e = p.refusal(Self.peer(1003), method: "events.deliver", .deliver, log: Logger(service: "t", minimum: .error) { _ in })
        #expect(e.code == .permissionDenied && e.details?["rule"] == "access.deliver")
        #expect(e.message.contains("only by the services producing them (agreements, delegations)"), "\(e.message)")
    }

    /// Only services that emit events deliver them, and a source is taken only for the types its
    /// entry says it emits (issue 26: the notifications account injected a visit into agreements;
    /// the agreements account had a schedule mailed).
    @Test func aServiceThatEmitsNothingDeliversNothingAndEachSourceOnlyItsTypes() throws {
        var m = MeshFile.standard(home: "/srv/liaison")
        m.services[0].user = 998
        m.services[1].user = 995
        m.services[2].user = 997
        let p = AccessPolicy(mesh: m, name: "agreements", selfUID: 997) { _ in [] }
        #expect(!p.allows(Self.peer(995), .deliver) && p.sources(for: Self.peer(995)) == [], "notifications emits nothing")
        #expect(p.allows(Self.peer(995), .read), "the mesh's services still read each other")
        #expect(p.ownership(source: "delegations", type: "delegation.confirmed") == nil)
        #expect(p.ownership(source: "delegations", type: "partner.merged") == nil)
        #expect(p.ownership(source: "agreements", type: "partner.claimed") == nil)
        let wrong = p.ownership(source: "agreements", type: "delegation.confirmed")
        #expect(wrong == "agreements emits agreement.*, partner.claimed, not delegation.confirmed (emits in the mesh file)")
        #expect(p.ownership(source: "notifications", type: "agreement.signed")?.hasPrefix("notifications emits no events") == true)
        #expect(p.ownership(source: "elsewhere", type: "delegation.confirmed") == "no service of the mesh is named elsewhere")
        // A mesh file may say what a service of its own emits.
        m.services[1].emitsDeclared = ["agreement.expiring"]
        let q = AccessPolicy(mesh: m, name: "agreements", selfUID: 997) { _ in [] }
        #expect(q.allows(Self.peer(995), .deliver) && q.ownership(source: "notifications", type: "agreement.expiring") == nil)
    }

    @Test func aRefusalNamesTheRule() throws {
        let p = try Self.deployed()
        let e = p.refusal(Self.peer(1001), method: "events.redrive", .operate, log: Logger(service: "t", minimum: .error) { _ in })
        #expect(
            e.message.hasSuffix(
                "may not call events.redrive on notifications: operate methods are for access.operate in the mesh file (group:3000)"),
            "\(e.message)")
    }

    /// A dev home: everything runs as one account and nothing tells a service from its operator.
    /// Guaranteed there: nobody else may call anything; not guaranteed: that an event came from its
    /// producer (the operator could forge one — they could as well edit the database).
    @Test func theDevDefaultLetsTheMeshsOwnAccountDoEverythingAndNobodyElseAnything() {
        let p = AccessPolicy(mesh: MeshFile.standard(home: "/tmp/x"), name: "notifications", selfUID: 1000) { _ in [] }
        #expect(p.allows(Self.peer(1000), .operate) && p.allows(Self.peer(1000), .deliver))
        #expect(p.sources(for: Self.peer(1000)) == nil, "any source: the producers are this account too")
        #expect(!p.admits(Self.peer(1001)))
    }

    @Test func allowedUsersAndGroupsByNameOrNumberReadAndWriteButDoNotOperate() throws {
        var m = MeshFile.standard(home: "/srv/liaison")
        m.services[1].allowedUids = ["1001", 1005]
        m.services[1].allowedGids = [2000]
        let p = AccessPolicy(mesh: m, name: "notifications", selfUID: 996) { $0 == 1006 ? [2000] : [] }
        #expect(p.allows(Self.peer(1001), .write) && p.allows(Self.peer(1005), .read) && p.allows(Self.peer(1006), .write))
        #expect(!p.allows(Self.peer(1001), .operate))
    }

    @Test func namesResolveThroughTheAccountDatabase() throws {
        // root and its group exist everywhere.
        #expect(AccountRef("root").uid == 0 && AccountRef("root").gid == 0)
        #expect(AccountRef("no-such-user-here").uid == nil)
        #expect(try JSONDecoding.decode(Principal.self, from: "group:root") == .group("root"))
        #expect((try? JSONDecoding.decode(Principal.self, from: "root")) == nil, "user: or group: is required")
        #expect((try? JSONDecoding.decode(AccountRef.self, from: "bad name")) == nil)
    }
}
