import Foundation
import PackagePlugin

/// Compiles the message catalogues (`Shared/LiaisonLocale/Catalogues/<language>.json`) into
/// the `LiaisonLocale` module before each build: `CatalogueFiles.swift` holds each file's text
/// under its language code, so the binaries carry their catalogues and a new language is one new
/// file. The file is rewritten only when its text changes.
@main
struct CataloguePlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appending(path: "generated")
        let file = out.appending(path: "CatalogueFiles.swift").path
        let source = context.package.directoryURL.appending(path: "Shared/LiaisonLocale/Catalogues").path
        // Each file as a raw string literal: `#"""` cannot occur in a catalogue (the test checks).
        let script = #"""
            mkdir -p "$OUT"
            tmp="$FILE.new"
            {
              printf '/// The catalogues compiled in: language code → the JSON text of its file.\n'
              printf 'let catalogueFiles: [String: String] = [\n'
              for f in "$SRC"/*.json; do
                [ -e "$f" ] || continue
                printf '    "%s": #\042\042\042\n' "$(basename "$f" .json)"
                cat "$f"
                printf '\n\042\042\042#,\n'
              done
              printf ']\n'
            } > "$tmp"
            if cmp -s "$tmp" "$FILE"; then rm -f "$tmp"; else mv "$tmp" "$FILE"; fi
            """#
        return [
            .prebuildCommand(
                displayName: "Compiling the message catalogues",
                executable: URL(filePath: "/bin/sh"),
                arguments: ["-c", script],
                environment: ["OUT": out.path, "FILE": file, "SRC": source],
                outputFilesDirectory: out
            )
        ]
    }
}
