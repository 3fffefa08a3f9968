// Session snapshots: a fixed header that identifies model and cache layout, then the raw state
// segments (logits, slot count, K, V, scales, positions, history). Little-endian host layout:
// snapshots move between sessions and processes on the same kind of machine, not across ABIs.
//
// Loading validates everything (magic, version, model shape, cache layout, total size) before it
// writes a byte, so a bad snapshot leaves the session as it was.
#include <cerrno>
#include <cinttypes>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/regular_file.h"
#include "runtime/session.h"

#ifndef O_CLOEXEC
#define O_CLOEXEC 0  // C libraries without exec (newlib): no descriptor to keep from a child
#endif

namespace ringlm {

namespace {

constexpr char kMagic[4] = {'R', 'L', 'M', 'S'};
constexpr uint32_t kVersion = 1;

struct StateHeader {
  char magic[4];
  uint32_t version;
  uint32_t n_layer, n_head_kv, head_dim, n_vocab, n_embd;
  uint32_t kv_type, n_sinks, n_window, recompute, n_ctx;
  int64_t n_past;
  int32_t last_token;
  uint32_t has_logits;
  uint64_t rng_state;
  uint64_t payload_bytes;
};

bool write_all(int fd, const void* data, size_t bytes) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  while (bytes > 0) {
    const ssize_t n = ::write(fd, p, bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<size_t>(n);
  }
  return true;
}

bool read_all(int fd, void* data, size_t bytes) {
  uint8_t* p = static_cast<uint8_t*>(data);
  while (bytes > 0) {
    const ssize_t n = ::read(fd, p, bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

size_t Session::state_segments(StateSegment* out, bool loading) const {
  auto* self = const_cast<Session*>(this);  // segments are written through only by load paths
  // Saved: the current logits (the last row of the last call); loaded: into row 0.
  const float* logits_src = (!loading && last_batch_ > 0) ? logits() : logits_row(0);
  size_t n = 0;
  out[n++] = StateSegment{const_cast<float*>(logits_src), static_cast<size_t>(model_->model_config().n_vocab) * sizeof(float)};
  out[n++] = StateSegment{&self->cache_.slots_in_use_ref(), sizeof(uint32_t)};
  KvCache::Region regions[5];
  const size_t nr = self->cache_.regions(regions);
  for (size_t i = 0; i < nr; ++i) out[n++] = StateSegment{regions[i].data, regions[i].bytes};
  if (config_.recompute) out[n++] = StateSegment{history_, config_.n_ctx * sizeof(int32_t)};
  return n;
}

size_t Session::state_size() const {
  StateSegment seg[8];
  const size_t n = state_segments(seg, false);
  size_t total = sizeof(StateHeader);
  for (size_t i = 0; i < n; ++i) total += seg[i].bytes;
  return total;
}

namespace {

StateHeader make_header(const Session& s, size_t payload, uint64_t rng) {
  const ModelConfig& mc = s.model().model_config();
  const KvCache::Shape& shape = s.cache().shape();
  StateHeader h;
  std::memset(&h, 0, sizeof(h));
  std::memcpy(h.magic, kMagic, 4);
  h.version = kVersion;
  h.n_layer = static_cast<uint32_t>(mc.n_layer);
  h.n_head_kv = static_cast<uint32_t>(mc.n_head_kv);
  h.head_dim = static_cast<uint32_t>(mc.head_dim);
  h.n_vocab = static_cast<uint32_t>(mc.n_vocab);
  h.n_embd = static_cast<uint32_t>(mc.n_embd);
  h.kv_type = static_cast<uint32_t>(shape.type);
  h.n_sinks = shape.n_sinks;
  h.n_window = shape.n_window;
  h.recompute = s.config().recompute ? 1 : 0;
  h.n_ctx = s.config().n_ctx;
  h.n_past = s.n_past();
  h.last_token = s.last_token();
  h.has_logits = s.logits() != nullptr ? 1 : 0;
  h.rng_state = rng;
  h.payload_bytes = payload;
  return h;
}

// Checks a snapshot header against the session that would load it.
Status check_header(const StateHeader& got, const StateHeader& want) {
  RINGLM_CHECK(std::memcmp(got.magic, kMagic, 4) == 0, RINGLM_ERR_BAD_FORMAT, "not a ringlm session snapshot (bad magic)");
  RINGLM_CHECK(got.version == kVersion, RINGLM_ERR_UNSUPPORTED,
               "snapshot version %" PRIu32 ", this build reads version %" PRIu32, got.version, kVersion);
  RINGLM_CHECK(got.n_layer == want.n_layer && got.n_head_kv == want.n_head_kv && got.head_dim == want.head_dim &&
                   got.n_vocab == want.n_vocab && got.n_embd == want.n_embd,
               RINGLM_ERR_INVALID_ARGUMENT,
               "snapshot is from another model (layers %" PRIu32 ", kv heads %" PRIu32 ", head dim %" PRIu32
               ", vocab %" PRIu32 ", embd %" PRIu32 ")",
               got.n_layer, got.n_head_kv, got.head_dim, got.n_vocab, got.n_embd);
  RINGLM_CHECK(got.kv_type == want.kv_type && got.n_sinks == want.n_sinks && got.n_window == want.n_window &&
                   got.recompute == want.recompute && got.n_ctx == want.n_ctx,
               RINGLM_ERR_INVALID_ARGUMENT,
               "snapshot cache layout differs (kv type %" PRIu32 ", %" PRIu32 " sinks + %" PRIu32 " window, n_ctx %" PRIu32
               ") from this session's (kv type %" PRIu32 ", %" PRIu32 " + %" PRIu32 ", n_ctx %" PRIu32 ")",
               got.kv_type, got.n_sinks, got.n_window, got.n_ctx, want.kv_type, want.n_sinks, want.n_window, want.n_ctx);
  RINGLM_CHECK(got.payload_bytes == want.payload_bytes, RINGLM_ERR_BAD_FORMAT,
               "snapshot payload is %llu bytes, expected %llu", static_cast<unsigned long long>(got.payload_bytes),
               static_cast<unsigned long long>(want.payload_bytes));
  RINGLM_CHECK(got.n_past >= 0 && (got.last_token >= -1 && got.last_token < static_cast<int32_t>(got.n_vocab)),
               RINGLM_ERR_BAD_FORMAT, "snapshot has an invalid position or token");
  return Status::ok();
}

}  // namespace

Status Session::save_state(void* buf, size_t capacity, size_t* written) const {
  const size_t total = state_size();
  *written = total;
  RINGLM_CHECK(buf != nullptr && capacity >= total, RINGLM_ERR_BUFFER_TOO_SMALL,
               "snapshot needs %zu bytes, buffer has %zu", total, capacity);
  StateHeader h = make_header(*this, total - sizeof(StateHeader), sampler_.rng_state());
  uint8_t* p = static_cast<uint8_t*>(buf);
  std::memcpy(p, &h, sizeof(h));
  p += sizeof(h);
  StateSegment seg[8];
  const size_t n = state_segments(seg, false);
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(p, seg[i].data, seg[i].bytes);
    p += seg[i].bytes;
  }
  return Status::ok();
}

Status Session::load_state(const void* buf, size_t size) {
  RINGLM_CHECK(buf != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "snapshot buffer is null");
  RINGLM_CHECK(size >= sizeof(StateHeader), RINGLM_ERR_TRUNCATED, "snapshot of %zu bytes is shorter than its header",
               size);
  StateHeader got;
  std::memcpy(&got, buf, sizeof(got));
  const size_t total = state_size();
  RINGLM_TRY(check_header(got, make_header(*this, total - sizeof(StateHeader), 0)));
  RINGLM_CHECK(size >= total, RINGLM_ERR_TRUNCATED, "snapshot is %zu bytes, expected %zu", size, total);
  RINGLM_CHECK(size == total, RINGLM_ERR_BAD_FORMAT, "snapshot has %zu trailing bytes", size - total);
  const uint8_t* p = static_cast<const uint8_t*>(buf) + sizeof(StateHeader);
  StateSegment seg[8];
  const size_t n = state_segments(seg, true);
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(seg[i].data, p, seg[i].bytes);
    p += seg[i].bytes;
  }
  n_past_ = got.n_past;
  last_token_ = got.last_token;
  last_batch_ = got.has_logits ? 1 : 0;  // the saved logits sit in row 0
  sampler_.set_rng_state(got.rng_state);
  return Status::ok();
}

Status Session::save_state_file(const char* path) const {
  RINGLM_CHECK(path != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "snapshot path is null");
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  RINGLM_CHECK(fd >= 0, RINGLM_ERR_IO, "cannot create '%s': %s", path, std::strerror(errno));
  const size_t total = state_size();
  StateHeader h = make_header(*this, total - sizeof(StateHeader), sampler_.rng_state());
  bool ok = write_all(fd, &h, sizeof(h));
  StateSegment seg[8];
  const size_t n = state_segments(seg, false);
  for (size_t i = 0; i < n && ok; ++i) ok = write_all(fd, seg[i].data, seg[i].bytes);
  ok = (::close(fd) == 0) && ok;
  RINGLM_CHECK(ok, RINGLM_ERR_IO, "writing snapshot '%s' failed", path);
  return Status::ok();
}

Status Session::load_state_file(const char* path) {
  RINGLM_CHECK(path != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "snapshot path is null");
  Result<RegularFile> file = open_regular_file(path);  // a FIFO or device is refused, not waited on
  if (!file.is_ok()) return file.status();
  const int fd = file.value().fd;
  const uint64_t file_size = file.value().size;
  StateHeader got;
  const size_t total = state_size();
  Status result = Status::ok();
  if (!read_all(fd, &got, sizeof(got))) {
    result = Status::error(RINGLM_ERR_TRUNCATED, "snapshot '%s' is shorter than its header", path);
  } else {
    result = check_header(got, make_header(*this, total - sizeof(StateHeader), 0));
    if (result.is_ok() && file_size != total) {
      result = Status::error(file_size < total ? RINGLM_ERR_TRUNCATED : RINGLM_ERR_BAD_FORMAT,
                             "snapshot '%s' is %llu bytes, expected %zu", path,
                             static_cast<unsigned long long>(file_size), total);
    }
  }
  if (result.is_ok()) {
    // Validated: now stream the segments straight into the arena (no intermediate buffer).
    StateSegment seg[8];
    const size_t n = state_segments(seg, true);
    bool ok = true;
    for (size_t i = 0; i < n && ok; ++i) ok = read_all(fd, seg[i].data, seg[i].bytes);
    if (ok) {
      n_past_ = got.n_past;
      last_token_ = got.last_token;
      last_batch_ = got.has_logits ? 1 : 0;
      sampler_.set_rng_state(got.rng_state);
    } else {
      reset();  // a read failed half-way: leave an empty, consistent session
      result = Status::error(RINGLM_ERR_IO, "reading snapshot '%s' failed; the session was reset", path);
    }
  }
  ::close(fd);
  return result;
}

Status Session::copy_state_from(const Session& other) {
  RINGLM_CHECK(other.model_ == model_, RINGLM_ERR_INVALID_ARGUMENT, "sessions belong to different models");
  RINGLM_TRY(check_header(make_header(other, other.state_size() - sizeof(StateHeader), 0),
                          make_header(*this, state_size() - sizeof(StateHeader), 0)));
  StateSegment from[8], to[8];
  const size_t n = other.state_segments(from, false);
  state_segments(to, true);
  for (size_t i = 0; i < n; ++i) std::memcpy(to[i].data, from[i].data, from[i].bytes);
  n_past_ = other.n_past_;
  last_token_ = other.last_token_;
  last_batch_ = other.last_batch_ > 0 ? 1 : 0;
  sampler_.set_rng_state(other.sampler_.rng_state());
  return Status::ok();
}

}  // namespace ringlm
