#include "demorenderer.h"

#include "demomath.h"
#include "demopainter.h"

#include <QByteArray>

#include <algorithm>
#include <cmath>

namespace tessera::demo {

namespace {

using namespace math;

using Palette = std::array<Rgb, 6>; // sky top, sky bottom, sun/moon, far ridge, near ridge, accent

enum PaletteId : qint8 {
    NoPalette = -1,
    Ember,
    Dusk,
    Ocean,
    Night,
    Forest,
    Blossom,
    Gold,
    Frost,
    Desert,
    Neon,
    TealDusk,
    Aurora,
    Lavender,
    Mist,
};

constexpr std::array<std::array<quint32, 6>, 14> kPalettes {{
    {0x5b2a48, 0xf4a259, 0xfff1c1, 0xc8644b, 0x2e1422, 0xffd166}, // Ember: autumn, fox, fire
    {0x2d1b4e, 0xf58a5e, 0xffe3a3, 0x8e4a7a, 0x1b1030, 0xffb86b}, // Dusk: purple into orange
    {0x1f5fa8, 0xbfe4f5, 0xfffbe8, 0x7aa9cf, 0x17385e, 0xffffff}, // Ocean: clear blue day
    {0x050a1c, 0x1f3560, 0xf3f1df, 0x24385e, 0x070d1d, 0xa8d8ff}, // Night: moonlit blue
    {0x7fb2a5, 0xeee4c0, 0xfff7d6, 0x5f8f7a, 0x17332a, 0xf3d27a}, // Forest: pines in haze
    {0xe58fb1, 0xffe1cc, 0xfff6ea, 0xc77c9e, 0x4e2343, 0xffffff}, // Blossom: pink dawn
    {0xb8692a, 0xffe09a, 0xfffbe3, 0xc48a44, 0x3d2410, 0xfff0b0}, // Gold: golden hour
    {0x7fa8cf, 0xeef5fb, 0xffffff, 0xbcd2e6, 0x4b6b8a, 0xffffff}, // Frost: snow and ice
    {0x5d9bd1, 0xf7dcaa, 0xfff6dc, 0xd99a5e, 0x8a4b2a, 0xf0c27b}, // Desert: dunes
    {0x14002e, 0xff3d8b, 0xffe066, 0x5c1a8f, 0x12042a, 0x2ef2ff}, // Neon: synthwave
    {0x14294a, 0xe3826a, 0xfbe2b4, 0x3d5c82, 0x101a2e, 0xf2cc8f}, // TealDusk: blue hour
    {0x020a14, 0x0d3a3d, 0xeafff4, 0x163c46, 0x03121a, 0x5cffb0}, // Aurora: green night
    {0x5e4b8b, 0xf6c3c7, 0xfff0e2, 0x9d84bb, 0x33244f, 0xffd9e8}, // Lavender: dreamy
    {0x9aaebf, 0xefe5d8, 0xfffaf0, 0xb3c0c9, 0x45555f, 0xffffff}, // Mist: fog and rain
}};

// Palettes for prompts without a known word: the calmer, widely liked ones.
constexpr std::array kFallback {Ember, Dusk, Ocean, Forest, Blossom, Gold, Desert, TealDusk, Lavender, Mist};

enum MoodFlag : quint8 { MoodWater = 1, MoodDry = 2, MoodNight = 4, MoodMountains = 8 };

struct Word
{
    const char *text;
    PaletteId hue; // the colour family the word asks for
    PaletteId light; // or the time of day, mixed over the colour family
    quint8 features;
    quint8 mood;
};

constexpr Word kWords[] {
    {"red", Ember, NoPalette, 0, 0},
    {"crimson", Ember, NoPalette, 0, 0},
    {"scarlet", Ember, NoPalette, 0, 0},
    {"orange", Ember, NoPalette, 0, 0},
    {"fox", Ember, NoPalette, 0, 0},
    {"autumn", Ember, NoPalette, FeatureTrees, 0},
    {"fall", Ember, NoPalette, FeatureTrees, 0},
    {"fire", Ember, NoPalette, 0, MoodDry},
    {"maple", Ember, NoPalette, FeatureTrees, 0},
    {"sunset", NoPalette, Dusk, 0, 0},
    {"dusk", NoPalette, Dusk, 0, 0},
    {"evening", NoPalette, Dusk, 0, 0},
    {"twilight", NoPalette, TealDusk, 0, 0},
    {"dawn", NoPalette, Blossom, 0, 0},
    {"sunrise", NoPalette, Blossom, 0, 0},
    {"morning", NoPalette, Mist, 0, 0},
    {"blue", Ocean, NoPalette, 0, 0},
    {"ocean", Ocean, NoPalette, 0, MoodWater},
    {"sea", Ocean, NoPalette, 0, MoodWater},
    {"beach", Ocean, NoPalette, 0, MoodWater},
    {"lake", NoPalette, NoPalette, 0, MoodWater},
    {"river", NoPalette, NoPalette, 0, MoodWater},
    {"water", NoPalette, NoPalette, 0, MoodWater},
    {"bay", NoPalette, NoPalette, 0, MoodWater},
    {"harbor", NoPalette, NoPalette, FeatureCity | FeatureBoats, MoodWater},
    {"harbour", NoPalette, NoPalette, FeatureCity | FeatureBoats, MoodWater},
    {"port", NoPalette, NoPalette, FeatureCity, MoodWater},
    {"boat", NoPalette, NoPalette, FeatureBoats, MoodWater},
    {"ship", NoPalette, NoPalette, FeatureBoats, MoodWater},
    {"sail", NoPalette, NoPalette, FeatureBoats, MoodWater},
    {"night", NoPalette, Night, 0, MoodNight},
    {"midnight", NoPalette, Night, 0, MoodNight},
    {"moon", NoPalette, Night, 0, MoodNight},
    {"moonlit", NoPalette, Night, 0, MoodNight},
    {"star", NoPalette, Night, 0, MoodNight},
    {"starry", NoPalette, Night, 0, MoodNight},
    {"galaxy", NoPalette, Night, 0, MoodNight},
    {"forest", Forest, NoPalette, FeatureTrees, 0},
    {"green", Forest, NoPalette, 0, 0},
    {"jungle", Forest, NoPalette, FeatureTrees, 0},
    {"wood", Forest, NoPalette, FeatureTrees, 0},
    {"pine", Forest, NoPalette, FeatureTrees, 0},
    {"tree", NoPalette, NoPalette, FeatureTrees, 0},
    {"pink", Blossom, NoPalette, 0, 0},
    {"rose", Blossom, NoPalette, 0, 0},
    {"blossom", Blossom, NoPalette, 0, 0},
    {"sakura", Blossom, NoPalette, FeatureTrees, 0},
    {"cherry", Blossom, NoPalette, 0, 0},
    {"gold", Gold, NoPalette, 0, 0},
    {"golden", Gold, NoPalette, 0, 0},
    {"yellow", Gold, NoPalette, 0, 0},
    {"amber", Gold, NoPalette, 0, 0},
    {"snow", Frost, NoPalette, 0, MoodMountains},
    {"snowy", Frost, NoPalette, 0, MoodMountains},
    {"winter", Frost, NoPalette, 0, 0},
    {"ice", Frost, NoPalette, 0, 0},
    {"icy", Frost, NoPalette, 0, 0},
    {"frozen", Frost, NoPalette, 0, 0},
    {"arctic", Frost, NoPalette, 0, 0},
    {"desert", Desert, NoPalette, 0, MoodDry},
    {"sand", Desert, NoPalette, 0, MoodDry},
    {"dune", Desert, NoPalette, 0, MoodDry},
    {"canyon", Desert, NoPalette, 0, MoodDry | MoodMountains},
    {"neon", Neon, NoPalette, FeatureGrid, MoodNight},
    {"synthwave", Neon, NoPalette, FeatureGrid, MoodNight},
    {"vaporwave", Neon, NoPalette, FeatureGrid, MoodNight},
    {"retro", Neon, NoPalette, FeatureGrid, MoodNight},
    {"outrun", Neon, NoPalette, FeatureGrid, MoodNight},
    {"cyberpunk", Neon, NoPalette, FeatureGrid | FeatureCity, MoodNight},
    {"city", NoPalette, NoPalette, FeatureCity, 0},
    {"town", NoPalette, NoPalette, FeatureCity, 0},
    {"skyline", NoPalette, NoPalette, FeatureCity, 0},
    {"village", NoPalette, NoPalette, FeatureCity, 0},
    {"aurora", Aurora, NoPalette, FeatureAurora, MoodNight},
    {"borealis", Aurora, NoPalette, FeatureAurora, MoodNight},
    {"northern", Aurora, NoPalette, FeatureAurora, MoodNight},
    {"purple", Lavender, NoPalette, 0, 0},
    {"violet", Lavender, NoPalette, 0, 0},
    {"lavender", Lavender, NoPalette, 0, 0},
    {"dream", Lavender, NoPalette, FeatureClouds, 0},
    {"teal", TealDusk, NoPalette, 0, 0},
    {"turquoise", TealDusk, NoPalette, 0, 0},
    {"fog", Mist, NoPalette, FeatureClouds, 0},
    {"foggy", Mist, NoPalette, FeatureClouds, 0},
    {"mist", Mist, NoPalette, FeatureClouds, 0},
    {"misty", Mist, NoPalette, FeatureClouds, 0},
    {"rain", Mist, NoPalette, FeatureClouds, 0},
    {"grey", Mist, NoPalette, 0, 0},
    {"gray", Mist, NoPalette, 0, 0},
    {"cloud", NoPalette, NoPalette, FeatureClouds, 0},
    {"cloudy", Mist, NoPalette, FeatureClouds, 0},
    {"bird", NoPalette, NoPalette, FeatureBirds, 0},
    {"gull", NoPalette, NoPalette, FeatureBirds, MoodWater},
    {"seagull", NoPalette, NoPalette, FeatureBirds, MoodWater},
    {"crow", NoPalette, NoPalette, FeatureBirds, 0},
    {"flock", NoPalette, NoPalette, FeatureBirds, 0},
    {"mountain", NoPalette, NoPalette, 0, MoodMountains},
    {"peak", NoPalette, NoPalette, 0, MoodMountains},
    {"alps", NoPalette, NoPalette, 0, MoodMountains},
};

struct Mood
{
    PaletteId hue = NoPalette; // the first colour word wins: it is what the prompt is about
    PaletteId light = NoPalette;
    quint64 features = 0;
    quint8 flags = 0;
};

bool matches(QByteArrayView token, const char *word)
{
    const QByteArrayView w(word);
    if (token == w)
        return true; // plurals too: "stars", "foxes"
    return token.startsWith(w)
        && (token.sliced(w.size()) == QByteArrayView("s") || token.sliced(w.size()) == QByteArrayView("es"));
}

Mood readMood(const QByteArray &text)
{
    Mood mood;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const char ch = i < text.size() ? text.at(i) : ' ';
        // Letters and digits (and any non-ASCII byte) make words; everything else separates them.
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (uchar(ch) >= 0x80))
            continue;
        const QByteArrayView token = QByteArrayView(text).sliced(start, i - start);
        start = i + 1;
        for (const Word &word : kWords) {
            if (token.isEmpty() || !matches(token, word.text))
                continue;
            if (mood.hue == NoPalette)
                mood.hue = word.hue;
            if (mood.light == NoPalette)
                mood.light = word.light;
            mood.features |= word.features;
            mood.flags |= word.mood;
        }
    }
    return mood;
}

