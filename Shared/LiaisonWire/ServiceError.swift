import LiaisonJSON
/// An error code on the wire (DESIGN §2): snake_case strings, stable across versions.
package struct ErrorCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    package var rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }
    package init(_ raw: String) { rawValue = raw }
    package var description: String { rawValue }

    /// The frame held no valid JSON (or no valid UTF-8).
    package static let parseError = ErrorCode("parse_error")
    /// The JSON is not a valid envelope (missing or wrong-typed `v`, `kind`, `id`, `method`).
    package static let invalidRequest = ErrorCode("invalid_request")
    /// No such method on this service.
    package static let methodNotFound = ErrorCode("method_not_found")
    /// The params do not validate; `details.field` names the field.
    package static let invalidParams = ErrorCode("invalid_params")
    /// The thing named does not exist.
    package static let notFound = ErrorCode("not_found")
    /// A version mismatch, a double booking, a duplicate.
    package static let conflict = ErrorCode("conflict")
    /// An illegal state transition.
    package static let failedPrecondition = ErrorCode("failed_precondition")
    /// The caller may not do this.
    package static let permissionDenied = ErrorCode("permission_denied")
    /// The frame's declared length is over the limit.
    package static let frameTooLarge = ErrorCode("frame_too_large")
    /// The answer would be over the frame limit; `details.size` and `details.limit` say by how much.
    package static let resultTooLarge = ErrorCode("result_too_large")
    /// Too much load right now; `details.retry_after_ms` says when to try again.
    package static let busy = ErrorCode("busy")
    /// A dependency (or the service) cannot be reached right now.
    package static let unavailable = ErrorCode("unavailable")
    /// The call did not finish within its deadline.
    package static let timeout = ErrorCode("timeout")
    /// A bug or an unexpected failure on the service's side.
    package static let `internal` = ErrorCode("internal")

    /// Every code DESIGN §2 defines.
    package static let all: [ErrorCode] = [
        .parseError, .invalidRequest, .methodNotFound, .invalidParams, .notFound, .conflict, .failedPrecondition,
        .permissionDenied, .frameTooLarge, .resultTooLarge, .busy, .unavailable, .timeout, .internal,
    ]

    /// Whether trying the same call again can help, unless an error says otherwise.
    package var retryableByDefault: Bool { self == .busy || self == .unavailable || self == .timeout }
}

/// An error a service returns (or a client reports): code, human message, whether a retry can
/// help, and structured details such as the offending field.
package struct ServiceError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    package var code: ErrorCode
    package var message: String
    package var retryable: Bool
    package var details: JSONValue?

    package init(_ code: ErrorCode, _ message: String, retryable: Bool? = nil, details: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.retryable = retryable ?? code.retryableByDefault
        self.details = details
    }

    enum CodingKeys: String, CodingKey { case code, message, retryable, details }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(ErrorCode.self, forKey: .code)
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
        retryable = try c.decodeIfPresent(Bool.self, forKey: .retryable) ?? code.retryableByDefault
        details = try c.decodeIfPresent(JSONValue.self, forKey: .details)
    }

    package var description: String { "\(code): \(message)" }

    /// `invalid_params` naming the field, e.g. `members[1].email: not an email address`.
    package static func invalidParams(field: String, _ reason: String) -> ServiceError {
        ServiceError(
            .invalidParams,
            field.isEmpty ? reason : "\(field): \(reason)",
            retryable: false,
            details: field.isEmpty ? nil : ["field": .string(field)]
        )
    }

    /// `invalid_params` naming the first field, with every problem in `details.errors`.
    package static func invalidParams(problems: [FieldProblem]) -> ServiceError {
        let first = problems.first ?? FieldProblem(field: "", reason: "invalid")
        var err = invalidParams(field: first.field, first.reason)
        if problems.count > 1 {
            err.message += " (and \(problems.count - 1) more)"
            err.details = [
                "field": .string(first.field),
                "errors": .array(problems.map { ["field": .string($0.field), "reason": .string($0.reason)] }),
            ]
        }
        return err
    }

    /// `invalid_params` from a decoding failure, with the path under `params`.
    package static func invalidParams(_ e: JSONDecodeError) -> ServiceError { invalidParams(field: e.path, e.reason) }

    /// `not_found` for a kind of thing and its id.
    package static func notFound(_ what: String, _ id: String) -> ServiceError {
        ServiceError(.notFound, "\(what) \(id) not found", details: ["id": .string(id)])
    }

    /// `internal` with a message safe to show.
    package static func `internal`(_ message: String) -> ServiceError { ServiceError(.internal, message) }
}

extension SchemaViolation {
    /// The `invalid_params` error a caller gets for it.
    package var serviceError: ServiceError { .invalidParams(field: path, reason) }
}

extension [SchemaViolation] {
    /// The `invalid_params` error a caller gets for them all.
    package var serviceError: ServiceError {
        .invalidParams(problems: map { FieldProblem(field: $0.path, reason: $0.reason) })
    }
}

extension ServiceError {
    /// An error as it travels: in an error answer, and per event in a batch delivery's answer.
    package static var wireSchema: Schema {
        .object([
            .req("code", .string()), .req("message", .string()), .req("retryable", .boolean), .opt("details", .any),
        ])
    }
}

/// One problem of a call's params: where and what.
package struct FieldProblem: Codable, Sendable, Equatable {
    package var field, reason: String
    package init(field: String, reason: String) { (self.field, self.reason) = (field, reason) }
}

extension ServiceError {
    /// Every problem an `invalid_params` answer lists (`details.errors`), or none.
    package var problems: [FieldProblem] {
        guard let all = details?["errors"] else { return [] }
        return (try? JSONDecoding.decode([FieldProblem].self, from: all)) ?? []
    }

    /// The field the error is about (`details.field`), if it names one.
    package var field: String? {
        guard case .string(let f)? = details?["field"] else { return nil }
        return f
    }
}
