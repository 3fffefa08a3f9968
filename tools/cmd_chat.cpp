// `ringlm chat`: an interactive conversation in the model's chat template. The session keeps the
// conversation's tokens between turns; each turn prefills only the text it does not hold yet.
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "chat_conversation.h"
#include "cli_args.h"
#include "commands.h"
#include "model_io.h"
#include "ringlm.h"
#include "session_args.h"

namespace ringlm_cli {

namespace {

volatile std::sig_atomic_t g_interrupts = 0;  // Ctrl-C presses since the last reset

void on_sigint(int) { g_interrupts = g_interrupts + 1; }

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: ringlm chat [-m MODEL] [options]\n"
               "Talk with a model in its chat template. The session keeps the conversation between turns;\n"
               "each turn prefills only the new text. Ctrl-C stops a reply; Ctrl-C twice at the prompt or\n"
               "Ctrl-D leaves. Commands: /reset, /save FILE, /load FILE, /stats, /help.\n"
               "options:\n"
               "  -m, --model PATH        GGUF or llama2.c model (default: the built-in model)\n"
               "  -z, --tokenizer PATH    llama2.c tokenizer (default: tokenizer.bin beside the model)\n"
               "  --chat-template NAME    %s\n"
               "                          (default: detected from the model's tokenizer.chat_template;\n"
               "                          chatml, with a note, for a model that has none)\n"
               "  --system TEXT           system prompt (default: none)\n"
               "  -n, --n-predict N       most tokens per reply (default: 256)\n"
               "  --temp T                temperature, 0 = greedy (default: 0.8)\n"
               "  --top-k K               top-k cut, 0 = off (default: 40)\n"
               "  --top-p P               nucleus cut in (0, 1] (default: 0.95)\n"
               "  --seed S                sampling seed (default: 42)\n"
               "  -c, --ctx N             context tokens (default: the model's training context)\n"
               "  --window W              stream: keep the last W tokens plus the sinks, so the\n"
               "                          conversation never has to end (default: 0, off)\n"
               "  --sinks S               tokens kept forever when streaming (default: 4)\n"
               "  --kv-type T             f32, bf16 or int8 (default: f32)\n"
               "  -t, --threads N         threads (default: one per online CPU)\n"
               "  --no-mmap               read the model into memory instead of mapping it\n"
               "  --show-prompt           print each turn's rendered text, the bytes reused and the reply to stderr\n"
               "  -h, --help              this help\n"
               "example:\n"
               "  ringlm chat -m qwen2-0.5b-instruct-q8_0.gguf --system \"You are terse.\" --window 1024\n",
               ringlm_chat_template_names());
}

int fail(const char* what) {
  std::fprintf(stderr, "ringlm chat: %s: %s\n", what, ringlm_last_error_message());
  return 1;
}

// The template to use: the one named, else the model's; false after saying why.
bool choose_template(const ringlm_model* model, const std::string& requested, std::string* name) {
  if (!requested.empty()) {
    ringlm_chat_message probe = {"user", ""};
    size_t n = 0;
    const ringlm_status st = ringlm_chat_apply_template(requested.c_str(), &probe, 1, true, nullptr, 0, &n);
    if (st != RINGLM_OK && st != RINGLM_ERR_BUFFER_TOO_SMALL) {
      std::fprintf(stderr, "ringlm chat: --chat-template: %s\n", ringlm_last_error_message());
      return false;
    }
    *name = requested;
    return true;
  }
  const char* detected = nullptr;
  if (ringlm_model_chat_template(model, &detected) == RINGLM_OK) {
    *name = detected;
    return true;
  }
  if (std::strstr(ringlm_last_error_message(), "has no chat template") != nullptr) {
    std::fprintf(stderr, "ringlm chat: the model has no chat template; using chatml (--chat-template NAME: %s)\n",
                 ringlm_chat_template_names());
    *name = "chatml";
    return true;
  }
  std::fprintf(stderr, "ringlm chat: %s\n", ringlm_last_error_message());
  return false;
}

// One reply's text as the callback sees it.
struct Reply {
  std::string text;
  std::string last_piece;
  bool decoding = false;  // set at the first token: from then on Ctrl-C stops at a token boundary
  bool stopped = false;
};

