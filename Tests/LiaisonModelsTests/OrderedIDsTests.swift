import Testing

@testable import LiaisonModels

@Suite struct OrderedIDsTests {
    @Test func laterIdentifiersSortAfterEarlierOnes() {
        let times: [Int64] = [0, 1, 31, 32, 1_000, 1_796_013_464_674, 1_796_013_464_675, 1_796_013_465_674, 35_184_372_088_831]
        let ids = times.map { IDs.ordered("evt", millis: $0) }
        #expect(ids == ids.sorted(), "in the order they were made")
        for id in ids {
            #expect(id.hasPrefix("evt-") && id.count == 30, "\(id): the prefix, 10 characters of time and 16 random")
            #expect(id.dropFirst(4).utf8.allSatisfy { IDs.alphabet.contains($0) })
        }
        #expect(ids[0] == "evt-0000000000" + ids[0].dropFirst(14))
        #expect(ids[3].dropFirst(4).prefix(10) == "0000000010", "32 ms is the second digit's first step")
    }

    @Test func theSameMillisecondStillGivesDistinctIdentifiers() {
        let ids = (0..<10_000).map { _ in IDs.ordered("evt", millis: 1_796_013_464_674) }
        #expect(Set(ids).count == ids.count)
        #expect(Set(ids.map { $0.prefix(14) }).count == 1, "one time prefix")
    }
}

@Suite struct RandomIDsTests {
    @Test func everyCharacterPositionTakesEveryLetter() {
        // 60 bits per draw cut in 5s: a slip in the cutting would leave positions stuck or short.
        let ids = (0..<4_000).map { _ in IDs.make("del") }
        #expect(Set(ids).count == ids.count)
        for i in 4..<20 {
            let letters = Set(ids.map { Array($0.utf8)[i] })
            #expect(letters.count == 32, "position \(i) uses \(letters.count) of 32 characters")
        }
    }
}
