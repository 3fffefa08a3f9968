#include "bench_report.h"

#include <cmath>

namespace ringlm_cli {

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A JSON number, or null where there is none (prefill roofline, bandwidth not measured).
std::string json_number(double v, bool present = true) {
  if (!present || !std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace

double BenchRow::mean() const {
  double sum = 0;
  for (double x : samples) sum += x;
  return samples.empty() ? 0.0 : sum / static_cast<double>(samples.size());
}

double BenchRow::sd() const {
  if (samples.size() < 2) return 0.0;
  const double m = mean();
  double ss = 0;
  for (double x : samples) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(samples.size() - 1));
}

std::string BenchRow::test_name() const {
  std::string s = decode() ? "tg" + std::to_string(n_gen) : "pp" + std::to_string(n_prompt);
  if (n_depth > 0) s += " @ d" + std::to_string(n_depth);
  return s;
}

std::string human_count(uint64_t n) {
  char buf[32];
  const double v = static_cast<double>(n);
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2fB", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  else std::snprintf(buf, sizeof buf, "%.1fK", v / 1e3);
  return buf;
}

void BenchPrinter::begin() {
  rows_ = 0;
  if (json_) {
    std::fprintf(out_, "[");
  } else {
    std::fprintf(out_,
                 "| model | size | params | kernels | threads | KV | test | tok/s | bytes/token | GB/s | roofline |\n"
                 "|-------|-----:|-------:|---------|--------:|----|------|------:|------------:|-----:|---------:|\n");
  }
  std::fflush(out_);
}

void BenchPrinter::row(const BenchRow& r) {
  const bool dec = r.decode();
  if (json_) {
    std::string samples;
    for (size_t i = 0; i < r.samples.size(); ++i) samples += (i ? ", " : "") + json_number(r.samples[i]);
    std::fprintf(out_,
                 "%s\n  {\"model\": %s, \"model_size\": %llu, \"n_params\": %llu, \"kernels\": %s, \"n_threads\": %u, "
                 "\"kv_type\": %s, \"mmap\": %s, \"test\": \"%s\", \"n_prompt\": %u, \"n_gen\": %u, \"n_depth\": %u, "
                 "\"repetitions\": %zu, \"avg_ts\": %s, \"stddev_ts\": %s, \"bytes_per_token\": %s, "
                 "\"read_bandwidth\": %s, \"achieved_bandwidth\": %s, \"roofline_ratio\": %s, \"samples_ts\": [%s]}",
                 rows_ == 0 ? "" : ",", json_string(model_.name).c_str(),
                 static_cast<unsigned long long>(model_.weight_bytes), static_cast<unsigned long long>(model_.n_params),
                 json_string(model_.kernels).c_str(), r.n_threads, json_string(model_.kv_type).c_str(),
                 model_.mmap ? "true" : "false", dec ? "tg" : "pp", r.n_prompt, r.n_gen, r.n_depth, r.samples.size(), json_number(r.mean()).c_str(),
                 json_number(r.sd()).c_str(), json_number(r.bytes_per_token, dec).c_str(),
                 json_number(r.read_bandwidth, r.read_bandwidth > 0).c_str(),
                 json_number(r.achieved_bandwidth(), dec).c_str(),
                 json_number(r.roofline(), dec && r.read_bandwidth > 0).c_str(), samples.c_str());
  } else {
    char tps[48], gbs[24] = "-", ratio[24] = "-";
    std::snprintf(tps, sizeof tps, "%.2f ± %.2f", r.mean(), r.sd());
    if (dec) std::snprintf(gbs, sizeof gbs, "%.2f", r.achieved_bandwidth() / 1e9);
    if (dec && r.read_bandwidth > 0) std::snprintf(ratio, sizeof ratio, "%.2f", r.roofline());
    std::fprintf(out_, "| %s | %s | %s | %s | %u | %s | %s | %s | %s | %s | %s |\n", model_.name.c_str(),
                 format_bytes(static_cast<double>(model_.weight_bytes)).c_str(), human_count(model_.n_params).c_str(),
                 model_.kernels.c_str(), r.n_threads, model_.kv_type.c_str(), r.test_name().c_str(), tps,
                 dec ? format_bytes(r.bytes_per_token).c_str() : "-", gbs, ratio);
  }
  ++rows_;
  std::fflush(out_);
}

void BenchPrinter::end() {
  std::fprintf(out_, json_ ? "\n]\n" : "\n");
  std::fflush(out_);
}

}  // namespace ringlm_cli
