// How tessera-populate makes a history: deterministic random choices, a few dozen distinct pictures
// reused through hard links, and tasks that hang below earlier ones as a user's actions do.
#include "generator.h"

#include "model/imageref.h"
#include "model/operation.h"
#include "storage/imagearchive.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QUuid>

#include <array>
#include <cerrno>
#include <cstdint>
#include <random>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace tessera::populate {

namespace {

constexpr int kBatchTasks = 2000; // tasks per transaction: one commit (one sync to disk) each
constexpr int kVariants = 24; // distinct pictures; every image file reuses the bytes of one of them
// Image files are hard links to a few written files (bytes are reused, the disk holds each once); a new
// copy is written after this many links, below every file system's link limit (ext4: 65,000).
constexpr int kMaxLinks = 30000;
constexpr qint64 kDayMs = 24LL * 3600 * 1000;

// Deterministic across platforms and standard libraries (the std distributions are not).
class Random
{
public:
    explicit Random(quint64 seed)
        : m_engine(seed)
    { }
    quint64 next() { return m_engine(); }
    int below(int n) { return int(m_engine() % quint64(n)); }
    double unit() { return double(m_engine() >> 11) * (1.0 / 9007199254740992.0); }
    bool chance(double p) { return unit() < p; }
    template<typename T, std::size_t N> const T &pick(const std::array<T, N> &list)
    {
        return list[std::size_t(below(int(N)))];
    }
    QString hex(int digits)
    {
        QString s;
        while (s.size() < digits)
            s += QString::number(m_engine(), 16).rightJustified(16, QLatin1Char('0'));
        return s.left(digits);
    }

private:
    std::mt19937_64 m_engine;
};

using Words = std::array<const char *, 24>;
const Words kAdjectives {"ancient",     "tiny",      "luminous", "weathered", "serene",    "colossal",
                         "neon",        "misty",     "golden",   "shattered", "floating",  "overgrown",
                         "crystalline", "rusty",     "velvet",   "frozen",    "whimsical", "brutalist",
                         "gilded",      "forgotten", "electric", "quiet",     "stormy",    "paper"};
const Words kSubjects {"fox",    "lighthouse", "samurai",   "cathedral",  "octopus",    "astronaut",
                       "teapot", "dragon",     "violinist", "greenhouse", "tram",       "owl",
                       "robot",  "library",    "whale",     "bicycle",    "fortress",   "koi pond",
                       "cat",    "market",     "submarine", "orchard",    "clocktower", "wolf"};
const Words kSettings {"at dawn",         "in the rain",
                       "on a cliff",      "under the sea",
                       "in a snow globe", "on Mars",
                       "in a neon city",  "in a bamboo forest",
                       "at golden hour",  "inside a cathedral",
                       "in the desert",   "on a floating island",
                       "in fog",          "at night",
                       "in a tea house",  "by a river",
                       "in autumn",       "in a greenhouse",
                       "among ruins",     "over the clouds",
                       "in a subway",     "at a carnival",
                       "in a library",    "on a rooftop"};
const Words kStyles {"watercolor",
                     "oil painting",
                     "35mm photo",
                     "isometric render",
                     "ukiyo-e woodblock",
                     "pencil sketch",
                     "studio ghibli style",
                     "cinematic still",
                     "art nouveau poster",
                     "low poly",
                     "charcoal drawing",
                     "vaporwave",
                     "claymation",
                     "gouache",
                     "infrared photograph",
                     "tilt-shift photo",
                     "pixel art",
                     "stained glass",
                     "linocut",
                     "baroque painting",
                     "blueprint",
                     "synthwave",
                     "macro photograph",
                     "tapestry"};
const Words kLights {"volumetric light", "soft rim light",   "dramatic shadows", "bioluminescent glow",
                     "overcast",         "candlelight",      "harsh noon sun",   "moonlight",
                     "backlit",          "neon reflections", "god rays",         "foggy haze",
                     "warm bokeh",       "cold blue hour",   "sunset glow",      "studio lighting",
                     "lantern light",    "aurora",           "firelight",        "diffuse light",
                     "lightning",        "starlight",        "cloud shadows",    "ember glow"};
// A few words that appear in about one prompt in a thousand: the search benchmark's "rare word".
const std::array<const char *, 4> kRare {"axolotl", "zeppelin", "quokka", "narwhal"};
const std::array<const char *, 6> kRatios {"1:1", "16:9", "2:3", "3:2", "4:5", "21:9"};
const std::array<const char *, 4> kVersions {"7", "6.1", "6", "niji6"};
const std::array<const char *, 4> kDirections {"left", "right", "up", "down"};

struct VendorFailure
{
    Error::Kind kind;
    int http;
    const char *code;
    const char *message;
};
// Messages in the vendors' own words (PROVIDERS.md error examples), as a failed task stores them.
const std::array<VendorFailure, 6> kFailures {{
    {Error::Kind::PaymentRequired, 400, "400", "Insufficient credits"},
    {Error::Kind::PaymentRequired, 403, "403", "You have 0 requests remaining"},
    {Error::Kind::ContentRejected, 0, "CONTENT_VIOLATION",
     "Banned prompt detected: please adjust your prompt"},
    {Error::Kind::RateLimited, 429, "429", "Too many requests, please slow down"},
    {Error::Kind::ServerError, 500, "500", "Internal error, please try again later"},
    {Error::Kind::BadResponse, 0, "", "Midjourney failed to generate the image"},
}};

// One file's bytes with what an ImageRef records about them.
struct Blob
{
    QByteArray bytes;
    QString extension;
    QSize size;
    QString hash;
};

QByteArray encode(const QImage &image, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, format);
    writer.setQuality(85);
    writer.write(image);
    return bytes;
}

