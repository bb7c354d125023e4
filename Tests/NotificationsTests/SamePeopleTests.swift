import LiaisonJSON
import LiaisonWire
import Testing

@testable import Notifications

/// An update whose members and hosts are written the same needs no look at who was on the visit
/// before; anything else (or text that cannot be split) takes the full comparison.
@Suite struct SamePeopleTests {
    func same(_ a: String, _ b: String) -> Bool { NotificationRules.samePeople(Array(a.utf8), Array(b.utf8)) }

    @Test func onlyMembersAndHostsCount() {
        let base = #"{"id":"del-1","notes":"a","members":[{"name":"Bo","email":"bo@x.org"}],"hosts":[{"name":"Li","email":"li@x.cn"}]}"#
        #expect(same(base, base.replacingOccurrences(of: #""notes":"a""#, with: #""notes":"b""#)), "the notes changed, not the people")
        #expect(!same(base, base.replacingOccurrences(of: "bo@x.org", with: "bo@y.org")), "a member's address changed")
        #expect(!same(base, base.replacingOccurrences(of: "li@x.cn", with: "lu@x.cn")), "a host changed")
        #expect(!same(base, #"{"id":"del-1","notes":"a","hosts":[{"name":"Li","email":"li@x.cn"}]}"#), "the members are gone")
        #expect(same(#"{"id":"d"}"#, #"{"id":"d","notes":"x"}"#), "no people on either side")
    }

    @Test func textWrittenDifferentlyOrNotSplittableTakesTheFullComparison() {
        #expect(!same(#"{"members":[ ]}"#, #"{"members":[]}"#), "the same people written differently: not assumed")
        #expect(!same(#"{"members":[]"#, #"{"members":[]}"#))
        #expect(!same(#"[1]"#, #"[1]"#))
    }
}
