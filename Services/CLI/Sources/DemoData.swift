import LiaisonJSON
import LiaisonWire

/// What the article Liaison was written for says (Beijing Institute of Technology, 14 May 2025),
/// as an import of history: the partners it names, the visits with the dates it gives (a year,
/// a month, or a relative phrase read against the article's date: "last year" as c. 2024,
/// "recently" as by May 2025, "in recent years" as 2020 – May 2025),
/// the two cooperations it describes, and the workstation in Uganda. Nothing it does not say:
/// no invented day, person, term, agreement or ceremony; unnamed schools stay unnamed.
package enum DemoData {
    /// The article's date, against which "recently", "last year" and "in recent years" are read.
    package static let articleDate = "2025-05-14"

    /// Who coordinates the two cooperations for BIT: the article names no one, so the office,
    /// with no address (the article gives none; neither cooperation has a known end to notify).
    static let office: JSONValue = ["name": "BIT International Office"]

    static func partner(
        _ key: String,
        _ name: String,
        _ kind: String,
        _ country: String,
        notes: String? = nil,
        people: [JSONValue] = []
    )
        -> JSONValue
    {
        var o: JSONObject = [
            "key": .string(key), "name": .string(name), "kind": .string(kind), "country": .string(country),
        ]
        if let notes { o["notes"] = .string(notes) }
        if !people.isEmpty { o["people"] = .array(people) }
        return .object(o)
    }

    static func visit(
        _ key: String,
        _ direction: String,
        _ title: String,
        partners: [String],
        date: String,
        said: String,
        purpose: String,
        topics: [String],
        groups: [JSONValue] = [],
        members: [JSONValue] = []
    ) -> JSONValue {
        [
            "key": .string("demo:\(key)"), "direction": .string(direction), "title": .string(title),
            "partners": .array(partners.map { ["partner": .string($0)] }), "date": .string(date), "status": "completed",
            "purpose": .string(purpose), "topics": .array(topics.map { .string($0) }), "groups": .array(groups),
            "members": .array(members),
            "notes": .string("The article (14 May 2025) says: \(said)."),
        ]
    }

    static func group(_ description: String, role: String? = nil, count: Int? = nil) -> JSONValue {
        var o: JSONObject = ["description": .string(description)]
        if let role { o["role"] = .string(role) }
        if let count { o["count"] = .int(Int64(count)) }
        return .object(o)
    }

    static let schools = (1...4).map { "ma-school-\($0)" }

    static var partners: [JSONValue] {
        [
            partner("baic", "Beijing Automotive Group", "enterprise", "CN"),
            partner("cccc", "China Communications Construction Company", "enterprise", "CN"),
        ]
            + (1...4).map { n in
                partner(
                    "ma-school-\(n)",
                    "Moroccan high school \(n) (unnamed)",
                    "school",
                    "MA",
                    notes:
                        "One of the four prestigious Moroccan high schools whose principals and officials visited BIT; "
                        + "the article does not name them."
                )
            }
            + [
                partner("th-moe", "Ministry of Education", "government", "TH"),
                partner("mm-gov", "Government of Myanmar", "government", "MM"),
                partner("ae-gov", "Government of the United Arab Emirates", "government", "AE"),
                partner("sg-gov", "Government of Singapore", "government", "SG"),
                partner("my-gov", "Government of Malaysia", "government", "MY"),
                partner("hanyang", "Hanyang University", "university", "KR"),
                partner(
                    "uz-ict",
                    "Ministry for the Development of ICT",
                    "government",
                    "UZ",
                    people: [
                        [
                            "name": "Rustam Karimjonov", "title": "Minister for the development of ICT",
                            "role": "minister",
                        ]
                    ]
                ),
            ]
    }

    static var visits: [JSONValue] {
        let recentGovernments = [
            ("mm-gov", "Myanmar"), ("ae-gov", "the United Arab Emirates"), ("sg-gov", "Singapore"),
            ("my-gov", "Malaysia"),
        ]
        return [
            visit(
                "baic-2018",
                "outbound",
                "BIT's international students at Beijing Automotive Group's R&D centres",
                partners: ["baic"],
                date: "2018",
                said: "in 2018",
                purpose:
                    """
                    Exposure to China's cutting-edge automotive technologies; networks and employment \
                    opportunities between overseas students and Chinese enterprises (BIT's industry-education \
                    cooperation model).
                    """,
                topics: ["industry-education cooperation", "automotive technology", "employment"],
                groups: [group("A group of BIT's international students", role: "student")]
            ),
            visit(
                "ma-schools",
                "inbound",
                "Principals and officials from four Moroccan high schools",
                partners: schools,
                date: "../2025-05",
                said: "recently",
                purpose:
                    """
                    BIT showed its history, academic strengths and achievements; discussions on enhancing \
                    educational cooperation between BIT and Moroccan institutions.
                    """,
                topics: ["educational cooperation"],
                groups: [
                    group("Principals of the four schools", role: "principal"),
                    group("Officials of the four schools", role: "official"),
                ]
            ),
            visit(
                "th-moe-2023",
                "inbound",
                "Delegation from Thailand's Ministry of Education",
                partners: ["th-moe"],
                date: "2023",
                said: "in 2023",
                purpose:
                    """
                    Both sides stressed close cooperation to create more learning opportunities for students \
                    from the two countries.
                    """,
                topics: ["learning opportunities for students"],
                groups: [group("Delegation of the Ministry of Education")]
            ),
        ]
            + recentGovernments.map { key, country in
                visit(
                    "\(key)-recent",
                    "inbound",
                    "Government delegation from \(country)",
                    partners: [key],
                    date: "2020/2025-05",
                    said: "in recent years",
                    purpose: "Exploring new paths for mutually beneficial cooperation.",
                    topics: ["government cooperation"],
                    groups: [group("Government delegation from \(country)", role: "official")]
                )
            }
            + [
                visit(
                    "hanyang-2024-10",
                    "inbound",
                    "Hanyang University delegation",
                    partners: ["hanyang"],
                    date: "2024-10",
                    said: "in October 2024",
                    purpose:
                        """
                        Talks on the achievements of the 11-year exchange and cooperation between Hanyang \
                        University and BIT.
                        """,
                    topics: ["university exchange"],
                    groups: [group("Delegation of Hanyang University")]
                ),
                visit(
                    "uz-ict-2024",
                    "inbound",
                    "Uzbekistan's minister for the development of ICT and his delegation",
                    partners: ["uz-ict"],
                    date: "~2024",
                    said: "last year",
                    purpose:
                        """
                        International talent cultivation; knowledge sharing in AI, big data and network \
                        security; the potential for a scientific and educational hub in Uzbekistan, furthering \
                        the Belt and Road between Central Asia and the Middle East (a topic discussed, not an \
                        agreement).
                        """,
                    topics: [
                        "talent cultivation", "AI", "big data", "network security", "scientific and educational hub",
                        "Belt and Road",
                    ],
                    groups: [group("His four-person delegation", count: 4)],
                    members: [
                        [
                            "name": "Rustam Karimjonov", "title": "Minister for the development of ICT",
                            "role": "minister",
                            "partner": "uz-ict",
                        ]
                    ]
                ),
            ]
    }

    static var agreements: [JSONValue] {
        [
            [
                "key": "demo:cccc-workstation", "title": "Study in BIT Uganda Workstation", "kind": "workstation",
                "partners": [["partner": "cccc"]], "coordinator": office, "signed_on": "2024", "status": "signed",
                "focus_areas": ["talent co-cultivation", "resource sharing"],
                "notes":
                    """
                In 2024 BIT and China Communications Construction Company jointly agreed to form the \
                workstation in Uganda.
                """,
            ],
            [
                "key": "demo:hanyang-exchange", "title": "Exchange and cooperation with Hanyang University",
                "kind": "exchange",
                "partners": [["partner": "hanyang"]], "coordinator": office, "starts_on": "~2013", "status": "active",
                "visits": [["visit": "demo:hanyang-2024-10", "relation": "followed_from"]],
                "notes": .string(
                    """
                    Running for 11 years as of Hanyang University's visit in October 2024 (start reckoned from \
                    that); the article gives no start or end date.
                    """
                ),
            ],
        ]
    }

    static var sites: [JSONValue] {
        [
            [
                "key": "demo:uganda-workstation", "name": "Study in BIT Uganda Workstation", "kind": "workstation",
                "country": "UG",
                "agreement": "demo:cccc-workstation", "partners": [["partner": "cccc"]], "established": "2024",
                "notes":
                    """
                Formed by BIT and China Communications Construction Company to promote talent co-cultivation \
                and resource sharing.
                """,
            ]
        ]
    }

    /// The whole demo as an import.
    package static var document: JSONValue {
        [
            "partners": .array(partners), "visits": .array(visits), "agreements": .array(agreements),
            "sites": .array(sites),
        ]
    }
}
