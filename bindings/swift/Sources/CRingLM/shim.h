// The ringlm C API, as the installed package provides it (pkg-config --cflags ringlm).
#include <ringlm.h>
