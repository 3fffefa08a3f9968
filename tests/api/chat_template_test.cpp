// Chat templates through the C API: each family's rendering of one three-turn conversation with a
// system message (the texts follow each family's published format), detection from template
// texts, and the errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "ringlm.h"
#include "test_support.h"

namespace {

const ringlm_chat_message kConversation[] = {
    {"system", "You are a helpful assistant"}, {"user", "Hello"},
    {"assistant", "Hi there"},                 {"user", "Who are you"},
    {"assistant", "   I am an assistant   "},  {"user", "Another question"},
};
constexpr size_t kTurns = sizeof(kConversation) / sizeof(kConversation[0]);

// The rendering, by the size-then-fill convention.
std::string render(const char* name, const ringlm_chat_message* messages, size_t n, bool add_assistant) {
  size_t needed = 0;
  const ringlm_status first = ringlm_chat_apply_template(name, messages, n, add_assistant, nullptr, 0, &needed);
  REQUIRE((first == RINGLM_ERR_BUFFER_TOO_SMALL || (first == RINGLM_OK && needed == 0)));
  std::string out(needed, '\0');
  size_t written = 0;
  REQUIRE(ringlm_chat_apply_template(name, messages, n, add_assistant, &out[0], out.size(), &written) == RINGLM_OK);
  CHECK(written == needed);
  return out;
}

const char* detect(const std::string& text) {
  const char* name = nullptr;
  return ringlm_chat_template_detect(text.data(), text.size(), &name) == RINGLM_OK ? name : "(none)";
}

}  // namespace

TEST_CASE("chat template: each family renders a three-turn conversation") {
  CHECK(render("chatml", kConversation, kTurns, true) ==
        "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
        "<|im_start|>assistant\nHi there<|im_end|>\n<|im_start|>user\nWho are you<|im_end|>\n"
        "<|im_start|>assistant\n   I am an assistant   <|im_end|>\n<|im_start|>user\nAnother question<|im_end|>\n"
        "<|im_start|>assistant\n");
  CHECK(render("qwen2", kConversation, kTurns, true) == render("chatml", kConversation, kTurns, true));
  CHECK(render("llama2", kConversation, kTurns, true) ==
        "[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST] Hi there </s>"
        "<s>[INST] Who are you [/INST] I am an assistant </s><s>[INST] Another question [/INST]");
  CHECK(render("llama3", kConversation, kTurns, true) ==
        "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\nI am an assistant<|eot_id|>"
        "<|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n");
  CHECK(render("mistral", kConversation, kTurns, true) ==
        "[INST] You are a helpful assistant\n\nHello [/INST]Hi there</s>[INST] Who are you [/INST]"
        "   I am an assistant   </s>[INST] Another question [/INST]");
  CHECK(render("phi3", kConversation, kTurns, true) ==
        "<|system|>\nYou are a helpful assistant<|end|>\n<|user|>\nHello<|end|>\n<|assistant|>\nHi there<|end|>\n"
        "<|user|>\nWho are you<|end|>\n<|assistant|>\n   I am an assistant   <|end|>\n<|user|>\nAnother question<|end|>\n"
        "<|assistant|>\n");
  CHECK(render("zephyr", kConversation, kTurns, true) ==
        "<|system|>\nYou are a helpful assistant</s>\n<|user|>\nHello</s>\n<|assistant|>\nHi there</s>\n"
        "<|user|>\nWho are you</s>\n<|assistant|>\n   I am an assistant   </s>\n<|user|>\nAnother question</s>\n"
        "<|assistant|>\n");
  CHECK(render("gemma", kConversation, kTurns, true) ==
        "<start_of_turn>user\nYou are a helpful assistant\n\nHello<end_of_turn>\n<start_of_turn>model\nHi there<end_of_turn>\n"
        "<start_of_turn>user\nWho are you<end_of_turn>\n<start_of_turn>model\nI am an assistant<end_of_turn>\n"
        "<start_of_turn>user\nAnother question<end_of_turn>\n<start_of_turn>model\n");
}

TEST_CASE("chat template: without the assistant cue, and a conversation extends its own rendering") {
  CHECK(render("chatml", kConversation, 2, false) ==
        "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n");
  CHECK(render("gemma", kConversation + 1, 1, false) == "<start_of_turn>user\nHello<end_of_turn>\n");
  // What `ringlm chat` relies on: the prompt of turn 2 starts with turn 1's prompt plus the reply
  // as the model writes it (after llama2's "[/INST]" a reply starts with a space).
  for (const char* name : {"chatml", "llama2", "llama3", "mistral", "phi3", "zephyr", "gemma"}) {
    CAPTURE(name);
    const std::string reply = std::strcmp(name, "llama2") == 0 ? " Hi there" : "Hi there";
    const std::string turn1 = render(name, kConversation, 2, true) + reply;
    const std::string turn2 = render(name, kConversation, 4, true);
    CHECK(turn2.compare(0, turn1.size(), turn1) == 0);
  }
}

