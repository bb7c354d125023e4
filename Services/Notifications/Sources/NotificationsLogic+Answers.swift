import LiaisonAPI
import LiaisonHost
import LiaisonProcess
import LiaisonWire

extension NotificationsLogic {
    /// Takes one mail delivered to the organizer's address: records the answers it carries, or
    /// logs and drops it.
    func receive(_ p: ReceiveParams, log: Logger) throws -> ReceiveResult {
        let intake = ReplyIntake(settings: settings, log: log, now: now)
        return try store.write { db in try intake.take(p, db) }
    }

    /// Who answered what for a visit this service has had events about.
    func attendance(_ p: AttendanceParams) throws -> Attendance {
        try store.read { db in
            guard let d = try NotificationsTables.visit(db, id: p.delegationID) else {
                throw ServiceError(
                    .notFound,
                    "delegation \(p.delegationID) has sent no events here yet: nobody has been invited",
                    retryable: false
                )
            }
            return ReplyIntake.attendance(d, answers: try NotificationsTables.answers(db, subjectID: d.id))
        }
    }
}
