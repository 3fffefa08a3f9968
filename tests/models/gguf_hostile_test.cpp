// A hostile corpus built from one valid writer output: every truncation, and one targeted
// corruption per check in the parser, each expecting its specific status code; then random byte
// mutations that must never crash or over-read. Each parse gets its own exact-size heap copy so
// AddressSanitizer sees any read past the end.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "models/gguf/gguf_file.h"
#include "devtools/convert/gguf_writer.h"
#include "test_support.h"

using namespace ringlm;

namespace {

using Bytes = std::vector<uint8_t>;

Status parse_copy(const Bytes& bytes, size_t n) {
  Bytes exact(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
  Result<GgufFile> r = GgufFile::parse(Span<const uint8_t>(exact.data(), exact.size()));
  return r.status();
}
Status parse_all(const Bytes& bytes) { return parse_copy(bytes, bytes.size()); }

bool mentions(const Status& s, const std::string& word) {
  return std::string(s.message()).find(word) != std::string::npos;
}

void put_u32(Bytes& b, size_t at, uint32_t v) { store_u32(b.data() + at, v); }
void put_u64(Bytes& b, size_t at, uint64_t v) { store_u64(b.data() + at, v); }

// Position of a length-prefixed string (its 8-byte length) in the file.
size_t find_string(const Bytes& b, const std::string& s) {
  Bytes needle(8);
  store_u64(needle.data(), s.size());
  needle.insert(needle.end(), s.begin(), s.end());
  for (size_t i = 0; i + needle.size() <= b.size(); ++i) {
    if (std::memcmp(b.data() + i, needle.data(), needle.size()) == 0) return i;
  }
  FAIL("string not found: ", s);
  return 0;
}

// Offset of a key's u32 value type; the value follows it.
size_t type_of_key(const Bytes& b, const std::string& key) { return find_string(b, key) + 8 + key.size(); }

struct InfoAt {
  size_t n_dims, dims, type, offset;
};
InfoAt tensor_info(const Bytes& b, const std::string& name, uint32_t n_dims) {
  const size_t n = find_string(b, name) + 8 + name.size();
  return InfoAt{n, n + 4, n + 4 + 8 * n_dims, n + 4 + 8 * n_dims + 4};
}

struct Corpus {
  std::vector<float> w0 = std::vector<float>(32, 1.0f);      // f32 [8, 4]: 128 bytes
  std::vector<uint8_t> w1 = std::vector<uint8_t>(32, 0x3c);  // f16 [16]: 32 bytes
  std::vector<uint8_t> w2 = std::vector<uint8_t>(68, 0x11);  // q8_0 [32, 2]: 68 bytes
  std::vector<float> w3 = std::vector<float>(32, 2.0f);      // f32 [4, 2, 2, 2]: 128 bytes, last
  Bytes bytes;
  uint64_t min_needed = 0;  // header + the smallest possible entries for the declared counts

  Corpus() {
    GgufWriter w;
    REQUIRE(w.set_alignment(32).is_ok());
    REQUIRE(w.add_string("general.architecture", "llama").is_ok());
    REQUIRE(w.add_u32("dup.aa", 1).is_ok());
    REQUIRE(w.add_u32("dup.ab", 2).is_ok());
    REQUIRE(w.add_string_array("v.tokens", std::vector<std::string>{"x", "yy", "zzz"}).is_ok());
    const float scores[] = {1.0f, 2.0f, 3.0f};
    REQUIRE(w.add_f32_array("v.scores", scores).is_ok());
    REQUIRE(w.add_tensor("t.w0", DType::kF32, {8, 4}, w0.data(), 128).is_ok());
    REQUIRE(w.add_tensor("t.w1", DType::kF16, {16}, w1.data(), 32).is_ok());
    REQUIRE(w.add_tensor("t.w2", DType::kQ8_0, {32, 2}, w2.data(), 68).is_ok());
    REQUIRE(w.add_tensor("t.w3", DType::kF32, {4, 2, 2, 2}, w3.data(), 128).is_ok());
    REQUIRE(w.write(bytes).is_ok());
    min_needed = 24 + 6 * 13 + 4 * 32;
    Status s = parse_all(bytes);
    REQUIRE_MESSAGE(s.is_ok(), s.message());
  }
};

}  // namespace

TEST_CASE("gguf hostile: truncated at every byte") {
  Corpus c;
  Result<GgufFile> whole = GgufFile::parse(Span<const uint8_t>(c.bytes.data(), c.bytes.size()));
  REQUIRE(whole.is_ok());
  const GgufTensor* last = whole.value().find_tensor("t.w3");
  REQUIRE(last != nullptr);
  REQUIRE(last->data + last->bytes == c.bytes.data() + c.bytes.size());  // no tail padding to forgive

  for (size_t n = 0; n < c.bytes.size(); ++n) {
    CAPTURE(n);
    Status s = parse_copy(c.bytes, n);
    REQUIRE(!s.is_ok());
    if (n < 24 || n >= c.min_needed) {
      // Cut after the point where the declared counts could still fit: plain truncation.
      CHECK(s.code() == RINGLM_ERR_TRUNCATED);
      CHECK(mentions(s, "truncated"));
      CHECK(mentions(s, std::to_string(n)));  // where the data ran out
    } else {
      // So short that the header's counts cannot fit: reported as an impossible header.
      CHECK((s.code() == RINGLM_ERR_TRUNCATED || s.code() == RINGLM_ERR_BAD_FORMAT));
    }
  }
}

TEST_CASE("gguf hostile: truncated real file, every byte of the metadata and a sample of the data") {
  Bytes bytes = ringlm_test::read_file(ringlm_test::shared_path("models/stories260K.gguf"));
  REQUIRE(!bytes.empty());
  const size_t data_offset = 14176;
  const size_t min_needed = 24 + 19 * 13 + 48 * 32;  // 19 keys, 48 tensors
  for (size_t n = 0; n < bytes.size(); n += (n < data_offset + 64 ? 1 : 4099)) {
    Status s = parse_copy(bytes, n);
    // Checked by hand to keep 15k passing assertions out of the report.
    if (s.is_ok() || ((n < 24 || n >= min_needed) && s.code() != RINGLM_ERR_TRUNCATED)) {
      CAPTURE(n);
      CAPTURE(std::string(s.message()));
      CHECK(s.code() == RINGLM_ERR_TRUNCATED);
    }
  }
}

TEST_CASE("gguf hostile: empty and null input") {
  CHECK(GgufFile::parse(Span<const uint8_t>()).status().code() == RINGLM_ERR_TRUNCATED);
  Bytes one = {'G'};
  CHECK(parse_all(one).code() == RINGLM_ERR_TRUNCATED);
}

TEST_CASE("gguf hostile: magic and version") {
  Corpus c;
  Bytes b = c.bytes;
  b[0] = 'X';
  Status s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "magic"));

  b = c.bytes;
  std::memcpy(b.data(), "FUGG", 4);
  CHECK(parse_all(b).code() == RINGLM_ERR_UNSUPPORTED);

  for (uint32_t version : {1u, 4u, 0xffffffffu}) {
    CAPTURE(version);
    b = c.bytes;
    put_u32(b, 4, version);
    s = parse_all(b);
    CHECK(s.code() == RINGLM_ERR_UNSUPPORTED);
    CHECK((mentions(s, "version") || mentions(s, "v1")));
  }
  b = c.bytes;
  put_u32(b, 4, 0);
  CHECK(parse_all(b).code() == RINGLM_ERR_BAD_FORMAT);

  // A big-endian writer stores version 3 as bytes 00 00 00 03.
  b = c.bytes;
  put_u32(b, 4, 0x03000000u);
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_UNSUPPORTED);
  CHECK(mentions(s, "big-endian"));

  // v2 has the same layout and is accepted.
  b = c.bytes;
  put_u32(b, 4, 2);
  CHECK(parse_all(b).is_ok());
}

