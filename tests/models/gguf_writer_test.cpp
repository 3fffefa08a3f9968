// GgufWriter round trips: metadata of every type and tensors of several dtypes come back from the
// parser with identical values and bytes, at the default and a non-default alignment.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "models/gguf/gguf_file.h"
#include "devtools/convert/gguf_writer.h"
#include "test_support.h"

using namespace ringlm;

namespace {

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

Result<GgufFile> parse(const std::vector<uint8_t>& bytes) {
  return GgufFile::parse(Span<const uint8_t>(bytes.data(), bytes.size()));
}

struct Fixture {
  std::vector<float> f32 = {1.0f, -2.5f, 3.25f, 0.0f, 5.5f, -6.0f, 7.0f, 8.125f, 9.0f, 10.0f, -11.0f, 12.0f};
  std::vector<uint8_t> f16 = pattern(8 * 2, 1);
  std::vector<uint8_t> q8 = pattern(2 * 34 * 2, 2);  // [64, 2]: 2 blocks per row, 2 rows
  std::vector<uint8_t> q4 = pattern(18, 3);          // [32]
  std::vector<uint8_t> bf16 = pattern(4 * 3 * 2 * 2 * 2, 4);  // [4, 3, 2, 2]

  void fill(GgufWriter& w) {
    REQUIRE(w.add_u8("t.u8", 200).is_ok());
    REQUIRE(w.add_i8("t.i8", -100).is_ok());
    REQUIRE(w.add_u16("t.u16", 60000).is_ok());
    REQUIRE(w.add_i16("t.i16", -30000).is_ok());
    REQUIRE(w.add_u32("t.u32", 4000000000u).is_ok());
    REQUIRE(w.add_i32("t.i32", -2000000000).is_ok());
    REQUIRE(w.add_u64("t.u64", (1ull << 40) + 3).is_ok());
    REQUIRE(w.add_i64("t.i64", -(1ll << 40)).is_ok());
    REQUIRE(w.add_f32("t.f32", 1.5f).is_ok());
    REQUIRE(w.add_f64("t.f64", -2.25).is_ok());
    REQUIRE(w.add_bool("t.bool", true).is_ok());
    REQUIRE(w.add_string("t.string", "h\xc3\xa9llo").is_ok());
    REQUIRE(w.add_string("t.empty", "").is_ok());
    REQUIRE(w.add_string_array("t.strings", std::vector<std::string>{"a", "", "ccc", std::string("n\0ul", 4)}).is_ok());
    const int32_t ints[] = {-1, 0, 7, 2147483647};
    REQUIRE(w.add_i32_array("t.i32s", ints).is_ok());
    const uint32_t uints[] = {1, 4000000000u};
    REQUIRE(w.add_u32_array("t.u32s", uints).is_ok());
    const float floats[] = {0.5f, -1.0f, 3.0e38f};
    REQUIRE(w.add_f32_array("t.f32s", floats).is_ok());
    const int16_t shorts[] = {-5, 5};
    REQUIRE(w.add_array("t.i16s", GgufType::kI16, shorts, 2).is_ok());
    REQUIRE(w.add_f32_array("t.nothing", Span<const float>()).is_ok());

    REQUIRE(w.add_tensor("w.f32", DType::kF32, {4, 3}, f32.data(), f32.size() * 4).is_ok());
    REQUIRE(w.add_tensor("w.f16", DType::kF16, {8}, f16.data(), f16.size()).is_ok());
    REQUIRE(w.add_tensor("w.q8_0", DType::kQ8_0, {64, 2}, q8.data(), q8.size()).is_ok());
    REQUIRE(w.add_tensor("w.q4_0", DType::kQ4_0, {32}, q4.data(), q4.size()).is_ok());
    REQUIRE(w.add_tensor("w.bf16", DType::kBF16, {4, 3, 2, 2}, bf16.data(), bf16.size()).is_ok());
  }

