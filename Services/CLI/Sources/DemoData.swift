import LiaisonWire

/// The delegations of the article Liaison was written for (BIT, May 2025). Where the article
/// gives only a year, a plausible date in it is used; where it names no one, members are
/// described by their role. No people are invented.
package enum DemoData {
    static let office: JSONValue = [
        "name": "International Office (duty officer)", "email": "io-duty@bit.example.cn", "unit": "International Office",
    ]
    static let students: JSONValue = [
        "name": "International Students Office", "email": "iso@bit.example.cn", "unit": "International Students Office",
    ]
    static let io = "io-duty@bit.example.cn", iso = "iso@bit.example.cn"

    static func member(_ name: String, _ role: String = "member", languages: [String] = []) -> JSONValue {
        ["name": .string(name), "role": .string(role), "languages": .array(languages.map { .string($0) })]
    }

    static func item(_ s: String, _ e: String, _ title: String, _ kind: String, _ venue: String, host: String = io) -> JSONValue {
        [
            "starts_at": .string(s), "ends_at": .string(e), "title": .string(title), "kind": .string(kind), "venue": .string(venue),
            "hosts": [.string(host)], "attendees": [],
        ]
    }

    /// A two-item visit to BIT on one day.
    static func dayAtBIT(_ date: String) -> [JSONValue] {
        [
            item(
                "\(date)T09:30", "\(date)T11:00", "Welcome meeting and introduction to BIT", "meeting",
                "Central Teaching Building, Meeting Room 1"),
            item("\(date)T11:00", "\(date)T12:00", "Campus and laboratory tour", "tour", "Zhongguancun campus"),
            item("\(date)T12:00", "\(date)T13:30", "Working lunch", "meal", "Faculty dining hall"),
        ]
    }

    static func visit(
        key: String, direction: String = "inbound", title: String, partner: JSONValue, purpose: String, topics: [String],
        start: String, end: String, members: [JSONValue], hosts: [JSONValue] = [office], itinerary: [JSONValue], status: String
    ) -> (JSONValue, String) {
        (
            [
                "external_key": .string("demo:\(key)"), "direction": .string(direction), "title": .string(title), "partner": partner,
                "purpose": .string(purpose), "topics": .array(topics.map { .string($0) }), "time_zone": "Asia/Shanghai",
                "starts_at": .string(start), "ends_at": .string(end), "members": .array(members), "hosts": .array(hosts),
                "itinerary": .array(itinerary),
            ], status
        )
    }

    /// Each delegation with the state it should reach.
    package static var delegations: [(draft: JSONValue, status: String)] {
        [
            visit(
                key: "ma-high-schools", title: "Principals and officials of four Moroccan high schools",
                partner: ["name": "Four Moroccan high schools", "kind": "school", "country": "MA"],
                purpose:
                    "BIT presented its history, academic strengths and achievements; "
                    + "talks on enhancing educational cooperation between BIT and Moroccan institutions.",
                topics: ["educational cooperation", "student recruitment"], start: "2025-04-15T09:00", end: "2025-04-15T17:00",
                members: (1...4).map {
                    member("Principal, Moroccan high school \($0) of 4", $0 == 1 ? "head" : "member", languages: ["ar", "fr"])
                }
                    + [
                        member("Education official, Morocco", languages: ["ar", "fr"]),
                        member("Education official, Morocco (second)", languages: ["ar", "fr"]),
                    ],
                itinerary: dayAtBIT("2025-04-15"), status: "completed"),
            visit(
                key: "th-moe-2023", title: "Thailand Ministry of Education delegation",
                partner: [
                    "name": "Ministry of Education", "name_local": "กระทรวงศึกษาธิการ",
                    "kind": "government", "country": "TH",
                    "city": "Bangkok",
                ],
                purpose: "Closer cooperation between the two countries to create more learning opportunities for their students.",
                topics: ["student exchange", "government cooperation"], start: "2023-06-13T09:00", end: "2023-06-13T17:00",
                members: [
                    member("Head of delegation, Ministry of Education of Thailand", "head", languages: ["th", "en"]),
                    member("Official, Ministry of Education of Thailand", languages: ["th", "en"]),
                ],
                itinerary: dayAtBIT("2023-06-13"), status: "completed"),
            visit(
                key: "kr-hanyang-2024", title: "Hanyang University delegation",
                partner: [
                    "name": "Hanyang University", "name_local": "한양대학교", "kind": "university", "country": "KR", "city": "Seoul",
                ],
                purpose: "Talks on the achievements of the 11-year exchange and cooperation between Hanyang University and BIT.",
                topics: ["student exchange", "joint research"], start: "2024-10-22T09:00", end: "2024-10-22T17:00",
                members: [
                    member("Head of delegation, Hanyang University", "head", languages: ["ko", "en"]),
                    member("International affairs officer, Hanyang University", languages: ["ko", "en"]),
                ],
                itinerary: dayAtBIT("2024-10-22"), status: "completed"),
            visit(
                key: "uz-ict-2024", title: "Uzbekistan Ministry for the Development of ICT delegation",
                partner: [
                    "name": "Ministry for the Development of Information Technologies and Communications", "kind": "government",
                    "country": "UZ", "city": "Tashkent",
                ],
                purpose:
                    "International talent cultivation; knowledge sharing in AI, big data and network security; "
                    + "a possible scientific and educational hub in Uzbekistan, "
                    + "furthering the Belt and Road between Central Asia and the Middle East.",
                topics: ["talent cultivation", "AI", "big data", "network security", "scientific and educational hub", "Belt and Road"],
                start: "2024-09-10T09:00", end: "2024-09-10T17:00",
                members: [
                    [
                        "name": "Rustam Karimjonov", "title": "Minister for the Development of ICT", "role": "head",
                        "languages": ["uz", "ru", "en"],
                    ]
                ]
                    + (1...4).map { member("Official \($0) of 4, ICT ministry of Uzbekistan", languages: ["uz", "ru"]) },
                itinerary: dayAtBIT("2024-09-10"), status: "completed"),
            visit(
                key: "mm-gov", title: "Government delegation from Myanmar",
                partner: ["name": "Government of Myanmar", "kind": "government", "country": "MM"],
                purpose: "Exploring new paths for mutually beneficial cooperation.", topics: ["government cooperation"],
                start: "2022-11-08T09:00", end: "2022-11-08T17:00", members: [member("Head of delegation, Government of Myanmar", "head")],
                itinerary: dayAtBIT("2022-11-08"), status: "completed"),
            visit(
                key: "ae-gov", title: "Government delegation from the United Arab Emirates",
                partner: [
                    "name": "Government of the United Arab Emirates", "name_local": "حكومة الإمارات العربية المتحدة",
                    "kind": "government",
                    "country": "AE",
                ],
                purpose: "Exploring new paths for mutually beneficial cooperation.", topics: ["government cooperation"],
                start: "2023-03-21T09:00", end: "2023-03-21T17:00",
                members: [member("Head of delegation, Government of the UAE", "head", languages: ["ar", "en"])],
                itinerary: dayAtBIT("2023-03-21"), status: "completed"),
            visit(
                key: "sg-gov", title: "Government delegation from Singapore",
                partner: ["name": "Government of Singapore", "kind": "government", "country": "SG"],
                purpose: "Exploring new paths for mutually beneficial cooperation.", topics: ["government cooperation"],
                start: "2023-09-19T09:00", end: "2023-09-19T17:00",
                members: [member("Head of delegation, Government of Singapore", "head", languages: ["en", "zh"])],
                itinerary: dayAtBIT("2023-09-19"), status: "completed"),
            visit(
                key: "my-gov", title: "Government delegation from Malaysia",
                partner: ["name": "Government of Malaysia", "kind": "government", "country": "MY"],
                purpose: "Exploring new paths for mutually beneficial cooperation.", topics: ["government cooperation"],
                start: "2024-04-16T09:00", end: "2024-04-16T17:00",
                members: [member("Head of delegation, Government of Malaysia", "head", languages: ["ms", "en"])],
                itinerary: dayAtBIT("2024-04-16"), status: "completed"),
            visit(
                key: "cn-baic-2018", direction: "outbound", title: "BIT international students at Beijing Automotive Group's R&D centres",
                partner: [
                    "name": "Beijing Automotive Group", "name_local": "北京汽车集团", "kind": "enterprise",
                    "country": "CN", "city": "Beijing",
                ],
                purpose:
                    "Exposure to China's cutting-edge automotive technologies; "
                    + "networks and employment opportunities between international students and Chinese enterprises.",
                topics: ["industry-education cooperation", "automotive technology", "employment"], start: "2018-11-16T08:30",
                end: "2018-11-16T17:00",
                members: [
                    member("International students of BIT (visiting group)"),
                    member("Accompanying teacher, International Students Office", "staff"),
                ],
                hosts: [students],
                itinerary: [
                    item(
                        "2018-11-16T08:30", "2018-11-16T09:30", "Coach from BIT to the R&D centre", "transfer", "BIT main gate", host: iso),
                    item(
                        "2018-11-16T10:00", "2018-11-16T12:00", "R&D centre tour and technology briefing", "visit",
                        "Beijing Automotive Group R&D centre", host: iso),
                    item(
                        "2018-11-16T14:00", "2018-11-16T15:30", "Meeting with engineers about careers", "meeting",
                        "Beijing Automotive Group R&D centre", host: iso),
                ],
                status: "completed"),
            visit(
                key: "ug-cccc-2024", title: "China Communications Construction Company: Study in BIT Uganda Workstation",
                partner: [
                    "name": "China Communications Construction Company (Uganda)", "name_local": "中国交通建设股份有限公司",
                    "kind": "enterprise",
                    "country": "UG", "city": "Kampala",
                ],
                purpose:
                    "Agreeing to form a Study in BIT Uganda Workstation to promote talent co-cultivation and resource sharing in Uganda.",
                topics: ["industry-education cooperation", "talent co-cultivation", "Africa"], start: "2024-07-09T09:00",
                end: "2024-07-09T17:00",
                members: [member("Head of delegation, China Communications Construction Company", "head", languages: ["zh", "en"])],
                itinerary: dayAtBIT("2024-07-09") + [
                    item(
                        "2024-07-09T15:00", "2024-07-09T16:00", "Signing of the workstation agreement", "signing",
                        "Central Teaching Building, Meeting Room 1")
                ],
                status: "completed"),
        ]
    }
}

