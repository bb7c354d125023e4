import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

extension CLI {
    static var callCommand: CLICommand {
        Command(
            name: "call", abstract: "Call any method of any service and print the answer as JSON.",
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
                if text == "-" { text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
                do { params = try JSONParser.parse(text) } catch {
                    throw CLIError(
                        ExitCode.dataError, "PARAMS is not valid JSON: \(error)", hint: "quote it for the shell: '{\"id\":\"…\"}'")
                }
                guard case .object = params else {
                    throw CLIError(ExitCode.dataError, "PARAMS must be a JSON object, not \(params.typeName)")
                }
            }
            let timeout = try args.int("--timeout", default: 30_000, in: 1...3_600_000)
            let c = try ctx.client(service)
            do throws(ServiceError) {
                ctx.printJSON(try c.call(method, params, timeoutMs: timeout))
                return ExitCode.ok
            } catch {
                ctx.printJSON(["error": JSONEncoding.encode(error)])
                return CLIError(remote: error, service: service).exitCode
            }
        }
    }

    static var describeCommand: CLICommand {
        Command(
            name: "describe", abstract: "List a service's methods, their params and results, and its events.",
            usage: "describe SERVICE [--json]", arguments: [("SERVICE", "A service of the mesh, or 'supervisor'.")]
        ) { args, ctx in
            let service = try args.positional(0, "SERVICE")
            let d = try ctx.call(service, "service.describe")
            if ctx.json { ctx.printJSON(d); return ExitCode.ok }
            ctx.print("\(service) \(d["version"]?.stringValue ?? "") — protocol v\(d["protocol"]?.intValue ?? 1)")
            for m in d["methods"]?.arrayValue ?? [] {
                ctx.print()
                ctx.print("  \(m["name"]?.stringValue ?? "")")
                ctx.print("      \(m["summary"]?.stringValue ?? "")")
                let props = m["params"]?["properties"]?.objectValue
                let required = Set(m["params"]?["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                if let props, props.count > 0 {
                    let fields = props.members.map { f in
                        "\(f.key)\(required.contains(f.key) ? "" : "?"): \(f.value["type"]?.stringValue ?? "any")"
                    }
                    ctx.print("      params: {\(fields.joined(separator: ", "))}")
                }
            }
            if let ev = d["events"] {
                ctx.print()
                ctx.print("  emits:    \(ev["emits"]?.arrayValue?.compactMap { $0["type"]?.stringValue }.joined(separator: ", ") ?? "")")
                ctx.print("  consumes: \(ev["consumes"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? "")")
            }
            return ExitCode.ok
        }
    }
}
