#include "devtools/convert/gguf_copy.h"

#include <cstring>
#include <vector>

namespace ringlm {

namespace {

int clip(std::string_view s) { return static_cast<int>(s.size() < 64 ? s.size() : 64); }

}  // namespace

Status copy_gguf_kv(const GgufFile& from, const GgufKV& kv, GgufWriter& to) {
  const std::string_view key = kv.key;
  const GgufValue& v = kv.value;
  if (key == kGgufAlignmentKey) {
    uint32_t alignment = 0;
    RINGLM_TRY(from.get_u32(key, alignment));
    return to.set_alignment(alignment);
  }
  switch (v.type) {
    case GgufType::kU8: return to.add_u8(key, static_cast<uint8_t>(v.u));
    case GgufType::kI8: return to.add_i8(key, static_cast<int8_t>(v.i));
    case GgufType::kU16: return to.add_u16(key, static_cast<uint16_t>(v.u));
    case GgufType::kI16: return to.add_i16(key, static_cast<int16_t>(v.i));
    case GgufType::kU32: return to.add_u32(key, static_cast<uint32_t>(v.u));
    case GgufType::kI32: return to.add_i32(key, static_cast<int32_t>(v.i));
    case GgufType::kU64: return to.add_u64(key, v.u);
    case GgufType::kI64: return to.add_i64(key, v.i);
    case GgufType::kF32: return to.add_f32(key, static_cast<float>(v.f));  // widened exactly at parse
    case GgufType::kF64: return to.add_f64(key, v.f);
    case GgufType::kBool: return to.add_bool(key, v.u != 0);
    case GgufType::kString: return to.add_string(key, v.str);
    case GgufType::kArray: break;
  }
  if (v.elem_type == GgufType::kString) {
    std::vector<std::string_view> strings;
    RINGLM_TRY(from.string_array(key, strings));
    return to.add_string_array(key, Span<const std::string_view>(strings.data(), strings.size()));
  }
  const size_t elem = gguf_scalar_size(v.elem_type);
  RINGLM_CHECK(elem != 0, RINGLM_ERR_UNSUPPORTED, "metadata key '%.*s': arrays of %s cannot be copied", clip(key),
               key.data(), gguf_type_name(v.elem_type));
  // The file is little-endian; decode each element into a host value of the same width.
  const uint8_t* p = from.bytes().data() + v.data_offset;
  std::vector<uint8_t> host(static_cast<size_t>(v.count) * elem);
  for (uint64_t e = 0; e < v.count; ++e) {
    const uint8_t* src = p + e * elem;
    uint8_t* dst = host.data() + e * elem;
    switch (elem) {
      case 1: dst[0] = src[0]; break;
      case 2: { const uint16_t x = load_u16(src); std::memcpy(dst, &x, 2); break; }
      case 4: { const uint32_t x = load_u32(src); std::memcpy(dst, &x, 4); break; }
      default: { const uint64_t x = load_u64(src); std::memcpy(dst, &x, 8); break; }
    }
  }
  return to.add_array(key, v.elem_type, host.data(), static_cast<size_t>(v.count));
}

Status copy_gguf_metadata(const GgufFile& from, GgufWriter& to, const std::function<bool(std::string_view)>& keep) {
  for (const GgufKV& kv : from.metadata()) {
    if (keep && !keep(kv.key)) continue;
    RINGLM_TRY(copy_gguf_kv(from, kv, to));
  }
  return Status::ok();
}

}  // namespace ringlm
