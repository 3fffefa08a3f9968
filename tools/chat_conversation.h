// The state of `ringlm chat`: the conversation, the session that holds its tokens, and the text
// those tokens stand for, so that each turn prefills only what the session does not hold yet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ringlm.h"

namespace ringlm_cli {

struct ChatMessageText {
  std::string role, content;
};

class ChatConversation {
 public:
  ChatConversation(ringlm_model* model, ringlm_session* session, std::string template_name, std::string system);

  // The whole conversation plus `user` and the assistant's cue, rendered with the template.
  bool render_with(const std::string& user, std::string* text) const;
  // The tokens to prefill for `text`: its part beyond what the session holds when the held text
  // is a prefix of it, else (after a session reset) all of it. *reused = bytes kept.
  bool tokens_for(const std::string& text, std::vector<int32_t>* tokens, size_t* reused);

  // After a reply: `prompt` and `reply` are in the session now (exactly: `held_ok` false when
  // a stop left the session holding something else, and the next turn starts over).
  void record_turn(const std::string& user, const std::string& prompt, const std::string& reply, bool held_ok);

  // Forget every turn (the system prompt stays) and the session's tokens.
  bool reset();
  // The session's snapshot to `path` and the conversation to `path`.chat; the reverse.
  // False with the reason in *why.
  bool save(const std::string& path, std::string* why) const;
  bool load(const std::string& path, std::string* why);

  ringlm_session* session() const { return session_; }
  size_t n_turns() const { return messages_.size(); }

 private:
  ringlm_model* model_;
  ringlm_session* session_;
  std::string template_name_;
  std::vector<ChatMessageText> messages_;  // the system message (if any) first
  std::string held_;                       // the text the session's tokens stand for
};

}  // namespace ringlm_cli
