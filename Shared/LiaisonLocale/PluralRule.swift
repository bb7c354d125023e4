/// How a language chooses the form of a word after a whole number (CLDR's plural categories,
/// for integers).
enum PluralRule: String, Sendable, CaseIterable {
    /// one (1), other: English.
    case english
    /// one (0 and 1), other: French.
    case french
    /// one (1, 21, 31 …), few (2–4, 22–24 …), many (the rest): Russian.
    case russian
    /// zero, one, two, few (3–10), many (11–99), other: Arabic.
    case arabic
    /// One form for every number: Chinese, Thai, Korean.
    case none

    func category(_ n: Int) -> String {
        let n = abs(n)
        switch self {
        case .english: return n == 1 ? "one" : "other"
        case .french: return n <= 1 ? "one" : "other"
        case .russian:
            let (ten, hundred) = (n % 10, n % 100)
            if ten == 1 && hundred != 11 { return "one" }
            if (2...4).contains(ten) && !(12...14).contains(hundred) { return "few" }
            return "many"
        case .arabic:
            switch (n, n % 100) {
            case (0, _): return "zero"
            case (1, _): return "one"
            case (2, _): return "two"
            case (_, 3...10): return "few"
            case (_, 11...99): return "many"
            default: return "other"
            }
        case .none: return "other"
        }
    }

    /// Every category the rule can choose.
    var categories: Set<String> {
        switch self {
        case .english, .french: ["one", "other"]
        case .russian: ["one", "few", "many"]
        case .arabic: ["zero", "one", "two", "few", "many", "other"]
        case .none: ["other"]
        }
    }
}