  void check(const GgufFile& f, uint32_t alignment) {
    uint32_t u32 = 0;
    int32_t i32 = 0;
    uint64_t u64 = 0;
    float fl = 0;
    bool b = false;
    std::string_view s;
    CHECK(f.get_u32("t.u8", u32).is_ok());
    CHECK(u32 == 200);
    CHECK(f.get_i32("t.i8", i32).is_ok());
    CHECK(i32 == -100);
    CHECK(f.get_u32("t.u16", u32).is_ok());
    CHECK(u32 == 60000);
    CHECK(f.get_i32("t.i16", i32).is_ok());
    CHECK(i32 == -30000);
    CHECK(f.get_u32("t.u32", u32).is_ok());
    CHECK(u32 == 4000000000u);
    CHECK(f.get_i32("t.i32", i32).is_ok());
    CHECK(i32 == -2000000000);
    CHECK(f.get_u64("t.u64", u64).is_ok());
    CHECK(u64 == (1ull << 40) + 3);
    CHECK(f.find("t.i64")->value.i == -(1ll << 40));
    CHECK(f.get_f32("t.f32", fl).is_ok());
    CHECK(fl == 1.5f);
    CHECK(f.get_f32("t.f64", fl).is_ok());
    CHECK(fl == -2.25f);
    CHECK(f.find("t.f64")->value.type == GgufType::kF64);
    CHECK(f.get_bool("t.bool", b).is_ok());
    CHECK(b);
    CHECK(f.get_string("t.string", s).is_ok());
    CHECK(s == "h\xc3\xa9llo");
    CHECK(f.get_string("t.empty", s).is_ok());
    CHECK(s.empty());

    std::vector<std::string_view> strings;
    REQUIRE(f.string_array("t.strings", strings).is_ok());
    REQUIRE(strings.size() == 4);
    CHECK(strings[0] == "a");
    CHECK(strings[1].empty());
    CHECK(strings[2] == "ccc");
    CHECK(strings[3] == std::string_view("n\0ul", 4));
    std::vector<int32_t> ints;
    REQUIRE(f.i32_array("t.i32s", ints).is_ok());
    CHECK(ints == std::vector<int32_t>{-1, 0, 7, 2147483647});
    CHECK(f.i32_array("t.i16s", ints).is_ok());
    CHECK(ints == std::vector<int32_t>{-5, 5});
    Status too_big = f.i32_array("t.u32s", ints);  // 4e9 does not fit in i32
    CHECK(too_big.code() == RINGLM_ERR_BAD_FORMAT);
    std::vector<float> floats;
    REQUIRE(f.f32_array("t.f32s", floats).is_ok());
    CHECK(floats == std::vector<float>{0.5f, -1.0f, 3.0e38f});
    REQUIRE(f.f32_array("t.nothing", floats).is_ok());
    CHECK(floats.empty());

    // Range checks on integer getters.
    CHECK(f.get_u32("t.i8", u32).code() == RINGLM_ERR_BAD_FORMAT);   // negative
    CHECK(f.get_u32("t.u64", u32).code() == RINGLM_ERR_BAD_FORMAT);  // > 2^32
    CHECK(f.get_i32("t.u32", i32).code() == RINGLM_ERR_BAD_FORMAT);  // > 2^31
    CHECK(f.get_u64("t.i64", u64).code() == RINGLM_ERR_BAD_FORMAT);  // negative
    Status wrong = f.get_bool("t.string", b);
    CHECK(wrong.code() == RINGLM_ERR_BAD_FORMAT);
    CHECK(std::string(wrong.message()).find("expected bool, found string") != std::string::npos);

    CHECK(f.alignment() == alignment);
    CHECK(f.data_offset() % alignment == 0);
    REQUIRE(f.tensors().size() == 5);
    const char* order[] = {"w.f32", "w.f16", "w.q8_0", "w.q4_0", "w.bf16"};
    for (size_t i = 0; i < 5; ++i) {
      CHECK(f.tensors()[i].name == order[i]);
      CHECK(f.tensors()[i].offset % alignment == 0);
    }

    const GgufTensor* t = f.find_tensor("w.f32");
    REQUIRE(t != nullptr);
    CHECK(t->dtype == DType::kF32);
    CHECK(t->view().rows == 3);
    CHECK(t->view().cols == 4);
    CHECK(std::memcmp(t->data, f32.data(), f32.size() * 4) == 0);
    t = f.find_tensor("w.f16");
    REQUIRE(t != nullptr);
    CHECK(t->dtype == DType::kF16);
    CHECK(std::memcmp(t->data, f16.data(), f16.size()) == 0);
    t = f.find_tensor("w.q8_0");
    REQUIRE(t != nullptr);
    CHECK(t->dtype == DType::kQ8_0);
    CHECK(t->view().row_bytes == 68);
    CHECK(t->view().rows == 2);
    CHECK(t->bytes == q8.size());
    CHECK(std::memcmp(t->data, q8.data(), q8.size()) == 0);
    t = f.find_tensor("w.q4_0");
    REQUIRE(t != nullptr);
    CHECK(std::memcmp(t->data, q4.data(), q4.size()) == 0);
    t = f.find_tensor("w.bf16");
    REQUIRE(t != nullptr);
    CHECK(t->n_dims == 4);
    CHECK(t->ne[3] == 2);
    CHECK(t->view().rows == 12);
    CHECK(std::memcmp(t->data, bf16.data(), bf16.size()) == 0);
  }
};

}  // namespace

