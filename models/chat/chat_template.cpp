#include "models/chat/chat_template.h"

#include <cstddef>

namespace ringlm {
namespace {

struct FamilyName {
  ChatFamily family;
  const char* name;
};
constexpr FamilyName kFamilies[] = {
    {ChatFamily::kChatml, "chatml"}, {ChatFamily::kLlama2, "llama2"}, {ChatFamily::kLlama3, "llama3"},
    {ChatFamily::kMistral, "mistral"}, {ChatFamily::kPhi3, "phi3"},  {ChatFamily::kZephyr, "zephyr"},
    {ChatFamily::kGemma, "gemma"},
};

bool contains(std::string_view text, std::string_view marker) { return text.find(marker) != std::string_view::npos; }

// Jinja's trim/strip: whitespace off both ends.
std::string_view trim(std::string_view s) {
  const char* ws = " \t\n\r\f\v";
  const size_t begin = s.find_first_not_of(ws);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(ws) - begin + 1);
}

int clip(std::string_view s) { return static_cast<int>(s.size() > 64 ? 64 : s.size()); }

// A role this code knows, or an error naming it.
Status check_roles(Span<const ChatMessage> messages, bool system_first_only) {
  for (size_t i = 0; i < messages.size(); ++i) {
    const std::string_view role = messages[i].role;
    RINGLM_CHECK(role == "system" || role == "user" || role == "assistant", RINGLM_ERR_INVALID_ARGUMENT,
                 "chat message %zu has role '%.*s'; the roles are system, user and assistant", i, clip(role),
                 role.data());
    RINGLM_CHECK(!(system_first_only && role == "system" && i != 0), RINGLM_ERR_INVALID_ARGUMENT,
                 "chat message %zu is a system message; this template takes one only as the first message", i);
  }
  return Status::ok();
}

// "<open>role<sep>content<close>" per message, then "<open>assistant<sep>" (chatml, phi3, zephyr, llama3).
struct Framing {
  std::string_view open, sep, close;
  bool trim_content;
};
void render_framed(const Framing& f, Span<const ChatMessage> messages, bool add_assistant, std::string& out) {
  for (const ChatMessage& m : messages) {
    out.append(f.open).append(m.role).append(f.sep);
    out.append(f.trim_content ? trim(m.content) : m.content).append(f.close);
  }
  if (add_assistant) out.append(f.open).append("assistant").append(f.sep);
}

// A leading system message: its text, and the messages after it.
std::string_view split_system(Span<const ChatMessage>& messages) {
  if (messages.size() == 0 || messages[0].role != "system") return {};
  const std::string_view system = messages[0].content;
  messages = messages.subspan(1, messages.size() - 1);
  return system;
}

// Llama 2 chat: the system prompt in <<SYS>> inside the first [INST]; a reply ends with EOS and the
// next instruction starts with BOS. The closing [/INST] is already the assistant's cue.
void render_llama2(Span<const ChatMessage> messages, std::string& out) {
  const std::string_view system = split_system(messages);
  bool first_user = true;
  for (const ChatMessage& m : messages) {
    if (m.role == "user") {
      if (!out.empty()) out.append("<s>");
      out.append("[INST] ");
      if (first_user && !system.empty()) out.append("<<SYS>>\n").append(trim(system)).append("\n<</SYS>>\n\n");
      out.append(trim(m.content)).append(" [/INST]");
      first_user = false;
    } else {
      out.append(" ").append(trim(m.content)).append(" </s>");
    }
  }
}

// Mistral instruct: no system role, so the system text leads the first user turn.
void render_mistral(Span<const ChatMessage> messages, std::string& out) {
  const std::string_view system = split_system(messages);
  bool first_user = true;
  for (const ChatMessage& m : messages) {
    if (m.role == "user") {
      out.append("[INST] ");
      if (first_user && !system.empty()) out.append(system).append("\n\n");
      out.append(m.content).append(" [/INST]");
      first_user = false;
    } else {
      out.append(m.content).append("</s>");
    }
  }
}

// Gemma: user and model turns only; the system text leads the first user turn.
void render_gemma(Span<const ChatMessage> messages, bool add_assistant, std::string& out) {
  const std::string_view system = split_system(messages);
  bool first_user = true;
  for (const ChatMessage& m : messages) {
    const bool user = m.role == "user";
    out.append("<start_of_turn>").append(user ? "user" : "model").append("\n");
    if (user && first_user && !system.empty()) out.append(trim(system)).append("\n\n");
    if (user) first_user = false;
    out.append(trim(m.content)).append("<end_of_turn>\n");
  }
  if (add_assistant) out.append("<start_of_turn>model\n");
}

}  // namespace

