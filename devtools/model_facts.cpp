// devtools.h: facts about a loaded model and a GGUF file's tensors, for `ringlm info` and `bench`.
#include <cerrno>
#include <cstring>

#include "api/c_api_internal.h"
#include "devtools/devtools.h"
#include "models/gguf/gguf_file.h"
#include "models/model_loader.h"
#include "platform/clock.h"
#include "platform/mapped_file.h"
#include "platform/regular_file.h"
#include "runtime/kv_cache.h"
#include "runtime/matmul.h"

namespace ringlm_devtools {

int64_t now_ns() { return ringlm::now_ns(); }

Error read_file(const std::string& path, std::string* out) {
  ringlm::Result<ringlm::MappedFile> file = ringlm::MappedFile::open(path.c_str(), ringlm::LoadMode::kRead);
  if (!file.is_ok()) return Error{file.status().code(), file.status().message()};
  const ringlm::Span<const uint8_t> bytes = file.value().bytes();
  out->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return {};
}

Error write_file(const std::string& path, const std::string& bytes) {
  ringlm::Result<std::string> target = ringlm::resolve_output_path(path);
  if (!target.is_ok()) return Error{target.status().code(), target.status().message()};
  ringlm::Result<std::FILE*> created = ringlm::create_regular_file(target.value());
  if (!created.is_ok()) return Error{created.status().code(), created.status().message()};
  std::FILE* f = created.value();
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size() && std::fflush(f) == 0;
  const int err = errno;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    return Error{RINGLM_ERR_IO, "cannot write '" + path + "': " + std::strerror(written ? errno : err)};
  }
  return {};
}

const char* prefill_gemm_name() { return ringlm::prefill_gemm_name(); }

bool build_has_blas() { return ringlm::matmul_has_blas(); }

ModelFacts model_facts(const ringlm_model* model) {
  const ringlm::Model& m = ringlm::model_of(model);
  const ringlm::ModelWeights& w = m.weights;
  ModelFacts f;
  f.arch = m.config.arch;
  f.rope_base = m.config.rope_base;
  f.norm_eps = m.config.norm_eps;
  f.sliding_window = m.config.sliding_window;
  // A decode step reads every layer tensor, the final norm, the output matrix, and one row of the
  // token-embedding table (already counted when it is the output matrix).
  uint64_t bytes = w.output_norm.bytes() + w.output.bytes();
  if (w.tok_embd.data != w.output.data) bytes += w.tok_embd.row_bytes;
  for (const ringlm::LayerWeights& l : w.layers) {
    for (const ringlm::TensorView* t :
         {&l.attn_norm, &l.wq, &l.wk, &l.wv, &l.bq, &l.bk, &l.bv, &l.wo, &l.ffn_norm, &l.w_gate, &l.w_up, &l.w_down}) {
      if (t->data != nullptr) bytes += t->bytes();
    }
  }
  f.decode_weight_bytes = bytes;
  return f;
}

uint64_t kv_bytes_per_token(const ringlm_model* model, ringlm_kv_type kv_type) {
  const ringlm::ModelConfig& c = ringlm::model_of(model).config;
  const auto type = static_cast<ringlm::KvType>(kv_type);
  const uint64_t row = static_cast<uint64_t>(c.head_dim) * ringlm::kv_type_bytes(type) +
                       (type == ringlm::KvType::kInt8 ? sizeof(float) : 0);
  return 2 * row * static_cast<uint64_t>(c.n_head_kv) * static_cast<uint64_t>(c.n_layer);
}

bool read_gguf_summary(const std::string& path, GgufSummary* out) {
  // Only the header is read: the tensors' data stays untouched in the mapping.
  ringlm::Result<ringlm::MappedFile> mapped = ringlm::MappedFile::open(path.c_str());
  if (!mapped.is_ok() || !ringlm::is_gguf(mapped.value().bytes())) return false;
  ringlm::Result<ringlm::GgufFile> parsed = ringlm::GgufFile::parse(mapped.value().bytes());
  if (!parsed.is_ok()) return false;
  const ringlm::GgufFile& f = parsed.value();
  out->version = f.version();
  out->alignment = f.alignment();
  out->n_keys = f.metadata().size();
  out->tensors.clear();
  for (const ringlm::GgufTensor& t : f.tensors()) {
    TensorRow row;
    row.name.assign(t.name.data(), t.name.size());
    row.dtype = ringlm::dtype_name(t.dtype);
    row.shape.assign(t.ne, t.ne + t.n_dims);
    row.bytes = t.bytes;
    row.elements = static_cast<uint64_t>(t.n_elements());
    out->tensors.push_back(std::move(row));
  }
  return true;
}

}  // namespace ringlm_devtools
