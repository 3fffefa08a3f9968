#include "devtools/convert/gguf_writer.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>

#include "platform/regular_file.h"

namespace ringlm {

namespace {

constexpr size_t kMaxTensorName = 63;  // GGML_MAX_NAME - 1: llama.cpp rejects longer names
constexpr uint8_t kZeros[64] = {0};

int name_len(std::string_view s) { return static_cast<int>(std::min<size_t>(s.size(), 64)); }

void append_le(std::vector<uint8_t>& out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void append_string(std::vector<uint8_t>& out, std::string_view s) {
  append_le(out, s.size(), 8);
  out.insert(out.end(), s.begin(), s.end());
}

// Host value of `n` bytes at `p`, as an unsigned integer (the bit pattern, for floats too).
uint64_t load_host(const uint8_t* p, size_t n) {
  switch (n) {
    case 1: return p[0];
    case 2: { uint16_t v; std::memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; std::memcpy(&v, p, 4); return v; }
    default: { uint64_t v; std::memcpy(&v, p, 8); return v; }
  }
}

uint64_t align_up(uint64_t v, uint64_t align) { return (v + align - 1) / align * align; }

}  // namespace

Status GgufWriter::begin_kv(std::string_view key, GgufType type) {
  RINGLM_CHECK(!key.empty(), RINGLM_ERR_INVALID_ARGUMENT, "GGUF metadata key is empty");
  RINGLM_CHECK(keys_.count(std::string(key)) == 0, RINGLM_ERR_INVALID_ARGUMENT, "duplicate GGUF metadata key '%.*s'",
               name_len(key), key.data());
  keys_.emplace(key);
  ++n_kv_;
  append_string(kv_bytes_, key);
  append_le(kv_bytes_, static_cast<uint32_t>(type), 4);
  return Status::ok();
}

Status GgufWriter::add_scalar(std::string_view key, GgufType type, uint64_t bits) {
  RINGLM_CHECK(key != kGgufAlignmentKey, RINGLM_ERR_INVALID_ARGUMENT,
               "set general.alignment with set_alignment (a u32 power of two)");
  RINGLM_TRY(begin_kv(key, type));
  append_le(kv_bytes_, bits, gguf_scalar_size(type));
  return Status::ok();
}

Status GgufWriter::set_alignment(uint32_t alignment) {
  RINGLM_CHECK(alignment != 0 && (alignment & (alignment - 1)) == 0, RINGLM_ERR_INVALID_ARGUMENT,
               "GGUF alignment %" PRIu32 " is not a nonzero power of two", alignment);
  RINGLM_CHECK(tensors_.empty(), RINGLM_ERR_INVALID_STATE, "set the GGUF alignment before adding tensors");
  RINGLM_TRY(begin_kv(kGgufAlignmentKey, GgufType::kU32));
  append_le(kv_bytes_, alignment, 4);
  alignment_ = alignment;
  return Status::ok();
}

Status GgufWriter::add_u8(std::string_view key, uint8_t v) { return add_scalar(key, GgufType::kU8, v); }
Status GgufWriter::add_i8(std::string_view key, int8_t v) {
  return add_scalar(key, GgufType::kI8, static_cast<uint8_t>(v));
}
Status GgufWriter::add_u16(std::string_view key, uint16_t v) { return add_scalar(key, GgufType::kU16, v); }
Status GgufWriter::add_i16(std::string_view key, int16_t v) {
  return add_scalar(key, GgufType::kI16, static_cast<uint16_t>(v));
}
Status GgufWriter::add_u32(std::string_view key, uint32_t v) {
  if (key == kGgufAlignmentKey) return set_alignment(v);
  return add_scalar(key, GgufType::kU32, v);
}
Status GgufWriter::add_i32(std::string_view key, int32_t v) {
  return add_scalar(key, GgufType::kI32, static_cast<uint32_t>(v));
}
Status GgufWriter::add_u64(std::string_view key, uint64_t v) { return add_scalar(key, GgufType::kU64, v); }
Status GgufWriter::add_i64(std::string_view key, int64_t v) {
  return add_scalar(key, GgufType::kI64, static_cast<uint64_t>(v));
}
Status GgufWriter::add_f32(std::string_view key, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return add_scalar(key, GgufType::kF32, bits);
}
Status GgufWriter::add_f64(std::string_view key, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return add_scalar(key, GgufType::kF64, bits);
}
Status GgufWriter::add_bool(std::string_view key, bool v) { return add_scalar(key, GgufType::kBool, v ? 1 : 0); }

Status GgufWriter::add_string(std::string_view key, std::string_view v) {
  RINGLM_CHECK(key != kGgufAlignmentKey, RINGLM_ERR_INVALID_ARGUMENT, "general.alignment must be a u32");
  RINGLM_TRY(begin_kv(key, GgufType::kString));
  append_string(kv_bytes_, v);
  return Status::ok();
}

Status GgufWriter::add_string_array(std::string_view key, Span<const std::string_view> values) {
  RINGLM_CHECK(key != kGgufAlignmentKey, RINGLM_ERR_INVALID_ARGUMENT, "general.alignment must be a u32");
  RINGLM_TRY(begin_kv(key, GgufType::kArray));
  append_le(kv_bytes_, static_cast<uint32_t>(GgufType::kString), 4);
  append_le(kv_bytes_, values.size(), 8);
  for (std::string_view s : values) append_string(kv_bytes_, s);
  return Status::ok();
}

Status GgufWriter::add_string_array(std::string_view key, const std::vector<std::string>& values) {
  std::vector<std::string_view> views(values.begin(), values.end());
  return add_string_array(key, Span<const std::string_view>(views.data(), views.size()));
}

Status GgufWriter::add_array(std::string_view key, GgufType elem_type, const void* elems, size_t count) {
  const size_t elem = gguf_scalar_size(elem_type);
  RINGLM_CHECK(elem != 0, RINGLM_ERR_INVALID_ARGUMENT, "add_array for key '%.*s': element type %s is not fixed-size",
               name_len(key), key.data(), gguf_type_name(elem_type));
  RINGLM_CHECK(elems != nullptr || count == 0, RINGLM_ERR_INVALID_ARGUMENT, "add_array for key '%.*s': null data",
               name_len(key), key.data());
  RINGLM_CHECK(key != kGgufAlignmentKey, RINGLM_ERR_INVALID_ARGUMENT, "general.alignment must be a u32");
  RINGLM_TRY(begin_kv(key, GgufType::kArray));
  append_le(kv_bytes_, static_cast<uint32_t>(elem_type), 4);
  append_le(kv_bytes_, count, 8);
  const uint8_t* p = static_cast<const uint8_t*>(elems);
  for (size_t e = 0; e < count; ++e) append_le(kv_bytes_, load_host(p + e * elem, elem), elem);
  return Status::ok();
}

Status GgufWriter::add_i32_array(std::string_view key, Span<const int32_t> values) {
  return add_array(key, GgufType::kI32, values.data(), values.size());
}
Status GgufWriter::add_u32_array(std::string_view key, Span<const uint32_t> values) {
  return add_array(key, GgufType::kU32, values.data(), values.size());
}
Status GgufWriter::add_f32_array(std::string_view key, Span<const float> values) {
  return add_array(key, GgufType::kF32, values.data(), values.size());
}

Status GgufWriter::add_tensor(std::string_view name, DType dtype, Span<const int64_t> dims, const void* data,
                              size_t bytes) {
  return add_tensor_entry(name, dtype, dims, data, &bytes, nullptr);
}

Status GgufWriter::add_tensor(std::string_view name, DType dtype, Span<const int64_t> dims, TensorFill fill) {
  RINGLM_CHECK(fill != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "tensor '%.*s': no fill function", name_len(name),
               name.data());
  return add_tensor_entry(name, dtype, dims, nullptr, nullptr, std::move(fill));
}

uint64_t GgufWriter::tensor_bytes(DType dtype, Span<const int64_t> dims) {
  const DTypeTraits* traits = dtype_traits(dtype);
  if (traits == nullptr || dims.size() < 1 || dims.size() > 4) return 0;
  uint64_t rows = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] <= 0) return 0;
    if (d > 0 && __builtin_mul_overflow(rows, static_cast<uint64_t>(dims[d]), &rows)) return 0;
  }
  const uint64_t cols = static_cast<uint64_t>(dims[0]);
  uint64_t bytes = 0;
  if (cols % traits->block_elems != 0 ||
      __builtin_mul_overflow(cols / traits->block_elems * traits->block_bytes, rows, &bytes)) {
    return 0;
  }
  return bytes;
}

