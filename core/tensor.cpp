#include "core/tensor.h"

namespace ringlm {

const DTypeTraits* dtype_traits(DType type) {
  static const DTypeTraits kF32{"f32", 1, 4};
  static const DTypeTraits kF16{"f16", 1, 2};
  static const DTypeTraits kBF16{"bf16", 1, 2};
  static const DTypeTraits kQ8_0{"q8_0", 32, 34};    // f16 scale + 32 x int8
  static const DTypeTraits kQ4_0{"q4_0", 32, 18};    // f16 scale + 16 bytes of nibbles
  static const DTypeTraits kQ4_K{"q4_k", 256, 144};  // super-block: 2 f16 + 12 scale bytes + 128
  static const DTypeTraits kQ6_K{"q6_k", 256, 210};  // 128 low + 64 high + 16 scales + f16
  switch (type) {
    case DType::kF32: return &kF32;
    case DType::kF16: return &kF16;
    case DType::kBF16: return &kBF16;
    case DType::kQ8_0: return &kQ8_0;
    case DType::kQ4_0: return &kQ4_0;
    case DType::kQ4_K: return &kQ4_K;
    case DType::kQ6_K: return &kQ6_K;
  }
  return nullptr;
}

size_t dtype_row_bytes(DType type, int64_t cols) {
  const DTypeTraits* t = dtype_traits(type);
  if (t == nullptr || cols <= 0 || cols % static_cast<int64_t>(t->block_elems) != 0) return 0;
  return static_cast<size_t>(cols) / t->block_elems * t->block_bytes;
}

}  // namespace ringlm
