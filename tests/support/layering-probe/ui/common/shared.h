#pragma once
// Layering probe: ui/common including a screen, which ARCHITECTURE.md forbids.
#include "gallery/galleryview.h"
