// DType and TensorView: a borrowed, typed view of a 2-D weight matrix (rows x cols, row-major).
//
// Weights are never copied: `data` points into a mapped file or a caller's buffer. Quantized
// types store each row as a whole number of blocks, so a row is `row_bytes` long and row r starts
// at data + r * row_bytes. A 1-D tensor is a view with rows == 1.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ringlm {

// Values match GGML/GGUF type ids so GGUF files map onto them directly.
enum class DType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ8_0 = 8,
  kQ4_K = 12,
  kQ6_K = 14,
  kBF16 = 30,
};

struct DTypeTraits {
  const char* name;
  size_t block_elems;  // elements per block (1 for plain floats)
  size_t block_bytes;  // bytes per block
};

// Traits of a supported dtype; nullptr for an unknown id.
const DTypeTraits* dtype_traits(DType type);
inline const char* dtype_name(DType type) {
  const DTypeTraits* t = dtype_traits(type);
  return t ? t->name : "unknown";
}

// Bytes of one row of `cols` elements; 0 if cols is not a whole number of blocks or type unknown.
size_t dtype_row_bytes(DType type, int64_t cols);

struct TensorView {
  const void* data = nullptr;
  DType dtype = DType::kF32;
  int64_t rows = 0;
  int64_t cols = 0;
  size_t row_bytes = 0;

  const uint8_t* row(int64_t r) const { return static_cast<const uint8_t*>(data) + static_cast<size_t>(r) * row_bytes; }
  const float* f32() const { return static_cast<const float*>(data); }
  size_t bytes() const { return static_cast<size_t>(rows) * row_bytes; }
};

// A view of a contiguous f32 matrix.
inline TensorView f32_view(const float* data, int64_t rows, int64_t cols) {
  return TensorView{data, DType::kF32, rows, cols, static_cast<size_t>(cols) * sizeof(float)};
}

}  // namespace ringlm
