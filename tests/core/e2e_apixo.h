// The apixo family's end-to-end fixture (PROVIDERS.md §2, §5, §6), shared by tst_e2e_apixo (flows and
// refusals) and tst_e2e_apixo_failures (the failure tables): a small stateful fake of apixo's protocol on
// the rig's FakeHttpServer, and the checks of what it served. Test-only header: it opens the test
// namespaces for the file that includes it.
#pragma once

#include "e2eenv.h"
#include "e2ehelpers.h"

#include <QFileInfo>
#include <QHash>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QStringList>
#include <QTest>
#include <QUrl>

#include <optional>

using namespace tessera;
using namespace tessera::test;
using namespace tessera::test::e2e;

namespace {

const QString kSubmit = QStringLiteral("/api/v1/generateTask/midjourney");
const QString kStatus = QStringLiteral("/api/v1/statusTask/midjourney");
const QString kFiles = QStringLiteral("/files/");
const QString kDataUrlPrefix = QStringLiteral("data:image/png;base64,");

const QString kCancelledLocally = QStringLiteral(
    "apixo-style cannot cancel on its side: Tessera stopped checking this task, but the server may still "
    "finish it and charge for it.");

inline QJsonObject envelope(int code, const QString &message, const QJsonValue &data = QJsonValue::Null)
{
    return {
        {QStringLiteral("code"), code}, {QStringLiteral("message"), message}, {QStringLiteral("data"), data}};
}

// apixo's answer: the envelope with `code`, sent with HTTP `status` (apixo keeps 200 for most refusals).
inline Answer vendorAnswer(int status, int code, const QString &message)
{
    return Answer::json(status, envelope(code, message));
}

// The pixel size of one of the four images apixo returns for an aspect ratio (Midjourney v6/v7 sizes).
inline QSize sizeFor(const QString &aspect)
{
    if (aspect == QLatin1String("16:9"))
        return {1456, 816};
    if (aspect == QLatin1String("2:3"))
        return {896, 1344};
    return {1024, 1024};
}

inline bool isInt(const QJsonValue &v)
{
    return v.isDouble() && v.toDouble() == double(v.toInt());
}

// The shoelace sum Σ(xᵢ·yᵢ₊₁ − xᵢ₊₁·yᵢ) of a ring of integer points on y-down coordinates.
inline qint64 shoelace(const QList<int> &points)
{
    qint64 sum = 0;
    const int n = static_cast<int>(points.size() / 2);
    for (int i = 0; i < n; ++i) {
        const int j = (i + 1) % n;
        sum += qint64(points.at(2 * i)) * points.at(2 * j + 1)
            - qint64(points.at(2 * j)) * points.at(2 * i + 1);
    }
    return sum;
}

// A small stateful apixo server (PROVIDERS.md §2): the one submit endpoint creates a task per accepted
// body after checking it as the vendor doc describes (code 400 with the field's name otherwise, under
// HTTP 200); the status endpoint answers pending, then processing, then the task's end with resultJson as
// a JSON *string*; /files/ serves the results (four separate PNGs, or one upscale) or a scripted answer.
// upload-paint masks are decoded and checked: a data-URL PNG of exactly the source size, or polygon
// areas in the documented orientation.
class FakeApixo
{
public:
    struct Job
    {
        QString id;
        QString mode;
        QJsonObject body;
        int polls = 0;
        int runningPolls = 2;
        bool fail = false;
        QJsonValue failCode;
        QString failMsg;
        QStringList files;
        QImage rasterMask; // upload-paint with mask.url, as decoded
        QList<QList<int>> areas; // upload-paint with mask.areas
    };

    explicit FakeApixo(E2EEnv &env)
        : m_env(env)
    {
        env.server.on("POST", kSubmit, [this](const RecordedRequest &r) { return submit(r); });
        env.server.on("GET", kStatus, [this](const RecordedRequest &r) { return status(r); });
        env.server.on("GET", kFiles + QLatin1Char('*'), [this](const RecordedRequest &r) { return file(r); });
    }
    ~FakeApixo() { m_env.server.clearRoutes(); }
    FakeApixo(const FakeApixo &) = delete;
    FakeApixo &operator=(const FakeApixo &) = delete;

    // How tasks created from now on end.
    int runningPolls = 2;
    bool fail = false;
    QJsonValue failCode;
    QString failMsg;

