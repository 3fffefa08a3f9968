// Re-typing the weights of a GGUF model (ringlm quantize).
//
// Every 2-D tensor whose name ends in ".weight" (projections, FFN matrices, token embedding,
// output) is converted to the requested type under the fallback rule of weight_types.h; all
// other tensors (norms, biases: 1-D) are copied byte for byte. A matrix already in its target
// type is copied too. Conversion is row by row: dequantize the input row to f32 (dequantize.h),
// quantize it to the target (quantize.h). Metadata is copied unchanged (same order, same types,
// same alignment) except general.file_type, which is set for the requested type.
//
// Nothing is converted up front: each output matrix is produced while the file is written, from
// the input's bytes, so peak memory is one output tensor plus one f32 row.
#pragma once

#include <string>
#include <vector>

#include "models/gguf/gguf_file.h"
#include "devtools/convert/gguf_writer.h"

namespace ringlm {

struct QuantizedTensor {
  std::string name;
  DType from = DType::kF32;
  DType to = DType::kF32;
  int64_t row_length = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  bool matrix = false;     // a 2-D weight, subject to the requested type
  bool fell_back = false;  // a matrix that did not get the requested type (rows do not fit)
};

struct QuantizeSummary {
  std::vector<QuantizedTensor> tensors;  // in file order
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
};

// Adds `in`'s metadata and tensors to `out`, an empty writer. `in` and the bytes it indexes must
// outlive the write. `summary` (optional) says what each tensor becomes.
Status quantize_gguf(const GgufFile& in, DType type, GgufWriter& out, QuantizeSummary* summary);

}  // namespace ringlm
