# iOS devices (arm64), built on macOS with Xcode's SDKs; the static library only.
#   cmake -S . -B build-ios -G Xcode -DCMAKE_TOOLCHAIN_FILE=toolchains/ios.cmake    (or -G Ninja / Unix Makefiles)
#         [-DCMAKE_OSX_DEPLOYMENT_TARGET=15.0] [-DCMAKE_OSX_SYSROOT=iphonesimulator]
#   cmake --build build-ios --config Release   -> libringlm.a, to link into an app target
# Kernels: neon, plus the SDOT integer path on cores that report FEAT_DotProd (A13 and later),
# detected at run time with sysctlbyname. Threads and mmap work as on macOS; the app bundle, its
# signing and the model file's location are the app's business (open the model from memory or from a
# path inside the bundle).
# Not checked here: this machine is Linux, without Xcode. A configure on a non-Apple host stops with
# the message below.
if(NOT CMAKE_HOST_APPLE)
  message(FATAL_ERROR "toolchains/ios.cmake builds on macOS with Xcode installed (this host is ${CMAKE_HOST_SYSTEM_NAME})")
endif()
set(CMAKE_SYSTEM_NAME iOS)
set(CMAKE_SYSTEM_PROCESSOR arm64)
set(CMAKE_OSX_ARCHITECTURES arm64 CACHE STRING "iOS devices: arm64")
set(CMAKE_OSX_DEPLOYMENT_TARGET 13.0 CACHE STRING "Lowest iOS version to run on")
set(CMAKE_OSX_SYSROOT iphoneos CACHE STRING "iphoneos (devices) or iphonesimulator")
# Executables would need an app bundle and signing: build the library alone.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(RINGLM_BLAS OFF CACHE BOOL "")  # Accelerate would be the BLAS here; not wired up
set(RINGLM_TESTS OFF CACHE BOOL "")
set(RINGLM_TOOLS OFF CACHE BOOL "")
