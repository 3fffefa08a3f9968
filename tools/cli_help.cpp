#include "cli_help.h"

#include <cstring>

#include "devtools/devtools.h"
#include "ringlm.h"

namespace ringlm_cli {

namespace {

// Options of run, perplexity and info that shape the session (session_args.h).
#define RINGLM_SESSION_OPTIONS                                                                          \
  "  -c, --ctx N           cached tokens (default 0 = the model's training context; more is allowed,\n" \
  "                        with a warning: quality past the training context is not guaranteed)\n"     \
  "  --window W            stream forever: keep --sinks tokens plus the last W (default 0 = off)\n"     \
  "  --sinks S             sink tokens kept with --window (default 4)\n"                                \
  "  --kv-type T           KV cache type: f32, bf16 or int8 (default f32)\n"                            \
  "  -t, --threads N       threads, the caller's included (default: online CPUs)\n"                     \
  "  --no-mmap             read the model into private memory instead of mapping the file\n"

#define RINGLM_MODEL_OPTIONS                                                                            \
  "  -m, --model FILE      GGUF or llama2.c model (default: the built-in model)\n"                      \
  "  -z, --tokenizer FILE  llama2.c tokenizer.bin (default: the model file's own vocabulary)\n"

struct Help {
  const char* command;
  const char* text;
};

const Help kHelp[] = {
    {"run",
     "usage: ringlm run [-m MODEL] [-z TOKENIZER] (-p PROMPT | -p - | -f FILE) [options]\n"
     "Prints the prompt, then streams the generated text to stdout; timings go to stderr.\n" RINGLM_MODEL_OPTIONS
     "  -p, --prompt TEXT     the prompt; '-' reads it from stdin (default empty)\n"
     "  -f, --file FILE       read the prompt from FILE\n"
     "  -n, --n-predict N     tokens to generate (default 256)\n"
     "  --temp T              temperature, 0 = greedy (default 0.8)\n"
     "  --top-k K             keep the K most likely tokens, 0 = all (default 40)\n"
     "  --top-p P             nucleus sampling mass in (0, 1] (default 0.95)\n"
     "  --seed S              sampling seed (default 42)\n"
     "  --min-p P             drop tokens below P x the top probability, in [0, 1] (default 0 = off)\n"
     "  --repeat-penalty R    divide a recent token's logit by R (default 1 = off)\n"
     "  --repeat-last-n N     recent tokens (prompt included) the penalties see; -1 = the context\n"
     "                        (default 64)\n"
     "  --presence-penalty F  subtract F from each recent token's logit (default 0)\n"
     "  --frequency-penalty F subtract F per occurrence among the recent tokens (default 0)\n"
     "  --stop STRING         stop when the text ends with STRING, which is not printed (repeatable;\n"
     "                        default none)\n"
     "  --no-cache            recompute every position at every step (no KV cache: O(T^2) work)\n"
     "  --prompt-cache FILE   reuse FILE's prefilled prompt when this prompt starts with it; save this\n"
     "                        prompt there otherwise (default: no cache)\n"
     RINGLM_SESSION_OPTIONS
     "example: ringlm run -p \"Once upon a time\" -n 64 --temp 0 --stop \".\"\n"},
    {"perplexity",
     "usage: ringlm perplexity [-m MODEL] [-z TOKENIZER] -f TEXT [options]\n"
     "Perplexity of a text file, chunk by chunk (or streamed with --window).\n" RINGLM_MODEL_OPTIONS
     "  -f, --file FILE       the text to score (required)\n"
     "  -b, --batch N         tokens per prefill call (default 0 = the session's default)\n"
     "  -c, --ctx N           chunk size in tokens (default 256; beyond the training context warns)\n"
     "  --window W            stream the whole text through S sinks + W window (default 0 = chunks)\n"
     "  --sinks S             sink tokens kept with --window (default 4)\n"
     "  --kv-type T           KV cache type: f32, bf16 or int8 (default f32)\n"
     "  -t, --threads N       threads, the caller's included (default: online CPUs)\n"
     "  --no-mmap             read the model into private memory instead of mapping the file\n"
     "example: ringlm perplexity -m stories260K.gguf -f text.txt -c 128\n"},
    {"info",
     "usage: ringlm info [MODEL | -m MODEL] [-z TOKENIZER] [options]\n"
     "What a model is and what a session of it costs (the memory plan for -c tokens).\n" RINGLM_MODEL_OPTIONS
     "  --tensors             also list every tensor of a GGUF file\n" RINGLM_SESSION_OPTIONS
     "example: ringlm info stories260K.gguf -c 4096\n"},
    {"tokenize",
     "usage: ringlm tokenize [-m MODEL] [-z TOKENIZER] -p TEXT [--ids] [--bos | --no-bos]\n"
     "Token ids and pieces of a text; any GGUF file with a vocabulary works.\n" RINGLM_MODEL_OPTIONS
     "  -p, --prompt TEXT     the text (default empty)\n"
     "  --ids                 print the ids as [1, 450, ...] instead of one piece per line\n"
     "  --bos, --no-bos       force or drop the leading BOS (default: as the model file says)\n"
     "example: ringlm tokenize -m model.gguf -p \"Hello world\" --ids\n"},
    {"convert",
     "usage: ringlm convert -m CHECKPOINT.bin -z TOKENIZER.bin -o OUT.gguf\n"
     "Converts a llama2.c checkpoint and its tokenizer into one GGUF file.\n"
     "  -m, --model FILE      llama2.c checkpoint (required)\n"
     "  -z, --tokenizer FILE  llama2.c tokenizer.bin (required)\n"
     "  -o, --output FILE     the GGUF file to write (required)\n"
     "example: ringlm convert -m stories260K.bin -z tok512.bin -o stories260K.gguf\n"},
    {"quantize",
     "usage: ringlm quantize IN.gguf OUT.gguf TYPE\n"
     "TYPE: bf16, q8_0, q4_0, q4_k; also f32, f16, q6_k (no default). 2-D weight matrices get TYPE when\n"
     "their rows are whole blocks of it; else q4_k falls back to q4_0, q6_k to q8_0, and a matrix that\n"
     "fits neither keeps its type. Norms and biases stay f32.\n"
     "example: ringlm quantize model.gguf model-q8_0.gguf q8_0\n"},
    {"synth",
     "usage: ringlm synth --shape NAME [--type T] -o OUT.gguf [--vocab VOCAB.gguf] [--seed S] | --list\n"
     "Writes a model of a known shape with random weights (for benchmarks and tests).\n"
     "  --shape NAME          the shape (required; --list shows them)\n"
     "  -t, --type T          weight type (default f32)\n"
     "  -o, --output FILE     the GGUF file to write (required)\n"
     "  --vocab FILE          GGUF file whose vocabulary to copy (default: the shape's default)\n"
     "  --seed S              random seed (default 0)\n"
     "  --list                list the shapes and exit\n"
     "example: ringlm synth --shape tiny-test --type q8_0 -o tiny.gguf\n"},
};

}  // namespace

const char* command_help(const char* command) {
  for (const Help& h : kHelp) {
    if (std::strcmp(h.command, command) == 0) return h.text;
  }
  return nullptr;
}

bool wants_help(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) return true;
  }
  return false;
}

