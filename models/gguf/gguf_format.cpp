#include "models/gguf/gguf_format.h"

namespace ringlm {

const char* gguf_type_name(GgufType type) {
  switch (type) {
    case GgufType::kU8: return "u8";
    case GgufType::kI8: return "i8";
    case GgufType::kU16: return "u16";
    case GgufType::kI16: return "i16";
    case GgufType::kU32: return "u32";
    case GgufType::kI32: return "i32";
    case GgufType::kF32: return "f32";
    case GgufType::kBool: return "bool";
    case GgufType::kString: return "string";
    case GgufType::kArray: return "array";
    case GgufType::kU64: return "u64";
    case GgufType::kI64: return "i64";
    case GgufType::kF64: return "f64";
  }
  return "unknown";
}

size_t gguf_scalar_size(GgufType type) {
  switch (type) {
    case GgufType::kU8:
    case GgufType::kI8:
    case GgufType::kBool: return 1;
    case GgufType::kU16:
    case GgufType::kI16: return 2;
    case GgufType::kU32:
    case GgufType::kI32:
    case GgufType::kF32: return 4;
    case GgufType::kU64:
    case GgufType::kI64:
    case GgufType::kF64: return 8;
    case GgufType::kString:
    case GgufType::kArray: return 0;
  }
  return 0;
}

bool gguf_type_known(uint32_t id) { return id <= static_cast<uint32_t>(GgufType::kF64); }

bool gguf_type_is_integer(GgufType type) {
  switch (type) {
    case GgufType::kU8:
    case GgufType::kI8:
    case GgufType::kU16:
    case GgufType::kI16:
    case GgufType::kU32:
    case GgufType::kI32:
    case GgufType::kU64:
    case GgufType::kI64: return true;
    default: return false;
  }
}

bool gguf_type_is_signed(GgufType type) {
  return type == GgufType::kI8 || type == GgufType::kI16 || type == GgufType::kI32 || type == GgufType::kI64;
}

const char* ggml_type_name(uint32_t id) {
  // Ids 4, 5 and 31..33, 36..38 were used by removed types; they stay "unknown".
  static const char* const kNames[] = {
      "f32",     "f16",    "q4_0",    "q4_1",   nullptr, nullptr, "q5_0",   "q5_1",  "q8_0",   "q8_1",
      "q2_k",    "q3_k",   "q4_k",    "q5_k",   "q6_k",  "q8_k",  "iq2_xxs", "iq2_xs", "iq3_xxs", "iq1_s",
      "iq4_nl",  "iq3_s",  "iq2_s",   "iq4_xs", "i8",    "i16",   "i32",    "i64",   "f64",    "iq1_m",
      "bf16",    nullptr,  nullptr,   nullptr,  "tq1_0", "tq2_0", nullptr,  nullptr, nullptr,  "mxfp4",
  };
  if (id >= sizeof(kNames) / sizeof(kNames[0]) || kNames[id] == nullptr) return "unknown";
  return kNames[id];
}

}  // namespace ringlm
