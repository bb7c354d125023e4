// swift-tools-version:6.0
import PackageDescription
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]
let package = Package(
    name: "Liaison",
    targets: [
        .systemLibrary(name: "CSQLite", path: "Shared/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CLiaisonShims", path: "Shared/CLiaisonShims"),
        .target(name: "LiaisonWire", dependencies: ["CLiaisonShims"], path: "Shared/LiaisonWire", swiftSettings: strict),
    ]
)
package.targets.append(.testTarget(name: "LiaisonWireTests", dependencies: ["LiaisonWire"], path: "Tests/LiaisonWireTests", swiftSettings: strict))
