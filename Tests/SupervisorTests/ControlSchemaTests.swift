import Foundation
import Testing
import LiaisonHost
import LiaisonProcess
import LiaisonTestSupport
import LiaisonJSON
import LiaisonWire
@testable import Supervisor

@Suite struct SupervisorControlSchemaTests {
    /// A supervisor over a mesh in a temp dir, not running: its control methods as a table.
    func controlMethods() throws -> (ServiceUnderTest, Supervisor, String) {
        let dir = NSTemporaryDirectory() + "lzs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try JSONWriter.pretty(JSONEncoding.encode(MeshFile.standard(home: dir))).write(toFile: dir + "/mesh.json", atomically: true, encoding: .utf8)
        let sup = try Supervisor(meshPath: dir + "/mesh.json")
        var def = ServiceDefinition()
        SupervisorMethods.register(&def.methods, sup)
        return (ServiceUnderTest("supervisor", def, log: Logger(service: "supervisor", minimum: .error) { _ in }), sup, dir)
    }

    @Test func controlMethodsRefuseAValueJustOutsideEachDeclaredLimitNamingTheField() throws {
        let (t, sup, dir) = try controlMethods()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (failures, sent) = SchemaProbes.unrefused(t)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(sent == 13, "\(sent) probes")
        _ = sup
    }

    @Test func describeListsTheControlAndServiceMethodsWithTheirShapes() throws {
        let (t, sup, dir) = try controlMethods()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let d = try t.ok("service.describe")
        let names = d["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names == ["supervisor.status", "supervisor.start", "supervisor.stop", "supervisor.restart", "supervisor.signal", "supervisor.logs", "supervisor.reload",
                          "service.health", "service.ping", "service.stats", "service.describe", "service.metrics"])
        for m in d["methods"]?.arrayValue ?? [] {
            #expect(m["params"]?["type"] == "object", "\(m["name"]!) params")
            #expect(m["result"] != [:] && m["result"] != nil, "\(m["name"]!) result")
        }
        #expect(try t.ok("supervisor.status")["services"] == [], "no slot before it runs")
        _ = sup
    }
}