    QHash<QString, Answer> fileAnswers; // by the end of a file name ("_2.png"): sent instead of the file
    QHash<QString, QByteArray> files; // by file name
    QHash<QString, QSize> sizes; // image sizes by file name
    QMap<QString, Job> jobs;
    QStringList order; // task ids in creation order
    QStringList refusals; // the messages of refused submits
    int refusedAuth = 0; // requests without "Authorization: Bearer <key>"

    Job &job(const QString &id) { return jobs[id]; }
    QString fileOf(const QString &taskId, int i) const { return jobs.value(taskId).files.value(i); }
    QString nameOf(const QString &url) const { return QUrl(url).path().mid(kFiles.size()); }

private:
    Answer refuse(const QString &message)
    {
        refusals.append(message);
        return vendorAnswer(200, 400, message);
    }

    bool authorized(const RecordedRequest &r)
    {
        if (r.header("Authorization") == bearer())
            return true;
        ++refusedAuth;
        return false;
    }

    QString addImage(const QString &taskId, int i, QSize size)
    {
        const QString name = QStringLiteral("%1_%2.png").arg(taskId).arg(i);
        files.insert(name, cachedPng(size, i + static_cast<int>(order.size())));
        sizes.insert(name, size);
        return name;
    }

    // The image a vary or upscale acts on: the parent's file at imageIndex (0-3; 0 on a single image).
    std::optional<QString> actionSource(const QJsonObject &input, QString *why) const
    {
        const QString parent = input.value(QLatin1String("taskId")).toString();
        if (!jobs.contains(parent)) {
            *why = QStringLiteral("taskId: no task %1").arg(parent);
            return std::nullopt;
        }
        const QJsonValue index = input.value(QLatin1String("imageIndex"));
        const int count = static_cast<int>(jobs.value(parent).files.size());
        if (!isInt(index) || index.toInt() < 0 || index.toInt() >= count) {
            *why = QStringLiteral("imageIndex must be an integer from 0 to %1").arg(count - 1);
            return std::nullopt;
        }
        return jobs.value(parent).files.value(index.toInt());
    }

    // mask.url: a data URL of a black/white PNG of exactly the source size (PROVIDERS.md §2 Decision).
    QString checkRasterMask(const QJsonValue &url, QSize size, Job &job) const
    {
        if (!url.isString() || !url.toString().startsWith(kDataUrlPrefix))
            return QStringLiteral("mask.url must be a data:image/png;base64 URL");
        const QByteArray base64 = url.toString().mid(kDataUrlPrefix.size()).toLatin1();
        const auto decoded = QByteArray::fromBase64Encoding(base64, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.toBase64() != base64)
            return QStringLiteral("mask.url: not standard padded base64");
        QImage mask;
        if (!mask.loadFromData(decoded.decoded, "PNG"))
            return QStringLiteral("mask.url: not a PNG");
        if (mask.size() != size)
            return QStringLiteral("mask.url: %1x%2 is not the source image's %3x%4")
                .arg(mask.width())
                .arg(mask.height())
                .arg(size.width())
                .arg(size.height());
        if (mask.hasAlphaChannel())
            return QStringLiteral("mask.url: the mask must be opaque");
        mask = mask.convertToFormat(QImage::Format_Grayscale8);
        bool white = false;
        for (int y = 0; y < mask.height(); ++y) {
            const uchar *line = mask.constScanLine(y);
            for (int x = 0; x < mask.width(); ++x) {
                if (line[x] != 0 && line[x] != 255)
                    return QStringLiteral("mask.url: only black and white pixels");
                white = white || line[x] == 255;
            }
        }
        if (!white)
            return QStringLiteral("mask.url: nothing to repaint");
        job.rasterMask = mask;
        return {};
    }

