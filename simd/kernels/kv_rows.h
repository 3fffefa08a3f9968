// Attention over many cached K/V rows in one kernel call: the per-row dot / axpy bodies are
// template arguments, so each ISA table (and the scalar one) inlines its own into the loop. A
// call per row through the table costs more than the work itself for small heads.
#pragma once

#include <cstddef>
#include <cstdint>

#include "simd/kernels.h"

namespace ringlm {
namespace {

using DotF32 = float (*)(const float*, const float*, size_t);
using DotBf16 = float (*)(const float*, const uint16_t*, size_t);
using DotI8 = float (*)(const float*, const int8_t*, size_t);
using AxpyF32 = void (*)(float, const float*, float*, size_t);
using AxpyBf16 = void (*)(float, const uint16_t*, float*, size_t);
using AxpyI8 = void (*)(float, const int8_t*, float*, size_t);

template <DotF32 kDot, DotBf16 kDotBf16, DotI8 kDotI8>
void dot_rows_with(const KvRows& r, const float* q, size_t n, size_t hd, float factor, float* out) {
  switch (r.type) {
    case KvRowType::kF32: {
      const float* p = static_cast<const float*>(r.data);
      for (size_t j = 0; j < n; ++j) out[j] = kDot(q, p + j * r.stride, hd) * factor;
      return;
    }
    case KvRowType::kBF16: {
      const uint16_t* p = static_cast<const uint16_t*>(r.data);
      for (size_t j = 0; j < n; ++j) out[j] = kDotBf16(q, p + j * r.stride, hd) * factor;
      return;
    }
    case KvRowType::kI8: {
      const int8_t* p = static_cast<const int8_t*>(r.data);
      for (size_t j = 0; j < n; ++j) out[j] = kDotI8(q, p + j * r.stride, hd) * (r.scales[j * r.scale_stride] * factor);
      return;
    }
  }
}

template <AxpyF32 kAxpy, AxpyBf16 kAxpyBf16, AxpyI8 kAxpyI8>
void axpy_rows_with(const KvRows& r, const float* w, size_t n, size_t hd, float* out) {
  switch (r.type) {
    case KvRowType::kF32: {
      const float* p = static_cast<const float*>(r.data);
      for (size_t j = 0; j < n; ++j) {
        if (w[j] != 0.0f) kAxpy(w[j], p + j * r.stride, out, hd);
      }
      return;
    }
    case KvRowType::kBF16: {
      const uint16_t* p = static_cast<const uint16_t*>(r.data);
      for (size_t j = 0; j < n; ++j) {
        if (w[j] != 0.0f) kAxpyBf16(w[j], p + j * r.stride, out, hd);
      }
      return;
    }
    case KvRowType::kI8: {
      const int8_t* p = static_cast<const int8_t*>(r.data);
      for (size_t j = 0; j < n; ++j) {
        if (w[j] != 0.0f) kAxpyI8(w[j] * r.scales[j * r.scale_stride], p + j * r.stride, out, hd);
      }
      return;
    }
  }
}

}  // namespace
}  // namespace ringlm
