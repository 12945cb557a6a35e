#include "demobackend.h"

#include "logging.h"
#include "mask/maskexport.h"
#include "model/clock.h"
#include "model/futures.h"
#include "storage/imagearchive.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFuture>
#include <QImageWriter>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

namespace tessera::demo {

namespace {

constexpr double kDefaultDurationSeconds = 4.0;
constexpr double kQueuedShare = 0.1; // the first tenth of a job is spent "queued"

HttpResponse errorResponse(int status, const QString &message)
{
    return HttpResponse::json(status, QJsonObject {{QStringLiteral("error"), message}});
}

bool validJobId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^demo-[0-9a-f]{16}$"));
    return pattern.match(id).hasMatch();
}

QByteArray encodePng(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    writer.setCompression(1); // fast: these bytes are decoded again at once
    writer.write(image);
    return bytes;
}

// Runs on the QtConcurrent pool (masks are fitted there too): values in, bytes out; empty on failure.
QByteArray renderPng(const DemoPicture &picture)
{
    const QImage image = renderPicture(picture);
    return image.isNull() ? QByteArray() : encodePng(image);
}

class DemoReply final : public TransportReply
{
public:
    using TransportReply::finish;
};

} // namespace

DemoBackend::DemoBackend(QString stateDir, Clock &clock, QObject *parent)
    : QObject(parent)
    , m_stateDir(std::move(stateDir))
    , m_clock(clock)
{ }

TransportReply *DemoBackend::send(const HttpCall &call, const Account &account, const QString &)
{
    qCDebug(lcDemo) << "demo" << call.describe();
    return TransportReply::finishedWith(handle(call, account));
}

HttpResponse DemoBackend::handle(const HttpCall &call, const Account &account)
{
    const QStringList parts = call.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    // parts: demo, tasks[, id[, cancel]]
    if (parts.size() < 2 || parts[0] != QLatin1String("demo") || parts[1] != QLatin1String("tasks"))
        return errorResponse(404, tr("No such demo endpoint: %1").arg(call.path));
    if (parts.size() == 2 && call.method == "POST")
        return submit(call.body ? call.body->object() : QJsonObject(), account);
    if (parts.size() == 3 && call.method == "GET")
        return status(parts[2]);
    if (parts.size() == 4 && parts[3] == QLatin1String("cancel") && call.method == "POST")
        return cancel(parts[2]);
    return errorResponse(405, tr("Method not allowed: %1").arg(call.describe()));
}

