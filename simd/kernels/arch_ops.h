// Per-ISA primitives xsimd 8.1 lacks, as overloads picked by the Arch tag (xsimd's requires_arch
// idiom: the most derived matching arch wins). Included only by simd/arch/*.cpp, each compiled
// with its ISA's flags; every overload is guarded by the XSIMD_WITH_* macro of its ISA.
//
// Everything here lives in an anonymous namespace: each arch translation unit gets its own copy,
// so the linker can never merge, say, an AVX2-compiled helper into the SSE4.2 or baseline code
// (the one-definition-rule hazard of compiling the same inline function with different flags).
//
//   fmadd(a, b, c)        a * b + c, fused where the ISA has FMA
//   widen_u16(p)          batch<uint32_t>::size uint16 values, zero-extended
//   load_bf16(p)          bf16 bit patterns -> f32 (exact: a 16-bit shift)
//   load_f16(p)           IEEE binary16 -> f32 (exact, subnormals and inf/NaN included)
//   load_i8(p)            int8 -> f32 (exact)
//   load_partial(p, n)    first n < size lanes, zeros above; never reads past p + n
//   store_partial(p, v, n)
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <xsimd/xsimd.hpp>

#include "core/tensor.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#if defined(__ARM_NEON) || defined(__ARM_NEON__)
#include <arm_neon.h>
#endif

namespace ringlm {

// Out-of-line copy of fp16.h's f32_to_f16, compiled in baseline code (simd/dispatch.cpp), for
// ISAs without a half-conversion instruction.
uint16_t f32_to_f16_baseline(float f);

namespace {

template <class A>
using FloatB = xsimd::batch<float, A>;
template <class A>
using U32B = xsimd::batch<uint32_t, A>;
using xsimd::kernel::requires_arch;

// ---- fmadd ---------------------------------------------------------------------------------
template <class A>
inline FloatB<A> fmadd(FloatB<A> a, FloatB<A> b, FloatB<A> c, requires_arch<xsimd::generic>) {
  return xsimd::fma(a, b, c);  // fused where xsimd maps it to an FMA instruction, else a*b+c
}
#if XSIMD_WITH_AVX512F
template <class A>
inline FloatB<A> fmadd(FloatB<A> a, FloatB<A> b, FloatB<A> c, requires_arch<xsimd::avx512f>) {
  return _mm512_fmadd_ps(a, b, c);  // xsimd 8.1 has no avx512 fma overload (falls back to mul+add)
}
#endif
template <class A>
inline FloatB<A> fmadd(FloatB<A> a, FloatB<A> b, FloatB<A> c) {
  return fmadd<A>(a, b, c, A{});
}

// ---- reduce_add: sum of the lanes (xsimd 8.1's AVX hadd goes through two slow vhaddps) ------
template <class A>
inline float reduce_add(FloatB<A> v, requires_arch<xsimd::generic>) {
  return xsimd::hadd(v);
}
#if XSIMD_WITH_SSE2
inline float reduce_add_128(__m128 v) {
  v = _mm_add_ps(v, _mm_movehl_ps(v, v));
  v = _mm_add_ss(v, _mm_shuffle_ps(v, v, 1));
  return _mm_cvtss_f32(v);
}
template <class A>
inline float reduce_add(FloatB<A> v, requires_arch<xsimd::sse2>) {
  return reduce_add_128(v);
}
#endif
#if XSIMD_WITH_AVX
template <class A>
inline float reduce_add(FloatB<A> v, requires_arch<xsimd::avx>) {
  const __m256 x = v;
  return reduce_add_128(_mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1)));
}
#endif
#if XSIMD_WITH_AVX512F
template <class A>
inline float reduce_add(FloatB<A> v, requires_arch<xsimd::avx512f>) {
  const __m512 x = v;
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(x), _mm512_extractf32x8_ps(x, 1));
  return reduce_add_128(_mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
}
#endif
template <class A>
inline float reduce_add(FloatB<A> v) {
  return reduce_add<A>(v, A{});
}

