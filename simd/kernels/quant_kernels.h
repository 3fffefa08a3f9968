// Integer-path kernels: activation quantization to Q8_0 and the Q8_0/Q4_0/Q4_K/Q6_K x Q8_0
// matvec, written once against an int8 "Ops" policy (int8_ops_x86.h, int8_ops_neon.h).
//
// Per activation block every kernel forms exactly the integers of simd/quant/dot.h, as int32
// lanes whose sum is that integer (per-lane partial sums are exact, so are their float
// conversions). The float side differs from the reference only in order: lanes are scaled by the
// block's float factor and accumulated lane-wise, then summed once per row.
//
// Rows go R at a time (RowsPerGroup<Ops>): each activation block (and for Q4_K its element sum)
// is loaded once and used by every row of the group.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "simd/kernels/arch_ops.h"
#include "simd/quant/blocks.h"
#include "simd/quant/dot.h"
#include "core/tensor.h"

namespace ringlm {
namespace {

// Rows per group: Ops::kRows where the policy sets it, else 4. x86 sets 1: there one row at a
// time reads each thread's weights as one sequential stream, which the hardware prefetcher follows
// best; interleaved streams of 4 rows ran at about half the bandwidth (int8_ops_x86.h).
template <class Ops, class = void>
struct RowsPerGroup {
  static constexpr int value = 4;
};
template <class Ops>
struct RowsPerGroup<Ops, std::void_t<decltype(Ops::kRows)>> {
  static constexpr int value = Ops::kRows;
};

// Software prefetch distance (blocks) for groups of several rows. A single row is one sequential
// stream the hardware prefetcher already follows: there the prefetch only cost time, so R = 1
// does not issue it (RINGLM_PREFETCH_BLOCKS overrides: docs/tuning.md).
#ifndef RINGLM_PREFETCH_BLOCKS
#define RINGLM_PREFETCH_BLOCKS 16
#endif
constexpr int kPrefetchBlocks = RINGLM_PREFETCH_BLOCKS;

// ---- activations: f32 -> Q8_0 ------------------------------------------------------------------
// Bit-identical to quantize_activations_q8: d = absmax / 127 (stored as f16), id = 1 / d (or 0),
// q = round-half-away-from-zero(x * id) clamped to [-127, 127]. The rounding is built from trunc:
// x - trunc(x) is exact, so comparing it to 0.5 decides ties exactly like std::round.
template <class A>
void quantize_q8(const float* x, BlockQ8_0* out, int64_t n) {
  using B = FloatB<A>;
  constexpr size_t W = B::size;
  static_assert(kQK8_0 % W == 0, "vector width must divide the block");
  constexpr size_t kVecs = kQK8_0 / W;
  for (int64_t b = 0; b < n / kQK8_0; ++b) {
    const float* xb = x + b * kQK8_0;
    B v[kVecs];
    B amax(0.0f);
    for (size_t k = 0; k < kVecs; ++k) {
      v[k] = B::load_unaligned(xb + k * W);
      amax = xsimd::max(amax, xsimd::abs(v[k]));
    }
    alignas(64) float lanes[W];
    amax.store_aligned(lanes);
    float m = lanes[0];
    for (size_t k = 1; k < W; ++k) m = lanes[k] > m ? lanes[k] : m;
    const float d = m / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    out[b].d = float_to_half(d);
    const B idv(id), half(0.5f), one(1.0f), lim(127.0f);
    alignas(64) int32_t q[kQK8_0];
    for (size_t k = 0; k < kVecs; ++k) {
      const B s = v[k] * idv;
      const B t = xsimd::trunc(s);
      const B r = xsimd::select(xsimd::abs(s - t) >= half, t + xsimd::copysign(one, s), t);
      xsimd::to_int(xsimd::min(xsimd::max(r, -lim), lim)).store_aligned(q + k * W);
    }
    for (int i = 0; i < kQK8_0; ++i) out[b].qs[i] = static_cast<int8_t>(q[i]);
  }
}

// ---- weights x Q8_0 activations ----------------------------------------------------------------
// Accumulators per row: a group of R > 1 rows already runs R independent FMA chains; a single row
// spreads its blocks round-robin over kAccs chains, or one FMA latency per 34-byte Q8_0 block
// would cap a core near its memory bandwidth (2 chains measured faster than 1, 4 no faster:
// docs/benchmarks.md; RINGLM_ROW_ACCS overrides: docs/tuning.md).
// The chains are summed in a fixed order, so a row's result depends only on its group size, and
// groups are aligned to the thread split (runtime/matmul.cpp).
#ifndef RINGLM_ROW_ACCS
#define RINGLM_ROW_ACCS 2
#endif
template <int R>
constexpr int kAccs = R == 1 ? RINGLM_ROW_ACCS : 1;

// body(b, a) for blocks b = 0..n-1, block b on accumulator a = b % A.
template <int A, class Body>
__attribute__((always_inline)) inline void round_robin(int64_t n, Body&& body) {
  int64_t b = 0;
  for (; b + A <= n; b += A) {
    for (int a = 0; a < A; ++a) body(b + a, a);
  }
  for (int a = 0; b < n; ++b, ++a) body(b, a);
}

template <class Ops, int A>
float sum_accs(const typename Ops::F* acc) {
  float s = Ops::fsum(acc[0]);
  for (int a = 1; a < A; ++a) s += Ops::fsum(acc[a]);
  return s;
}

template <class Ops, int R>
void rows_q8_0(const BlockQ8_0* const* w, const BlockQ8_0* xq, int64_t nb, float* y) {
  constexpr int A = kAccs<R>;
  typename Ops::F acc[R][A];
  for (int k = 0; k < R; ++k) {
    for (int a = 0; a < A; ++a) acc[k][a] = Ops::fzero();
  }
  round_robin<A>(nb, [&](int64_t b, int a) {
    const typename Ops::V xv = Ops::load(xq[b].qs);
    const float dx = half_to_float(xq[b].d);
    if constexpr (R > 1) {
      for (int k = 0; k < R; ++k) __builtin_prefetch(w[k] + b + kPrefetchBlocks);
    }
    for (int k = 0; k < R; ++k) {
      acc[k][a] = Ops::fmadd(Ops::dot_ss(Ops::load(w[k][b].qs), xv), half_to_float(w[k][b].d) * dx, acc[k][a]);
    }
  });
  for (int k = 0; k < R; ++k) y[k] = sum_accs<Ops, A>(acc[k]);
}

template <class Ops, int R>
void rows_q4_0(const BlockQ4_0* const* w, const BlockQ8_0* xq, int64_t nb, float* y) {
  constexpr int A = kAccs<R>;
  typename Ops::F acc[R][A];
  for (int k = 0; k < R; ++k) {
    for (int a = 0; a < A; ++a) acc[k][a] = Ops::fzero();
  }
  round_robin<A>(nb, [&](int64_t b, int a) {
    const typename Ops::V xv = Ops::load(xq[b].qs);
    const float dx = half_to_float(xq[b].d);
    for (int k = 0; k < R; ++k) {
      const typename Ops::V q = Ops::sub_i8(Ops::nibbles_q4_0(w[k][b].qs), 8);
      acc[k][a] = Ops::fmadd(Ops::dot_ss(q, xv), half_to_float(w[k][b].d) * dx, acc[k][a]);
    }
  });
  for (int k = 0; k < R; ++k) y[k] = sum_accs<Ops, A>(acc[k]);
}

// Q4_K 6-bit scale / min of sub-block j (blocks.h: q4k_scale_min, kept local, see arch_ops.h).
inline void unpack_q4k_scales(const uint8_t* b, int* sc, int* m) {
  for (int j = 0; j < 4; ++j) {
    sc[j] = b[j] & 63;
    m[j] = b[j + 4] & 63;
  }
  for (int j = 4; j < 8; ++j) {
    sc[j] = (b[j + 4] & 15) | ((b[j - 4] >> 6) << 4);
    m[j] = (b[j + 4] >> 4) | ((b[j] >> 6) << 4);
  }
}

// acc += (d * dx) * (sc_j * isum) and, kept apart, accm += (dmin * dx) * (m_j * xsum).
// Sub-block j of every super-block goes on accumulator j % A (A divides 8).
template <class Ops, int R>
void rows_q4_k(const BlockQ4_K* const* w, const BlockQ8_0* xq, int64_t nsuper, float* y) {
  constexpr int A = kAccs<R>;
  static_assert(8 % A == 0, "accumulators must divide the 8 sub-blocks");
  typename Ops::F acc[R][A], accm[R][A];
  for (int k = 0; k < R; ++k) {
    for (int a = 0; a < A; ++a) acc[k][a] = accm[k][a] = Ops::fzero();
  }
  for (int64_t i = 0; i < nsuper; ++i) {
    int sc[R][8], m[R][8];
    float d[R], dmin[R];
    for (int k = 0; k < R; ++k) {
      unpack_q4k_scales(w[k][i].scales, sc[k], m[k]);
      d[k] = half_to_float(w[k][i].d);
      dmin[k] = half_to_float(w[k][i].dmin);
    }
    for (int j = 0; j < 8; ++j) {
      const BlockQ8_0& xb = xq[i * 8 + j];
      const typename Ops::V xv = Ops::load(xb.qs);
      const typename Ops::I xsum = Ops::sum_i8(xv);
      const float dx = half_to_float(xb.d);
      for (int k = 0; k < R; ++k) {
        const typename Ops::V q = Ops::nibbles(w[k][i].qs + 32 * (j / 2), (j & 1) * 4);
        acc[k][j % A] = Ops::fmadd(Ops::mul(Ops::dot_us(q, xv), sc[k][j]), d[k] * dx, acc[k][j % A]);
        accm[k][j % A] = Ops::fmadd(Ops::mul(xsum, m[k][j]), dmin[k] * dx, accm[k][j % A]);
      }
    }
  }
  for (int k = 0; k < R; ++k) y[k] = sum_accs<Ops, A>(acc[k]) - sum_accs<Ops, A>(accm[k]);
}

// Activation block j of a super-block covers elements 32j..32j+31: half h = j / 4, k = j % 4 takes
// its low bits from ql[64h + 32(k & 1) ...] (low nibble for k < 2) and high bits from
// qh[32h ...] bits 2k..2k+1 (blocks.h). Sub-block j goes on accumulator j % A.
template <class Ops, int R>
void rows_q6_k(const BlockQ6_K* const* w, const BlockQ8_0* xq, int64_t nsuper, float* y) {
  constexpr int A = kAccs<R>;
  static_assert(8 % A == 0, "accumulators must divide the 8 sub-blocks");
  typename Ops::F acc[R][A];
  for (int k = 0; k < R; ++k) {
    for (int a = 0; a < A; ++a) acc[k][a] = Ops::fzero();
  }
  for (int64_t i = 0; i < nsuper; ++i) {
    float d[R];
    for (int k = 0; k < R; ++k) d[k] = half_to_float(w[k][i].d);
    for (int j = 0; j < 8; ++j) {
      const BlockQ8_0& xb = xq[i * 8 + j];
      const typename Ops::V xv = Ops::load(xb.qs);
      const float dx = half_to_float(xb.d);
      const int h = j / 4, kk = j % 4;
      for (int k = 0; k < R; ++k) {
        const BlockQ6_K& wb = w[k][i];
        const typename Ops::V q = Ops::sub_i8(Ops::q6(wb.ql + 64 * h + 32 * (kk & 1), kk < 2 ? 0 : 4, wb.qh + 32 * h, 2 * kk), 32);
        acc[k][j % A] = Ops::fmadd(Ops::dot_ss_scaled_halves(q, xv, wb.scales[2 * j], wb.scales[2 * j + 1]), d[k] * dx, acc[k][j % A]);
      }
    }
  }
  for (int k = 0; k < R; ++k) y[k] = sum_accs<Ops, A>(acc[k]);
}

template <class Block, int R, void (*kRowsR)(const Block* const*, const BlockQ8_0*, int64_t, float*),
          void (*kRows1)(const Block* const*, const BlockQ8_0*, int64_t, float*)>
void matvec_blocks(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end, int64_t nb) {
  int64_t r = row_begin;
  for (; R > 1 && r + R <= row_end; r += R) {
    const Block* rows[R];
    for (int k = 0; k < R; ++k) rows[k] = reinterpret_cast<const Block*>(row_ptr(w, r + k));
    kRowsR(rows, xq, nb, y + (r - row_begin));
  }
  for (; r < row_end; ++r) {
    const Block* row = reinterpret_cast<const Block*>(row_ptr(w, r));
    kRows1(&row, xq, nb, y + (r - row_begin));
  }
}

template <class Ops>
void matvec_q8(const TensorView& w, const BlockQ8_0* xq, float* y, int64_t row_begin, int64_t row_end) {
  const int64_t n = w.cols;
  constexpr int R = RowsPerGroup<Ops>::value;
  switch (w.dtype) {
    case DType::kQ8_0:
      return matvec_blocks<BlockQ8_0, R, rows_q8_0<Ops, R>, rows_q8_0<Ops, 1>>(w, xq, y, row_begin, row_end, n / kQK8_0);
    case DType::kQ4_0:
      return matvec_blocks<BlockQ4_0, R, rows_q4_0<Ops, R>, rows_q4_0<Ops, 1>>(w, xq, y, row_begin, row_end, n / kQK4_0);
    case DType::kQ4_K:
      return matvec_blocks<BlockQ4_K, R, rows_q4_k<Ops, R>, rows_q4_k<Ops, 1>>(w, xq, y, row_begin, row_end, n / kQK_K);
    case DType::kQ6_K:
      return matvec_blocks<BlockQ6_K, R, rows_q6_k<Ops, R>, rows_q6_k<Ops, 1>>(w, xq, y, row_begin, row_end, n / kQK_K);
    default:
      // Float weights on the integer path: the reference (an out-of-line baseline function).
      for (int64_t r = row_begin; r < row_end; ++r) y[r - row_begin] = dot_q8_row(w.dtype, row_ptr(w, r), xq, n);
  }
}

}  // namespace
}  // namespace ringlm