HttpResponse DemoBackend::submit(const QJsonObject &body, const Account &account)
{
    DemoJob job;
    job.action = body.value(QStringLiteral("action")).toString();
    static const QStringList actions {QStringLiteral("imagine"), QStringLiteral("upscale"),
                                      QStringLiteral("vary"),    QStringLiteral("reroll"),
                                      QStringLiteral("inpaint"), QStringLiteral("pan"),
                                      QStringLiteral("zoom")};
    if (!actions.contains(job.action))
        return errorResponse(400, tr("action: unknown demo action \"%1\"").arg(job.action));

    job.id
        = QStringLiteral("demo-%1").arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
    job.startedMs = m_clock.nowMs();
    const QString seed = body.value(QStringLiteral("seed")).toString();
    job.seed = seed.isEmpty() ? QRandomGenerator::global()->generate64() : seed.toULongLong();

    if (job.action == QLatin1String("imagine")) {
        job.prompt = body.value(QStringLiteral("prompt")).toString();
        if (job.prompt.trimmed().isEmpty())
            return errorResponse(400, tr("prompt: the prompt is empty"));
        job.aspectRatio = body.value(QStringLiteral("aspectRatio")).toString(QStringLiteral("1:1"));
        job.style.chaos = body.value(QStringLiteral("chaos")).toInt(0);
        job.style.stylize = body.value(QStringLiteral("stylize")).toInt(100);
        job.style.weird = body.value(QStringLiteral("weird")).toInt(0);
        job.style.version = body.value(QStringLiteral("version")).toString();
        job.speed = body.value(QStringLiteral("speed")).toString();
    } else {
        job.parentId = body.value(QStringLiteral("parent")).toString();
        const std::optional<DemoJob> parent = job.parentId.isEmpty() ? std::nullopt : this->job(job.parentId);
        if (!parent)
            return errorResponse(404, tr("parent: the demo server has no task \"%1\"").arg(job.parentId));
        if (parent->cancelled || m_clock.nowMs() < parent->startedMs + parent->durationMs)
            return errorResponse(400, tr("parent: task %1 has not finished").arg(job.parentId));
        job.index = body.value(QStringLiteral("index")).toInt();
        const bool inpaint = job.action == QLatin1String("inpaint");
        // An action on an upscale acts on the whole single image: no index.
        const bool needsIndex = job.action != QLatin1String("reroll") && parent->isGrid();
        if (needsIndex && (job.index < 1 || job.index > 4))
            return errorResponse(400, tr("index: must be 1-4, got %1").arg(job.index));
        if (!parent->isGrid())
            job.index = 0;
        static const QStringList onSingle {QStringLiteral("vary"), QStringLiteral("inpaint"),
                                           QStringLiteral("pan"), QStringLiteral("zoom")};
        if (!parent->isGrid() && !onSingle.contains(job.action))
            return errorResponse(
                400, tr("%1 needs a grid; task %2 is a single image").arg(job.action, job.parentId));
        if (inpaint) {
            if (!parent->isGrid())
                job.index = 0;
            job.regionPrompt = body.value(QStringLiteral("prompt")).toString();
            const QByteArray::FromBase64Result mask
                = QByteArray::fromBase64Encoding(body.value(QStringLiteral("mask")).toString().toLatin1(),
                                                 QByteArray::AbortOnBase64DecodingErrors);
            if (!mask || mask.decoded.isEmpty())
                return errorResponse(400, tr("mask: a base64 PNG (white = regenerate) is required"));
            // Checked against the picture it applies to, as a real server would; any size is fitted.
            if (const Result<QImage> fitted = mask::fit(mask.decoded, sourceSizeFor(*parent, m_tileLongSide));
                !fitted)
                return errorResponse(400, fitted.error().message);
            job.mask = mask.decoded;
        }
        job.variant = body.value(QStringLiteral("variant")).toString();
        // Actions inherit what they draw from the parent, as on a real server.
        job.prompt = parent->prompt;
        job.aspectRatio = parent->aspectRatio;
        if (job.action == QLatin1String("pan")) {
            job.direction = body.value(QStringLiteral("direction")).toString();
            static const QStringList directions {QStringLiteral("left"), QStringLiteral("right"),
                                                 QStringLiteral("up"), QStringLiteral("down")};
            if (!directions.contains(job.direction))
                return errorResponse(400,
                                     tr("direction: left, right, up or down, not \"%1\"").arg(job.direction));
            job.aspectRatio = pannedAspect(parent->aspectRatio, job.direction);
            if (job.aspectRatio.isEmpty())
                return errorResponse(400,
                                     tr("pan: the demo pans up to a 4:1 picture; this one would be wider"));
        } else if (job.action == QLatin1String("zoom")) {
            job.zoom = body.value(QStringLiteral("zoom")).toString().toDouble();
            if (!(job.zoom > 1.0 && job.zoom <= 2.0))
                return errorResponse(400,
                                     tr("zoom: a factor above 1 and at most 2, not \"%1\"")
                                         .arg(body.value(QStringLiteral("zoom")).toString()));
        }
        job.style = parent->style;
        job.speed = parent->speed;
    }

    double seconds = account.numberOption(QStringLiteral("duration"), kDefaultDurationSeconds);
    if (job.speed == QLatin1String("turbo"))
        seconds *= 0.5;
    else if (job.speed == QLatin1String("relaxed"))
        seconds *= 1.6;
    if (job.action == QLatin1String("upscale"))
        seconds *= 0.6;
    job.durationMs = std::max<qint64>(1, std::llround(std::max(0.0, seconds) * 1000.0));

    if (const Status s = save(job); !s)
        return errorResponse(500, s.error().message);
    qCDebug(lcDemo) << "demo job" << job.id << job.action << "for" << job.durationMs << "ms";
    return HttpResponse::json(200, QJsonObject {{QStringLiteral("id"), job.id}});
}

