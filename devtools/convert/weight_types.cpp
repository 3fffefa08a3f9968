#include "devtools/convert/weight_types.h"

#include <cctype>
#include <string>

namespace ringlm {

namespace {

struct Named {
  const char* name;
  DType type;
  uint32_t file_type;  // llama.cpp's LLAMA_FTYPE_* value
};

constexpr Named kTypes[] = {
    {"f32", DType::kF32, 0},   {"f16", DType::kF16, 1},   {"bf16", DType::kBF16, 32}, {"q8_0", DType::kQ8_0, 7},
    {"q4_0", DType::kQ4_0, 2}, {"q4_k", DType::kQ4_K, 14}, {"q6_k", DType::kQ6_K, 18},
};

bool fits(DType type, int64_t row_length) {
  const DTypeTraits* t = dtype_traits(type);
  return t != nullptr && row_length > 0 && static_cast<uint64_t>(row_length) % t->block_elems == 0;
}

}  // namespace

bool parse_weight_type(std::string_view name, DType& out) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const Named& n : kTypes) {
    if (lower == n.name) {
      out = n.type;
      return true;
    }
  }
  return false;
}

const char* weight_type_names() { return "f32, f16, bf16, q8_0, q4_0, q4_k, q6_k"; }

uint32_t gguf_file_type(DType type) {
  for (const Named& n : kTypes) {
    if (n.type == type) return n.file_type;
  }
  return 0;
}

DType fit_matrix_type(DType wanted, int64_t row_length, DType otherwise) {
  if (fits(wanted, row_length)) return wanted;
  const DType fallback = wanted == DType::kQ4_K ? DType::kQ4_0 : wanted == DType::kQ6_K ? DType::kQ8_0 : wanted;
  if (fallback != wanted && fits(fallback, row_length)) return fallback;
  return otherwise;
}

}  // namespace ringlm