Palette paletteOf(PaletteId id)
{
    Palette palette;
    for (std::size_t i = 0; i < palette.size(); ++i)
        palette.at(i) = fromHex(kPalettes.at(std::size_t(id)).at(i));
    return palette;
}

Palette mixPalettes(const Palette &a, const Palette &b, i64 w)
{
    Palette out;
    for (std::size_t i = 0; i < out.size(); ++i)
        out.at(i) = mix(a.at(i), b.at(i), w);
    return out;
}

// Scene values are multiples of 1/4096, computed in integers: exactly the same on every platform.
double q12(i64 v)
{
    return double(v) / 4096.0;
}

i64 toQ12(double v, double lo, double hi)
{
    if (!(v >= lo))
        v = lo;
    return std::llround(std::min(v, hi) * 4096.0);
}

} // namespace

// The prompt's words pick a palette family and features; a generator seeded by prompt and seed gives
// what the four tiles share (fallback palette, horizon band), one seeded also by the index gives each
// tile its own light, composition and landscape, so the tiles differ clearly but share the mood.
Scene DemoRenderer::composeScene(const QString &prompt, quint64 seed, int index, const StyleParams &style)
{
    const QByteArray text = prompt.toLower().toUtf8();
    const quint64 promptHash = fnv1a(text);
    const Mood mood = readMood(text);
    Rng shared(promptHash ^ mix64(seed)); // the mood the four tiles share
    const quint64 tileSeed = mix64(promptHash ^ mix64(seed ^ (quint64(index) * 0x9e3779b97f4a7c15ULL)));
    Rng own(tileSeed);
    const int chaos = std::clamp(style.chaos, 0, 100);
    const int weird = std::clamp(style.weird, 0, 3000);
    const int stylize = std::clamp(style.stylize, 0, 1000);

    PaletteId family = mood.hue;
    if (family == NoPalette)
        family = mood.light != NoPalette
            ? mood.light
            : kFallback.at(std::size_t(shared.range(0, int(kFallback.size()) - 1)));
    Palette palette = paletteOf(family);
    if (mood.light != NoPalette && mood.light != family)
        palette = mixPalettes(palette, paletteOf(mood.light), mood.light == Night ? pct(62) : pct(50));
    // One draw per statement: the order in which a call's arguments are evaluated differs between
    // compilers, and the draws must happen in the same order everywhere.
    if (own.chance(chaos * 3 / 5)) { // with chaos, tiles borrow light from elsewhere
        const auto other = PaletteId(own.range(0, int(kPalettes.size()) - 1));
        palette = mixPalettes(palette, paletteOf(other), pct(own.range(25, 55)));
    }
    const int spread = 14 + chaos / 3;
    int turn = own.range(-spread, spread);
    if (weird > 0) {
        const int sign = own.chance(50) ? 1 : -1;
        turn += sign * own.range(weird / 60, weird / 20);
    }
    for (Rgb &c : palette)
        c = rotateHue(c, turn);

    Scene scene;
    const bool night = (mood.flags & MoodNight) || luma(palette[0]) < 9000;
    quint64 features = mood.features;
    const bool synth = features & FeatureGrid;
    const bool water = (mood.flags & MoodWater) || (!(mood.flags & MoodDry) && !synth && own.chance(30));
    if (!night && own.chance(40))
        features |= FeatureBirds;
    if (night && !(features & FeatureGrid) && own.chance(30))
        features |= FeatureAurora;
    if (own.chance(25 + std::max(0, stylize - 400) / 10)) // stylize: more ornament
        features |= FeatureClouds;
    if (!(mood.flags & MoodDry) && !(features & FeatureCity) && own.chance(30))
        features |= FeatureTrees;
    if (water && own.chance(20))
        features |= FeatureBoats;

    const i64 horizon
        = std::clamp<i64>(shared.range(2300, 2750) + own.range(-330 - chaos * 4, 330 + chaos * 4),
                          water || synth ? 2050 : 2100, 2950);
    scene.horizon = q12(horizon);
    scene.sunX = q12(own.range(740, 3360));
    scene.sunY = q12(horizon - (own.chance(20) ? own.range(120, 300) : own.range(450, 1300)));
    scene.sunRadius = q12(synth ? own.range(520, 720) : night ? own.range(170, 260) : own.range(200, 360));
    scene.ridgeCount = own.range(3, water || synth ? 4 : 6);
    scene.roughness = q12(own.range(1200, 2900) + ((mood.flags & MoodMountains) ? 800 : 0));
    scene.warp = q12(i64(weird) * 4096 * 6 / 5 / 3000);
    scene.starCount = night ? own.range(140, 280) : 0;
    scene.water = water;
    scene.flat = style.version.trimmed().startsWith(QLatin1String("niji"), Qt::CaseInsensitive);
    scene.saturation = q12(4096 + (stylize - 100) * 2048 / 900 + (scene.flat ? 600 : 0));
    scene.contrast = q12(4096 + (stylize - 100) * 1024 / 900);
    for (std::size_t i = 0; i < palette.size(); ++i)
        scene.palette.at(i) = toColor(palette.at(i));
    scene.seed = (mix64(tileSeed ^ 0x1a4d) << kLandscapeShift) | ((own.next() & 0xffff) << 8) | features;
    return scene;
}