TEST_CASE("gguf writer: round trip at the default alignment") {
  Fixture fx;
  GgufWriter w;
  fx.fill(w);
  std::vector<uint8_t> bytes;
  REQUIRE(w.write(bytes).is_ok());
  CHECK(bytes.size() == w.file_size());
  Result<GgufFile> r = parse(bytes);
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  CHECK(r.value().version() == 3);
  CHECK(!r.value().has("general.alignment"));
  CHECK(r.value().metadata().size() == w.n_kv());
  fx.check(r.value(), 32);
}

TEST_CASE("gguf writer: round trip at alignments 1, 8 and 256") {
  for (uint32_t alignment : {1u, 8u, 256u}) {
    CAPTURE(alignment);
    Fixture fx;
    GgufWriter w;
    REQUIRE(w.set_alignment(alignment).is_ok());
    fx.fill(w);
    std::vector<uint8_t> bytes;
    REQUIRE(w.write(bytes).is_ok());
    Result<GgufFile> r = parse(bytes);
    REQUIRE_MESSAGE(r.is_ok(), r.status().message());
    uint32_t stored = 0;
    CHECK(r.value().get_u32("general.alignment", stored).is_ok());
    CHECK(stored == alignment);
    fx.check(r.value(), alignment);
  }
}

TEST_CASE("gguf writer: write_file writes the same bytes and reports I/O errors") {
  Fixture fx;
  GgufWriter w;
  fx.fill(w);
  std::vector<uint8_t> in_memory;
  REQUIRE(w.write(in_memory).is_ok());
  const std::string path = ringlm_test::write_temp_file("gguf_writer_roundtrip.gguf", {});
  Status s = w.write_file(path);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  CHECK(ringlm_test::read_file(path) == in_memory);
  std::remove(path.c_str());

  Status bad = w.write_file("/nonexistent-ringlm-dir/out.gguf");
  CHECK(bad.code() == RINGLM_ERR_IO);
  CHECK(std::string(bad.message()).find("/nonexistent-ringlm-dir/out.gguf") != std::string::npos);
}

TEST_CASE("gguf writer: write_file writes through a symlink and refuses a FIFO or a folder") {
  Fixture fx;
  GgufWriter w;
  fx.fill(w);
  std::vector<uint8_t> in_memory;
  REQUIRE(w.write(in_memory).is_ok());
  const std::string target = ringlm_test::write_temp_file("gguf_writer_target.gguf", {1, 2, 3});
  const std::string link = target + ".link";
  std::remove(link.c_str());
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  const Status s = w.write_file(link);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  struct stat st;
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));  // the link stays, its target has the new bytes
  CHECK(ringlm_test::read_file(target) == in_memory);

  const std::string fifo = target + ".fifo";
  std::remove(fifo.c_str());
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  const std::string folder = target + ".folder";
  ::rmdir(folder.c_str());
  REQUIRE(::mkdir(folder.c_str(), 0755) == 0);
  for (const std::string& bad : {fifo, folder}) {
    CAPTURE(bad);
    const Status refused = w.write_file(bad);
    CHECK(refused.code() == RINGLM_ERR_IO);
    CHECK(std::string(refused.message()).find("will not write '" + bad + "'") != std::string::npos);
  }
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));  // left as it was, and no .part beside it
  CHECK(::access((fifo + ".part").c_str(), F_OK) != 0);
  for (const std::string& p : {link, target, fifo}) std::remove(p.c_str());
  ::rmdir(folder.c_str());
}

TEST_CASE("gguf writer: an empty file and a metadata-only file parse") {
  GgufWriter empty;
  std::vector<uint8_t> bytes;
  REQUIRE(empty.write(bytes).is_ok());
  CHECK(bytes.size() == 32);  // 24-byte header padded to the alignment
  Result<GgufFile> r = parse(bytes);
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  CHECK(r.value().metadata().empty());
  CHECK(r.value().tensors().empty());
}

