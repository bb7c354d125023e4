import Foundation

/// Path helpers (no Foundation URL round trips).
package enum Paths {
    /// `path` if absolute, else joined to the working directory; `.` and `..` folded.
    package static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? normalize(path) : join(FileManager.default.currentDirectoryPath, path)
    }

    /// `rel` resolved against `base` unless it is absolute.
    package static func join(_ base: String, _ rel: String) -> String {
        rel.hasPrefix("/") ? normalize(rel) : normalize(base + "/" + rel)
    }

    /// Folds `.`, `..` and repeated slashes.
    package static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for p in path.split(separator: "/", omittingEmptySubsequences: true) {
            if p == "." { continue }
            if p == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(p)
        }
        return "/" + parts.joined(separator: "/")
    }
}
