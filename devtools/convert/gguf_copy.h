// Copying GGUF metadata from a parsed file into a writer, value for value.
//
// Scalars and strings are re-encoded with their stored type; arrays of fixed-size elements and of
// strings keep their element type and order. general.alignment becomes the writer's alignment.
// Arrays of arrays (legal GGUF, unused by the models ringlm loads) are RINGLM_ERR_UNSUPPORTED.
#pragma once

#include <functional>
#include <string_view>

#include "models/gguf/gguf_file.h"
#include "devtools/convert/gguf_writer.h"

namespace ringlm {

// Adds one entry of `from` to `to` under the same key.
Status copy_gguf_kv(const GgufFile& from, const GgufKV& kv, GgufWriter& to);

// Adds every entry of `from` for which `keep(key)` is true, in file order.
Status copy_gguf_metadata(const GgufFile& from, GgufWriter& to, const std::function<bool(std::string_view)>& keep);

}  // namespace ringlm
