import Agreements
import LiaisonHost

ServiceHost.main(kind: "agreements", summary: "partnership agreements from first visit to renewal") {
    try AgreementsService($0).definition
}
