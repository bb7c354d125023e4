import LiaisonJSON
import LiaisonModels
import LiaisonWire

/// `agreements.record`: an agreement as it stands (or ended), without notices.
package struct AgreementRecordParams: Codable, Sendable, Schematic {
    package struct Link: Codable, Sendable {
        package var delegationID: String
        package var relation: LinkRelation?

        package init(delegationID: String, relation: LinkRelation? = nil) {
            self.delegationID = delegationID
            self.relation = relation
        }

        enum CodingKeys: String, CodingKey, FieldKey {
            case delegationID = "delegation_id", relation
            var rule: FieldRule { self == .delegationID ? .text(64) : .doc("Default led_to.") }
        }
    }

    package var draft: AgreementDraft
    package var status: AgreementStatus
    package var reason: String?
    package var links: [Link]

    package init(draft: AgreementDraft, status: AgreementStatus, reason: String? = nil, links: [Link] = []) {
        self.draft = draft
        self.status = status
        self.reason = reason
        self.links = links
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case status, reason, links
        var rule: FieldRule {
            switch self {
            case .status: .doc("The state it is in (or ended in).")
            case .reason: .text(Limits.reason, "Why it was terminated or suspended.")
            case .links: .list(50, of: .plain, "The visits it came from or that followed from it.")
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(AgreementStatus.self, forKey: .status)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        links = try c.decodeIfPresent([Link].self, forKey: .links) ?? []
        draft = try AgreementDraft(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        try draft.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(links, forKey: .links)
    }
}

/// `agreements.import`: agreements and sites from a file, all or nothing.
package struct AgreementsImport: Codable, Sendable, Schematic {
    package var agreements: [JSONValue]
    package var sites: [JSONValue]
    package var dryRun: Bool
    /// Rows staged with `agreements.import_stage` under this id, imported after those given.
    package var staged: String?

    package init(agreements: [JSONValue], sites: [JSONValue], dryRun: Bool, staged: String? = nil) {
        (self.agreements, self.sites, self.dryRun, self.staged) = (agreements, sites, dryRun, staged)
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case agreements, sites, dryRun = "dry_run", staged
        var rule: FieldRule {
            switch self {
            case .agreements:
                .list(
                    DelegationsImport.maxRows,
                    of: .plain,
                    "Rows as agreements.record takes them (with status and links), plus key; external_key defaults to "
                        + "import:KEY."
                )
            case .sites:
                .list(
                    DelegationsImport.maxRows,
                    of: .plain,
                    "Rows as sites.create takes them, plus key; agreement may name an agreement of this import by its "
                        + "external key."
                )
            case .dryRun: .doc("Check every row and say what would be done; write nothing.")
            case .staged:
                .text(64, "An import_id from agreements.import_stage: its rows, of any number, in one transaction.")
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agreements = try c.decodeIfPresent([JSONValue].self, forKey: .agreements) ?? []
        sites = try c.decodeIfPresent([JSONValue].self, forKey: .sites) ?? []
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        staged = try c.decodeIfPresent(String.self, forKey: .staged)
    }
}

/// `agreements.import_stage`: rows of an import too large for one call, kept until the import
/// that names them (or a day).
package struct AgreementsImportStage: Codable, Sendable, Schematic, ImportPiece {
    /// Rows staged before under this id; absent: a new import.
    package var importID: String?
    package var agreements: [JSONValue]?
    package var sites: [JSONValue]?

    package init(importID: String?, agreements: [JSONValue]?, sites: [JSONValue]?) {
        (self.importID, self.agreements, self.sites) = (importID, agreements, sites)
    }

    package init(importID: String?, section: String, rows: [JSONValue]) {
        self.init(
            importID: importID,
            agreements: section == "agreements" ? rows : nil,
            sites: section == "sites" ? rows : nil
        )
    }

    enum CodingKeys: String, CodingKey, FieldKey {
        case importID = "import_id", agreements, sites
        var rule: FieldRule {
            switch self {
            case .importID: .text(64, "The import_id an earlier call answered; absent for the first piece.")
            case .agreements, .sites:
                .list(DelegationsImport.maxRows, of: .plain, "More rows, as agreements.import takes them.")
            }
        }
    }
}

/// `sites.list`.
package struct SiteFilter: Codable, Sendable, Schematic {
    package var country: String?

    package init(country: String? = nil) { self.country = country }

    enum CodingKeys: String, CodingKey, FieldKey {
        case country
        var rule: FieldRule { .format("iso3166-alpha2") }
    }
}

/// `{id}` of a site.
package struct SiteID: Codable, Sendable, Schematic {
    package var id: String

    package init(_ id: String) { self.id = id }

    enum CodingKeys: String, CodingKey, FieldKey {
        case id
        var rule: FieldRule { .text(Limits.externalKey, "site-… or its external_key.") }
    }
}

/// BIT's sites abroad.
package struct SiteList: Codable, Sendable, Schematic {
    package var items: [Site]

    package init(items: [Site]) { self.items = items }
}
