// dot_rows / axpy_rows (attention over strided cache rows) of every SIMD kernel set against the
// scalar table, for f32, bf16 and int8 rows, head sizes on and off the vector widths.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "simd/kernels.h"
#include "simd/quant/fp16.h"
#include "test_support.h"

using namespace ringlm;

namespace {

struct Rows {
  std::vector<float> f32;
  std::vector<uint16_t> bf16;
  std::vector<int8_t> i8;
  std::vector<float> scales;
  KvRows view(KvRowType type, size_t stride, size_t heads) const {
    const void* data = type == KvRowType::kF32 ? static_cast<const void*>(f32.data())
                       : type == KvRowType::kBF16 ? static_cast<const void*>(bf16.data())
                                                  : static_cast<const void*>(i8.data());
    return KvRows{data, stride, type, type == KvRowType::kI8 ? scales.data() : nullptr, heads};
  }
};

}  // namespace

TEST_CASE("kv rows: dot_rows and axpy_rows of every kernel set equal the scalar table") {
  const Kernels& ref = scalar_kernels();
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::uniform_int_distribution<int> q8(-127, 127);
  for (const Kernels* k : ringlm_test::simd_kernel_sets()) {
    CAPTURE(std::string(k->name));
    for (size_t hd : {4u, 8u, 12u, 16u, 32u, 48u, 64u, 72u, 128u, 256u, 264u}) {
      CAPTURE(hd);
      const size_t heads = 3, stride = hd * heads, n = 37;  // GQA layout: rows of one head are `stride` apart
      Rows rows;
      rows.f32.resize(n * stride);
      rows.bf16.resize(n * stride);
      rows.i8.resize(n * stride);
      rows.scales.resize(n * heads);
      for (size_t i = 0; i < n * stride; ++i) {
        rows.f32[i] = nd(rng);
        rows.bf16[i] = f32_to_bf16(nd(rng));
        rows.i8[i] = static_cast<int8_t>(q8(rng));
      }
      for (float& s : rows.scales) s = std::fabs(nd(rng)) * 0.01f;
      std::vector<float> q(hd), w(n);
      for (float& x : q) x = nd(rng);
      for (size_t j = 0; j < n; ++j) w[j] = j % 5 == 2 ? 0.0f : std::fabs(nd(rng));  // softmax-like, some zeros

      for (KvRowType type : {KvRowType::kF32, KvRowType::kBF16, KvRowType::kI8}) {
        CAPTURE(static_cast<int>(type));
        const KvRows view = rows.view(type, stride, heads);
        for (size_t count : {size_t{0}, size_t{1}, size_t{5}, n}) {
          CAPTURE(count);
          std::vector<float> s_ref(n + 1, -7.0f), s_simd(n + 1, -7.0f);
          ref.dot_rows(view, q.data(), count, hd, 0.125f, s_ref.data());
          k->dot_rows(view, q.data(), count, hd, 0.125f, s_simd.data());
          for (size_t j = 0; j < count; ++j) CHECK(s_simd[j] == doctest::Approx(s_ref[j]).epsilon(1e-5).scale(std::sqrt(hd) * 0.2));
          CHECK(s_simd[count] == -7.0f);  // nothing written past n

          std::vector<float> o_ref(hd + 1, 0.5f), o_simd(hd + 1, 0.5f);
          ref.axpy_rows(view, w.data(), count, hd, o_ref.data());
          k->axpy_rows(view, w.data(), count, hd, o_simd.data());
          for (size_t i = 0; i < hd; ++i) CHECK(o_simd[i] == doctest::Approx(o_ref[i]).epsilon(1e-5).scale(1.0));
          CHECK(o_simd[hd] == 0.5f);
        }
      }
    }
  }
}
