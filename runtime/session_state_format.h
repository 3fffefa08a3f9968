// The snapshot format (runtime/session_state.cpp): a fixed header that identifies the weights and
// the cache layout, then the state segments in this order:
//
//   logits        [n_vocab] f32 (the current row; meaningful when has_logits)
//   slots_in_use  u32: ring slots [0, slots_in_use) may hold tokens
//   K, V          per layer [capacity][n_head_kv][head_dim] of the KV type
//   K, V scales   int8 only: per layer [capacity][n_head_kv] f32
//   positions     [capacity] i64: absolute position in each slot, -1 when empty
//   history       recompute mode only: [n_ctx] i32, the tokens so far
//
// Host byte order and layout: snapshots move between sessions and processes on the same kind of
// machine, not across ABIs. Version 1 lacked the streaming flag and the weights fingerprint.
#pragma once

#include <cstdint>

namespace ringlm {

constexpr char kSnapshotMagic[4] = {'R', 'L', 'M', 'S'};
constexpr uint32_t kSnapshotVersion = 2;

struct SnapshotHeader {
  char magic[4];
  uint32_t version;
  uint32_t n_layer, n_head_kv, head_dim, n_vocab, n_embd;
  uint32_t kv_type, n_sinks, n_window, recompute, n_ctx, streaming, reserved;
  int64_t n_past;
  int32_t last_token;
  uint32_t has_logits;
  uint64_t rng_state;
  uint64_t weights_fingerprint;  // LanguageModel::weights_fingerprint of the weights it ran on
  uint64_t payload_bytes;        // bytes after the header
};

}  // namespace ringlm
