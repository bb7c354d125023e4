import LiaisonCLI

/// The office's twenty years as spreadsheets `liaison import` reads (issue 30): partners across
/// continents, past visits with dates as precise as known (a year, a month, a day, a range, an
/// approximate year), joint visits, groups, cancellations, agreements tied to visits, and a few
/// sites. The same seed gives the same files.
struct ScaleData {
    let visits: Int
    var partners: Int { max(20, visits / 10) }
    /// One for every twenty visits: 5,000 at 100,000, as issue 30's home.
    var agreements: Int { max(5, visits / 20) }
    var sites: Int { max(2, visits / 5000) }

    /// SplitMix64: small, fast, and the same everywhere.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
        mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
    }

    static let countries = [
        "TH", "AE", "MA", "KR", "UZ", "UG", "KE", "NG", "EG", "ZA", "VN", "ID", "MY", "PK", "KZ", "DE", "FR", "GB",
        "US",
        "BR", "MX", "AU", "NZ", "IN", "JP", "RU", "TR", "ET", "GH", "SA",
    ]
    static let kinds = ["university", "university", "university", "government", "school", "enterprise"]
    static let topics = [
        "AI", "energy", "materials", "exchange", "Chinese language", "engineering", "robotics", "space",
    ]

    func country(ofPartner i: Int) -> String { Self.countries[i % Self.countries.count] }
    func kind(ofPartner i: Int) -> String { Self.kinds[(i / Self.countries.count) % Self.kinds.count] }
    func name(ofPartner i: Int) -> String {
        let word = [
            "university": "University", "government": "Ministry", "school": "High School", "enterprise": "Company",
        ]
        return "\(word[kind(ofPartner: i)] ?? "Institute") No. \(i) of \(country(ofPartner: i))"
    }

    func partnersCSV() -> String {
        var lines = ["key,name,kind,country,city,notes"]
        for i in 0..<partners {
            lines.append("p\(i),\(name(ofPartner: i)),\(kind(ofPartner: i)),\(country(ofPartner: i)),City \(i % 97),")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A date as known, 2006–2025: a day, a month, a year, an approximate year or a range.
    static func date(_ r: inout Random) -> String {
        let year = 2006 + r.below(20), month = 1 + r.below(12), day = 1 + r.below(28)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        switch r.below(10) {
        case 0..<4: return "\(year)-\(two(month))-\(two(day))"
        case 4..<7: return "\(year)-\(two(month))"
        case 7: return "\(year)"
        case 8: return "~\(year)"
        default:
            let from = 2006 + r.below(17)
            return "\(from)/\(from + 1 + r.below(3))"
        }
    }

    func visitsCSV() -> String {
        var r = Random(state: 42)
        var lines = ["key,title,direction,partners,date,status,reason,purpose,topics,group,group_count"]
        for i in 0..<visits {
            let lead = r.below(partners)
            var keys = ["p\(lead)"]
            if r.chance(15) { keys.append("p\((lead + 1 + r.below(partners - 1)) % partners)") }  // joint
            let cancelled = r.chance(5)
            let group = r.chance(30)
            let fields = [
                "v\(i)", "Visit \(i): delegation of \(name(ofPartner: lead))", r.chance(70) ? "inbound" : "outbound",
                keys.joined(separator: ";"), Self.date(&r), cancelled ? "cancelled" : "completed",
                cancelled ? "visa not issued in time" : "", "Cooperation in \(r.pick(Self.topics))",
                "\(r.pick(Self.topics));\(r.pick(Self.topics))", group ? "Students of \(name(ofPartner: lead))" : "",
                group ? String(5 + r.below(40)) : "",
            ]
            lines.append(fields.map(CSV.field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func agreementsCSV() -> String {
        var r = Random(state: 7)
        var lines = [
            "key,title,kind,partners,status,signed_on,starts_on,ends_on,coordinator_name,coordinator_email,"
                + "focus_areas,visits"
        ]
        let kinds = ["mou", "exchange", "joint_programme", "research", "scholarship"]
        for i in 0..<agreements {
            let partner = r.below(partners)
            let year = 2006 + r.below(18), term = 3 + r.below(3)
            let active = year + term > 2026
            let visit = "v\(r.below(visits))"
            let fields = [
                "a\(i)", "\(r.pick(kinds).capitalized) agreement \(i) with \(name(ofPartner: partner))", r.pick(kinds),
                "p\(partner)", active ? "active" : "expired", "\(year)-03-01", "\(year)-04-01", "\(year + term)-03-31",
                "Coordinator \(i % 40)", "coordinator\(i % 40)@bit.example.cn", r.pick(Self.topics), visit,
            ]
            lines.append(fields.map(CSV.field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func sitesCSV() -> String {
        var lines = ["key,name,kind,country,partners,established"]
        for i in 0..<sites {
            lines.append(
                "s\(i),Study in BIT Workstation \(i),workstation,\(country(ofPartner: i)),p\(i),\(2015 + i % 10)"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
