import Foundation
import LiaisonAPI
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

    package init(args: ParsedArgs) { self.args = args }

    /// The home directory: --home, else LIAISON_HOME, else ./.liaison.
    package var home: String {
        Paths.absolute(args.value("--home") ?? ProcessInfo.processInfo.environment["LIAISON_HOME"] ?? ".liaison")
    }

    /// Where a deployment installed by deploy/install.sh keeps its mesh file.
    package static let installedMesh = "/etc/liaison/mesh.json"

    /// The mesh file path if one exists: --mesh, else LIAISON_MESH, else HOME/mesh.json; with no
    /// home given and no ./.liaison here, the installed deployment's /etc/liaison/mesh.json.
    package var meshFilePath: String? {
        if let m = args.value("--mesh") ?? ProcessInfo.processInfo.environment["LIAISON_MESH"] {
            return Paths.absolute(m)
        }
        let candidate = home + "/mesh.json"
        if FileManager.default.fileExists(atPath: candidate) { return candidate }
        let homeGiven = args.value("--home") != nil || ProcessInfo.processInfo.environment["LIAISON_HOME"] != nil
        // /etc/liaison itself tells an installed deployment even to someone who may not read it.
        if !homeGiven && !FileManager.default.fileExists(atPath: home)
            && FileManager.default.fileExists(atPath: "/etc/liaison")
        {
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
                        ExitCode.usage,
                        "mesh file \(path) does not exist",
                        hint: "create one with 'liaison mesh init > \(path)'"
                    )
                }
                let who = Accounts.userName(getuid())
                throw CLIError(
                    ExitCode.noPermission,
                    "cannot read \(path): \(String(cString: strerror(e)))",
                    hint: path == Self.installedMesh
                        ? "members of the liaison group may use Liaison: ask an administrator ('usermod -aG liaison "
                            + "\(who)')"
                        : nil
                )
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
                ExitCode.usage,
                "no service named '\(service)' in the mesh",
                hint: "the mesh has: \((["supervisor"] + m.config.services.map(\.name)).joined(separator: ", "))"
            )
        }
        return e.socket
    }

    /// A connection to `service`, with a message saying what to do when nothing is running.
    package func client(_ service: String, timeoutMs: Int = 3000) throws -> WireClient {
        let path = try socket(of: service)
        do { return try WireClient(path: path, timeoutMs: timeoutMs) } catch {
            if error.code == .permissionDenied {
                throw CLIError(
                    ExitCode.noPermission,
                    "cannot reach \(service): \(error.message)",
                    hint: "the mesh's sockets are for its socket_group: ask to be added to it (usermod -aG GROUP "
                        + "\(Accounts.userName(getuid()))), then log in again"
                )
            }
            let how: Deployment = Deployment.systemdHasUnits ? .systemd : .down
            throw CLIError(
                ExitCode.unavailable,
                "cannot reach \(service) at \(path): \(error.message)",
                hint: how.startHint(self)
            )
        }
    }

    /// Calls `method` (on `service` when the method is every service's, such as `service.health`)
    /// and returns its typed result; errors become CLI errors with a fitting exit code.
    package func call<P, R>(
        _ method: Method<P, R>,
        _ params: P,
        on service: String? = nil,
        timeoutMs: Int = 30_000
    ) throws -> R {
        let target = service ?? method.service ?? "supervisor"
        let c = try client(target)
        do { return try c.call(method, params, timeoutMs: timeoutMs) } catch let e {
            // A service of the release that required expected_version: send the one stored.
            var p = JSONEncoding.encode(params)
            if e.code == .invalidParams, e.field == "expected_version", p["expected_version"] == nil,
                let v = try currentVersion(for: method.name, p), case .object(var o) = p.materialized
            {
                o["expected_version"] = .int(Int64(v))
                p = .object(o)
                do {
                    let answer = try c.call(method.name, p, timeoutMs: timeoutMs, idempotent: false)
                    return try WireClient.decode(R.self, answer, method: method.name)
                } catch let again {
                    throw CLIError(
                        remote: explained(again, method: method.name, since: method.since, service: target),
                        service: target
                    )
                }
            }
            throw CLIError(
                remote: explained(e, method: method.name, since: method.since, service: target),
                service: target
            )
        }
    }

    /// A list method's items, typed: one page, or with `all` every page (following next_cursor).
    package func list<P: Paged, Item>(
        _ method: Method<P, Page<Item>>,
        _ params: P,
        all: Bool,
        on service: String? = nil
    ) throws -> (items: [Item], next: String?) {
        let target = service ?? method.service ?? "supervisor"
        let c = try client(target)
        do { return try c.list(method, params, all: all, timeoutMs: 30_000) } catch {
            throw CLIError(remote: error, service: target)
        }
    }

    /// Calls a method by the name a user typed (`liaison call`), params and answer as JSON.
    package func callRaw(
        _ service: String,
        _ method: String,
        _ params: JSONValue,
        timeoutMs: Int = 30_000
    ) throws -> JSONValue {
        let c = try client(service)
        do { return try c.call(method, params, timeoutMs: timeoutMs) } catch {
            throw CLIError(remote: error, service: service)
        }
    }

    /// Prints a list's items as JSON the way one page of it looks (items, then next_cursor if any).
    package func printJSONList<Item: Encodable>(_ items: [Item], next: String?) {
        printJSON(Page(items: items, nextCursor: next))
    }

    /// Prints a line to stdout.
    package func print(_ s: String = "") { out.write(Data((s + "\n").utf8)) }

    /// Writes text to stdout as it is.
    package func write(_ s: String) { out.write(Data(s.utf8)) }

    /// Prints `value` as JSON under --json, else what `text` says of it.
    package func show<T: Encodable>(_ value: T, _ text: () -> String) {
        if json { printJSON(value) } else { print(text()) }
    }

    /// Prints a value as JSON, indented.
    package func printJSON<T: Encodable>(_ v: T) { print(JSONWriter.pretty(JSONEncoding.encode(v))) }

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
        let all = e.problems
        if all.count > 1 {
            description = "\(service): \(e.code): \(all.count) problems:"
            for x in all { description += "\n  " + (x.field.isEmpty ? "" : x.field + ": ") + x.reason }
        }
        switch e.code {
        case .invalidParams, .invalidRequest, .parseError: exitCode = ExitCode.dataError
        case .unavailable: exitCode = ExitCode.unavailable
        case .busy, .timeout: exitCode = ExitCode.tempFail
        case .methodNotFound: exitCode = ExitCode.usage
        case .permissionDenied: exitCode = ExitCode.noPermission
        default: exitCode = ExitCode.failure
        }
        if e.code == .unavailable { hint = "is the mesh running? 'liaison status' shows what is up" }
        // A service names the wire method to look something up; here, the command does it.
        for (method, command) in Self.commandFor {
            description = description.replacingOccurrences(of: method, with: command)
        }
    }

    /// Wire methods a service's message may point to, and the command that does the same.
    static let commandFor: [(String, String)] = [
        (PartnersAPI.list.name, "'liaison partner list --text NAME'"),
        (DelegationsAPI.list.name, "'liaison delegation list'"),
        (AgreementsAPI.list.name, "'liaison agreement list'"),
    ]
}

extension CLIContext {
    /// A record's whole history: page after page of `method` (a long one comes in pieces of at
    /// most 512 KiB), joined.
    package func wholeHistory<R: HistoryAnswer>(_ method: Method<HistoryParams, R>, id: String) throws -> R {
        var all = try call(method, HistoryParams(id))
        while let cursor = all.nextCursor {
            let next = try call(method, HistoryParams(id, cursor: cursor))
            all.items += next.items
            all.nextCursor = next.nextCursor
        }
        return all
    }
}