// ---- store_row_sums: G accumulators -> y[0..G) their horizontal sums -------------------------
// Rows per matvec group of adjacent rows (RINGLM_MATVEC_ROWS overrides, for measuring:
// docs/tuning.md). x86: 1, no such groups: adjacent rows read side by side were slower than one
// row after another; the x86 float matvec reads kMatvecStreams far-apart rows instead.
// Elsewhere a vector's worth of rows where the register file holds them (haddp then reduces them
// all at once).
#if defined(RINGLM_MATVEC_ROWS)
template <class A>
constexpr size_t kMatvecRows = RINGLM_MATVEC_ROWS;
#elif XSIMD_WITH_SSE2
template <class A>
constexpr size_t kMatvecRows = 1;
#else
template <class A>
constexpr size_t kMatvecRows = FloatB<A>::size > 8 ? 8 : FloatB<A>::size;
#endif

// Rows the x86 float matvec reads side by side, one from each of that many equal stretches of its
// range (matvec_elems): several sequential streams per thread draw more from memory than one
// (docs/benchmarks.md). As many as keep each row's four accumulators in registers: 4 of 32 zmm,
// 2 of 16 ymm (RINGLM_MATVEC_STREAMS overrides: docs/tuning.md).
#if defined(RINGLM_MATVEC_STREAMS)
template <class A>
constexpr size_t kMatvecStreams = RINGLM_MATVEC_STREAMS;
#else
template <class A>
constexpr size_t kMatvecStreams = FloatB<A>::size >= 16 ? 4 : 2;
#endif

// Prefetches the `bytes` (a step's worth of loads) that lie `ahead` bytes after p, if ahead > 0
// (matvec_prefetch_bytes(), simd/kernels.h: read once per matvec call). Prefetches never fault,
// so running past the end of a matrix near its last rows is harmless. always_inline: GCC 12 may
// otherwise find this out-of-line function free of side effects (a prefetch writes nothing) and
// delete its calls, as it did in simd/arch/avx2_vnni.cpp.
__attribute__((always_inline)) inline void prefetch_ahead(const void* p, size_t bytes, size_t ahead) {
  if (ahead == 0) return;
  const char* a = static_cast<const char*>(p) + ahead;
  for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch(a + b, 0, 3);
}

template <class A, size_t G>
inline void store_row_sums(const FloatB<A>* acc, float* y, requires_arch<xsimd::generic>) {
  if constexpr (G == FloatB<A>::size) {
    xsimd::haddp(acc).store_unaligned(y);
  } else {
    for (size_t k = 0; k < G; ++k) y[k] = reduce_add<A>(acc[k]);
  }
}
#if XSIMD_WITH_AVX512F
// xsimd 8.1's avx512f haddp returns wrong lanes; fold each row to 256 bits and use AVX's.
template <class A, size_t G>
inline void store_row_sums(const FloatB<A>* acc, float* y, requires_arch<xsimd::avx512f>) {
  if constexpr (G % 8 == 0) {
    for (size_t g = 0; g < G; g += 8) {
      xsimd::batch<float, xsimd::avx> half[8];
      for (size_t k = 0; k < 8; ++k) {
        const __m512 v = acc[g + k];
        half[k] = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
      }
      xsimd::haddp(half).store_unaligned(y + g);
    }
  } else {
    for (size_t k = 0; k < G; ++k) y[k] = reduce_add<A>(acc[k]);
  }
}
#endif
template <class A, size_t G>
inline void store_row_sums(const FloatB<A>* acc, float* y) {
  store_row_sums<A, G>(acc, y, A{});
}

