// The C ABI of chat templates (models/chat/chat_template.h).
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "api/c_api_internal.h"
#include "models/chat/chat_template.h"
#include "ringlm.h"

using ringlm::Status;

namespace {

ringlm_status invalid(const char* message) {
  return ringlm::c_api_report(Status::error(RINGLM_ERR_INVALID_ARGUMENT, "%s", message));
}

}  // namespace

extern "C" {

RINGLM_API const char* ringlm_chat_template_names(void) { return ringlm::chat_family_names(); }

RINGLM_API ringlm_status ringlm_chat_template_detect(const char* template_text, size_t text_len, const char** out_name) {
  if (out_name == nullptr || (template_text == nullptr && text_len > 0)) {
    return invalid("chat_template_detect: null argument");
  }
  *out_name = nullptr;
  ringlm::ChatFamily family{};
  const Status s = ringlm::detect_chat_family(std::string_view(template_text == nullptr ? "" : template_text, text_len), family);
  if (!s.is_ok()) return ringlm::c_api_report(s);
  *out_name = ringlm::chat_family_name(family);
  return RINGLM_OK;
}

RINGLM_API ringlm_status ringlm_model_chat_template(const ringlm_model* model, const char** out_name) {
  if (model == nullptr || out_name == nullptr) return invalid("model_chat_template: null argument");
  *out_name = nullptr;
  const std::string& text = model->impl->chat_template;
  if (text.empty()) {
    return ringlm::c_api_report(Status::error(RINGLM_ERR_UNSUPPORTED,
                                              "the model has no chat template (tokenizer.chat_template); name one of: %s",
                                              ringlm::chat_family_names()));
  }
  return ringlm_chat_template_detect(text.data(), text.size(), out_name);
}

RINGLM_API ringlm_status ringlm_chat_apply_template(const char* template_name, const ringlm_chat_message* messages,
                                                    size_t n_messages, bool add_assistant, char* buf, size_t capacity,
                                                    size_t* written) {
  if (template_name == nullptr || written == nullptr || (messages == nullptr && n_messages > 0) ||
      (buf == nullptr && capacity > 0)) {
    return invalid("chat_apply_template: null argument");
  }
  try {
    ringlm::ChatFamily family{};
    Status s = ringlm::chat_family_by_name(template_name, family);
    if (!s.is_ok()) return ringlm::c_api_report(s);
    std::vector<ringlm::ChatMessage> list(n_messages);
    for (size_t i = 0; i < n_messages; ++i) {
      if (messages[i].role == nullptr || messages[i].content == nullptr) {
        return invalid("chat_apply_template: a message's role or content is null");
      }
      list[i] = {messages[i].role, messages[i].content};
    }
    std::string text;
    s = ringlm::render_chat(family, ringlm::Span<const ringlm::ChatMessage>(list.data(), list.size()), add_assistant, text);
    if (!s.is_ok()) return ringlm::c_api_report(s);
    *written = text.size();
    if (text.size() > capacity) {
      return ringlm::c_api_report(Status::error(RINGLM_ERR_BUFFER_TOO_SMALL, "output buffer too small"));
    }
    if (!text.empty()) std::memcpy(buf, text.data(), text.size());
    return RINGLM_OK;
  } catch (const std::bad_alloc&) {
    return ringlm::c_api_report(Status::error(RINGLM_ERR_OUT_OF_MEMORY, "out of memory"));
  }
}

}  // extern "C"
