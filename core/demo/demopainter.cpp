#include "demopainter_p.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace tessera::demo::detail {

namespace {

constexpr std::array<int, 16> kBayer {0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5};
constexpr i64 kTreeCell = milli(15);
constexpr i64 kCityCell = milli(32);
constexpr i64 kWindowX = milli(8);
constexpr i64 kWindowY = milli(12);

// A Scene double as fixed point: multiplying by a power of two and rounding are exact everywhere.
i64 fixedOf(double v, double lo, double hi, i64 scale)
{
    if (!(v >= lo)) // also catches NaN
        v = lo;
    return std::llround(std::min(v, hi) * double(scale));
}

} // namespace

ScenePainter::ScenePainter(const Scene &s, QSize size)
    : m_w(size.width())
    , m_h(size.height())
    , m_flags(s.seed & kFeatureMask)
    , m_landSeed(mix64(s.seed >> kLandscapeShift))
    , m_varSeed(mix64((s.seed & kVariationMask) ^ kSalt))
    , m_viewX(fixedOf(s.viewX, -1000, 1000, kUnit))
    , m_viewY(fixedOf(s.viewY, -1000, 1000, kUnit))
    , m_viewW(s.viewScale > 0 ? fixedOf(s.viewScale, 0.001, 1000, kUnit) : kUnit)
    , m_pixel(std::max<i64>(1, m_viewW / m_h))
    , m_frameW(kUnit * m_w / m_h)
    , m_horizon(fixedOf(s.horizon, 0.05, 0.98, kUnit))
    , m_sunX(fixedOf(s.sunX, -10, 10, kUnit) * m_w / m_h)
    , m_sunY(fixedOf(s.sunY, -10, 10, kUnit))
    , m_sunR(fixedOf(s.sunRadius, 0.005, 0.5, kUnit))
    , m_warp(fixedOf(s.warp, 0, 4, kOne))
    , m_gain(pct(36) + mulOne(pct(26), fixedOf(s.roughness, 0, 1, kOne)))
    , m_starDensity(std::clamp(s.starCount, 0, 2000) * kOne / 900)
    , m_night(s.starCount > 0)
    , m_moon(m_night && !(m_flags & FeatureGrid))
    , m_crescent(m_moon && (m_landSeed & 0x100))
    , m_water(s.water)
    , m_grid((m_flags & FeatureGrid) && !s.water)
    , m_flat(s.flat)
{
    const std::array<Rgb, 6> fallback {fromHex(0x2d1b4e), fromHex(0xf58a5e), fromHex(0xffe3a3),
                                       fromHex(0x8e4a7a), fromHex(0x1b1030), fromHex(0xffb86b)};
    const i64 saturation = fixedOf(s.saturation, 0, 3, kOne);
    const i64 contrast = fixedOf(s.contrast, 0, 3, kOne);
    for (std::size_t i = 0; i < m_pal.size(); ++i)
        m_pal[i] = adjust(fromColor(s.palette.at(i), fallback.at(i)), saturation, contrast);
    const Rgb white = fromHex(0xffffff);
    m_glowColour = mix(m_pal[2], m_pal[1], pct(30));
    m_sunLow = m_grid ? mix(m_pal[1], m_pal[5], pct(20)) : mix(m_pal[2], m_pal[1], pct(30));
    m_starColour = mix(white, m_pal[5], pct(30));
    m_auroraLow = mix(m_pal[5], fromHex(0x5cffb0), pct(50)); // auroras are green whatever the palette
    m_auroraTop = rotateHue(m_auroraLow, 75);
    m_cloud = mix(m_pal[0], m_pal[1], pct(70));
    m_window = m_grid ? m_pal[5] : mix(m_pal[5], fromHex(0xffc870), pct(70));
    m_deepWater = mix(m_pal[0], m_pal[4], pct(55));

    m_x.resize(std::size_t(m_w));
    for (int c = 0; c < m_w; ++c)
        m_x[std::size_t(c)] = xAt((2 * i64(c) + 1) * kSub);
    m_y.resize(std::size_t(m_h));
    for (int r = 0; r < m_h; ++r)
        m_y[std::size_t(r)] = yAt(2 * i64(r) + 1);

    const bool backdrop = m_water || m_grid;
    const int n = std::clamp(s.ridgeCount, 1, kMaxRidges);
    for (int i = 0; i < n; ++i) {
        const i64 t = n == 1 ? kOne : i * kOne / (n - 1); // 0 for the farthest ridge, kOne nearest
        const i64 far = kOne - t;
        Ridge r;
        r.seed = mix64(m_landSeed + quint64(i + 1) * kSalt);
        // Buildings on the nearest ridge; trees on the nearest two that have none.
        const bool city = m_flags & FeatureCity;
        r.city = city && i == n - 1;
        r.trees = (m_flags & FeatureTrees) && !r.city && i >= n - (city ? 3 : 2);
        r.treeScale = pct(45) + mulOne(pct(55), t);
        if (backdrop) {
            // Mountains across the water or beyond the grid: they all stand on the horizon.
            r.base = m_horizon - milli(14) - mulOne(milli(70), far);
            r.amp = r.city ? milli(6) : milli(18) + mulOne(milli(62), far);
        } else {
            // Layered hills receding from the bottom of the frame to the horizon.
            r.base = m_horizon - milli(30) + mulOne(mulOne(kUnit - m_horizon, pct(80)), t);
            r.amp = r.city ? milli(20) : milli(55) + mulOne(milli(35), far);
        }
        r.freq = pct(250) - mulOne(pct(140), t);
        r.octaves = t > kOne / 2 ? 5 : 6;
        r.peaks = t <= kOne / 2 && m_gain >= pct(50) && !r.city;
        // Across water every ridge is far away, except a city on the shore, which stands out dark.
        const i64 depth = r.city ? pct(95) : backdrop ? t * 3 / 4 : t;
        r.colour = mix(m_pal[3], m_pal[4], mulOne(depth, depth / 2 + kOne / 2));
        r.colour = mix(r.colour, m_pal[1], mulOne(pct(30), mulOne(far, far)));
        r.fog = mix(m_pal[1], r.colour, pct(30));
        r.fogAmount = r.city || (i == n - 1 && !backdrop) ? pct(20) : pct(65) - mulOne(pct(25), t);
        r.fogTop = r.base - r.amp / 2;
        r.fogDepth
            = backdrop ? std::max<i64>(m_horizon - r.fogTop, milli(10)) : milli(110) + mulOne(milli(90), t);
        m_ridges.push_back(r);
    }

    const std::size_t columns = std::size_t(m_w);
    m_tops.resize(m_ridges.size() * columns * kSub);
    m_minTop.resize(m_ridges.size() * columns);
    m_maxTop.resize(m_ridges.size() * columns);
    for (std::size_t i = 0; i < m_ridges.size(); ++i) {
        for (std::size_t c = 0; c < columns; ++c) {
            const std::size_t k = i * columns + c;
            i64 lo = crest(m_ridges[i], xAt(2 * i64(c) * kSub + 1));
            i64 hi = lo;
            m_tops[k * kSub] = lo;
            for (int sub = 1; sub < kSub; ++sub) {
                const i64 top = crest(m_ridges[i], xAt((2 * i64(c) * kSub) + (2 * i64(sub)) + 1));
                m_tops[k * kSub + std::size_t(sub)] = top;
                lo = std::min(lo, top);
                hi = std::max(hi, top);
            }
            m_minTop[k] = lo;
            m_maxTop[k] = hi;
        }
    }

    if (!m_ridges.empty() && m_ridges.back().city) {
        m_cityGround.resize(columns);
        for (std::size_t c = 0; c < columns; ++c)
            m_cityGround[c] = land(m_ridges.back(), floorDiv(m_x[c], kCityCell) * kCityCell + kCityCell / 2);
    }
    if (m_night && (m_flags & FeatureAurora)) {
        m_auroraBottom.resize(columns);
        m_auroraPower.resize(columns);
        for (std::size_t c = 0; c < columns; ++c) {
            const i64 x = m_x[c];
            m_auroraBottom[c]
                = m_horizon - milli(250) + mulOne(milli(90), fbm1(m_landSeed ^ 1, x, 3, pct(50)));
            const i64 curtain = smoothstep((noise1(m_landSeed ^ 2, x * 3 / 2) - pct(25)) * 2);
            const i64 streaks = (3 * noise1(m_landSeed ^ 3, x * 24) + 2 * noise1(m_landSeed ^ 4, x * 61)) / 5;
            const i64 rays = pct(25) + mulOne(pct(75), smoothstep((streaks - pct(20)) * 8 / 5));
            m_auroraPower[c] = mulOne(curtain, rays);
        }
    }
}

