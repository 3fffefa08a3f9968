// The C++ objects behind the C handles, for ringlm's own tools (the CLI) — not part of the ABI.
#pragma once

#include <memory>

#include "models/model.h"
#include "ringlm.h"
#include "runtime/session.h"

struct ringlm_model {
  std::unique_ptr<ringlm::Model> impl;
};

namespace ringlm {

inline const Model& model_of(const ringlm_model* m) { return *m->impl; }
// Sets the thread's last error message from `s` and returns its code (c_api.cpp).
ringlm_status c_api_report(const Status& s);

inline Session& session_of(ringlm_session* s) { return *reinterpret_cast<Session*>(s); }

}  // namespace ringlm