TEST_CASE("chat template: families are detected from their markers, never guessed") {
  CHECK(std::string(detect("{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n'}}{% endfor %}")) == "chatml");
  CHECK(std::string(detect("{{ bos_token }}{{ '<|start_header_id|>' + role + '<|end_header_id|>\\n\\n' }}")) == "llama3");
  CHECK(std::string(detect("{{ '[INST] <<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' }}")) == "llama2");
  CHECK(std::string(detect("{{ bos_token }}{% if user %}{{ '[INST] ' + content + ' [/INST]' }}{% endif %}")) == "mistral");
  CHECK(std::string(detect("{{'<|user|>' + '\\n' + content + '<|end|>' + '\\n' + '<|assistant|>'}}")) == "phi3");
  CHECK(std::string(detect("{{ '<|user|>\\n' + message['content'] + eos_token }}")) == "zephyr");
  CHECK(std::string(detect("{{ '<start_of_turn>' + role + '\\n' + content | trim + '<end_of_turn>\\n' }}")) == "gemma");

  const std::string unknown = "{% for m in messages %}{{ m['role'] + ': ' + m['content'] }}{% endfor %}";
  const char* name = "x";
  CHECK(ringlm_chat_template_detect(unknown.data(), unknown.size(), &name) == RINGLM_ERR_UNSUPPORTED);
  CHECK(name == nullptr);
  CHECK(std::string(ringlm_last_error_message()).find(ringlm_chat_template_names()) != std::string::npos);
  CHECK(ringlm_chat_template_detect("", 0, &name) == RINGLM_ERR_UNSUPPORTED);
  CHECK(ringlm_chat_template_detect(nullptr, 3, &name) == RINGLM_ERR_INVALID_ARGUMENT);
}

TEST_CASE("chat template: bad names, roles, buffers and models are refused with a message") {
  size_t written = 0;
  CHECK(ringlm_chat_apply_template("vicuna", kConversation, kTurns, true, nullptr, 0, &written) ==
        RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(std::string(ringlm_last_error_message()).find("unknown chat template 'vicuna' (known: chatml") != std::string::npos);

  const ringlm_chat_message tool[] = {{"user", "a"}, {"tool", "b"}};
  CHECK(ringlm_chat_apply_template("chatml", tool, 2, true, nullptr, 0, &written) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(std::string(ringlm_last_error_message()).find("role 'tool'") != std::string::npos);
  const ringlm_chat_message late_system[] = {{"user", "a"}, {"system", "b"}};
  CHECK(ringlm_chat_apply_template("gemma", late_system, 2, true, nullptr, 0, &written) == RINGLM_ERR_INVALID_ARGUMENT);
  CHECK(ringlm_chat_apply_template("chatml", late_system, 2, true, nullptr, 0, &written) ==
        RINGLM_ERR_BUFFER_TOO_SMALL);
  const ringlm_chat_message null_content[] = {{"user", nullptr}};
  CHECK(ringlm_chat_apply_template("chatml", null_content, 1, true, nullptr, 0, &written) == RINGLM_ERR_INVALID_ARGUMENT);

  // One byte short: BUFFER_TOO_SMALL with the size needed, the buffer left as it was.
  const std::string full = render("llama3", kConversation, kTurns, true);
  std::string small(full.size() - 1, '#');
  CHECK(ringlm_chat_apply_template("llama3", kConversation, kTurns, true, &small[0], small.size(), &written) ==
        RINGLM_ERR_BUFFER_TOO_SMALL);
  CHECK(written == full.size());
  CHECK(small == std::string(full.size() - 1, '#'));

  // stories260K carries no tokenizer.chat_template.
  ringlm_model* model = ringlm_test::open_stories260k();
  REQUIRE(model != nullptr);
  const char* name = "x";
  CHECK(ringlm_model_chat_template(model, &name) == RINGLM_ERR_UNSUPPORTED);
  CHECK(name == nullptr);
  CHECK(std::string(ringlm_last_error_message()).find("no chat template") != std::string::npos);
  ringlm_model_free(model);
}

TEST_CASE("chat template: ringlm_tokenize_special turns the markers of a rendering into their ids") {
  ringlm_model_params mp;
  ringlm_model_params_init(&mp);
  const std::string path = ringlm_test::shared_path("vocab/ggml-vocab-llama-spm.gguf");
  mp.path = path.c_str();
  mp.vocab_only = true;
  ringlm_model* model = nullptr;
  REQUIRE(ringlm_model_open(&mp, &model) == RINGLM_OK);
  ringlm_model_info info;
  info.struct_size = sizeof(info);
  REQUIRE(ringlm_model_get_info(model, &info) == RINGLM_OK);

  const std::string text = " Hi </s><s>[INST] Who";  // llama2's turn boundary
  std::vector<int32_t> special(64), plain(64);
  size_t n_special = 0, n_plain = 0;
  REQUIRE(ringlm_tokenize_special(model, text.data(), text.size(), false, special.data(), special.size(), &n_special) ==
          RINGLM_OK);
  REQUIRE(ringlm_tokenize(model, text.data(), text.size(), false, plain.data(), plain.size(), &n_plain) == RINGLM_OK);
  special.resize(n_special);
  plain.resize(n_plain);
  // The control tokens EOS then BOS appear once each, in order, only when parsed.
  const auto eos = std::find(special.begin(), special.end(), info.eos_token);
  REQUIRE(eos != special.end());
  REQUIRE(eos + 1 != special.end());
  CHECK(*(eos + 1) == info.bos_token);
  CHECK(std::count(plain.begin(), plain.end(), info.eos_token) == 0);
  CHECK(std::count(plain.begin(), plain.end(), info.bos_token) == 0);
  CHECK(n_plain > n_special);
  // The text around them tokenizes as it does alone.
  std::vector<int32_t> head(16);
  size_t n_head = 0;
  REQUIRE(ringlm_tokenize(model, " Hi ", 4, false, head.data(), head.size(), &n_head) == RINGLM_OK);
  CHECK(std::vector<int32_t>(special.begin(), eos) == std::vector<int32_t>(head.begin(), head.begin() + n_head));
  // Buffer contract as ringlm_tokenize.
  size_t needed = 0;
  CHECK(ringlm_tokenize_special(model, text.data(), text.size(), true, nullptr, 0, &needed) == RINGLM_ERR_BUFFER_TOO_SMALL);
  CHECK(needed == n_special + 1);
  ringlm_model_free(model);
}
