import LiaisonModels
import LiaisonLocale

/// One language's version of a message: its subject and its lines. Names and titles that may
/// run the other way are held between Unicode isolates (U+2068 … U+2069): the text part keeps
/// them, the HTML part makes them `<bdi>`.
struct MailBody {
    var subject: String
    var lines: [String]
    let t: Catalogue

    static let isolateOpen: Character = "\u{2068}"
    static let isolateClose: Character = "\u{2069}"

    /// `s` isolated when it is read inside right-to-left text or holds right-to-left letters.
    static func isolate(_ s: String, in t: Catalogue) -> String {
        t.rightToLeft || hasRightToLeft(s) ? "\(isolateOpen)\(s)\(isolateClose)" : s
    }

    /// Whether `s` holds a letter of a right-to-left script (Hebrew, Arabic, Syriac, Thaana, N'Ko …).
    static func hasRightToLeft(_ s: String) -> Bool {
        s.unicodeScalars.contains { c in
            (0x0590...0x08FF).contains(c.value) || (0xFB1D...0xFDFF).contains(c.value)
                || (0xFE70...0xFEFF).contains(c.value) || (0x10800...0x10FFF).contains(c.value)
        }
    }

    /// The text part: each version in turn, English last under a line that says so.
    static func text(_ bodies: [MailBody]) -> String {
        var out: [String] = []
        for (i, b) in bodies.enumerated() {
            if i > 0 { out += ["", "——— \(bodies[0].t("bilingual.english")) ———", ""] }
            out += b.lines
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The HTML part: each version in a block of its own language and direction, isolated names
    /// as `<bdi>`.
    static func html(title: String, _ bodies: [MailBody]) -> String {
        let first = bodies[0].t
        var out =
            "<!DOCTYPE html>\n<html lang=\"\(first.code)\" dir=\"\(first.rightToLeft ? "rtl" : "ltr")\"><head>"
            + "<meta charset=\"utf-8\"><title>\(markup(title))</title></head>\n"
            + "<body style=\"font-family: sans-serif\">\n"
        for (i, b) in bodies.enumerated() {
            if i > 0 { out += "<hr>\n" }
            out += section(b, single: bodies.count == 1)
        }
        return out + "</body></html>\n"
    }

    /// One version's block: paragraphs, bullet lists, and indented schedule lines.
    static func section(_ b: MailBody, single: Bool) -> String {
        let dir = b.t.rightToLeft ? "rtl" : "ltr"
        let indent = b.t.rightToLeft ? "margin:0 1.5em 0 0" : "margin:0 0 0 1.5em"
        var out = single ? "" : "<div lang=\"\(b.t.code)\" dir=\"\(dir)\">\n"
        var inList = false
        for l in b.lines {
            if l.hasPrefix("  • ") {
                if !inList { out += "<ul>\n"; inList = true }
                out += "<li>\(markup(String(l.dropFirst(4))))</li>\n"
                continue
            }
            if inList { out += "</ul>\n"; inList = false }
            if l.isEmpty { continue }
            if l.hasPrefix("  ") {
                out += "<p style=\"\(indent); font-family: monospace\">\(markup(l.trimmingWhitespace()))</p>\n"
            } else {
                out += "<p>\(markup(l))</p>\n"
            }
        }
        if inList { out += "</ul>\n" }
        return single ? out : out + "</div>\n"
    }

    /// Escaped for HTML, isolates as `<bdi>`.
    static func markup(_ s: String) -> String {
        HTML.escape(s).replacingOccurrences(of: String(isolateOpen), with: "<bdi>")
            .replacingOccurrences(of: String(isolateClose), with: "</bdi>")
    }
}
