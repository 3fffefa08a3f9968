#include "runtime/matmul.h"

#include <mutex>

#include "simd/kernels.h"
#include "simd/quant/dequantize.h"

#ifdef RINGLM_HAVE_BLAS
#include <cblas.h>
#endif

namespace ringlm {

namespace {
// Rows are split between threads in multiples of this: SIMD kernels reduce rows in groups (up to
// 16) and the last rows of a range differently, so ranges aligned to whole groups keep every
// output bit-identical whatever the thread count.
constexpr int64_t kRowUnit = 16;

template <typename Body>
void for_row_ranges(ThreadPool& pool, int64_t rows, Body&& body) {
  pool.parallel_for((rows + kRowUnit - 1) / kRowUnit, [&](int64_t u0, int64_t u1, int) {
    body(u0 * kRowUnit, u1 * kRowUnit < rows ? u1 * kRowUnit : rows);
  });
}
// Fixed tiles of kGemmTileRows rows split between threads, body(r0, r1, thread) per tile: each
// tile is one GEMM call whatever the thread count, so results do not depend on the split.
template <typename Body>
void for_tiles(ThreadPool& pool, int64_t rows, Body&& body) {
  pool.parallel_for((rows + kGemmTileRows - 1) / kGemmTileRows, [&](int64_t b0, int64_t b1, int thread) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t r0 = b * kGemmTileRows;
      body(r0, r0 + kGemmTileRows < rows ? r0 + kGemmTileRows : rows, thread);
    }
  });
}

#ifdef RINGLM_HAVE_BLAS
void blas_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}
#endif
}  // namespace

bool matmul_has_blas() {
#ifdef RINGLM_HAVE_BLAS
  return true;
#else
  return false;
#endif
}

size_t gemm_tile_floats(int64_t max_cols) {
  return matmul_has_blas() || active_kernels().gemm_bf16_native ? static_cast<size_t>(kGemmTileRows * max_cols) : 0;
}

bool gemm_uses_bf16(DType t) {
  return active_kernels().gemm_bf16_native &&
         (t == DType::kBF16 || t == DType::kQ8_0 || t == DType::kQ4_0 || t == DType::kQ4_K || t == DType::kQ6_K);
}

namespace {
// Prefill through the bf16 GEMM: activations rounded once, then fixed kGemmTileRows-row tiles
// (bf16 weights in place, other types dequantized into the thread's tile: bf16 rows followed by
// one f32 row of staging).
void matmul_bf16(const TensorView& w, const float* x, size_t n_tokens, float* y, const MatmulScratch& scratch,
                 ThreadPool& pool) {
  const Kernels& k = active_kernels();
  const size_t cols = static_cast<size_t>(w.cols), rows = static_cast<size_t>(w.rows);
  uint16_t* xb = scratch.xb;
  pool.parallel_for(static_cast<int64_t>(n_tokens), [&](int64_t t0, int64_t t1, int) {
    k.to_bf16(x + static_cast<size_t>(t0) * cols, xb + static_cast<size_t>(t0) * cols, static_cast<size_t>(t1 - t0) * cols);
  });
  for_tiles(pool, w.rows, [&](int64_t r0, int64_t r1, int thread) {
    const uint16_t* wt = reinterpret_cast<const uint16_t*>(w.row(r0));
    size_t ldw = w.row_bytes / sizeof(uint16_t);
    if (w.dtype != DType::kBF16) {
      uint16_t* tile = reinterpret_cast<uint16_t*>(scratch.tiles + static_cast<size_t>(thread) * scratch.tile_floats);
      float* staging = reinterpret_cast<float*>(tile + kGemmTileRows * cols);
      for (int64_t r = r0; r < r1; ++r) k.dequantize_bf16(w.dtype, w.row(r), tile + static_cast<size_t>(r - r0) * cols, w.cols, staging);
      wt = tile;
      ldw = cols;
    }
    k.gemm_bf16(xb, cols, n_tokens, wt, ldw, static_cast<size_t>(r1 - r0), cols, y + r0, rows);
  });
}
}  // namespace

