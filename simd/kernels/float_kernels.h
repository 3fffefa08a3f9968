// Float kernels written once against xsimd::batch<float, A>; simd/arch/<isa>.cpp instantiates
// them for its ISA. Same contracts as the scalar reference (simd/scalar/scalar_kernels.cpp);
// only the summation order differs (lane-wise partial sums, then a horizontal add), plus FMA
// contraction and a vectorized exp (xsimd's, a Cephes-style range reduction + polynomial, within
// 1-2 ulp of std::exp on its finite range; exp(-inf) = 0, exp(x) = inf past ~88.7).
//
// Tails: lengths that are not a multiple of the vector width load their last partial vector
// through arch_ops.h's zero-padded partial loads (a masked load on AVX-512), so every length,
// including 1, runs the same code path and never reads past the end of an input.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "simd/kernels.h"
#include "simd/kernels/arch_ops.h"
#include "core/tensor.h"

namespace ringlm {
namespace {

// Weight-element loaders for the float matvec: full vector and zero-padded tail.
struct F32Elems {
  using T = float;
  template <class A>
  static FloatB<A> load(const T* p) { return FloatB<A>::load_unaligned(p); }
  template <class A>
  static FloatB<A> load_tail(const T* p, size_t n) { return load_partial<A>(p, n); }
};
struct F16Elems {
  using T = uint16_t;
  template <class A>
  static FloatB<A> load(const T* p) { return load_f16<A>(p); }
  template <class A>
  static FloatB<A> load_tail(const T* p, size_t n) { return load_f16_partial<A>(p, n); }
};
struct BF16Elems {
  using T = uint16_t;
  template <class A>
  static FloatB<A> load(const T* p) { return load_bf16<A>(p); }
  template <class A>
  static FloatB<A> load_tail(const T* p, size_t n) { return load_bf16_partial<A>(p, n); }
};
struct I8Elems {
  using T = int8_t;
  template <class A>
  static FloatB<A> load(const T* p) { return load_i8<A>(p); }
  template <class A>
  static FloatB<A> load_tail(const T* p, size_t n) { return load_i8_partial<A>(p, n); }
};

// out[s] = sum_i w[s][i] * x[i] for S rows at once, each with four independent accumulators
// (hides the FMA latency). A row's arithmetic is the same for every S: S only decides how many
// rows share each load of x, and how many memory streams are read at once (matvec_elems).
template <class A, class E, size_t S>
__attribute__((always_inline)) inline void dot_elems_side_by_side(const typename E::T* const* w, const float* x, size_t n, float* out,
                                                                  size_t ahead = 0) {
  using B = FloatB<A>;
  constexpr size_t W = B::size;
  B a0[S], a1[S], a2[S], a3[S];
  for (size_t s = 0; s < S; ++s) a0[s] = a1[s] = a2[s] = a3[s] = B(0.0f);
  size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    const B x0 = B::load_unaligned(x + i), x1 = B::load_unaligned(x + i + W);
    const B x2 = B::load_unaligned(x + i + 2 * W), x3 = B::load_unaligned(x + i + 3 * W);
    for (size_t s = 0; s < S; ++s) {
      prefetch_ahead(w[s] + i, 4 * W * sizeof(typename E::T), ahead);
      a0[s] = fmadd<A>(E::template load<A>(w[s] + i), x0, a0[s]);
      a1[s] = fmadd<A>(E::template load<A>(w[s] + i + W), x1, a1[s]);
      a2[s] = fmadd<A>(E::template load<A>(w[s] + i + 2 * W), x2, a2[s]);
      a3[s] = fmadd<A>(E::template load<A>(w[s] + i + 3 * W), x3, a3[s]);
    }
  }
  for (; i + W <= n; i += W) {
    const B xv = B::load_unaligned(x + i);
    for (size_t s = 0; s < S; ++s) a0[s] = fmadd<A>(E::template load<A>(w[s] + i), xv, a0[s]);
  }
  if (i < n) {
    const B xv = load_partial<A>(x + i, n - i);
    for (size_t s = 0; s < S; ++s) a1[s] = fmadd<A>(E::template load_tail<A>(w[s] + i, n - i), xv, a1[s]);
  }
  for (size_t s = 0; s < S; ++s) out[s] = reduce_add<A>((a0[s] + a1[s]) + (a2[s] + a3[s]));
}

// sum_i w[i] * x[i].
template <class A, class E>
float dot_elems(const typename E::T* w, const float* x, size_t n) {
  using B = FloatB<A>;
  constexpr size_t W = B::size;
#if XSIMD_WITH_AVX512F && XSIMD_WITH_FMA3_AVX2
  // An 8-element head on AVX-512: the 256-bit kernel, without masks or a 512-bit reduction.
  if constexpr (W == 16) {
    if (n <= 8) return dot_elems<xsimd::fma3<xsimd::avx2>, E>(w, x, n);
  }
#endif
  // Short vectors (attention heads of 8..W elements): one product, one reduction.
  if (n <= W) {
    if (n == W) return reduce_add<A>(E::template load<A>(w) * B::load_unaligned(x));
    return reduce_add<A>(E::template load_tail<A>(w, n) * load_partial<A>(x, n));
  }
  float out;
  dot_elems_side_by_side<A, E, 1>(&w, x, n, &out);
  return out;
}

// y[r] = dot(row r, x) for G rows at a time: each x vector is loaded once and used by every row
// of the group, each row keeps its own accumulator (G independent FMA chains), and the G
// accumulators are reduced together (store_row_sums).
template <class A, class E, size_t G>
__attribute__((always_inline)) inline void matvec_group(const TensorView& w, const float* x, float* y, int64_t r) {
  using B = FloatB<A>;
  using T = typename E::T;
  constexpr size_t W = B::size;
  const size_t n = static_cast<size_t>(w.cols);
  const T* rows[G];
  B acc[G];
  for (size_t k = 0; k < G; ++k) {
    rows[k] = reinterpret_cast<const T*>(row_ptr(w, r + static_cast<int64_t>(k)));
    acc[k] = B(0.0f);
  }
  size_t i = 0;
  for (; i + W <= n; i += W) {
    const B xv = B::load_unaligned(x + i);
    for (size_t k = 0; k < G; ++k) acc[k] = fmadd<A>(E::template load<A>(rows[k] + i), xv, acc[k]);
  }
  if (i < n) {
    const B xv = load_partial<A>(x + i, n - i);
    for (size_t k = 0; k < G; ++k) acc[k] = fmadd<A>(E::template load_tail<A>(rows[k] + i, n - i), xv, acc[k]);
  }
  store_row_sums<A, G>(acc, y);
}

template <class A, class E>
void matvec_elems(const TensorView& w, const float* x, float* y, int64_t row_begin, int64_t row_end) {
  using T = typename E::T;
  constexpr size_t G = kMatvecRows<A>;
  const size_t n = static_cast<size_t>(w.cols);
  int64_t r = row_begin;
  if constexpr (G > 1) {
    for (; r + static_cast<int64_t>(G) <= row_end; r += G) matvec_group<A, E, G>(w, x, y + (r - row_begin), r);
  }
  if constexpr (G > 4) {
    for (; r + 4 <= row_end; r += 4) matvec_group<A, E, 4>(w, x, y + (r - row_begin), r);
  }
  if constexpr (G == 1 && kMatvecStreams<A> > 1) {
    // The range as S equal stretches, row i of each read together: S sequential streams, each
    // prefetched `ahead` bytes ahead where the CPU wants it (matvec_prefetch_bytes). Each row's sum is computed exactly as
    // dot_elems computes it alone, so no result depends on the range a row was given with (the
    // thread split).
    constexpr size_t S = kMatvecStreams<A>;
    const size_t ahead = matvec_prefetch_bytes();
    const int64_t len = (row_end - r) / static_cast<int64_t>(S);
    if (n > FloatB<A>::size && len > 0) {
      for (int64_t i = 0; i < len; ++i) {
        const T* rows[S];
        float out[S];
        for (size_t s = 0; s < S; ++s) rows[s] = reinterpret_cast<const T*>(row_ptr(w, r + static_cast<int64_t>(s) * len + i));
        dot_elems_side_by_side<A, E, S>(rows, x, n, out, ahead);
        for (size_t s = 0; s < S; ++s) y[r - row_begin + static_cast<int64_t>(s) * len + i] = out[s];
      }
      r += static_cast<int64_t>(S) * len;
    }
  }
  for (; r < row_end; ++r) y[r - row_begin] = dot_elems<A, E>(reinterpret_cast<const T*>(row_ptr(w, r)), x, n);
}

template <class A>
float dot_f32(const float* a, const float* b, size_t n) {
  return dot_elems<A, F32Elems>(a, b, n);
}
template <class A>
float dot_bf16(const float* q, const uint16_t* k, size_t n) {
  return dot_elems<A, BF16Elems>(k, q, n);
}
template <class A>
float dot_i8(const float* q, const int8_t* k, size_t n) {
  return dot_elems<A, I8Elems>(k, q, n);
}

// y += a * x
template <class A, class E>
void axpy_elems(float a, const typename E::T* x, float* y, size_t n) {
  using B = FloatB<A>;
  constexpr size_t W = B::size;
  const B av(a);
  if (n == W) {  // one attention head of exactly one vector
    fmadd<A>(av, E::template load<A>(x), B::load_unaligned(y)).store_unaligned(y);
    return;
  }
  size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    fmadd<A>(av, E::template load<A>(x + i), B::load_unaligned(y + i)).store_unaligned(y + i);
    fmadd<A>(av, E::template load<A>(x + i + W), B::load_unaligned(y + i + W)).store_unaligned(y + i + W);
  }
  for (; i + W <= n; i += W) fmadd<A>(av, E::template load<A>(x + i), B::load_unaligned(y + i)).store_unaligned(y + i);
  if (i < n) store_partial<A>(y + i, fmadd<A>(av, E::template load_tail<A>(x + i, n - i), load_partial<A>(y + i, n - i)), n - i);
}

