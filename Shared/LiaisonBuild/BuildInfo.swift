/// What this binary is: the release (one version for every binary of it, SemVer) and the commit
/// it was built from (written by the BuildInfo plugin before each build).
package enum BuildInfo {
    /// The release. Moves with `CHANGELOG.md`.
    package static let version = "0.2.0"

    /// The commit built from: a short hash, `-dirty` when the sources had changes, `unknown`
    /// outside a git checkout.
    package static let commit = buildCommit

    /// The releases this one is tested beside (a mixed-version mesh in CI): the previous one.
    /// A mesh whose services run versions further apart is warned about.
    package static let testedWith: [String] = ["0.1.0"]

    /// `0.2.0 (commit 1a2b3c4d5e6f)`.
    package static var description: String { "\(version) (commit \(commit))" }

    /// Whether a service at `a` and one at `b` run together in a tested pair: the same release,
    /// or this release beside one it is tested with.
    package static func tested(_ a: String, _ b: String) -> Bool {
        let known = Set([version] + testedWith)
        return a == b || (known.contains(a) && known.contains(b))
    }
}