extension DemoData {
    static let coordinator: JSONValue = [
        "name": "International Office (duty officer)", "email": "io-duty@bit.example.cn", "unit": "International Office",
    ]

    /// An agreement of the demo: what to create, how far to take it, which demo visits it links,
    /// which activities it records.
    package struct DemoAgreement {
        package var draft: JSONValue
        /// negotiating or signed (activated by its start date).
        package var target: String
        package var signedOn: String?
        package var links: [(visit: String, relation: String)]
        package var activities: [JSONValue]
    }

    static func partner(_ name: String, _ local: String?, _ kind: String, _ country: String) -> JSONValue {
        var o: JSONObject = ["name": .string(name), "kind": .string(kind), "country": .string(country)]
        if let local { o["name_local"] = .string(local) }
        return .object(o)
    }

    static func agreement(
        _ key: String, _ title: String, _ kind: String, _ partners: [JSONValue], focus: [String], start: String?, end: String?,
        signatories: [JSONValue] = [], notes: String
    ) -> JSONValue {
        var o: JSONObject = [
            "external_key": .string("demo-agr:\(key)"), "title": .string(title), "kind": .string(kind), "partners": .array(partners),
            "coordinator": coordinator, "focus_areas": .array(focus.map { .string($0) }), "signatories": .array(signatories),
            "notes": .string(notes),
        ]
        if let start { o["starts_on"] = .string(start) }
        if let end { o["ends_on"] = .string(end) }
        return .object(o)
    }

