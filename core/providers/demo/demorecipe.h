#pragma once

#include "demorenderer.h"
#include "model/result.h"

#include <QJsonObject>
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
    QString action; // "imagine", "upscale", "vary", "reroll"
    QString prompt;
    quint64 seed = 0;
    QString aspectRatio; // "1:1" when unset
    StyleParams style;
    QString speed;
    QString parentId; // demo job id of the parent for actions
    int index = 0; // 1..4: which tile of the parent
    QString variant; // vary: "subtle" | "strong"
    qint64 startedMs = 0;
    qint64 durationMs = 0;
    bool cancelled = false;

    bool isGrid() const { return action != QLatin1String("upscale"); }

    QJsonObject toJson() const;
    static Result<DemoJob> fromJson(const QJsonObject &json);
};

using JobLookup = std::function<std::optional<DemoJob>(const QString &id)>;

// The pictures of a job, derived only from the job and its ancestors (looked up by id).
struct DemoPicture
{
    std::array<Scene, 4> scenes; // a grid's four scenes; for an upscale only scenes[0] is used
    bool grid = true;
    QSize tileSize; // for a grid each tile's size; for an upscale the whole image's size
};

Result<DemoPicture> pictureFor(const DemoJob &job, const JobLookup &lookup, int tileLongSide);

} // namespace tessera::demo
