import LiaisonCLI
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension Bench {
    /// The JSON work of one change, timed in this process: steadier than timing the mesh on a
    /// shared machine, so that a change to the codec can be measured on its own.
    static var benchCodec: CLICommand {
        Command(
            name: "codec",
            abstract:
                "Time the JSON work of a change in this process (no mesh): parse, decode, encode and write a "
                + "confirmed visit.",
            usage: "bench codec [--count N] [--json]",
            options: [
                OptionSpec(
                    ["--count", "-n"],
                    value: "N",
                    "Times each step runs per round (default 20000; best of 5 rounds)."
                )
            ]
        ) { args, ctx in
            let n = try args.int("--count", default: 20_000, in: 1...10_000_000)
            let d = try BenchCodec.sample()
            let text = JSONEncoding.bytes(d)
            let tree = try JSONParser.parse(text)
            var sink = 0
            /// Best of five rounds, in µs per run of `body`.
            func time(_ body: () throws -> Int) rethrows -> Double {
                var best = Double.infinity
                for _ in 0..<5 {
                    let t0 = monotonicNanos()
                    for _ in 0..<n { sink &+= try body() }
                    best = min(best, Double(monotonicNanos() - t0) / 1000 / Double(n))
                }
                return best
            }
            let steps: [(String, Double)] = [
                (
                    "parse (text → tree)",
                    try time { if case .object(let o) = try JSONParser.parse(text) { o.count } else { 0 } }
                ),
                (
                    "decode (tree → Delegation)",
                    try time { try JSONDecoding.decode(Delegation.self, from: tree).draft.members.count }
                ),
                (
                    "parse + decode (text → Delegation)",
                    try time { try JSONDecoding.decode(Delegation.self, from: text).version }
                ),
                (
                    "encode (Delegation → tree)",
                    time { if case .object(let o) = JSONEncoding.encode(d) { o.count } else { 0 } }
                ),
                ("write (tree → text)", time { JSONWriter.encode(tree).count }),
                ("stream (Delegation → text)", time { JSONEncoding.bytes(d).count }),
            ]
            if ctx.json {
                let perOp = JSONObject(steps.map { ($0.0, JSONValue.double(($0.1 * 100).rounded() / 100)) })
                let out: JSONValue = [
                    "bytes": .int(Int64(text.count)), "count": .int(Int64(n)), "checksum": .int(Int64(sink & 0xFFFF)),
                    "us_per_op": .object(perOp),
                ]
                ctx.printJSON(out)
            } else {
                ctx.print("bench codec: a confirmed visit of \(text.count) bytes, best of 5 rounds of \(n)")
                for (name, us) in steps {
                    ctx.print("  " + name.padding(toLength: 36, withPad: " ", startingAt: 0) + latencyText(micros: us))
                }
            }
            return ExitCode.ok
        }
    }
}

enum BenchCodec {
    /// A confirmed visit as the office enters one: two partners, six members, two hosts, a day of
    /// eight sessions.
    static func sample() throws -> Delegation {
        func member(_ i: Int) -> JSONValue {
            [
                "name": .string("Member \(i) of the delegation"), "title": "Deputy Director",
                "role": i == 0 ? "head" : "member",
                "email": .string("member\(i)@moe.example.th"), "languages": ["th", "en"],
            ]
        }
        func item(_ h: Int) -> JSONValue {
            [
                "starts_at": .string("2030-03-12T\(h < 10 ? "0" : "")\(h):00"),
                "ends_at": .string("2030-03-12T\(h < 9 ? "0" : "")\(h + 1):00"),
                "title": .string("Session \(h)"), "kind": "meeting", "venue": "Main Building 301",
                "hosts": ["li.wei@bit.edu.cn"],
            ]
        }
        let draft: JSONValue = [
            "direction": "inbound", "title": "Thailand Ministry of Education delegation",
            "partners": [
                [
                    "name": "Ministry of Education", "name_local": "กระทรวงศึกษาธิการ", "kind": "government",
                    "country": "TH", "lead": true,
                ],
                ["name": "Chulalongkorn University", "kind": "university", "country": "TH"],
            ],
            "purpose": "Closer cooperation and more learning opportunities for students of both countries",
            "topics": ["student exchange", "joint programmes"], "time_zone": "Asia/Shanghai",
            "starts_at": "2030-03-12T08:00", "ends_at": "2030-03-12T18:00",
            "members": .array((0..<6).map(member)),
            "hosts": [
                ["name": "Li Wei", "email": "li.wei@bit.edu.cn", "unit": "International Office"],
                ["name": "Zhang Min", "email": "zhang.min@bit.edu.cn", "unit": "School of Computer Science"],
            ],
            "itinerary": .array((8..<16).map(item)), "notes": "Halal lunch; interpreter for the afternoon.",
        ]
        return Delegation(
            id: "del-benchcodec000000",
            ref: "DEL-2030-0001",
            version: 7,
            status: .confirmed,
            scheduleVersion: 2,
            draft: try JSONDecoding.decode(DelegationDraft.self, from: draft),
            createdAt: "2030-01-02T03:04:05Z",
            updatedAt: "2030-01-02T03:04:05Z"
        )
    }
}
