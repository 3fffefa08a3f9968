// GgufFile::parse: walks the file once, checking every size against the bytes left before using
// it. Counts are never trusted for allocation beyond what the file could hold.
#include <algorithm>
#include <limits>

#include "models/gguf/gguf_file.h"

#include <cinttypes>

namespace ringlm {

namespace {

constexpr uint32_t kMaxArrayDepth = 8;  // nested arrays; real files use none
constexpr int kNameChars = 64;          // longest name quoted in a message
// Smallest possible entries: empty key + type + a 1-byte value; empty name + n_dims + one dim +
// type + offset. A header declaring more entries than could fit in the file is corrupt.
constexpr uint64_t kMinKVBytes = 8 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;
constexpr size_t kHeaderBytes = 24;
// Vectors grow with entries actually parsed; a count alone reserves at most this many.
constexpr uint64_t kMaxReserve = 4096;

int name_len(std::string_view s) { return static_cast<int>(std::min<size_t>(s.size(), kNameChars)); }
unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

bool add_overflows(uint64_t a, uint64_t b, uint64_t& out) { return __builtin_add_overflow(a, b, &out); }
bool mul_overflows(uint64_t a, uint64_t b, uint64_t& out) { return __builtin_mul_overflow(a, b, &out); }

// A bounds-checked cursor. Every read says what it was reading so a truncation names it.
class Reader {
 public:
  explicit Reader(Span<const uint8_t> bytes) : data_(bytes.data()), size_(bytes.size()) {}

  size_t pos() const { return pos_; }
  size_t size() const { return size_; }
  const uint8_t* at(size_t offset) const { return data_ + offset; }

