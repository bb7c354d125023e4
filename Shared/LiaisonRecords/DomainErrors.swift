import LiaisonEvents
import LiaisonHost
import LiaisonModels
import LiaisonJSON
import LiaisonWire

// Errors of the domain as callers see them.

extension ValidationError: ServiceErrorConvertible {
    package var serviceError: ServiceError { .invalidParams(field: path, reason) }
}

extension ValidationErrors: ServiceErrorConvertible {
    /// `invalid_params` naming the first field; every problem is in `details.errors`.
    package var serviceError: ServiceError {
        .invalidParams(problems: errors.map { FieldProblem(field: $0.path, reason: $0.reason) })
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
            .failedPrecondition,
            "\(label): \(why)",
            retryable: false,
            details: ["current_state": .string(from.rawValue), "requested_state": .string(target(from: from).rawValue)]
        )
    }
}
