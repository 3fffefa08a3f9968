#include "chat_conversation.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "model_io.h"

namespace ringlm_cli {

namespace {

// The conversation file beside a snapshot: "held <bytes>\n<text>\n", then "<role> <bytes>\n<content>\n"
// per message.
void write_record(std::FILE* f, const std::string& tag, const std::string& text) {
  std::fprintf(f, "%s %zu\n", tag.c_str(), text.size());
  std::fwrite(text.data(), 1, text.size(), f);
  std::fputc('\n', f);
}

bool read_record(std::FILE* f, std::string* tag, std::string* text) {
  char name[32];
  size_t n = 0;
  if (std::fscanf(f, "%31s %zu", name, &n) != 2 || std::fgetc(f) != '\n') return false;
  if (n > (static_cast<size_t>(1) << 30)) return false;
  text->assign(n, '\0');
  if (n > 0 && std::fread(&(*text)[0], 1, n, f) != n) return false;
  *tag = name;
  return std::fgetc(f) == '\n';
}

}  // namespace

ChatConversation::ChatConversation(ringlm_model* model, ringlm_session* session, std::string template_name,
                                   std::string system)
    : model_(model), session_(session), template_name_(std::move(template_name)) {
  if (!system.empty()) messages_.push_back({"system", std::move(system)});
}

bool ChatConversation::render_with(const std::string& user, std::string* text) const {
  std::vector<ringlm_chat_message> list;
  for (const ChatMessageText& m : messages_) list.push_back({m.role.c_str(), m.content.c_str()});
  list.push_back({"user", user.c_str()});
  size_t needed = 0;
  ringlm_status st = ringlm_chat_apply_template(template_name_.c_str(), list.data(), list.size(), true, nullptr, 0, &needed);
  if (st != RINGLM_OK && st != RINGLM_ERR_BUFFER_TOO_SMALL) return false;
  text->assign(needed, '\0');
  st = ringlm_chat_apply_template(template_name_.c_str(), list.data(), list.size(), true, needed > 0 ? &(*text)[0] : nullptr,
                                  needed, &needed);
  return st == RINGLM_OK;
}

bool ChatConversation::tokens_for(const std::string& text, std::vector<int32_t>* tokens, size_t* reused) {
  const bool continues = !held_.empty() && ringlm_session_n_past(session_) > 0 && text.compare(0, held_.size(), held_) == 0;
  if (!continues) {
    if (ringlm_session_reset(session_) != RINGLM_OK) return false;
    held_.clear();
    *reused = 0;
    return tokenize_all(model_, text, model_adds_bos(model_), tokens, /*parse_special=*/true);
  }
  *reused = held_.size();
  return tokenize_all(model_, text.substr(held_.size()), false, tokens, /*parse_special=*/true);
}

void ChatConversation::record_turn(const std::string& user, const std::string& prompt, const std::string& reply,
                                   bool held_ok) {
  messages_.push_back({"user", user});
  messages_.push_back({"assistant", reply});
  held_ = held_ok ? prompt + reply : std::string();
}

bool ChatConversation::reset() {
  if (!messages_.empty() && messages_[0].role == "system") {
    messages_.resize(1);
  } else {
    messages_.clear();
  }
  held_.clear();
  return ringlm_session_reset(session_) == RINGLM_OK;
}

bool ChatConversation::save(const std::string& path, std::string* why) const {
  if (ringlm_session_state_save_file(session_, path.c_str()) != RINGLM_OK) {
    *why = ringlm_last_error_message();
    return false;
  }
  const std::string chat_path = path + ".chat";
  std::FILE* f = std::fopen(chat_path.c_str(), "wb");
  if (f == nullptr) {
    *why = "cannot write " + chat_path + ": " + std::strerror(errno);
    return false;
  }
  write_record(f, "held", held_);
  for (const ChatMessageText& m : messages_) write_record(f, m.role, m.content);
  if (std::fclose(f) != 0) {
    *why = "cannot write " + chat_path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool ChatConversation::load(const std::string& path, std::string* why) {
  const std::string chat_path = path + ".chat";
  std::FILE* f = std::fopen(chat_path.c_str(), "rb");
  if (f == nullptr) {
    *why = "cannot read " + chat_path + " (the conversation saved beside the snapshot): " + std::strerror(errno);
    return false;
  }
  std::string tag, held;
  std::vector<ChatMessageText> messages;
  bool ok = read_record(f, &tag, &held) && tag == "held";
  for (ChatMessageText m; ok && read_record(f, &m.role, &m.content);) messages.push_back(m);
  ok = ok && std::feof(f);
  std::fclose(f);
  if (!ok) {
    *why = chat_path + " is not a conversation saved by /save";
    return false;
  }
  if (ringlm_session_state_load_file(session_, path.c_str()) != RINGLM_OK) {
    *why = ringlm_last_error_message();
    return false;
  }
  held_ = std::move(held);
  messages_ = std::move(messages);
  return true;
}

}  // namespace ringlm_cli