i64 ScenePainter::xAt(i64 q) const
{
    // Centre of the view at (0.5 + viewX) of the normal frame's width, one pixel = viewScale / height.
    const i64 steps = 2 * i64(kSub); // q steps per pixel
    return ((kUnit / 2 + m_viewX) * m_w * steps + (q - m_w * steps / 2) * m_viewW) / (steps * m_h);
}

i64 ScenePainter::yAt(i64 q) const
{
    return kUnit / 2 + m_viewY + (q - m_h) * m_viewW / (2 * i64(m_h));
}

i64 ScenePainter::land(const Ridge &r, i64 x) const
{
    i64 bend = 0; // the warp field: ridges folded sideways and bulged up or down
    if (m_warp > 0) {
        x += mulOne(mulOne(fbm1(m_varSeed, x * 2, 3, pct(50)), m_warp), milli(400));
        bend = mulOne(mulOne(fbm1(m_varSeed ^ 5, x, 2, pct(50)), m_warp), milli(70));
    }
    i64 v = fbm1(r.seed, mulOne(x, r.freq), r.octaves, m_gain);
    if (r.peaks)
        v = pct(55) - 2 * std::abs(v);
    return r.base - mulOne(r.amp, v) - bend;
}

i64 ScenePainter::crest(const Ridge &r, i64 x) const
{
    i64 top = land(r, x);
    if (r.city) {
        const i64 cell = floorDiv(x, kCityCell);
        const quint64 h = mix64(r.seed ^ (quint64(cell) * kSalt));
        const i64 local = x - cell * kCityCell;
        const i64 ground = std::max(land(r, cell * kCityCell + kCityCell / 2), top);
        i64 height = milli(25) + ((i64(h & 0xffff) * milli(115)) >> 16);
        if (((h >> 16) & 0xff) < 50)
            height /= 3;
        const i64 inset = ((i64(h >> 24) & 0xff) * milli(10)) >> 8;
        if (local < inset || local > kCityCell - milli(3))
            height = height * 2 / 5; // a lower annex gives the skyline steps
        else if (((h >> 32) & 0xff) < 45 && std::abs(local - (inset + kCityCell) / 2) < milli(2))
            height += milli(35); // antenna
        return ground - height;
    }
    if (r.trees) {
        const i64 cell = floorDiv(x, kTreeCell);
        for (i64 k = cell - 1; k <= cell + 1; ++k) {
            const quint64 h = mix64(r.seed ^ (quint64(k) * kSalt));
            if ((h & 0xff) < 60)
                continue; // a clearing
            const i64 cx = k * kTreeCell + kTreeCell / 2 + (((i64(h >> 8) & 0xff) - 128) * kTreeCell >> 9);
            const i64 height = mulOne(milli(22) + ((i64(h >> 16) & 0xffff) * milli(40) >> 16), r.treeScale);
            const i64 dx = std::abs(x - cx);
            if (dx >= height * 3 / 10)
                continue;
            const i64 tip = land(r, cx) - height;
            for (int tier = 0; tier < 3; ++tier) { // three stacked cones read as a conifer
                const i64 half = height * (17 + 7 * tier) / 100;
                if (dx < half)
                    top = std::min(top, tip + height * 27 * tier / 100 + height * 45 / 100 * dx / half);
            }
        }
    }
    return top;
}

