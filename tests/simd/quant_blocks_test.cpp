// Hand-built GGML blocks with hand-computed values: the bytes are written here one by one (not
// through the structs), so these tests check the struct offsets, the bit packing and the element
// order independently of the implementation. All chosen values are exact in f32.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "simd/quant/blocks.h"
#include "simd/quant/dequantize.h"
#include "simd/quant/fp16.h"

using namespace ringlm;

namespace {

void put_u16(uint8_t* p, uint16_t v) {  // little-endian, as in GGUF files
  p[0] = static_cast<uint8_t>(v & 0xFF);
  p[1] = static_cast<uint8_t>(v >> 8);
}

uint32_t bits_of(float f) { return f32_bits(f); }

}  // namespace

// ---- f16 / bf16 ------------------------------------------------------------------------------

TEST_CASE("f16 -> f32 table") {
  CHECK(bits_of(f16_to_f32(0x0000)) == 0x00000000u);         // +0
  CHECK(bits_of(f16_to_f32(0x8000)) == 0x80000000u);         // -0
  CHECK(f16_to_f32(0x3C00) == 1.0f);
  CHECK(f16_to_f32(0xC000) == -2.0f);
  CHECK(f16_to_f32(0x3555) == 0.333251953125f);              // 0x155/1024 + 1 times 2^-2
  CHECK(f16_to_f32(0x7BFF) == 65504.0f);                     // largest finite
  CHECK(f16_to_f32(0x0400) == std::ldexp(1.0f, -14));        // smallest normal
  CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));        // smallest subnormal
  CHECK(f16_to_f32(0x8001) == -std::ldexp(1.0f, -24));
  CHECK(f16_to_f32(0x03FF) == std::ldexp(1023.0f, -24));     // largest subnormal
  CHECK(f16_to_f32(0x0200) == std::ldexp(1.0f, -15));
  CHECK(f16_to_f32(0x7C00) == std::numeric_limits<float>::infinity());
  CHECK(f16_to_f32(0xFC00) == -std::numeric_limits<float>::infinity());
  CHECK(std::isnan(f16_to_f32(0x7E00)));
  CHECK(std::isnan(f16_to_f32(0x7C01)));                     // signalling pattern stays NaN
  CHECK(std::isnan(f16_to_f32(0xFFFF)));
}

TEST_CASE("f32 -> f16 table, including rounding ties") {
  CHECK(f32_to_f16(0.0f) == 0x0000);
  CHECK(f32_to_f16(-0.0f) == 0x8000);
  CHECK(f32_to_f16(1.0f) == 0x3C00);
  CHECK(f32_to_f16(-2.0f) == 0xC000);
  CHECK(f32_to_f16(65504.0f) == 0x7BFF);
  CHECK(f32_to_f16(65519.996f) == 0x7BFF);     // just below the midpoint to 2^16
  CHECK(f32_to_f16(65520.0f) == 0x7C00);       // midpoint, ties to even = inf
  CHECK(f32_to_f16(1e6f) == 0x7C00);
  CHECK(f32_to_f16(-1e6f) == 0xFC00);
  CHECK(f32_to_f16(std::numeric_limits<float>::infinity()) == 0x7C00);
  CHECK(f32_to_f16(-std::numeric_limits<float>::infinity()) == 0xFC00);
  // Ties to even in the normal range: 1 + 2^-11 lies halfway between 0x3C00 and 0x3C01.
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);
  CHECK(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3C02);  // between 0x3C01 and 0x3C02
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) == 0x3C01);  // above tie
  CHECK(f32_to_f16(2049.0f) == 0x6800);        // 2048 and 2050 are neighbours; 2048 is even
  CHECK(f32_to_f16(2051.0f) == 0x6802);        // 2052 is even
  CHECK(f32_to_f16(2047.5f) == 0x6800);  // tie between 2047 (0x67FF, odd) and 2048 -> 2048
  // Mantissa carry into the exponent: 2047.9 rounds up to 2048.
  CHECK(f32_to_f16(2047.9f) == 0x6800);
  // Subnormals.
  CHECK(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);   // smallest subnormal
  CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);   // tie between 0 and 0x0001 -> 0
  CHECK(f32_to_f16(std::ldexp(3.0f, -26)) == 0x0001);   // 0.75 * 2^-24 rounds up
  CHECK(f32_to_f16(std::ldexp(3.0f, -25)) == 0x0002);   // 1.5 * 2^-24: tie -> even 2
  CHECK(f32_to_f16(std::ldexp(5.0f, -25)) == 0x0002);   // 2.5 * 2^-24: tie -> even 2
  CHECK(f32_to_f16(-std::ldexp(1.0f, -24)) == 0x8001);
  CHECK(f32_to_f16(std::ldexp(1023.0f, -24)) == 0x03FF);
  CHECK(f32_to_f16(std::ldexp(1023.5f, -24)) == 0x0400);  // rounds up into the smallest normal
  CHECK(f32_to_f16(std::ldexp(1.0f, -14)) == 0x0400);
  CHECK(f32_to_f16(1e-30f) == 0x0000);
  CHECK(f32_to_f16(std::numeric_limits<float>::denorm_min()) == 0x0000);
  // NaN stays NaN, with or without payload in the dropped bits.
  const uint16_t qnan = f32_to_f16(std::numeric_limits<float>::quiet_NaN());
  CHECK((qnan & 0x7C00) == 0x7C00);
  CHECK((qnan & 0x03FF) != 0);
  CHECK((f32_to_f16(f32_from_bits(0x7F800001u)) & 0x7FFF) > 0x7C00);  // payload only in low bits
  CHECK((f32_to_f16(f32_from_bits(0xFF800001u)) & 0x8000) == 0x8000);
}

