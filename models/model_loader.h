// One entry point for every model format: GGUF (detected by its "GGUF" magic) or a llama2.c
// checkpoint (anything else) with its separate tokenizer file.
#pragma once

#include <memory>

#include "models/model.h"
#include "core/span.h"

namespace ringlm {

// GGUF files carry their tokenizer, so `tokenizer_path` must then be null or empty
// (RINGLM_ERR_INVALID_ARGUMENT otherwise: a given tokenizer is never silently ignored). For a
// llama2.c checkpoint a null or empty `tokenizer_path` means tokenizer.bin beside the model.
// `mode`: map the model file (default) or read it into private memory (platform/mapped_file.h).
// `parts`: kVocabOnly opens the tokenizer of any GGUF file whatever its architecture (or of a
// llama2.c checkpoint, whose header gives the vocabulary size) and keeps no weights.
Result<std::unique_ptr<Model>> load_model_file(const char* path, const char* tokenizer_path,
                                               LoadMode mode = LoadMode::kMap, ModelParts parts = ModelParts::kAll);

// Same from memory the caller keeps alive for the model's lifetime; `tokenizer` must be empty
// for GGUF and is required for llama2.c.
Result<std::unique_ptr<Model>> load_model_memory(Span<const uint8_t> model, Span<const uint8_t> tokenizer,
                                                 ModelParts parts = ModelParts::kAll);

// True when the bytes start with the GGUF magic.
bool is_gguf(Span<const uint8_t> bytes);

}  // namespace ringlm
