// copy_gguf_metadata: every value type survives a copy with its type, order and value; the
// alignment carries over; a filter drops keys; arrays of arrays are refused.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "devtools/convert/gguf_copy.h"
#include "models/gguf/gguf_file.h"
#include "devtools/convert/gguf_writer.h"

using namespace ringlm;

namespace {

Result<GgufFile> parse(const std::vector<uint8_t>& b) { return GgufFile::parse(Span<const uint8_t>(b.data(), b.size())); }

}  // namespace

TEST_CASE("gguf copy: every value type, in order, with the alignment; a filter drops keys") {
  GgufWriter src;
  REQUIRE(src.set_alignment(64).is_ok());
  REQUIRE(src.add_u8("a.u8", 200).is_ok());
  REQUIRE(src.add_i8("a.i8", -100).is_ok());
  REQUIRE(src.add_u16("a.u16", 60000).is_ok());
  REQUIRE(src.add_i16("a.i16", -30000).is_ok());
  REQUIRE(src.add_u32("a.u32", 4000000000u).is_ok());
  REQUIRE(src.add_i32("a.i32", -2000000000).is_ok());
  REQUIRE(src.add_u64("a.u64", (1ull << 40) + 3).is_ok());
  REQUIRE(src.add_i64("a.i64", -(1ll << 40)).is_ok());
  REQUIRE(src.add_f32("a.f32", 1.1f).is_ok());
  REQUIRE(src.add_f64("a.f64", -2.2).is_ok());
  REQUIRE(src.add_bool("a.bool", true).is_ok());
  REQUIRE(src.add_string("a.string", "h\xc3\xa9llo").is_ok());
  REQUIRE(src.add_string_array("a.strings", std::vector<std::string>{"x", "", std::string("n\0l", 3)}).is_ok());
  const int16_t shorts[] = {-5, 5, 32767};
  REQUIRE(src.add_array("a.i16s", GgufType::kI16, shorts, 3).is_ok());
  const double doubles[] = {0.1, -1e300};
  REQUIRE(src.add_array("a.f64s", GgufType::kF64, doubles, 2).is_ok());
  const uint64_t longs[] = {1ull << 63};
  REQUIRE(src.add_array("a.u64s", GgufType::kU64, longs, 1).is_ok());
  REQUIRE(src.add_string("drop.me", "gone").is_ok());
  std::vector<uint8_t> src_bytes;
  REQUIRE(src.write(src_bytes).is_ok());
  Result<GgufFile> in = parse(src_bytes);
  REQUIRE(in.is_ok());

  GgufWriter dst;
  REQUIRE(copy_gguf_metadata(in.value(), dst, [](std::string_view k) { return k.substr(0, 5) != "drop."; }).is_ok());
  CHECK(dst.alignment() == 64);
  std::vector<uint8_t> dst_bytes;
  REQUIRE(dst.write(dst_bytes).is_ok());
  // Everything but the dropped last entry: the encoded metadata is byte-identical.
  Result<GgufFile> out = parse(dst_bytes);
  REQUIRE(out.is_ok());
  REQUIRE(out.value().metadata().size() == in.value().metadata().size() - 1);
  for (size_t i = 0; i < out.value().metadata().size(); ++i) {
    const GgufKV& x = in.value().metadata()[i];
    const GgufKV& y = out.value().metadata()[i];
    CAPTURE(x.key);
    CHECK(x.key == y.key);
    CHECK(x.value.type == y.value.type);
    const size_t x_end = i + 1 < in.value().metadata().size() ? in.value().metadata()[i + 1].offset : 0;
    const size_t y_end = i + 1 < out.value().metadata().size() ? out.value().metadata()[i + 1].offset : 0;
    if (x_end != 0 && y_end != 0) {
      REQUIRE(x_end - x.offset == y_end - y.offset);
      CHECK(std::memcmp(src_bytes.data() + x.offset, dst_bytes.data() + y.offset, x_end - x.offset) == 0);
    }
  }
  float f = 0;
  CHECK(out.value().get_f32("a.f32", f).is_ok());
  CHECK(f == 1.1f);
  CHECK(!out.value().has("drop.me"));
}

TEST_CASE("gguf copy: arrays of arrays are refused by name") {
  // Hand-built: one KV "n" = array of 1 array of 0 u8.
  std::vector<uint8_t> b = {'G', 'G', 'U', 'F', 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  auto le = [&b](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  le(1, 8);
  b.push_back('n');
  le(9, 4);  // array
  le(9, 4);  // of arrays
  le(1, 8);  // one element
  le(0, 4);  // inner: u8
  le(0, 8);  // empty
  Result<GgufFile> f = parse(b);
  REQUIRE_MESSAGE(f.is_ok(), f.status().message());
  GgufWriter w;
  const Status s = copy_gguf_metadata(f.value(), w, nullptr);
  CHECK(s.code() == RINGLM_ERR_UNSUPPORTED);
  CHECK(std::string(s.message()).find("'n'") != std::string::npos);
  CHECK(w.n_kv() == 0);
}
