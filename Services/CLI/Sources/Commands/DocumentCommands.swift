import Foundation
import LiaisonAPI
import LiaisonHost
import LiaisonModels
import LiaisonProcess
import LiaisonJSON
import LiaisonWire

/// Documents' fingerprints: the SHA-256 of the signed file, computed here from the file itself.
extension CLI {
    /// What `agreement verify --json` says of a file.
    struct Verdict: Encodable {
        var matches: Bool
        var sha256: String
        var size: Int64
        var document: AgreementDocument?
    }

    /// The SHA-256 and size of a file, read in chunks.
    package static func fingerprint(_ path: String) throws -> (sha256: String, size: Int64) {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw CLIError(ExitCode.dataError, "cannot read \(path)")
        }
        defer { try? h.close() }
        var s = SHA256()
        var size: Int64 = 0
        while true {
            let chunk = h.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            s.update(chunk)
            size += Int64(chunk.count)
        }
        return (SHA256.hex(digest: s.finish()), size)
    }

    /// The media type a file's extension says.
    static func mediaType(_ path: String) -> String {
        let ext = (path as NSString).pathExtension.lowercased()
        let known = [
            "pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "doc": "application/msword", "odt": "application/vnd.oasis.opendocument.text", "txt": "text/plain",
            "md": "text/markdown",
            "html": "text/html", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "tif": "image/tiff",
            "tiff": "image/tiff",
        ]
        return known[ext] ?? "application/octet-stream"
    }

    static var agreementAttach: CLICommand {
        Command(
            name: "attach",
            abstract: "Keep a document's fingerprint (SHA-256 of the file, its name, size and type) on the agreement.",
            usage: "agreement attach ID FILE [--title TITLE]",
            arguments: [("ID", "Id or reference."), ("FILE", "The document (e.g. the signed PDF).")],
            options: [OptionSpec(["--title"], value: "TITLE", "What the document is (default: the file's name).")]
        ) { args, ctx in
            let id = try args.positional(0, "ID"), path = try args.positional(1, "FILE")
            let (sha, size) = try fingerprint(path)
            let name = (path as NSString).lastPathComponent
            let doc = AgreementDocument(
                title: args.value("--title") ?? name,
                sha256: sha,
                name: name,
                size: size,
                mediaType: mediaType(path)
            )
            let a = try ctx.call(AgreementsAPI.attach, AttachParams(id: id, document: doc))
            if ctx.json { ctx.printJSON(a); return ExitCode.ok }
            ctx.print("\(a.currentReference): attached \(name) (\(size) bytes, sha256 \(sha))")
            return ExitCode.ok
        }
    }

    static var agreementVerify: CLICommand {
        Command(
            name: "verify",
            abstract: "Say whether a file is one of the agreement's documents (exit 0) or not (exit 1).",
            usage: "agreement verify ID FILE",
            arguments: [("ID", "Id or reference."), ("FILE", "The file to check.")]
        ) { args, ctx in
            let id = try args.positional(0, "ID"), path = try args.positional(1, "FILE")
            let (sha, size) = try fingerprint(path)
            let a = try ctx.call(AgreementsAPI.get, AgreementID(id))
            let docs = a.draft.documents
            let match = docs.first { $0.sha256 == sha }
            if ctx.json {
                ctx.printJSON(Verdict(matches: match != nil, sha256: sha, size: size, document: match))
            } else if let m = match {
                ctx.print(
                    "\(path) is \"\(m.title)\" of \(a.currentReference)"
                        + (m.attachedAt.map { ", attached \($0)" } ?? "") + " (sha256 \(sha))"
                )
            } else {
                ctx.print("\(path) is none of the documents of \(a.currentReference) (sha256 \(sha), \(size) bytes).")
                for d in docs { ctx.print("  \(d.title): sha256 \(d.sha256)") }
            }
            return match == nil ? ExitCode.failure : ExitCode.ok
        }
    }
}
