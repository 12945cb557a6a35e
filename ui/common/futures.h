#pragma once

// The widgets take results from the pool the way core does: tessera::whenReady (model/futures.h), found
// from tessera::ui by ordinary lookup.
#include "model/futures.h"
