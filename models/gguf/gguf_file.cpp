// GgufFile accessors: typed metadata getters and on-demand array readers. The parser has already
// bounds-checked every value, but the array readers still check each element against the array's
// recorded extent, so a bug elsewhere cannot turn into an over-read.
#include <algorithm>
#include <limits>

#include "models/gguf/gguf_file.h"

namespace ringlm {

namespace {

int key_len(std::string_view s) { return static_cast<int>(std::min<size_t>(s.size(), 64)); }

bool is_any(GgufType) { return true; }
bool is_integer(GgufType t) { return gguf_type_is_integer(t); }
bool is_float(GgufType t) { return t == GgufType::kF32 || t == GgufType::kF64; }
bool is_bool(GgufType t) { return t == GgufType::kBool; }
bool is_string(GgufType t) { return t == GgufType::kString; }

// An integer value as (negative, signed view, unsigned view) so one range check serves every type.
void split_integer(GgufType t, const GgufValue& v, bool& negative, int64_t& s, uint64_t& u) {
  const bool is_signed = gguf_type_is_signed(t);
  negative = is_signed && v.i < 0;
  s = is_signed ? v.i : static_cast<int64_t>(v.u);
  u = is_signed ? static_cast<uint64_t>(v.i) : v.u;
}

// Integer array element `p` of type `t`.
void load_integer(GgufType t, const uint8_t* p, bool& negative, int64_t& s, uint64_t& u) {
  GgufValue v;
  decode_gguf_scalar(t, p, v);
  split_integer(t, v, negative, s, u);
}

bool in_range(bool negative, int64_t s, uint64_t u, int64_t lo, uint64_t hi) {
  return negative ? s >= lo : u <= hi;
}

}  // namespace

void decode_gguf_scalar(GgufType type, const uint8_t* p, GgufValue& v) {
  switch (type) {
    case GgufType::kU8: v.u = p[0]; break;
    case GgufType::kBool: v.u = p[0] != 0; break;
    case GgufType::kI8: v.i = static_cast<int8_t>(p[0]); break;
    case GgufType::kU16: v.u = load_u16(p); break;
    case GgufType::kI16: v.i = static_cast<int16_t>(load_u16(p)); break;
    case GgufType::kU32: v.u = load_u32(p); break;
    case GgufType::kI32: v.i = static_cast<int32_t>(load_u32(p)); break;
    case GgufType::kU64: v.u = load_u64(p); break;
    case GgufType::kI64: v.i = static_cast<int64_t>(load_u64(p)); break;
    case GgufType::kF32: v.f = load_f32(p); break;
    case GgufType::kF64: v.f = load_f64(p); break;
    case GgufType::kString:
    case GgufType::kArray: break;
  }
}

const GgufKV* GgufFile::find(std::string_view key) const {
  auto it = kv_index_.find(key);
  return it == kv_index_.end() ? nullptr : &kvs_[it->second];
}

const GgufTensor* GgufFile::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

Status GgufFile::find_typed(std::string_view key, const char* expected, bool (*accepts)(GgufType),
                            const GgufValue*& out) const {
  const GgufKV* kv = find(key);
  RINGLM_CHECK(kv != nullptr, RINGLM_ERR_BAD_FORMAT, "missing metadata key '%.*s'", key_len(key), key.data());
  RINGLM_CHECK(accepts(kv->value.type), RINGLM_ERR_BAD_FORMAT, "metadata key '%.*s': expected %s, found %s",
               key_len(key), key.data(), expected, gguf_type_name(kv->value.type));
  out = &kv->value;
  return Status::ok();
}

Status GgufFile::get_integer(std::string_view key, int64_t lo, uint64_t hi, const char* expected, int64_t& s,
                             uint64_t& u, bool& negative) const {
  const GgufValue* v = nullptr;
  RINGLM_TRY(find_typed(key, expected, is_integer, v));
  split_integer(v->type, *v, negative, s, u);
  if (in_range(negative, s, u, lo, hi)) return Status::ok();
  if (negative) {
    return Status::error(RINGLM_ERR_BAD_FORMAT, "metadata key '%.*s' = %lld is out of range for %s", key_len(key),
                         key.data(), static_cast<long long>(s), expected);
  }
  return Status::error(RINGLM_ERR_BAD_FORMAT, "metadata key '%.*s' = %llu is out of range for %s", key_len(key),
                       key.data(), static_cast<unsigned long long>(u), expected);
}

Status GgufFile::get_u32(std::string_view key, uint32_t& out) const {
  int64_t s = 0;
  uint64_t u = 0;
  bool negative = false;
  RINGLM_TRY(get_integer(key, 0, std::numeric_limits<uint32_t>::max(), "u32", s, u, negative));
  out = static_cast<uint32_t>(u);
  return Status::ok();
}

Status GgufFile::get_i32(std::string_view key, int32_t& out) const {
  int64_t s = 0;
  uint64_t u = 0;
  bool negative = false;
  RINGLM_TRY(get_integer(key, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), "i32", s, u,
                         negative));
  out = static_cast<int32_t>(s);
  return Status::ok();
}