const char* chat_family_name(ChatFamily family) {
  for (const FamilyName& f : kFamilies) {
    if (f.family == family) return f.name;
  }
  return "unknown";
}

const char* chat_family_names() { return "chatml, llama2, llama3, mistral, phi3, zephyr, gemma"; }

Status chat_family_by_name(std::string_view name, ChatFamily& out) {
  for (const FamilyName& f : kFamilies) {
    if (name == f.name) {
      out = f.family;
      return Status::ok();
    }
  }
  if (name == "qwen2") {
    out = ChatFamily::kChatml;
    return Status::ok();
  }
  return Status::error(RINGLM_ERR_INVALID_ARGUMENT, "unknown chat template '%.*s' (known: %s)", clip(name), name.data(),
                       chat_family_names());
}

Status detect_chat_family(std::string_view t, ChatFamily& out) {
  // Most specific markers first: phi3 and zephyr share <|user|>, llama2 and mistral share [INST].
  if (contains(t, "<|im_start|>")) {
    out = ChatFamily::kChatml;
  } else if (contains(t, "<|start_header_id|>") && contains(t, "<|end_header_id|>")) {
    out = ChatFamily::kLlama3;
  } else if (contains(t, "<start_of_turn>")) {
    out = ChatFamily::kGemma;
  } else if (contains(t, "<|user|>") && contains(t, "<|end|>")) {
    out = ChatFamily::kPhi3;
  } else if (contains(t, "<|user|>") && (contains(t, "eos_token") || contains(t, "</s>"))) {
    out = ChatFamily::kZephyr;
  } else if (contains(t, "[INST]") && contains(t, "<<SYS>>")) {
    out = ChatFamily::kLlama2;
  } else if (contains(t, "[INST]")) {
    out = ChatFamily::kMistral;
  } else {
    return Status::error(RINGLM_ERR_UNSUPPORTED,
                         "the model's chat template is not one ringlm recognises (known: %s); name one to use",
                         chat_family_names());
  }
  return Status::ok();
}

Status render_chat(ChatFamily family, Span<const ChatMessage> messages, bool add_assistant, std::string& out) {
  out.clear();
  const bool folds_system = family == ChatFamily::kLlama2 || family == ChatFamily::kMistral || family == ChatFamily::kGemma;
  RINGLM_TRY(check_roles(messages, folds_system));
  switch (family) {
    case ChatFamily::kChatml:
      render_framed({"<|im_start|>", "\n", "<|im_end|>\n", false}, messages, add_assistant, out);
      break;
    case ChatFamily::kLlama3:
      render_framed({"<|start_header_id|>", "<|end_header_id|>\n\n", "<|eot_id|>", true}, messages, add_assistant, out);
      break;
    case ChatFamily::kPhi3:
      render_framed({"<|", "|>\n", "<|end|>\n", false}, messages, add_assistant, out);
      break;
    case ChatFamily::kZephyr:
      render_framed({"<|", "|>\n", "</s>\n", false}, messages, add_assistant, out);
      break;
    case ChatFamily::kLlama2:
      render_llama2(messages, out);
      break;
    case ChatFamily::kMistral:
      render_mistral(messages, out);
      break;
    case ChatFamily::kGemma:
      render_gemma(messages, add_assistant, out);
      break;
  }
  return Status::ok();
}

}  // namespace ringlm