Blob blob(const QImage &image, const char *format)
{
    Blob b;
    b.bytes = encode(image, format);
    b.extension = qstrcmp(format, "jpeg") == 0 ? QStringLiteral("jpg") : QString::fromLatin1(format);
    b.size = image.size();
    b.hash = ImageArchive::sha256(b.bytes);
    return b;
}

// A variant's files: a 128×128 grid (PNG or JPEG), its four 64×64 tiles cut as ImageArchive cuts them,
// and an upscale of each tile.
struct Variant
{
    Blob grid;
    std::array<Blob, 4> tiles;
    std::array<Blob, 4> upscales;
};

QList<Variant> makeVariants(Random &random)
{
    QList<Variant> variants;
    for (int v = 0; v < kVariants; ++v) {
        QImage grid(128, 128, QImage::Format_RGB32);
        QPainter p(&grid);
        p.setRenderHint(QPainter::Antialiasing);
        for (int t = 0; t < 4; ++t) {
            const QRect r((t % 2) * 64, (t / 2) * 64, 64, 64);
            const int hue = (v * 37 + t * 90 + random.below(40)) % 360;
            QLinearGradient g(r.topLeft(), r.bottomRight());
            g.setColorAt(0, QColor::fromHsv(hue, 160, 230));
            g.setColorAt(1, QColor::fromHsv((hue + 60) % 360, 220, 90));
            p.fillRect(r, g);
            p.setPen(Qt::NoPen);
            p.setBrush(QColor::fromHsv((hue + 180) % 360, 200, 240, 200));
            p.drawEllipse(r.adjusted(8 + random.below(16), 8 + random.below(16), -8 - random.below(16),
                                     -8 - random.below(16)));
        }
        p.end();
        Variant variant;
        variant.grid = blob(grid, v % 3 == 0 ? "jpeg" : "png");
        const auto tiles = ImageArchive::splitGrid(grid);
        for (std::size_t t = 0; t < 4; ++t) {
            variant.tiles[t] = blob(tiles[t], "png");
            variant.upscales[t]
                = blob(tiles[t].scaled(128, 128, Qt::IgnoreAspectRatio, Qt::SmoothTransformation),
                       v % 2 == 0 ? "png" : "jpeg");
        }
        variants.append(variant);
    }
    return variants;
}