// ---- uint16 -> uint32 widening load ----------------------------------------------------------
template <class A>
inline U32B<A> widen_u16(const uint16_t* p, requires_arch<xsimd::generic>) {
  alignas(64) uint32_t buf[U32B<A>::size];
  for (size_t i = 0; i < U32B<A>::size; ++i) buf[i] = p[i];
  return U32B<A>::load_aligned(buf);
}
#if XSIMD_WITH_SSE4_1
template <class A>
inline U32B<A> widen_u16(const uint16_t* p, requires_arch<xsimd::sse4_1>) {
  return _mm_cvtepu16_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
#endif
#if XSIMD_WITH_AVX2
template <class A>
inline U32B<A> widen_u16(const uint16_t* p, requires_arch<xsimd::avx2>) {
  return _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
#endif
#if XSIMD_WITH_AVX512F
template <class A>
inline U32B<A> widen_u16(const uint16_t* p, requires_arch<xsimd::avx512f>) {
  return _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
#endif
#if XSIMD_WITH_NEON
template <class A>
inline U32B<A> widen_u16(const uint16_t* p, requires_arch<xsimd::neon>) {
  return vmovl_u16(vld1_u16(p));
}
#endif
template <class A>
inline U32B<A> widen_u16(const uint16_t* p) {
  return widen_u16<A>(p, A{});
}

// ---- bf16 / f16 / int8 -> f32 ----------------------------------------------------------------
template <class A>
inline FloatB<A> load_bf16(const uint16_t* p) {
  return xsimd::bitwise_cast<FloatB<A>>(widen_u16<A>(p) << 16);
}

// f16 bits already widened to 32-bit lanes -> f32, exact. Moves exponent and mantissa into f32
// position and rebiases; f16 subnormals are rebuilt as (2^-14 + m * 2^-24) - 2^-14, which is
// exact because every f16 subnormal is an f32 normal.
template <class A>
inline FloatB<A> f16_bits_to_f32(U32B<A> h) {
  using U = U32B<A>;
  const U sign = (h & U(0x8000u)) << 16;
  U o = (h & U(0x7FFFu)) << 13;
  const U e = o & U(0x7C00u << 13);
  o = o + U(112u << 23);  // rebias 15 -> 127
  o = xsimd::select(e == U(0x7C00u << 13), o + U(112u << 23), o);  // inf / NaN: exponent all ones
  const FloatB<A> sub = xsimd::bitwise_cast<FloatB<A>>(o + U(1u << 23)) -
                        xsimd::bitwise_cast<FloatB<A>>(U(113u << 23));
  o = xsimd::select(e == U(0u), xsimd::bitwise_cast<U>(sub), o);
  return xsimd::bitwise_cast<FloatB<A>>(o | sign);
}

template <class A>
inline FloatB<A> load_f16(const uint16_t* p, requires_arch<xsimd::generic>) {
  return f16_bits_to_f32<A>(widen_u16<A>(p));
}
#if XSIMD_WITH_AVX2 && defined(__F16C__)
template <class A>
inline FloatB<A> load_f16(const uint16_t* p, requires_arch<xsimd::avx2>) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
#endif
#if XSIMD_WITH_AVX512F
template <class A>
inline FloatB<A> load_f16(const uint16_t* p, requires_arch<xsimd::avx512f>) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
#endif
#if XSIMD_WITH_NEON64
template <class A>
inline FloatB<A> load_f16(const uint16_t* p, requires_arch<xsimd::neon64>) {
  return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p)));
}
#endif
template <class A>
inline FloatB<A> load_f16(const uint16_t* p) {
  return load_f16<A>(p, A{});
}

template <class A>
inline FloatB<A> load_i8(const int8_t* p, requires_arch<xsimd::generic>) {
  alignas(64) int32_t buf[FloatB<A>::size];
  for (size_t i = 0; i < FloatB<A>::size; ++i) buf[i] = p[i];
  return xsimd::to_float(xsimd::batch<int32_t, A>::load_aligned(buf));
}
#if XSIMD_WITH_SSE4_1
template <class A>
inline FloatB<A> load_i8(const int8_t* p, requires_arch<xsimd::sse4_1>) {
  int32_t four;
  std::memcpy(&four, p, 4);
  return _mm_cvtepi32_ps(_mm_cvtepi8_epi32(_mm_cvtsi32_si128(four)));
}
#endif
#if XSIMD_WITH_AVX2
template <class A>
inline FloatB<A> load_i8(const int8_t* p, requires_arch<xsimd::avx2>) {
  return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}
#endif
#if XSIMD_WITH_AVX512F
template <class A>
inline FloatB<A> load_i8(const int8_t* p, requires_arch<xsimd::avx512f>) {
  return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}
#endif
#if XSIMD_WITH_NEON
template <class A>
inline FloatB<A> load_i8(const int8_t* p, requires_arch<xsimd::neon>) {
  uint32_t four;
  std::memcpy(&four, p, 4);
  const int16x8_t w16 = vmovl_s8(vreinterpret_s8_u32(vdup_n_u32(four)));
  return vcvtq_f32_s32(vmovl_s16(vget_low_s16(w16)));
}
#endif
template <class A>
inline FloatB<A> load_i8(const int8_t* p) {
  return load_i8<A>(p, A{});
}

// ---- partial loads / stores (tails) -----------------------------------------------------------
// Element loaders for the tail: copy n < size elements into a zeroed buffer and reuse the full
// loader. Zero lanes contribute 0 * 0 to every dot product, so the tail needs no masking later.
// Out of line so the hot entry of a short kernel does not pay for the aligned stack buffer.
#define RINGLM_COLD __attribute__((noinline, cold))
template <class A, class T, class Load>
RINGLM_COLD FloatB<A> load_tail(const T* p, size_t n, Load load) {
  alignas(64) T buf[FloatB<A>::size] = {};
  std::memcpy(buf, p, n * sizeof(T));
  return load(buf);
}

