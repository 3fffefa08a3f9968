// matmul's batched paths (bf16 GEMM on rounded operands; dequantized f32 tiles through the f32
// GEMM or sgemm)
// against a double-precision reference built from the same operands, and across thread counts.
#include "runtime/matmul.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "simd/kernels.h"
#include "simd/quant/dequantize.h"
#include "simd/quant/fp16.h"
#include "simd/quant/quantize.h"
#include "test_support.h"

using namespace ringlm;

namespace {

struct Weights {
  std::vector<uint8_t> bytes;
  TensorView view;
};

Weights random_weights(DType type, int64_t rows, int64_t cols, std::mt19937& rng) {
  std::normal_distribution<float> nd(0.0f, 0.5f);
  Weights w;
  const size_t row_bytes = dtype_row_bytes(type, cols);
  w.bytes.resize(row_bytes * static_cast<size_t>(rows));
  std::vector<float> row(static_cast<size_t>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    for (float& v : row) v = nd(rng);
    REQUIRE(quantize_row(type, row.data(), w.bytes.data() + static_cast<size_t>(r) * row_bytes, cols).is_ok());
  }
  w.view.dtype = type;
  w.view.rows = rows;
  w.view.cols = cols;
  w.view.row_bytes = row_bytes;
  w.view.data = w.bytes.data();
  return w;
}

// MatmulScratch with its buffers for n_tokens of cols activations and `threads` tiles; the bf16
// activation buffer only when bf16 is set.
struct Scratch {
  std::vector<BlockQ8_0> xq;
  std::vector<float> tiles;
  std::vector<uint16_t> xb;
  std::vector<uint8_t> xp;
  MatmulScratch s;
  Scratch(size_t n_tokens, int64_t cols, int threads, bool bf16 = true)
      : xq(n_tokens * static_cast<size_t>(cols) / 32),
        xb(n_tokens * static_cast<size_t>(cols)),
        xp(q8_packed_bytes(n_tokens, static_cast<size_t>(cols) / 32)) {
    s.xq = xq.data();
    s.tile_floats = gemm_tile_floats(cols);
    tiles.resize(s.tile_floats * static_cast<size_t>(threads) + 1);
    s.tiles = s.tile_floats > 0 ? tiles.data() : nullptr;
    s.xb = bf16 ? xb.data() : nullptr;
    s.xp = bf16 ? xp.data() : nullptr;  // the runs without bf16 activations go without these too
  }
};

}  // namespace