i64 ScenePainter::coverage(int i, int c, i64 y) const
{
    const std::size_t k = std::size_t(i) * std::size_t(m_w) + std::size_t(c);
    const i64 half = m_pixel / 2;
    if (y - half >= m_maxTop[k])
        return kOne;
    if (y + half <= m_minTop[k])
        return 0;
    i64 sum = 0;
    for (std::size_t s = 0; s < kSub; ++s)
        sum += clampOne((y - m_tops[k * kSub + s]) * kOne / m_pixel + kOne / 2);
    return sum / kSub;
}

Rgb ScenePainter::shadeAbove(int c, const Row &row) const
{
    std::array<i64, kMaxRidges> cover {};
    const int n = int(m_ridges.size());
    int first = -1; // the nearest ridge that hides everything behind it
    for (int i = n - 1; i >= 0; --i) {
        cover.at(std::size_t(i)) = coverage(i, c, row.y);
        if (cover.at(std::size_t(i)) == kOne) {
            first = i;
            break;
        }
    }
    Rgb colour = first >= 0 ? ridgePixel(first, c, row) : sky(c, row);
    for (int i = first + 1; i < n; ++i) {
        if (cover.at(std::size_t(i)) > 0)
            colour = mix(colour, ridgePixel(i, c, row), cover.at(std::size_t(i)));
    }
    return colour;
}