HttpResponse DemoBackend::status(const QString &id)
{
    const std::optional<DemoJob> j = job(id);
    if (!j)
        return errorResponse(404, tr("The demo server has no task \"%1\"").arg(id));
    QJsonObject o {{QStringLiteral("id"), j->id}, {QStringLiteral("seed"), QString::number(j->seed)}};
    const qint64 elapsed = m_clock.nowMs() - j->startedMs;
    if (j->cancelled) {
        o.insert(QStringLiteral("status"), QStringLiteral("cancelled"));
    } else if (elapsed >= j->durationMs) {
        o.insert(QStringLiteral("status"), QStringLiteral("succeeded"));
        o.insert(QStringLiteral("progress"), 100);
        const QString name = j->isGrid() ? QStringLiteral("grid") : QStringLiteral("image");
        o.insert(
            QStringLiteral("images"),
            QJsonArray {QJsonObject {
                {QStringLiteral("role"), j->isGrid() ? QStringLiteral("grid") : QStringLiteral("upscale")},
                {QStringLiteral("url"), QStringLiteral("demo://render/%1/%2.png").arg(j->id, name)}}});
    } else if (elapsed < j->durationMs * kQueuedShare) {
        o.insert(QStringLiteral("status"), QStringLiteral("queued"));
        o.insert(QStringLiteral("progress"), 0);
    } else {
        const double share
            = (elapsed - j->durationMs * kQueuedShare) / (j->durationMs * (1.0 - kQueuedShare));
        o.insert(QStringLiteral("status"), QStringLiteral("running"));
        o.insert(QStringLiteral("progress"), std::clamp(static_cast<int>(share * 100.0), 0, 99));
    }
    return HttpResponse::json(200, o);
}

HttpResponse DemoBackend::cancel(const QString &id)
{
    std::optional<DemoJob> j = job(id);
    if (!j)
        return errorResponse(404, tr("The demo server has no task \"%1\"").arg(id));
    if (m_clock.nowMs() - j->startedMs >= j->durationMs)
        return errorResponse(409, tr("Task %1 has already finished").arg(id));
    j->cancelled = true;
    if (const Status s = save(*j); !s)
        return errorResponse(500, s.error().message);
    return HttpResponse::json(200, QJsonObject {{QStringLiteral("status"), QStringLiteral("cancelled")}});
}

std::optional<DemoJob> DemoBackend::job(const QString &id)
{
    if (!validJobId(id))
        return std::nullopt; // also keeps ids from naming files outside the state folder
    if (const auto it = m_cache.constFind(id); it != m_cache.constEnd())
        return *it;
    QFile file(QDir(m_stateDir).filePath(id + QStringLiteral(".json")));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const Result<DemoJob> parsed = DemoJob::fromJson(QJsonDocument::fromJson(file.readAll()).object());
    if (!parsed || parsed->id != id)
        return std::nullopt;
    m_cache.insert(id, *parsed);
    return *parsed;
}

Status DemoBackend::save(const DemoJob &job)
{
    const Status s = ImageArchive::writeFile(m_stateDir, job.id + QStringLiteral(".json"),
                                             QJsonDocument(job.toJson()).toJson(QJsonDocument::Compact));
    if (!s)
        return s.error();
    m_cache.insert(job.id, job);
    return {};
}

TransportReply *DemoBackend::download(const QUrl &url, const Account &, qint64 maxBytes)
{
    // demo://render/<id>/<grid|image>.png
    const QStringList parts = url.path().split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (url.scheme() != QLatin1String("demo") || url.host() != QLatin1String("render") || parts.size() != 2)
        return TransportReply::finishedWith(HttpResponse(errorResponse(404, tr("No such demo image"))));
    const std::optional<DemoJob> j = job(parts[0]);
    if (!j || j->cancelled)
        return TransportReply::finishedWith(
            errorResponse(404, tr("The demo server has no image for \"%1\"").arg(parts[0])));
    const JobLookup lookup = [this](const QString &id) { return job(id); };
    const Result<DemoPicture> picture = pictureFor(*j, lookup, m_tileLongSide);
    if (!picture)
        return TransportReply::finishedWith(errorResponse(404, picture.error().message));

    auto *reply = new DemoReply;
    // The watcher is the reply's child: when the reply goes first, the render's result is dropped
    // (QFuture::then with a context that dies first asserts in Qt 6.4).
    whenReady(reply, QtConcurrent::run(renderPng, *picture), [reply, maxBytes](const QByteArray &png) {
        if (png.isEmpty()) {
            reply->finish(Error::make(Error::Kind::ServerError, tr("The demo could not render the image")));
            return;
        }
        if (png.size() > maxBytes) {
            reply->finish(
                Error::make(Error::Kind::BadResponse, tr("The image is larger than Tessera accepts")));
            return;
        }
        HttpResponse response;
        response.status = 200;
        response.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("image/png")});
        response.body = png;
        reply->finish(response);
    });
    return reply;
}

} // namespace tessera::demo
