#include "demomath.h"

#include <algorithm>
#include <cmath>

namespace tessera::demo::math {

namespace {

constexpr quint64 kGolden = 0x9e3779b97f4a7c15ULL;
constexpr quint64 kLatticeX = 0xd1b54a32d192ed03ULL;
constexpr quint64 kLatticeY = 0xabc98388fb8fac03ULL;
constexpr quint64 kOctave = 0x632be59bd9b4e019ULL;

i64 lattice(quint64 seed, i64 cell)
{
    return i64(mix64(seed ^ (quint64(cell) * kLatticeX)) >> 48);
}

i64 lerp64(i64 a, i64 b, i64 t)
{
    return a + (((b - a) * t) >> kFracBits);
}

int clampChannel(i64 v)
{
    return int(std::clamp<i64>(v, 0, 65535));
}

} // namespace

quint64 fnv1a(QByteArrayView bytes)
{
    quint64 hash = 0xcbf29ce484222325ULL;
    for (const char c : bytes) {
        hash ^= quint64(uchar(c));
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

quint64 mix64(quint64 x)
{
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

quint64 Rng::next()
{
    m_state += kGolden;
    return mix64(m_state);
}

int Rng::range(int lo, int hi)
{
    return lo + int(next() % quint64(i64(hi) - lo + 1));
}

i64 floorDiv(i64 a, i64 b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

i64 lineCoverage(i64 dist, i64 half, i64 pixel)
{
    const i64 minHalf = pixel / 2;
    const i64 energy = half < minHalf ? half * kOne / std::max<i64>(minHalf, 1) : kOne;
    half = std::max(half, minHalf);
    return mulOne(clampOne((half - dist) * kOne / pixel + kOne / 2), energy);
}

i64 smoothstep(i64 t)
{
    t = clampOne(t);
    return mulOne(mulOne(t, t), 3 * kOne - 2 * t);
}

i64 isqrt(i64 v)
{
    if (v <= 0)
        return 0;
    // The double square root is only a first guess; the corrections make the result exact.
    auto r = i64(std::sqrt(double(v)));
    while (r * r > v)
        --r;
    while ((r + 1) * (r + 1) <= v)
        ++r;
    return r;
}

i64 sinDeg(int degrees)
{
    // Bhaskara I's rational approximation (error below 0.2%), in integers so it is exact everywhere.
    degrees %= 360;
    if (degrees < 0)
        degrees += 360;
    const bool negative = degrees >= 180;
    if (negative)
        degrees -= 180;
    const i64 p = i64(degrees) * (180 - degrees);
    const i64 s = 4 * p * kOne / (40500 - p);
    return negative ? -s : s;
}

i64 noise1(quint64 seed, i64 x)
{
    const i64 cell = x >> kCoordBits; // arithmetic shift: floor for negative coordinates too
    const i64 t = smoothstep((x & (kUnit - 1)) >> (kCoordBits - kFracBits));
    return lerp64(lattice(seed, cell), lattice(seed, cell + 1), t);
}

i64 noise2(quint64 seed, i64 x, i64 y)
{
    const i64 cx = x >> kCoordBits;
    const i64 cy = y >> kCoordBits;
    const i64 tx = smoothstep((x & (kUnit - 1)) >> (kCoordBits - kFracBits));
    const i64 ty = smoothstep((y & (kUnit - 1)) >> (kCoordBits - kFracBits));
    const quint64 row0 = seed ^ (quint64(cy) * kLatticeY);
    const quint64 row1 = seed ^ (quint64(cy + 1) * kLatticeY);
    return lerp64(lerp64(lattice(row0, cx), lattice(row0, cx + 1), tx),
                  lerp64(lattice(row1, cx), lattice(row1, cx + 1), tx), ty);
}

i64 fbm1(quint64 seed, i64 x, int octaves, i64 gain)
{
    i64 sum = 0;
    i64 norm = 0;
    i64 amplitude = kOne;
    for (int o = 0; o < octaves; ++o) {
        sum += mulOne(2 * noise1(seed + quint64(o) * kOctave, x) - kOne, amplitude);
        norm += amplitude;
        amplitude = mulOne(amplitude, gain);
        x = 2 * x + kUnit / 3; // the offset keeps lattice points of the octaves from lining up
    }
    return norm > 0 ? sum * kOne / norm : 0;
}

Rgb rgb8(int r, int g, int b)
{
    return {r * 257, g * 257, b * 257};
}

Rgb fromHex(quint32 rgb)
{
    return rgb8(int((rgb >> 16) & 0xff), int((rgb >> 8) & 0xff), int(rgb & 0xff));
}

Rgb fromColor(const QColor &color, const Rgb &fallback)
{
    if (!color.isValid())
        return fallback;
    const QRgba64 c = color.rgba64();
    return {c.red(), c.green(), c.blue()};
}

QColor toColor(const Rgb &c)
{
    return QColor::fromRgb((c.r + 128) / 257, (c.g + 128) / 257, (c.b + 128) / 257);
}

int luma(const Rgb &c)
{
    // Rec. 709 weights in kOne units (they sum to exactly kOne).
    return int((13933 * i64(c.r) + 46871 * i64(c.g) + 4732 * i64(c.b)) >> kFracBits);
}

Rgb rotateHue(const Rgb &c, int degrees)
{
    // The SVG feColorMatrix hueRotate matrix (coefficients in thousandths).
    const i64 co = sinDeg(degrees + 90);
    const i64 si = sinDeg(degrees);
    auto m = [&](int a, int b, int d) { return (a * kOne + b * co + d * si) / 1000; };
    const i64 r = c.r, g = c.g, b = c.b;
    return {clampChannel((m(213, 787, -213) * r + m(715, -715, -715) * g + m(72, -72, 928) * b) >> kFracBits),
            clampChannel((m(213, -213, 143) * r + m(715, 285, 140) * g + m(72, -72, -283) * b) >> kFracBits),
            clampChannel((m(213, -213, -787) * r + m(715, -715, 715) * g + m(72, 928, 72) * b) >> kFracBits)};
}

Rgb adjust(const Rgb &c, i64 saturation, i64 contrast)
{
    const i64 y = luma(c);
    auto channel = [&](i64 v) {
        v = y + mulOne(v - y, saturation);
        return clampChannel(32768 + mulOne(v - 32768, contrast));
    };
    return {channel(c.r), channel(c.g), channel(c.b)};
}

} // namespace tessera::demo::math
