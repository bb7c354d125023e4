import Testing
import LiaisonJSON
import LiaisonWire
@testable import Notifications

@Suite(.serialized) struct NotificationsPagingTests {
    @Test func messagesPageNewestFirstWithCountsThatFollowTheFilter() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", visit())
        let pages = try t.under.pages("notifications.list", limit: 2)
        #expect(pages.map(\.count) == [2, 2, 1])
        let ids = pages.joined().map { $0["id"]!.intValue! }
        #expect(ids == ids.sorted(by: >) && Set(ids).count == 5)
        let one = try t.call("notifications.list", ["recipient": "host@bit.example.cn", "limit": 1])
        #expect(one["counts"] == ["pending": 1], "counts follow the recipient filter")
        #expect(one["next_cursor"] == nil)
        let e = try #require(t.under.error("notifications.list", ["cursor": "c-12"]))
        #expect(e.code == .invalidParams && e.details?["field"] == "cursor")
    }

    @Test func jobsPageInTheOrderTheyCame() throws {
        let t = try TestNotifications(start: false)
        try t.deliver("delegation.confirmed", visit())
        let pages = try t.under.pages("notifications.jobs", limit: 1)
        #expect(pages.map(\.count) == [1])
        #expect(t.under.error("notifications.jobs", ["limit": 1001])?.details?["field"] == "limit")
    }
}
