// swift-tools-version:6.0
import PackageDescription

// Liaison: separate executables exchanging length-prefixed JSON over Unix sockets.
// No package dependencies: the toolchain plus SQLite through a system-library target.

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

/// A library target under `path` with the strict settings.
func library(_ name: String, _ path: String, _ dependencies: [Target.Dependency]) -> Target {
    .target(name: name, dependencies: dependencies, path: path, swiftSettings: strict)
}

/// A test target under `Tests/<name>`.
func tests(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .testTarget(name: name, dependencies: dependencies, path: "Tests/\(name)", swiftSettings: strict)
}

let package = Package(
    name: "Liaison",
    products: [
        .executable(name: "liaison", targets: ["LiaisonCLIMain"]),
        .executable(name: "liaison-supervisor", targets: ["SupervisorMain"]),
        .executable(name: "liaison-delegations", targets: ["DelegationsMain"]),
        .executable(name: "liaison-agreements", targets: ["AgreementsMain"]),
        .executable(name: "liaison-notifications", targets: ["NotificationsMain"]),
        .executable(name: "liaison-bench", targets: ["BenchMain"]),
    ],
    targets: [
        // Shared modules (DESIGN §6): the arrows point one way.
        .systemLibrary(
            name: "CSQLite",
            path: "Shared/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "CLiaisonShims", path: "Shared/CLiaisonShims"),
        // A lock every module uses (one ThreadSanitizer can see).
        library("LiaisonSync", "Shared/LiaisonSync", []),
        // The release and the commit built from (the plugin writes the commit before each build).
        .plugin(name: "BuildInfoPlugin", capability: .buildTool(), path: "Shared/BuildInfoPlugin"),
        .target(name: "LiaisonBuild", path: "Shared/LiaisonBuild", swiftSettings: strict, plugins: ["BuildInfoPlugin"]),
        // JSON values, the codec, and schemas derived from the coding: no I/O.
        library("LiaisonJSON", "Shared/LiaisonJSON", ["LiaisonSync"]),
        // The domain: no sockets, no SQL, no files.
        library("LiaisonModels", "Shared/LiaisonModels", ["LiaisonSync", "LiaisonJSON"]),
        // Frames, envelopes, errors, sockets, the event loop: no domain, no SQL.
        .target(
            name: "LiaisonWire",
            dependencies: ["CLiaisonShims", "LiaisonSync", "LiaisonJSON"],
            path: "Shared/LiaisonWire",
            swiftSettings: strict
        ),
        // SQLite: no sockets.
        library("LiaisonStore", "Shared/LiaisonStore", ["CSQLite", "CLiaisonShims", "LiaisonSync", "LiaisonBuild"]),
        // What every executable needs: mesh file, logs, arguments, threads, subprocesses. No SQL, no domain.
        library(
            "LiaisonProcess",
            "Shared/LiaisonProcess",
            ["LiaisonWire", "LiaisonSync", "CLiaisonShims", "LiaisonBuild"]
        ),
        // A process that answers calls: methods with enforced schemas, dispatcher, components, service.*. No SQL, no domain.
        library("LiaisonHost", "Shared/LiaisonHost", ["LiaisonProcess", "LiaisonWire"]),
        // Message catalogues (one JSON file a language, compiled in by the plugin) and dates as
        // each language writes them. No I/O.
        .plugin(name: "CataloguePlugin", capability: .buildTool(), path: "Shared/CataloguePlugin"),
        .target(
            name: "LiaisonLocale",
            dependencies: ["LiaisonModels", "LiaisonJSON"],
            path: "Shared/LiaisonLocale",
            exclude: ["Catalogues"],
            swiftSettings: strict,
            plugins: ["CataloguePlugin"]
        ),
        // The services' contract: each method's descriptor with its params and result types. No I/O.
        library("LiaisonAPI", "Shared/LiaisonAPI", ["LiaisonModels", "LiaisonWire"]),
        // Durable events on a store: outbox, relay, inbox, events.* methods.
        library(
            "LiaisonEvents",
            "Shared/LiaisonEvents",
            ["LiaisonHost", "LiaisonStore", "LiaisonModels", "LiaisonAPI"]
        ),
        // Versioned records on a store: one way to create and change them, their hash-chained
        // history, imports all or nothing; a change and its event commit together.
        library(
            "LiaisonRecords",
            "Shared/LiaisonRecords",
            ["LiaisonEvents", "LiaisonStore", "LiaisonModels", "LiaisonAPI"]
        ),

        // Services: a library holding the logic, a short main that wires it up.
        library("Delegations", "Services/Delegations/Sources", ["LiaisonRecords", "LiaisonEvents", "LiaisonAPI"]),
        .executableTarget(
            name: "DelegationsMain",
            dependencies: ["Delegations"],
            path: "Services/Delegations/Main",
            swiftSettings: strict
        ),
        library("Agreements", "Services/Agreements/Sources", ["LiaisonRecords", "LiaisonEvents", "LiaisonAPI"]),
        .executableTarget(
            name: "AgreementsMain",
            dependencies: ["Agreements"],
            path: "Services/Agreements/Main",
            swiftSettings: strict
        ),
        library(
            "Notifications",
            "Services/Notifications/Sources",
            ["LiaisonRecords", "LiaisonEvents", "LiaisonAPI", "LiaisonLocale"]
        ),
        .executableTarget(
            name: "NotificationsMain",
            dependencies: ["Notifications"],
            path: "Services/Notifications/Main",
            swiftSettings: strict
        ),
        // The supervisor and the CLI stand on the process kit, the host and the wire: no SQLite.
        library("Supervisor", "Services/Supervisor/Sources", ["LiaisonHost", "CLiaisonShims"]),
        .executableTarget(
            name: "SupervisorMain",
            dependencies: ["Supervisor"],
            path: "Services/Supervisor/Main",
            swiftSettings: strict
        ),
        library(
            "LiaisonCLI",
            "Services/CLI/Sources",
            ["LiaisonHost", "LiaisonModels", "LiaisonAPI", "LiaisonLocale", "CLiaisonShims"]
        ),
        // The CLI links no service: `liaison up` run from a checkout builds the other binaries itself.
        .executableTarget(
            name: "LiaisonCLIMain",
            dependencies: ["LiaisonCLI"],
            path: "Services/CLI/Main",
            swiftSettings: strict
        ),
        // The benchmarks and the hostile callers, apart from the production CLI: `liaison bench` runs them.
        library(
            "LiaisonBench",
            "Services/Bench/Sources",
            ["LiaisonCLI", "LiaisonAPI", "LiaisonHost", "LiaisonModels", "CLiaisonShims"]
        ),
        .executableTarget(
            name: "BenchMain",
            dependencies: ["LiaisonBench"],
            path: "Services/Bench/Main",
            swiftSettings: strict
        ),

        // Helpers shared by the test targets (schema probes, temp dirs); not part of any product.
        library("LiaisonTestSupport", "Tests/Support", ["LiaisonHost"]),
        // Fuzz targets (Tests/Fuzz/run builds liaison-fuzz with libFuzzer; tests replay the corpus).
        library(
            "LiaisonFuzzTargets",
            "Tests/Fuzz/Targets",
            ["Delegations", "Agreements", "Notifications", "LiaisonTestSupport"]
        ),
        .executableTarget(
            name: "liaison-fuzz",
            dependencies: ["LiaisonFuzzTargets"],
            path: "Tests/Fuzz/Main",
            swiftSettings: strict
        ),
    ]
)

package.targets.append(contentsOf: [
    tests("LiaisonJSONTests", ["LiaisonJSON", "LiaisonWire"]),
    tests("LiaisonWireTests", ["LiaisonWire", "LiaisonJSON", "LiaisonProcess"]),
    tests("LiaisonProcessTests", ["LiaisonProcess"]),
    tests("LiaisonHostTests", ["LiaisonHost", "LiaisonTestSupport"]),
    tests("LiaisonEventsTests", ["LiaisonEvents", "LiaisonTestSupport"]),
    tests("LiaisonRecordsTests", ["LiaisonRecords", "LiaisonTestSupport"]),
    tests("SupervisorTests", ["Supervisor", "LiaisonTestSupport"]),
    tests("LiaisonModelsTests", ["LiaisonModels"]),
    tests("LiaisonStoreTests", ["LiaisonStore"]),
    tests("DelegationsTests", ["Delegations", "LiaisonTestSupport"]),
    tests("AgreementsTests", ["Agreements", "LiaisonTestSupport"]),
    tests("NotificationsTests", ["Notifications", "LiaisonLocale", "LiaisonTestSupport"]),
    tests("FuzzCorpusTests", ["LiaisonFuzzTargets"]),
    // Today's contract against the previous release's (Tests/Compatibility/releases).
    .testTarget(
        name: "CompatibilityTests",
        dependencies: ["Delegations", "Agreements", "Notifications", "Supervisor", "LiaisonTestSupport"],
        path: "Tests/Compatibility",
        exclude: ["releases", "previous-release", "build-previous"],
        swiftSettings: strict
    ),
    // The CLI's own functions (arguments, CSV, text), no process started.
    tests("LiaisonCLITests", ["LiaisonCLI", "LiaisonAPI", "LiaisonModels", "LiaisonLocale", "LiaisonProcess"]),
    // The mesh tests run every binary, so they depend on every executable (which builds them).
    tests(
        "MeshTests",
        [
            "LiaisonHost", "LiaisonModels", "LiaisonWire", "LiaisonCLI", "LiaisonCLIMain", "SupervisorMain",
            "DelegationsMain", "AgreementsMain",
            "NotificationsMain",
        ]
    ),
])