// `bytes` null: a filled tensor, sized from its dims.
Status GgufWriter::add_tensor_entry(std::string_view name, DType dtype, Span<const int64_t> dims, const void* data,
                                    const size_t* bytes, TensorFill fill) {
  RINGLM_CHECK(!name.empty() && name.size() <= kMaxTensorName, RINGLM_ERR_INVALID_ARGUMENT,
               "tensor name '%.*s' must be 1..%zu bytes", name_len(name), name.data(), kMaxTensorName);
  RINGLM_CHECK(tensor_names_.count(std::string(name)) == 0, RINGLM_ERR_INVALID_ARGUMENT, "duplicate tensor name '%.*s'",
               name_len(name), name.data());
  RINGLM_CHECK(dims.size() >= 1 && dims.size() <= 4, RINGLM_ERR_INVALID_ARGUMENT, "tensor '%.*s': %zu dims, must be 1..4",
               name_len(name), name.data(), dims.size());
  const DTypeTraits* traits = dtype_traits(dtype);
  RINGLM_CHECK(traits != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "tensor '%.*s': unknown dtype %" PRIu32, name_len(name),
               name.data(), static_cast<uint32_t>(dtype));
  uint64_t rows = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    RINGLM_CHECK(dims[d] > 0, RINGLM_ERR_INVALID_ARGUMENT, "tensor '%.*s': dim %zu is %lld", name_len(name), name.data(),
                 d, static_cast<long long>(dims[d]));
    RINGLM_CHECK(d == 0 || !__builtin_mul_overflow(rows, static_cast<uint64_t>(dims[d]), &rows),
                 RINGLM_ERR_INVALID_ARGUMENT, "tensor '%.*s': dims overflow", name_len(name), name.data());
  }
  const uint64_t cols = static_cast<uint64_t>(dims[0]);
  RINGLM_CHECK(cols % traits->block_elems == 0, RINGLM_ERR_INVALID_ARGUMENT,
               "tensor '%.*s': row length %llu is not a whole number of %s blocks", name_len(name), name.data(),
               static_cast<unsigned long long>(cols), traits->name);
  uint64_t expected = 0, padded_end = 0;
  RINGLM_CHECK(!__builtin_mul_overflow(cols / traits->block_elems * traits->block_bytes, rows, &expected) &&
                   !__builtin_add_overflow(data_bytes_, expected + alignment_, &padded_end) &&
                   expected <= std::numeric_limits<size_t>::max(),
               RINGLM_ERR_INVALID_ARGUMENT, "tensor '%.*s': size overflows", name_len(name), name.data());
  if (bytes != nullptr) {
    RINGLM_CHECK(*bytes == expected, RINGLM_ERR_INVALID_ARGUMENT,
                 "tensor '%.*s': %zu data bytes given, %s dims need %llu", name_len(name), name.data(), *bytes,
                 traits->name, static_cast<unsigned long long>(expected));
    RINGLM_CHECK(data != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "tensor '%.*s': null data", name_len(name),
                 name.data());
  }

  tensor_names_.emplace(name);
  append_string(info_bytes_, name);
  append_le(info_bytes_, dims.size(), 4);
  for (int64_t d : dims) append_le(info_bytes_, static_cast<uint64_t>(d), 8);
  append_le(info_bytes_, static_cast<uint32_t>(dtype), 4);
  append_le(info_bytes_, data_bytes_, 8);
  tensors_.push_back(Tensor{std::string(name), data, static_cast<size_t>(expected), data_bytes_, std::move(fill)});
  data_bytes_ = align_up(data_bytes_ + expected, alignment_);
  return Status::ok();
}