    // mask.areas: [{width, height, points}] in the source image's pixels, negative shoelace on y-down
    // coordinates, each ring starting at its top-most then left-most vertex (PROVIDERS.md §2 Decision).
    QString checkAreas(const QJsonValue &value, QSize size, Job &job) const
    {
        if (!value.isArray() || value.toArray().isEmpty())
            return QStringLiteral("mask.areas must be a non-empty array");
        for (const QJsonValue &area : value.toArray()) {
            const QJsonObject a = area.toObject();
            if (a.value(QLatin1String("width")) != size.width()
                || a.value(QLatin1String("height")) != size.height())
                return QStringLiteral("mask.areas: width and height must be the source image's size");
            const QJsonArray raw = a.value(QLatin1String("points")).toArray();
            if (raw.size() < 6 || raw.size() % 2)
                return QStringLiteral("mask.areas: points must hold at least 3 x,y pairs");
            QList<int> points;
            for (const QJsonValue &p : raw) {
                if (!isInt(p))
                    return QStringLiteral("mask.areas: points must be integers");
                points.append(p.toInt());
            }
            for (int i = 0; i < points.size(); i += 2) {
                if (points.at(i) < 0 || points.at(i) > size.width() || points.at(i + 1) < 0
                    || points.at(i + 1) > size.height())
                    return QStringLiteral("mask.areas: a point lies outside the image");
                const bool higher = points.at(i + 1) < points.at(1);
                const bool leftOnTop = points.at(i + 1) == points.at(1) && points.at(i) < points.at(0);
                if (higher || leftOnTop)
                    return QStringLiteral("mask.areas: a ring must start at its top-left vertex");
            }
            if (shoelace(points) >= 0)
                return QStringLiteral("mask.areas: points must run as in the example (negative area)");
            job.areas.append(points);
        }
        return {};
    }

    QString checkPaint(const QJsonObject &input, Job &job, QSize *size)
    {
        const QJsonArray urls = input.value(QLatin1String("image_urls")).toArray();
        if (urls.size() != 1)
            return QStringLiteral("image_urls: upload-paint takes exactly one image");
        const QString source = nameOf(urls.first().toString());
        if (!sizes.contains(source))
            return QStringLiteral("image_urls: cannot fetch %1").arg(urls.first().toString());
        *size = sizes.value(source);
        if (input.value(QLatin1String("prompt")).toString().isEmpty())
            return QStringLiteral("prompt is required");
        const QJsonObject sizeObject {{QStringLiteral("width"), size->width()},
                                      {QStringLiteral("height"), size->height()}};
        if (input.value(QLatin1String("canvas")).toObject() != sizeObject)
            return QStringLiteral("canvas must be the image's size for inpainting");
        QJsonObject position = sizeObject;
        position.insert(QStringLiteral("x"), 0);
        position.insert(QStringLiteral("y"), 0);
        if (input.value(QLatin1String("imgPos")).toObject() != position)
            return QStringLiteral("imgPos must cover the canvas");
        const QJsonObject mask = input.value(QLatin1String("mask")).toObject();
        const bool hasUrl = mask.contains(QLatin1String("url"));
        if (hasUrl == mask.contains(QLatin1String("areas")))
            return QStringLiteral("mask needs either url or areas");
        return hasUrl ? checkRasterMask(mask.value(QLatin1String("url")), *size, job)
                      : checkAreas(mask.value(QLatin1String("areas")), *size, job);
    }

