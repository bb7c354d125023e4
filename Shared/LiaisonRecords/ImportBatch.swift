import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire
import LiaisonAPI

/// Runs an import's rows inside one write transaction, each in its own savepoint so that one
/// bad row is reported (every problem, with its field) without stopping the others; then rolls
/// everything back if anything was wrong or only a dry run was asked.
package struct ImportBatch {
    package private(set) var report: ImportReport

    package init(dryRun: Bool) { report = ImportReport(dryRun: dryRun, applied: false) }

    /// Checks `value` against `schema`, decodes it, and runs `body` on it in a savepoint;
    /// `body` returns the row's id and whether it was created. Returns the id, or nil when the row
    /// had problems (recorded). Every problem of the row is recorded at once: what the schema
    /// finds, then what decoding and `body`'s checks find in the fields it did not name (a row
    /// the schema refused is still checked when it decodes; what it wrote goes with the batch).
    @discardableResult
    package mutating func row<T: Decodable>(
        _ db: Database,
        section: String,
        index: Int,
        _ value: JSONValue,
        schema: Schema,
        as type: T.Type,
        _ body: (T, Database) throws -> (id: String, created: Bool)
    ) -> String? {
        let key = value["key"]?.stringValue ?? value["external_key"]?.stringValue
        func problem(_ field: String, _ message: String) {
            report.problems.append(
                ImportReport.Problem(section: section, index: index, key: key, field: field, message: message)
            )
        }
        let violations = schema.violations(value, limit: 50)
        for v in violations { problem(v.path, v.reason) }
        let named = Set(violations.map(\.path))
        // A field the schema already named is not named again by the checks behind it.
        func more(_ field: String, _ message: String) {
            if !named.contains(field) { problem(field, message) }
        }
        do {
            // A row the schema refused is checked further in a copy made to fit it.
            let fitting = violations.isEmpty ? value : schema.repaired(value)
            guard let fitting else { return nil }
            let decoded = try JSONDecoding.decode(T.self, from: fitting)
            let (id, created) = try db.savepoint { db in try body(decoded, db) }
            guard violations.isEmpty else { return nil }
            report.rows.append(ImportReport.Row(section: section, index: index, key: key, id: id, created: created))
            return id
        } catch let e as JSONDecodeError {
            more(e.path, e.reason)
        } catch let e as ValidationErrors {
            for x in e.errors { more(x.path, x.reason) }
        } catch let e as ServiceError {
            more(e.details?["field"]?.stringValue ?? "", e.message)
        } catch let e as any ServiceErrorConvertible {
            more("", e.serviceError.message)
        } catch {
            more("", "\(error)")
        }
        return nil
    }

    /// Records a problem found outside a row's own fields (a reference to a missing row).
    package mutating func problem(section: String, index: Int, key: String?, field: String, _ message: String) {
        report.problems.append(
            ImportReport.Problem(section: section, index: index, key: key, field: field, message: message)
        )
    }

    /// Whether to keep what the rows wrote.
    package var keeps: Bool { report.problems.isEmpty && !report.dryRun }

    /// The thrown marker that rolls the transaction back, carrying the report.
    package struct RolledBack: Error { package var report: ImportReport }

    /// Runs the whole import in `store`'s write transaction: `rows` fills the batch; the
    /// transaction is kept only when `keeps`.
    package static func run(
        _ store: Store,
        dryRun: Bool,
        _ rows: @escaping (inout ImportBatch, Database) throws -> Void
    ) throws -> ImportReport {
        do {
            return try store.write { db in
                var batch = ImportBatch(dryRun: dryRun)
                try rows(&batch, db)
                guard batch.keeps else { throw RolledBack(report: batch.report) }
                batch.report.applied = true
                return batch.report
            }
        } catch let r as RolledBack {
            return r.report
        }
    }
}
