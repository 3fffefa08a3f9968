// swift-tools-version:5.9
// RingLM: Swift bindings for ringlm (include/ringlm.h). CRingLM is the C library as installed
// (found through pkg-config's ringlm.pc); RingLM wraps it in Swift types. No outside packages.
import PackageDescription

let package = Package(
    name: "RingLM",
    products: [
        .library(name: "RingLM", targets: ["RingLM"]),
    ],
    targets: [
        .systemLibrary(name: "CRingLM", path: "Sources/CRingLM", pkgConfig: "ringlm"),
        .target(name: "RingLM", dependencies: ["CRingLM"]),
        .testTarget(name: "RingLMTests", dependencies: ["RingLM"]),
    ]
)
