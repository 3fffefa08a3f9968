// devtools.h: writing model files — quantize, synth, convert — for the CLI.
#include <map>

#include "core/tensor.h"
#include "devtools/convert/gguf_writer.h"
#include "devtools/convert/llama2c_convert.h"
#include "devtools/convert/quantize_model.h"
#include "devtools/convert/synth_model.h"
#include "devtools/convert/weight_types.h"
#include "devtools/devtools.h"
#include "models/gguf/gguf_file.h"
#include "models/model_loader.h"
#include "platform/mapped_file.h"

namespace ringlm_devtools {

namespace {

Error error_of(const ringlm::Status& s, const std::string& context = "") {
  if (s.is_ok()) return {};
  return Error{s.code(), context.empty() ? std::string(s.message()) : context + ": " + s.message()};
}

}  // namespace

const char* weight_type_names() { return ringlm::weight_type_names(); }

bool is_weight_type(const std::string& name) {
  ringlm::DType t;
  return ringlm::parse_weight_type(name, t);
}

size_t weight_type_block(const std::string& name) {
  ringlm::DType t;
  if (!ringlm::parse_weight_type(name, t)) return 0;
  return ringlm::dtype_traits(t)->block_elems;
}

Error quantize_file(const std::string& in_path, const std::string& out_path, const std::string& type_name,
                    const std::function<void(const QuantizePlan&)>& on_plan, const WriteProgress& progress) {
  ringlm::DType type;
  if (!ringlm::parse_weight_type(type_name, type)) {
    return Error{RINGLM_ERR_INVALID_ARGUMENT,
                 "unknown type '" + type_name + "' (expected one of " + ringlm::weight_type_names() + ")"};
  }
  ringlm::Result<ringlm::MappedFile> mapped = ringlm::MappedFile::open(in_path.c_str());
  if (!mapped.is_ok()) return error_of(mapped.status());
  if (!ringlm::is_gguf(mapped.value().bytes())) {
    return Error{RINGLM_ERR_BAD_FORMAT,
                 in_path + " is not a GGUF file (convert a llama2.c checkpoint first: ringlm convert)"};
  }
  ringlm::Result<ringlm::GgufFile> file = ringlm::GgufFile::parse(mapped.value().bytes());
  if (!file.is_ok()) return error_of(file.status(), in_path);
  ringlm::GgufWriter writer;
  ringlm::QuantizeSummary summary;
  const ringlm::Status planned = ringlm::quantize_gguf(file.value(), type, writer, &summary);
  if (!planned.is_ok()) return error_of(planned, in_path);

  QuantizePlan plan;
  std::map<std::string, int> by_type;
  for (const ringlm::QuantizedTensor& t : summary.tensors) {
    if (!t.matrix) continue;
    ++by_type[ringlm::dtype_name(t.to)];
    if (t.fell_back) plan.fallbacks.push_back({t.name, t.row_length, ringlm::dtype_name(t.to)});
  }
  plan.matrices_by_type.assign(by_type.begin(), by_type.end());
  plan.bytes_in = summary.bytes_in;
  plan.bytes_out = summary.bytes_out;
  if (on_plan) on_plan(plan);
  return error_of(writer.write_file(out_path, progress));
}

std::vector<SynthShapeInfo> synth_shapes() {
  std::vector<SynthShapeInfo> out;
  for (const ringlm::SynthShape& s : ringlm::synth_shapes()) {
    out.push_back({s.name, s.arch, s.default_vocab, s.n_layer, s.n_embd, s.n_head, s.n_head_kv, s.n_ff, s.n_vocab,
                   s.tied});
  }
  return out;
}

Error synth_file(const std::string& shape_name, const std::string& type_name, uint64_t seed,
                 const std::string& vocab_path, const std::string& out_path,
                 const std::function<void(const SynthPlan&)>& on_plan, const WriteProgress& progress,
                 uint64_t* file_bytes) {
  const ringlm::SynthShape* shape = ringlm::find_synth_shape(shape_name);
  if (shape == nullptr) return Error{RINGLM_ERR_INVALID_ARGUMENT, "unknown shape '" + shape_name + "'"};
  ringlm::DType type;
  if (!ringlm::parse_weight_type(type_name, type)) {
    return Error{RINGLM_ERR_INVALID_ARGUMENT,
                 "unknown type '" + type_name + "' (expected one of " + ringlm::weight_type_names() + ")"};
  }
  ringlm::Result<ringlm::MappedFile> vocab_file = ringlm::MappedFile::open(vocab_path.c_str());
  if (!vocab_file.is_ok()) return error_of(vocab_file.status(), "vocabulary");
  ringlm::Result<ringlm::GgufFile> vocab = ringlm::GgufFile::parse(vocab_file.value().bytes());
  if (!vocab.is_ok()) return error_of(vocab.status(), "vocabulary " + vocab_path);
  const std::string label = vocab_path.substr(vocab_path.find_last_of('/') + 1);
  ringlm::GgufWriter writer;
  ringlm::SynthSummary summary;
  const ringlm::Status st = ringlm::synth_gguf(*shape, type, seed, vocab.value(), label, writer, &summary);
  if (!st.is_ok()) return error_of(st);
  SynthPlan plan;
  plan.n_vocab = summary.n_vocab;
  plan.vocab_resized = summary.vocab_resized;
  plan.n_params = summary.n_params;
  plan.bytes = summary.bytes;
  for (const ringlm::SynthSummary::Fallback& f : summary.fallbacks) plan.fallbacks.emplace_back(f.name, ringlm::dtype_name(f.type));
  if (on_plan) on_plan(plan);
  const ringlm::Status written = writer.write_file(out_path, progress);
  if (written.is_ok() && file_bytes != nullptr) *file_bytes = writer.file_size();
  return error_of(written);
}

Error convert_llama2c(const std::string& checkpoint, const std::string& tokenizer, const std::string& out_path,
                      const WriteProgress& progress) {
  return error_of(ringlm::convert_llama2c_file(checkpoint.c_str(), tokenizer.c_str(), out_path.c_str(), progress));
}

}  // namespace ringlm_devtools