TEST_CASE("gguf hostile: absurd tensor and metadata counts") {
  Corpus c;
  for (uint64_t count : {uint64_t(1) << 40, ~uint64_t(0), uint64_t(1) << 62}) {
    CAPTURE(count);
    Bytes b = c.bytes;
    put_u64(b, 8, count);
    Status s = parse_all(b);
    CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
    CHECK(mentions(s, "tensors"));
    b = c.bytes;
    put_u64(b, 16, count);
    s = parse_all(b);
    CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
    CHECK(mentions(s, "metadata"));
  }
}

TEST_CASE("gguf hostile: string lengths past the end of the file") {
  Corpus c;
  const size_t value = type_of_key(c.bytes, "general.architecture") + 4;
  for (uint64_t len : {uint64_t(c.bytes.size()), ~uint64_t(0)}) {
    Bytes b = c.bytes;
    put_u64(b, value, len);
    Status s = parse_all(b);
    CHECK(s.code() == RINGLM_ERR_TRUNCATED);
    CHECK(mentions(s, "general.architecture"));
  }
  Bytes b = c.bytes;
  put_u64(b, find_string(c.bytes, "dup.aa"), ~uint64_t(0));  // a key's own length
  CHECK(parse_all(b).code() == RINGLM_ERR_TRUNCATED);
  b = c.bytes;
  put_u64(b, find_string(c.bytes, "t.w2"), uint64_t(1) << 50);  // a tensor name's length
  CHECK(parse_all(b).code() == RINGLM_ERR_TRUNCATED);
}

