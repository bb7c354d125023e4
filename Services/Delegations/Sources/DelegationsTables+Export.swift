import LiaisonModels
import LiaisonStore
import LiaisonJSON

extension DelegationsTables {
    /// Up to `limit` whole visits after the id `after`, in id order.
    static func export(_ db: Database, after: String, limit: Int) throws -> [Delegation] {
        try db.query("SELECT doc FROM delegations WHERE id > ? ORDER BY id LIMIT ?", [after, Int64(limit)]).map {
            try JSONDecoding.decode(Delegation.self, from: try $0["doc"] as [UInt8])
        }
    }
}
