#include "runtime/matmul.h"

#include <algorithm>
#include <mutex>

#include "simd/kernels.h"

#ifdef RINGLM_HAVE_BLAS
#include <cblas.h>
#endif

namespace ringlm {

namespace {
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
  return matmul_has_blas() || active_prefill_gemm() != PrefillGemm::kBlas ? static_cast<size_t>(kGemmTileRows * max_cols)
                                                                                 : 0;
}

namespace {
// Whether the kernel set has an f32 GEMM of its own (not the scalar reference).
bool has_own_f32_gemm() { return has_prefill_gemm(active_kernels(), PrefillGemm::kF32); }
}  // namespace

const char* prefill_gemm_name() {
  switch (active_prefill_gemm()) {
    case PrefillGemm::kBf16: return "bf16";
    case PrefillGemm::kF32: return "f32";
    case PrefillGemm::kInt8:
      if (has_own_f32_gemm()) return "int8 (integer types) + f32";
      return matmul_has_blas() ? "int8 (integer types) + OpenBLAS sgemm" : "int8 (integer types) + per-token matvec";
    case PrefillGemm::kBlas: break;
  }
  return matmul_has_blas() ? "OpenBLAS sgemm" : "none, per-token matvec";
}

bool gemm_uses_bf16(DType t) {
  return active_prefill_gemm() == PrefillGemm::kBf16 &&
         (t == DType::kBF16 || t == DType::kQ8_0 || t == DType::kQ4_0 || t == DType::kQ4_K || t == DType::kQ6_K);
}

bool gemm_uses_q8(DType t) { return active_prefill_gemm() == PrefillGemm::kInt8 && uses_q8_path(t); }

namespace {
// How one weight matrix of a call is multiplied, and its row unit: the rows handled as one piece.
// Pieces are fixed by the matrix alone (never by the thread split), so every output element is
// computed by the same code at any thread count.
enum class Path {
  kMatvec,      // one token, or no GEMM for this type: the kernel table's matvec, per token
  kMatvecQ8,    // the same over activations quantized to Q8_0 (integer weight types)
  kQ8Gemm,      // int8 GEMM: integer weights against the packed Q8_0 activations
  kBf16Tiles,   // bf16 GEMM: bf16 weights in place, others dequantized into the thread's bf16 tile
  kF32Tiles,    // f32 GEMM: f32 weights in place, others dequantized into the thread's f32 tile
  kSgemmTiles,  // sgemm over rows dequantized into the thread's f32 tile
  kSgemmF32,    // sgemm straight over f32 weights
};

// Fixed 64-row blocks for sgemm over f32 weights (one call per block).
constexpr int64_t kF32Block = 64;

Path choose_path(const TensorView& w, size_t n_tokens, const MatmulScratch& scratch) {
  const size_t cols = static_cast<size_t>(w.cols);
  // bf16 tile + one f32 staging row fit in the f32 tile: (kGemmTileRows / 2 + 1) * cols floats.
  if (n_tokens >= kGemmMinTokens && scratch.xb != nullptr && gemm_uses_bf16(w.dtype) &&
      (w.dtype == DType::kBF16 || (scratch.tiles != nullptr && cols * (kGemmTileRows / 2 + 1) <= scratch.tile_floats))) {
    return Path::kBf16Tiles;
  }
  const bool f32_tile_fits = scratch.tiles != nullptr && cols * kGemmTileRows <= scratch.tile_floats;
  // The int8 GEMM's scratch (kGemmQ8ScratchPerCol bytes a column) fits wherever the f32 tile does.
  static_assert(kGemmQ8ScratchPerCol <= kGemmTileRows * sizeof(float) && kGemmTileRows <= kGemmQ8MaxRows, "int8 GEMM scratch");
  if (n_tokens >= kGemmMinTokens && scratch.xp != nullptr && gemm_uses_q8(w.dtype) && f32_tile_fits) {
    return Path::kQ8Gemm;
  }
  const PrefillGemm gemm = active_prefill_gemm();
  if (n_tokens >= kGemmMinTokens && (gemm == PrefillGemm::kF32 || (gemm == PrefillGemm::kInt8 && has_own_f32_gemm())) &&
      (w.dtype == DType::kF32 || f32_tile_fits)) {
    return Path::kF32Tiles;
  }
  if (matmul_has_blas()) {
    if (n_tokens >= kGemmMinTokens && w.dtype != DType::kF32 && f32_tile_fits) {
      return Path::kSgemmTiles;
    }
    if (n_tokens > 1 && w.dtype == DType::kF32) return Path::kSgemmF32;
  }
  return uses_q8_path(w.dtype) ? Path::kMatvecQ8 : Path::kMatvec;
}

int64_t row_unit(Path path) {
  switch (path) {
    case Path::kQ8Gemm:
    case Path::kBf16Tiles:
    case Path::kF32Tiles:
    case Path::kSgemmTiles: return kGemmTileRows;
    case Path::kSgemmF32: return kF32Block;
    default: return kMatmulRowUnit;
  }
}

// One matrix of a call: its path and where its units start in the call's shared unit numbering.
struct Part {
  const TensorView* w;
  float* y;
  Path path;
  int64_t unit;        // rows per unit
  int64_t first_unit;  // index of its first unit among all parts' units
  int64_t n_units;
};

// Rows [r0, r1) of one part (r0 on a unit boundary; r1 a boundary or the last row).
void run_rows(const Part& part, const float* x, size_t n_tokens, const MatmulScratch& scratch, int thread, int64_t r0,
              int64_t r1) {
  const Kernels& k = active_kernels();
  const TensorView& w = *part.w;
  const size_t cols = static_cast<size_t>(w.cols), rows = static_cast<size_t>(w.rows);
  switch (part.path) {
    case Path::kMatvecQ8:
      for (size_t t = 0; t < n_tokens; ++t) k.matvec_q8(w, scratch.xq + t * (cols / 32), part.y + t * rows + r0, r0, r1);
      return;
    case Path::kMatvec:
      for (size_t t = 0; t < n_tokens; ++t) k.matvec(w, x + t * cols, part.y + t * rows + r0, r0, r1);
      return;
    case Path::kQ8Gemm: {
      const Q8Tokens xt{scratch.xq, scratch.xp, n_tokens};
      void* tile = scratch.tiles + static_cast<size_t>(thread) * scratch.tile_floats;
      for (int64_t a = r0; a < r1; a += kGemmTileRows) {
        const int64_t b = a + kGemmTileRows < r1 ? a + kGemmTileRows : r1;
        k.gemm_q8(w, a, b, xt, tile, part.y + a, rows);
      }
      return;
    }
    case Path::kBf16Tiles:
      for (int64_t a = r0; a < r1; a += kGemmTileRows) {
        const int64_t b = a + kGemmTileRows < r1 ? a + kGemmTileRows : r1;
        const uint16_t* wt = reinterpret_cast<const uint16_t*>(w.row(a));
        size_t ldw = w.row_bytes / sizeof(uint16_t);
        if (w.dtype != DType::kBF16) {
          uint16_t* tile = reinterpret_cast<uint16_t*>(scratch.tiles + static_cast<size_t>(thread) * scratch.tile_floats);
          float* staging = reinterpret_cast<float*>(tile + kGemmTileRows * cols);
          for (int64_t r = a; r < b; ++r) k.dequantize_bf16(w.dtype, w.row(r), tile + static_cast<size_t>(r - a) * cols, w.cols, staging);
          wt = tile;
          ldw = cols;
        }
        k.gemm_bf16(scratch.xb, cols, n_tokens, wt, ldw, static_cast<size_t>(b - a), cols, part.y + a, rows);
      }
      return;
    case Path::kF32Tiles:
    case Path::kSgemmTiles:
    case Path::kSgemmF32:
      // f32 weight rows, in place or dequantized into the thread's tile, times the f32 activations.
      for (int64_t a = r0; a < r1; a += part.unit) {
        const int64_t b = a + part.unit < r1 ? a + part.unit : r1;
        const float* wt = w.dtype == DType::kF32 ? w.f32() + a * w.cols : nullptr;
        if (wt == nullptr) {
          float* tile = scratch.tiles + static_cast<size_t>(thread) * scratch.tile_floats;
          for (int64_t r = a; r < b; ++r) k.dequantize_f32(w.dtype, w.row(r), tile + static_cast<size_t>(r - a) * cols, w.cols);
          wt = tile;
        }
        if (part.path == Path::kF32Tiles) {
          k.gemm_f32(x, cols, n_tokens, wt, cols, static_cast<size_t>(b - a), cols, part.y + a, rows);
        } else {
#ifdef RINGLM_HAVE_BLAS
          // Y[:, a:b] = X · W[a:b]^T
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n_tokens), static_cast<int>(b - a),
                      static_cast<int>(cols), 1.0f, x, static_cast<int>(cols), wt, static_cast<int>(cols), 0.0f,
                      part.y + a, static_cast<int>(rows));
#endif
        }
      }
      return;
  }
}
}  // namespace