Status GgufFile::get_u64(std::string_view key, uint64_t& out) const {
  int64_t s = 0;
  uint64_t u = 0;
  bool negative = false;
  RINGLM_TRY(get_integer(key, 0, std::numeric_limits<uint64_t>::max(), "u64", s, u, negative));
  out = u;
  return Status::ok();
}

Status GgufFile::get_f32(std::string_view key, float& out) const {
  const GgufValue* v = nullptr;
  RINGLM_TRY(find_typed(key, "f32", is_float, v));
  out = static_cast<float>(v->f);
  return Status::ok();
}

Status GgufFile::get_bool(std::string_view key, bool& out) const {
  const GgufValue* v = nullptr;
  RINGLM_TRY(find_typed(key, "bool", is_bool, v));
  out = v->u != 0;
  return Status::ok();
}

Status GgufFile::get_string(std::string_view key, std::string_view& out) const {
  const GgufValue* v = nullptr;
  RINGLM_TRY(find_typed(key, "string", is_string, v));
  out = v->str;
  return Status::ok();
}

Status GgufFile::find_array(std::string_view key, const char* expected, bool (*accepts)(GgufType),
                            const GgufValue*& out) const {
  const GgufValue* v = nullptr;
  RINGLM_TRY(find_typed(key, expected, [](GgufType t) { return t == GgufType::kArray; }, v));
  RINGLM_CHECK(accepts(v->elem_type), RINGLM_ERR_BAD_FORMAT, "metadata key '%.*s': expected %s, found array of %s",
               key_len(key), key.data(), expected, gguf_type_name(v->elem_type));
  out = v;
  return Status::ok();
}

Status GgufFile::array_info(std::string_view key, GgufType& elem_type, uint64_t& count) const {
  const GgufValue* v = nullptr;
  RINGLM_TRY(find_array(key, "array", is_any, v));
  elem_type = v->elem_type;
  count = v->count;
  return Status::ok();
}

Status GgufFile::string_array(std::string_view key, std::vector<std::string_view>& out) const {
  const GgufValue* v = nullptr;
  RINGLM_TRY(find_array(key, "array of string", is_string, v));
  out.clear();
  out.reserve(static_cast<size_t>(std::min<uint64_t>(v->count, v->data_bytes / 8)));
  const uint8_t* p = bytes_.data() + v->data_offset;
  size_t left = v->data_bytes;
  for (uint64_t e = 0; e < v->count; ++e) {
    RINGLM_CHECK(left >= 8 && load_u64(p) <= left - 8, RINGLM_ERR_INTERNAL,
                 "metadata key '%.*s': string %llu runs past the array", key_len(key), key.data(),
                 static_cast<unsigned long long>(e));
    const size_t n = static_cast<size_t>(load_u64(p));
    out.emplace_back(reinterpret_cast<const char*>(p + 8), n);
    p += 8 + n;
    left -= 8 + n;
  }
  return Status::ok();
}

Status GgufFile::f32_array(std::string_view key, std::vector<float>& out) const {
  const GgufValue* v = nullptr;
  RINGLM_TRY(find_array(key, "array of f32", is_float, v));
  const size_t elem = gguf_scalar_size(v->elem_type);
  RINGLM_CHECK(v->count <= v->data_bytes / elem, RINGLM_ERR_INTERNAL, "metadata key '%.*s': array extent mismatch",
               key_len(key), key.data());
  out.resize(static_cast<size_t>(v->count));
  const uint8_t* p = bytes_.data() + v->data_offset;
  for (size_t e = 0; e < out.size(); ++e, p += elem) {
    out[e] = v->elem_type == GgufType::kF32 ? load_f32(p) : static_cast<float>(load_f64(p));
  }
  return Status::ok();
}

Status GgufFile::i32_array(std::string_view key, std::vector<int32_t>& out) const {
  const GgufValue* v = nullptr;
  RINGLM_TRY(find_array(key, "array of i32", is_integer, v));
  const size_t elem = gguf_scalar_size(v->elem_type);
  RINGLM_CHECK(v->count <= v->data_bytes / elem, RINGLM_ERR_INTERNAL, "metadata key '%.*s': array extent mismatch",
               key_len(key), key.data());
  out.resize(static_cast<size_t>(v->count));
  const uint8_t* p = bytes_.data() + v->data_offset;
  for (size_t e = 0; e < out.size(); ++e, p += elem) {
    bool negative = false;
    int64_t s = 0;
    uint64_t u = 0;
    load_integer(v->elem_type, p, negative, s, u);
    RINGLM_CHECK(in_range(negative, s, u, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()),
                 RINGLM_ERR_BAD_FORMAT, "metadata key '%.*s': element %zu is out of range for i32", key_len(key),
                 key.data(), e);
    out[e] = static_cast<int32_t>(s);
  }
  return Status::ok();
}

}  // namespace ringlm
