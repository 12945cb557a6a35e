#pragma once

#include "demorenderer.h"

// Internal to the demo renderer: the pixel pipeline behind DemoRenderer::render.
namespace tessera::demo {

// Scene::seed also carries what Scene has no field for, so that a Scene stored field by field still
// renders the same picture: bits 0-7 are feature flags, bits 8-23 seed the variation (warp field,
// birds, water ripples) and bits 24-63 the landscape (ridges, stars, trees, buildings).
enum SceneFeature : quint64 {
    FeatureBirds = 0x01,
    FeatureTrees = 0x02,
    FeatureAurora = 0x04,
    FeatureClouds = 0x08,
    FeatureGrid = 0x10, // synthwave: striped sun over a glowing perspective grid
    FeatureCity = 0x20,
    FeatureBoats = 0x40,
};
constexpr quint64 kFeatureMask = 0xff;
constexpr quint64 kVariationMask = 0xffff00;
constexpr int kLandscapeShift = 24;

// Paints `scene` at `size` into RGB32 pixels: `bits` is the top-left pixel, rows `bytesPerLine` apart.
// Pure and thread-safe; the same inputs give the same bytes on every platform.
void paintScene(const Scene &scene, QSize size, uchar *bits, qsizetype bytesPerLine);

} // namespace tessera::demo
