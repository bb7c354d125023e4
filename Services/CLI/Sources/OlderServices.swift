import LiaisonAPI
import LiaisonBuild
import LiaisonHost
import LiaisonJSON
import LiaisonWire

/// Calling a service of the previous release (a mesh upgraded one service at a time): the
/// everyday commands work, and what cannot says which releases it needs, never a decoding error.
extension CLIContext {
    /// The release `service` runs, as its `service.health` says (nil when it does not answer).
    func release(of service: String) -> String? {
        guard let c = try? client(service, timeoutMs: 2000) else { return nil }
        return try? c.call(ServiceAPI.health, NoParams(), timeoutMs: 2000).version
    }

    /// `error` from `service`, said in terms of releases when that is what it is: a method the
    /// service's release does not have, or an answer this release does not read.
    func explained(_ error: ServiceError, method: String, since: String, service: String) -> ServiceError {
        let answerShape = error.details?["reason"] == "answer_shape"
        guard error.code == .methodNotFound || answerShape else { return error }
        let theirs = release(of: service) ?? "an older release"
        let message =
            answerShape
            ? "\(service) runs \(theirs), whose answer to \(method) this liaison (\(BuildInfo.version)) does not read "
                + "(\(error.message)); use the liaison of \(service)'s release, or upgrade \(service)"
            : "\(service) runs \(theirs), which has no \(method) (it came with \(since)); upgrade \(service) to "
                + "\(since) or later"
        return ServiceError(error.code, message, retryable: false, details: error.details)
    }

    /// The version of the record a change names, read as a release that required it would
    /// have had its client do: 0.1.0 refused a change without `expected_version`.
    func currentVersion(for method: String, _ params: JSONValue) throws -> Int? {
        /// Which record a change names: its `id`, or (a partner's people) its `partner`.
        struct Names: Decodable {
            var id, partner: String?
        }
        guard let names = try? JSONDecoding.decode(Names.self, from: params) else { return nil }
        switch method.split(separator: ".").first ?? "" {
        case "delegations":
            guard let id = names.id else { return nil }
            return try call(DelegationsAPI.get, DelegationID(id)).version
        case "agreements":
            guard let id = names.id else { return nil }
            return try call(AgreementsAPI.get, AgreementID(id)).version
        case "partners":
            guard let id = names.id ?? names.partner else { return nil }
            return try call(PartnersAPI.get, PartnerID(id)).partner.version
        default:
            return nil
        }
    }
}
