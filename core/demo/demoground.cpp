#include "demopainter_p.h"

#include <algorithm>
#include <cstdlib>

namespace tessera::demo::detail {

namespace {

constexpr i64 kGridStep = kUnit / 4; // grid spacing on the synthwave floor, in floor units

} // namespace

ScenePainter::Row ScenePainter::waterRow(i64 y) const
{
    const i64 depth = std::max<i64>(y - m_horizon, 1);
    const i64 mirrored = m_horizon - depth;
    Row row = makeRow(mirrored, mirrored - m_pixel / 2, mirrored + m_pixel / 2);
    row.deep = clampOne(depth * kOne / std::max<i64>(kUnit - m_horizon, milli(50)));
    // Perspective: ripples crowd towards the horizon and grow towards the viewer. Each row of water
    // mirrors its row of sky shifted sideways, which reads as a rippled reflection.
    const i64 wave = milli(8) * kUnit / (depth + milli(15));
    const i64 ripple
        = (2 * noise1(m_varSeed ^ 11, wave) + noise1(m_varSeed ^ 12, wave * 23 / 10)) * 2 / 3 - kOne;
    row.shift = floorDiv(mulOne(depth / 9, ripple) + m_pixel / 2, m_pixel);
    row.crest = smoothstep((noise1(m_varSeed ^ 13, wave * 3) - pct(62)) * 4);
    return row;
}

Rgb ScenePainter::water(int c, const Row &mirror) const
{
    const int source = int(std::clamp<i64>(c + mirror.shift, 0, m_w - 1));
    Rgb colour = shadeAbove(source, mirror);
    colour = mix(colour, m_deepWater, pct(14) + mulOne(pct(46), mirror.deep));
    colour = mix(colour, m_pal[1], mulOne(mirror.crest, pct(12)));
    // Glitter: the crests of the ripples under the sun catch its light.
    const i64 width = m_sunR * 3 / 2 + mulOne(m_sunR * 4, mirror.deep);
    const i64 glitter = clampOne(kOne - std::abs(m_x[std::size_t(c)] - m_sunX) * kOne / width);
    return mix(colour, m_glowColour, mulOne(mulOne(glitter, mirror.crest), m_moon ? pct(45) : pct(70)));
}

Rgb ScenePainter::grid(int c, i64 y) const
{
    // A floor one unit below the eye: a point `z` away appears `1/z` below the horizon.
    const i64 d = std::max<i64>(y - m_horizon, 1);
    Rgb colour = mix(m_pal[4], m_pal[1], mulOne(smoothstep(kOne - d * kOne / milli(160)), pct(70)));
    const i64 z = kUnit * kUnit / d;
    const i64 n = std::max<i64>(1, (z + kGridStep / 2) / kGridStep);
    const i64 lineY = kUnit * kUnit / (n * kGridStep);
    const i64 halfY = std::max<i64>(1, d * d / kUnit * 12 / 1000);
    const i64 spacingY = d * d / kUnit * kGridStep / kUnit;
    i64 light = mulOne(lineCoverage(std::abs(d - lineY), halfY, m_pixel),
                       clampOne((spacingY - 2 * m_pixel) * kOne / (6 * m_pixel)));
    const i64 wx = (m_x[std::size_t(c)] - m_frameW / 2) * kUnit / d;
    const i64 m = wx - floorDiv(wx, kGridStep) * kGridStep;
    // The lines converge, so measure across the tilted line, not along the pixel row.
    const i64 near = std::clamp(wx, -64 * kUnit, 64 * kUnit);
    const i64 slant = isqrt(kUnit * kUnit + near * near);
    const i64 distX = std::min(m, kGridStep - m) * d / slant;
    const i64 spacingX = kGridStep * d / slant;
    light += mulOne(lineCoverage(distX, std::max<i64>(1, d * 12 / 1000 * kUnit / slant), m_pixel),
                    clampOne((spacingX - 2 * m_pixel) * kOne / (6 * m_pixel)));
    return mix(colour, m_pal[5], clampOne(light));
}

void ScenePainter::drawBoats(uchar *bits, qsizetype bytesPerLine) const
{
    Rng rng(m_landSeed ^ 0xb0a7);
    const int count = rng.range(2, 4);
    const Rgb hull = mix(m_pal[4], m_pal[0], pct(15));
    for (int b = 0; b < count; ++b) {
        const i64 depth = milli(rng.range(30, 450)) * (kUnit - m_horizon) / kUnit;
        const i64 size = milli(25) + depth * 4 / 10;
        const i64 bx = m_frameW * rng.range(8, 92) / 100, by = m_horizon + depth;
        const bool sail = rng.chance(70);
        // A hull, a mast and a sail; its reflection is the same shape mirrored, fainter.
        auto inside = [&](i64 x, i64 y) {
            const i64 u = x - bx, v = by - y;
            if (v >= 0 && v < size * 16 / 100)
                return std::abs(u) < size * 38 / 100 + v * 3 / 4;
            if (v >= size * 16 / 100 && v < size * 110 / 100
                && std::abs(u + size / 20) < size * 15 / 1000 + 1)
                return true;
            const i64 su = u + size * 2 / 100, sv = v - size * 22 / 100;
            return sail && su >= 0 && sv >= 0 && su * 83 < (size * 83 / 100 - sv) * 44;
        };
        const i64 reach = size * 12 / 10 + 2 * m_pixel;
        const int c0 = int(std::lower_bound(m_x.begin(), m_x.end(), bx - reach) - m_x.begin());
        const int c1 = int(std::upper_bound(m_x.begin(), m_x.end(), bx + reach) - m_x.begin());
        const int r0 = int(std::lower_bound(m_y.begin(), m_y.end(), by - reach) - m_y.begin());
        const int r1 = int(std::upper_bound(m_y.begin(), m_y.end(), by + reach / 2) - m_y.begin());
        for (int r = r0; r < r1; ++r) {
            for (int c = c0; c < c1; ++c) {
                int hits = 0;
                for (int s = 0; s < 16; ++s) { // 4×4 samples inside the pixel
                    const i64 x = m_x[std::size_t(c)] + (2 * (s % 4) - 3) * m_pixel / 8;
                    const i64 y = m_y[std::size_t(r)] + (2 * (s / 4) - 3) * m_pixel / 8;
                    hits += inside(x, y <= by ? y : 2 * by - y) ? 1 : 0;
                }
                const i64 fade = m_y[std::size_t(r)] > by ? pct(35) : kOne;
                if (hits > 0)
                    blend(bits, bytesPerLine, c, r, hull, mulOne(hits * kOne / 16, fade));
                if (m_night) { // a lantern on the mast
                    const i64 y = m_y[std::size_t(r)], lx = m_x[std::size_t(c)] - bx + size / 20;
                    const i64 ly = (y <= by ? y : 2 * by - y) - by + size * 6 / 10;
                    const i64 d = isqrt(lx * lx + ly * ly), halo = clampOne(kOne - d * kOne / (size / 6));
                    const i64 light
                        = lineCoverage(d, size / 60, m_pixel) + mulOne(mulOne(halo, halo), pct(40));
                    if (light > 0)
                        blend(bits, bytesPerLine, c, r, m_window, mulOne(clampOne(light), fade));
                }
            }
        }
    }
}

} // namespace tessera::demo::detail
