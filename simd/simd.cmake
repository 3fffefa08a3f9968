# SIMD kernel sets: one translation unit per ISA, and only those files get ISA flags, so the rest
# of the library stays baseline and runs anywhere (simd/dispatch.cpp picks a set at run time).

# xsimd is header-only. Expose it through a directory holding just xsimd/, never its whole parent
# (for a cross build the parent is the host's /usr/include).
find_path(RINGLM_XSIMD_ROOT xsimd/xsimd.hpp PATHS /usr/include /usr/local/include NO_CMAKE_FIND_ROOT_PATH)
if(NOT RINGLM_XSIMD_ROOT)
  message(FATAL_ERROR "xsimd headers not found (apt-get install libxsimd-dev, or set RINGLM_XSIMD_ROOT)")
endif()
set(RINGLM_XSIMD_INCLUDE ${CMAKE_BINARY_DIR}/xsimd_include)
file(MAKE_DIRECTORY ${RINGLM_XSIMD_INCLUDE})
file(CREATE_LINK ${RINGLM_XSIMD_ROOT}/xsimd ${RINGLM_XSIMD_INCLUDE}/xsimd SYMBOLIC)
target_include_directories(ringlm_simd PRIVATE ${RINGLM_XSIMD_INCLUDE})

include(CheckCXXCompilerFlag)
set(ringlm_arch_dir ${PROJECT_SOURCE_DIR}/simd/arch)
macro(ringlm_simd_source file)
  target_sources(ringlm_simd PRIVATE ${ringlm_arch_dir}/${file})
  set_source_files_properties(${ringlm_arch_dir}/${file} PROPERTIES COMPILE_OPTIONS "${ARGN}")
endmacro()

string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" ringlm_cpu)
if(ringlm_cpu MATCHES "^(x86_64|amd64|i.86|x86)$")
  ringlm_simd_source(sse4_2.cpp -msse4.2)
  ringlm_simd_source(avx2.cpp -mavx2 -mfma -mf16c)
  ringlm_simd_source(avx2_vnni.cpp -mavx2 -mfma -mf16c -mavxvnni)
  ringlm_simd_source(avx512.cpp -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx512bf16 -mavx512vnni -mfma -mf16c
                     -Wno-maybe-uninitialized -Wno-uninitialized)  # GCC 12: _mm512_undefined_* inside intrinsics
elseif(ringlm_cpu MATCHES "^(aarch64|arm64)$")
  ringlm_simd_source(neon.cpp)
  ringlm_simd_source(neon_dotprod.cpp -march=armv8.2-a+dotprod)
elseif(ringlm_cpu MATCHES "^arm")
  ringlm_simd_source(neon.cpp -mfpu=neon)
  target_compile_definitions(ringlm_simd PRIVATE RINGLM_SIMD_ARMV7_NEON=1)
endif()
