// Snapshot validation: everything a snapshot says is checked against the session that would
// load it before a byte of the session changes, so a damaged or hostile snapshot is refused with
// the session left as it was, and one that loads cannot lead a later call out of the arena.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "runtime/kv_cache.h"
#include "runtime/session_state_format.h"

namespace ringlm {

// The loading session as the checks see it: the header it would write (its n_past, tokens and
// RNG are not compared), its ring, and the byte size of each payload segment.
struct SnapshotTarget {
  SnapshotHeader header;
  KvCache::Shape shape;
  size_t logits_bytes = 0, kv_bytes = 0, scale_bytes = 0, positions_bytes = 0, history_bytes = 0;

  size_t payload_bytes() const {
    return logits_bytes + sizeof(uint32_t) + 2 * kv_bytes + 2 * scale_bytes + positions_bytes + history_bytes;
  }
};

// Magic, version, model shape, weights and cache layout.
Status check_snapshot_header(const SnapshotHeader& got, const SnapshotTarget& want);
// The header, then the payload (`payload_size` bytes after the header): its size, n_past against
// the mode, the slot count, every position against the ring's slot rule, the logits, the int8
// scales of occupied slots and the recompute history's token ids.
Status check_snapshot(const SnapshotHeader& got, const uint8_t* payload, size_t payload_size,
                      const SnapshotTarget& want);

}  // namespace ringlm
