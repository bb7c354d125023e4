import LiaisonSync
import LiaisonJSON
import LiaisonWire
import Synchronization

/// Calls, errors and latency per method, for `service.stats`.
package final class CallStats: Sendable {
    struct Entry {
        var calls: UInt64 = 0
        var errors: [String: UInt64] = [:]
        var latency = LatencyHistogram()
    }

    private let entries = Locked<[String: Entry]>([:])

    package init() {}

    /// Records one finished call.
    package func record(method: String, micros: UInt64, error: ErrorCode?) {
        entries.withLock { e in
            var entry = e[method] ?? Entry()
            e[method] = nil
            entry.calls += 1
            if let error { entry.errors[error.rawValue, default: 0] += 1 }
            entry.latency.record(micros: micros)
            e[method] = entry
        }
    }

    /// Per method: calls, errors by code, p50/p99/max in milliseconds; and the totals.
    package func snapshot() -> CallStatsSnapshot {
        let copy = entries.withLock { $0 }
        var methods: [String: MethodStats] = [:]
        var total = LatencyHistogram()
        var calls: UInt64 = 0, errors: UInt64 = 0
        for (name, e) in copy {
            total.merge(e.latency)
            calls += e.calls
            let errs = e.errors.values.reduce(0, +)
            errors += errs
            methods[name] = MethodStats(
                calls: Int64(e.calls),
                errors: Int64(errs),
                errorsByCode: e.errors.mapValues { Int64($0) },
                p50Ms: e.latency.milliseconds(0.5),
                p99Ms: e.latency.milliseconds(0.99),
                maxMs: Double(e.latency.maxMicros) / 1000
            )
        }
        return CallStatsSnapshot(
            calls: Int64(calls),
            errors: Int64(errors),
            p50Ms: total.milliseconds(0.5),
            p99Ms: total.milliseconds(0.99),
            methods: methods
        )
    }
}

extension CallStats {
    /// Calls by method and outcome (ok or the error code), and latency histograms by method.
    package func families() -> [MetricFamily] {
        let copy = entries.withLock { $0 }
        var calls = MetricFamily(
            "liaison_calls",
            .counter,
            "Calls answered, by method and outcome (ok or the error code)."
        )
        var latency = MetricFamily(
            "liaison_call_duration_seconds",
            .histogram,
            "Time from reading a call to answering it, by method."
        )
        for (method, e) in copy.sorted(by: { $0.key < $1.key }) {
            let errors = e.errors.values.reduce(0, +)
            calls.samples.append(MetricSample(["method": method, "code": "ok"], Double(e.calls - errors)))
            for (code, n) in e.errors.sorted(by: { $0.key < $1.key }) {
                calls.samples.append(MetricSample(["method": method, "code": code], Double(n)))
            }
            latency.samples += MetricFamily.histogramSamples(e.latency, ["method": method])
        }
        return [calls, latency]
    }
}

/// One method's calls, errors and latency.
package struct MethodStats: Codable, Sendable, Schematic {
    package var calls, errors: Int64
    package var errorsByCode: [String: Int64]
    package var p50Ms, p99Ms, maxMs: Double

    enum CodingKeys: String, CodingKey {
        case calls, errors, errorsByCode = "errors_by_code", p50Ms = "p50_ms", p99Ms = "p99_ms", maxMs = "max_ms"
    }

    package static var schema: Schema {
        .object([
            .req("calls", .integer()), .req("errors", .integer()),
            .req("errors_by_code", .map(.integer()), "Errors by code."),
            .req("p50_ms", .number), .req("p99_ms", .number), .req("max_ms", .number),
        ])
    }
}

/// Every method's stats and the totals.
package struct CallStatsSnapshot: Codable, Sendable {
    package var calls, errors: Int64
    package var p50Ms, p99Ms: Double
    package var methods: [String: MethodStats]

    enum CodingKeys: String, CodingKey { case calls, errors, p50Ms = "p50_ms", p99Ms = "p99_ms", methods }

    /// Its members, for a result that adds its own.
    package static var fields: [Schema.Field] {
        [
            .req("calls", .integer()), .req("errors", .integer()), .req("p50_ms", .number), .req("p99_ms", .number),
            .req("methods", .map(MethodStats.schema), "Per method name."),
        ]
    }
}