void matmul(const TensorView& w, const float* x, size_t n_tokens, float* y, const MatmulScratch& scratch, ThreadPool& pool) {
  const Kernels& k = active_kernels();
  const size_t cols = static_cast<size_t>(w.cols), rows = static_cast<size_t>(w.rows);
  BlockQ8_0* xq = scratch.xq;
  // bf16 tile + one f32 staging row fit in the f32 tile: (kGemmTileRows / 2 + 1) * cols floats.
  if (n_tokens >= kGemmMinTokens && scratch.xb != nullptr && gemm_uses_bf16(w.dtype) &&
      (w.dtype == DType::kBF16 || (scratch.tiles != nullptr && cols * (kGemmTileRows / 2 + 1) <= scratch.tile_floats))) {
    matmul_bf16(w, x, n_tokens, y, scratch, pool);
    return;
  }
#ifdef RINGLM_HAVE_BLAS
  if (n_tokens >= kGemmMinTokens && w.dtype != DType::kF32 && scratch.tiles != nullptr &&
      cols * kGemmTileRows <= scratch.tile_floats) {
    blas_init_once();
    for_tiles(pool, w.rows, [&](int64_t r0, int64_t r1, int thread) {
      float* tile = scratch.tiles + static_cast<size_t>(thread) * scratch.tile_floats;
      for (int64_t r = r0; r < r1; ++r) dequantize_row(w.dtype, w.row(r), tile + (r - r0) * w.cols, w.cols);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n_tokens), static_cast<int>(r1 - r0),
                  static_cast<int>(cols), 1.0f, x, static_cast<int>(cols), tile, static_cast<int>(cols), 0.0f, y + r0,
                  static_cast<int>(rows));
    });
    return;
  }
  if (n_tokens > 1 && w.dtype == DType::kF32) {
    blas_init_once();
    // Fixed 64-row blocks: each block is one sgemm call whatever the thread count, so the
    // summation order of every element never depends on how rows were split.
    constexpr int64_t kBlock = 64;
    const int64_t n_blocks = (w.rows + kBlock - 1) / kBlock;
    pool.parallel_for(n_blocks, [&](int64_t b0, int64_t b1, int) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t r0 = b * kBlock, r1 = r0 + kBlock < w.rows ? r0 + kBlock : w.rows;
        // Y[:, r0:r1] = X · W[r0:r1]^T
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n_tokens), static_cast<int>(r1 - r0),
                    static_cast<int>(cols), 1.0f, x, static_cast<int>(cols), w.f32() + r0 * w.cols,
                    static_cast<int>(cols), 0.0f, y + r0, static_cast<int>(rows));
      }
    });
    return;
  }
#endif
  if (uses_q8_path(w.dtype)) {
    const size_t blocks = cols / 32;
    for (size_t t = 0; t < n_tokens; ++t) k.quantize_q8(x + t * cols, xq + t * blocks, w.cols);
    for_row_ranges(pool, w.rows, [&](int64_t r0, int64_t r1) {
      for (size_t t = 0; t < n_tokens; ++t) k.matvec_q8(w, xq + t * blocks, y + t * rows + r0, r0, r1);
    });
    return;
  }
  for_row_ranges(pool, w.rows, [&](int64_t r0, int64_t r1) {
    for (size_t t = 0; t < n_tokens; ++t) k.matvec(w, x + t * cols, y + t * rows + r0, r0, r1);
  });
}

void matmul_warm_up() {
#ifdef RINGLM_HAVE_BLAS
  blas_init_once();
  static std::once_flag once;
  std::call_once(once, [] {
    float a[4] = {1, 2, 3, 4}, b[4] = {1, 0, 0, 1}, c[4];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2);
  });
#endif
}

}  // namespace ringlm
