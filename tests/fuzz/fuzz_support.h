// Shared by the libFuzzer targets: where the test material is, and a small greedy session run
// that every model-shaped input goes through when it loads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ringlm.h"

namespace ringlm_fuzz {

// RINGLM_SHARED_DIR from the environment, else the build's default.
std::string shared_path(const std::string& relative);
std::vector<uint8_t> read_file(const std::string& path);

// The fuzzer's bytes in a 64-byte-aligned copy (model memory wants alignment like a mapping).
class AlignedCopy {
 public:
  AlignedCopy(const uint8_t* data, size_t size);
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  std::vector<uint8_t> storage_;
  const uint8_t* data_;
  size_t size_;
};

// Plans a small session; when it fits in `max_arena` bytes, creates it, prefills BOS plus two
// tokens, samples and decodes one more. Every status is fine; only a crash or a sanitizer report
// is a finding.
void exercise_model(ringlm_model* model, size_t max_arena);

}  // namespace ringlm_fuzz