bool on_token(void* user_data, int32_t, const char* piece, size_t len) {
  Reply& r = *static_cast<Reply*>(user_data);
  r.decoding = true;
  if (g_interrupts > 0) {  // this token is handed out but not decoded: it is not in the session
    r.stopped = true;
    return false;
  }
  r.last_piece.assign(piece, len);
  r.text.append(piece, len);
  std::fwrite(piece, 1, len, stdout);
  std::fflush(stdout);
  return true;
}

// Stops a prefill (or the step before the first token) at Ctrl-C.
bool on_abort(void* user_data) { return g_interrupts > 0 && !static_cast<Reply*>(user_data)->decoding; }

void print_stats(ringlm_session* session) {
  ringlm_session_stats s;
  s.struct_size = sizeof(s);
  if (ringlm_session_get_stats(session, &s) != RINGLM_OK) return;
  auto rate = [](uint64_t n, uint64_t ns) { return ns > 0 ? static_cast<double>(n) * 1e9 / static_cast<double>(ns) : 0.0; };
  std::printf("context: %zu tokens\nprefill: %llu tokens, %.1f tok/s\ndecode:  %llu tokens, %.1f tok/s\n"
              "time to first token: %.2f ms\n",
              ringlm_session_n_past(session), static_cast<unsigned long long>(s.n_prefill_tokens),
              rate(s.n_prefill_tokens, s.prefill_ns), static_cast<unsigned long long>(s.n_decode_tokens),
              rate(s.n_decode_tokens, s.decode_ns), static_cast<double>(s.first_token_ns) * 1e-6);
}

// A line from stdin without its newline. 0: a line; 1: a Ctrl-C not yet seen (*seen counts them,
// also one pressed just before the read); -1: end of input.
int read_line(std::string* line, int* seen) {
  line->clear();
  for (;;) {
    if (g_interrupts > *seen) {
      *seen = g_interrupts;
      return 1;
    }
    const int c = std::fgetc(stdin);
    if (c == EOF) {
      if (std::ferror(stdin) && errno == EINTR) {
        std::clearerr(stdin);
        continue;
      }
      return line->empty() ? -1 : 0;
    }
    if (c == '\n') return 0;
    line->push_back(static_cast<char>(c));
  }
}

// One turn: render, prefill what is new, stream the reply.
bool take_turn(ChatConversation& chat, const std::string& user, uint32_t n_predict, bool show_prompt) {
  std::string prompt;
  if (!chat.render_with(user, &prompt)) {
    fail("cannot render the conversation");
    return false;
  }
  std::vector<int32_t> tokens;
  size_t reused = 0;
  if (!chat.tokens_for(prompt, &tokens, &reused)) {
    fail("cannot tokenize the conversation");
    return false;
  }
  if (show_prompt) {
    std::fprintf(stderr, "ringlm chat: prompt (%zu bytes reused, %zu new tokens):\n<<<%s>>>\n", reused, tokens.size(),
                 prompt.c_str());
  }
  Reply reply;
  ringlm_session_set_abort_callback(chat.session(), on_abort, &reply);
  size_t generated = 0;
  const ringlm_status st = ringlm_session_generate(chat.session(), tokens.data(), tokens.size(), n_predict, on_token,
                                                   &reply, &generated);
  ringlm_session_set_abort_callback(chat.session(), nullptr, nullptr);
  std::printf("\n");
  // The session holds the prompt and the reply exactly unless a stop cut into a forward pass.
  bool held_ok = st == RINGLM_OK;
  if (st == RINGLM_ERR_ABORTED || reply.stopped) std::fprintf(stderr, "ringlm chat: (reply stopped)\n");
  if (st == RINGLM_ERR_CONTEXT_FULL) {
    std::fprintf(stderr, "ringlm chat: the context is full: /reset, or chat with --window W to stream\n");
  } else if (st != RINGLM_OK && st != RINGLM_ERR_ABORTED) {
    fail("generation failed");
  }
  if (show_prompt) std::fprintf(stderr, "ringlm chat: reply (%zu tokens):\n<<<%s>>>\n", generated, reply.text.c_str());
  chat.record_turn(user, prompt, reply.text, held_ok);
  return true;
}