// Places files in the archive: the first use of a blob (and every kMaxLinks-th) is written with
// ImageArchive::writeFile, the others are hard links to it, so 400,000 files cost a few seconds and
// the disk space of a few hundred.
class FilePlacer
{
public:
    explicit FilePlacer(QString root)
        : m_root(std::move(root))
    { }

    Status place(const Blob &blob, const QString &relative)
    {
        Source &source = m_sources[blob.hash];
        const QString target = QDir(m_root).filePath(relative);
#ifdef Q_OS_UNIX
        if (!source.path.isEmpty() && source.links < kMaxLinks) {
            const QByteArray from = QFile::encodeName(source.path);
            const QByteArray to = QFile::encodeName(target);
            int linked = ::link(from.constData(), to.constData());
            if (linked != 0 && errno == ENOENT && QDir().mkpath(QFileInfo(target).absolutePath()))
                linked = ::link(from.constData(), to.constData()); // the task's folder was new
            if (linked == 0) {
                ++source.links;
                return {};
            }
        }
#endif
        if (const Status s = ImageArchive::writeFile(m_root, relative, blob.bytes); !s)
            return s;
        source = {target, 0};
        return {};
    }

private:
    struct Source
    {
        QString path;
        int links = 0;
    };
    QString m_root;
    QHash<QString, Source> m_sources;
};

QString promptFor(Random &random)
{
    QString subject = QString::fromLatin1(random.pick(kSubjects));
    if (random.chance(0.004))
        subject = QString::fromLatin1(random.pick(kRare));
    QString prompt
        = QStringLiteral("%1 %2 %3, %4, %5")
              .arg(QString::fromLatin1(random.pick(kAdjectives)), subject,
                   QString::fromLatin1(random.pick(kSettings)), QString::fromLatin1(random.pick(kStyles)),
                   QString::fromLatin1(random.pick(kLights)));
    if (random.chance(0.5))
        prompt += QStringLiteral(", ") + QString::fromLatin1(random.pick(kStyles));
    if (random.chance(0.6))
        prompt += QStringLiteral(" --ar ") + QString::fromLatin1(random.pick(kRatios));
    return prompt;
}

// What the generator remembers of earlier tasks, to hang actions below them.
struct Parent
{
    QString id;
    QString accountId;
    QString prompt;
    QDateTime created;
    bool grid = false; // four tiles (else a single upscaled image)
};

class GeneratorCore
{
public:
    GeneratorCore(quint64 seed, int count, int firstNumber, const QString &archiveRoot)
        : m_random(seed)
        , m_count(count)
        , m_firstNumber(firstNumber)
        , m_files(archiveRoot)
        , m_now(QDateTime::currentDateTimeUtc())
        // Ids: UUID v5 of the seed and the task's number, counted on from the tasks generated before, so
        // that a second run adds to the first instead of colliding with it.
        , m_idSpace(QUuid::createUuidV5(QUuid(), QStringLiteral("tessera-populate-%1").arg(seed)))
    {
        m_variants = makeVariants(m_random);
        QImage m(64, 64, QImage::Format_Grayscale8);
        m.fill(Qt::black);
        QPainter p(&m);
        p.fillRect(16, 16, 32, 24, Qt::white);
        p.end();
        m_mask = encode(m, "png");
    }

    int images() const { return m_images; }