TEST_CASE("matmul: batched non-f32 weights (dequantized tiles) equal the dequantized reference") {
  std::mt19937 rng(7);
  // 75 rows: tiles of kGemmTileRows plus a partial one; 12 tokens >= kGemmMinTokens.
  const int64_t rows = 75, cols = 256;
  const size_t n_tokens = 12;
  std::vector<float> x(n_tokens * cols);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (float& v : x) v = nd(rng);

  for (DType type : {DType::kBF16, DType::kQ8_0, DType::kQ4_K, DType::kQ4_0, DType::kQ6_K}) {
    CAPTURE(static_cast<int>(type));
    Weights w = random_weights(type, rows, cols, rng);
    for (int run = 0; run < 6; ++run) {
      const int threads = 1 + run / 2;
      const bool bf16_scratch = run % 2 == 0;  // with and without the bf16 activation buffer
      CAPTURE(threads);
      CAPTURE(bf16_scratch);
      if (ringlm_test::kSingleThreaded && threads > 1) continue;
      ThreadPool pool;
      REQUIRE(pool.start(threads).is_ok());
      Scratch buffers(n_tokens, cols, threads, bf16_scratch);
      const MatmulScratch& scratch = buffers.s;
      std::vector<float> y(n_tokens * rows, NAN);
      matmul(w.view, x.data(), n_tokens, y.data(), scratch, pool);

      // The bf16 GEMM (when the CPU has one) multiplies operands rounded to bf16: the reference
      // rounds them the same way, so what is checked is the GEMM itself, to f32 summation error.
      const bool bf16_path = bf16_scratch && gemm_uses_bf16(type) && (type == DType::kBF16 || scratch.tiles != nullptr);
      auto operand = [&](float v) { return bf16_path ? bf16_to_f32(f32_to_bf16(v)) : v; };
      std::vector<float> deq(static_cast<size_t>(cols));
      double worst = 0;
      for (int64_t r = 0; r < rows; ++r) {
        dequantize_row(type, w.view.row(r), deq.data(), cols);
        for (size_t t = 0; t < n_tokens; ++t) {
          double ref = 0, mag = 0;
          for (int64_t i = 0; i < cols; ++i) {
            const double prod = static_cast<double>(operand(deq[i])) * operand(x[t * cols + i]);
            ref += prod;
            mag += std::fabs(prod);
          }
          worst = std::max(worst, std::fabs(y[t * rows + r] - ref) / (mag + 1e-30));
        }
      }
      // bf16 GEMM, f32 GEMM or BLAS: f32 sums (error ~ cols * 2^-24 of the magnitude).
      // Neither: integer types use Q8_0 activations, error bounded by their rounding (2^-8).
      // The int8 GEMM, like the integer matvec, multiplies Q8_0 activations.
      const PrefillGemm gemm = active_prefill_gemm();
      const bool q8_gemm = gemm_uses_q8(type) && scratch.xp != nullptr && scratch.tiles != nullptr;
      const bool own_f32 = has_prefill_gemm(active_kernels(), PrefillGemm::kF32);  // with int8: the other types
      const bool f32_tiles = !q8_gemm && scratch.tiles != nullptr &&
                             (matmul_has_blas() || gemm == PrefillGemm::kF32 || (gemm == PrefillGemm::kInt8 && own_f32));
      CHECK(worst < (bf16_path || f32_tiles || type == DType::kBF16 ? 1e-5 : 1.5e-2));
    }
  }
}

TEST_CASE("matmul: the int8 GEMM path equals the kernel reference on the same quantized tokens, bit for bit") {
  // Where the set prefers it (AVX512-VNNI on Intel; RINGLM_GEMM=int8), integer-type prefill goes
  // through quantize, pack and gemm_q8 in 32-row tiles split between threads: the result must be
  // the reference's over the whole matrix, whatever the split.
  if (!gemm_uses_q8(DType::kQ8_0)) {
    MESSAGE("this kernel set has no int8 prefill GEMM in use: nothing to check");
    return;
  }
  std::mt19937 rng(29);
  const int64_t rows = 75, cols = 512;
  for (size_t n_tokens : {size_t{8}, size_t{17}, size_t{40}}) {
    std::vector<float> x(n_tokens * cols);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (float& v : x) v = nd(rng);
    std::vector<BlockQ8_0> xq(n_tokens * cols / 32);
    for (size_t t = 0; t < n_tokens; ++t) quantize_activations_q8(x.data() + t * cols, xq.data() + t * cols / 32, cols);
    for (DType type : {DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K}) {
      Weights w = random_weights(type, rows, cols, rng);
      std::vector<float> want(n_tokens * rows);
      scalar_kernels().gemm_q8(w.view, 0, rows, Q8Tokens{xq.data(), nullptr, n_tokens}, nullptr, want.data(), rows);
      for (int threads : {1, 2, 3}) {
        if (ringlm_test::kSingleThreaded && threads > 1) continue;
        CAPTURE(n_tokens);
        CAPTURE(static_cast<int>(type));
        CAPTURE(threads);
        ThreadPool pool;
        REQUIRE(pool.start(threads).is_ok());
        Scratch buffers(n_tokens, cols, threads);
        std::vector<float> y(n_tokens * rows, NAN);
        matmul(w.view, x.data(), n_tokens, y.data(), buffers.s, pool);
        CHECK(y == want);
      }
    }
  }
}