void print_main_usage(std::FILE* out) {
  std::fprintf(out,
               "ringlm %s — CPU LLM inference for edge devices\n"
               "usage: ringlm COMMAND [options]     (ringlm COMMAND --help for the options of each)\n"
               "  run         generate text from a prompt\n"
               "  chat        talk with a model through its chat template, turn by turn\n"
               "  bench       prefill/decode speed, memory bandwidth, cache and streaming curves\n"
               "  perplexity  perplexity of a text file\n"
               "  info        what a model is and the memory plan of a session\n"
               "  tokenize    token ids and pieces of a text\n"
               "  convert     llama2.c checkpoint to GGUF\n"
               "  quantize    GGUF to GGUF of another weight type\n"
               "  synth       a random-weight model of a known shape\n"
               "  --version   version, ABI, kernel set and BLAS of this build\n"
               "example: ringlm run -p \"Once upon a time\" -n 64\n",
               ringlm_version());
}

void print_version() {
  const char* gemm = ringlm_devtools::prefill_gemm_name();
  std::printf("ringlm %s\nABI version %u\nkernel set %s\nprefill GEMM %s\nBLAS %s\n", ringlm_version(),
              ringlm_abi_version(), ringlm_kernel_name(), gemm,
              ringlm_devtools::build_has_blas() ? "yes (OpenBLAS)" : "no (built without it)");
}

void print_usage_error(const char* command) {
  const char* help = command_help(command);
  if (help != nullptr) std::fputs(help, stderr);  // else the command prints its own (bench)
}

}  // namespace ringlm_cli
