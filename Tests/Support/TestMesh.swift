import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// Temporary homes for tests: the built-in mesh (changed as a test needs) written as
/// `mesh.json` in a fresh directory under /tmp (socket paths must stay short).
package enum TestMesh {
    /// A new directory `<base>/<prefix>-XXXXXX` (base /tmp by default).
    package static func directory(_ prefix: String, in base: String = "/tmp") -> String {
        var t = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        return t.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    /// The mesh at `home` after `edit`, written and loaded back.
    package static func write(home: String, _ edit: (inout MeshFile) -> Void = { _ in }) throws -> Mesh {
        var mesh = MeshFile.standard(home: home)
        edit(&mesh)
        try JSONWriter.pretty(JSONEncoding.encode(mesh)).write(toFile: home + "/mesh.json", atomically: true, encoding: .utf8)
        return try Mesh.load(home + "/mesh.json")
    }

    /// A home for the service `name`: the mesh written, its data directory made, its context.
    package static func context(
        for name: String, prefix: String, in base: String = "/tmp", log: Logger, _ edit: (inout MeshFile) -> Void = { _ in }
    ) throws -> (home: String, context: ServiceContext) {
        let home = directory(prefix, in: base)
        let mesh = try write(home: home, edit)
        let entry = mesh.service(name)!
        try FileManager.default.createDirectory(atPath: entry.dataDir, withIntermediateDirectories: true)
        return (home, ServiceContext(name: name, mesh: mesh, entry: entry, log: log))
    }

    /// Removes a home and everything in it.
    package static func remove(_ home: String) { try? FileManager.default.removeItem(atPath: home) }
}

extension ServiceUnderTest {
    /// Every method's params just outside each declared limit are refused naming the field, and
    /// `service.describe` gives every method its params and result: what issue 10 asks of every
    /// service. Returns the problems found (empty when all holds) and how many probes were sent.
    package func schemaProblems() throws -> (problems: [String], probes: Int) {
        var (problems, sent) = SchemaProbes.unrefused(self)
        for m in try ok("service.describe")["methods"]?.arrayValue ?? [] {
            let name = m["name"]?.stringValue ?? "?"
            if m["params"]?["type"] != "object" && m["params"]?["oneOf"] == nil { problems.append("\(name): params without a schema") }
            if m["result"] == nil || m["result"] == [:] { problems.append("\(name): result without a schema") }
        }
        return (problems, sent)
    }
}