uint64_t GgufWriter::data_start() const {
  return align_up(24 + kv_bytes_.size() + info_bytes_.size(), alignment_);
}

uint64_t GgufWriter::file_size() const { return data_start() + data_bytes_; }

// Streams the file through sink(const void*, size_t) -> bool; stops at the first false. Filled
// tensors are produced one at a time into a scratch buffer reused across them.
template <typename Sink>
Status GgufWriter::emit(Sink& sink, const WriteProgress& progress) const {
  uint8_t header[24];
  std::memcpy(header, kGgufMagic, 4);
  store_u32(header + 4, kGgufVersion);
  store_u64(header + 8, tensors_.size());
  store_u64(header + 16, n_kv_);
  auto pad = [&](uint64_t n) {
    for (; n > 0; n -= std::min<uint64_t>(n, sizeof(kZeros))) {
      if (!sink(kZeros, static_cast<size_t>(std::min<uint64_t>(n, sizeof(kZeros))))) return false;
    }
    return true;
  };
  const uint64_t meta_end = 24 + kv_bytes_.size() + info_bytes_.size();
  bool ok = sink(header, sizeof(header)) && sink(kv_bytes_.data(), kv_bytes_.size()) &&
            sink(info_bytes_.data(), info_bytes_.size()) && pad(data_start() - meta_end);
  RINGLM_CHECK(ok, RINGLM_ERR_IO, "writing the GGUF header failed");
  uint64_t total = 0, done = 0;
  for (const Tensor& t : tensors_) total += t.bytes;
  std::vector<uint8_t> scratch;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const Tensor& tensor = tensors_[i];
    const void* data = tensor.data;
    if (tensor.fill) {
      try {
        scratch.resize(tensor.bytes);
      } catch (const std::bad_alloc&) {
        return Status::error(RINGLM_ERR_OUT_OF_MEMORY, "tensor '%s': cannot allocate %zu bytes to produce it",
                             tensor.name.c_str(), tensor.bytes);
      }
      const Status filled = tensor.fill(scratch.data(), tensor.bytes);
      if (!filled.is_ok()) {
        return Status::error(filled.code(), "tensor '%s': %s", tensor.name.c_str(), filled.message());
      }
      data = scratch.data();
    }
    ok = sink(data, tensor.bytes) && pad(align_up(tensor.bytes, alignment_) - tensor.bytes);
    RINGLM_CHECK(ok, RINGLM_ERR_IO, "writing tensor '%s' failed", tensor.name.c_str());
    done += tensor.bytes;
    if (progress) progress(i + 1, tensors_.size(), done, total);
  }
  return Status::ok();
}