// A variation keeps the landscape bits of the seed (ridges, stars, trees) and the features, and nudges
// the rest by `strength`; new variation bits re-seed the warp field that bends the ridges a little.
Scene DemoRenderer::varyScene(const Scene &base, quint64 seed, int index, double strength)
{
    Scene scene = base;
    Rng rng(mix64(base.seed ^ mix64(seed ^ (quint64(index) * 0x9e3779b97f4a7c15ULL))));
    const i64 k = toQ12(strength, 0, 1);
    // A nudge of up to `range` (in 1/4096) at full strength.
    auto nudge = [&](double value, int range, double lo, double hi) {
        const i64 moved = toQ12(value, lo, hi) + rng.range(-range, range) * k / 4096;
        return q12(std::clamp(moved, toQ12(lo, lo, hi), toQ12(hi, lo, hi)));
    };
    scene.horizon = nudge(base.horizon, 450, 0.3, 0.85);
    scene.sunX = nudge(base.sunX, 1400, 0.1, 0.9);
    scene.sunY = nudge(base.sunY, 500, 0.05, 0.8);
    scene.sunRadius = nudge(base.sunRadius, 120, 0.02, 0.3);
    scene.roughness = nudge(base.roughness, 1200, 0, 1);
    scene.warp = q12(toQ12(base.warp, 0, 4) + (rng.range(1400, 2800) * k) / 4096);
    if (base.starCount > 0)
        scene.starCount = std::max(20, base.starCount + int(rng.range(-80, 80) * k / 4096));
    if (k > 1600 && rng.chance(50))
        scene.ridgeCount = std::clamp(base.ridgeCount + (rng.chance(50) ? 1 : -1), 2, 7);
    const int turn = int(rng.range(-30, 30) * k / 4096);
    for (QColor &c : scene.palette)
        c = toColor(rotateHue(fromColor(c, Rgb {}), turn + int(rng.range(-6, 6) * k / 4096)));
    scene.seed = (base.seed & ~kVariationMask) | ((rng.next() & 0xffff) << 8);
    return scene;
}

