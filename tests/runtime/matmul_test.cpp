// matmul's batched path (dequantized tiles through sgemm) against a double-precision reference
// built from the same dequantized rows, and against the one-token decode path.
#include "runtime/matmul.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "simd/quant/dequantize.h"
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

}  // namespace

TEST_CASE("matmul: batched non-f32 weights (dequantized tiles) equal the dequantized reference") {
  std::mt19937 rng(7);
  // 75 rows: tiles of kGemmTileRows plus a partial one; 12 tokens >= kGemmMinTokens.
  const int64_t rows = 75, cols = 256;
  const size_t n_tokens = 12;
  std::vector<float> x(n_tokens * cols);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (float& v : x) v = nd(rng);

  for (DType type : {DType::kBF16, DType::kQ8_0, DType::kQ4_K}) {
    CAPTURE(static_cast<int>(type));
    Weights w = random_weights(type, rows, cols, rng);
    for (int threads : {1, 2, 3}) {
      CAPTURE(threads);
      if (ringlm_test::kSingleThreaded && threads > 1) continue;
      ThreadPool pool;
      REQUIRE(pool.start(threads).is_ok());
      MatmulScratch scratch;
      std::vector<BlockQ8_0> xq(n_tokens * cols / 32);
      scratch.xq = xq.data();
      scratch.tile_floats = gemm_tile_floats(cols);
      std::vector<float> tiles(scratch.tile_floats * static_cast<size_t>(threads) + 1);
      scratch.tiles = scratch.tile_floats > 0 ? tiles.data() : nullptr;
      std::vector<float> y(n_tokens * rows, NAN);
      matmul(w.view, x.data(), n_tokens, y.data(), scratch, pool);

      std::vector<float> deq(static_cast<size_t>(cols));
      double worst = 0;
      for (int64_t r = 0; r < rows; ++r) {
        dequantize_row(type, w.view.row(r), deq.data(), cols);
        for (size_t t = 0; t < n_tokens; ++t) {
          double ref = 0, mag = 0;
          for (int64_t i = 0; i < cols; ++i) {
            ref += static_cast<double>(deq[i]) * x[t * cols + i];
            mag += std::fabs(static_cast<double>(deq[i]) * x[t * cols + i]);
          }
          worst = std::max(worst, std::fabs(y[t * rows + r] - ref) / (mag + 1e-30));
        }
      }
      // With BLAS: f32 sums of exactly dequantized weights (error ~ cols * 2^-24 of the magnitude).
      // Without BLAS, integer types use Q8_0 activations: error bounded by their rounding (2^-8).
      const bool tiles_used = scratch.tiles != nullptr;
      CHECK(worst < (tiles_used || type == DType::kBF16 ? 1e-5 : 1.5e-2));
    }
  }
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
    std::vector<BlockQ8_0> xq(n_tokens * cols / 32);
    MatmulScratch scratch;
    scratch.xq = xq.data();
    scratch.tile_floats = gemm_tile_floats(cols);
    std::vector<float> tiles(scratch.tile_floats * static_cast<size_t>(threads) + 1);
    scratch.tiles = scratch.tile_floats > 0 ? tiles.data() : nullptr;
    out.emplace_back(n_tokens * rows);
    matmul(w.view, x.data(), n_tokens, out.back().data(), scratch, pool);
  }
  for (size_t i = 1; i < out.size(); ++i) CHECK(out[i] == out[0]);
}
