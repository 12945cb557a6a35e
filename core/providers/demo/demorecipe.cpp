#include "demorecipe.h"

#include <QCoreApplication>

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

Result<std::array<Scene, 4>> gridScenes(const DemoJob &job, const JobLookup &lookup, int depth);

Result<Scene> tileScene(const QString &parentId, int index, const JobLookup &lookup, int depth)
{
    if (depth > kMaxLineage)
        return Error::make(Error::Kind::BadResponse, QStringLiteral("demo lineage too long"));
    const std::optional<DemoJob> parent = lookup(parentId);
    if (!parent)
        return Error::make(
            Error::Kind::NotFound,
            QCoreApplication::translate("DemoRecipe", "The demo server has no task %1").arg(parentId));
    if (!parent->isGrid()) {
        // An action on an upscale acts on its single scene.
        return tileScene(parent->parentId, parent->index, lookup, depth + 1);
    }
    if (index < 1 || index > 4)
        return Error::make(Error::Kind::InvalidRequest, QStringLiteral("index must be 1-4"));
    const auto scenes = gridScenes(*parent, lookup, depth + 1);
    if (!scenes)
        return scenes.error();
    return (*scenes)[static_cast<std::size_t>(index - 1)];
}

Result<std::array<Scene, 4>> gridScenes(const DemoJob &job, const JobLookup &lookup, int depth)
{
    std::array<Scene, 4> scenes;
    if (job.action == QLatin1String("vary")) {
        const Result<Scene> base = tileScene(job.parentId, job.index, lookup, depth);
        if (!base)
            return base.error();
        for (int i = 0; i < 4; ++i)
            scenes[static_cast<std::size_t>(i)]
                = DemoRenderer::varyScene(*base, job.seed, i + 1, strengthFor(job.variant));
        return scenes;
    }
    for (int i = 0; i < 4; ++i)
        scenes[static_cast<std::size_t>(i)]
            = DemoRenderer::composeScene(job.prompt, job.seed, i + 1, job.style);
    return scenes;
}

} // namespace

QJsonObject DemoJob::toJson() const
{
    return QJsonObject {
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
    return job;
}

Result<DemoPicture> pictureFor(const DemoJob &job, const JobLookup &lookup, int tileLongSide)
{
    DemoPicture picture;
    if (job.isGrid()) {
        const auto scenes = gridScenes(job, lookup, 0);
        if (!scenes)
            return scenes.error();
        picture.scenes = *scenes;
        picture.grid = true;
        picture.tileSize = DemoRenderer::tileSizeFor(job.aspectRatio, tileLongSide);
        return picture;
    }
    const Result<Scene> scene = tileScene(job.parentId, job.index, lookup, 0);
    if (!scene)
        return scene.error();
    picture.scenes[0] = *scene;
    picture.grid = false;
    picture.tileSize = DemoRenderer::tileSizeFor(job.aspectRatio, tileLongSide * 2); // U is twice a tile
    return picture;
}

} // namespace tessera::demo