template <class A>
inline FloatB<A> load_partial(const float* p, size_t n, requires_arch<xsimd::generic>) {
  return load_tail<A>(p, n, [](const float* b) { return FloatB<A>::load_aligned(b); });
}
template <class A>
RINGLM_COLD void store_partial(float* p, FloatB<A> v, size_t n, requires_arch<xsimd::generic>) {
  alignas(64) float buf[FloatB<A>::size];
  v.store_aligned(buf);
  std::memcpy(p, buf, n * sizeof(float));
}
#if XSIMD_WITH_AVX
// vmaskmovps: lanes whose mask is clear are neither read nor written (no fault past the end).
alignas(64) constexpr int32_t kAvxTailMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
inline __m256i avx_tail_mask(size_t n) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kAvxTailMask + 8 - n)); }
template <class A>
inline FloatB<A> load_partial(const float* p, size_t n, requires_arch<xsimd::avx>) {
  return _mm256_maskload_ps(p, avx_tail_mask(n));
}
template <class A>
inline void store_partial(float* p, FloatB<A> v, size_t n, requires_arch<xsimd::avx>) {
  _mm256_maskstore_ps(p, avx_tail_mask(n), v);
}
#endif
#if XSIMD_WITH_AVX512F
template <class A>
inline FloatB<A> load_partial(const float* p, size_t n, requires_arch<xsimd::avx512f>) {
  return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
}
template <class A>
inline void store_partial(float* p, FloatB<A> v, size_t n, requires_arch<xsimd::avx512f>) {
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1u), v);
}
#endif
template <class A>
inline FloatB<A> load_partial(const float* p, size_t n) {
  return load_partial<A>(p, n, A{});
}
template <class A>
inline void store_partial(float* p, FloatB<A> v, size_t n) {
  store_partial<A>(p, v, n, A{});
}

template <class A>
inline FloatB<A> load_bf16_partial(const uint16_t* p, size_t n) {
  return load_tail<A>(p, n, [](const uint16_t* b) { return load_bf16<A>(b); });
}
template <class A>
inline FloatB<A> load_f16_partial(const uint16_t* p, size_t n) {
  return load_tail<A>(p, n, [](const uint16_t* b) { return load_f16<A>(b); });
}
template <class A>
inline FloatB<A> load_i8_partial(const int8_t* p, size_t n) {
  return load_tail<A>(p, n, [](const int8_t* b) { return load_i8<A>(b); });
}

// Scalar f16 -> f32 for block scales (the fp16.h reference is an extern inline function: calling
// it here could leave an ISA-flagged copy for the linker to pick, so this TU keeps its own).
inline float half_to_float(uint16_t h) {
#if defined(__F16C__)
  return _cvtsh_ss(h);
#else
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t o = static_cast<uint32_t>(h & 0x7FFFu) << 13;
  const uint32_t e = o & (0x7C00u << 13);
  o += 112u << 23;
  float f;
  if (e == (0x7C00u << 13)) {
    o += 112u << 23;
    std::memcpy(&f, &o, 4);
  } else if (e == 0) {
    o += 1u << 23;
    float magic;
    const uint32_t magic_bits = 113u << 23;
    std::memcpy(&f, &o, 4);
    std::memcpy(&magic, &magic_bits, 4);
    f -= magic;
  } else {
    std::memcpy(&f, &o, 4);
  }
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits |= sign;
  std::memcpy(&f, &bits, 4);
  return f;
#endif
}

// Scalar f32 -> f16, round to nearest even (the reference's rounding, subnormals included).
inline uint16_t float_to_half(float f) {
#if defined(__F16C__)
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#elif defined(__aarch64__)
  return vget_lane_u16(vreinterpret_u16_f16(vcvt_f16_f32(vdupq_n_f32(f))), 0);
#else
  return f32_to_f16_baseline(f);
#endif
}

// Row r of a weight view (TensorView::row is an inline function of baseline code; see the top).
inline const uint8_t* row_ptr(const TensorView& w, int64_t r) {
  return static_cast<const uint8_t*>(w.data) + static_cast<size_t>(r) * w.row_bytes;
}

}  // namespace
}  // namespace ringlm
