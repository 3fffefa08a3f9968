# Linux on 64-bit ARM (aarch64), built on an x86-64 Debian 12 host with Debian's cross compiler.
#   apt-get install g++-aarch64-linux-gnu qemu-user
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake \
#         -DCMAKE_BUILD_TYPE=Release -DRINGLM_BLAS=OFF -DRINGLM_TOOLS=OFF
#   cmake --build build-aarch64 -j2 && ctest --test-dir build-aarch64
# Tests run through qemu-aarch64 (no binfmt needed). The library is baseline ARMv8-A; the
# SDOT kernels (simd/arch/neon_dotprod.cpp) are picked at run time when the CPU reports dotprod.
# Checked in CI by .ci/cross.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(RINGLM_CROSS_TRIPLE aarch64-linux-gnu)
set(RINGLM_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross-common.cmake)
