// GgufWriter: builds a GGUF v3 file (layout in gguf_format.h) from metadata and tensors.
//
// Metadata is encoded into the writer as it is added (keys and strings are copied). Tensor data
// is NOT copied: add_tensor keeps the caller's pointer, which must stay valid until the last
// write call. Each tensor's offset is fixed when it is added, aligned to the file alignment, and
// its data is padded with zeros to the next multiple of it. write_file streams the tensors from
// their pointers, so writing a large model never holds a second copy of the weights.
//
// A tensor may instead be added with a TensorFill: its bytes are produced during the write, into
// one scratch buffer the writer reuses for every filled tensor, and streamed out before the next
// one is produced. A converter or a random-weight generator thus peaks at one tensor (the largest
// filled one) however big the model.
//
// write_file writes "<path>.part" and renames it over `path` only when everything succeeded: a
// failed write leaves nothing behind, and an input file that is mapped while its replacement is
// written (quantizing in place) stays intact until the rename. A symlink at `path` is followed
// (the file it names is replaced, the link stays); anything else there that is not a regular file
// (a device, a FIFO, a folder) is refused before a byte is written.
//
// Every add call validates its input and rejects duplicate keys and tensor names; nothing is
// half-added on failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "models/gguf/gguf_format.h"
#include "core/span.h"
#include "core/status.h"
#include "core/tensor.h"

namespace ringlm {

// Produces one tensor's bytes into `dst` (exactly the tensor's size) at write time. A failure
// aborts the write with that status.
using TensorFill = std::function<Status(void* dst, size_t bytes)>;

// Called after each tensor's data is written: tensors done, tensor count, data bytes done, data
// bytes in all (unpadded tensor sizes).
using WriteProgress = std::function<void(size_t done, size_t n_tensors, uint64_t bytes_done, uint64_t bytes_total)>;

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
  // Same checks; the data comes from `fill` during the write.
  Status add_tensor(std::string_view name, DType dtype, Span<const int64_t> dims, TensorFill fill);

  // Bytes of a tensor of `dtype` and `dims` (row length first); 0 if the dims are invalid for it.
  static uint64_t tensor_bytes(DType dtype, Span<const int64_t> dims);

  size_t n_kv() const { return n_kv_; }
  size_t n_tensors() const { return tensors_.size(); }
  uint64_t file_size() const;  // bytes write() will produce

  Status write(std::vector<uint8_t>& out, const WriteProgress& progress = {}) const;  // replaces `out`
  // RINGLM_ERR_IO on any I/O failure or a non-regular file at `path`; a TensorFill's own error
  // passes through. Either way no file is left at `path` (nor the .part file), and an existing
  // file there is untouched.
  Status write_file(const std::string& path, const WriteProgress& progress = {}) const;

 private:
  struct Tensor {
    std::string name;
    const void* data;  // nullptr: produced by `fill`
    size_t bytes;
    uint64_t offset;
    TensorFill fill;
  };

  Status begin_kv(std::string_view key, GgufType type);
  Status add_scalar(std::string_view key, GgufType type, uint64_t bits);
  Status add_tensor_entry(std::string_view name, DType dtype, Span<const int64_t> dims, const void* data,
                          const size_t* bytes, TensorFill fill);
  template <typename Sink>
  Status emit(Sink& sink, const WriteProgress& progress) const;
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
