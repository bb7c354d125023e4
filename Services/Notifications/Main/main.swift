import LiaisonHost
import Notifications

ServiceHost.main(kind: "notifications", summary: "visit schedules and agreement notices by email") {
    try NotificationsService($0).definition
}