    Answer submit(const RecordedRequest &r)
    {
        if (!authorized(r))
            return vendorAnswer(401, 401, QStringLiteral("Unauthorized: invalid API key"));
        if (!r.header("Content-Type").startsWith("application/json"))
            return refuse(QStringLiteral("Content-Type must be application/json"));
        const QJsonObject body = r.json();
        if (body.value(QLatin1String("request_type")) != QLatin1String("async"))
            return refuse(QStringLiteral("request_type must be async"));
        static const QStringList providers {QStringLiteral("auto"), QStringLiteral("value"),
                                            QStringLiteral("official")};
        if (!providers.contains(body.value(QLatin1String("provider")).toString()))
            return refuse(QStringLiteral("provider must be auto, value or official"));
        const QJsonObject input = body.value(QLatin1String("input")).toObject();
        Job job;
        // Ids unique in the process: a test may script several fakes over one history.
        static int s_lastId = 0;
        job.id = QStringLiteral("task_%1").arg(12345678 + ++s_lastId);
        job.mode = input.value(QLatin1String("mode")).toString();
        job.body = body;
        job.runningPolls = runningPolls;
        job.fail = fail;
        job.failCode = failCode;
        job.failMsg = failMsg;

        QList<QSize> results;
        // The vendor doc marks version and speed "обязательно" in the generating modes (issue
        // "Correctness" §1): a strict server refuses their absence as "input.version is required".
        static const QStringList generating {QStringLiteral("text-to-image"),
                                             QStringLiteral("image-to-image"),
                                             QStringLiteral("upload-paint")};
        if (generating.contains(job.mode)) {
            static const QStringList versions {QStringLiteral("v6"), QStringLiteral("v6.1"),
                                               QStringLiteral("v7"), QStringLiteral("niji 6"),
                                               QStringLiteral("niji 7")};
            static const QStringList speeds {QStringLiteral("fast"), QStringLiteral("turbo")};
            for (const char *field : {"version", "speed"}) {
                if (!input.contains(QLatin1String(field)))
                    return refuse(QStringLiteral("input.%1 is required").arg(QLatin1String(field)));
            }
            if (!versions.contains(input.value(QLatin1String("version")).toString()))
                return refuse(QStringLiteral("input.version is invalid"));
            if (!speeds.contains(input.value(QLatin1String("speed")).toString()))
                return refuse(QStringLiteral("input.speed is invalid"));
        }
        if (job.mode == QLatin1String("text-to-image") || job.mode == QLatin1String("image-to-image")) {
            if (input.value(QLatin1String("prompt")).toString().isEmpty())
                return refuse(QStringLiteral("prompt is required"));
            const bool fromImages = job.mode == QLatin1String("image-to-image");
            if (fromImages != input.contains(QLatin1String("image_urls")))
                return refuse(QStringLiteral("image_urls: only and always with image-to-image"));
            results = QList<QSize>(4, sizeFor(input.value(QLatin1String("aspect")).toString()));
        } else if (job.mode == QLatin1String("vary") || job.mode == QLatin1String("upscale")) {
            QString why;
            const std::optional<QString> source = actionSource(input, &why);
            if (!source)
                return refuse(why);
            const QJsonValue type = input.value(QLatin1String("type"));
            const bool vary = job.mode == QLatin1String("vary");
            if (!isInt(type) || type.toInt() < 0 || type.toInt() > (vary ? 1 : 3))
                return refuse(vary ? QStringLiteral("type must be 0 (subtle) or 1 (strong)")
                                   : QStringLiteral("type must be 0, 1, 2 or 3"));
            const QSize size = sizes.value(*source);
            // What the real server does with an upscale or vary of an upscale (issue 12): it accepts and
            // charges, then fails the task.
            if (jobs.value(input.value(QLatin1String("taskId")).toString()).files.size() != 4) {
                job.fail = true;
                job.failCode = QStringLiteral("INVALID_TASK_ID");
                job.failMsg = QStringLiteral("The task has no 4-image result to %1").arg(job.mode);
            }
            if (vary)
                results = QList<QSize>(4, size);
            else
                results = {type.toInt() == 3 ? size * 4 : type.toInt() == 0 ? size : size * 2};
        } else if (job.mode == QLatin1String("upload-paint")) {
            QSize size;
            if (const QString why = checkPaint(input, job, &size); !why.isEmpty())
                return refuse(why);
            results = QList<QSize>(4, size);
        } else {
            return refuse(QStringLiteral("mode is invalid"));
        }
        order.append(job.id);
        for (int i = 0; i < results.size(); ++i)
            job.files.append(addImage(job.id, i, results.at(i)));
        jobs.insert(job.id, job);
        return Answer::json(
            200, envelope(200, QStringLiteral("success"), QJsonObject {{QStringLiteral("taskId"), job.id}}));
    }

    Answer status(const RecordedRequest &r)
    {
        if (!authorized(r))
            return vendorAnswer(401, 401, QStringLiteral("Unauthorized: invalid API key"));
        const QString id = r.queryItems().queryItemValue(QStringLiteral("taskId"));
        if (!jobs.contains(id))
            return Answer::json(
                200,
                envelope(200, QStringLiteral("success"),
                         QJsonObject {{QStringLiteral("taskId"), id},
                                      {QStringLiteral("state"), QStringLiteral("failed")},
                                      {QStringLiteral("failCode"), QStringLiteral("INVALID_TASK_ID")},
                                      {QStringLiteral("failMsg"), QStringLiteral("Task not found")}}));
        Job &job = jobs[id];
        ++job.polls;
        QJsonObject data {{QStringLiteral("taskId"), job.id},
                          {QStringLiteral("createTime"), 1767965610929LL}};
        if (job.polls <= job.runningPolls) {
            data.insert(QStringLiteral("state"),
                        job.polls == 1 ? QStringLiteral("pending") : QStringLiteral("processing"));
        } else if (job.fail) {
            data.insert(QStringLiteral("state"), QStringLiteral("failed"));
            data.insert(QStringLiteral("failCode"), job.failCode);
            data.insert(QStringLiteral("failMsg"),
                        job.failMsg.isNull() ? QJsonValue() : QJsonValue(job.failMsg));
        } else {
            QJsonArray urls;
            for (const QString &name : std::as_const(job.files))
                urls.append(m_env.fileUrl(name));
            data.insert(QStringLiteral("state"), QStringLiteral("success"));
            // resultJson is a JSON string, to be parsed again (PROVIDERS.md §2).
            data.insert(QStringLiteral("resultJson"),
                        QString::fromUtf8(QJsonDocument(QJsonObject {{QStringLiteral("resultUrls"), urls}})
                                              .toJson(QJsonDocument::Compact)));
            data.insert(QStringLiteral("completeTime"), 1767965652317LL);
            data.insert(QStringLiteral("costTime"), 41388);
        }
        return Answer::json(200, envelope(200, QStringLiteral("success"), data));
    }

