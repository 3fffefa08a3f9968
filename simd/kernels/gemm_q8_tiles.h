// The int8 prefill GEMM (Kernels::gemm_q8) for Q8_0, Q4_0, Q4_K and Q6_K weights, at any vector
// width: AVX512-VNNI (gemm_q8_avx512.h, 16 tokens a vector), AVX-VNNI (gemm_q8_avx2.h, 8) and
// NEON sdot (gemm_q8_neon.h, 4). Included only by simd/arch/*.cpp.
//
// Tokens sit in lanes. The activations come packed 16 tokens to a group (simd/quant/q8_tokens.h:
// per block, 8 slices of 4 quants per token; a narrower vector takes part of a group); a weight
// row's 4 bytes of the same slice are broadcast to every lane, so one dot instruction adds 4
// products to every token's sum of one row and a block takes 8 — no horizontal sums, no
// shuffles. The weights go in as a byte per quant, unpacked once per call (gemm_q8_rows.h), as
// q + o where the quant has an offset (Q4_0: the nibble, o = 8; Q6_K: the 6-bit value, o = 32;
// Q8_0 with vpdpbusd, which multiplies unsigned by signed bytes: q + 128), and each accumulator
// starts at -o * (the token's block or half-block sum), so a lane ends at the exact integer dot.
// Then per block (Q6_K: per half) one fma(float(isum) * dx, scale, y) in every lane, and for Q4_K
// one more for its min: each output is one lane's chain over the blocks in order, the scalar
// reference's own operations, so the bits match it.
//
// A V policy gives the vector types and operations (I int32 lanes, F f32 lanes, kLanes tokens,
// kRows rows a tile), store(y, ldy, acc, lanes): lane t of acc to y[t * ldy] for t < lanes,
// unpack_row(type, row, nb, out, scales): one weight row's bytes and two floats per block, false
// for a type it does not take (gemm_q8_rows.h, gemm_q8_neon.h), and kSignedWeights: whether its
// dot product takes the weights signed (NEON sdot: Q8_0 as it is) or unsigned (x86 vpdpbusd:
// Q8_0 q + 128).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/tensor.h"
#include "simd/quant/blocks.h"
#include "simd/quant/q8_tokens.h"

