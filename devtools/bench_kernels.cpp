// ringlm bench --kernels: decode matvec throughput of the active kernel set per weight type, no
// model needed. Each type runs over a matrix that fits in cache (2 MiB) and one far beyond it
// (256 MiB, read from memory), so a kernel's compute ceiling and its streaming speed show side by
// side. With several threads the rows are split as a decode step splits them (16-row units
// through the thread pool, runtime/matmul.cpp), in memory like a model read with --no-mmap.
// A second table times the set's two prefill GEMMs (bf16 and f32) on one thread.
#include "devtools/devtools.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "platform/page_memory.h"
#include "platform/thread_pool.h"
#include "api/c_api_internal.h"
#include "models/model.h"
#include "runtime/matmul.h"
#include "simd/kernels.h"
#include "simd/quant/quantize.h"

namespace ringlm_devtools {

namespace {

using ringlm::DType;

// One matvec over every row of w through the pool, split as matmul splits a decode matvec.
void matvec_all_rows(const ringlm::Kernels& k, const ringlm::TensorView& w, const float* x, const ringlm::BlockQ8_0* xq,
                     float* y, ringlm::ThreadPool& pool) {
  const bool integer = ringlm::uses_q8_path(w.dtype);
  pool.parallel_for((w.rows + ringlm::kMatmulRowUnit - 1) / ringlm::kMatmulRowUnit, [&](int64_t u0, int64_t u1, int) {
    const int64_t a = u0 * ringlm::kMatmulRowUnit, b = std::min(u1 * ringlm::kMatmulRowUnit, w.rows);
    if (integer) {
      k.matvec_q8(w, xq, y + a, a, b);
    } else {
      k.matvec(w, x, y + a, a, b);
    }
  });
}

// Best seconds of `reps` timed passes of pass() (after one untimed pass), each repeating it
// `repeat` times; per repetition.
template <class Pass>
double best_seconds(int reps, int repeat, Pass&& pass) {
  double best = 0.0;
  for (int r = 0; r <= reps; ++r) {
    const int64_t t0 = ringlm::now_ns();
    for (int i = 0; i < repeat; ++i) pass();
    const double s = static_cast<double>(ringlm::now_ns() - t0) * 1e-9 / repeat;
    if (r > 0 && (best == 0.0 || s < best)) best = s;
  }
  return best;
}

// Best seconds per matvec over every row. A pass over a small matrix repeats the matvec to read
// at least 64 MiB, so it lasts long enough to time and the threads are all awake.
double time_matvec(const ringlm::Kernels& k, const ringlm::TensorView& w, const float* x,
                   const ringlm::BlockQ8_0* xq, float* y, int reps, ringlm::ThreadPool& pool) {
  const size_t bytes = w.bytes();
  const int repeat = bytes >= (size_t{64} << 20) ? 1 : static_cast<int>((size_t{64} << 20) / bytes);
  return best_seconds(reps, repeat, [&] { matvec_all_rows(k, w, x, xq, y, pool); });
}

bool start_pool(ringlm::ThreadPool& pool, uint64_t n) {
  const ringlm::Status st = pool.start(static_cast<int>(n));
  if (!st.is_ok()) std::fprintf(stderr, "ringlm bench: %s\n", st.message());
  return st.is_ok();
}

// The kernel set's own prefill GEMMs (bf16 and/or f32; the scalar references some sets carry are
// left out) on one thread, operands in cache (128 tokens x one prefill tile of rows x 2048):
// which one multiplies faster on this CPU, and which one prefill uses (PrefillGemm).
void bench_gemms(const ringlm::Kernels& k, int reps, std::mt19937& rng) {
  const ringlm::PrefillGemm gemm = ringlm::active_prefill_gemm();
  if (gemm == ringlm::PrefillGemm::kBlas) {
    std::printf("\nprefill: %s (this kernel set has no GEMM of its own)\n", ringlm::prefill_gemm_name());
    return;
  }
  const size_t m = 128, n = static_cast<size_t>(ringlm::kGemmTileRows), cols = 2048;
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> x(m * cols), w(n * cols), y(m * n);
  for (float& v : x) v = nd(rng);
  for (float& v : w) v = nd(rng);
  std::vector<uint16_t> xb(x.size()), wb(w.size());
  k.to_bf16(x.data(), xb.data(), x.size());
  k.to_bf16(w.data(), wb.data(), w.size());
  const double flops = 2.0 * static_cast<double>(m * n * cols);
  const int repeat = 20;
  std::printf("\n| GEMM | tokens x rows x cols | threads | GFLOP/s | prefill uses it |\n"
              "|------|----------------------|--------:|--------:|-----------------|\n");
  using ringlm::PrefillGemm;
  auto row = [&](const char* name, double seconds, const char* uses) {
    std::printf("| %s | %zu x %zu x %zu | 1 | %.1f | %s |\n", name, m, n, cols, flops / seconds * 1e-9, uses);
  };
  if (ringlm::has_prefill_gemm(k, PrefillGemm::kBf16)) {
    row("bf16", best_seconds(reps, repeat, [&] { k.gemm_bf16(xb.data(), cols, m, wb.data(), cols, n, cols, y.data(), n); }),
        gemm == PrefillGemm::kBf16 ? "yes" : "no");
  }
  if (ringlm::has_prefill_gemm(k, PrefillGemm::kF32)) {
    row("f32", best_seconds(reps, repeat, [&] { k.gemm_f32(x.data(), cols, m, w.data(), cols, n, cols, y.data(), n); }),
        gemm == PrefillGemm::kF32 ? "yes" : gemm == PrefillGemm::kInt8 ? "yes, for the other types" : "no");
  }
  if (ringlm::has_prefill_gemm(k, PrefillGemm::kInt8)) {
    // Per integer weight type; the tokens quantized and packed once (matmul does so once per call
    // for every row), each call's own unpacking of its rows timed with it.
    const size_t nb = cols / ringlm::kQK8_0;
    std::vector<ringlm::BlockQ8_0> xq(m * nb);
    for (size_t t = 0; t < m; ++t) k.quantize_q8(x.data() + t * cols, xq.data() + t * nb, static_cast<int64_t>(cols));
    std::vector<uint8_t> packed(ringlm::q8_packed_bytes(m, nb)), scratch(ringlm::kGemmQ8ScratchPerCol * cols);
    ringlm::pack_q8_tokens(xq.data(), m, nb, 0, (m + ringlm::kQ8PackTokens - 1) / ringlm::kQ8PackTokens, packed.data());
    const ringlm::Q8Tokens xt{xq.data(), packed.data(), m};
    for (ringlm::DType type : {ringlm::DType::kQ8_0, ringlm::DType::kQ4_0, ringlm::DType::kQ4_K, ringlm::DType::kQ6_K}) {
      ringlm::TensorView wv;
      wv.dtype = type;
      wv.rows = static_cast<int64_t>(n);
      wv.cols = static_cast<int64_t>(cols);
      wv.row_bytes = ringlm::dtype_row_bytes(type, wv.cols);
      std::vector<uint8_t> wq(wv.row_bytes * n);
      for (size_t r = 0; r < n; ++r) {
        if (!ringlm::quantize_row(type, w.data() + r * cols, wq.data() + r * wv.row_bytes, wv.cols).is_ok()) return;
      }
      wv.data = wq.data();
      const std::string name = std::string("int8, ") + ringlm::dtype_name(type) + " weights";
      row(name.c_str(),
          best_seconds(reps, repeat, [&] { k.gemm_q8(wv, 0, static_cast<int64_t>(n), xt, scratch.data(), y.data(), n); }),
          gemm == PrefillGemm::kInt8 ? "yes" : "no");
    }
  }
}

}  // namespace

int bench_kernels(int reps, const std::vector<uint64_t>& threads) {
  const ringlm::Kernels& k = ringlm::active_kernels();
  const int64_t cols = 2048;
  std::mt19937 rng(1);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> x(cols), src(cols);
  for (float& v : x) v = nd(rng);
  std::vector<ringlm::BlockQ8_0> xq(cols / 32);
  k.quantize_q8(x.data(), xq.data(), cols);

  std::printf("kernels: %s; rows of %lld elements; best of %d passes\n\n", k.name, static_cast<long long>(cols), reps);
  std::printf("| type | matrix | MiB | threads | GB/s | Gweights/s |\n|------|--------|----:|--------:|-----:|-----------:|\n");
  const DType types[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kQ8_0, DType::kQ4_0, DType::kQ4_K, DType::kQ6_K};
  for (DType t : types) {
    const size_t rb = ringlm::dtype_row_bytes(t, cols);
    // 64 distinct quantized rows, repeated: the bytes are what matters, not their variety.
    const int64_t distinct = 64;
    std::vector<uint8_t> pattern(rb * distinct);
    for (int64_t r = 0; r < distinct; ++r) {
      for (float& v : src) v = nd(rng);
      if (!ringlm::quantize_row(t, src.data(), pattern.data() + r * rb, cols).is_ok()) {
        std::fprintf(stderr, "ringlm bench: cannot quantize to %s\n", ringlm::dtype_name(t));
        return 1;
      }
    }
    for (size_t bytes : {size_t{2} << 20, size_t{256} << 20}) {
      const int64_t rows = static_cast<int64_t>(bytes / rb);
      ringlm::PageMemory mem = ringlm::PageMemory::allocate(static_cast<size_t>(rows) * rb);
      if (mem.data() == nullptr) {
        std::fprintf(stderr, "ringlm bench: cannot allocate %zu bytes for the %s matrix\n", static_cast<size_t>(rows) * rb,
                     ringlm::dtype_name(t));
        return 1;
      }
      for (int64_t r = 0; r < rows; ++r) {
        std::copy_n(pattern.data() + (r % distinct) * rb, rb, mem.data() + static_cast<size_t>(r) * rb);
      }
      ringlm::TensorView w;
      w.data = mem.data();
      w.dtype = t;
      w.rows = rows;
      w.cols = cols;
      w.row_bytes = rb;
      std::vector<float> y(static_cast<size_t>(rows));
      for (uint64_t n : threads) {
        ringlm::ThreadPool pool;
        if (!start_pool(pool, n)) return 1;
        const double s = time_matvec(k, w, x.data(), xq.data(), y.data(), reps, pool);
        const double gbs = static_cast<double>(mem.size()) / s * 1e-9;
        std::printf("| %s | %s | %.0f | %llu | %.1f | %.1f |\n", ringlm::dtype_name(t),
                    bytes < (size_t{64} << 20) ? "in cache" : "from memory", static_cast<double>(mem.size()) / (1 << 20),
                    static_cast<unsigned long long>(n), gbs, static_cast<double>(rows * cols) / s * 1e-9);
      }
    }
  }
  bench_gemms(k, reps, rng);
  return 0;
}

int bench_model_matvecs(const ringlm_model* model, int reps, const std::vector<uint64_t>& threads) {
  const ringlm::Model& m = ringlm::model_of(model);
  const ringlm::Kernels& k = ringlm::active_kernels();
  std::vector<const ringlm::TensorView*> mats;
  for (const ringlm::LayerWeights& l : m.weights.layers) {
    for (const ringlm::TensorView* t : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down}) {
      if (t->data != nullptr) mats.push_back(t);
    }
  }
  mats.push_back(&m.weights.output);
  int64_t max_cols = 0, max_rows = 0;
  size_t bytes = 0;
  for (const ringlm::TensorView* t : mats) {
    max_cols = std::max(max_cols, t->cols);
    max_rows = std::max(max_rows, t->rows);
    bytes += t->bytes();
  }
  // Every width is a multiple of 32 (the loader checks the block types); x padded to one anyway.
  const int64_t padded = (max_cols + 31) / 32 * 32;
  std::mt19937 rng(1);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(padded), 0.0f), y(static_cast<size_t>(max_rows));
  for (int64_t i = 0; i < max_cols; ++i) x[static_cast<size_t>(i)] = nd(rng);
  std::vector<ringlm::BlockQ8_0> xq(static_cast<size_t>(padded / 32));
  k.quantize_q8(x.data(), xq.data(), padded);

  std::printf("kernels: %s; every layer matrix and the output matrix in turn, one pool job each; best of %d passes\n\n",
              k.name, reps);
  std::printf("| matrices | MiB | threads | ms per pass | GB/s |\n|---------:|----:|--------:|------------:|-----:|\n");
  for (uint64_t n : threads) {
    ringlm::ThreadPool pool;
    if (!start_pool(pool, n)) return 1;
    const double s = best_seconds(reps, 1, [&] {
      for (const ringlm::TensorView* t : mats) matvec_all_rows(k, *t, x.data(), xq.data(), y.data(), pool);
    });
    std::printf("| %zu | %.0f | %llu | %.2f | %.1f |\n", mats.size(), static_cast<double>(bytes) / (1 << 20),
                static_cast<unsigned long long>(n), s * 1e3, static_cast<double>(bytes) / s * 1e-9);
  }
  return 0;
}

}  // namespace ringlm_devtools
