// Chat templates: detect a model's chat format from its GGUF `tokenizer.chat_template` (a Jinja
// text ringlm does not execute) by the markers each family's text carries, and render a
// conversation in that family's format with plain code.
//
// The rendering never starts with the BOS token: the tokenizer adds it (model info add_bos).
// BOS/EOS between turns (llama2's "</s><s>", zephyr's "</s>") are part of the text.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/span.h"

namespace ringlm {

enum class ChatFamily { kChatml, kLlama2, kLlama3, kMistral, kPhi3, kZephyr, kGemma };

struct ChatMessage {
  std::string_view role;  // "system", "user" or "assistant"
  std::string_view content;
};

// The family's stable name ("chatml", "llama2", ...).
const char* chat_family_name(ChatFamily family);
// "chatml, llama2, llama3, mistral, phi3, zephyr, gemma": for messages and help texts.
const char* chat_family_names();
// A family by its name (also "qwen2" for chatml); RINGLM_ERR_INVALID_ARGUMENT naming the known ones.
Status chat_family_by_name(std::string_view name, ChatFamily& out);
// The family whose markers `template_text` carries; RINGLM_ERR_UNSUPPORTED naming the known ones
// when none does (never a guess).
Status detect_chat_family(std::string_view template_text, ChatFamily& out);

// Appends the conversation to `out` (cleared first). add_assistant ends it with the opening of an
// assistant reply. Roles other than system/user/assistant, and a system message anywhere but
// first in families that fold it into the first user turn, are RINGLM_ERR_INVALID_ARGUMENT.
Status render_chat(ChatFamily family, Span<const ChatMessage> messages, bool add_assistant, std::string& out);

}  // namespace ringlm
