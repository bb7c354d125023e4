import Agreements
import Delegations
import Foundation
import LiaisonHost
import LiaisonAPI
import LiaisonJSON
import LiaisonModels
import LiaisonProcess
import LiaisonTestSupport
import Notifications
@testable import Supervisor
import Testing

/// Today's services against the previous release's `service.describe` (kept in
/// `releases/<version>/`, as that release's binaries answered it): every method an older client
/// calls still takes what it sends and answers what it reads, and every event an older
/// consumer reads it still reads, and the other way round.
@Suite struct CompatibilityTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

    /// `0.1.0 fe6e331…`: the release tested beside this one, and its commit.
    static func previousRelease() throws -> (version: String, commit: String) {
        let words = try String(contentsOfFile: here + "/previous-release", encoding: .utf8).split(whereSeparator: \.isWhitespace)
        return (String(words[0]), String(words[1]))
    }

    static func snapshot(_ service: String) throws -> JSONValue {
        let version = try previousRelease().version
        return try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(here)/releases/\(version)/\(service).json"))))
    }

    /// Today's `service.describe` of each service, each run in-process on a scratch home.
    static func describes() throws -> [String: JSONValue] {
        let log = Logger(service: "compat", minimum: .error) { _ in }
        let home = TestMesh.directory("lzc")
        defer { TestMesh.remove(home) }
        let mesh = try TestMesh.write(home: home)
        var out: [String: JSONValue] = [:]
        for name in ["delegations", "agreements", "notifications"] {
            let entry = mesh.service(name)!
            try FileManager.default.createDirectory(atPath: entry.dataDir, withIntermediateDirectories: true)
            let ctx = ServiceContext(name: name, mesh: mesh, entry: entry, log: log)
            let definition: ServiceDefinition =
                switch name {
                case "delegations": try DelegationsService(ctx).definition
                case "agreements": try AgreementsService(ctx).definition
                default: try NotificationsService(ctx).definition
                }
            out[name] = try ServiceUnderTest(name, definition, log: log).ok("service.describe")
        }
        let sup = try Supervisor(meshPath: home + "/mesh.json")
        var def = ServiceDefinition()
        SupervisorMethods.register(&def.methods, sup)
        out["supervisor"] = try ServiceUnderTest("supervisor", def, log: log).ok("service.describe")
        return out
    }

    /// What today's consumers require of each event's data: the schema their decoders read.
    static var readers: [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for type in EventType.allCases {
            let schema: Schema =
                switch type.family {
                case .delegation: Delegation.schema
                case .agreement: Agreement.schema
                case .partner: type == .partnerClaimed ? PartnerRef.schema : PartnerRecord.schema
                }
            out[type.rawValue] = schema.json
        }
        return out
    }

    /// Differences from the previous release's snapshot that are not changes, each with why
    /// (`releases/<version>/known-differences.json`): the snapshot is what that release said,
    /// and where it said more than it did, the list says so once.
    static func known() throws -> [String: String] {
        let version = try previousRelease().version
        let path = "\(here)/releases/\(version)/known-differences.json"
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        var out: [String: String] = [:]
        for entry in try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path)))).arrayValue ?? [] {
            if let p = entry["problem"]?.stringValue { out[p] = entry["why"]?.stringValue ?? "" }
        }
        return out
    }

    @Test func everyServiceStillSpeaksThePreviousReleasesContract() throws {
        let now = try Self.describes()
        var found: [String] = []
        for service in ["delegations", "agreements", "notifications", "supervisor"] {
            found += SchemaCompatibility.problems(
                old: try Self.snapshot(service),
                new: try #require(now[service]),
                readers: Self.readers
            )
        }
        let known = try Self.known()
        let problems = found.filter { known[$0] == nil }
        let stale = known.keys.filter { !found.contains($0) }.sorted()
        #expect(stale.isEmpty, "known-differences.json lists what no longer differs: \(stale)")
        let previous = try Self.previousRelease().version
        #expect(
            problems.isEmpty,
            """
            changes the previous release (\(previous)) cannot read — give the event a new version sent beside the \
            old one, or keep the field:
            \(problems.joined(separator: "\n"))
            """
        )
    }

    @Test func theSnapshotsAreThePreviousReleasesOwn() throws {
        let previous = try Self.previousRelease()
        for service in ["delegations", "agreements", "notifications", "supervisor"] {
            let d = try Self.snapshot(service)
            #expect(d["service"]?.stringValue == service)
            #expect(d["version"]?.stringValue == previous.version)
        }
    }
}

