// swift-tools-version:6.0
import PackageDescription

// Liaison: separate executables exchanging length-prefixed JSON over Unix sockets.
// No package dependencies: the toolchain plus SQLite through a system-library target.

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Liaison",
    products: [
        .executable(name: "liaison", targets: ["LiaisonCLIMain"]),
        .executable(name: "liaison-supervisor", targets: ["SupervisorMain"]),
        .executable(name: "liaison-delegations", targets: ["DelegationsMain"]),
        .executable(name: "liaison-agreements", targets: ["AgreementsMain"]),
        .executable(name: "liaison-notifications", targets: ["NotificationsMain"]),
    ],
    targets: [
        // Shared modules (DESIGN §6): the arrows point one way.
        .systemLibrary(
            name: "CSQLite", path: "Shared/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CLiaisonShims", path: "Shared/CLiaisonShims"),
        .target(name: "LiaisonModels", path: "Shared/LiaisonModels", swiftSettings: strict),
        .target(
            name: "LiaisonWire", dependencies: ["CLiaisonShims"], path: "Shared/LiaisonWire",
            exclude: ["PROTOCOL.md"], swiftSettings: strict),
        .target(name: "LiaisonStore", dependencies: ["CSQLite"], path: "Shared/LiaisonStore", swiftSettings: strict),
        .target(
            name: "LiaisonRuntime", dependencies: ["LiaisonWire", "LiaisonStore", "LiaisonModels", "CLiaisonShims"],
            path: "Shared/LiaisonRuntime", swiftSettings: strict),

        // Services: a library holding the logic, a short main that wires it up.
        .target(name: "Delegations", dependencies: ["LiaisonRuntime"], path: "Services/Delegations/Sources", swiftSettings: strict),
        .executableTarget(name: "DelegationsMain", dependencies: ["Delegations"], path: "Services/Delegations/Main", swiftSettings: strict),
        .target(name: "Agreements", dependencies: ["LiaisonRuntime"], path: "Services/Agreements/Sources", swiftSettings: strict),
        .executableTarget(name: "AgreementsMain", dependencies: ["Agreements"], path: "Services/Agreements/Main", swiftSettings: strict),
        .target(name: "Notifications", dependencies: ["LiaisonRuntime"], path: "Services/Notifications/Sources", swiftSettings: strict),
        .executableTarget(name: "NotificationsMain", dependencies: ["Notifications"], path: "Services/Notifications/Main", swiftSettings: strict),
        .target(name: "Supervisor", dependencies: ["LiaisonRuntime", "CLiaisonShims"], path: "Services/Supervisor/Sources", swiftSettings: strict),
        .executableTarget(name: "SupervisorMain", dependencies: ["Supervisor"], path: "Services/Supervisor/Main", swiftSettings: strict),
        .target(name: "LiaisonCLI", dependencies: ["LiaisonRuntime", "LiaisonModels"], path: "Services/CLI/Sources", swiftSettings: strict),
        // The CLI depends on every other executable so that `swift run liaison` builds the whole mesh.
        .executableTarget(
            name: "LiaisonCLIMain",
            dependencies: ["LiaisonCLI", "SupervisorMain", "DelegationsMain", "AgreementsMain", "NotificationsMain"],
            path: "Services/CLI/Main", swiftSettings: strict),

        .testTarget(name: "LiaisonWireTests", dependencies: ["LiaisonWire"], path: "Tests/LiaisonWireTests", swiftSettings: strict),
    ]
)

package.targets.append(contentsOf: [
    .testTarget(name: "LiaisonRuntimeTests", dependencies: ["LiaisonRuntime"], path: "Tests/LiaisonRuntimeTests", swiftSettings: strict),
    .testTarget(name: "SupervisorTests", dependencies: ["Supervisor"], path: "Tests/SupervisorTests", swiftSettings: strict),
    .testTarget(name: "LiaisonModelsTests", dependencies: ["LiaisonModels"], path: "Tests/LiaisonModelsTests", swiftSettings: strict),
    .testTarget(name: "LiaisonStoreTests", dependencies: ["LiaisonStore"], path: "Tests/LiaisonStoreTests", swiftSettings: strict),
    .testTarget(name: "DelegationsTests", dependencies: ["Delegations"], path: "Tests/DelegationsTests", swiftSettings: strict),
    .testTarget(name: "AgreementsTests", dependencies: ["Agreements"], path: "Tests/AgreementsTests", swiftSettings: strict),
    .testTarget(name: "NotificationsTests", dependencies: ["Notifications"], path: "Tests/NotificationsTests", swiftSettings: strict),
    .testTarget(name: "MeshTests", dependencies: ["LiaisonRuntime", "LiaisonWire", "LiaisonCLIMain"], path: "Tests/MeshTests", swiftSettings: strict),
])
