import Delegations
import LiaisonHost

ServiceHost.main(kind: "delegations", summary: "delegations hosted and sent, their members and itineraries") {
    try DelegationsService($0).definition
}
