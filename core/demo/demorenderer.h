#pragma once

#include <QColor>
#include <QImage>
#include <QList>
#include <QSize>
#include <QString>

#include <array>

namespace tessera::demo {

// How the prompt's parameters colour a scene (mirrors the Midjourney flags the demo understands).
struct StyleParams
{
    int chaos = 0; // 0-100: how different the four images of a grid are from each other
    int stylize = 100; // 0-1000: saturation, contrast and ornament
    int weird = 0; // 0-3000: warping, unusual palettes
    QString version; // "7", "6.1", "niji6"...: niji gives flatter, brighter, cel-like colours
};

// A resolution-independent description of one picture. Rendering the same Scene at any size gives the
// same picture (an upscale is the tile's scene rendered at twice the size), and the same inputs always
// give the same Scene, bit for bit, on every platform (no floating-point values from the system RNG,
// no hash seeds that vary per process).
struct Scene
{
    quint64 seed = 0;
    std::array<QColor, 6> palette; // sky top, sky bottom, sun/moon, far ridge, near ridge, accent
    double horizon = 0.6; // 0..1 from the top
    double sunX = 0.5;
    double sunY = 0.3;
    double sunRadius = 0.08;
    int ridgeCount = 4;
    double roughness = 0.5;
    double warp = 0.0;
    int starCount = 0;
    bool water = false;
    double saturation = 1.0;
    double contrast = 1.0;
    bool flat = false; // niji look
    // View window into the scene's infinite plane (for pan/zoom later): centre and width in scene units.
    double viewX = 0.0;
    double viewY = 0.0;
    double viewScale = 1.0;
};

// Pure functions; thread-safe; no Qt GUI application needed (no text rendering, no fonts).
class DemoRenderer
{
public:
    // The scene for image `index` (1..4) of a grid generated from `prompt` and `seed`. Words of the
    // prompt steer the palette and the landscape ("red", "night", "ocean", "forest", "sunset", ...).
    static Scene composeScene(const QString &prompt, quint64 seed, int index, const StyleParams &style);

    // A scene related to `base`: same palette family and composition, perturbed by `strength`
    // (0.15 subtle .. 0.6 strong); `index` (1..4) and `seed` pick which variation.
    static Scene varyScene(const Scene &base, quint64 seed, int index, double strength);

    // Render a scene at `size` (any size ≥ 1×1; cost roughly linear in pixels).
    static QImage render(const Scene &scene, QSize size);

    // Four scenes as one 2×2 grid, row-major (1 top-left, 2 top-right, 3 bottom-left, 4 bottom-right),
    // each tile exactly `tileSize`; the grid is 2·tileSize.
    static QImage renderGrid(const std::array<Scene, 4> &scenes, QSize tileSize);

    // Tile size for an aspect ratio "W:H" with the long side `longSide` (odd results are kept: "2:3"
    // at 512 gives 341×512). An unparsable ratio gives a square.
    static QSize tileSizeFor(const QString &aspectRatio, int longSide);
};

} // namespace tessera::demo