TEST_CASE("f16: every pattern round-trips, and f32 -> f16 picks the nearest (ties even)") {
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    const float f = f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      CHECK(std::isnan(f16_to_f32(f32_to_f16(f))));
      continue;
    }
    if (f32_to_f16(f) != h) {
      FAIL_CHECK("f16 pattern " << h << " does not round-trip");
    }
  }
  // Random f32 in the f16 range: no neighbouring f16 is strictly closer, and ties go to even.
  std::mt19937 rng(1234);
  std::uniform_int_distribution<uint32_t> any(0, 0xFFFFFFFFu);
  int checked = 0;
  while (checked < 200000) {
    const float f = f32_from_bits(any(rng));
    if (!std::isfinite(f) || std::fabs(f) >= 65504.0f) continue;
    ++checked;
    const uint16_t h = f32_to_f16(f);
    const double got = f16_to_f32(h);
    const double err = std::fabs(got - static_cast<double>(f));
    // Neighbours in magnitude (same sign), where they exist and are finite.
    for (int delta : {-1, 1}) {
      const int mag = (h & 0x7FFF) + delta;
      if (mag < 0 || mag > 0x7BFF) continue;
      const double other = f16_to_f32(static_cast<uint16_t>((h & 0x8000) | mag));
      const double other_err = std::fabs(other - static_cast<double>(f));
      if (other_err < err || (other_err == err && (h & 1))) {
        FAIL_CHECK("f32 " << f << " -> f16 " << h << " is not the nearest-even");
      }
    }
  }
}

TEST_CASE("bf16 table, rounding to nearest even, NaN stays NaN") {
  CHECK(bf16_to_f32(0x3F80) == 1.0f);
  CHECK(bf16_to_f32(0xC040) == -3.0f);
  CHECK(bf16_to_f32(0x4049) == 3.140625f);
  CHECK(bits_of(bf16_to_f32(0x8000)) == 0x80000000u);
  CHECK(bf16_to_f32(0x7F80) == std::numeric_limits<float>::infinity());
  CHECK(std::isnan(bf16_to_f32(0x7FC0)));

  CHECK(f32_to_bf16(0.0f) == 0x0000);
  CHECK(f32_to_bf16(-0.0f) == 0x8000);
  CHECK(f32_to_bf16(1.0f) == 0x3F80);
  CHECK(f32_to_bf16(-3.0f) == 0xC040);
  CHECK(f32_to_bf16(f32_from_bits(0x3F808000u)) == 0x3F80);  // tie, 0x3F80 is even
  CHECK(f32_to_bf16(f32_from_bits(0x3F818000u)) == 0x3F82);  // tie, 0x3F81 odd -> up
  CHECK(f32_to_bf16(f32_from_bits(0x3F808001u)) == 0x3F81);  // just above the tie
  CHECK(f32_to_bf16(f32_from_bits(0x3F807FFFu)) == 0x3F80);  // just below
  CHECK(f32_to_bf16(f32_from_bits(0xBF818000u)) == 0xBF82);  // sign does not matter
  CHECK(f32_to_bf16(std::numeric_limits<float>::max()) == 0x7F80);  // beyond the last midpoint
  CHECK(f32_to_bf16(f32_from_bits(0x7F7F7FFFu)) == 0x7F7F);         // largest finite stays finite
  CHECK(f32_to_bf16(std::numeric_limits<float>::infinity()) == 0x7F80);
  CHECK(f32_to_bf16(-std::numeric_limits<float>::infinity()) == 0xFF80);
  CHECK(f32_to_bf16(f32_from_bits(0x00018000u)) == 0x0002);  // subnormal tie, odd -> up (no flush)
  CHECK(f32_to_bf16(f32_from_bits(0x00008000u)) == 0x0000);  // subnormal tie, even -> down
  CHECK(f32_to_bf16(std::numeric_limits<float>::quiet_NaN()) == 0x7FC0);
  const uint16_t snan = f32_to_bf16(f32_from_bits(0x7F800001u));  // payload only in dropped bits
  CHECK((snan & 0x7F80) == 0x7F80);
  CHECK((snan & 0x007F) != 0);
  CHECK(std::isnan(bf16_to_f32(f32_to_bf16(f32_from_bits(0xFF800001u)))));
  // Every non-NaN bf16 pattern survives the round trip.
  for (uint32_t h = 0; h < 0x10000u; ++h) {
    const float f = bf16_to_f32(static_cast<uint16_t>(h));
    if (!std::isnan(f) && f32_to_bf16(f) != h) FAIL_CHECK("bf16 pattern " << h);
  }
}