Status GgufWriter::write(std::vector<uint8_t>& out, const WriteProgress& progress) const {
  const uint64_t size = file_size();
  RINGLM_CHECK(size <= out.max_size(), RINGLM_ERR_OUT_OF_MEMORY, "GGUF file of %llu bytes does not fit in memory",
               static_cast<unsigned long long>(size));
  out.clear();
  out.reserve(static_cast<size_t>(size));
  auto sink = [&](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
    return true;
  };
  return emit(sink, progress);
}

Status GgufWriter::write_file(const std::string& given_path, const WriteProgress& progress) const {
  // A device or FIFO at the path is refused (the rename would replace the node with a file); a
  // symlink is written through: the new file replaces its target and the link stays.
  Result<std::string> resolved = resolve_output_path(given_path);
  if (!resolved.is_ok()) return resolved.status();
  const std::string& path = resolved.value();
  const std::string part = path + ".part";
  Result<std::FILE*> created = create_regular_file(part);
  if (!created.is_ok()) {
    return Status::error(RINGLM_ERR_IO, "%s (to write '%s')", created.status().message(), path.c_str());
  }
  FILE* f = created.value();
  int error = 0;
  auto sink = [&](const void* p, size_t n) {
    if (n == 0) return true;
    if (std::fwrite(p, 1, n, f) == n) return true;
    error = errno;
    return false;
  };
  Status status = emit(sink, progress);
  if (std::fclose(f) != 0 && error == 0) error = errno;
  if (status.is_ok() && error == 0 && std::rename(part.c_str(), path.c_str()) != 0) error = errno;
  if (status.is_ok() && error == 0) return Status::ok();
  std::remove(part.c_str());  // never leave a half-written model behind
  if (error == 0) return Status::error(status.code(), "writing '%s' failed: %s", path.c_str(), status.message());
  return Status::error(RINGLM_ERR_IO, "writing '%s' failed: %s", path.c_str(), std::strerror(error));
}

}  // namespace ringlm