TEST_CASE("gguf hostile: huge array counts") {
  Corpus c;
  const size_t scores_count = type_of_key(c.bytes, "v.scores") + 4 + 4;
  Bytes b = c.bytes;
  put_u64(b, scores_count, uint64_t(1) << 62);  // x 4 bytes overflows 64 bits
  Status s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "v.scores"));

  b = c.bytes;
  put_u64(b, scores_count, uint64_t(1) << 40);  // fits in 64 bits, not in the file
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_TRUNCATED);
  CHECK(mentions(s, "v.scores"));

  b = c.bytes;
  put_u64(b, type_of_key(c.bytes, "v.tokens") + 8, ~uint64_t(0));  // strings: walked until the file ends
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_TRUNCATED);
  CHECK(mentions(s, "v.tokens"));
}

TEST_CASE("gguf hostile: unknown metadata value and element types") {
  Corpus c;
  Bytes b = c.bytes;
  put_u32(b, type_of_key(c.bytes, "dup.aa"), 13);
  Status s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "dup.aa"));

  b = c.bytes;
  put_u32(b, type_of_key(c.bytes, "v.scores") + 4, 99);
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "v.scores"));
}

TEST_CASE("gguf hostile: tensor offsets") {
  Corpus c;
  const InfoAt w1 = tensor_info(c.bytes, "t.w1", 1);
  const InfoAt w3 = tensor_info(c.bytes, "t.w3", 4);

  Bytes b = c.bytes;
  put_u64(b, w3.offset, (c.bytes.size() + 31) / 32 * 32);  // aligned, past the end
  Status s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_TRUNCATED);
  CHECK(mentions(s, "t.w3"));

  b = c.bytes;
  put_u64(b, w3.offset, ~uint64_t(31));  // aligned, start + offset overflows
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "t.w3"));

  b = c.bytes;
  put_u64(b, w1.offset, load_u64(c.bytes.data() + w1.offset) + 4);
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "t.w1"));
  CHECK(mentions(s, "alignment"));

  b = c.bytes;
  put_u64(b, w1.offset, 32);  // inside t.w0 [0, 128)
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "overlap"));
  CHECK(mentions(s, "t.w0"));
  CHECK(mentions(s, "t.w1"));
}