// ---- plain float rows ------------------------------------------------------------------------

TEST_CASE("dequantize_row: F32, F16, BF16 rows") {
  const float f32_row[3] = {1.5f, -0.25f, 7.0f};
  float out[3] = {};
  dequantize_row(DType::kF32, f32_row, out, 3);
  CHECK(out[0] == 1.5f);
  CHECK(out[1] == -0.25f);
  CHECK(out[2] == 7.0f);

  uint8_t f16_row[6];
  put_u16(f16_row + 0, 0x3C00);  // 1
  put_u16(f16_row + 2, 0xC000);  // -2
  put_u16(f16_row + 4, 0x7BFF);  // 65504
  dequantize_row(DType::kF16, f16_row, out, 3);
  CHECK(out[0] == 1.0f);
  CHECK(out[1] == -2.0f);
  CHECK(out[2] == 65504.0f);

  uint8_t bf16_row[6];
  put_u16(bf16_row + 0, 0x3F80);  // 1
  put_u16(bf16_row + 2, 0xC040);  // -3
  put_u16(bf16_row + 4, 0x4049);  // 3.140625
  dequantize_row(DType::kBF16, bf16_row, out, 3);
  CHECK(out[0] == 1.0f);
  CHECK(out[1] == -3.0f);
  CHECK(out[2] == 3.140625f);
}

// ---- Q8_0 ------------------------------------------------------------------------------------

TEST_CASE("Q8_0: hand-built blocks") {
  // Two blocks of 34 bytes: [d f16][32 x int8].
  uint8_t raw[68] = {};
  put_u16(raw + 0, 0x3400);  // d = 0.25
  raw[2 + 0] = 0x01;         // q = 1     -> 0.25
  raw[2 + 5] = 0x80;         // q = -128  -> -32
  raw[2 + 10] = 0xFD;        // q = -3    -> -0.75
  raw[2 + 31] = 0x7F;        // q = 127   -> 31.75
  put_u16(raw + 34, 0xC000);  // second block: d = -2
  raw[36 + 0] = 0x03;         // q = 3 -> -6
  raw[36 + 31] = 0xF6;        // q = -10 -> 20

  float out[64];
  dequantize_row(DType::kQ8_0, raw, out, 64);
  CHECK(out[0] == 0.25f);
  CHECK(out[1] == 0.0f);
  CHECK(out[5] == -32.0f);
  CHECK(out[10] == -0.75f);
  CHECK(out[31] == 31.75f);
  CHECK(out[32] == -6.0f);
  CHECK(out[33] == 0.0f);
  CHECK(out[63] == 20.0f);
}

// ---- Q4_0 ------------------------------------------------------------------------------------

