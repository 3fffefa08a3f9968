// GgufWriter: builds a GGUF v3 file (layout in gguf_format.h) from metadata and tensors.
//
// Metadata is encoded into the writer as it is added (keys and strings are copied). Tensor data
// is NOT copied: add_tensor keeps the caller's pointer, which must stay valid until the last
// write call. Each tensor's offset is fixed when it is added, aligned to the file alignment, and
// its data is padded with zeros to the next multiple of it. write_file streams the tensors from
// their pointers, so writing a large model never holds a second copy of the weights.
//
// Every add call validates its input and rejects duplicate keys and tensor names; nothing is
// half-added on failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "models/gguf/gguf_format.h"
#include "runtime/span.h"
#include "runtime/status.h"
#include "runtime/tensor.h"

namespace ringlm {

class GgufWriter {
 public:
  // Alignment of the data section and every tensor offset: a nonzero power of two. Written as
  // general.alignment; must be called before the first add_tensor.
  Status set_alignment(uint32_t alignment);
  uint32_t alignment() const { return alignment_; }

  Status add_u8(std::string_view key, uint8_t v);
  Status add_i8(std::string_view key, int8_t v);
  Status add_u16(std::string_view key, uint16_t v);
  Status add_i16(std::string_view key, int16_t v);
  Status add_u32(std::string_view key, uint32_t v);
  Status add_i32(std::string_view key, int32_t v);
  Status add_u64(std::string_view key, uint64_t v);
  Status add_i64(std::string_view key, int64_t v);
  Status add_f32(std::string_view key, float v);
  Status add_f64(std::string_view key, double v);
  Status add_bool(std::string_view key, bool v);
  Status add_string(std::string_view key, std::string_view v);

  Status add_string_array(std::string_view key, Span<const std::string_view> values);
  Status add_string_array(std::string_view key, const std::vector<std::string>& values);
  Status add_i32_array(std::string_view key, Span<const int32_t> values);
  Status add_u32_array(std::string_view key, Span<const uint32_t> values);
  Status add_f32_array(std::string_view key, Span<const float> values);
  // Any fixed-size element type; `elems` holds `count` host values of that type.
  Status add_array(std::string_view key, GgufType elem_type, const void* elems, size_t count);

  // dims: ne[0] (row length) first, 1..4 of them, each > 0; `bytes` must equal the tensor's size
  // for `dtype` (rows of whole blocks). Names are limited to 63 bytes, as GGML requires.
  Status add_tensor(std::string_view name, DType dtype, Span<const int64_t> dims, const void* data, size_t bytes);
  Status add_tensor(std::string_view name, DType dtype, std::initializer_list<int64_t> dims, const void* data,
                    size_t bytes) {
    return add_tensor(name, dtype, Span<const int64_t>(dims.begin(), dims.size()), data, bytes);
  }

  size_t n_kv() const { return n_kv_; }
  size_t n_tensors() const { return tensors_.size(); }
  uint64_t file_size() const;  // bytes write() will produce

  Status write(std::vector<uint8_t>& out) const;      // replaces `out`
  Status write_file(const std::string& path) const;   // RINGLM_ERR_IO on any failure

 private:
  struct Tensor {
    const void* data;
    size_t bytes;
    uint64_t offset;
  };

  Status begin_kv(std::string_view key, GgufType type);
  Status add_scalar(std::string_view key, GgufType type, uint64_t bits);
  template <typename Sink>
  Status emit(Sink& sink) const;
  uint64_t data_start() const;

  uint32_t alignment_ = kGgufDefaultAlignment;
  size_t n_kv_ = 0;
  std::vector<uint8_t> kv_bytes_;      // encoded metadata entries, in order added
  std::vector<uint8_t> info_bytes_;    // encoded tensor infos, in order added
  std::vector<Tensor> tensors_;
  uint64_t data_bytes_ = 0;            // data section size, padded
  std::unordered_set<std::string> keys_;
  std::unordered_set<std::string> tensor_names_;
};

}  // namespace ringlm
