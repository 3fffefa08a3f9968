# Linux on 32-bit ARMv7-A, hard-float ABI (Debian armhf), built on an x86-64 Debian 12 host.
#   apt-get install g++-arm-linux-gnueabihf qemu-user
#   cmake -S . -B build-armv7 -DCMAKE_TOOLCHAIN_FILE=toolchains/armv7-linux-gnueabihf.cmake \
#         -DCMAKE_BUILD_TYPE=Release -DRINGLM_BLAS=OFF -DRINGLM_TOOLS=OFF
#   cmake --build build-armv7 -j2 && ctest --test-dir build-armv7
# Tests run through qemu-arm. The library is compiled for the compiler's armhf baseline (VFPv3-D16,
# Thumb-2); only simd/arch/neon.cpp gets -mfpu=neon, and it is used when the kernel reports NEON.
# size_t is 32 bits here: files over 4 GiB are refused with a status, not truncated.
# Checked in CI by .ci/cross.
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(RINGLM_CROSS_TRIPLE arm-linux-gnueabihf)
set(RINGLM_CROSS_QEMU qemu-arm)
# GCC notes that passing some iterators changed ABI in GCC 7.1: nothing to do for code built by one compiler.
set(CMAKE_CXX_FLAGS_INIT -Wno-psabi)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross-common.cmake)