TEST_CASE("matmul: the bf16 GEMM path is taken exactly where the kernel set prefers it") {
  // Where it is preferred (AVX512-BF16 on AMD) the quantized and bf16 types go through it,
  // f32/f16 never do.
  const bool native = active_prefill_gemm() == PrefillGemm::kBf16;
  for (DType t : {DType::kBF16, DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K}) CHECK(gemm_uses_bf16(t) == native);
  CHECK_FALSE(gemm_uses_bf16(DType::kF32));
  CHECK_FALSE(gemm_uses_bf16(DType::kF16));
  GemmNeeds all_bf16;
  all_bf16.add(DType::kBF16);
  CHECK(all_bf16.bf16_activations == native);
  CHECK(all_bf16.tiles == !native);  // bf16 weights feed the bf16 GEMM in place
  GemmNeeds f32_only;
  f32_only.add(DType::kF32);
  CHECK_FALSE(f32_only.tiles);
  CHECK_FALSE(f32_only.bf16_activations);
}

TEST_CASE("matmul: tiles are bit-identical at 1, 2 and 3 threads") {
  std::mt19937 rng(11);
  const int64_t rows = 100, cols = 128;
  const size_t n_tokens = 9;
  std::vector<float> x(n_tokens * cols);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (float& v : x) v = nd(rng);
  Weights w = random_weights(DType::kQ8_0, rows, cols, rng);
  std::vector<std::vector<float>> out;
  for (int threads : {1, 2, 3}) {
    if (ringlm_test::kSingleThreaded && threads > 1) continue;
    ThreadPool pool;
    REQUIRE(pool.start(threads).is_ok());
    Scratch buffers(n_tokens, cols, threads);
    const MatmulScratch& scratch = buffers.s;
    out.emplace_back(n_tokens * rows);
    matmul(w.view, x.data(), n_tokens, out.back().data(), scratch, pool);
  }
  for (size_t i = 1; i < out.size(); ++i) CHECK(out[i] == out[0]);
}

TEST_CASE("matmul: several matrices in one call equal one call per matrix, bit for bit") {
  // Mixed types take different paths in the same job (integer matvec, float matvec, bf16 or
  // sgemm tiles, f32 sgemm); five matrices are more than one job holds. Row counts are off the
  // row units so that units of neighbouring matrices meet inside a thread's range.
  std::mt19937 rng(23);
  const int64_t cols = 256;
  const DType types[] = {DType::kQ8_0, DType::kF32, DType::kQ4_K, DType::kF16, DType::kBF16};
  const int64_t rows[] = {64, 33, 48, 17, 40};
  std::vector<Weights> ws;
  for (size_t i = 0; i < 5; ++i) ws.push_back(random_weights(types[i], rows[i], cols, rng));
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (size_t n_tokens : {size_t{1}, size_t{3}, size_t{12}}) {
    std::vector<float> x(n_tokens * cols);
    for (float& v : x) v = nd(rng);
    for (int threads : {1, 2, 3}) {
      if (ringlm_test::kSingleThreaded && threads > 1) continue;
      CAPTURE(n_tokens);
      CAPTURE(threads);
      ThreadPool pool;
      REQUIRE(pool.start(threads).is_ok());
      Scratch buffers(n_tokens, cols, threads);
      const MatmulScratch& scratch = buffers.s;
      // Each output with a guard element after it: nothing may be written past a matrix's rows.
      std::vector<std::vector<float>> fused(5), single(5);
      std::vector<MatmulTarget> targets;
      for (size_t i = 0; i < 5; ++i) {
        fused[i].assign(n_tokens * static_cast<size_t>(rows[i]) + 1, -7.0f);
        single[i].assign(fused[i].size(), -7.0f);
        targets.push_back(MatmulTarget{&ws[i].view, fused[i].data()});
      }
      matmul(Span<const MatmulTarget>(targets.data(), targets.size()), x.data(), n_tokens, scratch, pool);
      for (size_t i = 0; i < 5; ++i) {
        CAPTURE(i);
        matmul(ws[i].view, x.data(), n_tokens, single[i].data(), scratch, pool);
        CHECK(fused[i] == single[i]);
        CHECK(fused[i].back() == -7.0f);
        bool all_written = true;
        for (size_t j = 0; j + 1 < fused[i].size(); ++j) all_written = all_written && fused[i][j] != -7.0f;
        CHECK(all_written);
      }
    }
  }
}