    // Task number `i` (0 = the oldest) with its files written.
    Result<Task> make(int i)
    {
        Task t;
        t.id = QUuid::createUuidV5(m_idSpace, QString::number(m_firstNumber + i))
                   .toString(QUuid::WithoutBraces);
        // Spread evenly over two years, the oldest first, with jitter.
        const qint64 span = 730 * kDayMs;
        const qint64 step = span / m_count + 1;
        t.created = QDateTime::fromMSecsSinceEpoch(m_now.toMSecsSinceEpoch() - span + span * i / m_count
                                                       + qint64(m_random.unit() * double(step)),
                                                   Qt::UTC);
        const double roll = m_random.unit();
        if (roll >= 0.58 && !m_grids.isEmpty())
            makeAction(t, roll);
        else
            makeImagine(t);
        t.created = std::min(t.created, m_now);
        const bool grid = t.operation.kind != OperationKind::Upscale;

        const bool kolersky = t.accountId.endsWith(QLatin1String("kolersky"));
        t.remoteId = kolersky
            ? QString::number(1'700'000'000'000'000'000ULL + m_random.next() % 100'000'000'000'000'000ULL)
            : m_random.hex(32);
        t.remote.insert(QStringLiteral("generatedBy"), QStringLiteral("tessera-populate"));
        t.pollCount = 3 + m_random.below(30);
        t.updated = t.created.addSecs(20 + m_random.below(160));

        // Mostly succeeded; some failed with a vendor's message; a few unfinished or cancelled, only
        // among tasks older than the week in which TaskEngine::recheckUnfinished asks again.
        const double fate = m_random.unit();
        if (fate < 0.05) {
            const VendorFailure &v = kFailures[std::size_t(m_random.below(int(kFailures.size())))];
            t.state = TaskState::Failed;
            t.error
                = Error::make(v.kind, QString::fromLatin1(v.message), v.http, QString::fromLatin1(v.code));
            t.finished = t.updated;
            return t;
        }
        if (fate < 0.06 && t.created.msecsTo(m_now) > 30 * kDayMs) {
            t.state = m_random.chance(0.5) ? TaskState::Unfinished : TaskState::Cancelled;
            t.progress = m_random.below(90);
            if (t.state == TaskState::Cancelled)
                t.finished = t.updated;
            return t;
        }
        t.state = TaskState::Succeeded;
        t.progress = 100;
        t.finished = t.updated;
        t.favourite = m_random.chance(0.03);
        if (m_random.chance(0.7))
            t.remote.insert(QStringLiteral("seed"), QString::number(m_random.below(1 << 30)));
        if (const Status s = addImages(t, grid); !s)
            return s.error();
        // Parents are drawn from the last few hundred results, as people work on recent ones.
        QList<Parent> &pool = grid ? m_grids : m_upscales;
        if (pool.size() >= 300)
            pool.removeFirst();
        pool.append({t.id, t.accountId, t.prompt, t.created, grid});
        return t;
    }

private:
    void makeImagine(Task &t)
    {
        t.prompt = promptFor(m_random);
        t.operation = Operation::imagine(t.prompt);
        t.operation.version = QString::fromLatin1(m_random.pick(kVersions));
        if (m_random.chance(0.3))
            t.operation.stylize = 50 * m_random.below(21);
        if (m_random.chance(0.15))
            t.operation.chaos = m_random.below(101);
        int w = m_random.below(100);
        std::size_t f = 0;
        while (w >= kFamilies[f].weight)
            w -= kFamilies[f++].weight;
        t.accountId = accountIdOf(kFamilies[f]);
    }

    // An action on a recent result, as people work: U on a grid tile, V on a tile or an upscale, reroll
    // of a grid, pan / zoom / vary region on an upscale.
    void makeAction(Task &t, double roll)
    {
        OperationKind kind = OperationKind::Inpaint;
        if (roll < 0.72)
            kind = OperationKind::Upscale;
        else if (roll < 0.82)
            kind = OperationKind::Vary;
        else if (roll < 0.85)
            kind = OperationKind::Reroll;
        else if (roll < 0.91)
            kind = OperationKind::Pan;
        else if (roll < 0.96)
            kind = OperationKind::Zoom;
        const bool reframe
            = kind == OperationKind::Pan || kind == OperationKind::Zoom || kind == OperationKind::Inpaint;
        const bool onUpscale
            = (reframe || (kind == OperationKind::Vary && m_random.chance(0.3))) && !m_upscales.isEmpty();
        const QList<Parent> &pool = onUpscale ? m_upscales : m_grids;
        const Parent parent = pool[m_random.below(int(pool.size()))];
        const int tile = parent.grid && kind != OperationKind::Reroll ? 1 + m_random.below(4) : 0;
        t.operation = Operation::action(kind, parent.id, tile);
        t.tile = tile;
        t.parentId = parent.id;
        t.accountId = parent.accountId; // actions run on the account of their parent
        t.prompt = parent.prompt;
        if (t.created <= parent.created)
            t.created = parent.created.addSecs(30 + m_random.below(3 * 24 * 3600));
        if (kind == OperationKind::Upscale && !parent.grid)
            t.operation.variant = m_random.chance(0.5) ? QStringLiteral("subtle") : QStringLiteral("2x");
        if (kind == OperationKind::Vary && !parent.grid)
            t.operation.variant = m_random.chance(0.5) ? QStringLiteral("subtle") : QStringLiteral("strong");
        if (kind == OperationKind::Pan)
            t.operation.direction = QString::fromLatin1(m_random.pick(kDirections));
        if (kind == OperationKind::Zoom)
            t.operation.zoomFactor = m_random.chance(0.5) ? QStringLiteral("2") : QStringLiteral("1.5");
        if (kind == OperationKind::Inpaint)
            t.operation.mask = m_mask;
        if (reframe) {
            if (m_random.chance(0.4))
                t.prompt = promptFor(m_random);
            t.operation.prompt = t.prompt;
        }
    }

    // Names as ImageArchive::ingest gives them: grid.png and tile-1..4.png, or upscale.png.
    Status addImages(Task &t, bool grid)
    {
        const Variant &v = m_variants[m_random.below(kVariants)];
        const QString folder = ImageArchive::taskFolder(t.id, t.created);
        const QString cdn = QStringLiteral("https://cdn.populate.invalid/") + t.remoteId + QLatin1Char('/');
        auto add = [&](const Blob &b, ImageRole role, int index, const QString &name) {
            ImageRef img;
            img.role = role;
            img.index = index;
            img.path = folder + QLatin1Char('/') + name + QLatin1Char('.') + b.extension;
            img.size = b.size;
            img.bytes = b.bytes.size();
            img.hash = b.hash;
            img.remoteUrl = cdn + name + QLatin1Char('.') + b.extension;
            img.state = ImageState::Downloaded;
            img.expires = t.created.addDays(15); // a downloaded image is never marked expired
            t.images.append(img);
            ++m_images;
            return m_files.place(b, img.path);
        };
        if (!grid)
            return add(v.upscales[std::size_t(m_random.below(4))], ImageRole::Upscale, 0,
                       QStringLiteral("upscale"));
        Status s = add(v.grid, ImageRole::Grid, 0, QStringLiteral("grid"));
        for (int k = 0; s && k < 4; ++k)
            s = add(v.tiles[std::size_t(k)], ImageRole::Tile, k + 1, QStringLiteral("tile-%1").arg(k + 1));
        return s;
    }

    Random m_random;
    int m_count;
    int m_firstNumber;
    FilePlacer m_files;
    QDateTime m_now;
    QUuid m_idSpace;
    QList<Variant> m_variants;
    QByteArray m_mask;
    QList<Parent> m_grids; // recent results with four tiles
    QList<Parent> m_upscales; // recent single images
    int m_images = 0;
};

} // namespace

QString accountIdOf(const Family &family)
{
    return QStringLiteral("populate-") + QLatin1String(family.family);
}

struct Generator::Impl : GeneratorCore
{
    using GeneratorCore::GeneratorCore;
};

Generator::Generator(quint64 seed, int count, int firstNumber, const QString &archiveRoot)
    : d(std::make_unique<Impl>(seed, count, firstNumber, archiveRoot))
{ }

Generator::~Generator() = default;

Result<Task> Generator::make(int i)
{
    return d->make(i);
}

int Generator::images() const
{
    return d->images();
}

} // namespace tessera::populate
