#include "devtools/convert/llama2c_convert.h"

#include <memory>
#include <string>

#include "devtools/convert/model_metadata.h"
#include "devtools/convert/weight_types.h"
#include "models/llama2c/llama2c_loader.h"
#include "models/model_loader.h"
#include "platform/mapped_file.h"

namespace ringlm {

Status llama2c_to_gguf(Span<const uint8_t> checkpoint, Span<const uint8_t> tokenizer, const std::string& name,
                       GgufWriter& out) {
  RINGLM_CHECK(!is_gguf(checkpoint), RINGLM_ERR_INVALID_ARGUMENT,
               "already a GGUF model: convert takes a llama2.c checkpoint (quantize re-types a GGUF model)");
  Result<std::unique_ptr<Model>> loaded = load_llama2c_from_memory(checkpoint, tokenizer);
  if (!loaded.is_ok()) return loaded.status();
  const Model& m = *loaded.value();
  RINGLM_TRY(add_model_hparams(out, m.config));
  RINGLM_TRY(out.add_string("general.name", name));
  RINGLM_TRY(out.add_u32("general.file_type", gguf_file_type(DType::kF32)));
  RINGLM_TRY(add_vocab_metadata(out, m.tokenizer.vocab()));

  const ModelWeights& w = m.weights;
  RINGLM_TRY(add_view_tensor(out, "token_embd.weight", w.tok_embd, false));
  RINGLM_TRY(add_view_tensor(out, "output_norm.weight", w.output_norm, true));
  if (w.output.data != w.tok_embd.data) RINGLM_TRY(add_view_tensor(out, "output.weight", w.output, false));
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const LayerWeights& lw = w.layers[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    const struct {
      const char* name;
      const TensorView& view;
      bool one_d;
    } tensors[] = {
        {"attn_norm.weight", lw.attn_norm, true}, {"attn_q.weight", lw.wq, false},
        {"attn_k.weight", lw.wk, false},          {"attn_v.weight", lw.wv, false},
        {"attn_output.weight", lw.wo, false},     {"ffn_norm.weight", lw.ffn_norm, true},
        {"ffn_gate.weight", lw.w_gate, false},    {"ffn_up.weight", lw.w_up, false},
        {"ffn_down.weight", lw.w_down, false},
    };
    for (const auto& t : tensors) RINGLM_TRY(add_view_tensor(out, (p + t.name).c_str(), t.view, t.one_d));
  }
  return Status::ok();
}

Status convert_llama2c_file(const char* checkpoint_path, const char* tokenizer_path, const char* out_path,
                            const WriteProgress& progress) {
  RINGLM_CHECK(checkpoint_path && tokenizer_path && out_path && *checkpoint_path && *tokenizer_path && *out_path,
               RINGLM_ERR_INVALID_ARGUMENT, "convert needs a checkpoint, a tokenizer and an output path");
  Result<MappedFile> checkpoint = MappedFile::open(checkpoint_path);
  if (!checkpoint.is_ok()) return checkpoint.status();
  Result<MappedFile> tokenizer = MappedFile::open(tokenizer_path);
  if (!tokenizer.is_ok()) return tokenizer.status();
  std::string name = checkpoint_path;
  const size_t slash = name.find_last_of('/');
  if (slash != std::string::npos) name.erase(0, slash + 1);
  const size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name.erase(dot);
  GgufWriter writer;
  const Status added = llama2c_to_gguf(checkpoint.value().bytes(), tokenizer.value().bytes(), name, writer);
  if (!added.is_ok()) return Status::error(added.code(), "%s: %s", checkpoint_path, added.message());
  return writer.write_file(out_path, progress);
}

}  // namespace ringlm
