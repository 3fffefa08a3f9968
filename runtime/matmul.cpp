#include "runtime/matmul.h"

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

void matmul(const TensorView& w, const float* x, size_t n_tokens, float* y, BlockQ8_0* xq) {
  const Kernels& k = active_kernels();
#ifdef RINGLM_HAVE_BLAS
  if (n_tokens > 1 && w.dtype == DType::kF32) {
    blas_init_once();
    // Y[n_tokens][rows] = X[n_tokens][cols] · W[rows][cols]^T
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(n_tokens), static_cast<int>(w.rows),
                static_cast<int>(w.cols), 1.0f, x, static_cast<int>(w.cols), w.f32(), static_cast<int>(w.cols), 0.0f, y,
                static_cast<int>(w.rows));
    return;
  }
#endif
  const size_t cols = static_cast<size_t>(w.cols), rows = static_cast<size_t>(w.rows);
  if (uses_q8_path(w.dtype)) {
    const size_t blocks = cols / 32;
    for (size_t t = 0; t < n_tokens; ++t) k.quantize_q8(x + t * cols, xq + t * blocks, w.cols);
    for (size_t t = 0; t < n_tokens; ++t) k.matvec_q8(w, xq + t * blocks, y + t * rows, 0, w.rows);
    return;
  }
  for (size_t t = 0; t < n_tokens; ++t) k.matvec(w, x + t * cols, y + t * rows, 0, w.rows);
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