void matmul(Span<const MatmulTarget> targets, const float* x, size_t n_tokens, const MatmulScratch& scratch,
            ThreadPool& pool) {
  if (targets.size() == 0 || n_tokens == 0) return;
  if (targets.size() > kMaxMatmulTargets) {  // more than one job's worth: the rest in further calls
    matmul(Span<const MatmulTarget>(targets.data(), kMaxMatmulTargets), x, n_tokens, scratch, pool);
    matmul(Span<const MatmulTarget>(targets.data() + kMaxMatmulTargets, targets.size() - kMaxMatmulTargets), x, n_tokens,
           scratch, pool);
    return;
  }
  const Kernels& k = active_kernels();
  const size_t cols = static_cast<size_t>(targets[0].w->cols);
  Part parts[kMaxMatmulTargets];
  const size_t n_parts = targets.size();
  int64_t n_units = 0;
  bool any_q8 = false, any_packed = false, any_bf16 = false, any_blas = false;
  for (size_t i = 0; i < n_parts; ++i) {
    const TensorView& w = *targets[i].w;
    Part& part = parts[i];
    part = Part{&w, targets[i].y, choose_path(w, n_tokens, scratch), 0, n_units, 0};
    part.unit = row_unit(part.path);
    part.n_units = (w.rows + part.unit - 1) / part.unit;
    n_units += part.n_units;
    any_packed = any_packed || part.path == Path::kQ8Gemm;
    any_q8 = any_q8 || part.path == Path::kMatvecQ8 || part.path == Path::kQ8Gemm;
    any_bf16 = any_bf16 || part.path == Path::kBf16Tiles;
    any_blas = any_blas || part.path == Path::kSgemmTiles || part.path == Path::kSgemmF32;
  }
#ifdef RINGLM_HAVE_BLAS
  if (any_blas) blas_init_once();
#endif
  // The activations are converted once for every matrix of the call.
  const size_t nb = cols / kQK8_0;
  if (any_packed) {  // quantized and packed per group of 16 tokens, the groups split between threads
    const int64_t groups = static_cast<int64_t>((n_tokens + kQ8PackTokens - 1) / kQ8PackTokens);
    pool.parallel_for(groups, [&](int64_t g0, int64_t g1, int) {
      const size_t t1 = std::min(n_tokens, static_cast<size_t>(g1) * kQ8PackTokens);
      for (size_t t = static_cast<size_t>(g0) * kQ8PackTokens; t < t1; ++t) {
        k.quantize_q8(x + t * cols, scratch.xq + t * nb, static_cast<int64_t>(cols));
      }
      pack_q8_tokens(scratch.xq, n_tokens, nb, static_cast<size_t>(g0), static_cast<size_t>(g1), scratch.xp);
    });
  } else if (any_q8) {
    for (size_t t = 0; t < n_tokens; ++t) k.quantize_q8(x + t * cols, scratch.xq + t * nb, static_cast<int64_t>(cols));
  }
  if (any_bf16) {
    pool.parallel_for(static_cast<int64_t>(n_tokens), [&](int64_t t0, int64_t t1, int) {
      k.to_bf16(x + static_cast<size_t>(t0) * cols, scratch.xb + static_cast<size_t>(t0) * cols,
                static_cast<size_t>(t1 - t0) * cols);
    });
  }
  // One job over the units of every matrix, numbered matrix after matrix.
  pool.parallel_for(n_units, [&](int64_t u0, int64_t u1, int thread) {
    for (size_t i = 0; i < n_parts && u0 < u1; ++i) {
      const Part& part = parts[i];
      const int64_t end = part.first_unit + part.n_units;
      if (u0 >= end) continue;
      const int64_t a = u0 - part.first_unit, b = (u1 < end ? u1 : end) - part.first_unit;
      const int64_t rows = part.w->rows;
      run_rows(part, x, n_tokens, scratch, thread, a * part.unit, b * part.unit < rows ? b * part.unit : rows);
      u0 = part.first_unit + b;
    }
  });
}

void matmul(const TensorView& w, const float* x, size_t n_tokens, float* y, const MatmulScratch& scratch, ThreadPool& pool) {
  const MatmulTarget target{&w, y};
  matmul(Span<const MatmulTarget>(&target, 1), x, n_tokens, scratch, pool);
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