TEST_CASE("Q4_0: hand-built blocks (element j low nibble, j + 16 high nibble)") {
  // Two blocks of 18 bytes: [d f16][16 bytes of nibbles].
  uint8_t raw[36] = {};
  put_u16(raw + 0, 0x4000);  // d = 2
  for (int j = 0; j < 16; ++j) raw[2 + j] = 0x88;  // q = 8 -> 0 everywhere by default
  raw[2 + 0] = 0x0F;   // e0: q 15 -> (15-8)*2 = 14;   e16: q 0 -> -16
  raw[2 + 7] = 0x3A;   // e7: q 10 -> 4;               e23: q 3 -> -10
  raw[2 + 15] = 0x98;  // e15: q 8 -> 0;               e31: q 9 -> 2
  put_u16(raw + 18, 0xB800);  // second block: d = -0.5, all nibbles 0 -> (0-8)*-0.5 = 4
  raw[20 + 4] = 0xF1;         // e36: q 1 -> 3.5;      e52: q 15 -> -3.5

  float out[64];
  dequantize_row(DType::kQ4_0, raw, out, 64);
  CHECK(out[0] == 14.0f);
  CHECK(out[16] == -16.0f);
  CHECK(out[7] == 4.0f);
  CHECK(out[23] == -10.0f);
  CHECK(out[15] == 0.0f);
  CHECK(out[31] == 2.0f);
  CHECK(out[1] == 0.0f);
  CHECK(out[32] == 4.0f);
  CHECK(out[36] == 3.5f);
  CHECK(out[52] == -3.5f);
  CHECK(out[63] == 4.0f);
}

// ---- Q4_K ------------------------------------------------------------------------------------

// Sub-block scales sc = {1, 2, 3, 4, 40, 50, 63, 17}, mins m = {0, 5, 10, 63, 33, 20, 48, 1}.
// Packed by hand:
//   bytes 0..3  = sc0..3 | (sc4..7 >> 4) << 6: 1|2<<6=0x81, 2|3<<6=0xC2, 3|3<<6=0xC3, 4|1<<6=0x44
//   bytes 4..7  = m0..3  | (m4..7 >> 4) << 6:  0|2<<6=0x80, 5|1<<6=0x45, 10|3<<6=0xCA, 63|0=0x3F
//   bytes 8..11 = (sc4..7 & 15) | (m4..7 & 15) << 4:
//                 40=0x28,33=0x21 -> 0x18;  50=0x32,20=0x14 -> 0x42;  63=0x3F,48=0x30 -> 0x0F;
//                 17=0x11,1 -> 0x11
static const uint8_t kQ4KScales[12] = {0x81, 0xC2, 0xC3, 0x44, 0x80, 0x45, 0xCA, 0x3F, 0x18, 0x42, 0x0F, 0x11};
static const int kQ4KSc[8] = {1, 2, 3, 4, 40, 50, 63, 17};
static const int kQ4KM[8] = {0, 5, 10, 63, 33, 20, 48, 1};

TEST_CASE("Q4_K: 6-bit scale/min unpacking") {
  for (int j = 0; j < 8; ++j) {
    int sc = -1, m = -1;
    q4k_scale_min(kQ4KScales, j, &sc, &m);
    CHECK(sc == kQ4KSc[j]);
    CHECK(m == kQ4KM[j]);
  }
}

TEST_CASE("Q4_K: hand-built super-block") {
  // 144 bytes: [d f16][dmin f16][12 scale bytes][128 qs bytes].
  uint8_t raw[144] = {};
  put_u16(raw + 0, 0x3800);  // d = 0.5
  put_u16(raw + 2, 0x3400);  // dmin = 0.25
  std::memcpy(raw + 4, kQ4KScales, 12);
  uint8_t* qs = raw + 16;
  // qs chunk c (bytes 32c..32c+31): low nibbles = sub-block 2c, high nibbles = sub-block 2c+1.
  qs[0] = 0x5A;    // e0 (sub 0): q 10;   e32 (sub 1): q 5
  qs[31] = 0xF1;   // e31 (sub 0): q 1;   e63 (sub 1): q 15
  qs[32] = 0x3C;   // e64 (sub 2): q 12;  e96 (sub 3): q 3
  qs[70] = 0x97;   // e134 (sub 4): q 7;  e166 (sub 5): q 9
  qs[127] = 0xE2;  // e223 (sub 6): q 2;  e255 (sub 7): q 14

  float out[256];
  dequantize_row(DType::kQ4_K, raw, out, 256);
  // x = 0.5 * sc * q - 0.25 * m
  CHECK(out[0] == 5.0f);        // 0.5*1*10  - 0
  CHECK(out[31] == 0.5f);       // 0.5*1*1   - 0
  CHECK(out[1] == 0.0f);        // q 0, m 0
  CHECK(out[32] == 3.75f);      // 0.5*2*5   - 0.25*5
  CHECK(out[63] == 13.75f);     // 0.5*2*15  - 1.25
  CHECK(out[33] == -1.25f);     // q 0
  CHECK(out[64] == 15.5f);      // 0.5*3*12  - 0.25*10
  CHECK(out[96] == -9.75f);     // 0.5*4*3   - 0.25*63
  CHECK(out[100] == -15.75f);   // q 0
  CHECK(out[134] == 131.75f);   // 0.5*40*7  - 0.25*33
  CHECK(out[150] == -8.25f);    // q 0
  CHECK(out[166] == 220.0f);    // 0.5*50*9  - 0.25*20
  CHECK(out[180] == -5.0f);     // q 0
  CHECK(out[223] == 51.0f);     // 0.5*63*2  - 0.25*48
  CHECK(out[200] == -12.0f);    // q 0
  CHECK(out[255] == 118.75f);   // 0.5*17*14 - 0.25*1
  CHECK(out[240] == -0.25f);    // q 0

  // The struct view agrees with the raw bytes.
  BlockQ4_K b;
  std::memcpy(&b, raw, sizeof(b));
  CHECK(q4k_quant(b, 134) == 7);
  CHECK(q4k_quant(b, 166) == 9);
}

