import LiaisonHost
import LiaisonStore
import LiaisonWire

// The store's errors as callers see them.

extension StoreError: ServiceErrorConvertible {
    /// A full disk is `unavailable`, retryable, with `reason: disk_full` and the file (nothing was
    /// written; the same call works once space is freed — not `not_applied`, which clients resend
    /// at once, since space rarely comes back within a call's timeout); SQLite busy past its
    /// timeout is `unavailable` with `not_applied`; anything else is `internal` (and logged).
    package var serviceError: ServiceError {
        if isDiskFull {
            let where_ = path ?? "the database"
            return ServiceError(
                .unavailable,
                "the disk holding \(where_) is full; nothing was written — try again once space is freed",
                retryable: true,
                details: ["reason": "disk_full", "path": .string(where_)]
            )
        }
        if isBusy {
            return ServiceError(
                .unavailable,
                "the database is busy; nothing was written — try again",
                retryable: true,
                details: ["reason": "database_busy", "not_applied": true]
            )
        }
        return ServiceError(.internal, "internal error; see the service log", retryable: false)
    }
}
