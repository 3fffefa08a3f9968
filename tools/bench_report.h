// The rows `ringlm bench` measures and the two ways it prints them: a markdown table for people,
// a JSON array (one object per row) for scripts. Rows are printed as they finish.
//
// A row is one test at one thread count: prefill ("pp": n_prompt tokens in one call) or decode
// ("tg": n_gen single-token steps), both starting with n_depth tokens already in the KV cache.
// Decode rows carry the roofline: bytes one step reads (weights + KV cache) times tok/s is the
// bandwidth decode achieves; divided by the machine's measured read bandwidth it is the ratio.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "cli_numbers.h"

namespace ringlm_cli {

struct BenchModel {
  std::string name;  // file name without folders
  uint64_t n_params = 0;
  uint64_t weight_bytes = 0;
  std::string kernels;  // ringlm_kernel_name()
  std::string kv_type;  // f32, bf16, int8
  bool mmap = true;     // weights memory-mapped (false: read into memory, --no-mmap)
};

struct BenchRow {
  uint32_t n_threads = 1;
  uint32_t n_prompt = 0;  // prefill row: tokens per timed call; 0 for decode rows
  uint32_t n_gen = 0;     // decode row: timed steps; 0 for prefill rows
  uint32_t n_depth = 0;   // tokens in the cache before timing starts
  std::vector<double> samples;  // tok/s, one per repetition
  double bytes_per_token = 0;   // decode rows: bytes one step reads (mean over the steps)
  double read_bandwidth = 0;    // the machine's read bandwidth at n_threads, bytes/s; 0 = not measured

  bool decode() const { return n_gen > 0; }
  double mean() const;
  double sd() const;  // sample standard deviation; 0 with one sample
  double achieved_bandwidth() const { return decode() ? mean() * bytes_per_token : 0.0; }
  double roofline() const { return decode() && read_bandwidth > 0 ? achieved_bandwidth() / read_bandwidth : 0.0; }
  std::string test_name() const;  // "pp128", "tg32 @ d512"
};

class BenchPrinter {
 public:
  BenchPrinter(std::FILE* out, bool json, const BenchModel& model) : out_(out), json_(json), model_(model) {}
  void begin();
  void row(const BenchRow& r);
  void end();

 private:
  std::FILE* out_;
  bool json_;
  BenchModel model_;
  int rows_ = 0;
};

// "260.0K", "1.10B".
std::string human_count(uint64_t n);

}  // namespace ringlm_cli