// ---- Q6_K ------------------------------------------------------------------------------------

TEST_CASE("Q6_K: hand-built super-block, one element in each 32-quarter of each 128-half") {
  // 210 bytes: [ql 128][qh 64][scales 16 x int8][d f16].
  uint8_t raw[210] = {};
  uint8_t* ql = raw;
  uint8_t* qh = raw + 128;
  uint8_t* sc = raw + 192;
  put_u16(raw + 208, 0x3800);  // d = 0.5
  // scales = {1, -2, 3, -4, 5, 6, 7, 8, 9, 10, -11, 12, 13, 14, 15, -128}; index = element / 16
  const uint8_t scale_bytes[16] = {0x01, 0xFE, 0x03, 0xFC, 0x05, 0x06, 0x07, 0x08,
                                   0x09, 0x0A, 0xF5, 0x0C, 0x0D, 0x0E, 0x0F, 0x80};
  std::memcpy(sc, scale_bytes, 16);
  // Half 0, l = 5: 6-bit quants e5 = 0, e37 = 63, e69 = 33 (0b10'0001), e101 = 20 (0b01'0100).
  ql[5] = 0x10;   // low nibble: e5 low 0;  high nibble: e69 low 1
  ql[37] = 0x4F;  // low nibble: e37 low F; high nibble: e101 low 4
  qh[5] = 0x6C;   // bits 0-1 e5: 0, bits 2-3 e37: 3, bits 4-5 e69: 2, bits 6-7 e101: 1
  // Half 1, l = 20: e148 = 47 (0b10'1111), e180 = 32 (0b10'0000), e212 = 1, e244 = 50 (0b11'0010).
  ql[64 + 20] = 0x1F;       // e148 low F | e212 low 1 << 4
  ql[64 + 20 + 32] = 0x20;  // e180 low 0 | e244 low 2 << 4
  qh[32 + 20] = 0xCA;       // e148: 2, e180: 2 << 2, e212: 0 << 4, e244: 3 << 6

  float out[256];
  dequantize_row(DType::kQ6_K, raw, out, 256);
  // x = 0.5 * scale[e/16] * (q - 32)
  CHECK(out[5] == -16.0f);      // 0.5 * 1 * (0-32)
  CHECK(out[37] == 46.5f);      // 0.5 * 3 * (63-32)
  CHECK(out[69] == 2.5f);       // 0.5 * 5 * (33-32)
  CHECK(out[101] == -42.0f);    // 0.5 * 7 * (20-32)
  CHECK(out[148] == 75.0f);     // 0.5 * 10 * (47-32)
  CHECK(out[180] == 0.0f);      // 0.5 * 12 * (32-32)
  CHECK(out[212] == -217.0f);   // 0.5 * 14 * (1-32)
  CHECK(out[244] == -1152.0f);  // 0.5 * -128 * (50-32)
  // Untouched bytes: q = 0 -> value 0.5 * scale * -32.
  CHECK(out[0] == -16.0f);      // scale 1
  CHECK(out[16] == 32.0f);      // scale -2
  CHECK(out[127] == -128.0f);   // scale 8
  CHECK(out[170] == 176.0f);    // scale -11
  CHECK(out[255] == 2048.0f);   // scale -128

  BlockQ6_K b;
  std::memcpy(&b, raw, sizeof(b));
  CHECK(q6k_quant(b, 69) == 33);
  CHECK(q6k_quant(b, 244) == 50);
  CHECK(q6k_quant(b, 0) == 0);
}