    Answer file(const RecordedRequest &r)
    {
        const QString name = r.path.mid(kFiles.size());
        for (auto it = fileAnswers.cbegin(); it != fileAnswers.cend(); ++it) {
            if (name.endsWith(it.key()))
                return it.value();
        }
        if (!files.contains(name))
            return Answer::text(404, "Not Found");
        return Answer::bytes(files.value(name), "image/png");
    }

    E2EEnv &m_env;
};

// `task`'s images as apixo sent them: `count` separate images (tiles 1..count, or one upscale at index
// 0), each in the archive with the exact bytes the server served and its decoded size. No grid, no split.
inline void verifyArchived(E2EEnv &env, FakeApixo &fake, const Task &task, ImageRole role, int count)
{
    QCOMPARE(task.images.size(), count);
    const Task stored = env.task(task.id);
    QCOMPARE(stored.images, task.images);
    const QStringList files = fake.job(task.remoteId).files;
    QCOMPARE(files.size(), count);
    for (int i = 0; i < count; ++i) {
        const ImageRef &img = task.images.at(i);
        const QString name = files.value(i);
        QCOMPARE(img.role, role);
        QCOMPARE(img.state, ImageState::Downloaded);
        QCOMPARE(img.remoteUrl, env.fileUrl(name));
        QCOMPARE(img.index, role == ImageRole::Upscale ? 0 : i + 1);
        const QString path = env.pathOf(img);
        QVERIFY2(path.startsWith(env.archive->root()), qPrintable(path));
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        const QByteArray bytes = readAll(path);
        QCOMPARE(bytes, fake.files.value(name));
        QCOMPARE(img.hash, sha256(bytes));
        QCOMPARE(QImageReader(path).size(), fake.sizes.value(name));
        QCOMPARE(img.size, fake.sizes.value(name));
    }
}

inline Operation action(OperationKind kind, const Task &parent, int tile, const QString &variant = {})
{
    Operation op = Operation::action(kind, parent.id, tile);
    op.variant = variant;
    return op;
}

// The body of a submit as the vendor doc spells it.
inline QJsonObject submitBody(const QJsonObject &input, const QString &provider = QStringLiteral("auto"))
{
    return {{QStringLiteral("request_type"), QStringLiteral("async")},
            {QStringLiteral("provider"), provider},
            {QStringLiteral("input"), input}};
}

inline QJsonObject actionInput(const char *mode, const Task &parent, int index, int type)
{
    return {{QStringLiteral("mode"), QLatin1String(mode)},
            {QStringLiteral("taskId"), parent.remoteId},
            {QStringLiteral("imageIndex"), index},
            {QStringLiteral("type"), type}};
}

// Every request to apixo's API carried the key as a Bearer token; no file download carried it.
inline void verifyAuth(const E2EEnv &env, const FakeApixo &fake)
{
    QCOMPARE(fake.refusedAuth, 0);
    QCOMPARE(fake.refusals, QStringList());
    VERIFY_OK(verifyBearerOnApiOnly(env.server));
}

// The white pixels of `mask` are exactly `rect`.
inline void verifyMaskIs(const QImage &mask, QRect rect)
{
    QVERIFY(!mask.isNull());
    for (int y = 0; y < mask.height(); ++y) {
        const uchar *line = mask.constScanLine(y);
        for (int x = 0; x < mask.width(); ++x) {
            if ((line[x] == 255) != rect.contains(x, y))
                QFAIL(qPrintable(QStringLiteral("mask pixel %1,%2 is %3").arg(x).arg(y).arg(line[x])));
        }
    }
}

} // namespace
