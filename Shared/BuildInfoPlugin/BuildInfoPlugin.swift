import Foundation
import PackagePlugin

/// Writes the commit the sources are built from into the `LiaisonBuild` module before each build
/// (`BuildCommit.swift`: `buildCommit`, the short hash, `-dirty` when the work tree has changes,
/// `unknown` outside a git checkout). The file is rewritten only when its text changes, so an
/// unchanged commit recompiles nothing.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appending(path: "generated")
        let file = out.appending(path: "BuildCommit.swift").path
        let script = """
            mkdir -p "$OUT"
            c=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null) || c=unknown
            if [ "$c" != unknown ] && ! git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null; then c="$c-dirty"; fi
            new="package let buildCommit = \\"$c\\""
            [ "$(cat "$FILE" 2>/dev/null)" = "$new" ] || printf '%s\\n' "$new" > "$FILE"
            """
        return [
            .prebuildCommand(
                displayName: "Recording the commit built from",
                executable: URL(filePath: "/bin/sh"),
                arguments: ["-c", script],
                environment: ["OUT": out.path, "FILE": file, "ROOT": context.package.directoryURL.path],
                outputFilesDirectory: out
            )
        ]
    }
}
