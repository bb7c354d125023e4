import LiaisonHost
import LiaisonModels
import LiaisonStore
import LiaisonJSON
import LiaisonWire

// Errors of the domain and the store, as callers see them.

extension ValidationError: ServiceErrorConvertible {
    package var serviceError: ServiceError { .invalidParams(field: path, reason) }
}

extension ValidationErrors: ServiceErrorConvertible {
    /// `invalid_params` naming the first field; every problem is in `details.errors`.
    package var serviceError: ServiceError { .invalidParams(problems: errors.map { FieldProblem(field: $0.path, reason: $0.reason) }) }
}

extension StoreError: ServiceErrorConvertible {
    /// A full disk is `unavailable`, retryable, with `reason: disk_full` and the file (nothing was
    /// written; the same call works once space is freed — not `not_applied`, which clients resend
    /// at once, since space rarely comes back within a call's timeout); SQLite busy past its
    /// timeout is `unavailable` with `not_applied`; anything else is `internal` (and logged).
    package var serviceError: ServiceError {
        if isDiskFull {
            let where_ = path ?? "the database"
            return ServiceError(
                .unavailable, "the disk holding \(where_) is full; nothing was written — try again once space is freed", retryable: true,
                details: ["reason": "disk_full", "path": .string(where_)])
        }
        if isBusy {
            return ServiceError(
                .unavailable, "the database is busy; nothing was written — try again", retryable: true,
                details: ["reason": "database_busy", "not_applied": true])
        }
        return ServiceError(.internal, "internal error; see the service log", retryable: false)
    }
}

extension LifecycleAction {
    /// Throws `failed_precondition` (with the current and requested states) unless the action may
    /// be taken from `from`; `label` names the record (`delegation DEL-2026-0001`).
    package func permit(from: Status, label: String) throws {
        guard !allowedFrom.contains(from) else { return }  // the usual case: nothing to word
        let kind = label.split(separator: " ").first.map(String.init) ?? "record"
        let article = "aeiou".contains(kind.first ?? "x") ? "an" : "a"
        guard let why = refusal(from: from, noun: "\(article) \(kind)") else { return }
        throw ServiceError(
            .failedPrecondition, "\(label): \(why)", retryable: false,
            details: ["current_state": .string(from.rawValue), "requested_state": .string(target(from: from).rawValue)])
    }
}
