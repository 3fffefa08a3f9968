// The bandwidth probe's read loop (devtools/bandwidth.h, SumWordsFn) at the kernel set's vector
// width: the probe then reads with the loads decode reads with (narrow loads measure less:
// docs/benchmarks.md, "Kernel design notes").
// Integer adds wrap, so the sum is the portable loop's whatever the order.
#pragma once

#include <cstddef>
#include <cstdint>

#include "simd/kernels/arch_ops.h"

namespace ringlm {
namespace {

template <class A>
uint64_t sum_words(const uint64_t* words, size_t n_words) {
  using B = xsimd::batch<uint64_t, A>;
  constexpr size_t kLine = 8, kStreams = 4, kPerLine = kLine / B::size;  // words, stretches, vectors
  static_assert(kLine % B::size == 0, "a 64-byte line is whole vectors");
  B acc[kStreams];
  for (B& a : acc) a = B(uint64_t{0});
  const size_t len = n_words / kLine / kStreams * kLine;  // whole lines per stretch
  for (size_t i = 0; i < len; i += kLine) {
    for (size_t s = 0; s < kStreams; ++s) {
      for (size_t v = 0; v < kPerLine; ++v) acc[s] += B::load_unaligned(words + s * len + i + v * B::size);
    }
  }
  for (size_t i = kStreams * len; i < n_words; i += kLine) {
    for (size_t v = 0; v < kPerLine; ++v) acc[0] += B::load_unaligned(words + i + v * B::size);
  }
  alignas(64) uint64_t lanes[B::size];
  ((acc[0] + acc[1]) + (acc[2] + acc[3])).store_aligned(lanes);
  uint64_t sum = 0;
  for (uint64_t v : lanes) sum += v;
  return sum;
}

}  // namespace
}  // namespace ringlm
