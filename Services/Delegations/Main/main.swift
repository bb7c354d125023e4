import Delegations
import LiaisonRuntime

ServiceHost.main(kind: "delegations", summary: "delegations hosted and sent, their members and itineraries") { try DelegationsService($0) }
