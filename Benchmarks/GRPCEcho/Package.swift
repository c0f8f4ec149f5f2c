// swift-tools-version:6.1
// A standalone benchmark package: it is deliberately NOT referenced by the repository's root
// Package.swift, so building the product never builds gRPC. Build it from this folder:
//   swift build -c release
import PackageDescription

let package = Package(
    name: "GRPCEcho",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grpc-echo-bench", targets: ["GRPCEchoBench"])
    ],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        .executableTarget(
            name: "GRPCEchoBench",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Sources/GRPCEchoBench",
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
