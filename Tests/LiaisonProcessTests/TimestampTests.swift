import LiaisonProcess
import Testing

/// Wall-clock stamps, written digit by digit.
@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"), (5, "1970-01-01T00:00:00.005Z"), (1_796_013_464_674, "2026-11-30T04:37:44.674Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"), (951_782_400_123, "2000-02-29T00:00:00.123Z"),
    ])
    func writesRFC3339InUTCWithMilliseconds(_ millis: Int64, _ text: String) {
        #expect(Timestamp.rfc3339(millis: millis) == text)
    }

    @Test func outsideTheUsualRangeStillWrites() {
        #expect(Timestamp.rfc3339(millis: 253_402_300_800_000).hasPrefix("10000-01-01T00:00:00"))
    }
}
