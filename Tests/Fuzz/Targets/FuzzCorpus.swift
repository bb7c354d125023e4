import Foundation

/// The committed inputs of each target (Tests/Fuzz/Corpus/<target>/), for replaying.
package enum FuzzCorpus {
    /// The corpus directory of this checkout.
    package static var root: String {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        dir.appendPathComponent("Corpus")
        return dir.path
    }

    /// `path` itself when it is a file, else every file under it, sorted.
    package static func files(at path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else { return [path] }
        let names = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { path + "/" + $0 }.filter {
            var d: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue
        }
    }

    package static func read(_ file: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: file) ?? Data()) }
}
