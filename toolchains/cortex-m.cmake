# Bare-metal Arm Cortex-M (M-profile, no OS): the static library only, single-threaded, scalar kernels.
#   apt-get install gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib   (Debian 12: GCC 12.2)
#   cmake -S . -B build-cortex-m -DCMAKE_TOOLCHAIN_FILE=toolchains/cortex-m.cmake [-DRINGLM_CORTEX_M_CPU=cortex-m55]
#   cmake --build build-cortex-m -j2        -> build-cortex-m/libringlm.a
# Link libringlm.a into the firmware with the same flags (printed by the configure step) plus
# --specs=nosys.specs (or the firmware's own _read/_write/_sbrk... syscalls) and -Wl,--gc-sections
# (libstdc++'s string objects would otherwise drag in std::random_device and its getentropy), and
# -lstdc++ -lm. The model comes from memory (ringlm_model_params with a buffer, no path) and the
# session from a caller arena. Sessions take n_threads 0 or 1 (RINGLM_SINGLE_THREADED).
# What is checked: .ci/cross builds the library with Debian 12's arm-none-eabi-g++ for cortex-m7
# (format warnings are errors there: int32_t is long on newlib) and links it so, with no stub.
set(CMAKE_SYSTEM_NAME Generic)

# The FPU per core: cortex-m7 FPv5 with doubles, cortex-m4 / m33 single precision only, cortex-m55 /
# m85 FPv5 plus the Helium (MVE) vector extension. Kernels are the scalar ones on every core.
set(RINGLM_CORTEX_M_CPU cortex-m7 CACHE STRING "The -mcpu of the target core (cortex-m4, cortex-m7, cortex-m33, cortex-m55, cortex-m85)")
# Reaches try_compile projects too, which re-read this file.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES RINGLM_CORTEX_M_CPU)
# The core's name, not "arm": simd/simd.cmake then adds no NEON sources (M-profile has none).
set(CMAKE_SYSTEM_PROCESSOR ${RINGLM_CORTEX_M_CPU})

if(RINGLM_CORTEX_M_CPU STREQUAL "cortex-m7")
  set(ringlm_fpu -mfpu=fpv5-d16)
elseif(RINGLM_CORTEX_M_CPU STREQUAL "cortex-m4")
  set(ringlm_fpu -mfpu=fpv4-sp-d16)
elseif(RINGLM_CORTEX_M_CPU STREQUAL "cortex-m33")
  set(ringlm_fpu -mfpu=fpv5-sp-d16)
else()
  set(ringlm_fpu -mfpu=auto)  # cortex-m55 / m85: the FPU (and MVE) come with -mcpu
endif()
set(ringlm_cpu_flags "-mcpu=${RINGLM_CORTEX_M_CPU} -mthumb ${ringlm_fpu} -mfloat-abi=hard")

find_program(RINGLM_ARM_NONE_EABI_GXX arm-none-eabi-g++)
if(NOT RINGLM_ARM_NONE_EABI_GXX)
  message(FATAL_ERROR "toolchains/cortex-m.cmake: arm-none-eabi-g++ not found on PATH "
                      "(Debian: apt-get install gcc-arm-none-eabi libstdc++-arm-none-eabi-newlib; "
                      "or the Arm GNU Toolchain's bin/ on PATH)")
endif()
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# No OS to link a test program against: CMake's compiler checks build a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CMAKE_C_FLAGS_INIT "${ringlm_cpu_flags}")
# -fno-threadsafe-statics: no OS, no guard locks for function-local statics.
# -Wno-psabi: GCC's note that some iterators pass differently since GCC 7.1 (one compiler builds all).
set(CMAKE_CXX_FLAGS_INIT "${ringlm_cpu_flags} -fno-threadsafe-statics -Wno-psabi")
# A -DCMAKE_CXX_FLAGS=... on the command line replaces the *_INIT flags: keep the core's flags in front.
foreach(lang C CXX)
  if(DEFINED CACHE{CMAKE_${lang}_FLAGS} AND NOT "$CACHE{CMAKE_${lang}_FLAGS}" MATCHES "-mcpu=")
    set(CMAKE_${lang}_FLAGS "${CMAKE_${lang}_FLAGS_INIT} $CACHE{CMAKE_${lang}_FLAGS}" CACHE STRING "" FORCE)
  endif()
endforeach()

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The project's defaults for this target: the library alone, without threads or BLAS.
set(RINGLM_SINGLE_THREADED ON CACHE BOOL "")
set(RINGLM_BLAS OFF CACHE BOOL "")
set(RINGLM_TESTS OFF CACHE BOOL "")
set(RINGLM_TOOLS OFF CACHE BOOL "")
get_property(ringlm_reported GLOBAL PROPERTY RINGLM_CORTEX_M_REPORTED)  # CMake reads this file more than once
if(NOT ringlm_reported)
  message(STATUS "ringlm for ${RINGLM_CORTEX_M_CPU}: link the firmware with ${ringlm_cpu_flags}")
  set_property(GLOBAL PROPERTY RINGLM_CORTEX_M_REPORTED TRUE)
endif()
