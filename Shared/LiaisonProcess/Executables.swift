import Glibc
import LiaisonJSON
import LiaisonWire

/// Finding Liaison's binaries: beside the running one first (an install, or a SwiftPM build
/// directory), then on PATH.
package enum Executables {
    /// The directory holding the running binary (/proc/self/exe).
    package static func ownDirectory() -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let path = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return String(path[..<slash])
    }

    /// `name` as given when it is a path (and executable), else beside our own binary, else on PATH.
    package static func resolve(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        if let dir = ownDirectory(), access(dir + "/" + name, X_OK) == 0 { return dir + "/" + name }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where access("\(dir)/\(name)", X_OK) == 0 { return "\(dir)/\(name)" }
        return nil
    }

    /// When the running binary was built by SwiftPM in a checkout (`ROOT/.build/…/CONFIG/`):
    /// the package root and the build configuration (`debug` or `release`).
    package static func swiftPMBuild() -> (root: String, configuration: String)? {
        guard let dir = ownDirectory(), let range = dir.range(of: "/.build/") else { return nil }
        let root = String(dir[..<range.lowerBound])
        let configuration = dir.split(separator: "/").last.map(String.init) ?? "debug"
        guard access(root + "/Package.swift", R_OK) == 0, ["debug", "release"].contains(configuration) else {
            return nil
        }
        return (root, configuration)
    }
}
