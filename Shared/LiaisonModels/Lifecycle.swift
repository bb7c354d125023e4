import LiaisonJSON
/// An action that moves a record from some states to another: a delegation's confirm, an
/// agreement's sign. Each says where it may start and where it leads.
package protocol LifecycleAction: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    associatedtype Status: WireEnum
    /// The states this action may be taken from.
    var allowedFrom: Set<Status> { get }
    /// The state after the action taken from `from`.
    func target(from: Status) -> Status
}

extension LifecycleAction {
    /// Why the action is refused from `from` for a record called `noun` (`a delegation`), or
    /// nil when it is allowed.
    package func refusal(from: Status, noun: String) -> String? {
        guard !allowedFrom.contains(from) else { return nil }
        let allowed = Status.allCases.filter { allowedFrom.contains($0) }.map(\.rawValue).joined(separator: " or ")
        return
            "cannot \(rawValue) \(noun) that is \(from.rawValue) (the requested state would be "
            + "\(target(from: from).rawValue)); "
            + "\(rawValue) is allowed from \(allowed)"
    }
}
