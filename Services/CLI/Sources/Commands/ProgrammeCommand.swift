import Foundation
import Glibc
import LiaisonAPI
import LiaisonJSON
import LiaisonModels
import LiaisonLocale
import LiaisonProcess
import LiaisonWire

extension CLI {
    static var delegationProgramme: CLICommand {
        Command(
            name: "programme",
            abstract:
                "The visit's programme to print and hand out: HTML for A4, a page per day; --pdf through Chromium.",
            usage: "delegation programme ID [--lang L] [-o FILE] [--pdf] [--contact TEXT]",
            arguments: [("ID", "The delegation's id or reference.")],
            options: [
                OptionSpec(
                    ["-o", "--output"],
                    value: "FILE",
                    "Where to write it (default: standard output; --pdf needs it)."
                ),
                OptionSpec(
                    ["--lang"],
                    oneOf: Catalogue.codes,
                    value: "L",
                    "Its language, English beside it (default: the one most of the delegation reads first)."
                ),
                OptionSpec(["--pdf"], "A PDF through headless Chromium (Debian: apt-get install chromium)."),
                OptionSpec(
                    ["--contact"],
                    value: "TEXT",
                    "The office's contact on it (default: the notifications service's reply_to, else its from)."
                ),
            ]
        ) { args, ctx in
            let d = try ctx.call(DelegationsAPI.get, DelegationID(try args.positional(0, "ID")))
            let language = args.value("--lang").flatMap(Catalogue.named) ?? Programme.language(of: d)
            let contact = args.value("--contact") ?? (try? officeContact(ctx)) ?? nil
            let html = Programme.html(d, contact: contact, language: language)
            guard args.has("--pdf") else {
                if let out = args.value("-o") { try write(html, to: out) } else { ctx.write(html) }
                return ExitCode.ok
            }
            guard let out = args.value("-o") else { throw UsageError("--pdf needs -o FILE") }
            try printPDF(html, to: out)
            ctx.note("Wrote \(out)")
            return ExitCode.ok
        }
    }

    /// The office's mailbox as the notifications service signs its mail (mesh file settings).
    static func officeContact(_ ctx: CLIContext) throws -> String? {
        guard case .object(let settings)? = try ctx.mesh().service("notifications")?.settings,
            case .object(let mail)? = settings["mail"]
        else { return nil }
        return mail.text("reply_to") ?? mail.text("from")
    }

    /// `html` printed to `out` by headless Chromium (exit 69 when it is not installed).
    static func printPDF(_ html: String, to out: String) throws {
        let candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        let paths: [String] = candidates.flatMap { name in dirs.map { dir in "\(dir)/\(name)" } }
        guard let browser = paths.first(where: { access($0, X_OK) == 0 }) else {
            throw CLIError(
                ExitCode.unavailable,
                "no Chromium here to print the PDF",
                hint: "install it (Debian: apt-get install chromium), or write the HTML with -o and print it"
            )
        }
        let dir = NSTemporaryDirectory() + "liaison-programme-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(html, to: dir + "/programme.html")
        let target = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
        let r = try Subprocess.run(
            browser,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                "--user-data-dir=\(dir)/profile",
                "--print-to-pdf=\(target)", "file://\(dir)/programme.html",
            ],
            input: [],
            timeoutMs: 120_000
        )
        guard r.exit == .exited(0), FileManager.default.fileExists(atPath: target) else {
            throw CLIError(
                ExitCode.failure,
                "\(browser) did not print the PDF: \(String(decoding: r.stderr.suffix(400), as: UTF8.self))"
            )
        }
    }
}
