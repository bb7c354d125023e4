import Foundation
import LiaisonHost
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// What every command shares: where the mesh is, how to reach a service, how to print.
package final class CLIContext {
    package let args: ParsedArgs
    package var json: Bool { args.has("--json") }
    package var out = FileHandle.standardOutput
    package var err = FileHandle.standardError

    init(args: ParsedArgs) { self.args = args }

    /// The home directory: --home, else LIAISON_HOME, else ./.liaison.
    package var home: String {
        Paths.absolute(args.value("--home") ?? ProcessInfo.processInfo.environment["LIAISON_HOME"] ?? ".liaison")
    }

    /// Where a deployment installed by deploy/install.sh keeps its mesh file.
    package static let installedMesh = "/etc/liaison/mesh.json"

    /// The mesh file path if one exists: --mesh, else LIAISON_MESH, else HOME/mesh.json; with no
    /// home given and no ./.liaison here, the installed deployment's /etc/liaison/mesh.json.
    package var meshFilePath: String? {
        if let m = args.value("--mesh") ?? ProcessInfo.processInfo.environment["LIAISON_MESH"] { return Paths.absolute(m) }
        let candidate = home + "/mesh.json"
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
        let homeGiven = args.value("--home") != nil || ProcessInfo.processInfo.environment["LIAISON_HOME"] != nil
        // /etc/liaison itself tells an installed deployment even to someone who may not read it.
        if !homeGiven && !FileManager.default.fileExists(atPath: home) && FileManager.default.fileExists(atPath: "/etc/liaison") {
            return Self.installedMesh
        }
        return nil
    }

    /// The mesh: the file when there is one, else the built-in default rooted at home.
    package func mesh() throws -> Mesh {
        if let path = meshFilePath {
            if access(path, R_OK) != 0 {
                let e = errno
                guard e != ENOENT else {
                    throw CLIError(
                        ExitCode.usage, "mesh file \(path) does not exist", hint: "create one with 'liaison mesh init > \(path)'")
                }
                let who = Accounts.userName(getuid())
                throw CLIError(
                    ExitCode.noPermission, "cannot read \(path): \(String(cString: strerror(e)))",
                    hint: path == Self.installedMesh
                        ? "members of the liaison group may use Liaison: ask an administrator ('usermod -aG liaison \(who)')" : nil)
            }
            do { return try Mesh.load(path) } catch { throw CLIError(ExitCode.dataError, "\(error)") }
        }
        return try Mesh.standard(home: home)
    }

    /// The socket of `service` (or of the supervisor).
    package func socket(of service: String) throws -> String {
        let m = try mesh()
        if service == "supervisor" { return m.config.supervisor.socket }
        guard let e = m.service(service) else {
            throw CLIError(
                ExitCode.usage, "no service named '\(service)' in the mesh",
                hint: "the mesh has: \((["supervisor"] + m.config.services.map(\.name)).joined(separator: ", "))")
        }
        return e.socket
    }

    /// A connection to `service`, with a message saying what to do when nothing is running.
    package func client(_ service: String, timeoutMs: Int = 3000) throws -> WireClient {
        let path = try socket(of: service)
        do { return try WireClient(path: path, timeoutMs: timeoutMs) } catch {
            let how: Deployment = Deployment.systemdHasUnits ? .systemd : .down
            throw CLIError(ExitCode.unavailable, "cannot reach \(service) at \(path): \(error.message)", hint: how.startHint(self))
        }
    }

    /// Calls `method` on `service`, turning errors into CLI errors with a fitting exit code.
    package func call(_ service: String, _ method: String, _ params: JSONValue = .object([:]), timeoutMs: Int = 30_000) throws -> JSONValue
    {
        let c = try client(service)
        do { return try c.call(method, params, timeoutMs: timeoutMs) } catch { throw CLIError(remote: error, service: service) }
    }

    /// A list method's items: one page, or with `all` every page (following next_cursor).
    /// Returns the last answer too (for fields beside the items) and the cursor left, if any.
    package func list(
        _ service: String, _ method: String, _ params: JSONObject, all: Bool
    ) throws
        -> (items: [JSONValue], last: JSONValue, next: String?)
    {
        let c = try client(service)
        do { return try c.list(method, params, all: all, timeoutMs: 30_000) } catch { throw CLIError(remote: error, service: service) }
    }

    /// Prints a list's items as JSON the way one page of it looks (items, then next_cursor if any).
    package func printJSONList(_ items: [JSONValue], next: String?, with extra: JSONObject = [:]) {
        var out: JSONObject = ["items": .array(items)]
        if let next { out["next_cursor"] = .string(next) }
        for m in extra.members { out[m.key] = m.value }
        printJSON(.object(out))
    }

    /// Calls and decodes a typed result.
    package func call<R: Decodable>(_ service: String, _ method: String, _ params: JSONValue = .object([:]), as: R.Type) throws -> R {
        let v = try call(service, method, params)
        do { return try JSONDecoding.decode(R.self, from: v) } catch {
            throw CLIError(ExitCode.software, "unexpected answer from \(service) \(method): \(error)")
        }
    }

    /// Prints a line to stdout.
    package func print(_ s: String = "") { out.write(Data((s + "\n").utf8)) }

    /// Writes text to stdout as it is.
    package func write(_ s: String) { out.write(Data(s.utf8)) }

    /// Prints `value` as JSON under --json, else what `text` says of it.
    package func show(_ value: JSONValue, _ text: () -> String) {
        if json { printJSON(value) } else { print(text()) }
    }

    /// Prints a JSON value, indented.
    package func printJSON(_ v: JSONValue) { print(JSONWriter.pretty(v)) }

    /// Prints to stderr.
    package func note(_ s: String) { err.write(Data((s + "\n").utf8)) }
}

/// A failure the CLI reports: message, optional hint, exit code.
package struct CLIError: ReportableError {
    package var exitCode: Int32
    package var description: String
    package var hint: String?
    package var remote: ServiceError?

    package init(_ code: Int32, _ message: String, hint: String? = nil) {
        exitCode = code
        description = message
        self.hint = hint
    }

    /// From a service's error answer.
    package init(remote e: ServiceError, service: String) {
        remote = e
        description = "\(service): \(e.code): \(e.message)"
        // Every problem on its own line with its field path, not the first and "(and 3 more)".
        if case .array(let all)? = e.details?["errors"], all.count > 1 {
            description = "\(service): \(e.code): \(all.count) problems:"
            for x in all {
                let field = x["field"]?.stringValue ?? ""
                description += "\n  " + (field.isEmpty ? "" : field + ": ") + (x["reason"]?.stringValue ?? "")
            }
        }
        switch e.code {
        case .invalidParams, .invalidRequest, .parseError: exitCode = ExitCode.dataError
        case .unavailable: exitCode = ExitCode.unavailable
        case .busy, .timeout: exitCode = ExitCode.tempFail
        case .methodNotFound: exitCode = ExitCode.usage
        default: exitCode = ExitCode.failure
        }
        if e.code == .unavailable { hint = "is the mesh running? 'liaison status' shows what is up" }
    }
}
