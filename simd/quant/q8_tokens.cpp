#include "simd/quant/q8_tokens.h"

#include <cstring>

#include "simd/quant/fp16.h"

namespace ringlm {

void pack_q8_tokens(const BlockQ8_0* xq, size_t m, size_t nb, size_t g0, size_t g1, uint8_t* out) {
  for (size_t g = g0; g < g1; ++g) {
    for (size_t j = 0; j < nb; ++j) {
      uint8_t* dst = out + (g * nb + j) * kQ8PackBlockBytes;
      float scales[kQ8PackTokens] = {};
      int32_t sums[kQ8PackTokens] = {};
      uint8_t* slices = dst + sizeof(scales) + sizeof(sums);
      std::memset(slices, 0, kQ8PackTokens * kQK8_0);
      for (size_t lane = 0; lane < kQ8PackTokens && g * kQ8PackTokens + lane < m; ++lane) {
        const BlockQ8_0& b = xq[(g * kQ8PackTokens + lane) * nb + j];
        scales[lane] = f16_to_f32(b.d);
        for (size_t s = 0; s < kQK8_0 / 4; ++s) std::memcpy(slices + s * 64 + lane * 4, b.qs + 4 * s, 4);
        for (int8_t q : b.qs) sums[lane] += q;
      }
      std::memcpy(dst, scales, sizeof(scales));
      std::memcpy(dst + sizeof(scales), sums, sizeof(sums));
    }
  }
}

}  // namespace ringlm