    static func sides(_ partner: String) -> [JSONValue] {
        [
            ["name": "Representative of Beijing Institute of Technology", "side": "bit"],
            ["name": .string("Representative of \(partner)"), "side": .string(partner)],
        ]
    }

    /// The agreements the article speaks of, each linked to the visit it came from.
    package static var agreements: [DemoAgreement] {
        [
            DemoAgreement(
                draft: agreement(
                    "ug-workstation", "Study in BIT Uganda Workstation", "workstation",
                    [
                        partner(
                            "China Communications Construction Company (Uganda)", "中国交通建设股份有限公司", "enterprise", "UG")
                    ],
                    focus: ["talent co-cultivation", "resource sharing", "Africa"], start: "2024-07-09", end: "2029-07-08",
                    signatories: sides("China Communications Construction Company"),
                    notes:
                        "Formed jointly by BIT and China Communications Construction Company "
                        + "to promote talent co-cultivation and resource sharing in Uganda."
                ),
                target: "signed", signedOn: "2024-07-09", links: [("ug-cccc-2024", "led_to")],
                activities: [["on": "2024-07-09", "kind": "outcome", "summary": "Study in BIT Uganda Workstation formed"]]),
            DemoAgreement(
                draft: agreement(
                    "kr-hanyang", "Exchange and cooperation with Hanyang University", "exchange",
                    [partner("Hanyang University", "한양대학교", "university", "KR")], focus: ["student exchange", "joint research"],
                    start: "2013-10-15", end: "2028-10-14", signatories: sides("Hanyang University"),
                    notes:
                        "Exchange and cooperation running since 2013; "
                        + "its achievements were reviewed during Hanyang University's visit in October 2024."
                ),
                target: "signed", signedOn: "2013-10-15", links: [("kr-hanyang-2024", "followed_from")],
                activities: [
                    [
                        "on": "2024-10-22", "kind": "outcome",
                        "summary": "Eleven years of exchange and cooperation reviewed with Hanyang University's delegation",
                    ]
                ]),
            DemoAgreement(
                draft: agreement(
                    "cn-baic", "Industry-education cooperation with Beijing Automotive Group", "industry_education",
                    [partner("Beijing Automotive Group", "北京汽车集团", "enterprise", "CN")],
                    focus: ["automotive technology", "employment of international students"],
                    start: "2018-11-16", end: nil, signatories: sides("Beijing Automotive Group"),
                    notes: "Links BIT's international students with Beijing Automotive Group's research and development centres."),
                target: "signed", signedOn: "2018-11-16", links: [("cn-baic-2018", "led_to")],
                activities: [["on": "2018-11-16", "kind": "visit", "summary": "International students visited the R&D centres"]]),
            DemoAgreement(
                draft: agreement(
                    "ma-schools", "Educational cooperation with Moroccan high schools", "mou",
                    [partner("Four Moroccan high schools", nil, "school", "MA")],
                    focus: ["educational cooperation", "student recruitment"],
                    start: nil, end: nil, notes: "Under discussion since the principals' visit."),
                target: "negotiating", signedOn: nil, links: [("ma-high-schools", "led_to")], activities: []),
            DemoAgreement(
                draft: agreement(
                    "th-moe", "Cooperation with Thailand's Ministry of Education", "mou",
                    [partner("Ministry of Education", "กระทรวงศึกษาธิการ", "government", "TH")],
                    focus: ["learning opportunities for students of both countries"],
                    start: nil, end: nil, notes: "Under discussion since the ministry's visit in 2023."),
                target: "negotiating", signedOn: nil, links: [("th-moe-2023", "led_to")], activities: []),
            DemoAgreement(
                draft: agreement(
                    "uz-hub", "Scientific and educational hub in Uzbekistan", "mou",
                    [partner("Ministry for the Development of Information Technologies and Communications", nil, "government", "UZ")],
                    focus: ["international talent cultivation", "AI", "big data", "network security", "Belt and Road"], start: nil,
                    end: nil,
                    notes: "A possible scientific and educational hub in Uzbekistan, discussed with the ICT minister's delegation."),
                target: "negotiating", signedOn: nil, links: [("uz-ict-2024", "led_to")], activities: []),
        ]
    }
}