  // `what` and `name` describe the field, e.g. ("value of key", "llama.block_count").
  Status need(uint64_t n, const char* what, std::string_view name) const {
    if (n <= size_ - pos_) return Status::ok();
    if (name.empty()) {
      return Status::error(RINGLM_ERR_TRUNCATED, "truncated: %s at offset %zu needs %llu bytes, file ends at byte %zu",
                           what, pos_, ull(n), size_);
    }
    return Status::error(RINGLM_ERR_TRUNCATED,
                         "truncated: %s '%.*s' at offset %zu needs %llu bytes, file ends at byte %zu", what,
                         name_len(name), name.data(), pos_, ull(n), size_);
  }
  Status u32(uint32_t& v, const char* what, std::string_view name) {
    RINGLM_TRY(need(4, what, name));
    v = load_u32(data_ + pos_);
    pos_ += 4;
    return Status::ok();
  }
  Status u64(uint64_t& v, const char* what, std::string_view name) {
    RINGLM_TRY(need(8, what, name));
    v = load_u64(data_ + pos_);
    pos_ += 8;
    return Status::ok();
  }
  Status string(std::string_view& s, const char* what, std::string_view name) {
    uint64_t n = 0;
    RINGLM_TRY(u64(n, what, name));
    RINGLM_TRY(need(n, what, name));
    s = std::string_view(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return Status::ok();
  }
  void skip(size_t n) { pos_ += n; }  // only after need(n)

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace

class GgufParser {
 public:
  GgufParser(Span<const uint8_t> bytes, GgufFile& file) : r_(bytes), file_(file) {}

  Status run() {
    uint64_t n_tensors = 0, n_kv = 0;
    RINGLM_TRY(header(n_tensors, n_kv));
    RINGLM_TRY(metadata(n_kv));
    RINGLM_TRY(alignment());
    RINGLM_TRY(tensor_infos(n_tensors));
    RINGLM_TRY(place_tensors());
    return check_overlaps();
  }

 private:
  Status header(uint64_t& n_tensors, uint64_t& n_kv) {
    RINGLM_TRY(r_.need(4, "magic", {}));
    const uint8_t* m = r_.at(0);
    if (std::memcmp(m, kGgufMagic, 4) != 0) {
      RINGLM_CHECK(!(m[0] == 'F' && m[1] == 'U' && m[2] == 'G' && m[3] == 'G'), RINGLM_ERR_UNSUPPORTED,
                   "big-endian GGUF file (magic reads 'FUGG'); ringlm reads little-endian files only");
      return Status::error(RINGLM_ERR_BAD_FORMAT, "not a GGUF file: magic bytes %02x %02x %02x %02x, expected 'GGUF'",
                           m[0], m[1], m[2], m[3]);
    }
    r_.skip(4);
    uint32_t version = 0;
    RINGLM_TRY(r_.u32(version, "version", {}));
    const uint32_t swapped = __builtin_bswap32(version);
    RINGLM_CHECK(!(swapped >= 1 && swapped <= 3), RINGLM_ERR_UNSUPPORTED,
                 "big-endian GGUF file (version field reads 0x%08" PRIx32 " = v%" PRIu32 " byte-swapped); ringlm reads "
                 "little-endian files only",
                 version, swapped);
    RINGLM_CHECK(version != 0, RINGLM_ERR_BAD_FORMAT, "GGUF version 0 is not a valid version");
    RINGLM_CHECK(version != 1, RINGLM_ERR_UNSUPPORTED, "GGUF v1 is not supported (ringlm reads v2 and v3); reconvert the model");
    RINGLM_CHECK(version == 2 || version == 3, RINGLM_ERR_UNSUPPORTED,
                 "GGUF version %" PRIu32 " is not supported (ringlm reads v2 and v3)", version);
    file_.version_ = version;
    RINGLM_TRY(r_.u64(n_tensors, "tensor count", {}));
    RINGLM_TRY(r_.u64(n_kv, "metadata count", {}));

    uint64_t kv_min = 0, tensor_min = 0, total = 0;
    const bool absurd = mul_overflows(n_kv, kMinKVBytes, kv_min) ||
                        mul_overflows(n_tensors, kMinTensorInfoBytes, tensor_min) ||
                        add_overflows(kv_min, tensor_min, total) || total > r_.size() - kHeaderBytes;
    RINGLM_CHECK(!absurd, RINGLM_ERR_BAD_FORMAT,
                 "header declares %llu metadata entries and %llu tensors, more than the %zu bytes after the "
                 "header can hold",
                 ull(n_kv), ull(n_tensors), r_.size() - kHeaderBytes);
    return Status::ok();
  }

  Status metadata(uint64_t n_kv) {
    file_.kvs_.reserve(static_cast<size_t>(std::min<uint64_t>(n_kv, kMaxReserve)));
    for (uint64_t k = 0; k < n_kv; ++k) {
      GgufKV kv;
      kv.offset = r_.pos();
      RINGLM_TRY(r_.string(kv.key, "key of metadata entry", {}));
      uint32_t type_id = 0;
      RINGLM_TRY(r_.u32(type_id, "value type of key", kv.key));
      RINGLM_CHECK(gguf_type_known(type_id), RINGLM_ERR_BAD_FORMAT, "key '%.*s' at offset %zu: unknown value type %" PRIu32,
                   name_len(kv.key), kv.key.data(), kv.offset, type_id);
      kv.value.type = static_cast<GgufType>(type_id);
      RINGLM_TRY(value(kv.value, kv.key, 0));
      auto inserted = file_.kv_index_.emplace(kv.key, file_.kvs_.size());
      RINGLM_CHECK(inserted.second, RINGLM_ERR_BAD_FORMAT, "duplicate metadata key '%.*s' at offsets %zu and %zu",
                   name_len(kv.key), kv.key.data(), file_.kvs_[inserted.first->second].offset, kv.offset);
      file_.kvs_.push_back(kv);
    }
    return Status::ok();
  }

  // Reads one value of v.type; arrays are walked (to find their end) but not decoded.
  Status value(GgufValue& v, std::string_view key, uint32_t depth) {
    const size_t scalar = gguf_scalar_size(v.type);
    if (scalar != 0) {
      RINGLM_TRY(r_.need(scalar, "value of key", key));
      decode_gguf_scalar(v.type, r_.at(r_.pos()), v);
      r_.skip(scalar);
      return Status::ok();
    }
    if (v.type == GgufType::kString) return r_.string(v.str, "string value of key", key);

    RINGLM_CHECK(depth < kMaxArrayDepth, RINGLM_ERR_UNSUPPORTED, "key '%.*s': arrays nested deeper than %" PRIu32,
                 name_len(key), key.data(), kMaxArrayDepth);
    uint32_t elem_id = 0;
    RINGLM_TRY(r_.u32(elem_id, "array element type of key", key));
    RINGLM_CHECK(gguf_type_known(elem_id), RINGLM_ERR_BAD_FORMAT, "key '%.*s': unknown array element type %" PRIu32,
                 name_len(key), key.data(), elem_id);
    v.elem_type = static_cast<GgufType>(elem_id);
    RINGLM_TRY(r_.u64(v.count, "array count of key", key));
    v.data_offset = r_.pos();

    const size_t elem = gguf_scalar_size(v.elem_type);
    if (elem != 0) {
      uint64_t bytes = 0;
      RINGLM_CHECK(!mul_overflows(v.count, elem, bytes), RINGLM_ERR_BAD_FORMAT,
                   "key '%.*s': array of %llu %s elements overflows 64 bits", name_len(key), key.data(),
                   ull(v.count), gguf_type_name(v.elem_type));
      RINGLM_TRY(r_.need(bytes, "array data of key", key));
      r_.skip(static_cast<size_t>(bytes));
    } else {
      // Variable-length elements: each consumes at least 8 bytes or fails, so the loop ends
      // within size/8 steps whatever the count says.
      for (uint64_t e = 0; e < v.count; ++e) {
        GgufValue inner;
        inner.type = v.elem_type;
        RINGLM_TRY(value(inner, key, depth + 1));
      }
    }
    v.data_bytes = r_.pos() - v.data_offset;
    return Status::ok();
  }

  Status alignment() {
    if (!file_.has(kGgufAlignmentKey)) return Status::ok();
    uint32_t a = 0;
    RINGLM_TRY(file_.get_u32(kGgufAlignmentKey, a));
    RINGLM_CHECK(a != 0 && (a & (a - 1)) == 0, RINGLM_ERR_BAD_FORMAT,
                 "general.alignment = %" PRIu32 " is not a nonzero power of two", a);
    file_.alignment_ = a;
    return Status::ok();
  }

  Status tensor_infos(uint64_t n_tensors) {
    file_.tensors_.reserve(static_cast<size_t>(std::min<uint64_t>(n_tensors, kMaxReserve)));
    for (uint64_t t = 0; t < n_tensors; ++t) {
      GgufTensor tensor;
      const size_t info_offset = r_.pos();
      RINGLM_TRY(r_.string(tensor.name, "name of tensor info", {}));
      const std::string_view name = tensor.name;
      auto inserted = file_.tensor_index_.emplace(name, file_.tensors_.size());
      RINGLM_CHECK(inserted.second, RINGLM_ERR_BAD_FORMAT, "duplicate tensor name '%.*s' (second at offset %zu)",
                   name_len(name), name.data(), info_offset);

      RINGLM_TRY(r_.u32(tensor.n_dims, "n_dims of tensor", name));
      RINGLM_CHECK(tensor.n_dims >= 1 && tensor.n_dims <= 4, RINGLM_ERR_BAD_DIMENSIONS,
                   "tensor '%.*s': n_dims = %" PRIu32 ", must be 1..4", name_len(name), name.data(), tensor.n_dims);
      for (uint32_t d = 0; d < tensor.n_dims; ++d) {
        uint64_t dim = 0;
        RINGLM_TRY(r_.u64(dim, "dims of tensor", name));
        RINGLM_CHECK(dim > 0 && dim <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
                     RINGLM_ERR_BAD_DIMENSIONS, "tensor '%.*s': dimension %" PRIu32 " is %llu, must be 1..2^63-1",
                     name_len(name), name.data(), d, ull(dim));
        tensor.ne[d] = static_cast<int64_t>(dim);
      }
      uint32_t type_id = 0;
      RINGLM_TRY(r_.u32(type_id, "type of tensor", name));
      tensor.dtype = static_cast<DType>(type_id);
      const DTypeTraits* traits = dtype_traits(tensor.dtype);
      RINGLM_CHECK(traits != nullptr, RINGLM_ERR_UNSUPPORTED, "tensor '%.*s': type id %" PRIu32 " (%s) is not supported",
                   name_len(name), name.data(), type_id, ggml_type_name(type_id));
      RINGLM_TRY(r_.u64(tensor.offset, "data offset of tensor", name));
      RINGLM_TRY(size_tensor(tensor, *traits));
      file_.tensors_.push_back(tensor);
    }
    return Status::ok();
  }

  // Element count, row bytes and total bytes, all checked for overflow.
  static Status size_tensor(GgufTensor& t, const DTypeTraits& traits) {
    const std::string_view name = t.name;
    int64_t n = 1;
    for (int d = 0; d < 4; ++d) {
      RINGLM_CHECK(!__builtin_mul_overflow(n, t.ne[d], &n), RINGLM_ERR_BAD_DIMENSIONS,
                   "tensor '%.*s': element count %lld x %lld x %lld x %lld overflows 64 bits", name_len(name),
                   name.data(), static_cast<long long>(t.ne[0]), static_cast<long long>(t.ne[1]),
                   static_cast<long long>(t.ne[2]), static_cast<long long>(t.ne[3]));
    }
    const uint64_t cols = static_cast<uint64_t>(t.ne[0]);
    RINGLM_CHECK(cols % traits.block_elems == 0, RINGLM_ERR_BAD_DIMENSIONS,
                 "tensor '%.*s': row length %llu is not a whole number of %s blocks of %zu", name_len(name),
                 name.data(), ull(cols), traits.name, traits.block_elems);
    uint64_t row_bytes = 0, bytes = 0;
    // Rows of a valid tensor never exceed the element count, so these fit unless the dims are absurd.
    RINGLM_CHECK(!mul_overflows(cols / traits.block_elems, traits.block_bytes, row_bytes) &&
                     !mul_overflows(row_bytes, static_cast<uint64_t>(t.rows()), bytes) &&
                     bytes <= std::numeric_limits<size_t>::max(),
                 RINGLM_ERR_BAD_DIMENSIONS, "tensor '%.*s': %lld elements of %s do not fit in memory", name_len(name),
                 name.data(), static_cast<long long>(n), traits.name);
    t.row_bytes = static_cast<size_t>(row_bytes);
    t.bytes = static_cast<size_t>(bytes);
    return Status::ok();
  }

  Status place_tensors() {
    const uint64_t align = file_.alignment_;
    uint64_t start = 0;
    RINGLM_CHECK(!add_overflows(r_.pos(), align - 1, start), RINGLM_ERR_BAD_FORMAT, "data section offset overflows");
    start -= start % align;
    if (file_.tensors_.empty()) {
      // Vocabulary-only files end right after the metadata, without padding.
      file_.data_offset_ = static_cast<size_t>(std::min<uint64_t>(start, r_.size()));
      return Status::ok();
    }
    RINGLM_CHECK(start <= r_.size(), RINGLM_ERR_TRUNCATED,
                 "truncated: data section starts at offset %llu, file ends at byte %zu", ull(start), r_.size());
    file_.data_offset_ = static_cast<size_t>(start);
    for (GgufTensor& t : file_.tensors_) {
      const std::string_view name = t.name;
      RINGLM_CHECK(t.offset % align == 0, RINGLM_ERR_BAD_FORMAT,
                   "tensor '%.*s': offset %llu is not a multiple of the alignment %llu", name_len(name), name.data(),
                   ull(t.offset), ull(align));
      uint64_t begin = 0, end = 0;
      RINGLM_CHECK(!add_overflows(start, t.offset, begin) && !add_overflows(begin, t.bytes, end), RINGLM_ERR_BAD_FORMAT,
                   "tensor '%.*s': offset %llu overflows", name_len(name), name.data(), ull(t.offset));
      RINGLM_CHECK(end <= r_.size(), RINGLM_ERR_TRUNCATED,
                   "truncated: tensor '%.*s' data [%llu, %llu) extends past the end of the file (%zu bytes)",
                   name_len(name), name.data(), ull(begin), ull(end), r_.size());
      t.data = r_.at(static_cast<size_t>(begin));
    }
    return Status::ok();
  }

  Status check_overlaps() const {
    const std::vector<GgufTensor>& ts = file_.tensors_;
    std::vector<size_t> order(ts.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ts[a].offset < ts[b].offset; });
    for (size_t k = 1; k < order.size(); ++k) {
      const GgufTensor& a = ts[order[k - 1]];
      const GgufTensor& b = ts[order[k]];
      RINGLM_CHECK(a.offset + a.bytes <= b.offset, RINGLM_ERR_BAD_FORMAT,
                   "tensors '%.*s' [%llu, +%zu) and '%.*s' [%llu, +%zu) overlap", std::min(name_len(a.name), 48),
                   a.name.data(), ull(a.offset), a.bytes, std::min(name_len(b.name), 48), b.name.data(),
                   ull(b.offset), b.bytes);
    }
    return Status::ok();
  }

  Reader r_;
  GgufFile& file_;
};

Result<GgufFile> GgufFile::parse(Span<const uint8_t> bytes) {
  GgufFile file;
  file.bytes_ = bytes;
  RINGLM_CHECK(bytes.data() != nullptr || bytes.empty(), RINGLM_ERR_INVALID_ARGUMENT, "GGUF bytes are null");
  Status status = GgufParser(bytes, file).run();
  if (!status.is_ok()) return status;
  return file;
}

}  // namespace ringlm