template <class A>
void axpy_f32(float a, const float* x, float* y, size_t n) {
  axpy_elems<A, F32Elems>(a, x, y, n);
}
template <class A>
void axpy_bf16(float a, const uint16_t* x, float* y, size_t n) {
  axpy_elems<A, BF16Elems>(a, x, y, n);
}
template <class A>
void axpy_i8(float a, const int8_t* x, float* y, size_t n) {
  axpy_elems<A, I8Elems>(a, x, y, n);
}

template <class A>
void rmsnorm(const float* x, const float* weight, float* out, size_t n, float eps) {
  using B = FloatB<A>;
  constexpr size_t W = B::size;
  const float ss = dot_elems<A, F32Elems>(x, x, n);
  const float scale = 1.0f / std::sqrt(ss / static_cast<float>(n) + eps);
  const B sv(scale);
  size_t i = 0;
  for (; i + W <= n; i += W) (B::load_unaligned(weight + i) * (sv * B::load_unaligned(x + i))).store_unaligned(out + i);
  if (i < n) store_partial<A>(out + i, load_partial<A>(weight + i, n - i) * (sv * load_partial<A>(x + i, n - i)), n - i);
}

// Softmax in place. The tail goes through a buffer padded with -inf so padding lanes add
// exp(-inf) = 0 to the sum and every element takes the same vector exp.
template <class A>
void softmax(float* x, size_t n) {
  using B = FloatB<A>;
  constexpr size_t W = B::size;
  if (n == 0) return;
  const size_t full = n - n % W, rest = n - full;
  alignas(64) float tail[W];
  for (size_t k = 0; k < W; ++k) tail[k] = k < rest ? x[full + k] : -INFINITY;
  B mv = B::load_aligned(tail);
  for (size_t i = 0; i < full; i += W) mv = xsimd::max(mv, B::load_unaligned(x + i));
  alignas(64) float lanes[W];
  mv.store_aligned(lanes);
  float max = lanes[0];
  for (size_t k = 1; k < W; ++k) max = lanes[k] > max ? lanes[k] : max;
  const B maxv(max);
  B sum(0.0f);
  for (size_t i = 0; i < full; i += W) {
    const B e = xsimd::exp(B::load_unaligned(x + i) - maxv);
    e.store_unaligned(x + i);
    sum += e;
  }
  const B te = xsimd::exp(B::load_aligned(tail) - maxv);
  te.store_aligned(tail);
  sum += te;
  const B total(reduce_add<A>(sum));
  for (size_t i = 0; i < full; i += W) (B::load_unaligned(x + i) / total).store_unaligned(x + i);
  (B::load_aligned(tail) / total).store_aligned(tail);
  for (size_t k = 0; k < rest; ++k) x[full + k] = tail[k];
}

// gate = silu(gate) * up = gate / (1 + exp(-gate)) * up
template <class A>
void silu_mul(float* gate, const float* up, size_t n) {
  using B = FloatB<A>;
  constexpr size_t W = B::size;
  const B one(1.0f);
  size_t i = 0;
  for (; i + W <= n; i += W) {
    const B g = B::load_unaligned(gate + i);
    (g / (one + xsimd::exp(-g)) * B::load_unaligned(up + i)).store_unaligned(gate + i);
  }
  if (i < n) {
    const B g = load_partial<A>(gate + i, n - i);
    store_partial<A>(gate + i, g / (one + xsimd::exp(-g)) * load_partial<A>(up + i, n - i), n - i);
  }
}

}  // namespace
}  // namespace ringlm
