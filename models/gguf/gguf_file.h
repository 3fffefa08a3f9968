// GgufFile: a validated, zero-copy index over the bytes of a GGUF v2/v3 file (see gguf_format.h).
//
// The bytes (a read-only mmap or a caller's buffer) are borrowed and must outlive the GgufFile:
// keys, strings, tensor names and tensor data are views into them, and a metadata array stays in
// the file as (element type, count, first byte) until a typed accessor reads it, so a 150k-token
// vocabulary costs nothing at parse time.
//
// parse() checks everything before it is used, with overflow-safe arithmetic, and never reads
// outside the span: header, counts, every string and array length, nesting depth, tensor dims and
// types, alignment, tensor offsets, overlaps and duplicates. After a successful parse every
// tensor's [data, data + bytes) lies inside the span and no two tensors overlap.
//
// Tensor data pointers are aligned to alignment() relative to the start of the span; they are
// aligned in memory only if the span itself is (an mmap is page-aligned).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/gguf/gguf_format.h"
#include "core/span.h"
#include "core/status.h"
#include "core/tensor.h"

namespace ringlm {

// One metadata value. Scalars and strings are decoded at parse time; arrays are not.
struct GgufValue {
  GgufType type = GgufType::kU8;
  uint64_t u = 0;         // kU8, kU16, kU32, kU64, kBool (0 or 1)
  int64_t i = 0;          // kI8, kI16, kI32, kI64
  double f = 0.0;         // kF32, kF64
  std::string_view str;   // kString
  GgufType elem_type = GgufType::kU8;  // kArray: type of every element
  uint64_t count = 0;                  // kArray: number of elements
  size_t data_offset = 0;              // kArray: file offset of the first element
  size_t data_bytes = 0;               // kArray: bytes spanned by all elements
};

// Decodes the fixed-size value of `type` at `p` (gguf_scalar_size(type) readable bytes) into
// v.u, v.i or v.f; strings and arrays are left alone. The parser and the array readers share it.
void decode_gguf_scalar(GgufType type, const uint8_t* p, GgufValue& v);

struct GgufKV {
  std::string_view key;
  size_t offset = 0;  // file offset of the entry (for messages)
  GgufValue value;
};

struct GgufTensor {
  std::string_view name;
  uint32_t n_dims = 0;                // 1..4
  int64_t ne[4] = {1, 1, 1, 1};       // ne[0] = row length (innermost); unused dims are 1
  DType dtype = DType::kF32;
  uint64_t offset = 0;                // from the start of the data section, as stored
  const uint8_t* data = nullptr;      // data section start + offset
  size_t bytes = 0;
  size_t row_bytes = 0;               // bytes of one row of ne[0] elements

  int64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }  // no overflow: checked at parse
  int64_t rows() const { return ne[1] * ne[2] * ne[3]; }
  // cols = ne[0], rows = the product of the other dims.
  TensorView view() const { return TensorView{data, dtype, rows(), ne[0], row_bytes}; }
};

class GgufFile {
 public:
  static Result<GgufFile> parse(Span<const uint8_t> bytes);

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  size_t data_offset() const { return data_offset_; }  // file offset of the data section
  Span<const uint8_t> bytes() const { return bytes_; }

  // ---- metadata; a missing key or a wrong type is RINGLM_ERR_BAD_FORMAT naming the key
  const std::vector<GgufKV>& metadata() const { return kvs_; }
  const GgufKV* find(std::string_view key) const;  // nullptr if absent
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // Any integer type whose value fits the output type (range-checked).
  Status get_u32(std::string_view key, uint32_t& out) const;
  Status get_i32(std::string_view key, int32_t& out) const;
  Status get_u64(std::string_view key, uint64_t& out) const;
  Status get_f32(std::string_view key, float& out) const;  // f32, or f64 narrowed
  Status get_bool(std::string_view key, bool& out) const;
  Status get_string(std::string_view key, std::string_view& out) const;

  // Arrays are read on demand; `out` is replaced.
  Status array_info(std::string_view key, GgufType& elem_type, uint64_t& count) const;
  Status string_array(std::string_view key, std::vector<std::string_view>& out) const;
  Status f32_array(std::string_view key, std::vector<float>& out) const;    // f32 or f64 elements
  Status i32_array(std::string_view key, std::vector<int32_t>& out) const;  // any integer elements, range-checked

  // ---- tensors, in file order
  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  const GgufTensor* find_tensor(std::string_view name) const;  // nullptr if absent

 private:
  Status find_typed(std::string_view key, const char* expected, bool (*accepts)(GgufType),
                    const GgufValue*& out) const;
  Status get_integer(std::string_view key, int64_t lo, uint64_t hi, const char* expected, int64_t& s,
                     uint64_t& u, bool& negative) const;
  Status find_array(std::string_view key, const char* expected, bool (*accepts)(GgufType),
                    const GgufValue*& out) const;

  Span<const uint8_t> bytes_;
  uint32_t version_ = 0;
  uint32_t alignment_ = kGgufDefaultAlignment;
  size_t data_offset_ = 0;
  std::vector<GgufKV> kvs_;
  std::vector<GgufTensor> tensors_;
  std::unordered_map<std::string_view, size_t> kv_index_;
  std::unordered_map<std::string_view, size_t> tensor_index_;

  friend class GgufParser;
};

}  // namespace ringlm
