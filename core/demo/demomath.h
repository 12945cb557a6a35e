#pragma once

#include <QByteArrayView>
#include <QColor>
#include <QtGlobal>

#include <cstdint>

// Integer building blocks of the demo renderer. Everything that decides a pixel is integer arithmetic
// (plus one IEEE square root, which is exact on every platform), because floating-point expressions may
// be contracted into fused multiply-adds differently per compiler and CPU; integers give the same
// picture bit for bit everywhere.
namespace tessera::demo::math {

using i64 = std::int64_t;

constexpr int kFracBits = 16;
constexpr i64 kOne = i64(1) << kFracBits; // 1.0 for weights, fractions and colour channels
constexpr int kCoordBits = 20;
constexpr i64 kUnit = i64(1) << kCoordBits; // one image height in scene coordinates

// FNV-1a: a stable 64-bit hash of bytes (qHash and std::hash are seeded or vary per platform).
quint64 fnv1a(QByteArrayView bytes);
// The SplitMix64 finaliser: a good 64-bit mixer, used for lattice values and seeds.
quint64 mix64(quint64 x);

// SplitMix64 generator for composing scenes.
class Rng
{
public:
    explicit Rng(quint64 seed)
        : m_state(seed)
    { }
    quint64 next();
    int range(int lo, int hi); // inclusive; hi >= lo
    bool chance(int percent) { return range(0, 99) < percent; }

private:
    quint64 m_state;
};

inline i64 clampOne(i64 v)
{
    return v < 0 ? 0 : (v > kOne ? kOne : v);
}
inline i64 mulOne(i64 a, i64 b)
{
    return (a * b) >> kFracBits;
}
// Scene length from thousandths of the image height.
constexpr i64 milli(int thousandths)
{
    return kUnit * thousandths / 1000;
}
// Weight from a percentage.
constexpr i64 pct(int percent)
{
    return kOne * percent / 100;
}
i64 floorDiv(i64 a, i64 b); // rounds towards minus infinity, unlike `/`
i64 smoothstep(i64 t); // t in kOne units, clamped to 0..1
i64 isqrt(i64 v); // floor of the square root, exact
i64 sinDeg(int degrees); // kOne units

// Coverage of a pixel of size `pixel` by a line of half-width `half` at distance `dist` (box filter).
// Lines thinner than a pixel keep their energy by getting fainter instead of aliasing.
i64 lineCoverage(i64 dist, i64 half, i64 pixel);

// Value noise on a lattice of one cell per kUnit: noise1 and noise2 give 0..kOne; fbm1 sums octaves
// (each twice the frequency, `gain` times the amplitude) and gives roughly -kOne..kOne.
i64 noise1(quint64 seed, i64 x);
i64 noise2(quint64 seed, i64 x, i64 y);
i64 fbm1(quint64 seed, i64 x, int octaves, i64 gain);

// A colour with 16-bit channels (0..65535), so that blends and gradients keep precision until the
// final dithered conversion to 8 bits.
struct Rgb
{
    int r = 0;
    int g = 0;
    int b = 0;
};

inline int lerp(int a, int b, i64 w)
{
    return a + int((i64(b - a) * w) >> kFracBits);
}
inline Rgb mix(const Rgb &a, const Rgb &b, i64 w)
{
    return {lerp(a.r, b.r, w), lerp(a.g, b.g, w), lerp(a.b, b.b, w)};
}
Rgb rgb8(int r, int g, int b);
Rgb fromHex(quint32 rgb);
Rgb fromColor(const QColor &color, const Rgb &fallback);
QColor toColor(const Rgb &c);
int luma(const Rgb &c); // 0..65535
Rgb rotateHue(const Rgb &c, int degrees);
// Saturation and contrast as kOne factors (kOne leaves the colour unchanged).
Rgb adjust(const Rgb &c, i64 saturation, i64 contrast);

} // namespace tessera::demo::math
