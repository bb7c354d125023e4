import LiaisonBuild

/// Which releases run together. A release is tested beside the previous one (a mixed-version
/// mesh in CI); services further apart may not understand each other's events.
extension CLI {
    /// A warning when the versions `running` (name → version; unknown ones left out) include a
    /// pair this release has not been tested with, else nil.
    static func versionSkew(_ running: [(name: String, version: String?)]) -> String? {
        let known = running.compactMap { r in r.version.map { (r.name, $0) } }
        let versions = Set(known.map(\.1))
        guard versions.count > 1 else { return nil }
        let untested = versions.sorted().flatMap { a in
            versions.sorted().filter { b in a < b && !BuildInfo.tested(a, b) }.map { (a, $0) }
        }
        guard
            !untested.isEmpty
                || versions.contains(where: { $0 != BuildInfo.version && !BuildInfo.testedWith.contains($0) })
        else { return nil }
        let listed = known.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        return "warning: the mesh runs releases further apart than tested together (\(listed)); this release "
            + "(\(BuildInfo.version)) is tested beside \(BuildInfo.testedWith.joined(separator: ", ")): "
            + "upgrade one release at a time"
    }
}
