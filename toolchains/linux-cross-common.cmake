# Shared body of the Debian cross toolchain files (aarch64-linux-gnu.cmake, armv7-linux-gnueabihf.cmake).
# The including file sets CMAKE_SYSTEM_PROCESSOR, RINGLM_CROSS_TRIPLE (the compiler prefix and the
# multiarch sysroot under /usr) and RINGLM_CROSS_QEMU (the qemu-user program that runs its binaries).
#
# What it does, and why:
#   - compilers <triple>-gcc / <triple>-g++ from Debian's g++-<triple> packages;
#   - libraries and headers are searched only under /usr/<triple> (the target's sysroot), programs
#     only on the host; header-only host packages (xsimd, doctest) are exposed one directory at a
#     time by the project's CMake files, never the host's whole /usr/include;
#   - executables are linked with -static: they then run under qemu-user without -L or the target's
#     shared libraries, and threaded programs do not hang in the target's dynamic loader;
#   - CMAKE_CROSSCOMPILING_EMULATOR is qemu, so ctest (and doctest's test discovery at build time)
#     runs the test binaries through it. QEMU_CPU in the environment picks the emulated CPU
#     (e.g. QEMU_CPU=cortex-a53 for an aarch64 core without dotprod).
set(CMAKE_SYSTEM_NAME Linux)

set(CMAKE_C_COMPILER ${RINGLM_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${RINGLM_CROSS_TRIPLE}-g++)

set(CMAKE_FIND_ROOT_PATH /usr/${RINGLM_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

find_program(RINGLM_QEMU ${RINGLM_CROSS_QEMU})
if(RINGLM_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${RINGLM_QEMU})
else()
  message(WARNING "${RINGLM_CROSS_QEMU} not found (apt-get install qemu-user): the build works, but its tests "
                  "cannot run here. Configure with -DRINGLM_TESTS=OFF, or install qemu-user.")
endif()
