// dot_rows / axpy_rows for the ISA tables (kv_rows.h has the reference loop): a head of exactly
// one vector, or a few whole vectors, keeps q or the output in registers across all rows, with
// no per-row call, tail handling or store. Other head sizes take the per-row loop.
#pragma once

#include "simd/kernels/float_kernels.h"
#include "simd/kernels/kv_rows.h"

namespace ringlm {
namespace {

constexpr size_t kMaxHeadVectors = 16;  // register-resident heads up to 16 vectors (256 floats on AVX-512)

template <class A, class E, bool kScaled>
void dot_rows_elems(const KvRows& r, const float* q, size_t n, size_t hd, float factor, float* out) {
  using B = FloatB<A>;
  constexpr size_t W = B::size;
  const auto* p = static_cast<const typename E::T*>(r.data);
  const size_t nv = hd / W;
  B qv[kMaxHeadVectors];
  for (size_t v = 0; v < nv; ++v) qv[v] = B::load_unaligned(q + v * W);
  for (size_t j = 0; j < n; ++j) {
    const typename E::T* row = p + j * r.stride;
    B acc = E::template load<A>(row) * qv[0];
    for (size_t v = 1; v < nv; ++v) acc = fmadd<A>(E::template load<A>(row + v * W), qv[v], acc);
    const float s = kScaled ? r.scales[j * r.scale_stride] * factor : factor;
    out[j] = reduce_add<A>(acc) * s;
  }
}

template <class A, class E, bool kScaled>
void axpy_rows_elems(const KvRows& r, const float* w, size_t n, size_t hd, float* out) {
  using B = FloatB<A>;
  constexpr size_t W = B::size;
  const auto* p = static_cast<const typename E::T*>(r.data);
  const size_t nv = hd / W;
  B acc[kMaxHeadVectors];
  for (size_t v = 0; v < nv; ++v) acc[v] = B::load_unaligned(out + v * W);
  for (size_t j = 0; j < n; ++j) {
    if (w[j] == 0.0f) continue;
    const B a(kScaled ? w[j] * r.scales[j * r.scale_stride] : w[j]);
    const typename E::T* row = p + j * r.stride;
    for (size_t v = 0; v < nv; ++v) acc[v] = fmadd<A>(a, E::template load<A>(row + v * W), acc[v]);
  }
  for (size_t v = 0; v < nv; ++v) acc[v].store_unaligned(out + v * W);
}

template <class A>
bool whole_vectors(size_t hd) {
  return hd % FloatB<A>::size == 0 && hd / FloatB<A>::size <= kMaxHeadVectors;
}

template <class A>
void dot_rows_simd(const KvRows& r, const float* q, size_t n, size_t hd, float factor, float* out) {
#if XSIMD_WITH_AVX512F && XSIMD_WITH_FMA3_AVX2
  // Heads of 8 on AVX-512: the 256-bit body (a 16-lane vector would need masks on every row).
  if constexpr (FloatB<A>::size == 16) {
    if (hd == 8) return dot_rows_simd<xsimd::fma3<xsimd::avx2>>(r, q, n, hd, factor, out);
  }
#endif
  if (whole_vectors<A>(hd)) {
    switch (r.type) {
      case KvRowType::kF32: return dot_rows_elems<A, F32Elems, false>(r, q, n, hd, factor, out);
      case KvRowType::kBF16: return dot_rows_elems<A, BF16Elems, false>(r, q, n, hd, factor, out);
      case KvRowType::kI8: return dot_rows_elems<A, I8Elems, true>(r, q, n, hd, factor, out);
    }
  }
  dot_rows_with<&dot_f32<A>, &dot_bf16<A>, &dot_i8<A>>(r, q, n, hd, factor, out);
}

template <class A>
void axpy_rows_simd(const KvRows& r, const float* w, size_t n, size_t hd, float* out) {
#if XSIMD_WITH_AVX512F && XSIMD_WITH_FMA3_AVX2
  if constexpr (FloatB<A>::size == 16) {
    if (hd == 8) return axpy_rows_simd<xsimd::fma3<xsimd::avx2>>(r, w, n, hd, out);
  }
#endif
  if (whole_vectors<A>(hd)) {
    switch (r.type) {
      case KvRowType::kF32: return axpy_rows_elems<A, F32Elems, false>(r, w, n, hd, out);
      case KvRowType::kBF16: return axpy_rows_elems<A, BF16Elems, false>(r, w, n, hd, out);
      case KvRowType::kI8: return axpy_rows_elems<A, I8Elems, true>(r, w, n, hd, out);
    }
  }
  axpy_rows_with<&axpy_f32<A>, &axpy_bf16<A>, &axpy_i8<A>>(r, w, n, hd, out);
}

}  // namespace
}  // namespace ringlm
