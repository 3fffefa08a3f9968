#include "simd/quant/q8_tokens.h"

#include <cstring>

#include "simd/quant/fp16.h"

namespace ringlm {

void pack_q8_tokens(const BlockQ8_0* xq, size_t m, size_t nb, size_t g0, size_t g1, uint8_t* out) {
  for (size_t g = g0; g < g1; ++g) {
    for (size_t j = 0; j < nb; ++j) {
      uint8_t* dst = out + (g * nb + j) * kQ8PackBlockBytes;
      float scales[kQ8PackTokens];
      uint8_t* slices = dst + sizeof(scales);
      for (size_t lane = 0; lane < kQ8PackTokens; ++lane) {
        const size_t t = g * kQ8PackTokens + lane;
        if (t >= m) {
          scales[lane] = 0.0f;
          for (size_t s = 0; s < kQK8_0 / 4; ++s) std::memset(slices + s * 64 + lane * 4, 128, 4);
          continue;
        }
        const BlockQ8_0& b = xq[t * nb + j];
        scales[lane] = f16_to_f32(b.d);
        for (size_t s = 0; s < kQK8_0 / 4; ++s) {
          for (size_t e = 0; e < 4; ++e) slices[s * 64 + lane * 4 + e] = static_cast<uint8_t>(b.qs[4 * s + e] + 128);
        }
      }
      std::memcpy(dst, scales, sizeof(scales));
    }
  }
}

}  // namespace ringlm
