# Android, through the NDK's own toolchain file: default ABI arm64-v8a, API level 24, static libc++.
#   export ANDROID_NDK=/path/to/android-ndk-r26    (ANDROID_NDK_HOME or ANDROID_NDK_ROOT also work)
#   cmake -S . -B build-android -DCMAKE_TOOLCHAIN_FILE=toolchains/android.cmake \
#         [-DANDROID_ABI=armeabi-v7a|x86_64] [-DANDROID_PLATFORM=android-28] -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-android -j2          -> libringlm.a and the ringlm CLI (adb push it to run)
# Kernels: arm64-v8a gets neon (+ SDOT when the CPU reports dotprod, via getauxval), armeabi-v7a
# gets neon, x86_64 the x86 sets; all picked at run time. Tests are off (nothing here runs them on
# a device); with -DRINGLM_TESTS=ON they build and can be pushed and run with adb.
# Not checked here: this machine has no NDK. A configure without one stops with the message below.
if(NOT ANDROID_NDK)
  foreach(var ANDROID_NDK ANDROID_NDK_HOME ANDROID_NDK_ROOT)
    if(DEFINED ENV{${var}} AND NOT ANDROID_NDK)
      set(ANDROID_NDK "$ENV{${var}}")
    endif()
  endforeach()
endif()
set(ringlm_ndk_toolchain "${ANDROID_NDK}/build/cmake/android.toolchain.cmake")
if(NOT ANDROID_NDK OR NOT EXISTS "${ringlm_ndk_toolchain}")
  message(FATAL_ERROR "toolchains/android.cmake needs the Android NDK: set ANDROID_NDK (environment or "
                      "-DANDROID_NDK=...) to the NDK's folder, the one holding build/cmake/android.toolchain.cmake "
                      "(ANDROID_NDK is '${ANDROID_NDK}')")
endif()
# try_compile projects re-read this file without the cache: pass the NDK on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ANDROID_NDK)

set(ANDROID_ABI arm64-v8a CACHE STRING "Android ABI: arm64-v8a, armeabi-v7a, x86_64 or x86")
set(ANDROID_PLATFORM android-24 CACHE STRING "Lowest Android API level to run on")
set(ANDROID_STL c++_static CACHE STRING "C++ runtime: static, so libringlm.a brings no libc++_shared.so")
include("${ringlm_ndk_toolchain}")

# The project's defaults for this target: no OpenBLAS (not in the NDK), no test suite.
set(RINGLM_BLAS OFF CACHE BOOL "")
set(RINGLM_TESTS OFF CACHE BOOL "")
