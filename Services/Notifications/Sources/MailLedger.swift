import Foundation
import Glibc
import LiaisonJSON
import LiaisonWire
import LiaisonProcess
import LiaisonSync

/// Every hand-over to the MTA, kept outside the database: a JSON line when a message is about to
/// be handed over and another once it was, each written and synced before going on. A database
/// put back from a backup lacks what was sent since; at the next start the ledger gives it back
/// (`NotificationsTables.reconcile`), so nobody is mailed a change twice. It keeps what a
/// restore could need (`keep`, the producers' outbox retention) and forgets the rest, personal
/// data included.
final class MailLedger: Sendable {
    /// One line.
    struct Entry: Codable, Sendable, Equatable {
        /// `sending` (about to be handed over) or `sent`.
        var state: String
        var at: Int64
        var key, rule, subjectID, subjectRef, recipient: String
        var recipientName: String?
        var view: String
        var version: Int
        var messageID, subject: String

        enum CodingKeys: String, CodingKey {
            case state, at, key, rule, subjectID = "subject_id", subjectRef = "subject_ref", recipient
            case recipientName = "recipient_name", view, version, messageID = "message_id", subject
        }
    }

    let path: String
    let keepMs: Int64
    /// The file's path, behind the lock that orders the writes to it.
    private let file: Locked<String>

    init(path: String, keepMs: Int64) {
        self.path = path
        self.keepMs = keepMs
        file = Locked(path)
    }

    /// Appends `entry` and syncs it to disk before returning.
    func append(_ entry: Entry) throws {
        let line = Array((JSONEncoding.string(entry) + "\n").utf8)
        try file.withLock { path in
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SystemError("open \(path)", errno: errno) }
            defer { close(fd) }
            var written = 0
            while written < line.count {
                let n = line[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { throw SystemError("write \(path)", errno: errno) }
                written += n
            }
            guard fsync(fd) == 0 else { throw SystemError("fsync \(path)", errno: errno) }
        }
    }

    /// Every readable line, oldest first (a torn last line from a crash is passed over).
    func entries() -> [Entry] {
        guard let data = file.withLock({ FileManager.default.contents(atPath: $0) }) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONDecoding.decode(Entry.self, from: Array($0))
        }
    }

    /// Forgets what is older than the keep time: the lines kept are written to a new file,
    /// synced, and renamed over the old one. Returns how many were dropped.
    @discardableResult
    func compact(nowMillis: Int64) throws -> Int {
        let all = entries()
        let kept = all.filter { nowMillis - $0.at <= keepMs }
        guard kept.count < all.count else { return 0 }
        let text = kept.map { JSONEncoding.string($0) + "\n" }.joined()
        try file.withLock { path in
            let tmp = path + ".new"
            guard
                FileManager.default.createFile(
                    atPath: tmp,
                    contents: Data(text.utf8),
                    attributes: [.posixPermissions: 0o600]
                )
            else { throw SystemError("create \(tmp)", errno: errno) }
            let fd = open(tmp, O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                fsync(fd)
                close(fd)
            }
            guard rename(tmp, path) == 0 else { throw SystemError("rename \(tmp)", errno: errno) }
        }
        return all.count - kept.count
    }
}