TEST_CASE("gguf hostile: tensor dimensions") {
  Corpus c;
  const InfoAt w0 = tensor_info(c.bytes, "t.w0", 2);
  const InfoAt w2 = tensor_info(c.bytes, "t.w2", 2);
  const InfoAt w3 = tensor_info(c.bytes, "t.w3", 4);

  Bytes b = c.bytes;
  for (int d = 1; d < 4; ++d) put_u64(b, w3.dims + 8 * d, uint64_t(1) << 32);  // 4 x 2^96 elements
  Status s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_DIMENSIONS);
  CHECK(mentions(s, "t.w3"));
  CHECK(mentions(s, "overflow"));

  b = c.bytes;
  put_u64(b, w0.dims, uint64_t(1) << 63);  // not an int64
  CHECK(parse_all(b).code() == RINGLM_ERR_BAD_DIMENSIONS);

  b = c.bytes;
  put_u64(b, w0.dims, uint64_t(1) << 62);  // elements fit, bytes (x 4) do not
  CHECK(parse_all(b).code() == RINGLM_ERR_BAD_DIMENSIONS);

  b = c.bytes;
  put_u64(b, w0.dims + 8, 0);
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_DIMENSIONS);
  CHECK(mentions(s, "t.w0"));

  for (uint32_t n_dims : {0u, 5u, 0xffffffffu}) {
    CAPTURE(n_dims);
    b = c.bytes;
    put_u32(b, w0.n_dims, n_dims);
    s = parse_all(b);
    CHECK(s.code() == RINGLM_ERR_BAD_DIMENSIONS);
    CHECK(mentions(s, "n_dims"));
  }

  // q8_0 rows must be whole 32-element blocks: [16, 4] has the same element count as [32, 2].
  b = c.bytes;
  put_u64(b, w2.dims, 16);
  put_u64(b, w2.dims + 8, 4);
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_DIMENSIONS);
  CHECK(mentions(s, "q8_0"));
}

TEST_CASE("gguf hostile: tensor types") {
  Corpus c;
  const InfoAt w0 = tensor_info(c.bytes, "t.w0", 2);
  Bytes b = c.bytes;
  put_u32(b, w0.type, 9999);
  Status s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_UNSUPPORTED);
  CHECK(mentions(s, "t.w0"));
  CHECK(mentions(s, "9999"));

  b = c.bytes;
  put_u32(b, w0.type, 13);  // a real GGML type ringlm does not run
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_UNSUPPORTED);
  CHECK(mentions(s, "q5_k"));
}

TEST_CASE("gguf hostile: general.alignment") {
  Corpus c;
  const size_t type = type_of_key(c.bytes, "general.alignment");
  for (uint32_t alignment : {0u, 3u, 48u}) {
    CAPTURE(alignment);
    Bytes b = c.bytes;
    put_u32(b, type + 4, alignment);
    Status s = parse_all(b);
    CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
    CHECK(mentions(s, "power of two"));
  }
  Bytes b = c.bytes;
  put_u32(b, type, static_cast<uint32_t>(GgufType::kF32));  // same size, wrong type
  Status s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "general.alignment"));

  b = c.bytes;
  put_u32(b, type + 4, 1u << 31);  // valid, but then the data section starts past the end
  CHECK(parse_all(b).code() == RINGLM_ERR_TRUNCATED);
}

TEST_CASE("gguf hostile: duplicates") {
  Corpus c;
  Bytes b = c.bytes;
  b[find_string(c.bytes, "dup.ab") + 8 + 5] = 'a';  // dup.ab -> dup.aa
  Status s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "duplicate"));
  CHECK(mentions(s, "dup.aa"));

  b = c.bytes;
  b[find_string(c.bytes, "t.w1") + 8 + 3] = '0';  // t.w1 -> t.w0
  s = parse_all(b);
  CHECK(s.code() == RINGLM_ERR_BAD_FORMAT);
  CHECK(mentions(s, "duplicate tensor"));
  CHECK(mentions(s, "t.w0"));
}

