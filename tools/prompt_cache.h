// `ringlm run --prompt-cache FILE`: a session snapshot taken right after the prompt was prefilled,
// with the prompt's tokens in front of it so a later run knows which prefix it covers.
// File layout (little-endian host order, as the snapshot itself): "RLPCACHE", uint32 version 1,
// uint32 reserved 0, uint64 token count, the int32 tokens, then the snapshot bytes to the end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ringlm.h"

namespace ringlm_cli {

// Loads FILE into `session` when its tokens are a prefix of `prompt`: returns how many prompt
// tokens the session now holds (0 when there is no usable cache: no file, another prompt, or a
// snapshot this session cannot take, said on stderr except for a missing file).
size_t load_prompt_cache(const std::string& path, ringlm_session* session, const std::vector<int32_t>& prompt);

// Saves the session (which holds exactly `prompt`) with its tokens; false after saying why.
bool save_prompt_cache(const std::string& path, const ringlm_session* session, const std::vector<int32_t>& prompt);

}  // namespace ringlm_cli
