// devtools: what the ringlm CLI needs beyond the C API (include/ringlm.h) — model files (convert,
// quantize, synth), perplexity, the memory-bandwidth probe, kernel benchmarks and facts about a
// loaded model. Built as ringlm_devtools; firmware and apps never link it.
//
// This header is the CLI's only window below the C API: it names public types and its own plain
// structs, never the library's internals. Failures come back as an Error {status, message}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ringlm.h"

namespace ringlm_devtools {

struct Error {
  ringlm_status status = RINGLM_OK;
  std::string message;
  bool ok() const { return status == RINGLM_OK; }
};

// Monotonic nanoseconds (the library's clock).
int64_t now_ns();

// A whole file's bytes, read as the library reads its inputs: a FIFO, device or folder is
// refused at once instead of blocking.
Error read_file(const std::string& path, std::string* out);
// Writes `bytes` to `path` by the CLI's output rules: a device, FIFO or folder there is refused, a
// symlink is written through to its target.
Error write_file(const std::string& path, const std::string& bytes);

// ---- a loaded model -------------------------------------------------------------------------
struct ModelFacts {
  std::string arch;
  float rope_base = 0;
  float norm_eps = 0;
  int32_t sliding_window = 0;
  uint64_t decode_weight_bytes = 0;  // weight bytes one decode step reads
};
ModelFacts model_facts(const ringlm_model* model);
// KV cache bytes one decode step reads per attended token (K and V of every layer, int8 scales).
uint64_t kv_bytes_per_token(const ringlm_model* model, ringlm_kv_type kv_type);
// The prefill GEMM in use ("bf16", "int8", "f32", "blas", ...).
const char* prefill_gemm_name();
// Whether this build links OpenBLAS (RINGLM_BLAS).
bool build_has_blas();

// ---- GGUF files -----------------------------------------------------------------------------
struct TensorRow {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;  // ne0 first
  uint64_t bytes = 0;
  uint64_t elements = 0;
};
struct GgufSummary {
  uint32_t version = 0;
  uint32_t alignment = 0;
  size_t n_keys = 0;
  std::vector<TensorRow> tensors;  // in file order
};
// False when the file is not GGUF or cannot be parsed (then there is nothing to list).
bool read_gguf_summary(const std::string& path, GgufSummary* out);

// Progress of a file being written: tensors and bytes done of the totals.
using WriteProgress = std::function<void(size_t done, size_t n_tensors, uint64_t bytes_done, uint64_t bytes_total)>;

// The weight types quantize and synth accept, comma-separated.
const char* weight_type_names();
bool is_weight_type(const std::string& name);
// Elements per block of a weight type (1 for the float types), 0 when unknown.
size_t weight_type_block(const std::string& name);

struct QuantizePlan {
  struct Fallback {
    std::string tensor;
    int64_t row_length = 0;
    std::string to;  // the type the matrix got instead
  };
  std::vector<Fallback> fallbacks;
  std::vector<std::pair<std::string, int>> matrices_by_type;  // output type -> matrices, by name
  uint64_t bytes_in = 0, bytes_out = 0;
};
// Quantizes IN.gguf's 2-D weights to `type` into OUT.gguf; `on_plan` hears what will be written
// before any byte is.
Error quantize_file(const std::string& in_path, const std::string& out_path, const std::string& type,
                    const std::function<void(const QuantizePlan&)>& on_plan, const WriteProgress& progress);

struct SynthShapeInfo {
  std::string name, arch, default_vocab;
  int32_t n_layer = 0, n_embd = 0, n_head = 0, n_head_kv = 0, n_ff = 0, n_vocab = 0;
  bool tied = false;
};
std::vector<SynthShapeInfo> synth_shapes();
struct SynthPlan {
  int32_t n_vocab = 0;
  bool vocab_resized = false;
  uint64_t n_params = 0, bytes = 0;
  std::vector<std::pair<std::string, std::string>> fallbacks;  // tensor, type it got
};
// A random-weight model of `shape` with the tokenizer of `vocab_path`; `on_plan` as above.
Error synth_file(const std::string& shape, const std::string& type, uint64_t seed, const std::string& vocab_path,
                 const std::string& out_path, const std::function<void(const SynthPlan&)>& on_plan,
                 const WriteProgress& progress, uint64_t* file_bytes);

// A llama2.c checkpoint + tokenizer -> a GGUF "llama" model (f32).
Error convert_llama2c(const std::string& checkpoint, const std::string& tokenizer, const std::string& out_path,
                      const WriteProgress& progress);

// ---- perplexity -----------------------------------------------------------------------------
struct PerplexityResult {
  double ppl = 0;
  double ppl_error = 0;
  size_t n_chunks = 0;
  size_t n_scored = 0;
};
// llama.cpp's method over `tokens` (chunks of `chunk`, BOS first, second half scored) with a
// session shaped by `params` (its n_ctx, streaming, sinks, kv_type, threads; n_batch = `batch`).
Error perplexity(const ringlm_model* model, const ringlm_session_params& params, const std::vector<int32_t>& tokens,
                 uint32_t chunk, uint32_t batch, const std::function<void(size_t, size_t)>& progress,
                 PerplexityResult* out);

// ---- the machine ----------------------------------------------------------------------------
size_t physical_memory_bytes();
// A read-bandwidth buffer well beyond the last-level cache.
size_t default_bandwidth_buffer_bytes();
// Read bandwidth in bytes/s with the active kernel set's loads, `passes` passes over `bytes`.
Error measure_read_bandwidth(size_t bytes, int n_threads, int passes, double* bytes_per_second);

// ---- kernel benchmarks (ringlm bench --kernels) ---------------------------------------------
// Prints matvec throughput per weight type, matrix and thread count; returns an exit code.
int bench_kernels(int reps, const std::vector<uint64_t>& threads);
// One matvec over every matrix of `model` in turn, per thread count; returns an exit code.
int bench_model_matvecs(const ringlm_model* model, int reps, const std::vector<uint64_t>& threads);

}  // namespace ringlm_devtools