namespace ringlm {
namespace {

// What differs between weight types inside the tile: log2 of the offset o (-1: none), whether a
// block's two halves have scales of their own (Q6_K), whether a block has a min (Q4_K).
template <int kShift, bool kHalves, bool kMins>
struct Q8GemmKind {
  static constexpr int shift = kShift;
  static constexpr bool halves = kHalves, mins = kMins;
};
using KindQ8_0 = Q8GemmKind<7, false, false>;  // unsigned weights: q + 128
using KindQ8_0Signed = Q8GemmKind<-1, false, false>;
using KindQ4_0 = Q8GemmKind<3, false, false>;
using KindQ4_K = Q8GemmKind<-1, false, true>;
using KindQ6_K = Q8GemmKind<5, true, false>;

// -o * sums, or zeros for a type without an offset.
template <class V, class Kind>
__attribute__((always_inline)) inline typename V::I q8_start(typename V::I sums) {
  if constexpr (Kind::shift < 0) {
    return V::zero_i();
  } else {
    return V::sub_i(V::zero_i(), V::shl_i(sums, Kind::shift));
  }
}

// One scaled part of block j, slices [s0, s1) (all of it, or a Q6_K half): integer sums from
// `start`, then acc += float(isum) * dx * (the row's scale at scale[r * scale_row]).
template <class V, int MG, int NR, int s0, int s1>
__attribute__((always_inline)) inline void q8_block_part(typename V::F (&acc)[NR][MG], const typename V::I (&start)[MG],
                                                         const typename V::F (&dx)[MG], const uint8_t* const (&xj)[MG],
                                                         const uint8_t* wj, size_t w_row, const float* scale,
                                                         size_t scale_row) {
  typename V::I isum[NR][MG];
  for (int r = 0; r < NR; ++r)
    for (int g = 0; g < MG; ++g) isum[r][g] = start[g];
#pragma GCC unroll 8
  for (int s = s0; s < s1; ++s) {
    typename V::I xv[MG];
    for (int g = 0; g < MG; ++g) xv[g] = V::load_i(xj[g] + kQ8PackQuants + 64 * s);
    for (int r = 0; r < NR; ++r) {
      int32_t quad;
      std::memcpy(&quad, wj + r * w_row + 4 * s, 4);
      const typename V::I wv = V::set1_i(quad);
      for (int g = 0; g < MG; ++g) isum[r][g] = V::dpbusd(isum[r][g], wv, xv[g]);
    }
  }
  for (int r = 0; r < NR; ++r) {
    const typename V::F sc = V::set1_f(scale[r * scale_row]);
    for (int g = 0; g < MG; ++g) acc[r][g] = V::fmadd(V::mul(V::cvt(isum[r][g]), dx[g]), sc, acc[r][g]);
  }
}

// MG lane groups (xg[g]: their packed bytes, block 0) x NR rows over all nb blocks. scales: two
// floats per block (gemm_q8_rows.h), rows 2 * nb floats apart.
template <class V, int MG, int NR, class Kind>
__attribute__((always_inline)) inline void q8_gemm_tile(const uint8_t* const (&xg)[MG], const size_t (&valid)[MG],
                                                         const size_t (&first)[MG], size_t nb, const uint8_t* wq,
                                                         size_t w_row, const float* scales, float* y, size_t ldy) {
  using F = typename V::F;
  using I = typename V::I;
  const size_t scale_row = 2 * nb;
  F acc[NR][MG];
  for (int r = 0; r < NR; ++r)
    for (int g = 0; g < MG; ++g) acc[r][g] = V::zero_f();
  for (size_t j = 0; j < nb; ++j) {
    const uint8_t* xj[MG];
    F dx[MG];
    I start[MG];
    for (int g = 0; g < MG; ++g) {
      xj[g] = xg[g] + j * kQ8PackBlockBytes;
      dx[g] = V::load_f(xj[g] + kQ8PackScales);
    }
    const uint8_t* wj = wq + j * kQK8_0;
    const float* sj = scales + 2 * j;
    if constexpr (Kind::halves) {
      for (int g = 0; g < MG; ++g) start[g] = q8_start<V, Kind>(V::load_i(xj[g] + kQ8PackLowSums));
      q8_block_part<V, MG, NR, 0, 4>(acc, start, dx, xj, wj, w_row, sj, scale_row);
      for (int g = 0; g < MG; ++g) {  // the second half's sums: the block's less the first half's
        start[g] = q8_start<V, Kind>(V::sub_i(V::load_i(xj[g] + kQ8PackSums), V::load_i(xj[g] + kQ8PackLowSums)));
      }
      q8_block_part<V, MG, NR, 4, 8>(acc, start, dx, xj, wj, w_row, sj + 1, scale_row);
    } else {
      for (int g = 0; g < MG; ++g) start[g] = q8_start<V, Kind>(V::load_i(xj[g] + kQ8PackSums));
      q8_block_part<V, MG, NR, 0, 8>(acc, start, dx, xj, wj, w_row, sj, scale_row);
      if constexpr (Kind::mins) {  // acc = fma(-(float(xsum) * dx), dmin * m, acc)
        F xsum_dx[MG];
        for (int g = 0; g < MG; ++g) xsum_dx[g] = V::mul(V::cvt(V::load_i(xj[g] + kQ8PackSums)), dx[g]);
        for (int r = 0; r < NR; ++r) {
          const F mn = V::set1_f(sj[r * scale_row + 1]);
          for (int g = 0; g < MG; ++g) acc[r][g] = V::fnmadd(xsum_dx[g], mn, acc[r][g]);
        }
      }
    }
  }
  for (int r = 0; r < NR; ++r)
    for (int g = 0; g < MG; ++g) V::store(y + first[g] * ldy + r, ldy, acc[r][g], valid[g]);
}

// All n rows of the call against MG lane groups from group g on (V::kLanes tokens each; a group
// of 16 packed tokens holds 16 / kLanes of them, 4 bytes a token apart in every field).
template <class V, int MG, class Kind>
inline void q8_gemm_groups(const Q8Tokens& x, size_t nb, size_t g, const uint8_t* wq, const float* scales, size_t n,
                           float* y, size_t ldy) {
  const size_t group_bytes = nb * kQ8PackBlockBytes, w_row = nb * kQK8_0, s_row = 2 * nb;
  const uint8_t* xg[MG];
  size_t valid[MG], first[MG];
  for (int i = 0; i < MG; ++i) {
    first[i] = (g + i) * V::kLanes;
    valid[i] = x.m - first[i] < V::kLanes ? x.m - first[i] : V::kLanes;
    xg[i] = x.packed + first[i] / kQ8PackTokens * group_bytes + first[i] % kQ8PackTokens * 4;
  }
  constexpr int NR = V::kRows;
  size_t r = 0;
  for (; r + NR <= n; r += NR) q8_gemm_tile<V, MG, NR, Kind>(xg, valid, first, nb, wq + r * w_row, w_row, scales + r * s_row, y + r, ldy);
  const uint8_t* wr = wq + r * w_row;
  const float* sr = scales + r * s_row;
  switch (n - r) {  // NR <= 6
    case 5: if constexpr (NR > 5) q8_gemm_tile<V, MG, 5, Kind>(xg, valid, first, nb, wr, w_row, sr, y + r, ldy); return;
    case 4: if constexpr (NR > 4) q8_gemm_tile<V, MG, 4, Kind>(xg, valid, first, nb, wr, w_row, sr, y + r, ldy); return;
    case 3: if constexpr (NR > 3) q8_gemm_tile<V, MG, 3, Kind>(xg, valid, first, nb, wr, w_row, sr, y + r, ldy); return;
    case 2: return q8_gemm_tile<V, MG, 2, Kind>(xg, valid, first, nb, wr, w_row, sr, y + r, ldy);
    case 1: return q8_gemm_tile<V, MG, 1, Kind>(xg, valid, first, nb, wr, w_row, sr, y + r, ldy);
    default: return;
  }
}

template <class V, class Kind>
void q8_gemm_all(const Q8Tokens& x, size_t nb, const uint8_t* wq, const float* scales, size_t n, float* y, size_t ldy) {
  const size_t groups = (x.m + V::kLanes - 1) / V::kLanes;
  size_t g = 0;
  for (; g + 2 <= groups; g += 2) q8_gemm_groups<V, 2, Kind>(x, nb, g, wq, scales, n, y, ldy);
  if (g < groups) q8_gemm_groups<V, 1, Kind>(x, nb, g, wq, scales, n, y, ldy);
}

// Kernels::gemm_q8 (contract in simd/kernels.h) through policy V.
template <class V>
void gemm_q8_with(const TensorView& w, int64_t row_begin, int64_t row_end, const Q8Tokens& x, void* scratch, float* y,
                  size_t ldy) {
  const size_t nb = static_cast<size_t>(w.cols) / kQK8_0;
  const size_t n = static_cast<size_t>(row_end - row_begin), cols = static_cast<size_t>(w.cols);
  uint8_t* wq = static_cast<uint8_t*>(scratch);
  float* scales = reinterpret_cast<float*>(wq + n * cols);
  for (size_t r = 0; r < n; ++r) {  // each row once per call: its bytes, two floats per block
    const uint8_t* row = static_cast<const uint8_t*>(w.row(row_begin + static_cast<int64_t>(r)));
    if (!V::unpack_row(w.dtype, row, nb, wq + r * cols, scales + r * 2 * nb)) return;
  }
  switch (w.dtype) {
    case DType::kQ8_0:
      if constexpr (V::kSignedWeights) return q8_gemm_all<V, KindQ8_0Signed>(x, nb, wq, scales, n, y, ldy);
      return q8_gemm_all<V, KindQ8_0>(x, nb, wq, scales, n, y, ldy);
    case DType::kQ4_0: return q8_gemm_all<V, KindQ4_0>(x, nb, wq, scales, n, y, ldy);
    case DType::kQ4_K: return q8_gemm_all<V, KindQ4_K>(x, nb, wq, scales, n, y, ldy);
    case DType::kQ6_K: return q8_gemm_all<V, KindQ6_K>(x, nb, wq, scales, n, y, ldy);
    default: return;
  }
}

}  // namespace
}  // namespace ringlm
