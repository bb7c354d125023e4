import Foundation
import LiaisonAPI
import LiaisonModels
import LiaisonJSON
import LiaisonWire

/// The partners-by-continent picture as plain SVG (and an HTML page around it): one row per
/// group, a bar for the agreements in force and one for those under negotiation, the partners'
/// names beneath.
package enum PartnerChart {
    static let inForce = "#2f6db5", negotiating = "#f0a340", ink = "#1f2933", faint = "#6b7785"

    /// The SVG document for a `agreements.report.partners` result.
    package static func svg(_ report: PartnersReport) -> String {
        let rows = report.rows
        let by = report.by.rawValue
        let maxCount = max(1, rows.map { $0.agreements + $0.negotiating }.max() ?? 1)
        let width = 960, labelW = 190, barMax = 520, rowH = 74, top = 96
        let height = top + max(rows.count, 1) * rowH + 40
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)"
                font-family="Helvetica, Arial, 'Noto Sans', sans-serif">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="24" y="40" font-size="24" font-weight="bold" fill="\(ink)">BIT's partners by \
            \(HTML.escape(by))</text>
            <text x="24" y="64" font-size="14" fill="\(faint)">\(HTML.escape(subtitle(report)))</text>
            <rect x="\(width - 330)" y="26" width="14" height="14" fill="\(inForce)"/><text x="\(width - 310)" y="38" \
            font-size="13"
                fill="\(ink)">agreements in force</text>
            <rect x="\(width - 170)" y="26" width="14" height="14" fill="\(negotiating)"/><text x="\(width - 150)" \
            y="38" font-size="13"
                fill="\(ink)">under negotiation</text>

            """
        if rows.isEmpty {
            s += "<text x=\"24\" y=\"\(top + 30)\" font-size=\"16\" fill=\"\(faint)\">No agreements yet.</text>\n"
        }
        for (i, r) in rows.enumerated() {
            let y = top + i * rowH
            let a = r.agreements, n = r.negotiating, p = r.partners
            let wa = Int(Double(a) / Double(maxCount) * Double(barMax)),
                wn = Int(Double(n) / Double(maxCount) * Double(barMax))
            if i % 2 == 0 {
                s += "<rect x=\"12\" y=\"\(y - 6)\" width=\"\(width - 24)\" height=\"\(rowH - 4)\" fill=\"#f5f7fa\"/>\n"
            }
            s +=
                "<text x=\"24\" y=\"\(y + 22)\" font-size=\"17\" font-weight=\"bold\" "
                + "fill=\"\(ink)\">\(HTML.escape(r.key))</text>\n"
            let sites = r.sites
            let counted =
                "\(p) partner\(p == 1 ? "" : "s") in force"
                + (sites > 0 ? ", \(sites) site\(sites == 1 ? "" : "s") of BIT's" : "")
            s += "<text x=\"24\" y=\"\(y + 42)\" font-size=\"12\" fill=\"\(faint)\">\(counted)</text>\n"
            if wa > 0 {
                s +=
                    "<rect x=\"\(labelW)\" y=\"\(y + 6)\" width=\"\(wa)\" height=\"24\" rx=\"3\" "
                    + "fill=\"\(inForce)\"><title>\(a) in force</title></rect>\n"
            }
            if wn > 0 {
                s +=
                    "<rect x=\"\(labelW + wa)\" y=\"\(y + 6)\" width=\"\(wn)\" height=\"24\" rx=\"3\" "
                    + "fill=\"\(negotiating)\"><title>\(n) under negotiation</title></rect>\n"
            }
            s +=
                "<text x=\"\(labelW + wa + wn + 8)\" y=\"\(y + 24)\" font-size=\"14\" "
                + "fill=\"\(ink)\">\(a)\(n > 0 ? " + \(n)" : "")</text>\n"
            let names = (r.partnerNames + r.siteNames.map { "site: " + $0 }).joined(separator: " · ")
            s +=
                "<text x=\"\(labelW)\" y=\"\(y + 50)\" font-size=\"12\" "
                + "fill=\"\(faint)\">\(HTML.escape(String(names.prefix(110))))\(names.count > 110 ? "…" : "")</text>\n"
        }
        return s + "</svg>\n"
    }

    static func subtitle(_ r: PartnersReport) -> String {
        let when = r.signedIn.map { "signed in \($0)" } ?? "in force on \(r.activeOn ?? "today")"
        return
            "\(r.totals.agreements) agreements \(when) with \(r.totals.partners) partners; \(r.totals.negotiating) "
            + "under negotiation"
    }

    /// An HTML page with the chart and the same figures as a table.
    package static func html(_ report: PartnersReport) -> String {
        var rows = ""
        for r in report.rows {
            let counts = [r.partners, r.agreements, r.negotiating].map { "<td>\($0)</td>" }.joined()
            let names = HTML.escape(r.partnerNames.joined(separator: ", "))
            rows += "<tr><td>\(HTML.escape(r.key))</td>\(counts)<td>\(names)</td></tr>\n"
        }
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>BIT's partners</title>
            <style>body{font-family:Helvetica,Arial,sans-serif;margin:2em;color:#1f2933}
            table{border-collapse:collapse;margin-top:1.5em}
            td,th{padding:.35em .8em;border-bottom:1px solid #dde3ea;text-align:left}</style>
            </head><body>
            \(svg(report))
            <table><tr><th>\(HTML.escape(report.by.rawValue))</th>
            <th>partners</th><th>agreements</th><th>negotiating</th><th>who</th></tr>
            \(rows)</table>
            </body></html>

            """
    }
}
