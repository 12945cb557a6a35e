#include "demorecipe.h"

#include "mask/maskexport.h"

#include <QCoreApplication>

#include <algorithm>
#include <utility>

namespace tessera::demo {

namespace {

constexpr int kMaxLineage = 64; // a parent chain longer than this is damaged data, not a real history

double strengthFor(const QString &variant)
{
    if (variant == QLatin1String("subtle"))
        return 0.15;
    if (variant == QLatin1String("strong"))
        return 0.6;
    return 0.35; // plain V1-V4
}

Result<std::array<DemoTile, 4>> gridTiles(const DemoJob &job, const JobLookup &lookup, int depth);

// The picture an action on `parentId` acts on: tile `index` of a grid, or an upscale's single image.
Result<DemoTile> sourceTile(const QString &parentId, int index, const JobLookup &lookup, int depth)
{
    if (depth > kMaxLineage)
        return Error::make(Error::Kind::BadResponse, QStringLiteral("demo lineage too long"));
    const std::optional<DemoJob> parent = lookup(parentId);
    if (!parent)
        return Error::make(
            Error::Kind::NotFound,
            QCoreApplication::translate("DemoRecipe", "The demo server has no task %1").arg(parentId));
    if (!parent->isGrid()) {
        // An action on an upscale acts on its single picture.
        return sourceTile(parent->parentId, parent->index, lookup, depth + 1);
    }
    if (index < 1 || index > 4)
        return Error::make(Error::Kind::InvalidRequest, QStringLiteral("index must be 1-4"));
    const auto tiles = gridTiles(*parent, lookup, depth + 1);
    if (!tiles)
        return tiles.error();
    return (*tiles)[static_cast<std::size_t>(index - 1)];
}

// Width over height of "w:h" (1 when it cannot be read, as the renderer does).
double aspectOf(const QString &aspectRatio)
{
    const QSize size = DemoRenderer::tileSizeFor(aspectRatio, 4096);
    return double(size.width()) / double(size.height());
}

// The view of a pan or zoom of a picture showing `base` at aspect `a`: the old view extended (pan) or
// widened around its centre (zoom), so that the old picture reappears inside the new one. In the
// painter's terms a picture of aspect a and view (x, y, w) covers u ∈ c ± a·w/2 with c = (0.5 + x)·a,
// and v ∈ 0.5 + y ± w/2.
void extendView(Scene &scene, const Scene &base, double a, const DemoJob &job)
{
    const double w = base.viewScale > 0 ? base.viewScale : 1.0;
    double cu = (0.5 + base.viewX) * a; // centre, in scene units
    double cv = 0.5 + base.viewY;
    double aNew = a;
    double wNew = w;
    if (job.action == QLatin1String("zoom")) {
        wNew = w * job.zoom;
    } else if (job.direction == QLatin1String("left") || job.direction == QLatin1String("right")) {
        aNew = a * 1.5;
        cu += (job.direction == QLatin1String("left") ? -0.25 : 0.25) * a * w;
    } else {
        aNew = a / 1.5;
        wNew = w * 1.5;
        cv += (job.direction == QLatin1String("up") ? -0.25 : 0.25) * w;
    }
    scene.viewScale = wNew;
    scene.viewX = cu / aNew - 0.5;
    scene.viewY = cv - 0.5;
}

// What a vary region paints inside its mask: a render of the region's prompt (or, without one, of the
// image's own prompt) with a seed of its own, so the region is new content of the same kind.
Scene regionScene(const DemoJob &job, int index)
{
    constexpr quint64 kRegionSalt = 0x5265'6769'6f6e'2121ULL; // never the parent's own seed
    const QString prompt = job.regionPrompt.trimmed().isEmpty() ? job.prompt : job.regionPrompt;
    return DemoRenderer::composeScene(prompt, job.seed ^ kRegionSalt, index, job.style);
}

Result<std::array<DemoTile, 4>> gridTiles(const DemoJob &job, const JobLookup &lookup, int depth)
{
    std::array<DemoTile, 4> tiles;
    if (job.action == QLatin1String("pan") || job.action == QLatin1String("zoom")) {
        // The picture again, seen wider: four takes that differ a little, as a real pan or zoom out
        // fills the new margin four ways. Regions painted into the source are not carried along.
        const Result<DemoTile> base = sourceTile(job.parentId, job.index, lookup, depth);
        const std::optional<DemoJob> parent = lookup(job.parentId);
        if (!base)
            return base.error();
        const double a = aspectOf(parent ? parent->aspectRatio : QString());
        for (int i = 0; i < 4; ++i) {
            DemoTile &tile = tiles[static_cast<std::size_t>(i)];
            tile.scene = DemoRenderer::varyScene(base->scene, job.seed, i + 1, 0.08);
            extendView(tile.scene, base->scene, a, job);
        }
        return tiles;
    }
    const bool vary = job.action == QLatin1String("vary");
    const bool inpaint = job.action == QLatin1String("inpaint");
    if (vary || inpaint) {
        const Result<DemoTile> base = sourceTile(job.parentId, job.index, lookup, depth);
        if (!base)
            return base.error();
        for (int i = 0; i < 4; ++i) {
            DemoTile &tile = tiles[static_cast<std::size_t>(i)];
            tile = *base;
            if (inpaint) {
                tile.patches.append(DemoPatch {regionScene(job, i + 1), job.mask});
                continue;
            }
            // A variation of a varied picture varies every layer alike and keeps the regions.
            const double strength = strengthFor(job.variant);
            tile.scene = DemoRenderer::varyScene(base->scene, job.seed, i + 1, strength);
            for (DemoPatch &patch : tile.patches)
                patch.scene = DemoRenderer::varyScene(patch.scene, job.seed, i + 1, strength);
        }
        return tiles;
    }
    for (int i = 0; i < 4; ++i)
        tiles[static_cast<std::size_t>(i)].scene
            = DemoRenderer::composeScene(job.prompt, job.seed, i + 1, job.style);
    return tiles;
}

// Masks fitted once per render: the four tiles of a grid share their masks.
class MaskCache
{
public:
    // The mask at `size`, or a null image when it cannot be used (then nothing is replaced: the mask
    // was checked at submit, and only a tiny region can vanish when scaled down).
    QImage fitted(const QByteArray &png, QSize size)
    {
        for (const auto &[bytes, image] : m_entries) {
            if (image.size() == size && bytes == png)
                return image;
        }
        const Result<QImage> fit = mask::fit(png, size);
        m_entries.append({png, fit ? *fit : QImage()});
        return m_entries.constLast().second;
    }

private:
    QList<std::pair<QByteArray, QImage>> m_entries;
};

QImage renderTileWith(const DemoTile &tile, QSize size, MaskCache &masks)
{
    QImage image = DemoRenderer::render(tile.scene, size);
    for (const DemoPatch &patch : tile.patches) {
        const QImage mask = masks.fitted(patch.mask, size);
        if (image.isNull() || mask.isNull() || mask.size() != size)
            continue;
        const QImage region = DemoRenderer::render(patch.scene, size);
        if (region.isNull())
            return {};
        for (int y = 0; y < size.height(); ++y) {
            const uchar *keep = mask.constScanLine(y);
            const auto *from = reinterpret_cast<const QRgb *>(region.constScanLine(y));
            auto *to = reinterpret_cast<QRgb *>(image.scanLine(y));
            for (int x = 0; x < size.width(); ++x) {
                if (keep[x])
                    to[x] = from[x];
            }
        }
    }
    return image;
}

} // namespace

QJsonObject DemoJob::toJson() const
{
    QJsonObject o {
        {QStringLiteral("id"), id},
        {QStringLiteral("action"), action},
        {QStringLiteral("prompt"), prompt},
        {QStringLiteral("seed"), QString::number(seed)},
        {QStringLiteral("aspectRatio"), aspectRatio},
        {QStringLiteral("chaos"), style.chaos},
        {QStringLiteral("stylize"), style.stylize},
        {QStringLiteral("weird"), style.weird},
        {QStringLiteral("version"), style.version},
        {QStringLiteral("speed"), speed},
        {QStringLiteral("parent"), parentId},
        {QStringLiteral("index"), index},
        {QStringLiteral("variant"), variant},
        {QStringLiteral("started"), QString::number(startedMs)},
        {QStringLiteral("duration"), QString::number(durationMs)},
        {QStringLiteral("cancelled"), cancelled},
    };
    // Only vary-region jobs carry these; the mask is small (a 2048² black/white PNG is tens of KB).
    if (!regionPrompt.isEmpty())
        o.insert(QStringLiteral("regionPrompt"), regionPrompt);
    if (!mask.isEmpty())
        o.insert(QStringLiteral("mask"), QString::fromLatin1(mask.toBase64()));
    if (!direction.isEmpty())
        o.insert(QStringLiteral("direction"), direction);
    if (zoom > 0)
        o.insert(QStringLiteral("zoom"), zoom);
    return o;
}

Result<DemoJob> DemoJob::fromJson(const QJsonObject &json)
{
    DemoJob job;
    job.id = json.value(QStringLiteral("id")).toString();
    job.action = json.value(QStringLiteral("action")).toString();
    if (job.id.isEmpty() || job.action.isEmpty())
        return Error::make(Error::Kind::BadResponse, QStringLiteral("damaged demo job record"));
    job.prompt = json.value(QStringLiteral("prompt")).toString();
    job.seed = json.value(QStringLiteral("seed")).toString().toULongLong();
    job.aspectRatio = json.value(QStringLiteral("aspectRatio")).toString();
    job.style.chaos = json.value(QStringLiteral("chaos")).toInt();
    job.style.stylize = json.value(QStringLiteral("stylize")).toInt(100);
    job.style.weird = json.value(QStringLiteral("weird")).toInt();
    job.style.version = json.value(QStringLiteral("version")).toString();
    job.speed = json.value(QStringLiteral("speed")).toString();
    job.parentId = json.value(QStringLiteral("parent")).toString();
    job.index = json.value(QStringLiteral("index")).toInt();
    job.variant = json.value(QStringLiteral("variant")).toString();
    job.startedMs = json.value(QStringLiteral("started")).toString().toLongLong();
    job.durationMs = json.value(QStringLiteral("duration")).toString().toLongLong();
    job.cancelled = json.value(QStringLiteral("cancelled")).toBool();
    job.regionPrompt = json.value(QStringLiteral("regionPrompt")).toString();
    job.mask = QByteArray::fromBase64(json.value(QStringLiteral("mask")).toString().toLatin1());
    job.direction = json.value(QStringLiteral("direction")).toString();
    job.zoom = json.value(QStringLiteral("zoom")).toDouble();
    return job;
}

Result<DemoPicture> pictureFor(const DemoJob &job, const JobLookup &lookup, int tileLongSide)
{
    DemoPicture picture;
    if (job.isGrid()) {
        const auto tiles = gridTiles(job, lookup, 0);
        if (!tiles)
            return tiles.error();
        picture.tiles = *tiles;
        picture.grid = true;
        picture.tileSize = DemoRenderer::tileSizeFor(job.aspectRatio, tileLongSide);
        return picture;
    }
    const Result<DemoTile> tile = sourceTile(job.parentId, job.index, lookup, 0);
    if (!tile)
        return tile.error();
    picture.tiles[0] = *tile;
    picture.grid = false;
    picture.tileSize = sourceSizeFor(job, tileLongSide);
    return picture;
}

QString pannedAspect(const QString &aspectRatio, const QString &direction)
{
    const double a = aspectOf(aspectRatio);
    const bool sideways = direction == QLatin1String("left") || direction == QLatin1String("right");
    const double panned = sideways ? a * 1.5 : a / 1.5;
    if (panned > 4.0 + 1e-9 || panned < 0.25 - 1e-9)
        return {};
    // "w:h" with the height 2 or 3 (1:1 → 3:2 or 2:3; 16:9 → 5.33333:2).
    const double w = sideways ? a * 1.5 : a;
    const double h = sideways ? 1.0 : 1.5;
    const auto text = [](double v) { return QString::number(v * 1000.0 / 1000.0, 'g', 6); };
    return QStringLiteral("%1:%2").arg(text(w * 2), text(h * 2));
}

QSize sourceSizeFor(const DemoJob &job, int tileLongSide)
{
    // U is twice a tile.
    return DemoRenderer::tileSizeFor(job.aspectRatio, job.isGrid() ? tileLongSide : tileLongSide * 2);
}

QImage renderTile(const DemoTile &tile, QSize size)
{
    MaskCache masks;
    return renderTileWith(tile, size, masks);
}

QImage renderPicture(const DemoPicture &picture)
{
    MaskCache masks;
    if (!picture.grid)
        return renderTileWith(picture.tiles[0], picture.tileSize, masks);
    const bool layered = std::any_of(picture.tiles.cbegin(), picture.tiles.cend(),
                                     [](const DemoTile &tile) { return !tile.patches.isEmpty(); });
    if (!layered) {
        std::array<Scene, 4> scenes;
        for (std::size_t i = 0; i < scenes.size(); ++i)
            scenes.at(i) = picture.tiles.at(i).scene;
        return DemoRenderer::renderGrid(scenes, picture.tileSize);
    }
    const QSize size = picture.tileSize;
    if (size.width() < 1 || size.height() < 1)
        return {};
    QImage grid(size * 2, QImage::Format_RGB32);
    for (std::size_t i = 0; i < picture.tiles.size() && !grid.isNull(); ++i) {
        const QImage tile = renderTileWith(picture.tiles.at(i), size, masks);
        if (tile.isNull())
            return {};
        const int left = int(i % 2) * size.width();
        const int top = int(i / 2) * size.height();
        for (int y = 0; y < size.height(); ++y)
            std::copy_n(reinterpret_cast<const QRgb *>(tile.constScanLine(y)), size.width(),
                        reinterpret_cast<QRgb *>(grid.scanLine(top + y)) + left);
    }
    return grid;
}

} // namespace tessera::demo
