import LiaisonBuild
import Foundation
import LiaisonJSON
import LiaisonWire

/// One metric family as Prometheus and OpenMetrics see it: a name, a type, help, samples.
package struct MetricFamily: Codable, Sendable, Equatable {
    package enum Kind: String, WireEnum { case counter, gauge, histogram }
    /// A sample's labels, name to value.
    package typealias Labels = [String: String]

    /// The name without `_total` (counters get it on their samples).
    package var name: String
    package var type: Kind
    package var help: String
    package var samples: [MetricSample]

    package init(_ name: String, _ type: Kind, _ help: String, _ samples: [MetricSample] = []) {
        (self.name, self.type, self.help, self.samples) = (name, type, help, samples)
    }

    /// A gauge with one sample.
    package static func gauge(_ name: String, _ help: String, _ value: Double, _ labels: Labels = [:]) -> Self {
        MetricFamily(name, .gauge, help, [MetricSample(labels, value)])
    }

    /// A counter with one sample.
    package static func counter(_ name: String, _ help: String, _ value: Double, _ labels: Labels = [:]) -> Self {
        MetricFamily(name, .counter, help, [MetricSample(labels, value)])
    }

    /// A histogram of `h` (seconds) with the standard buckets, labelled `labels`.
    package static func histogramSamples(_ h: LatencyHistogram, _ labels: [String: String]) -> [MetricSample] {
        var out: [MetricSample] = []
        for le in MetricSample.secondsBuckets {
            var l = labels
            l["le"] = MetricSample.format(le)
            out.append(MetricSample(l, Double(h.count(atMostMicros: UInt64(le * 1_000_000))), suffix: "_bucket"))
        }
        var inf = labels
        inf["le"] = "+Inf"
        out.append(MetricSample(inf, Double(h.count), suffix: "_bucket"))
        out.append(MetricSample(labels, Double(h.sumMicros) / 1e6, suffix: "_sum"))
        out.append(MetricSample(labels, Double(h.count), suffix: "_count"))
        return out
    }
}

extension MetricFamily: Schematic {
    package static var schema: Schema {
        .object([
            .req("name", .string()), .req("type", .string(values: ["counter", "gauge", "histogram"])),
            .req("help", .string()),
            .req(
                "samples",
                .array(
                    .object([
                        .req("labels", .map(.string())), .req("value", .number),
                        .req("suffix", .string(), "The series' suffix: _bucket, _sum, _count, or empty."),
                    ])
                )
            ),
        ])
    }
}

/// What `service.metrics` answers.
package struct MetricsAnswer: Codable, Sendable, Schematic {
    package var families: [MetricFamily]
    package init(families: [MetricFamily]) { self.families = families }
    package static var schema: Schema {
        .object([
            .req(
                "families",
                .array(MetricFamily.schema),
                "Prometheus/OpenMetrics families; 'liaison metrics' prints them as text."
            )
        ])
    }
}

/// One sample: labels, value, and the suffix of its series (`_bucket`, `_sum`, `_count`).
package struct MetricSample: Codable, Sendable, Equatable {
    package var labels: [String: String]
    package var value: Double
    package var suffix: String

    package init(_ labels: [String: String], _ value: Double, suffix: String = "") {
        (self.labels, self.value, self.suffix) = (labels, value, suffix)
    }

    /// Latency buckets in seconds, 100 µs to 10 s.
    package static let secondsBuckets: [Double] = [
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// A number as the exposition formats write it.
    package static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

/// Writes families as text: the Prometheus exposition format (what promtool and
/// node_exporter's textfile collector read) or OpenMetrics 1.0.
package enum MetricsText {
    package static func render(_ families: [MetricFamily], openMetrics: Bool = false) -> String {
        var s = ""
        for f in merged(families) {
            let name = f.type == .counter && !openMetrics ? f.name + "_total" : f.name
            s += "# HELP \(name) \(escapeHelp(f.help))\n# TYPE \(name) \(f.type.rawValue)\n"
            for sample in f.samples {
                let series = f.name + (f.type == .counter ? "_total" : sample.suffix)
                s += series + labels(sample.labels) + " " + MetricSample.format(sample.value) + "\n"
            }
        }
        if openMetrics { s += "# EOF\n" }
        return s
    }

    /// Families of the same name (from several services) as one, samples in order; families
    /// sorted by name.
    static func merged(_ families: [MetricFamily]) -> [MetricFamily] {
        var byName: [String: MetricFamily] = [:]
        for f in families {
            if var have = byName[f.name] {
                have.samples += f.samples
                byName[f.name] = have
            } else {
                byName[f.name] = f
            }
        }
        return byName.keys.sorted().map { byName[$0]! }
    }

    static func labels(_ l: [String: String]) -> String {
        guard !l.isEmpty else { return "" }
        // `le` last, the rest by name: stable output.
        let keys = l.keys.filter { $0 != "le" }.sorted() + (l["le"] != nil ? ["le"] : [])
        return "{" + keys.map { "\($0)=\"\(escapeValue(l[$0]!))\"" }.joined(separator: ",") + "}"
    }

    static func escapeValue(_ v: String) -> String {
        v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(
                of: "\n",
                with: "\\n"
            )
    }

    static func escapeHelp(_ v: String) -> String {
        v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// What every process reports about itself from /proc/self: memory, CPU, descriptors, threads, start.
package enum ProcessMetrics {
    package static func families(startedNanos: UInt64) -> [MetricFamily] {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ field: String) -> Double {
            let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
            return Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
        }
        var ru = rusage()
        getrusage(RUSAGE_SELF.rawValue, &ru)
        let cpu =
            Double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + Double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        let uptime = Double(monotonicNanos() - startedNanos) / 1e9
        return [
            .gauge(
                "liaison_build_info",
                "The release and the commit this process was built from (always 1).",
                1,
                ["version": BuildInfo.version, "commit": BuildInfo.commit]
            ),
            .gauge("liaison_process_resident_memory_bytes", "Resident memory.", field("VmRSS") * 1024),
            .counter("liaison_process_cpu_seconds", "User and system CPU time.", cpu),
            .counter(
                "liaison_process_context_switches",
                "Voluntary and involuntary context switches (wake-ups).",
                Double(ru.ru_nvcsw + ru.ru_nivcsw)
            ),
            .gauge("liaison_process_open_fds", "Open file descriptors.", Double(fds)),
            .gauge("liaison_process_threads", "Threads.", field("Threads")),
            .gauge(
                "liaison_process_start_time_seconds",
                "When the process started (Unix time).",
                Date().timeIntervalSince1970 - uptime
            ),
        ]
    }
}
