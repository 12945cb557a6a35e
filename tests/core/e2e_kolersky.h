// The kolersky family's end-to-end fixture (PROVIDERS.md §1, §5 column kolersky, §6 polling), shared by
// tst_e2e_kolersky (operations, cancel, limits) and tst_e2e_kolersky_failures (the failure tables): a
// stateful fake of the vendor on the rig's FakeHttpServer that checks what a real server would (Bearer key,
// JSON bodies, parents of the right shape, the mask's pixel size) and answers in the vendor's shapes: a 2x2
// collage with eight actions for image tasks, a single image (output.image_url, the adapter's Decision) for
// upscales, video_urls for videos. Test-only header: it opens the test namespaces for the file that
// includes it.
#pragma once

#include "e2eenv.h"
#include "e2ehelpers.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QTest>

#include <array>
#include <functional>
#include <optional>

using namespace tessera;
using namespace tessera::test;
using namespace tessera::test::e2e;

namespace {

const QSize kGridSize(1024, 1024);
// Engine time per real time (E2EEnv::clock): the vendor's 5 s between status checks take 10 ms.
constexpr double kClockSpeed = 500;
const QString kPrompt = QStringLiteral("a red fox in the snow");

inline QString str(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

inline QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

inline QByteArray encode(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

// Tiles 1..4 row-major (PROVIDERS.md "General rules"): each quadrant of a grid has its own colour, so a
// tile stored under the wrong number shows.
inline QColor tileColor(int tile)
{
    static const QColor colors[]
        = {QColor(220, 30, 30), QColor(30, 200, 60), QColor(40, 70, 220), QColor(230, 210, 20)};
    return colors[tile - 1];
}

inline QByteArray gridPng(QSize size)
{
    // Encoded once per size: the fake serves many grids and the machine running the tests is shared.
    static QHash<QPair<int, int>, QByteArray> cache;
    QByteArray &cached = cache[{size.width(), size.height()}];
    if (!cached.isEmpty())
        return cached;
    QImage img(size, QImage::Format_RGB32);
    const std::array<QRect, 4> rects = ImageArchive::tileRects(size);
    QPainter p(&img);
    for (int tile = 1; tile <= 4; ++tile)
        p.fillRect(rects[tile - 1], tileColor(tile));
    p.end();
    cached = encode(img);
    return cached;
}

// What a video CDN serves: an MP4 box header, then filler.
inline QByteArray fakeMp4(int index)
{
    QByteArray bytes("\0\0\0\x18"
                     "ftypmp42",
                     12);
    bytes.append(QByteArray(2048, static_cast<char>('a' + index)));
    return bytes;
}

inline Answer vendorError(int http, const char *err, int code, const QString &message)
{
    return Answer::json(http,
                        QJsonObject {{QStringLiteral("err"), str(err)},
                                     {QStringLiteral("code"), code},
                                     {QStringLiteral("message"), message}});
}

// The vendor, as PROVIDERS.md §1 describes it, with knobs for the failure paths.
class KolerskyFake
{
public:
    struct Job
    {
        QString id;
        QString endpoint; // "generate", "upscale", "pan", ...
        QJsonObject body;
        int polls = 0;
        bool cancelled = false;
        QSize imageSize; // of an upscale's single image
    };

    explicit KolerskyFake(E2EEnv &env)
        : m_env(env)
    {
        // kolersky's 5 s between status checks holds whatever the account says: engine time runs 500 times
        // faster here (10 ms of real time between checks).
        env.clock.setSpeed(kClockSpeed);
        FakeHttpServer &server = env.server;
        server.on("POST", QStringLiteral("/v1/midjourney/*"),
                  [this](const RecordedRequest &r) { return onSubmit(r); });
        server.on("GET", QStringLiteral("/v1/status"),
                  [this](const RecordedRequest &r) { return onStatus(r); });
        server.on("DELETE", QStringLiteral("/v1/midjourney/cancel"),
                  [this](const RecordedRequest &r) { return onCancel(r); });
        server.on("GET", QStringLiteral("/files/*"), [this](const RecordedRequest &r) { return onFile(r); });
    }

    // How many status checks a task takes: "accepted", "processing" (45%), then "success".
    int pollsToFinish = 3;
    // Non-empty: tasks never get past this status ("accepted" or "processing").
    QString holdAt;
    QSize upscaleSize {1024, 1024};
    QSize gridSize = kGridSize;
    // Replaces the status answer of a task (after it was counted); nullopt: the normal answer.
    std::function<std::optional<Answer>(const Job &)> statusOverride;
    // Replaces a result file (named "<requestId>-grid.png", "-upscale.png", "-video-N.mp4").
    std::function<std::optional<Answer>(const QString &name)> fileOverride;

    // Answers given once each, before anything else, to requests of `path`.
    void script(const QString &path, const Answer &answer) { m_scripted[path].append(answer); }

    QList<Job> jobs;
    int unauthorised = 0; // API requests without "Authorization: Bearer <key>"

    const Job *job(const QString &id) const
    {
        for (const Job &j : jobs) {
            if (j.id == id)
                return &j;
        }
        return nullptr;
    }

    QList<RecordedRequest> submits(const QString &endpoint) const
    {
        return m_env.server.requests("POST", QStringLiteral("/v1/midjourney/") + endpoint);
    }

    QList<RecordedRequest> statusChecks(const QString &requestId = {}) const
    {
        QList<RecordedRequest> out;
        for (const RecordedRequest &r : m_env.server.requests("GET", QStringLiteral("/v1/status"))) {
            if (requestId.isEmpty()
                || r.queryItems().queryItemValue(QStringLiteral("requestId")) == requestId)
                out.append(r);
        }
        return out;
    }

private:
    Job *findJob(const QString &id)
    {
        for (Job &j : jobs) {
            if (j.id == id)
                return &j;
        }
        return nullptr;
    }

    std::optional<Answer> scripted(const QString &path)
    {
        auto it = m_scripted.find(path);
        if (it == m_scripted.end() || it->isEmpty())
            return std::nullopt;
        return it->takeFirst();
    }

    bool authorised(const RecordedRequest &r)
    {
        if (r.header("Authorization") == bearer())
            return true;
        ++unauthorised;
        return false;
    }

    static Answer invalid(const QString &message)
    {
        return vendorError(400, "Invalid parameters", 400, message);
    }

    static bool producesGrid(const Job &j)
    {
        if (j.endpoint == QLatin1String("generate"))
            return !j.body.value(QStringLiteral("taskType")).toString().contains(QLatin1String("video"));
        return QStringList {QStringLiteral("variation"), QStringLiteral("reroll"), QStringLiteral("pan"),
                            QStringLiteral("outpaint"), QStringLiteral("inpaint")}
            .contains(j.endpoint);
    }

    // What the vendor refuses, so that a wrong request shows as the vendor's own 400 in the test.
    std::optional<Answer> refuse(const QString &endpoint, const QJsonObject &body)
    {
        if (endpoint == QLatin1String("generate")) {
            static const QStringList types {
                QStringLiteral("text-to-image"),   QStringLiteral("image-to-image"),
                QStringLiteral("style-reference"), QStringLiteral("omni-reference"),
                QStringLiteral("image-to-video"),  QStringLiteral("image-to-video-hd")};
            if (!types.contains(body.value(QStringLiteral("taskType")).toString()))
                return invalid(QStringLiteral("taskType is invalid"));
            if (body.value(QStringLiteral("prompt")).toString().isEmpty())
                return invalid(QStringLiteral("prompt is required"));
            if (body.contains(QStringLiteral("fileUrl")) && body.contains(QStringLiteral("fileUrls")))
                return invalid(QStringLiteral("use either fileUrl or fileUrls"));
            // The fields the vendor doc marks "обязательно" per taskType (issue "Correctness" §1).
            const QString type = body.value(QStringLiteral("taskType")).toString();
            const bool video = type.startsWith(QLatin1String("image-to-video"));
            if (type != QLatin1String("text-to-image") && !body.contains(QStringLiteral("fileUrl"))
                && body.value(QStringLiteral("fileUrls")).toArray().isEmpty())
                return invalid(QStringLiteral("fileUrl is required for %1").arg(type));
            if (video && body.value(QStringLiteral("motion")).toString().isEmpty())
                return invalid(QStringLiteral("motion is required for %1").arg(type));
            return std::nullopt;
        }
        const QJsonValue parentId = body.value(QStringLiteral("requestId"));
        if (!parentId.isString())
            return invalid(QStringLiteral("requestId is required"));
        const Job *parent = job(parentId.toString());
        if (!parent)
            return vendorError(404, "Not found", 404, QStringLiteral("requestId not found"));
        if (statusOf(*parent) != QLatin1String("success"))
            return invalid(QStringLiteral("the task has not finished"));
        const bool onSingle = parent->endpoint == QLatin1String("upscale");
        if (endpoint == QLatin1String("upscale") || endpoint == QLatin1String("variation")) {
            const QJsonValue index = body.value(QStringLiteral("index"));
            if (!producesGrid(*parent))
                return invalid(QStringLiteral("index refers to a collage"));
            if (!index.isDouble() || index.toInt() < 1 || index.toInt() > 4)
                return invalid(QStringLiteral("index must be 1-4"));
        } else if (endpoint == QLatin1String("pan") || endpoint == QLatin1String("outpaint")
                   || endpoint == QLatin1String("inpaint")) {
            if (!onSingle)
                return invalid(QStringLiteral("requestId must be an upscaled image"));
            if (endpoint == QLatin1String("pan")) {
                static const QStringList directions {QStringLiteral("up"), QStringLiteral("down"),
                                                     QStringLiteral("left"), QStringLiteral("right")};
                if (body.value(QStringLiteral("prompt")).toString().isEmpty())
                    return invalid(QStringLiteral("prompt is required"));
                if (!directions.contains(body.value(QStringLiteral("direction")).toString()))
                    return invalid(QStringLiteral("direction is invalid"));
            }
            if (endpoint == QLatin1String("outpaint") && body.contains(QStringLiteral("zoom_ratio"))
                && !body.value(QStringLiteral("zoom_ratio")).isString())
                return invalid(QStringLiteral("zoom_ratio must be a string"));
            if (endpoint == QLatin1String("inpaint")) {
                const QImage mask = QImage::fromData(
                    QByteArray::fromBase64(body.value(QStringLiteral("mask")).toString().toLatin1()), "PNG");
                if (mask.isNull())
                    return invalid(QStringLiteral("mask must be a base64 PNG"));
                if (mask.size() != parent->imageSize)
                    return invalid(QStringLiteral("mask size must match the image"));
            }
        } else if (endpoint != QLatin1String("reroll") && endpoint != QLatin1String("seed")) {
            return vendorError(404, "Not found", 404, QStringLiteral("unknown endpoint"));
        }
        return std::nullopt;
    }

    Answer onSubmit(const RecordedRequest &r)
    {
        const bool keyOk = authorised(r);
        if (std::optional<Answer> a = scripted(r.path))
            return *a;
        if (!keyOk)
            return vendorError(401, "Unauthorized", 401, QStringLiteral("Invalid API key"));
        if (!r.header("Content-Type").startsWith("application/json"))
            return invalid(QStringLiteral("Content-Type must be application/json"));
        const QString endpoint = r.path.section(QLatin1Char('/'), -1);
        const QJsonObject body = r.json();
        if (std::optional<Answer> refused = refuse(endpoint, body))
            return *refused;
        Job j;
        j.id = QStringLiteral("5f0c1e2a-7b3d-4c1e-9a00-%1").arg(jobs.size() + 1, 12, 10, QLatin1Char('0'));
        j.endpoint = endpoint;
        j.body = body;
        if (endpoint == QLatin1String("upscale"))
            j.imageSize = upscaleSize;
        jobs.append(j);
        return Answer::json(200,
                            QJsonObject {{QStringLiteral("requestId"), j.id},
                                         {QStringLiteral("status"), QStringLiteral("accepted")},
                                         {QStringLiteral("code"), 200}});
    }

    Answer success(const Job &j)
    {
        const QString taskType = j.body.value(QStringLiteral("taskType")).toString();
        QJsonObject output;
        if (j.endpoint == QLatin1String("seed")) {
            // 19 digits: more than a double holds; the adapter must keep it as written.
            return Answer::jsonText(200,
                                    QByteArray(R"({"requestId":")") + j.id.toLatin1()
                                        + R"(","status":"success","code":200,"output":{"seed":)" + m_seed
                                        + "}}");
        } else if (taskType.contains(QLatin1String("video"))) {
            QJsonArray urls;
            const int count = j.body.value(QStringLiteral("videoBatchSize")).toInt(1);
            for (int i = 1; i <= count; ++i) {
                const QString name = QStringLiteral("%1-video-%2.mp4").arg(j.id).arg(i);
                m_files.insert(name, {fakeMp4(i), "video/mp4"});
                urls.append(m_env.fileUrl(name));
            }
            output.insert(QStringLiteral("video_urls"), urls);
            output.insert(QStringLiteral("actions"), QJsonArray());
        } else if (j.endpoint == QLatin1String("upscale")) {
            const QString name = j.id + QStringLiteral("-upscale.png");
            QByteArray &png = m_upscales[{j.imageSize.width(), j.imageSize.height()}];
            if (png.isEmpty())
                png = E2EEnv::png(j.imageSize, QColor(200, 120, 40));
            m_files.insert(name, {png, "image/png"});
            output.insert(QStringLiteral("image_url"), m_env.fileUrl(name));
        } else {
            const QString name = j.id + QStringLiteral("-grid.png");
            m_files.insert(name, {gridPng(gridSize), "image/png"});
            QJsonArray actions;
            for (int index = 1; index <= 8; ++index)
                actions.append(QJsonObject {
                    {QStringLiteral("index"), index},
                    {QStringLiteral("requestId"), QString(j.id + QStringLiteral("-a%1").arg(index))}});
            output.insert(QStringLiteral("collage"),
                          QJsonObject {{QStringLiteral("image_url"), m_env.fileUrl(name)},
                                       {QStringLiteral("actions"), actions}});
        }
        return Answer::json(200,
                            QJsonObject {{QStringLiteral("requestId"), j.id},
                                         {QStringLiteral("status"), QStringLiteral("success")},
                                         {QStringLiteral("code"), 200},
                                         {QStringLiteral("output"), output}});
    }

    // Where a task is after the status checks it has had.
    QString statusOf(const Job &j) const
    {
        if (j.cancelled)
            return QStringLiteral("error");
        if (holdAt == QLatin1String("accepted") || (holdAt.isEmpty() && j.polls <= 1))
            return QStringLiteral("accepted");
        if (!holdAt.isEmpty() || j.polls < pollsToFinish)
            return QStringLiteral("processing");
        return QStringLiteral("success");
    }

    Answer onStatus(const RecordedRequest &r)
    {
        const bool keyOk = authorised(r);
        if (std::optional<Answer> a = scripted(r.path))
            return *a;
        if (!keyOk)
            return vendorError(401, "Unauthorized", 401, QStringLiteral("Invalid API key"));
        Job *j = findJob(r.queryItems().queryItemValue(QStringLiteral("requestId")));
        if (!j)
            return vendorError(404, "Not found", 404, QStringLiteral("requestId not found"));
        ++j->polls;
        if (statusOverride) {
            if (std::optional<Answer> a = statusOverride(*j))
                return *a;
        }
        const QString status = statusOf(*j);
        if (status == QLatin1String("success"))
            return success(*j);
        QJsonObject answer {{QStringLiteral("requestId"), j->id},
                            {QStringLiteral("status"), status},
                            {QStringLiteral("code"), 200}};
        if (j->cancelled)
            answer.insert(QStringLiteral("message"), QStringLiteral("Task was cancelled"));
        if (status == QLatin1String("processing"))
            answer.insert(QStringLiteral("output"),
                          QJsonObject {{QStringLiteral("progress"), QStringLiteral("45%")}});
        return Answer::json(200, answer);
    }

    Answer onCancel(const RecordedRequest &r)
    {
        const bool keyOk = authorised(r);
        if (std::optional<Answer> a = scripted(r.path))
            return *a;
        if (!keyOk)
            return vendorError(401, "Unauthorized", 401, QStringLiteral("Invalid API key"));
        Job *j = findJob(r.json().value(QStringLiteral("requestId")).toString());
        if (!j)
            return vendorError(404, "Not found", 404, QStringLiteral("requestId not found"));
        // "Отмена задачи в статусе accepted" only.
        if (statusOf(*j) != QLatin1String("accepted"))
            return invalid(QStringLiteral("Only a task in status accepted can be cancelled"));
        j->cancelled = true;
        return Answer::json(200,
                            QJsonObject {{QStringLiteral("requestId"), j->id},
                                         {QStringLiteral("status"), QStringLiteral("cancelled")},
                                         {QStringLiteral("code"), 200}});
    }

    Answer onFile(const RecordedRequest &r)
    {
        const QString name = r.path.mid(QStringLiteral("/files/").size());
        if (fileOverride) {
            if (std::optional<Answer> a = fileOverride(name))
                return *a;
        }
        const auto it = m_files.constFind(name);
        if (it == m_files.constEnd())
            return Answer::text(404, "Not Found");
        return Answer::bytes(it->first, it->second);
    }

    E2EEnv &m_env;
    QHash<QString, QList<Answer>> m_scripted;
    QHash<QString, QPair<QByteArray, QByteArray>> m_files;
    QHash<QPair<int, int>, QByteArray> m_upscales; // encoded once per size
    QByteArray m_seed = "1234567890123456789";
};

// Quick polling for the failure paths (the 60-check cap is also reached in well under a second).
inline QJsonObject fastPolling()
{
    // The interval is held to the vendor's 5 s whatever it says here (engine time runs kClockSpeed times
    // faster); the day-long timeout keeps a hanging request (1.5 s of real time, 750 s of engine time)
    // from ending a run.
    return QJsonObject {{QStringLiteral("first-poll"), QStringLiteral("0.01")},
                        {QStringLiteral("poll-interval"), QStringLiteral("0.01")},
                        {QStringLiteral("timeout"), QStringLiteral("86400")}};
}

inline QString describe(const Task &t)
{
    return QStringLiteral("%1 %2: %3")
        .arg(t.operation.label(), taskStateName(t.state),
             t.error ? t.error->userText() : QStringLiteral("-"));
}

// Every API request carried the key as "Bearer <key>"; no result download carried it.
inline void checkAuth(const E2EEnv &env, const KolerskyFake &fake)
{
    QCOMPARE(fake.unauthorised, 0);
    VERIFY_OK(verifyBearerOnApiOnly(env.server));
}

inline void checkStored(const E2EEnv &env, const ImageRef &img, QSize size)
{
    QCOMPARE(img.state, ImageState::Downloaded);
    const QString path = env.pathOf(img);
    QVERIFY2(path.startsWith(QDir(env.paths.archiveDir).absolutePath() + QLatin1Char('/')), qPrintable(path));
    QVERIFY2(QFileInfo::exists(path), qPrintable(path));
    QCOMPARE(img.size, size);
    QImageReader reader(path);
    QCOMPARE(reader.size(), size);
    QCOMPARE(reader.format(), QByteArray("png"));
}

// A collage: the grid as it came and its four tiles, row-major.
inline void checkGrid(const E2EEnv &env, const Task &t)
{
    QVERIFY2(t.state == TaskState::Succeeded && !t.error, qPrintable(describe(t)));
    QCOMPARE(t.images.size(), 5);
    QCOMPARE(t.images[0].role, ImageRole::Grid);
    QVERIFY(t.images[0].remoteUrl.endsWith(QLatin1String("-grid.png")));
    VERIFY_OK(checkStored(env, t.images[0], kGridSize));
    const std::array<QRect, 4> rects = ImageArchive::tileRects(kGridSize);
    for (int tile = 1; tile <= 4; ++tile) {
        const ImageRef *img = t.image(tile);
        QVERIFY(img);
        VERIFY_OK(checkStored(env, *img, rects[tile - 1].size()));
        const QImage decoded(env.pathOf(*img));
        QCOMPARE(decoded.pixelColor(decoded.width() / 2, decoded.height() / 2), tileColor(tile));
    }
    // The eight actions (1-4 V, 5-8 U) are kept with the task (§1 Decisions).
    const QJsonArray actions = t.remote.value(QStringLiteral("actions")).toArray();
    QCOMPARE(actions.size(), 8);
    for (int i = 0; i < 8; ++i) {
        QCOMPARE(actions[i].toObject().value(QStringLiteral("index")).toInt(), i + 1);
        QCOMPARE(actions[i].toObject().value(QStringLiteral("requestId")).toString(),
                 t.remoteId + QStringLiteral("-a%1").arg(i + 1));
    }
}

inline void checkUpscale(const E2EEnv &env, const Task &t, QSize size)
{
    QVERIFY2(t.state == TaskState::Succeeded && !t.error, qPrintable(describe(t)));
    QCOMPARE(t.images.size(), 1);
    QCOMPARE(t.images[0].role, ImageRole::Upscale);
    QCOMPARE(t.images[0].index, 0);
    QVERIFY(t.image(0));
    VERIFY_OK(checkStored(env, t.images[0], size));
}

// The one request sent to `endpoint` since `before` requests had been sent there; its JSON body.
inline QJsonObject onlyBody(const KolerskyFake &fake, const QString &endpoint, int before = 0)
{
    const QList<RecordedRequest> sent = fake.submits(endpoint);
    if (sent.size() != before + 1) {
        qWarning("%lld requests to %s, expected %d", static_cast<long long>(sent.size()),
                 qPrintable(endpoint), before + 1);
        return {};
    }
    if (!sent.last().header("Content-Type").startsWith("application/json"))
        return {};
    return sent.last().json();
}

} // namespace
