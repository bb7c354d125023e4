import Testing
import LiaisonHost
import LiaisonJSON
import LiaisonWire

@Suite struct LatencyHistogramTests {
    @Test func percentilesAreWithinTheBucketPrecision() {
        var h = LatencyHistogram()
        for us in 1...10_000 { h.record(micros: UInt64(us)) }
        let p50 = Double(h.percentile(0.5)), p99 = Double(h.percentile(0.99))
        #expect(abs(p50 - 5000) / 5000 < 0.13)
        #expect(abs(p99 - 9900) / 9900 < 0.13)
        #expect(h.maxMicros == 10_000)
        #expect(h.count == 10_000)
    }

    @Test func emptyHistogramSaysZero() {
        #expect(LatencyHistogram().percentile(0.99) == 0)
    }
}

@Suite struct SchemaTests {
    @Test func rendersJSONSchemaAndChecksValues() {
        let s = Schema.object([.req("id", .string()), .opt("n", .integer(minimum: 1)), .opt("kind", .string(values: ["a", "b"]))])
        #expect(s.json["required"] == ["id"])
        #expect(s.json["properties"]?["kind"]?["enum"] == ["a", "b"])
        #expect(s.violation(["id": "x", "n": 2]) == nil)
        #expect(s.violation(["n": 2])?.description == "id: required")
        #expect(s.violation(["id": "x", "n": 0])?.description == "n: must be at least 1 (got 0)")
        #expect(s.violation(["id": "x", "kind": "c"])?.description == "kind: \"c\" is not one of a, b")
    }
}

