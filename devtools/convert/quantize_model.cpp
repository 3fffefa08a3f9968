#include "devtools/convert/quantize_model.h"

#include <cinttypes>
#include <cstring>

#include "devtools/convert/gguf_copy.h"
#include "devtools/convert/weight_types.h"
#include "simd/quant/dequantize.h"
#include "simd/quant/quantize.h"

namespace ringlm {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int clip(std::string_view s) { return static_cast<int>(s.size() < 64 ? s.size() : 64); }

}  // namespace

Status quantize_gguf(const GgufFile& in, DType type, GgufWriter& out, QuantizeSummary* summary) {
  RINGLM_CHECK(dtype_traits(type) != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "unknown target type %" PRIu32,
               static_cast<uint32_t>(type));
  // Metadata in the same order; general.file_type takes the new type in place (or comes last).
  bool has_file_type = false;
  for (const GgufKV& kv : in.metadata()) {
    if (kv.key == "general.file_type") {
      has_file_type = true;
      RINGLM_TRY(out.add_u32(kv.key, gguf_file_type(type)));
    } else {
      RINGLM_TRY(copy_gguf_kv(in, kv, out));
    }
  }
  if (!has_file_type) RINGLM_TRY(out.add_u32("general.file_type", gguf_file_type(type)));

  QuantizeSummary local;
  QuantizeSummary& s = summary != nullptr ? *summary : local;
  s = QuantizeSummary();
  for (const GgufTensor& t : in.tensors()) {
    RINGLM_CHECK(dtype_traits(t.dtype) != nullptr, RINGLM_ERR_UNSUPPORTED, "tensor '%.*s' has a type ringlm cannot read",
                 clip(t.name), t.name.data());
    QuantizedTensor q;
    q.name = std::string(t.name);
    q.from = t.dtype;
    q.row_length = t.ne[0];
    q.bytes_in = t.bytes;
    q.matrix = t.n_dims == 2 && ends_with(t.name, ".weight");
    q.to = q.matrix ? fit_matrix_type(type, t.ne[0], t.dtype) : t.dtype;
    q.fell_back = q.matrix && q.to != type;
    const Span<const int64_t> dims(t.ne, t.n_dims);
    if (q.to == t.dtype) {
      RINGLM_TRY(out.add_tensor(t.name, t.dtype, dims, t.data, t.bytes));
      q.bytes_out = t.bytes;
    } else {
      const GgufTensor* src = &t;
      const DType to = q.to;
      RINGLM_TRY(out.add_tensor(t.name, to, dims, [src, to](void* dst, size_t bytes) -> Status {
        const int64_t cols = src->ne[0], rows = src->rows();
        const size_t out_row = dtype_row_bytes(to, cols);
        RINGLM_CHECK(out_row * static_cast<size_t>(rows) == bytes, RINGLM_ERR_INTERNAL, "output size mismatch");
        std::vector<float> row(static_cast<size_t>(cols));
        for (int64_t r = 0; r < rows; ++r) {
          dequantize_row(src->dtype, src->data + static_cast<size_t>(r) * src->row_bytes, row.data(), cols);
          const Status st = quantize_row(to, row.data(), static_cast<uint8_t*>(dst) + static_cast<size_t>(r) * out_row,
                                         cols);
          if (!st.is_ok()) return Status::error(st.code(), "row %lld: %s", static_cast<long long>(r), st.message());
        }
        return Status::ok();
      }));
      q.bytes_out = GgufWriter::tensor_bytes(to, dims);
    }
    s.bytes_in += q.bytes_in;
    s.bytes_out += q.bytes_out;
    s.tensors.push_back(std::move(q));
  }
  return Status::ok();
}

}  // namespace ringlm
