#include "prompt_cache.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>

#include "devtools/devtools.h"

namespace ringlm_cli {

namespace {

constexpr char kMagic[8] = {'R', 'L', 'P', 'C', 'A', 'C', 'H', 'E'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeader = sizeof(kMagic) + 2 * sizeof(uint32_t) + sizeof(uint64_t);

}  // namespace

size_t load_prompt_cache(const std::string& path, ringlm_session* session, const std::vector<int32_t>& prompt) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;  // the first run: nothing cached yet
  std::string bytes;
  const ringlm_devtools::Error e = ringlm_devtools::read_file(path, &bytes);
  if (!e.ok()) {
    std::fprintf(stderr, "ringlm run: prompt cache not used: %s\n", e.message.c_str());
    return 0;
  }
  uint32_t version = 0;
  uint64_t n = 0;
  if (bytes.size() < kHeader || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    std::fprintf(stderr, "ringlm run: prompt cache not used: '%s' is not a ringlm prompt cache\n", path.c_str());
    return 0;
  }
  std::memcpy(&version, bytes.data() + sizeof(kMagic), sizeof(version));
  std::memcpy(&n, bytes.data() + sizeof(kMagic) + 2 * sizeof(uint32_t), sizeof(n));
  if (version != kVersion || n > (bytes.size() - kHeader) / sizeof(int32_t)) {
    std::fprintf(stderr, "ringlm run: prompt cache not used: '%s' has version %u or is cut short\n", path.c_str(),
                 version);
    return 0;
  }
  if (n == 0 || n > prompt.size() || std::memcmp(bytes.data() + kHeader, prompt.data(), n * sizeof(int32_t)) != 0) {
    std::fprintf(stderr, "ringlm run: prompt cache not used: the prompt does not start with its %llu tokens\n",
                 static_cast<unsigned long long>(n));
    return 0;
  }
  const size_t offset = kHeader + n * sizeof(int32_t);
  const ringlm_status s = ringlm_session_state_load(session, bytes.data() + offset, bytes.size() - offset);
  if (s != RINGLM_OK) {
    std::fprintf(stderr, "ringlm run: prompt cache not used: %s\n", ringlm_last_error_message());
    ringlm_session_reset(session);
    return 0;
  }
  return n;
}

bool save_prompt_cache(const std::string& path, const ringlm_session* session, const std::vector<int32_t>& prompt) {
  size_t state = 0;
  ringlm_status s = ringlm_session_state_size(session, &state);
  const size_t offset = kHeader + prompt.size() * sizeof(int32_t);
  std::string bytes(offset + state, '\0');
  const uint64_t n = prompt.size();
  std::memcpy(&bytes[0], kMagic, sizeof(kMagic));
  std::memcpy(&bytes[sizeof(kMagic)], &kVersion, sizeof(kVersion));
  std::memcpy(&bytes[sizeof(kMagic) + 2 * sizeof(uint32_t)], &n, sizeof(n));
  if (!prompt.empty()) std::memcpy(&bytes[kHeader], prompt.data(), prompt.size() * sizeof(int32_t));
  size_t written = 0;
  if (s == RINGLM_OK) s = ringlm_session_state_save(session, &bytes[offset], state, &written);
  if (s != RINGLM_OK) {
    std::fprintf(stderr, "ringlm run: cannot save the prompt cache: %s\n", ringlm_last_error_message());
    return false;
  }
  bytes.resize(offset + written);
  const ringlm_devtools::Error e = ringlm_devtools::write_file(path, bytes);
  if (!e.ok()) std::fprintf(stderr, "ringlm run: cannot save the prompt cache: %s\n", e.message.c_str());
  return e.ok();
}

}  // namespace ringlm_cli
