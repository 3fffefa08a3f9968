#include <unistd.h>
#include "test_support.h"

#include <cstdio>
#include <cstdlib>

namespace ringlm_test {

std::string shared_path(const std::string& relative) { return std::string(RINGLM_SHARED_DIR) + "/" + relative; }

std::vector<uint8_t> read_file(const std::string& path) {
  std::vector<uint8_t> bytes;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return bytes;
  uint8_t buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes.insert(bytes.end(), buf, buf + n);
  std::fclose(f);
  return bytes;
}

std::string write_temp_file(const std::string& name, const std::vector<uint8_t>& bytes) {
  const char* dir = std::getenv("TMPDIR");
  // The process id keeps test runs of several build folders at once from sharing a file.
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/ringlm_test_" + std::to_string(getpid()) + "_" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f != nullptr) {
    if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  return path;
}

}  // namespace ringlm_test

#include <doctest/doctest.h>

#include "ringlm.h"
#include "platform/cpu_features.h"
#include "simd/kernels.h"

namespace ringlm_test {

ringlm_model* open_stories260k() {
  const std::string model = shared_path("models/stories260K.bin");
  const std::string tok = shared_path("models/tok512.bin");
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  mp.path = model.c_str();
  mp.tokenizer_path = tok.c_str();
  ringlm_model* m = nullptr;
  const ringlm_status st = ringlm_model_open(&mp, &m);
  INFO("open stories260K: " << ringlm_last_error_message());
  CHECK(st == RINGLM_OK);
  return m;
}

}  // namespace ringlm_test

namespace ringlm_test {

const std::vector<const ringlm::Kernels*>& simd_kernel_sets() {
  static const std::vector<const ringlm::Kernels*> sets = [] {
    using namespace ringlm;
    std::vector<const Kernels*> out;
    const CpuFeatures& f = cpu_features();
    for (SimdLevel level : {SimdLevel::kSse4_2, SimdLevel::kAvx2, SimdLevel::kAvx512, SimdLevel::kNeon}) {
      const Kernels* k = kernels_for_level(level, f);
      if (k == nullptr) {
        MESSAGE("skipping kernel set " << std::string(simd_level_name(level)) << ": not supported by this CPU or build");
        continue;
      }
      out.push_back(k);
      CpuFeatures masked = f;
      masked.avx_vnni = false;
      masked.dotprod = false;
      const Kernels* plain = kernels_for_level(level, masked);
      if (plain != nullptr && plain != k) out.push_back(plain);
    }
    for (const Kernels* k : out) MESSAGE("testing kernel set " << std::string(k->name));
    if (out.empty()) MESSAGE("no SIMD kernel set on this CPU: only the scalar reference runs");
    return out;
  }();
  return sets;
}

}  // namespace ringlm_test
