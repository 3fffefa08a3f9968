// A CLI file that reaches below the public API: the check must refuse it.
#include "runtime/kv_cache.h"