/// The judge itself, on changes made for the purpose.
@Suite struct SchemaCompatibilityTests {
    static let visit: JSONValue = [
        "type": "object",
        "properties": [
            "id": ["type": "string"], "title": ["type": "string", "maxLength": 200],
            "status": ["type": "string", "enum": ["proposed", "confirmed"]], "notes": ["type": "string"],
            "count": ["type": "integer", "maximum": 100],
        ],
        "required": ["id", "title", "status"],
    ]

    func describe(_ data: JSONValue, version: Int? = nil, versions: [Int]? = nil, params: JSONValue? = nil) -> JSONValue {
        var event: JSONObject = ["type": "delegation.confirmed", "data": data]
        if let version { event["version"] = .int(Int64(version)) }
        if let versions { event["versions"] = JSONEncoding.encode(versions) }
        return [
            "service": "delegations",
            "methods": [["name": "delegations.get", "params": params ?? Self.visit, "result": data]],
            "events": ["emits": [.object(event)]],
        ]
    }

    func changed(_ edit: (inout JSONObject) -> Void) -> JSONValue {
        guard case .object(var o) = Self.visit else { return Self.visit }
        edit(&o)
        return .object(o)
    }

    func properties(_ edit: @escaping (inout JSONObject) -> Void) -> JSONValue {
        changed { o in
            var p = o["properties"]?.objectValue ?? [:]
            edit(&p)
            o["properties"] = .object(p)
        }
    }

    @Test func theSameSchemaIsCompatible() {
        #expect(SchemaCompatibility.problems(old: describe(Self.visit), new: describe(Self.visit)).isEmpty)
    }

    @Test func aFieldRemovedFromAnEventIsCaught() {
        let removed = properties { $0["notes"] = nil }
        let p = SchemaCompatibility.problems(old: describe(Self.visit), new: describe(removed))
        #expect(p.contains("delegation.confirmed data.notes: removed"), "\(p)")
    }

    @Test func retypedMadeRequiredAndAnUnknownEnumValueAreCaught() {
        let retyped = properties { $0["count"] = ["type": "string"] }
        #expect(SchemaCompatibility.problems(old: describe(Self.visit), new: describe(retyped)).contains {
            $0.contains("data.count: written as string, read as integer")
        })
        let required = changed { $0["required"] = ["id", "title", "status", "notes"] }
        #expect(SchemaCompatibility.problems(old: describe(Self.visit), new: describe(required)).contains {
            $0.contains("(old producer).notes: may be absent") || $0.contains("params.notes: may be absent")
        })
        let more = properties { $0["status"] = ["type": "string", "enum": ["proposed", "confirmed", "postponed"]] }
        #expect(SchemaCompatibility.problems(old: describe(Self.visit), new: describe(more)).contains {
            $0.contains("data.status: postponed written, unknown to the reader")
        })
    }

    @Test func paramsMayGrowButNotNarrow() {
        let looser = properties { $0["title"] = ["type": "string", "maxLength": 500] }
        #expect(SchemaCompatibility.problems(old: describe(Self.visit), new: describe(Self.visit, params: looser)).isEmpty)
        let tighter = properties { $0["title"] = ["type": "string", "maxLength": 100] }
        #expect(SchemaCompatibility.problems(old: describe(Self.visit), new: describe(Self.visit, params: tighter)).contains {
            $0.contains("params.title: at most 100 characters now")
        })
    }

    @Test func aNewVersionSentBesideTheOldOneIsAllowedAndAloneIsNot() {
        let removed = properties { $0["notes"] = nil }
        #expect(SchemaCompatibility.problems(old: describe(Self.visit), new: describe(removed, version: 2, versions: [2, 1]))
            .filter { $0.contains("delegation.confirmed") }.isEmpty)
        #expect(SchemaCompatibility.problems(old: describe(Self.visit), new: describe(removed, version: 2, versions: [2])).contains {
            $0.contains("version 2 without version 1 sent beside it")
        })
    }
}
