// Layering probe: an adapter that includes the net layer, which ARCHITECTURE.md forbids. The check must
// refuse this tree; the test passes only when it does.
#include "net/transport.h"
