// swift-tools-version:6.1
import PackageDescription

/// Every service is a library (tested in-process) plus a thin executable (deployed alone).
let services: [(library: String, folder: String, executable: String)] = [
    ("RegistryService", "Registry", "registry"),
    ("MatchingService", "Matching", "matching"),
    ("BroadcastService", "Broadcast", "broadcast"),
    ("OpportunitiesService", "Opportunities", "opportunities"),
]

let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")

var targets: [Target] = [
    .systemLibrary(
        name: "CZeroMQ",
        path: "Shared/CZeroMQ",
        pkgConfig: "libzmq",
        providers: [.apt(["libzmq3-dev"])]
    ),
    .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], path: "Shared/ZeroMQ"),
    .target(name: "Wire", path: "Shared/Wire"),
    .target(name: "Store", dependencies: ["Wire", grdb, logging], path: "Shared/Store"),
    .target(
        name: "Transport", dependencies: ["ZeroMQ", "Wire", "Store", logging, lifecycle], path: "Shared/Transport"),
    .target(name: "Contracts", dependencies: ["Wire", "Transport"], path: "Shared/Contracts"),
    // Domain rules more than one service applies (the in-effect rule, the customer-defaults merge), as pure functions.
    .target(name: "Domain", dependencies: ["Contracts", "Wire"], path: "Shared/Domain"),
    // Made-up partners from a seed (cities, providers around them), for tests, benchmarks and the demo.
    .target(name: "SyntheticData", dependencies: ["Contracts"], path: "Shared/SyntheticData"),
    .target(
        name: "ServiceKit",
        dependencies: ["ZeroMQ", "Wire", "Store", "Transport", "Contracts", logging, lifecycle, argumentParser, grdb],
        path: "Shared/ServiceKit"
    ),
    .target(
        name: "OctooTesting",
        dependencies: [
            "ServiceKit", "OctooBus", "Store", "Transport", "Contracts", "SyntheticData", "Wire", "ZeroMQ", logging,
            grdb,
        ],
        path: "Shared/OctooTesting"
    ),
    .target(
        name: "OctooBus",
        dependencies: [
            "ZeroMQ", "Transport", "Wire", "Contracts", logging,
            .product(name: "Collections", package: "swift-collections"),
        ],
        path: "Services/Bus", exclude: ["Main"]
    ),
    .executableTarget(
        name: "OctooBusMain",
        dependencies: ["OctooBus", "ZeroMQ", "ServiceKit", argumentParser, logging, lifecycle],
        path: "Services/Bus/Main"
    ),
    .executableTarget(
        name: "OctooCLI",
        dependencies: [
            "Wire", "Transport", "Contracts", "ServiceKit", "SyntheticData", "ZeroMQ", argumentParser, logging,
        ],
        path: "Services/Octoo"
    ),
    .target(
        name: "BenchmarkSupport", dependencies: ["ZeroMQ", .product(name: "Histogram", package: "hdrhistogram-swift")],
        path: "Benchmarks/Support"),
    .executableTarget(
        name: "OctooBenchmark",
        dependencies: [
            "BenchmarkSupport", "ZeroMQ", "Wire", "Transport", "ServiceKit", "Contracts", "OctooBus", argumentParser,
            logging,
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ],
        path: "Benchmarks/RPCRoundTrip"
    ),
    .executableTarget(
        name: "OctooMatchingBenchmark",
        dependencies: [
            "MatchingService", "RegistryService", "OpportunitiesService", "OctooTesting", "ServiceKit", "Store",
            "Contracts",
            "Transport", "Wire", argumentParser, grdb,
        ],
        path: "Benchmarks/MatchingBench"
    ),
    .executableTarget(
        name: "OctooLoadBenchmark",
        dependencies: [
            "BenchmarkSupport", "OctooTesting", "SyntheticData", "Contracts", "Transport", "Wire", "ZeroMQ",
            argumentParser,
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ],
        path: "Benchmarks/LoadBench"
    ),
    // A service with a slow method, for end-to-end tests of deadlines and graceful shutdown.
    .executableTarget(
        name: "OctooTestService",
        dependencies: ["ServiceKit", "Transport", "Wire", argumentParser],
        path: "Tests/Fixtures/TestService"
    ),
    .testTarget(name: "WireTests", dependencies: ["Wire"], path: "Tests/WireTests"),
    .testTarget(
        name: "ContractTests", dependencies: ["Contracts", "OctooTesting", "Wire"], path: "Tests/ContractTests"),
    .testTarget(name: "DomainTests", dependencies: ["Domain", "Contracts", "Wire"], path: "Tests/DomainTests"),
    .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], path: "Tests/ZeroMQTests"),
    .testTarget(
        name: "TransportTests",
        dependencies: [
            "Transport", "Wire", "ZeroMQ", "Store", "Contracts", "ServiceKit", "OctooTesting", "OctooBus", grdb,
            logging, lifecycle,
        ],
        path: "Tests/TransportTests"
    ),
    .testTarget(
        name: "RegistryTests",
        dependencies: [
            "RegistryService", "Domain", "OctooTesting", "Contracts", "ServiceKit", "Store", "Transport", "Wire", grdb,
            logging,
        ],
        path: "Tests/RegistryTests"
    ),
    .testTarget(
        name: "OpportunitiesTests",
        dependencies: [
            "OpportunitiesService", "RegistryService", "MatchingService", "BroadcastService", "OctooTesting",
            "Contracts", "ServiceKit", "Store", "Transport", "Wire", grdb, logging,
        ],
        path: "Tests/OpportunitiesTests"
    ),
    .testTarget(
        name: "MatchingTests",
        dependencies: [
            "MatchingService", "RegistryService", "OpportunitiesService", "Domain", "OctooTesting", "Contracts",
            "ServiceKit",
            "Store", "Transport", "Wire", grdb,
        ],
        path: "Tests/MatchingTests"
    ),
    .testTarget(
        name: "BroadcastTests",
        dependencies: [
            "BroadcastService", "MatchingService", "RegistryService", "OpportunitiesService", "OctooTesting",
            "Contracts", "ServiceKit", "Store", "Transport", "Wire", grdb,
        ],
        path: "Tests/BroadcastTests"
    ),
    .testTarget(
        name: "EndToEndTests",
        dependencies: [
            "OctooTesting", "SyntheticData", "OctooCLI", "Contracts", "Transport", "Wire", "ZeroMQ", "ServiceKit",
            "Store",
            "OpportunitiesService", grdb,
        ],
        path: "Tests/EndToEndTests"
    ),
]

var products: [Product] = [
    .executable(name: "octoo-bus", targets: ["OctooBusMain"]),
    .executable(name: "octoo", targets: ["OctooCLI"]),
    .executable(name: "octoo-bench", targets: ["OctooBenchmark"]),
    .executable(name: "octoo-matching-bench", targets: ["OctooMatchingBenchmark"]),
    .executable(name: "octoo-load-bench", targets: ["OctooLoadBenchmark"]),
    .executable(name: "octoo-test-service", targets: ["OctooTestService"]),
]

for service in services {
    targets.append(
        .target(
            name: service.library,
            dependencies: [
                "ServiceKit", "Contracts", "Domain", "Store", "Transport", "Wire", "ZeroMQ", grdb, logging, lifecycle,
            ],
            path: "Services/\(service.folder)",
            exclude: ["Main"]
        ))
    targets.append(
        .executableTarget(
            name: "\(service.library)Main",
            dependencies: [.target(name: service.library), "ServiceKit"],
            path: "Services/\(service.folder)/Main"
        ))
    products.append(.executable(name: service.executable, targets: ["\(service.library)Main"]))
}

let package = Package(
    name: "Octoo",
    platforms: [.macOS(.v15)],
    products: products,
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)