TEST_CASE("gguf hostile: nested arrays") {
  // header (0 tensors, 1 key) + key "n" = array nested `depth` deep, innermost an empty u32 array.
  auto nested = [](uint32_t depth) {
    Bytes b(24, 0);
    std::memcpy(b.data(), "GGUF", 4);
    store_u32(b.data() + 4, 3);
    store_u64(b.data() + 16, 1);
    auto append_u32 = [&](uint32_t v) { b.resize(b.size() + 4); store_u32(b.data() + b.size() - 4, v); };
    auto append_u64 = [&](uint64_t v) { b.resize(b.size() + 8); store_u64(b.data() + b.size() - 8, v); };
    append_u64(1);
    b.push_back('n');
    append_u32(static_cast<uint32_t>(GgufType::kArray));
    for (uint32_t d = 1; d < depth; ++d) {
      append_u32(static_cast<uint32_t>(GgufType::kArray));
      append_u64(1);
    }
    append_u32(static_cast<uint32_t>(GgufType::kU32));
    append_u64(0);
    return b;
  };
  Bytes two = nested(2);
  Result<GgufFile> r = GgufFile::parse(Span<const uint8_t>(two.data(), two.size()));
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  GgufType elem = GgufType::kU8;
  uint64_t count = 0;
  CHECK(r.value().array_info("n", elem, count).is_ok());
  CHECK(elem == GgufType::kArray);
  CHECK(count == 1);
  std::vector<float> floats;
  CHECK(r.value().f32_array("n", floats).code() == RINGLM_ERR_BAD_FORMAT);

  CHECK(parse_all(nested(8)).is_ok());
  Status s = parse_all(nested(9));
  CHECK(s.code() == RINGLM_ERR_UNSUPPORTED);
  CHECK(mentions(s, "nested"));
  CHECK(parse_all(nested(100000)).code() == RINGLM_ERR_UNSUPPORTED);  // no deep recursion
}

TEST_CASE("gguf hostile: random byte mutations never crash or over-read") {
  Corpus c;
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&]() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  };
  const size_t data_start = c.bytes.size() - 128 - 96 - 32 - 128;  // the metadata and tensor infos
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes b = c.bytes;
    const int flips = 1 + static_cast<int>(next() % 4);
    for (int k = 0; k < flips; ++k) {
      const size_t at = next() % data_start;
      b[at] = (next() & 1) ? static_cast<uint8_t>(next()) : static_cast<uint8_t>(b[at] ^ (1u << (next() % 8)));
    }
    Bytes exact(b);
    Result<GgufFile> r = GgufFile::parse(Span<const uint8_t>(exact.data(), exact.size()));
    if (!r.is_ok()) {
      CHECK(r.status().code() != RINGLM_ERR_INTERNAL);
      continue;
    }
    ++accepted;
    // Whatever was accepted must be internally consistent and readable.
    const GgufFile& f = r.value();
    for (const GgufTensor& t : f.tensors()) {
      REQUIRE(t.data >= exact.data());
      REQUIRE(t.data + t.bytes <= exact.data() + exact.size());
    }
    for (const GgufKV& kv : f.metadata()) {
      if (kv.value.type != GgufType::kArray) continue;
      std::vector<std::string_view> strings;
      std::vector<float> floats;
      std::vector<int32_t> ints;
      (void)f.string_array(kv.key, strings);
      (void)f.f32_array(kv.key, floats);
      (void)f.i32_array(kv.key, ints);
    }
  }
  CHECK(accepted > 0);  // flips inside strings and values leave a valid file: the corpus is not all rejects
}
