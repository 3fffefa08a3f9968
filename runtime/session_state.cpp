// Session snapshots: the header of runtime/session_state_format.h, then the state segments.
// Saving writes the live state; loading checks the whole snapshot against this session first
// (runtime/session_state_check.h), so a refused snapshot leaves the session as it was.
#include <cstring>

#include "platform/atomic_file.h"
#include "platform/mapped_file.h"
#include "runtime/session.h"
#include "runtime/session_state_check.h"

namespace ringlm {

namespace {

struct ConstSegment {
  const void* data;
  size_t bytes;
};

}  // namespace

SnapshotTarget Session::snapshot_target() const {
  const ModelConfig& mc = model_->model_config();
  const KvCache::Shape& shape = cache_.shape();
  SnapshotTarget t;
  SnapshotHeader& h = t.header;
  std::memset(&h, 0, sizeof(h));
  std::memcpy(h.magic, kSnapshotMagic, 4);
  h.version = kSnapshotVersion;
  h.n_layer = static_cast<uint32_t>(mc.n_layer);
  h.n_head_kv = static_cast<uint32_t>(mc.n_head_kv);
  h.head_dim = static_cast<uint32_t>(mc.head_dim);
  h.n_vocab = static_cast<uint32_t>(mc.n_vocab);
  h.n_embd = static_cast<uint32_t>(mc.n_embd);
  h.kv_type = static_cast<uint32_t>(shape.type);
  h.n_sinks = shape.n_sinks;
  h.n_window = shape.n_window;
  h.recompute = config_.recompute ? 1 : 0;
  h.n_ctx = config_.n_ctx;
  h.streaming = config_.streaming ? 1 : 0;
  h.n_past = n_past_;
  h.last_token = last_token_;
  h.has_logits = logits() != nullptr ? 1 : 0;
  h.rng_state = sampler_.rng_state();
  h.weights_fingerprint = model_->weights_fingerprint();
  t.shape = shape;
  t.logits_bytes = static_cast<size_t>(mc.n_vocab) * sizeof(float);
  KvCache::ConstRegion regions[5];
  const size_t n = cache_.regions(regions);
  t.kv_bytes = regions[0].bytes;
  t.scale_bytes = n == 5 ? regions[2].bytes : 0;
  t.positions_bytes = regions[n - 1].bytes;
  t.history_bytes = config_.recompute ? config_.n_ctx * sizeof(int32_t) : 0;
  h.payload_bytes = t.payload_bytes();
  return t;
}

size_t Session::state_size() const { return sizeof(SnapshotHeader) + snapshot_target().payload_bytes(); }

namespace {

// The saved state in payload order (sizes from `t`); `slots` is where the slot count is read from.
size_t saved_segments(const Session& s, const SnapshotTarget& t, const float* logits, const uint32_t* slots,
                      const int32_t* history, ConstSegment out[8]) {
  size_t n = 0;
  out[n++] = ConstSegment{logits, t.logits_bytes};
  out[n++] = ConstSegment{slots, sizeof(uint32_t)};
  KvCache::ConstRegion regions[5];
  const size_t nr = s.cache().regions(regions);
  for (size_t i = 0; i < nr; ++i) out[n++] = ConstSegment{regions[i].data, regions[i].bytes};
  if (t.history_bytes > 0) out[n++] = ConstSegment{history, t.history_bytes};
  return n;
}

}  // namespace

Status Session::save_state(void* buf, size_t capacity, size_t* written) const {
  const SnapshotTarget t = snapshot_target();
  const size_t total = sizeof(SnapshotHeader) + t.payload_bytes();
  *written = total;
  RINGLM_CHECK(buf != nullptr && capacity >= total, RINGLM_ERR_BUFFER_TOO_SMALL,
               "snapshot needs %zu bytes, buffer has %zu", total, capacity);
  uint8_t* p = static_cast<uint8_t*>(buf);
  std::memcpy(p, &t.header, sizeof(SnapshotHeader));
  p += sizeof(SnapshotHeader);
  const uint32_t slots = cache_.slots_in_use();
  ConstSegment seg[8];
  const size_t n = saved_segments(*this, t, logits() != nullptr ? logits() : logits_row(0), &slots, history_, seg);
  for (size_t i = 0; i < n; ++i) {
    std::memcpy(p, seg[i].data, seg[i].bytes);
    p += seg[i].bytes;
  }
  return Status::ok();
}

Status Session::load_state(const void* buf, size_t size) {
  RINGLM_CHECK(buf != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "snapshot buffer is null");
  const uint8_t* bytes = static_cast<const uint8_t*>(buf);
  RINGLM_CHECK(size >= 8, RINGLM_ERR_TRUNCATED, "snapshot of %zu bytes is shorter than its header", size);
  SnapshotHeader got;
  std::memset(&got, 0, sizeof(got));
  std::memcpy(&got, bytes, size < sizeof(got) ? size : sizeof(got));
  const SnapshotTarget target = snapshot_target();
  if (size < sizeof(SnapshotHeader)) {  // say what a short header is: not a snapshot, an old version, or cut off
    RINGLM_CHECK(std::memcmp(got.magic, kSnapshotMagic, 4) == 0, RINGLM_ERR_BAD_FORMAT,
                 "not a ringlm session snapshot (bad magic)");
    RINGLM_CHECK(got.version == kSnapshotVersion, RINGLM_ERR_UNSUPPORTED,
                 "snapshot version %u, this build reads version %u", static_cast<unsigned>(got.version),
                 static_cast<unsigned>(kSnapshotVersion));
    return Status::error(RINGLM_ERR_TRUNCATED, "snapshot of %zu bytes is shorter than its header", size);
  }
  const uint8_t* payload = bytes + sizeof(SnapshotHeader);
  RINGLM_TRY(check_snapshot(got, payload, size - sizeof(SnapshotHeader), target));

  // Checked: copy every segment into the session.
  std::memcpy(model_->logits(forward_), payload, target.logits_bytes);  // row 0
  payload += target.logits_bytes;
  uint32_t slots = 0;
  std::memcpy(&slots, payload, sizeof(slots));
  payload += sizeof(slots);
  KvCache::Region regions[5];
  const size_t nr = cache_.regions(regions);
  for (size_t i = 0; i < nr; ++i) {
    std::memcpy(regions[i].data, payload, regions[i].bytes);
    payload += regions[i].bytes;
  }
  cache_.set_slots_in_use(slots);
  if (target.history_bytes > 0) std::memcpy(history_, payload, target.history_bytes);
  n_past_ = got.n_past;
  last_token_ = got.last_token;
  last_batch_ = got.has_logits ? 1 : 0;  // the saved logits sit in row 0
  sampler_.set_rng_state(got.rng_state);
  return Status::ok();
}

Status Session::save_state_file(const char* path) const {
  RINGLM_CHECK(path != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "snapshot path is null");
  AtomicFile file;  // a failed save leaves the previous snapshot at `path` as it was
  RINGLM_TRY(file.open(path));
  const SnapshotTarget t = snapshot_target();
  RINGLM_TRY(file.write(&t.header, sizeof(SnapshotHeader)));
  const uint32_t slots = cache_.slots_in_use();
  ConstSegment seg[8];
  const size_t n = saved_segments(*this, t, logits() != nullptr ? logits() : logits_row(0), &slots, history_, seg);
  for (size_t i = 0; i < n; ++i) RINGLM_TRY(file.write(seg[i].data, seg[i].bytes));
  return file.commit();
}

Status Session::load_state_file(const char* path) {
  RINGLM_CHECK(path != nullptr, RINGLM_ERR_INVALID_ARGUMENT, "snapshot path is null");
  // Read into private pages (not mapped): a file changed by another process while it loads cannot
  // slip past the checks.
  Result<MappedFile> file = MappedFile::open(path, LoadMode::kRead);
  if (!file.is_ok()) return file.status();
  const Span<const uint8_t> bytes = file.value().bytes();
  Status st = load_state(bytes.data(), bytes.size());
  if (!st.is_ok()) return Status::error(st.code(), "snapshot '%s': %s", path, st.message());
  return st;
}

Status Session::copy_state_from(const Session& other) {
  RINGLM_CHECK(other.model_ == model_, RINGLM_ERR_INVALID_ARGUMENT, "sessions belong to different models");
  const SnapshotTarget from = other.snapshot_target();
  RINGLM_TRY(check_snapshot_header(from.header, snapshot_target()));
  std::memcpy(model_->logits(forward_), other.logits() != nullptr ? other.logits() : other.logits_row(0), from.logits_bytes);
  KvCache::ConstRegion src[5];
  KvCache::Region dst[5];
  const size_t nr = other.cache_.regions(src);
  cache_.regions(dst);
  for (size_t i = 0; i < nr; ++i) std::memcpy(dst[i].data, src[i].data, src[i].bytes);
  cache_.set_slots_in_use(other.cache_.slots_in_use());
  if (from.history_bytes > 0) std::memcpy(history_, other.history_, from.history_bytes);
  n_past_ = other.n_past_;
  last_token_ = other.last_token_;
  last_batch_ = other.last_batch_ > 0 ? 1 : 0;
  sampler_.set_rng_state(other.sampler_.rng_state());
  return Status::ok();
}

}  // namespace ringlm
