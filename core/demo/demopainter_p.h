#pragma once

#include "demomath.h"
#include "demopainter.h"

#include <array>
#include <vector>

// Internal to the demo renderer: the state of one render, shared by demopainter.cpp (set-up, ridges
// and the pixel loop), demosky.cpp (sky, sun, stars, birds) and demoground.cpp (water, grid, boats).
namespace tessera::demo::detail {

using namespace math;

constexpr int kSub = 4; // horizontal samples per pixel for ridge edges: steep slopes, trees, buildings
constexpr int kMaxRidges = 8;
constexpr quint64 kSalt = 0x9e3779b97f4a7c15ULL;

// Everything is precomputed per column (ridge crests) and per row (gradients), so the per-pixel work
// is a few comparisons and blends. Coordinates are scene units (kUnit = one image height).
class ScenePainter
{
public:
    ScenePainter(const Scene &scene, QSize size);
    void paint(uchar *bits, qsizetype bytesPerLine) const;

private:
    struct Ridge
    {
        quint64 seed = 0;
        i64 base = 0; // mean crest height
        i64 amp = 0;
        i64 freq = 0; // kOne units: noise cells per image height
        int octaves = 5;
        bool trees = false;
        bool city = false;
        bool peaks = false; // ridged noise: sharp summits instead of rolling hills
        i64 treeScale = kOne;
        Rgb colour;
        Rgb fog;
        i64 fogAmount = 0;
        i64 fogTop = 0;
        i64 fogDepth = kUnit;
    };
    struct Row
    {
        i64 y = 0;
        Rgb sky;
        std::array<Rgb, kMaxRidges> ridge {};
        i64 starFade = 0;
        i64 stripe = kOne;
        i64 cloud = 0;
        i64 shift = 0; // water only: sideways ripple in pixels, wave crest, depth towards the viewer
        i64 crest = 0;
        i64 deep = 0;
    };

    i64 xAt(i64 q) const; // q: position in 1/(2·kSub) pixel steps
    i64 yAt(i64 q) const; // q: position in half pixels
    i64 land(const Ridge &r, i64 x) const;
    i64 crest(const Ridge &r, i64 x) const;
    Row makeRow(i64 y, i64 y0, i64 y1) const;
    i64 coverage(int i, int c, i64 y) const;
    Rgb shadeAbove(int c, const Row &row) const;
    Rgb ridgePixel(int i, int c, const Row &row) const;
    Rgb sky(int c, const Row &row) const;
    i64 star(i64 x, i64 y) const;
    Row waterRow(i64 y) const; // the row the water at `y` mirrors, with that water's ripple
    Rgb water(int c, const Row &mirror) const;
    Rgb grid(int c, i64 y) const;
    void drawBirds(uchar *bits, qsizetype bytesPerLine) const;
    void drawBoats(uchar *bits, qsizetype bytesPerLine) const;
    void blend(uchar *bits, qsizetype bytesPerLine, int c, int r, const Rgb &colour, i64 alpha) const;

    int m_w;
    int m_h;
    quint64 m_flags;
    quint64 m_landSeed;
    quint64 m_varSeed;
    i64 m_viewX;
    i64 m_viewY;
    i64 m_viewW;
    i64 m_pixel;
    i64 m_frameW; // width of the normal framing in scene units (image heights)
    std::array<Rgb, 6> m_pal;
    Rgb m_glowColour;
    Rgb m_sunLow;
    Rgb m_starColour;
    Rgb m_auroraLow;
    Rgb m_auroraTop;
    Rgb m_cloud;
    Rgb m_window;
    Rgb m_deepWater;
    i64 m_horizon;
    i64 m_sunX;
    i64 m_sunY;
    i64 m_sunR;
    i64 m_warp;
    i64 m_gain;
    i64 m_starDensity;
    bool m_night;
    bool m_moon;
    bool m_crescent;
    bool m_water;
    bool m_grid;
    bool m_flat;
    std::vector<Ridge> m_ridges;
    std::vector<i64> m_x;
    std::vector<i64> m_y;
    std::vector<i64> m_tops; // [ridge][column][sample]
    std::vector<i64> m_minTop; // [ridge][column]
    std::vector<i64> m_maxTop;
    std::vector<i64> m_auroraBottom;
    std::vector<i64> m_auroraPower;
    std::vector<i64> m_cityGround; // [column]: where the buildings of that column stand
};

} // namespace tessera::demo::detail
