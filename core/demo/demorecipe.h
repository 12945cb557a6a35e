#pragma once

#include "demorenderer.h"
#include "model/result.h"

#include <QByteArray>
#include <QImage>
#include <QJsonObject>
#include <QList>
#include <QSize>
#include <QString>

#include <array>
#include <functional>
#include <optional>

namespace tessera::demo {

// One job of the offline demo "server", as it keeps it on disk: everything needed to re-render its
// images at any time, so a task survives restarts exactly as on a real vendor's server.
struct DemoJob
{
    QString id;
    QString action; // "imagine", "upscale", "vary", "reroll", "inpaint", "pan", "zoom"
    QString prompt; // imagine: the prompt; actions: inherited from the parent
    quint64 seed = 0;
    QString aspectRatio; // "1:1" when unset
    StyleParams style;
    QString speed;
    QString parentId; // demo job id of the parent for actions
    int index = 0; // 1..4: which tile of the parent
    QString variant; // vary: "subtle" | "strong"
    QString regionPrompt; // inpaint: the optional prompt for the region
    QByteArray mask; // inpaint: the mask PNG as received (white = regenerate, any size)
    QString direction; // pan: "left" | "right" | "up" | "down"
    double zoom = 0; // zoom: how far out, in (1, 2]
    qint64 startedMs = 0;
    qint64 durationMs = 0;
    bool cancelled = false;

    bool isGrid() const { return action != QLatin1String("upscale"); }

    QJsonObject toJson() const;
    static Result<DemoJob> fromJson(const QJsonObject &json);
};

using JobLookup = std::function<std::optional<DemoJob>(const QString &id)>;

// One vary-region layer: where its mask is white, `scene` replaces what lies below.
struct DemoPatch
{
    Scene scene;
    QByteArray mask; // PNG, any size: fitted to the picture's size when rendered
};

// One picture: a scene with the regions varied since, oldest first. Like a Scene it is resolution
// independent (masks are scaled nearest-neighbour), so an upscale of a varied region shows the same
// picture at twice the size.
struct DemoTile
{
    Scene scene;
    QList<DemoPatch> patches;
};

// The pictures of a job, derived only from the job and its ancestors (looked up by id).
struct DemoPicture
{
    std::array<DemoTile, 4> tiles; // a grid's four pictures; for an upscale only tiles[0] is used
    bool grid = true;
    QSize tileSize; // for a grid each tile's size; for an upscale the whole image's size
};

Result<DemoPicture> pictureFor(const DemoJob &job, const JobLookup &lookup, int tileLongSide);

// Size of the image a job's actions act on: a grid's tile, or an upscale's whole image.
QSize sourceSizeFor(const DemoJob &job, int tileLongSide);

// The aspect ratio ("w:h") of a pan of a picture of `aspectRatio` in `direction`: half as wide again to
// the left or right, half as tall again up or down. Empty when the result would pass 4:1.
QString pannedAspect(const QString &aspectRatio, const QString &direction);

// Renders one picture at `size`: its scene, then each patch's scene copied in under the patch's mask,
// so outside every mask the pixels are exactly those of the picture below. Deterministic.
QImage renderTile(const DemoTile &tile, QSize size);

// The whole image of a job: the 2×2 grid or the single upscaled image. Null when out of memory.
QImage renderPicture(const DemoPicture &picture);

} // namespace tessera::demo