Rgb ScenePainter::ridgePixel(int i, int c, const Row &row) const
{
    const Ridge &r = m_ridges[std::size_t(i)];
    Rgb colour = row.ridge.at(std::size_t(i));
    if (m_flat) {
        // Cel outline along the crest: the ridge seen one outline-width higher is the fill.
        const i64 inner = coverage(i, c, row.y - milli(3));
        colour = mix(mix(colour, m_pal[4], pct(55)), colour, inner);
    }
    if (!r.city)
        return colour;
    const i64 x = m_x[std::size_t(c)];
    if (row.y > m_cityGround[std::size_t(c)] - milli(8))
        return colour;
    if (m_pixel > kWindowX / 2) // windows under two pixels apart: their average light, not aliasing dots
        return mix(colour, m_window, m_night ? pct(9) : pct(2));
    // Each window is a rectangle in the middle of its cell, lit or not; the pixel's box filter over the
    // cells it touches gives exact edges.
    const i64 half = m_pixel / 2;
    i64 light = 0;
    for (i64 wy = floorDiv(row.y - half, kWindowY); wy <= floorDiv(row.y + half, kWindowY); ++wy) {
        for (i64 wx = floorDiv(x - half, kWindowX); wx <= floorDiv(x + half, kWindowX); ++wx) {
            const quint64 h = mix64(r.seed ^ (quint64(wx) * kSalt) ^ (quint64(wy) * 0xc2b2ae3d27d4eb4fULL));
            if (i64(h & 0xff) >= (m_night ? 100 : 25))
                continue;
            const i64 x0 = wx * kWindowX + kWindowX / 4, x1 = x0 + kWindowX / 2;
            const i64 y0 = wy * kWindowY + kWindowY / 4, y1 = y0 + kWindowY / 2;
            const i64 ox = std::max<i64>(0, std::min(x + half, x1) - std::max(x - half, x0));
            const i64 oy = std::max<i64>(0, std::min(row.y + half, y1) - std::max(row.y - half, y0));
            light += mulOne(ox * kOne / m_pixel, oy * kOne / m_pixel);
        }
    }
    return mix(colour, m_window, clampOne(light) * 9 / 10);
}

void ScenePainter::blend(uchar *bits, qsizetype bytesPerLine, int c, int r, const Rgb &colour,
                         i64 alpha) const
{
    auto *pixel = reinterpret_cast<QRgb *>(bits + r * bytesPerLine) + c;
    const Rgb now = rgb8(qRed(*pixel), qGreen(*pixel), qBlue(*pixel));
    const Rgb out = mix(now, colour, alpha);
    *pixel = qRgb((out.r + 128) / 257, (out.g + 128) / 257, (out.b + 128) / 257);
}

void ScenePainter::paint(uchar *bits, qsizetype bytesPerLine) const
{
    const i64 half = m_pixel / 2;
    const bool ground = m_water || m_grid;
    for (int r = 0; r < m_h; ++r) {
        const i64 y = m_y[std::size_t(r)];
        const Row row = makeRow(y, yAt(2 * i64(r)), yAt(2 * i64(r) + 2));
        // Share of the pixel row above the horizon, when the horizon cuts the frame.
        const i64 above = ground ? clampOne((m_horizon - (y - half)) * kOne / m_pixel) : kOne;
        const Row mirror = m_water && above < kOne ? waterRow(y) : Row {};
        auto *line = reinterpret_cast<QRgb *>(bits + r * bytesPerLine);
        for (int c = 0; c < m_w; ++c) {
            Rgb colour;
            if (above > 0)
                colour = shadeAbove(c, row);
            if (above < kOne) {
                const Rgb below = m_water ? water(c, mirror) : grid(c, y);
                colour = above > 0 ? mix(below, colour, above) : below;
            }
            // Ordered dithering from 16 to 8 bits: smooth gradients without banding or noise.
            const int t = kBayer.at((std::size_t(r & 3) * 4) + std::size_t(c & 3)) * 16 + 8;
            line[c] = qRgb(std::min(255, (colour.r + t) >> 8), std::min(255, (colour.g + t) >> 8),
                           std::min(255, (colour.b + t) >> 8));
        }
    }
    if (m_water && (m_flags & FeatureBoats))
        drawBoats(bits, bytesPerLine);
    if ((m_flags & FeatureBirds) && !m_night)
        drawBirds(bits, bytesPerLine);
}

} // namespace tessera::demo::detail

namespace tessera::demo {

void paintScene(const Scene &scene, QSize size, uchar *bits, qsizetype bytesPerLine)
{
    if (size.width() < 1 || size.height() < 1 || !bits)
        return;
    detail::ScenePainter(scene, size).paint(bits, bytesPerLine);
}

} // namespace tessera::demo
