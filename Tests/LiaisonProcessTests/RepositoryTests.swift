import Foundation
import Testing
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// Checks of the source tree itself: what the design promises about its shape.
@Suite struct RepositoryTests {
    /// The package root (three levels above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Every product source file: (path relative to the root, its lines).
    static func productSources() throws -> [(String, [Substring])] {
        var out: [(String, [Substring])] = []
        for top in ["Services", "Shared"] {
            let base = root + "/" + top
            guard let e = FileManager.default.enumerator(atPath: base) else { continue }
            for case let rel as String in e where rel.hasSuffix(".swift") {
                let text = try String(contentsOfFile: base + "/" + rel, encoding: .utf8)
                out.append(("\(top)/\(rel)", text.split(separator: "\n", omittingEmptySubsequences: false)))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    @Test func rowsAreReadByColumnNameNeverByPosition() throws {
        let positional = try Regex(#"\.(int|string|blob|double|bool|data)\([0-9]+\)"#)
        var found: [String] = []
        for (path, lines) in try Self.productSources() {
            for (i, l) in lines.enumerated() where l.contains(positional) { found.append("\(path):\(i + 1)") }
        }
        #expect(found.isEmpty, "positional row reads: \(found)")
    }

    @Test func filesStayShortAndLinesNarrow() throws {
        var long: [String] = [], wide: [String] = []
        for (path, lines) in try Self.productSources() {
            if lines.count > 400 { long.append("\(path): \(lines.count) lines") }
            for (i, l) in lines.enumerated() where l.count > 120 { wide.append("\(path):\(i + 1): \(l.count) characters") }
        }
        #expect(long.isEmpty, "\(long)")
        #expect(wide.isEmpty, "\(wide)")
    }

    /// `swift package describe --type json` of the package.
    static func describePackage() throws -> JSONValue? {
        guard let swift = Executables.resolve("swift") else {
            Issue.record("swift is not on PATH")
            return nil
        }
        let scratch = NSTemporaryDirectory() + "lz-describe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let r = try Subprocess.run(swift, ["package", "--package-path", Self.root, "--scratch-path", scratch, "describe", "--type", "json"],
                                   input: [], timeoutMs: 120_000, outputLimit: 4 << 20)
        #expect(r.exit == .exited(0), "\(String(decoding: r.stderr, as: UTF8.self))")
        return try JSONParser.parse(r.stdout)
    }

    /// A module imported without being a dependency builds incrementally (it is there from an
    /// earlier build) and fails on a clean clone: every import must be declared.
    @Test func everyModuleImportedIsADeclaredDependency() throws {
        guard let d = try Self.describePackage() else { return }
        let targets = d["targets"]?.arrayValue ?? []
        var deps: [String: [String]] = [:], paths: [String: String] = [:]
        for t in targets {
            guard let name = t["name"]?.stringValue else { continue }
            deps[name] = t["target_dependencies"]?.arrayValue?.compactMap(\.stringValue) ?? []
            paths[name] = t["path"]?.stringValue
        }
        func closure(_ name: String, _ seen: inout Set<String>) {
            for dep in deps[name] ?? [] where seen.insert(dep).inserted { closure(dep, &seen) }
        }
        let importLine = try Regex(#"^\s*(?:@testable |@preconcurrency )?import (\w+)"#)
        var missing: [String] = []
        for (name, path) in paths {
            var reachable: Set<String> = [name]
            closure(name, &reachable)
            guard let e = FileManager.default.enumerator(atPath: Self.root + "/" + path) else { continue }
            for case let rel as String in e where rel.hasSuffix(".swift") {
                let text = try String(contentsOfFile: Self.root + "/" + path + "/" + rel, encoding: .utf8)
                for line in text.split(separator: "\n") {
                    guard let m = line.firstMatch(of: importLine), let module = m.output[1].substring.map(String.init) else { continue }
                    if deps[module] != nil && !reachable.contains(module) { missing.append("\(name) imports \(module) (\(path)/\(rel))") }
                }
            }
        }
        #expect(missing.isEmpty, "imports not declared in Package.swift: \(Set(missing).sorted())")
    }

    @Test func theCLIAndTheSupervisorLinkNoSQLite() throws {
        guard let d = try Self.describePackage() else { return }
        for target in d["targets"]?.arrayValue ?? [] {
            let name = target["name"]?.stringValue ?? ""
            let products = target["product_memberships"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if ["CSQLite", "LiaisonStore", "LiaisonEvents"].contains(name) {
                #expect(!products.contains("liaison") && !products.contains("liaison-supervisor"), "\(name) is in \(products)")
            }
        }
        let products = d["products"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(products.contains("liaison") && products.contains("liaison-supervisor"))
    }

    /// The CLI's source files, each with its lines.
    static func cliSources() throws -> [(String, [Substring])] { try productSources().filter { $0.0.hasPrefix("Services/CLI/") } }

    /// The CLI calls every method through its contract (`Method` values of LiaisonAPI and
    /// LiaisonHost): it names no method in a string and reads no answer field by name.
    @Test func theCLICallsThroughTheContractOnly() throws {
        let methodName = try Regex(#""(delegations|partners|agreements|sites|notifications|service|events|audit|supervisor)\.[a-z_.]+""#)
        let lookup = try Regex(#"\["[a-z_]+"\]\?\.(stringValue|intValue|arrayValue|objectValue|boolValue|doubleValue)"#)
        var names: [String] = [], lookups: [String] = []
        for (path, lines) in try Self.cliSources() {
            for (i, l) in lines.enumerated() {
                // Configuration keys of the mesh file (supervisor.socket …) are not methods.
                if l.contains(methodName) && !l.contains("mesh.config") { names.append("\(path):\(i + 1)") }
                if l.contains(lookup) { lookups.append("\(path):\(i + 1)") }
            }
        }
        #expect(names.isEmpty, "method names spelled in the CLI: \(names)")
        #expect(lookups.isEmpty, "answers read by field name in the CLI: \(lookups)")
    }
}

extension RepositoryTests {
    /// A statement run on a database connection: `db.query(`, `db.run(`, `queryOne(`, `exec(`.
    static var statement: Regex<AnyRegexOutput> {
        get throws { try Regex(#"\b(query|queryOne|run|exec|execute|prepare)\(\s*"|\.(query|queryOne|run|exec)\("#) }
    }

    /// Services keep their SQL in `*Tables` files: the rest of a service works on records.
    @Test func servicesRunSQLOnlyInTheirTablesFiles() throws {
        var found: [String] = []
        let statement = try Self.statement
        for (path, lines) in try Self.productSources() where path.hasPrefix("Services/") {
            let file = path.split(separator: "/").last.map(String.init) ?? path
            if file.contains("Tables") { continue }
            for (i, l) in lines.enumerated() where l.contains(statement) && (l.contains("db.") || l.contains("\"SELECT")) {
                found.append("\(path):\(i + 1)")
            }
        }
        #expect(found.isEmpty, "SQL outside a *Tables file: \(found)")
    }

    /// The events module's tables (outbox, deliveries, inbox, relay state) are written by the
    /// events module only: a producer appends through `Outbox`, never by statement.
    @Test func theEventsTablesAreWrittenOnlyByTheEventsModule() throws {
        let tables = "(outbox|outbox_keys|outbox_audit|delivery_exceptions|relay_acks|relay_cursor|inbox[a-z_]*)"
        let write = try Regex(#"(INSERT (OR [A-Z]+ )?INTO|UPDATE|DELETE FROM|REPLACE INTO) "# + tables + #"\b"#)
        var found: [String] = []
        for (path, lines) in try Self.productSources() where !path.hasPrefix("Shared/LiaisonEvents/") {
            for (i, l) in lines.enumerated() where l.contains(write) { found.append("\(path):\(i + 1)") }
        }
        #expect(found.isEmpty, "the events module's tables written from elsewhere: \(found)")
    }

    /// Every history table is created by `History.createSQL`.
    @Test func historyTablesAreCreatedInOnePlace() throws {
        let create = try Regex(#"CREATE TABLE [a-z_]*history\("#)
        var found: [String] = []
        for (path, lines) in try Self.productSources() where path != "Shared/LiaisonRecords/History.swift" {
            for (i, l) in lines.enumerated() where l.contains(create) { found.append("\(path):\(i + 1)") }
        }
        #expect(found.isEmpty, "history tables created outside History.createSQL: \(found)")
    }
}