QImage DemoRenderer::render(const Scene &scene, QSize size)
{
    if (size.width() < 1 || size.height() < 1)
        return {};
    QImage image(size, QImage::Format_RGB32);
    if (!image.isNull())
        paintScene(scene, size, image.bits(), image.bytesPerLine());
    return image;
}

QImage DemoRenderer::renderGrid(const std::array<Scene, 4> &scenes, QSize tileSize)
{
    if (tileSize.width() < 1 || tileSize.height() < 1)
        return {};
    QImage grid(tileSize * 2, QImage::Format_RGB32);
    if (grid.isNull())
        return grid;
    // Each tile is painted straight into its quarter, by the same code as render(): pixel-identical.
    uchar *bits = grid.bits();
    const qsizetype stride = grid.bytesPerLine();
    for (std::size_t i = 0; i < scenes.size(); ++i) {
        const qsizetype row = qsizetype(i / 2) * tileSize.height();
        const qsizetype column = qsizetype(i % 2) * tileSize.width();
        paintScene(scenes.at(i), tileSize, bits + row * stride + column * qsizetype(sizeof(QRgb)), stride);
    }
    return grid;
}

QSize DemoRenderer::tileSizeFor(const QString &aspectRatio, int longSide)
{
    constexpr double kMaxRatio = 4.0; // Midjourney's own limits are wider, but tiles beyond 4:1 are slivers
    longSide = std::max(1, longSide);
    const QStringList parts = aspectRatio.split(u':');
    bool okW = false, okH = false;
    const double w = parts.size() == 2 ? parts.at(0).trimmed().toDouble(&okW) : 0;
    const double h = parts.size() == 2 ? parts.at(1).trimmed().toDouble(&okH) : 0;
    if (!okW || !okH || !(w > 0) || !(h > 0) || !std::isfinite(w) || !std::isfinite(h))
        return {longSide, longSide};
    const bool wide = w >= h;
    const double fraction = std::max(1.0 / kMaxRatio, wide ? h / w : w / h);
    const int shortSide = std::max(1, int(std::lround(longSide * fraction)));
    return wide ? QSize(longSide, shortSide) : QSize(shortSide, longSide);
}

} // namespace tessera::demo
