#include "runtime/session_state_check.h"

#include <cinttypes>
#include <cmath>
#include <cstring>

namespace ringlm {

namespace {

template <class T>
T read_at(const uint8_t* p, size_t index) {
  T v;
  std::memcpy(&v, p + index * sizeof(T), sizeof(T));
  return v;
}

// A streaming session's positions grow without end; beyond this they would overflow the
// arithmetic on them long before any real session got there.
constexpr int64_t kMaxStreamingPosition = int64_t{1} << 62;

Status check_positions(const uint8_t* positions, uint32_t slots, int64_t n_past, const KvCache::Shape& shape) {
  for (uint32_t s = 0; s < shape.capacity(); ++s) {
    const int64_t p = read_at<int64_t>(positions, s);
    if (p == -1) continue;
    RINGLM_CHECK(s < slots, RINGLM_ERR_BAD_FORMAT,
                 "snapshot slot %" PRIu32 " holds position %lld beyond the %" PRIu32 " slots in use", s,
                 static_cast<long long>(p), slots);
    RINGLM_CHECK(p >= 0 && p < n_past, RINGLM_ERR_BAD_FORMAT,
                 "snapshot slot %" PRIu32 " holds position %lld, outside 0..%lld", s, static_cast<long long>(p),
                 static_cast<long long>(n_past - 1));
    RINGLM_CHECK(shape.slot_for(p) == s, RINGLM_ERR_BAD_FORMAT,
                 "snapshot slot %" PRIu32 " holds position %lld, which belongs in slot %" PRIu32, s,
                 static_cast<long long>(p), shape.slot_for(p));
  }
  return Status::ok();
}

// int8 scales of occupied slots: finite and not negative (|x| max / 127 when stored).
Status check_scales(const uint8_t* scales, const uint8_t* positions, const KvCache::Shape& shape) {
  const size_t heads = static_cast<size_t>(shape.n_head_kv);
  for (int32_t layer = 0; layer < shape.n_layer; ++layer) {
    for (uint32_t s = 0; s < shape.capacity(); ++s) {
      if (read_at<int64_t>(positions, s) < 0) continue;
      for (size_t h = 0; h < heads; ++h) {
        const float v = read_at<float>(scales, (static_cast<size_t>(layer) * shape.capacity() + s) * heads + h);
        RINGLM_CHECK(std::isfinite(v) && v >= 0.0f, RINGLM_ERR_BAD_FORMAT,
                     "snapshot int8 scale of layer %" PRId32 ", slot %" PRIu32 " is %g", layer, s, static_cast<double>(v));
      }
    }
  }
  return Status::ok();
}

}  // namespace

Status check_snapshot_header(const SnapshotHeader& got, const SnapshotTarget& target) {
  const SnapshotHeader& want = target.header;
  RINGLM_CHECK(std::memcmp(got.magic, kSnapshotMagic, 4) == 0, RINGLM_ERR_BAD_FORMAT,
               "not a ringlm session snapshot (bad magic)");
  RINGLM_CHECK(got.version == kSnapshotVersion, RINGLM_ERR_UNSUPPORTED,
               "snapshot version %" PRIu32 ", this build reads version %" PRIu32, got.version, kSnapshotVersion);
  RINGLM_CHECK(got.n_layer == want.n_layer && got.n_head_kv == want.n_head_kv && got.head_dim == want.head_dim &&
                   got.n_vocab == want.n_vocab && got.n_embd == want.n_embd,
               RINGLM_ERR_INVALID_ARGUMENT,
               "snapshot is from another model (layers %" PRIu32 ", kv heads %" PRIu32 ", head dim %" PRIu32
               ", vocab %" PRIu32 ", embd %" PRIu32 ")",
               got.n_layer, got.n_head_kv, got.head_dim, got.n_vocab, got.n_embd);
  RINGLM_CHECK(got.weights_fingerprint == want.weights_fingerprint, RINGLM_ERR_INVALID_ARGUMENT,
               "snapshot was made with other weights of the same shape (fingerprint %016llx, this model's is %016llx)",
               static_cast<unsigned long long>(got.weights_fingerprint),
               static_cast<unsigned long long>(want.weights_fingerprint));
  RINGLM_CHECK(got.kv_type == want.kv_type && got.n_sinks == want.n_sinks && got.n_window == want.n_window &&
                   got.recompute == want.recompute && got.n_ctx == want.n_ctx && got.streaming == want.streaming,
               RINGLM_ERR_INVALID_ARGUMENT,
               "snapshot cache layout differs (kv type %" PRIu32 ", %" PRIu32 " sinks + %" PRIu32 " window, n_ctx %" PRIu32
               "%s%s) from this session's (kv type %" PRIu32 ", %" PRIu32 " + %" PRIu32 ", n_ctx %" PRIu32 "%s%s)",
               got.kv_type, got.n_sinks, got.n_window, got.n_ctx, got.streaming ? ", streaming" : "",
               got.recompute ? ", recompute" : "", want.kv_type, want.n_sinks, want.n_window, want.n_ctx,
               want.streaming ? ", streaming" : "", want.recompute ? ", recompute" : "");
  RINGLM_CHECK(got.payload_bytes == target.payload_bytes(), RINGLM_ERR_BAD_FORMAT,
               "snapshot payload is %llu bytes, expected %zu", static_cast<unsigned long long>(got.payload_bytes),
               target.payload_bytes());
  return Status::ok();
}

Status check_snapshot(const SnapshotHeader& got, const uint8_t* payload, size_t payload_size,
                      const SnapshotTarget& target) {
  RINGLM_TRY(check_snapshot_header(got, target));
  RINGLM_CHECK(payload_size >= target.payload_bytes(), RINGLM_ERR_TRUNCATED, "snapshot is %zu bytes short",
               target.payload_bytes() - payload_size);
  RINGLM_CHECK(payload_size == target.payload_bytes(), RINGLM_ERR_BAD_FORMAT, "snapshot has %zu trailing bytes",
               payload_size - target.payload_bytes());
  const int64_t n_past = got.n_past;
  RINGLM_CHECK(n_past >= 0, RINGLM_ERR_BAD_FORMAT, "snapshot n_past is %lld", static_cast<long long>(n_past));
  if (got.streaming) {
    RINGLM_CHECK(n_past <= kMaxStreamingPosition, RINGLM_ERR_BAD_FORMAT, "snapshot n_past %lld is out of range",
                 static_cast<long long>(n_past));
  } else {
    RINGLM_CHECK(n_past <= static_cast<int64_t>(got.n_ctx), RINGLM_ERR_BAD_FORMAT,
                 "snapshot n_past %lld exceeds the context of %" PRIu32 " tokens", static_cast<long long>(n_past),
                 got.n_ctx);
  }
  RINGLM_CHECK(got.last_token >= -1 && got.last_token < static_cast<int32_t>(got.n_vocab), RINGLM_ERR_BAD_FORMAT,
               "snapshot last token %" PRId32 " is outside the vocabulary", got.last_token);
  RINGLM_CHECK(got.has_logits <= 1 && (got.has_logits == 0 || n_past > 0), RINGLM_ERR_BAD_FORMAT,
               "snapshot logits flag %" PRIu32 " with n_past %lld", got.has_logits, static_cast<long long>(n_past));

  const uint8_t* p = payload;
  if (got.has_logits) {
    for (size_t i = 0; i < got.n_vocab; ++i) {
      const float v = read_at<float>(p, i);
      RINGLM_CHECK(!std::isnan(v) && v != INFINITY, RINGLM_ERR_BAD_FORMAT, "snapshot logit %zu is %g", i,
                   static_cast<double>(v));
    }
  }
  p += target.logits_bytes;
  const uint32_t slots = read_at<uint32_t>(p, 0);
  p += sizeof(uint32_t);
  const uint32_t capacity = target.shape.capacity();
  RINGLM_CHECK(slots <= capacity, RINGLM_ERR_BAD_FORMAT,
               "snapshot has %" PRIu32 " slots in use, more than the ring's %" PRIu32, slots, capacity);
  RINGLM_CHECK(static_cast<int64_t>(slots) <= n_past, RINGLM_ERR_BAD_FORMAT,
               "snapshot has %" PRIu32 " slots in use after %lld tokens", slots, static_cast<long long>(n_past));
  p += 2 * target.kv_bytes;
  const uint8_t* scales = p;
  p += 2 * target.scale_bytes;
  const uint8_t* positions = p;
  RINGLM_TRY(check_positions(positions, slots, n_past, target.shape));
  if (target.scale_bytes > 0) {
    RINGLM_TRY(check_scales(scales, positions, target.shape));
    RINGLM_TRY(check_scales(scales + target.scale_bytes, positions, target.shape));
  }
  p += target.positions_bytes;
  if (target.history_bytes > 0) {
    for (int64_t i = 0; i < n_past; ++i) {
      const int32_t t = read_at<int32_t>(p, static_cast<size_t>(i));
      RINGLM_CHECK(t >= 0 && t < static_cast<int32_t>(got.n_vocab), RINGLM_ERR_BAD_FORMAT,
                   "snapshot history token %lld is %" PRId32 ", outside the vocabulary", static_cast<long long>(i), t);
    }
  }
  return Status::ok();
}

}  // namespace ringlm