TEST_CASE("gguf writer: rejects bad input without writing half an entry") {
  GgufWriter w;
  float data[32] = {};
  REQUIRE(w.add_u32("k", 1).is_ok());
  CHECK(w.add_string("k", "again").code() == RINGLM_ERR_INVALID_ARGUMENT);  // duplicate key
  CHECK(w.add_u32("", 1).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(w.set_alignment(0).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(w.set_alignment(3).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(w.add_u8("general.alignment", 32).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(w.add_tensor("x", DType::kF32, {4}, data, 12).code() == RINGLM_ERR_INVALID_ARGUMENT);  // needs 16
  CHECK(w.add_tensor("x", DType::kQ8_0, {16}, data, 17).code() == RINGLM_ERR_INVALID_ARGUMENT);  // half a block
  CHECK(w.add_tensor("x", DType::kF32, {0}, data, 0).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(w.add_tensor("x", DType::kF32, {1, 1, 1, 1, 1}, data, 4).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(w.add_tensor("x", static_cast<DType>(3), {32}, data, 20).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(w.add_tensor(std::string(64, 'n'), DType::kF32, {1}, data, 4).code() == RINGLM_ERR_INVALID_ARGUMENT);
  REQUIRE(w.add_tensor("x", DType::kF32, {32}, data, sizeof(data)).is_ok());
  CHECK(w.add_tensor("x", DType::kF32, {32}, data, sizeof(data)).code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(w.set_alignment(64).code() == RINGLM_ERR_INVALID_STATE);  // after a tensor

  // Only the valid additions made it into the file.
  std::vector<uint8_t> bytes;
  REQUIRE(w.write(bytes).is_ok());
  Result<GgufFile> r = parse(bytes);
  REQUIRE_MESSAGE(r.is_ok(), r.status().message());
  CHECK(r.value().metadata().size() == 1);
  CHECK(r.value().tensors().size() == 1);
}

TEST_CASE("gguf writer: filled tensors are produced at write time, one at a time, with progress") {
  // The same tensors once by pointer and once through TensorFill give the same bytes.
  std::vector<uint8_t> a = pattern(4 * 3 * 4, 9), b = pattern(2 * 34, 11);
  GgufWriter by_pointer, by_fill;
  REQUIRE(by_pointer.add_tensor("a", DType::kF32, {4, 3}, a.data(), a.size()).is_ok());
  REQUIRE(by_pointer.add_tensor("b", DType::kQ8_0, {64}, b.data(), b.size()).is_ok());
  size_t calls = 0;
  auto fill_from = [&](const std::vector<uint8_t>& src) {
    return [&calls, &src](void* dst, size_t bytes) {
      ++calls;
      REQUIRE(bytes == src.size());
      std::memcpy(dst, src.data(), bytes);
      return Status::ok();
    };
  };
  const int64_t dims_a[] = {4, 3}, dims_b[] = {64};
  REQUIRE(by_fill.add_tensor("a", DType::kF32, Span<const int64_t>(dims_a, 2), fill_from(a)).is_ok());
  REQUIRE(by_fill.add_tensor("b", DType::kQ8_0, Span<const int64_t>(dims_b, 1), fill_from(b)).is_ok());
  CHECK(calls == 0);  // nothing produced before the write
  CHECK(by_fill.file_size() == by_pointer.file_size());
  CHECK(GgufWriter::tensor_bytes(DType::kQ8_0, Span<const int64_t>(dims_b, 1)) == 68);
  CHECK(GgufWriter::tensor_bytes(DType::kQ4_K, Span<const int64_t>(dims_b, 1)) == 0);  // 64 is not a 256-block

  std::vector<uint8_t> expected, got;
  REQUIRE(by_pointer.write(expected).is_ok());
  std::vector<uint64_t> progress;
  REQUIRE(by_fill
              .write(got,
                     [&](size_t done, size_t n, uint64_t bytes_done, uint64_t total) {
                       CHECK(n == 2);
                       CHECK(total == a.size() + b.size());
                       progress.push_back(done * 1000 + bytes_done);
                     })
              .is_ok());
  CHECK(calls == 2);
  CHECK(got == expected);
  CHECK(progress == std::vector<uint64_t>{1000 + a.size(), 2000 + a.size() + b.size()});

  // A failing fill aborts write_file with its own error, naming the tensor; nothing is left behind
  // and a file already at the path is untouched.
  GgufWriter failing;
  REQUIRE(failing.add_tensor("ok", DType::kF32, {4, 3}, a.data(), a.size()).is_ok());
  REQUIRE(failing
              .add_tensor("bad", DType::kQ8_0, Span<const int64_t>(dims_b, 1),
                          [](void*, size_t) { return Status::error(RINGLM_ERR_INVALID_ARGUMENT, "not finite"); })
              .is_ok());
  const std::string path = ringlm_test::write_temp_file("gguf_writer_fill_fail.gguf", {1, 2, 3});
  const Status s = failing.write_file(path);
  CHECK(s.code() == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(std::string(s.message()).find("'bad'") != std::string::npos);
  CHECK(std::string(s.message()).find("not finite") != std::string::npos);
  CHECK(ringlm_test::read_file(path) == std::vector<uint8_t>{1, 2, 3});
  CHECK(ringlm_test::read_file(path + ".part").empty());
  std::remove(path.c_str());

  GgufWriter w;
  CHECK(w.add_tensor("x", DType::kF32, Span<const int64_t>(dims_a, 2), TensorFill()).code() ==
        RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(w.add_tensor("x", DType::kQ4_K, Span<const int64_t>(dims_b, 1), fill_from(b)).code() ==
        RINGLM_ERR_INVALID_ARGUMENT);  // 64 is not a whole Q4_K block
  CHECK(w.n_tensors() == 0);
}
