import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    /// An object's JSON Schema, as far as `describe` prints it: each member's type.
    struct ObjectShape: Decodable {
        struct Property: Decodable { var type: String? }
        var properties: [String: Property]
        var required: [String]?
    }

    static var callCommand: CLICommand {
        Command(
            name: "call",
            abstract: "Call any method of any service and print the answer as JSON.",
            usage: "call SERVICE METHOD ['{json params}']",
            arguments: [
                ("SERVICE", "A service of the mesh, or 'supervisor'."), ("METHOD", "e.g. service.health."),
                ("PARAMS", "A JSON object (default {}); '-' reads it from stdin."),
            ],
            options: [OptionSpec(["--timeout"], value: "MS", "How long to wait for the answer (default 30000).")]
        ) { args, ctx in
            let service = try args.positional(0, "SERVICE")
            let method = try args.positional(1, "METHOD")
            var params: JSONValue = .object([:])
            if args.positionals.count > 2 {
                var text = args.positionals[2]
                if text == "-" {
                    text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                }
                do { params = try JSONParser.parse(text) } catch {
                    throw CLIError(
                        ExitCode.dataError,
                        "PARAMS is not valid JSON: \(error)",
                        hint: "quote it for the shell: '{\"id\":\"…\"}'"
                    )
                }
                guard case .object = params else {
                    throw CLIError(ExitCode.dataError, "PARAMS must be a JSON object, not \(params.typeName)")
                }
            }
            let timeout = try args.int("--timeout", default: 30_000, in: 1...3_600_000)
            do {
                ctx.printJSON(try ctx.callRaw(service, method, params, timeoutMs: timeout))
                return ExitCode.ok
            } catch let e as CLIError where e.remote != nil {
                ctx.printJSON(["error": e.remote!])
                ctx.note("Error: \(e.description)")
                return e.exitCode
            }
        }
    }

    static var describeCommand: CLICommand {
        Command(
            name: "describe",
            abstract: "List a service's methods, their params and results, and its events.",
            usage: "describe SERVICE [--json]",
            arguments: [("SERVICE", "A service of the mesh, or 'supervisor'.")]
        ) { args, ctx in
            let service = try args.positional(0, "SERVICE")
            let d = try ctx.call(ServiceAPI.describe, NoParams(), on: service)
            if ctx.json { ctx.printJSON(d); return ExitCode.ok }
            ctx.print("\(service) \(d.version) — protocol v\(d.protocolVersion)")
            for m in d.methods {
                ctx.print()
                ctx.print("  \(m.name)  [\(m.access.rawValue)]")
                ctx.print("      \(m.summary)")
                if let shape = try? JSONDecoding.decode(ObjectShape.self, from: m.params), !shape.properties.isEmpty {
                    let required = Set(shape.required ?? [])
                    let fields = shape.properties.sorted { $0.key < $1.key }.map { f in
                        "\(f.key)\(required.contains(f.key) ? "" : "?"): \(f.value.type ?? "any")"
                    }
                    ctx.print("      params: {\(fields.joined(separator: ", "))}")
                }
            }
            ctx.print()
            ctx.print("  emits:    \(d.events.emits.map(\.type).joined(separator: ", "))")
            ctx.print("  consumes: \(d.events.consumes.joined(separator: ", "))")
            return ExitCode.ok
        }
    }
}
