// Weight types the converters write, by name, and the rule that picks a matrix's type.
//
// Fallback rule (quantize and synth): a 2-D weight matrix gets the requested type when its row
// length (GGUF ne0) is a whole number of that type's blocks. Otherwise it tries the fallback of
// the same size class — q4_k (256-element blocks) -> q4_0 (32-element blocks, the same 4.5 bits
// per weight), q6_k -> q8_0 — and if that does not fit either, the matrix keeps `otherwise` (its
// input type when quantizing, f32 for random weights). f32, f16 and bf16 fit every row.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/tensor.h"

namespace ringlm {

// "f32", "f16", "bf16", "q8_0", "q4_0", "q4_k", "q6_k" (case-insensitive); false otherwise.
bool parse_weight_type(std::string_view name, DType& out);
// The names parse_weight_type accepts, comma-separated, for messages.
const char* weight_type_names();

// llama.cpp's general.file_type for a model whose matrices are mostly `type` (q4_k: Q4_K_S).
uint32_t gguf_file_type(DType type);

// The type a matrix with rows of `row_length` elements gets when `wanted` is asked for (above).
DType fit_matrix_type(DType wanted, int64_t row_length, DType otherwise);

}  // namespace ringlm
