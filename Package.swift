// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "maint",
    products: [
        .executable(name: "maint", targets: ["maint"]),
    ],
    targets: [
        // Debian's C libraries, reached through pkg-config.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        // Linux headers Glibc's module leaves out: timerfd, eventfd.
        .systemLibrary(name: "CLinux"),
        // libFuzzer's driver, declared for the fuzzing build of maint-fuzz.
        .systemLibrary(name: "CLibFuzzer"),

        // Domain: schedule files, templates, durations, conditions. Imports no C.
        .target(name: "MaintCore"),
        // The SQLite file: connection, statements, migrations, records.
        .target(name: "MaintStore", dependencies: ["CSQLite", "MaintCore"]),
        // libcurl transfers (the requests MaintCore describes) and libcrypto HMAC.
        .target(name: "MaintNet", dependencies: ["CCurl", "CCrypto", "MaintCore", "MaintSystem"]),
        // Process plumbing: sd_notify, logging, timerfd, signals, the process lock.
        .target(name: "MaintSystem", dependencies: ["CLinux"]),
        // Scheduler, http driver, webhooks, health checks.
        .target(name: "MaintEngine", dependencies: ["MaintCore", "MaintStore", "MaintNet", "MaintSystem"]),
        // The control API's HTTP server (libmicrohttpd): requests in, answers out, nothing else.
        .target(name: "MaintHTTP", dependencies: ["CMicroHTTPD"]),
        // The control API's endpoints and client, and the JSON both it and the CLI print.
        .target(name: "MaintControl", dependencies: ["MaintCore", "MaintStore", "MaintEngine", "MaintHTTP", "MaintNet", "MaintSystem"]),
        // Linked by the toolchain's lld, which can pack the program's relative relocations
        // (deploy/build-release.sh): 1.8 MB of them were read, and kept resident, at every start.
        .executableTarget(name: "maint", dependencies: ["MaintCore", "MaintStore", "MaintEngine", "MaintSystem", "MaintNet", "MaintControl", "MaintHTTP"],
                          linkerSettings: [.unsafeFlags(["-use-ld=lld"])]),
        // The parsers as fuzz targets (fuzz/run.sh), and a replayer of saved inputs.
        .target(name: "MaintFuzz", dependencies: ["MaintCore"]),
        .executableTarget(name: "maint-fuzz", dependencies: ["MaintFuzz", "CLibFuzzer"]),

        .testTarget(name: "MaintCoreTests", dependencies: ["MaintCore", "MaintFuzz"]),
        .testTarget(name: "MaintStoreTests", dependencies: ["MaintStore", "MaintCore"]),
        .testTarget(name: "MaintEngineTests", dependencies: ["MaintEngine", "MaintNet", "MaintCore", "MaintStore", "MaintSystem"]),
        .testTarget(name: "MaintControlTests", dependencies: ["MaintControl", "MaintHTTP", "MaintEngine", "MaintNet", "MaintCore", "MaintStore", "MaintSystem"]),
        .testTarget(name: "MaintIntegrationTests", dependencies: ["maint", "MaintCore", "MaintNet", "MaintFuzz"]),
    ]
)

// The same language settings for every target.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
    ]
}
