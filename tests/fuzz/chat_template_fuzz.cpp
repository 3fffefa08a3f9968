// Chat templates through the C API: any bytes as a template text to detect, and as a conversation
// (first byte: the family and the assistant cue; then messages split at NUL, each led by a byte
// choosing its role, a few of them unknown) rendered by the size-then-fill convention. A rendering
// must be the same both times, and the rendering of a conversation's first messages a prefix of
// the whole (what `ringlm chat` relies on to prefill only new text).
#include <cstring>
#include <string>
#include <vector>

#include "ringlm.h"

namespace {

const char* const kFamilies[] = {"chatml", "llama2", "llama3", "mistral", "phi3", "zephyr", "gemma", "qwen2", "vicuna"};
const char* const kRoles[] = {"system", "user", "assistant", "user", "assistant", "tool"};

// The rendering, or false when the template refuses the conversation.
bool render(const char* name, const std::vector<ringlm_chat_message>& messages, size_t n, bool add_assistant,
            std::string* out) {
  size_t needed = 0;
  const ringlm_status st = ringlm_chat_apply_template(name, messages.data(), n, add_assistant, nullptr, 0, &needed);
  if (st == RINGLM_OK && needed == 0) {
    out->clear();
    return true;
  }
  if (st != RINGLM_ERR_BUFFER_TOO_SMALL) {
    if (st != RINGLM_ERR_INVALID_ARGUMENT) __builtin_trap();  // the only refusal a conversation can get
    return false;
  }
  out->assign(needed, '\0');
  size_t written = 0;
  if (ringlm_chat_apply_template(name, messages.data(), n, add_assistant, &(*out)[0], needed, &written) != RINGLM_OK ||
      written != needed) {
    __builtin_trap();  // the size it asked for was not enough
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* name = nullptr;
  const ringlm_status detected = ringlm_chat_template_detect(reinterpret_cast<const char*>(data), size, &name);
  if (detected != RINGLM_OK && detected != RINGLM_ERR_UNSUPPORTED) __builtin_trap();
  if ((detected == RINGLM_OK) != (name != nullptr)) __builtin_trap();
  if (size == 0) return 0;

  const char* family = kFamilies[data[0] % (sizeof(kFamilies) / sizeof(kFamilies[0]))];
  const bool add_assistant = (data[0] & 0x80) != 0;
  std::vector<std::string> contents;
  std::vector<const char*> roles;
  for (size_t i = 1; i < size;) {
    const char* role = kRoles[data[i] % (sizeof(kRoles) / sizeof(kRoles[0]))];
    const size_t start = i + 1;
    const void* nul = start < size ? std::memchr(data + start, 0, size - start) : nullptr;
    const size_t end = nul != nullptr ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - data) : size;
    roles.push_back(role);
    contents.emplace_back(reinterpret_cast<const char*>(data) + (start < size ? start : size), end > start ? end - start : 0);
    i = end + 1;
  }
  std::vector<ringlm_chat_message> messages;
  for (size_t i = 0; i < contents.size(); ++i) messages.push_back({roles[i], contents[i].c_str()});

  std::string whole, again, part;
  if (!render(family, messages, messages.size(), add_assistant, &whole)) return 0;
  if (!render(family, messages, messages.size(), add_assistant, &again) || again != whole) __builtin_trap();
  std::string without_cue;
  if (!render(family, messages, messages.size(), false, &without_cue)) __builtin_trap();
  for (size_t k = 0; k <= messages.size(); ++k) {
    if (!render(family, messages, k, false, &part)) __builtin_trap();  // a prefix of a valid conversation is valid
    if (without_cue.compare(0, part.size(), part) != 0) __builtin_trap();
  }
  if (whole.compare(0, without_cue.size(), without_cue) != 0) __builtin_trap();
  return 0;
}
