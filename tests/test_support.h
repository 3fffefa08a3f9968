// Helpers shared by the tests: where the shared test material is, and small file utilities.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ringlm_test {

// RINGLM_SINGLE_THREADED builds start no threads: tests skip their multi-threaded parts there.
#ifdef RINGLM_SINGLE_THREADED
constexpr bool kSingleThreaded = true;
#else
constexpr bool kSingleThreaded = false;
#endif

// Path of a file under the shared folder (RINGLM_SHARED_DIR), e.g. shared_path("models/tok512.bin").
std::string shared_path(const std::string& relative);

// Whole file as bytes; empty if it cannot be read.
std::vector<uint8_t> read_file(const std::string& path);

// Writes bytes to a fresh file in the temp dir and returns its path.
std::string write_temp_file(const std::string& name, const std::vector<uint8_t>& bytes);

}  // namespace ringlm_test

struct ringlm_model;
namespace ringlm {
struct Kernels;
}

namespace ringlm_test {

// Every SIMD kernel table this CPU can run (not the scalar one), plus the tables with sub-features
// masked off (avx2 without AVX-VNNI, neon without dotprod) where those differ: the sets the
// kernel tests compare against the scalar reference. Logs which sets run and which are skipped.
const std::vector<const ringlm::Kernels*>& simd_kernel_sets();

// stories260K + tok512 through the C API; nullptr (and a doctest failure) if it cannot load.
ringlm_model* open_stories260k();

}  // namespace ringlm_test
