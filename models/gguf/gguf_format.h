// The GGUF on-disk layout (v2 and v3, little-endian), shared by the reader and the writer.
//
//   header        u32 magic "GGUF" | u32 version | u64 tensor_count | u64 kv_count
//   kv[kv_count]  string key | u32 value_type | value
//   tensor_info[tensor_count]
//                 string name | u32 n_dims | u64 ne[n_dims] | u32 ggml_type | u64 offset
//   padding       zeros up to a multiple of general.alignment (default 32)
//   data section  tensor bytes at data_start + offset; every offset is a multiple of the alignment
//
//   string = u64 byte length + bytes (no terminator)
//   array  = u32 element type | u64 count | elements (strings and arrays are variable-length)
//   ne[0] is the innermost (row) length; a tensor's row is a whole number of dtype blocks.
//
// All multi-byte fields are little-endian; load_*/store_* below decode them byte by byte, so they
// work on any host and at any (unaligned) address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ringlm {

constexpr uint8_t kGgufMagic[4] = {'G', 'G', 'U', 'F'};
constexpr uint32_t kGgufVersion = 3;  // the version the writer produces
constexpr uint32_t kGgufDefaultAlignment = 32;
constexpr char kGgufAlignmentKey[] = "general.alignment";

// Metadata value types; the numbers are the on-disk ids.
enum class GgufType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

// "u32", "string", ... ; "unknown" for an id outside the enum.
const char* gguf_type_name(GgufType type);
// Bytes of a fixed-size value type; 0 for string, array and unknown ids.
size_t gguf_scalar_size(GgufType type);
bool gguf_type_known(uint32_t id);
bool gguf_type_is_integer(GgufType type);
bool gguf_type_is_signed(GgufType type);

// GGML's name for a tensor type id ("q5_k", "iq2_xs", ...), including types ringlm cannot run,
// so an unsupported file says what it holds; "unknown" otherwise.
const char* ggml_type_name(uint32_t id);

inline uint16_t load_u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t load_u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t load_u64(const uint8_t* p) {
  return static_cast<uint64_t>(load_u32(p)) | (static_cast<uint64_t>(load_u32(p + 4)) << 32);
}
inline float load_f32(const uint8_t* p) {
  uint32_t bits = load_u32(p);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}
inline double load_f64(const uint8_t* p) {
  uint64_t bits = load_u64(p);
  double d;
  std::memcpy(&d, &bits, sizeof(d));
  return d;
}

inline void store_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void store_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace ringlm
