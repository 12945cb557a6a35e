#include "demopainter_p.h"

#include <algorithm>
#include <cstdlib>

namespace tessera::demo::detail {

namespace {

constexpr int kStarCellBits = kCoordBits - 5; // stars live in cells of 1/32 image height

i64 segmentDistance(i64 px, i64 py, i64 ax, i64 ay, i64 bx, i64 by)
{
    const i64 vx = bx - ax, vy = by - ay, wx = px - ax, wy = py - ay;
    const i64 len2 = vx * vx + vy * vy;
    const i64 t = len2 > 0 ? clampOne((wx * vx + wy * vy) * kOne / len2) : 0;
    const i64 dx = wx - mulOne(vx, t), dy = wy - mulOne(vy, t);
    return isqrt(dx * dx + dy * dy);
}

} // namespace

ScenePainter::Row ScenePainter::makeRow(i64 y, i64 y0, i64 y1) const
{
    Row row;
    row.y = y;
    auto gradient = [&](i64 t) { return mix(m_pal[0], m_pal[1], (2 * mulOne(t, t) + t) / 3); };
    const i64 t = clampOne(y * kOne / m_horizon);
    if (m_flat) {
        // Cel look: six flat bands; a pixel row across a band edge gets the share of each band.
        constexpr int kBands = 6;
        const i64 b0 = std::clamp<i64>(y0 * kBands / m_horizon, 0, kBands - 1);
        const i64 b1 = std::clamp<i64>(y1 * kBands / m_horizon, 0, kBands - 1);
        row.sky = gradient(b0 * kOne / (kBands - 1));
        if (b1 != b0) {
            const i64 edge = b1 * m_horizon / kBands;
            row.sky = mix(row.sky, gradient(b1 * kOne / (kBands - 1)),
                          clampOne((y1 - edge) * kOne / std::max<i64>(y1 - y0, 1)));
        }
    } else {
        row.sky = gradient(t);
        const i64 band = clampOne(kOne - (m_horizon - y) * kOne / milli(140));
        row.sky = mix(row.sky, m_glowColour, mulOne(mulOne(band, band), m_night ? pct(8) : pct(22)));
    }
    for (std::size_t i = 0; i < m_ridges.size(); ++i) {
        const Ridge &r = m_ridges[i];
        i64 f = smoothstep((y - r.fogTop) * kOne / r.fogDepth);
        if (m_flat)
            f = f < kOne / 3 ? 0 : (f < kOne * 3 / 4 ? kOne / 2 : kOne);
        row.ridge.at(i) = mix(r.colour, r.fog, mulOne(f, r.fogAmount));
    }
    row.starFade = smoothstep((m_horizon - milli(30) - y) * kOne / milli(320));
    if (m_grid && !m_moon) {
        // The synthwave sun: gaps that widen towards its lower edge, box-filtered over the pixel row.
        i64 covered = 0;
        for (int k = 0; k < 5; ++k) {
            const i64 start = m_sunY + m_sunR * (8 + 18 * k) / 100;
            const i64 end = start + m_sunR * (3 + 3 * k) / 100;
            covered += std::max<i64>(0, std::min(end, y1) - std::max(start, y0));
        }
        row.stripe = kOne - clampOne(covered * kOne / std::max<i64>(y1 - y0, 1));
    }
    if (m_flags & FeatureClouds) {
        for (int band = 0; band < 2; ++band) {
            const i64 centre = m_horizon - milli(150 + 230 * band)
                - (i64(m_varSeed >> (8 * band)) & 0xff) * milli(60) / 255;
            const i64 d = (y - centre) * kOne / milli(60 - 15 * band);
            row.cloud = std::max(row.cloud, clampOne(kOne - mulOne(d, d)));
        }
    }
    return row;
}

i64 ScenePainter::star(i64 x, i64 y) const
{
    const i64 cx = x >> kStarCellBits, cy = y >> kStarCellBits;
    const quint64 h = mix64(m_landSeed ^ (quint64(cx) * kSalt) ^ (quint64(cy) * 0xc2b2ae3d27d4eb4fULL));
    if (i64(h & 0xffff) >= m_starDensity)
        return 0;
    const i64 roll = i64(h >> 16) & 0xff;
    const i64 radius = milli(1) + ((roll * roll * roll * milli(3)) >> 24); // mostly tiny, a few large
    const i64 cell = i64(1) << kStarCellBits;
    const i64 room = cell - 2 * radius;
    const i64 sx = (cx << kStarCellBits) + radius + ((i64(h >> 24) & 0xffff) * room >> 16);
    const i64 sy = (cy << kStarCellBits) + radius + ((i64(h >> 40) & 0xffff) * room >> 16);
    const i64 reach = std::max(radius, m_pixel * 7 / 10); // never smaller than a pixel: dimmer instead
    const i64 d2 = (x - sx) * (x - sx) + (y - sy) * (y - sy);
    if (d2 >= reach * reach)
        return 0;
    const i64 f = kOne - d2 * kOne / (reach * reach);
    const i64 energy = radius * radius * kOne / (reach * reach);
    return mulOne(mulOne(mulOne(f, f), energy), pct(45) + ((i64(h >> 56) * pct(55)) >> 8));
}

Rgb ScenePainter::sky(int c, const Row &row) const
{
    const i64 x = m_x[std::size_t(c)];
    Rgb colour = row.sky;
    const i64 dx = std::clamp(x - m_sunX, -64 * kUnit, 64 * kUnit),
              dy = std::clamp(row.y - m_sunY, -64 * kUnit, 64 * kUnit);
    const i64 d2 = (dx >> 4) * (dx >> 4) + (dy >> 4) * (dy >> 4);
    const i64 glowR = std::min(m_sunR, milli(80)); // a big synthwave sun would otherwise flood the sky
    const i64 core = (glowR * 2 >> 4) * (glowR * 2 >> 4), wide = (glowR * 6 >> 4) * (glowR * 6 >> 4);
    i64 glow = m_moon ? (core * pct(45) / (core + d2) + wide * pct(12) / (wide + d2))
                      : (core * pct(60) / (core + d2) + wide * pct(38) / (wide + d2));
    if (m_flat) {
        const i64 level = std::min<i64>(glow * 5, 5 * kOne - 1);
        glow = (((level >> kFracBits) << kFracBits) + smoothstep(((level & (kOne - 1)) - pct(90)) * 10)) / 5;
    }
    if (m_night && row.starFade > 0)
        colour = mix(colour, m_starColour, mulOne(star(x, row.y), mulOne(row.starFade, kOne - glow)));
    if (!m_auroraPower.empty()) {
        const i64 up = m_auroraBottom[std::size_t(c)] - row.y;
        // Brightest at the lower edge, rays fading upwards.
        i64 f = up >= 0 ? clampOne(kOne - up * kOne / milli(280)) : clampOne(kOne + up * kOne / milli(40));
        f = up >= 0 ? mulOne(mulOne(f, f), f) : mulOne(f, f);
        colour = mix(colour, mix(m_auroraLow, m_auroraTop, clampOne(up * kOne / milli(200))),
                     mulOne(mulOne(f, m_auroraPower[std::size_t(c)]), pct(75)));
    }
    colour = mix(colour, m_glowColour, clampOne(glow));
    if (std::abs(dx) < m_sunR + m_pixel && std::abs(dy) < m_sunR + m_pixel) {
        const i64 cover = clampOne((m_sunR - isqrt(dx * dx + dy * dy)) * kOne / m_pixel + kOne / 2);
        i64 disc = mulOne(cover, row.stripe);
        Rgb face = mix(m_pal[2], m_sunLow, clampOne((dy + m_sunR) * kOne / (2 * m_sunR)));
        if (m_moon) {
            // Faint maria, and for a crescent the disc of the moon's own shadow.
            const i64 u = dx * 5 * kUnit / (2 * m_sunR), v = dy * 5 * kUnit / (2 * m_sunR);
            const i64 spots = (2 * noise2(m_landSeed, u, v) + noise2(m_landSeed ^ 1, 2 * u, 2 * v)) / 3;
            face = mix(m_pal[2], m_pal[0], mulOne(smoothstep((spots - pct(45)) * 3), pct(12)));
            if (m_crescent) {
                const i64 sx = dx - m_sunR * 2 / 5, sy = dy + m_sunR / 5;
                const i64 shadow = clampOne((m_sunR - isqrt(sx * sx + sy * sy)) * kOne / m_pixel + kOne / 2);
                disc = mulOne(disc, kOne - mulOne(shadow, pct(92)));
            }
        }
        colour = mix(colour, face, disc);
    }
    if (row.cloud > 0) {
        const i64 n
            = (2 * noise2(m_varSeed, x * 5 / 2, row.y * 20) + noise2(m_varSeed ^ 7, x * 6, row.y * 45)) / 3;
        const i64 density = mulOne(smoothstep((n - pct(42)) * 4), row.cloud);
        colour = mix(colour, mix(m_cloud, m_glowColour, clampOne(glow * 2)), mulOne(density, pct(80)));
    }
    return colour;
}

void ScenePainter::drawBirds(uchar *bits, qsizetype bytesPerLine) const
{
    Rng rng(m_varSeed ^ 0xb12d);
    const int count = rng.range(3, 7);
    const i64 fx = m_frameW * rng.range(15, 85) / 100;
    const i64 fy = std::max<i64>(milli(120), m_horizon * rng.range(30, 65) / 100);
    const Rgb ink = mix(m_pal[4], m_pal[0], pct(20));
    for (int b = 0; b < count; ++b) {
        const i64 bx = fx + milli(rng.range(-110, 110)), by = fy + milli(rng.range(-60, 60));
        const i64 span = milli(7 + rng.range(0, 9)), lift = span * rng.range(-15, 25) / 100;
        const std::array<i64, 10> p {
            bx - span, by - span / 5 - lift, bx - span * 45 / 100, by - span * 2 / 5, bx,
            by,        bx + span * 45 / 100, by - span * 2 / 5,    bx + span,         by - span / 5 - lift};
        const i64 half = span / 11;
        const i64 reach = span + 2 * m_pixel;
        const int c0 = int(std::lower_bound(m_x.begin(), m_x.end(), bx - reach) - m_x.begin());
        const int c1 = int(std::upper_bound(m_x.begin(), m_x.end(), bx + reach) - m_x.begin());
        const int r0 = int(std::lower_bound(m_y.begin(), m_y.end(), by - reach) - m_y.begin());
        const int r1 = int(std::upper_bound(m_y.begin(), m_y.end(), by + reach) - m_y.begin());
        for (int r = r0; r < r1; ++r) {
            for (int c = c0; c < c1; ++c) {
                const i64 x = m_x[std::size_t(c)], y = m_y[std::size_t(r)];
                i64 dist = reach;
                for (std::size_t s = 0; s + 3 < p.size(); s += 2)
                    dist = std::min(dist,
                                    segmentDistance(x, y, p.at(s), p.at(s + 1), p.at(s + 2), p.at(s + 3)));
                const i64 cover = lineCoverage(dist, half, m_pixel);
                if (cover > 0)
                    blend(bits, bytesPerLine, c, r, ink, cover);
            }
        }
    }
}

} // namespace tessera::demo::detail
