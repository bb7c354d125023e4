import Testing
import LiaisonModels
import LiaisonJSON
@testable import Notifications

/// The mails of a joint visit name each partner with its own country and say which member comes
/// from which partner (issue 27, item 1).
@Suite struct JointVisitMailTests {
    @Test func eachPartnerHasItsOwnCountryAndEachMemberTheirPartner() throws {
        let t = try TestNotifications(start: false)
        var d = visit(members: [
            Member(name: "Somchai Prasert", email: "th@example.org", partner: "par-chula"),
            Member(name: "Yousef Al Hammadi", nameLocal: "يوسف الحمادي", email: "ae@example.org", partner: "par-ku"),
        ])
        d.draft.partners = [
            PartnerRef(id: "par-chula", name: "Chulalongkorn University", kind: .university, country: "TH", lead: true),
            PartnerRef(id: "par-ku", name: "Khalifa University", kind: .university, country: "AE"),
        ]
        try t.deliver("delegation.confirmed", d)
        let host = try #require(try t.messages().first { $0["recipient"] == "host@bit.example.cn" })
        let text = try t.parsed(host["id"]!.intValue!).text("text/plain") ?? ""
        #expect(
            text.contains("Partners: Chulalongkorn University, Thailand; Khalifa University, United Arab Emirates"),
            "\(text)"
        )
        // The Arabic name held between isolates (U+2068 … U+2069), so that it keeps its order.
        #expect(
            text.contains("• Yousef Al Hammadi (\u{2068}يوسف الحمادي\u{2069})")
                && text.contains("— from Khalifa University"),
            "\(text)"
        )
        #expect(text.contains("— from Chulalongkorn University"))
    }
}
