#include "simd/quant/q8_tokens.h"

#include <cstring>

#include "simd/quant/fp16.h"

namespace ringlm {

void pack_q8_tokens(const BlockQ8_0* xq, size_t m, size_t nb, size_t g0, size_t g1, uint8_t* out) {
  for (size_t g = g0; g < g1; ++g) {
    for (size_t j = 0; j < nb; ++j) {
      uint8_t* dst = out + (g * nb + j) * kQ8PackBlockBytes;
      float scales[kQ8PackTokens] = {};
      int32_t sums[kQ8PackTokens] = {}, low_sums[kQ8PackTokens] = {};
      uint8_t* quants = dst + kQ8PackQuants;
      std::memset(quants, 0, kQ8PackTokens * kQK8_0);
      for (size_t lane = 0; lane < kQ8PackTokens && g * kQ8PackTokens + lane < m; ++lane) {
        const BlockQ8_0& b = xq[(g * kQ8PackTokens + lane) * nb + j];
        scales[lane] = f16_to_f32(b.d);
        for (size_t s = 0; s < kQK8_0 / 4; ++s) std::memcpy(quants + s * 64 + lane * 4, b.qs + 4 * s, 4);
        for (int e = 0; e < kQK8_0; ++e) {
          sums[lane] += b.qs[e];
          if (e < kQK8_0 / 2) low_sums[lane] += b.qs[e];
        }
      }
      std::memcpy(dst + kQ8PackScales, scales, sizeof(scales));
      std::memcpy(dst + kQ8PackSums, sums, sizeof(sums));
      std::memcpy(dst + kQ8PackLowSums, low_sums, sizeof(low_sums));
    }
  }
}

}  // namespace ringlm
