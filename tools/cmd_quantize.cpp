// `ringlm quantize IN.gguf OUT.gguf TYPE`: re-types a GGUF model's weight matrices
// (models/convert/quantize_model.h; the fallback rule in weight_types.h).
#include <cstdio>
#include <map>
#include <string>

#include "commands.h"
#include "models/convert/quantize_model.h"
#include "models/convert/weight_types.h"
#include "models/model_loader.h"
#include "platform/mapped_file.h"
#include "progress.h"
#include "ringlm.h"

namespace ringlm_cli {

namespace {

int fail(const char* what, const ringlm::Status& st) {
  std::fprintf(stderr, "ringlm quantize: %s%s%s (%s)\n", what, *what ? ": " : "", st.message(),
               ringlm_status_string(st.code()));
  return 1;
}

}  // namespace

int cmd_quantize(int argc, char** argv) {
  if (argc != 5 || argv[2][0] == '-' || argv[3][0] == '-') {
    std::fprintf(stderr,
                 "usage: ringlm quantize IN.gguf OUT.gguf TYPE   (TYPE: %s)\n"
                 "2-D weight matrices get TYPE when their rows are whole blocks of it; else q4_k falls back to\n"
                 "q4_0, q6_k to q8_0, and a matrix that fits neither keeps its type. Norms and biases stay f32.\n",
                 ringlm::weight_type_names());
    return 2;
  }
  const std::string in_path = argv[2], out_path = argv[3], type_name = argv[4];
  ringlm::DType type;
  if (!ringlm::parse_weight_type(type_name, type)) {
    std::fprintf(stderr, "ringlm quantize: unknown type '%s' (expected one of %s)\n", type_name.c_str(),
                 ringlm::weight_type_names());
    return 2;
  }
  ringlm::Result<ringlm::MappedFile> mapped = ringlm::MappedFile::open(in_path.c_str());
  if (!mapped.is_ok()) return fail("", mapped.status());
  const ringlm::Span<const uint8_t> bytes = mapped.value().bytes();
  if (!ringlm::is_gguf(bytes)) {
    std::fprintf(stderr, "ringlm quantize: %s is not a GGUF file (convert a llama2.c checkpoint first: ringlm convert)\n",
                 in_path.c_str());
    return 1;
  }
  ringlm::Result<ringlm::GgufFile> file = ringlm::GgufFile::parse(bytes);
  if (!file.is_ok()) return fail(in_path.c_str(), file.status());

  ringlm::GgufWriter writer;
  ringlm::QuantizeSummary summary;
  const ringlm::Status planned = ringlm::quantize_gguf(file.value(), type, writer, &summary);
  if (!planned.is_ok()) return fail(in_path.c_str(), planned);

  // Say which matrices did not get the requested type, and why.
  std::map<std::string, int> by_type;  // matrices per output type
  for (const ringlm::QuantizedTensor& t : summary.tensors) {
    if (!t.matrix) continue;
    ++by_type[ringlm::dtype_name(t.to)];
    if (t.fell_back) {
      std::fprintf(stderr, "note: %s: row length %lld is not a multiple of the %s block (%zu) -> %s\n",
                   t.name.c_str(), static_cast<long long>(t.row_length), ringlm::dtype_name(type),
                   ringlm::dtype_traits(type)->block_elems, ringlm::dtype_name(t.to));
    }
  }

  ProgressBar bar("quantize");
  const ringlm::Status written = writer.write_file(
      out_path, [&](size_t done, size_t n, uint64_t b, uint64_t total) { bar.update(done, n, b, total); });
  if (!written.is_ok()) return fail("", written);
  std::string matrices;
  for (const auto& kv : by_type) {
    matrices += (matrices.empty() ? "" : ", ") + std::to_string(kv.second) + " " + kv.first;
  }
  std::printf("%s -> %s (%s): %.2f MiB -> %.2f MiB in %.1f s; matrices: %s\n", in_path.c_str(), out_path.c_str(),
              ringlm::dtype_name(type), mib(summary.bytes_in), mib(summary.bytes_out), bar.seconds(),
              matrices.c_str());
  return 0;
}

}  // namespace ringlm_cli