void run_command(ChatConversation& chat, const std::string& line) {
  const size_t space = line.find(' ');
  const std::string cmd = line.substr(0, space);
  const std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
  std::string why;
  if (cmd == "/reset") {
    if (chat.reset()) std::printf("(conversation reset)\n");
  } else if (cmd == "/stats") {
    print_stats(chat.session());
  } else if ((cmd == "/save" || cmd == "/load") && arg.empty()) {
    std::fprintf(stderr, "ringlm chat: %s needs a file name\n", cmd.c_str());
  } else if (cmd == "/save") {
    if (chat.save(arg, &why)) std::printf("(saved to %s and %s.chat)\n", arg.c_str(), arg.c_str());
    else std::fprintf(stderr, "ringlm chat: /save: %s\n", why.c_str());
  } else if (cmd == "/load") {
    if (chat.load(arg, &why)) std::printf("(loaded %s: %zu messages)\n", arg.c_str(), chat.n_turns());
    else std::fprintf(stderr, "ringlm chat: /load: %s\n", why.c_str());
  } else {
    std::printf("commands: /reset, /save FILE, /load FILE, /stats, /help; Ctrl-C stops a reply, Ctrl-D leaves\n");
  }
}

}  // namespace

int cmd_chat(int argc, char** argv) {
  Args args(argc, argv, 2);
  if (args.flag("-h") || args.flag("--help")) {
    print_usage(stdout);
    return 0;
  }
  std::string model_path, tok_path, template_name, system;
  uint32_t n_predict = 256;
  double temp = 0.8, top_p = 0.95;
  int32_t top_k = 40;
  uint64_t seed = 42;
  SessionArgs session_args;
  args.get("-m", "--model", model_path);
  args.get("-z", "--tokenizer", tok_path);
  args.get("--chat-template", nullptr, template_name);
  args.get("--system", nullptr, system);
  args.integer<uint32_t>("-n", "--n-predict", 1, UINT32_MAX, n_predict);
  args.decimal("--temp", nullptr, 0.0, 100.0, temp);
  args.integer<int32_t>("--top-k", nullptr, 0, INT32_MAX, top_k);
  args.decimal("--top-p", nullptr, 0.0, 1.0, top_p, /*min_exclusive=*/true);
  args.integer<uint64_t>("--seed", nullptr, 0, UINT64_MAX, seed);
  const bool show_prompt = args.flag("--show-prompt");
  session_args.read(args);
  if (!args.finish()) {
    print_usage(stderr);
    return 2;
  }

  ModelHandle handle = open_model("chat", model_path, tok_path, session_args.load_mode());
  if (!handle) return 1;
  std::string chosen;
  if (!choose_template(handle.get(), template_name, &chosen)) return 1;

  ringlm_session_params sp;
  ringlm_session_params_init(&sp);
  if (!session_args.apply(sp)) return 2;
  sp.temperature = static_cast<float>(temp);
  sp.top_k = top_k;
  sp.top_p = static_cast<float>(top_p);
  sp.seed = seed;
  ringlm_session* session = nullptr;
  if (ringlm_session_create(handle.get(), &sp, nullptr, 0, &session) != RINGLM_OK) return fail("cannot create a session");

  // No SA_RESTART: a Ctrl-C at the prompt interrupts the read.
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);

  std::fprintf(stderr, "ringlm chat: template %s%s; /help for commands\n", chosen.c_str(),
               sp.streaming ? ", streaming" : "");
  ChatConversation chat(handle.get(), session, chosen, system);
  std::string line;
  int seen = 0;  // Ctrl-C presses at the prompt since the last line
  for (;;) {
    std::printf("> ");
    std::fflush(stdout);
    const int got = read_line(&line, &seen);
    if (got < 0) break;  // Ctrl-D
    if (got == 1) {
      if (seen >= 2) break;
      std::printf("\n(Ctrl-C again or Ctrl-D to leave)\n");
      continue;
    }
    g_interrupts = 0;
    seen = 0;
    if (line.empty()) continue;
    if (line[0] == '/') {
      run_command(chat, line);
      continue;
    }
    take_turn(chat, line, n_predict, show_prompt);
    g_interrupts = 0;
    seen = 0;
  }
  std::printf("\n");
  ringlm_session_free(session);
  return 0;
}

}  // namespace ringlm_cli
