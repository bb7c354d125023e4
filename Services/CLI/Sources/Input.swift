import Foundation
import LiaisonJSON
import LiaisonProcess

/// What people give the CLI besides flags: JSON files, read as the services read them.
extension CLI {
    /// Reads a JSON file (`-` for stdin) holding an object.
    static func readJSONFile(_ path: String?) throws -> JSONObject {
        guard let path else { throw UsageError("missing -f FILE (a JSON file, or - for stdin)") }
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: path) else {
                let e = errno
                throw CLIError(
                    e == ENOENT || e == EACCES ? ExitCode.noInput : ExitCode.dataError,
                    "cannot read \(path): \(String(cString: strerror(e)))"
                )
            }
            data = d
        }
        do {
            let v = try JSONParser.parse([UInt8](data))
            guard case .object(let o) = v else {
                throw CLIError(ExitCode.dataError, "\(path) must hold a JSON object, not \(v.typeName)")
            }
            return o
        } catch let e as JSONParseError {
            throw CLIError(ExitCode.dataError, "\(path) is not valid JSON: \(e)")
        }
    }

    /// `object` as `T`, read as the service reads it: a field that does not fit is a data error
    /// naming it, before anything is sent.
    static func input<T: Decodable>(_ type: T.Type, _ object: JSONObject, _ what: String) throws -> T {
        do { return try JSONDecoding.decode(T.self, from: .object(object)) } catch {
            throw CLIError(ExitCode.dataError, "\(what): \(error)")
        }
    }
}
