// A core header that reaches up into the runtime: the check must refuse it.
#pragma once
#include "runtime/session.h"
