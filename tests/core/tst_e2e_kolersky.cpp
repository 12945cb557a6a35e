// End to end, the kolersky family (PROVIDERS.md §1, §5 column kolersky, §6 polling): the product's
// registry, HttpClient and TaskEngine against a stateful fake of the vendor on 127.0.0.1. The fake checks
// what a real server would (Bearer key, JSON bodies, parents of the right shape, the mask's pixel size)
// and answers in the vendor's shapes: a 2x2 collage with eight actions for image tasks, a single image
// (output.image_url, the adapter's Decision) for upscales, video_urls for videos.
#include "e2eenv.h"
#include "model/accountoptions.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QPainter>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>

#include <array>
#include <functional>
#include <optional>

Q_DECLARE_METATYPE(tessera::test::Answer)

using namespace tessera;
using namespace tessera::test;

// A failed QCOMPARE/QVERIFY inside a helper returns from the helper only: stop the test too.
#define CHECKED(call)                                                                                        \
    do {                                                                                                     \
        call;                                                                                                \
        if (QTest::currentTestFailed())                                                                      \
            return;                                                                                          \
    } while (false)

namespace {

const QSize kGridSize(1024, 1024);
// Engine time per real time (E2EEnv::clock): the vendor's 5 s between status checks take 10 ms.
constexpr double kClockSpeed = 500;
const QString kPrompt = QStringLiteral("a red fox in the snow");

QString str(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray encode(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

// Tiles 1..4 row-major (PROVIDERS.md "General rules"): each quadrant of a grid has its own colour, so a
// tile stored under the wrong number shows.
QColor tileColor(int tile)
{
    static const QColor colors[]
        = {QColor(220, 30, 30), QColor(30, 200, 60), QColor(40, 70, 220), QColor(230, 210, 20)};
    return colors[tile - 1];
}

QByteArray gridPng(QSize size)
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
QByteArray fakeMp4(int index)
{
    QByteArray bytes("\0\0\0\x18"
                     "ftypmp42",
                     12);
    bytes.append(QByteArray(2048, static_cast<char>('a' + index)));
    return bytes;
}

// A small, well-formed PNG that declares 30000×30000 pixels (3.6 GB once decoded).
QByteArray hugePng()
{
    return QByteArray::fromHex("89504e470d0a1a0a0000000d49484452000075300000753008060000006627f8ba0000000c"
                               "49444154789c6360a00c000000400001b7347cef0000000049454e44ae426082");
}

QByteArray bearer()
{
    return QByteArray("Bearer ") + E2EEnv::kKey;
}

Answer vendorError(int http, const char *err, int code, const QString &message)
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
QJsonObject fastPolling()
{
    // The interval is held to the vendor's 5 s whatever it says here (engine time runs kClockSpeed times
    // faster); the day-long timeout keeps a hanging request (1.5 s of real time, 750 s of engine time)
    // from ending a run.
    return QJsonObject {{QStringLiteral("first-poll"), QStringLiteral("0.01")},
                        {QStringLiteral("poll-interval"), QStringLiteral("0.01")},
                        {QStringLiteral("timeout"), QStringLiteral("86400")}};
}

QString describe(const Task &t)
{
    return QStringLiteral("%1 %2: %3")
        .arg(t.operation.label(), taskStateName(t.state),
             t.error ? t.error->userText() : QStringLiteral("-"));
}

} // namespace

class TestE2EKolersky : public QObject
{
    Q_OBJECT

private:
    // Every API request carried the key as "Bearer <key>"; no result download carried it.
    static void checkAuth(const E2EEnv &env, const KolerskyFake &fake)
    {
        QCOMPARE(fake.unauthorised, 0);
        for (const RecordedRequest &r : env.server.requests()) {
            if (r.path.startsWith(QLatin1String("/files/")))
                QVERIFY2(!r.hasHeader("Authorization"), qPrintable(r.path));
            else
                QCOMPARE(r.header("Authorization"), bearer());
        }
    }

    static void checkStored(const E2EEnv &env, const ImageRef &img, QSize size)
    {
        QCOMPARE(img.state, ImageState::Downloaded);
        const QString path = env.pathOf(img);
        QVERIFY2(path.startsWith(QDir(env.paths.archiveDir).absolutePath() + QLatin1Char('/')),
                 qPrintable(path));
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        QCOMPARE(img.size, size);
        QImageReader reader(path);
        QCOMPARE(reader.size(), size);
        QCOMPARE(reader.format(), QByteArray("png"));
    }

    // A collage: the grid as it came and its four tiles, row-major.
    static void checkGrid(const E2EEnv &env, const Task &t)
    {
        QVERIFY2(t.state == TaskState::Succeeded && !t.error, qPrintable(describe(t)));
        QCOMPARE(t.images.size(), 5);
        QCOMPARE(t.images[0].role, ImageRole::Grid);
        QVERIFY(t.images[0].remoteUrl.endsWith(QLatin1String("-grid.png")));
        CHECKED(checkStored(env, t.images[0], kGridSize));
        const std::array<QRect, 4> rects = ImageArchive::tileRects(kGridSize);
        for (int tile = 1; tile <= 4; ++tile) {
            const ImageRef *img = t.image(tile);
            QVERIFY(img);
            CHECKED(checkStored(env, *img, rects[tile - 1].size()));
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

    static void checkUpscale(const E2EEnv &env, const Task &t, QSize size)
    {
        QVERIFY2(t.state == TaskState::Succeeded && !t.error, qPrintable(describe(t)));
        QCOMPARE(t.images.size(), 1);
        QCOMPARE(t.images[0].role, ImageRole::Upscale);
        QCOMPARE(t.images[0].index, 0);
        QVERIFY(t.image(0));
        CHECKED(checkStored(env, t.images[0], size));
    }

    // The one request sent to `endpoint` since `before` requests had been sent there; its JSON body.
    static QJsonObject onlyBody(const KolerskyFake &fake, const QString &endpoint, int before = 0)
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

private slots:
    // imagine → U2 → pan left (on tile 2: reuses U2) → zoom 1.5x (on a pan tile: U first) → vary region
    // (on a zoom tile: U first, mask at the upscale's pixel size).
    void happyChain()
    {
        QList<int> progress; // outlives the engine that reports into it
        E2EEnv env(QStringLiteral("kolersky"));
        KolerskyFake fake(env);
        connect(env.engine.get(), &TaskEngine::taskChanged, this, [&](const Task &t) {
            if (t.progress && (progress.isEmpty() || progress.last() != *t.progress))
                progress.append(*t.progress);
        });

        Operation imagine = Operation::imagine(kPrompt);
        imagine.version = QStringLiteral("7");
        const Task grid = env.run(imagine);
        CHECKED(checkGrid(env, grid));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("generate"))),
                 compact(QJsonObject {{QStringLiteral("taskType"), QStringLiteral("text-to-image")},
                                      {QStringLiteral("prompt"), kPrompt},
                                      {QStringLiteral("version"), QStringLiteral("7")}}));
        QCOMPARE(grid.remoteId, fake.jobs[0].id);
        QCOMPARE(fake.statusChecks(grid.remoteId).size(), 3);
        QVERIFY2(progress.contains(45), qPrintable(QString::number(progress.size())));
        QCOMPARE(grid.progress.value_or(-1), 100);

        // U2: the vendor's index is Tessera's tile (1..4, row-major).
        const Task u2 = env.run(Operation::action(OperationKind::Upscale, grid.id, 2));
        CHECKED(checkUpscale(env, u2, QSize(1024, 1024)));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("upscale"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), grid.remoteId},
                                      {QStringLiteral("index"), 2}}));
        QCOMPARE(u2.parentId, grid.id);
        QCOMPARE(u2.tile, 2);

        // Pan left asked on tile 2 of the grid runs on the existing U2: no second upscale.
        Operation pan = Operation::action(OperationKind::Pan, grid.id, 2);
        pan.direction = QStringLiteral("left");
        const Task panned = env.run(pan);
        CHECKED(checkGrid(env, panned));
        QCOMPARE(fake.submits(QStringLiteral("upscale")).size(), 1);
        QCOMPARE(panned.parentId, u2.id);
        QCOMPARE(panned.tile, 0);
        // pan requires a prompt: the image's own is sent when the user typed none.
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("pan"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), u2.remoteId},
                                      {QStringLiteral("prompt"), kPrompt},
                                      {QStringLiteral("direction"), QStringLiteral("left")}}));

        // Zoom out 1.5x asked on tile 1 of the pan's grid: U1 of that grid is stored first.
        Operation zoom = Operation::action(OperationKind::Zoom, panned.id, 1);
        zoom.zoomFactor = QStringLiteral("1.5");
        const Result<QString> zoomId = env.submit(zoom);
        QVERIFY2(zoomId, zoomId ? "" : qPrintable(zoomId.error().message));
        const Task zoomed = env.runToEnd(*zoomId);
        CHECKED(checkGrid(env, zoomed));
        const auto panChildren = env.store->children(panned.id);
        QVERIFY(panChildren);
        QCOMPARE(panChildren->size(), 1);
        const Task u1 = env.task(panChildren->first().id);
        QCOMPARE(u1.operation.kind, OperationKind::Upscale);
        QCOMPARE(u1.tile, 1);
        CHECKED(checkUpscale(env, u1, QSize(1024, 1024)));
        QCOMPARE(zoomed.parentId, u1.id);
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("upscale"), 1)),
                 compact(QJsonObject {{QStringLiteral("requestId"), panned.remoteId},
                                      {QStringLiteral("index"), 1}}));
        // zoom_ratio is a string; an unset prompt is left out.
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("outpaint"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), u1.remoteId},
                                      {QStringLiteral("zoom_ratio"), QStringLiteral("1.5")}}));

        // Vary region on tile 4 of the zoom's grid, upscaled to 2048×2048: the 512×512 mask fixture is
        // sent as raw base64 of a PNG of exactly the upscale's size.
        fake.upscaleSize = QSize(2048, 2048);
        Operation inpaint = Operation::action(OperationKind::Inpaint, zoomed.id, 4);
        inpaint.prompt = QStringLiteral("a snowy owl");
        inpaint.mask = E2EEnv::maskPng(QSize(512, 512), QRect(128, 128, 256, 256));
        const Task varied = env.run(inpaint);
        CHECKED(checkGrid(env, varied));
        const auto zoomChildren = env.store->children(zoomed.id);
        QVERIFY(zoomChildren);
        QCOMPARE(zoomChildren->size(), 1);
        const Task u4 = env.task(zoomChildren->first().id);
        QCOMPARE(u4.tile, 4);
        CHECKED(checkUpscale(env, u4, QSize(2048, 2048)));
        QCOMPARE(varied.parentId, u4.id);
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("upscale"), 2)),
                 compact(QJsonObject {{QStringLiteral("requestId"), zoomed.remoteId},
                                      {QStringLiteral("index"), 4}}));
        const QJsonObject inpaintBody = onlyBody(fake, QStringLiteral("inpaint"));
        const QString mask = inpaintBody.value(QStringLiteral("mask")).toString();
        QVERIFY(!mask.startsWith(QLatin1String("data:")));
        const QByteArray png
            = QByteArray::fromBase64(mask.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        QCOMPARE(QString::fromLatin1(png.toBase64()), mask); // standard alphabet, padded, one line
        QVERIFY(png.startsWith("\x89PNG\r\n\x1a\n"));
        const QImage decoded = QImage::fromData(png, "PNG");
        QCOMPARE(decoded.size(), QSize(2048, 2048));
        QVERIFY(decoded.allGray());
        QCOMPARE(qGray(decoded.pixel(1024, 1024)), 255); // inside the white rectangle, scaled ×4
        QCOMPARE(qGray(decoded.pixel(100, 100)), 0);
        QCOMPARE(qGray(decoded.pixel(2000, 2000)), 0);
        QCOMPARE(compact(inpaintBody),
                 compact(QJsonObject {{QStringLiteral("requestId"), u4.remoteId},
                                      {QStringLiteral("prompt"), QStringLiteral("a snowy owl")},
                                      {QStringLiteral("mask"), mask}}));

        // Seven tasks in the history, each the child of the one before.
        const QStringList order {grid.id, u2.id, panned.id, u1.id, zoomed.id, u4.id, varied.id};
        for (qsizetype i = 1; i < order.size(); ++i)
            QCOMPARE(env.task(order[i]).parentId, order[i - 1]);
        QCOMPARE(env.store->children(grid.id)->size(), 1);
        CHECKED(checkAuth(env, fake));
    }

    // V1-V4 and U1-U4 (index 1..4 both sides), reroll, seed, pan ×4, zoom 2x and custom, on the server.
    void everyOtherOperation()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task grid = env.run(Operation::imagine(kPrompt));
        CHECKED(checkGrid(env, grid));

        QHash<QString, QString> ids; // "U1" → task id
        for (int tile = 1; tile <= 4; ++tile) {
            for (const OperationKind kind : {OperationKind::Upscale, OperationKind::Vary}) {
                const Result<QString> id = env.submit(Operation::action(kind, grid.id, tile));
                QVERIFY2(id, id ? "" : qPrintable(id.error().message));
                ids.insert((kind == OperationKind::Upscale ? QStringLiteral("U%1") : QStringLiteral("V%1"))
                               .arg(tile),
                           *id);
            }
        }
        for (auto it = ids.cbegin(); it != ids.cend(); ++it) {
            const Task t = env.runToEnd(it.value());
            const KolerskyFake::Job *job = fake.job(t.remoteId);
            QVERIFY2(job, qPrintable(describe(t)));
            QCOMPARE(job->endpoint,
                     it.key().startsWith(QLatin1Char('U')) ? QStringLiteral("upscale")
                                                           : QStringLiteral("variation"));
            QCOMPARE(compact(job->body),
                     compact(QJsonObject {{QStringLiteral("requestId"), grid.remoteId},
                                          {QStringLiteral("index"), t.tile}}));
            QCOMPARE(QString(it.key().at(1)), QString::number(t.tile));
            if (job->endpoint == QLatin1String("upscale"))
                CHECKED(checkUpscale(env, t, QSize(1024, 1024)));
            else
                CHECKED(checkGrid(env, t));
        }

        const Task rerolled = env.run(Operation::action(OperationKind::Reroll, grid.id, 0));
        CHECKED(checkGrid(env, rerolled));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("reroll"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), grid.remoteId}}));

        // The seed comes back as a 19-digit number; it is kept exactly, as a string.
        const Task seed = env.run(Operation::action(OperationKind::Seed, grid.id, 0));
        QVERIFY2(seed.state == TaskState::Succeeded && !seed.error, qPrintable(describe(seed)));
        QCOMPARE(seed.remote.value(QStringLiteral("seed")).toString(), QStringLiteral("1234567890123456789"));
        QVERIFY(seed.images.isEmpty());
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("seed"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), grid.remoteId}}));

        // Pan in the other three directions and zoom 2x / custom, straight on an upscale (no chaining).
        const Task u1 = env.task(ids.value(QStringLiteral("U1")));
        const int upscales = static_cast<int>(fake.submits(QStringLiteral("upscale")).size());
        int n = 0;
        for (const char *direction : {"up", "right", "down"}) {
            Operation pan = Operation::action(OperationKind::Pan, u1.id, 0);
            pan.direction = str(direction);
            pan.prompt = QStringLiteral("a fox, wide landscape");
            const Task t = env.run(pan);
            CHECKED(checkGrid(env, t));
            QCOMPARE(t.parentId, u1.id);
            QCOMPARE(compact(onlyBody(fake, QStringLiteral("pan"), n++)),
                     compact(QJsonObject {{QStringLiteral("requestId"), u1.remoteId},
                                          {QStringLiteral("prompt"), QStringLiteral("a fox, wide landscape")},
                                          {QStringLiteral("direction"), str(direction)}}));
        }
        n = 0;
        for (const char *factor : {"2", "1.25"}) {
            Operation zoom = Operation::action(OperationKind::Zoom, u1.id, 0);
            zoom.zoomFactor = str(factor);
            zoom.aspectRatio = QStringLiteral("16:9");
            const Task t = env.run(zoom);
            CHECKED(checkGrid(env, t));
            QCOMPARE(compact(onlyBody(fake, QStringLiteral("outpaint"), n++)),
                     compact(QJsonObject {{QStringLiteral("requestId"), u1.remoteId},
                                          {QStringLiteral("zoom_ratio"), str(factor)},
                                          {QStringLiteral("aspectRatio"), QStringLiteral("16:9")}}));
        }
        QCOMPARE(fake.submits(QStringLiteral("upscale")).size(), upscales);

        // What the family does not offer is refused before anything is sent, saying why.
        const int sent = env.server.count();
        Operation subtle = Operation::action(OperationKind::Upscale, grid.id, 1);
        subtle.variant = QStringLiteral("subtle");
        const Result<QString> refused = env.submit(subtle);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QLatin1String("kolersky")),
                 qPrintable(refused.error().message));
        Operation describeOp;
        describeOp.kind = OperationKind::Describe;
        describeOp.references = {env.fileUrl(QStringLiteral("ref.png"))};
        QVERIFY(!env.submit(describeOp));
        QCOMPARE(env.server.count(), sent);
        CHECKED(checkAuth(env, fake));
    }

    void generateTypes_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QJsonObject>("body");
        const QString r1 = QStringLiteral("https://example.com/ref-1.png");
        const QString r2 = QStringLiteral("https://example.com/ref-2.png");

        Operation all = Operation::imagine(QStringLiteral("a lighthouse"));
        all.aspectRatio = QStringLiteral("16:9");
        all.version = QStringLiteral("6.1");
        all.speed = QStringLiteral("fast");
        all.chaos = 20;
        all.stylize = 250;
        all.weird = 300;
        all.watermark = QStringLiteral("tessera");
        all.translate = true;
        QTest::newRow("text, every field")
            << all
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("text-to-image")},
                            {QStringLiteral("prompt"), QStringLiteral("a lighthouse")},
                            {QStringLiteral("aspectRatio"), QStringLiteral("16:9")},
                            {QStringLiteral("speed"), QStringLiteral("fast")},
                            {QStringLiteral("version"), QStringLiteral("6.1")},
                            {QStringLiteral("variety"), 20},
                            {QStringLiteral("stylization"), 250},
                            {QStringLiteral("weirdness"), 300},
                            {QStringLiteral("waterMark"), QStringLiteral("tessera")},
                            {QStringLiteral("enableTranslation"), true}};

        QTest::newRow("text, flags typed in the prompt")
            << Operation::imagine(QStringLiteral("a lighthouse --ar 2:3 --v 7 --chaos 15"))
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("text-to-image")},
                            {QStringLiteral("prompt"), QStringLiteral("a lighthouse")},
                            {QStringLiteral("aspectRatio"), QStringLiteral("2:3")},
                            {QStringLiteral("version"), QStringLiteral("7")},
                            {QStringLiteral("variety"), 15}};

        Operation one = Operation::imagine(QStringLiteral("in this style"));
        one.type = GenerateType::Image;
        one.references = {r1};
        QTest::newRow("image, one reference")
            << one
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("image-to-image")},
                            {QStringLiteral("prompt"), QStringLiteral("in this style")},
                            {QStringLiteral("fileUrl"), r1}};

        Operation two = one;
        two.references = {r1, r2};
        two.speed = QStringLiteral("relaxed");
        QTest::newRow("image, two references")
            << two
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("image-to-image")},
                            {QStringLiteral("prompt"), QStringLiteral("in this style")},
                            {QStringLiteral("fileUrls"), QJsonArray {r1, r2}},
                            {QStringLiteral("speed"), QStringLiteral("relaxed")}};

        Operation style = one;
        style.type = GenerateType::Style;
        QTest::newRow("style reference")
            << style
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("style-reference")},
                            {QStringLiteral("prompt"), QStringLiteral("in this style")},
                            {QStringLiteral("fileUrl"), r1}};

        // speed is "not used" for omni-reference: left out even when chosen.
        Operation omni = one;
        omni.type = GenerateType::Omni;
        omni.omniWeight = 250;
        omni.speed = QStringLiteral("turbo");
        QTest::newRow("omni reference")
            << omni
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("omni-reference")},
                            {QStringLiteral("prompt"), QStringLiteral("in this style")},
                            {QStringLiteral("fileUrl"), r1},
                            {QStringLiteral("ow"), 250}};
    }
    void generateTypes()
    {
        QFETCH(Operation, op);
        QFETCH(QJsonObject, body);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task t = env.run(op);
        CHECKED(checkGrid(env, t));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("generate"))), compact(body));
        CHECKED(checkAuth(env, fake));
    }

    void video_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("motion");
        QTest::addColumn<int>("batch");
        QTest::addColumn<QJsonObject>("body");
        const QString ref = QStringLiteral("https://example.com/still.png");
        QTest::newRow("image-to-video, 2 videos")
            << static_cast<int>(GenerateType::Video) << QStringLiteral("low") << 2
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("image-to-video")},
                            {QStringLiteral("prompt"), QStringLiteral("the fox runs")},
                            {QStringLiteral("fileUrl"), ref},
                            {QStringLiteral("videoBatchSize"), 2},
                            {QStringLiteral("motion"), QStringLiteral("low")}};
        // motion is required for video: the documented default goes when none was chosen.
        QTest::newRow("image-to-video-hd, defaults")
            << static_cast<int>(GenerateType::VideoHd) << QString() << 0
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("image-to-video-hd")},
                            {QStringLiteral("prompt"), QStringLiteral("the fox runs")},
                            {QStringLiteral("fileUrl"), ref},
                            {QStringLiteral("motion"), QStringLiteral("high")}};
    }
    void video()
    {
        QFETCH(int, type);
        QFETCH(QString, motion);
        QFETCH(int, batch);
        QFETCH(QJsonObject, body);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        Operation op = Operation::imagine(QStringLiteral("the fox runs"));
        op.type = static_cast<GenerateType>(type);
        op.references = {QStringLiteral("https://example.com/still.png")};
        op.speed = QStringLiteral("fast"); // not used for video: left out
        op.motion = motion;
        if (batch > 0)
            op.videoBatch = batch;
        const Task t = env.run(op);
        QVERIFY2(t.state == TaskState::Succeeded && !t.error, qPrintable(describe(t)));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("generate"))), compact(body));
        const int expected = std::max(1, batch);
        QCOMPARE(t.images.size(), expected);
        for (int i = 1; i <= expected; ++i) {
            const ImageRef &v = t.images[i - 1];
            QCOMPARE(v.role, ImageRole::Video);
            QCOMPARE(v.index, i);
            QCOMPARE(v.state, ImageState::Downloaded);
            QVERIFY2(v.path.endsWith(QLatin1String(".mp4")), qPrintable(v.path));
            QFile file(env.pathOf(v));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(), fakeMp4(i));
        }
        CHECKED(checkAuth(env, fake));
    }

    // One of two videos is gone (404): it is Expired, the other is stored, the task succeeded.
    void expiredVideo()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        fake.fileOverride = [](const QString &name) -> std::optional<Answer> {
            if (name.endsWith(QLatin1String("-video-2.mp4")))
                return Answer::text(404, "<Error><Code>NoSuchKey</Code></Error>", "application/xml");
            return std::nullopt;
        };
        Operation op = Operation::imagine(QStringLiteral("the fox runs"));
        op.type = GenerateType::Video;
        op.references = {QStringLiteral("https://example.com/still.png")};
        op.videoBatch = 2;
        const Task t = env.run(op);
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(t.images.size(), 2);
        QCOMPARE(t.images[0].state, ImageState::Downloaded);
        QVERIFY(QFileInfo::exists(env.pathOf(t.images[0])));
        QCOMPARE(t.images[1].state, ImageState::Expired);
        QVERIFY(t.images[1].remoteUrl.endsWith(QLatin1String("-video-2.mp4")));
        QVERIFY(t.error);
        QCOMPARE(t.error->kind, Error::Kind::NotFound);
        CHECKED(checkAuth(env, fake));
    }

    // DELETE /v1/midjourney/cancel with a JSON body while the task is "accepted".
    void cancelOnTheServer()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        fake.holdAt = QStringLiteral("accepted");
        const Result<QString> id = env.submit(Operation::imagine(kPrompt));
        QVERIFY(id);
        QTRY_VERIFY(fake.statusChecks().size() >= 1);
        QVERIFY(env.engine->cancel(*id));
        const Task t = env.runToEnd(*id);
        QCOMPARE(t.state, TaskState::Cancelled);
        QVERIFY(t.error);
        QCOMPARE(t.error->kind, Error::Kind::Cancelled);
        const QList<RecordedRequest> cancels
            = env.server.requests("DELETE", QStringLiteral("/v1/midjourney/cancel"));
        QCOMPARE(cancels.size(), 1);
        QCOMPARE(cancels[0].method, QByteArray("DELETE"));
        QVERIFY(cancels[0].header("Content-Type").startsWith("application/json"));
        QCOMPARE(compact(cancels[0].json()),
                 compact(QJsonObject {{QStringLiteral("requestId"), t.remoteId}}));
        QVERIFY(fake.job(t.remoteId)->cancelled);
        CHECKED(checkAuth(env, fake));
    }

    // The vendor refuses a cancel once the task is processing: said before (Cancel's caveat), answered in
    // the vendor's words, kept on the task (it runs on, visibly), and Tessera follows it to its end.
    void cancelRefusedFollowsTheTask()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        fake.holdAt = QStringLiteral("processing");
        const Result<QString> id = env.submit(Operation::imagine(kPrompt));
        QVERIFY(id);
        QTRY_VERIFY(env.task(*id).state == TaskState::Running);
        const ProviderAdapter *adapter = env.providers->adapter(QStringLiteral("kolersky"));
        const Availability before = adapter->cancelAvailability(env.task(*id), env.account);
        QVERIFY(before.enabled);
        QVERIFY2(before.caveat.contains(QLatin1String("will most likely refuse")), qPrintable(before.caveat));
        QSignalSpy answered(env.engine.get(), &TaskEngine::cancelAnswered);
        QVERIFY(env.engine->cancel(*id));
        QTRY_COMPARE(answered.size(), 1);
        QCOMPARE(answered.first().at(1).toBool(), false);
        QCOMPARE(answered.first().at(2).value<Error>().message,
                 QStringLiteral("Only a task in status accepted can be cancelled"));
        QCOMPARE(env.server.count("DELETE", QStringLiteral("/v1/midjourney/cancel")), 1);
        QTRY_VERIFY(fake.statusChecks().size() >= 3); // it runs on
        const Task running = env.task(*id);
        QCOMPARE(running.state, TaskState::Running);
        QCOMPARE(running.remote.value(QLatin1String("cancelRefused")).toString(),
                 QStringLiteral("Only a task in status accepted can be cancelled"));
        fake.holdAt.clear();
        const Task t = env.runToEnd(*id);
        CHECKED(checkGrid(env, t));
        CHECKED(checkAuth(env, fake));
    }

    // §1 Limits, issue 12: 60 status checks per task in all, counted across runs and restarts. A run cut
    // short (max-polls 25 here) ends "check again later"; Check again, even from a new process, goes on
    // counting; after the 60th the task is unfinished for good with the vendor's reason, Check again is
    // refused and disabled, and no 61st check ever leaves.
    void sixtyStatusChecksInAll()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        env.account.options.insert(QStringLiteral("max-polls"), QStringLiteral("25"));
        QVERIFY(env.store->saveAccount(env.account));
        KolerskyFake fake(env);
        fake.holdAt = QStringLiteral("processing");
        Task stuck = env.run(Operation::imagine(kPrompt));
        QCOMPARE(stuck.state, TaskState::Unfinished);
        QCOMPARE(fake.statusChecks(stuck.remoteId).size(), 25);
        QCOMPARE(stuck.pollCount, 25);
        QCOMPARE(stuck.error->kind, Error::Kind::StillRunning);
        QVERIFY2(stuck.error->message.contains(QLatin1String("Check again later")), qPrintable(stuck.error->message));
        QVERIFY2(!stuck.error->userText().contains(QLatin1String("did not answer")),
                 qPrintable(stuck.error->userText()));
        QVERIFY(env.engine->checkAvailability(stuck).enabled);

        // A restart between runs: the count is the stored one.
        env.restartEngine();
        QVERIFY(env.engine->check(stuck.id));
        stuck = env.runToEnd(stuck.id);
        QCOMPARE(stuck.state, TaskState::Unfinished);
        QCOMPARE(fake.statusChecks(stuck.remoteId).size(), 50);
        QCOMPARE(stuck.pollCount, 50);
        env.restartEngine();
        QVERIFY(env.engine->check(stuck.id));
        stuck = env.runToEnd(stuck.id);
        QCOMPARE(stuck.state, TaskState::Unfinished);
        QCOMPARE(fake.statusChecks(stuck.remoteId).size(), 60);
        QCOMPARE(stuck.pollCount, 60);
        QCOMPARE(stuck.error->kind, Error::Kind::StillRunning);
        QVERIFY2(stuck.error->message.contains(QLatin1String("allows no more status checks")),
                 qPrintable(stuck.error->message));
        QVERIFY2(stuck.error->message.contains(QLatin1String("45 %")), qPrintable(stuck.error->message));
        QCOMPARE(stuck.progress.value_or(-1), 45);

        const Availability again = env.engine->checkAvailability(stuck);
        QVERIFY(!again.enabled);
        QCOMPARE(again.reason,
                 QStringLiteral("kolersky-style allows no more status checks for this task: all 60 were used"));
        const Status refused = env.engine->check(stuck.id);
        QVERIFY(!refused);
        QCOMPARE(refused.error().message, again.reason);
        // Nor at the next start, which asks again about recent unfinished tasks.
        env.restartEngine();
        QCOMPARE(env.engine->recheckUnfinished(), 0);
        QTest::qWait(100);
        QCOMPARE(fake.statusChecks(stuck.remoteId).size(), 60);
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(), 1);
        CHECKED(checkAuth(env, fake));
    }

    // The account options refuse what the vendor forbids, with the reason (dialog and CLI share the check).
    void vendorLimitsRefusedInTheOptions()
    {
        const Result<QString> often = checkAccountOption(QStringLiteral("kolersky"), QStringLiteral("poll-interval"),
                                                         QStringLiteral("0.5"));
        QVERIFY(!often);
        QCOMPARE(often.error().message,
                 QStringLiteral("option poll-interval: kolersky allows one status check every 5 seconds at "
                                "most; use 5 or more"));
        QVERIFY(checkAccountOption(QStringLiteral("kolersky"), QStringLiteral("poll-interval"), QStringLiteral("5")));
        const Result<QString> many = checkAccountOption(QStringLiteral("kolersky"), QStringLiteral("max-polls"),
                                                        QStringLiteral("61"));
        QVERIFY(!many);
        QCOMPARE(many.error().message,
                 QStringLiteral("option max-polls: kolersky allows at most 60 status checks per task"));
        // Other families keep their own choice.
        QVERIFY(checkAccountOption(QStringLiteral("apixo"), QStringLiteral("poll-interval"), QStringLiteral("0.5")));
    }

    // Quitting while a result is decoded on the pool: the task stays as stored, to be taken over at the
    // next start, and nothing crashes.
    void engineDestroyedWhileStoring()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        fake.gridSize = QSize(4096, 4096); // long enough to decode and split to be caught at it
        const Result<QString> id = env.submit(Operation::imagine(kPrompt));
        QVERIFY(id);
        QTRY_VERIFY(QThreadPool::globalInstance()->activeThreadCount() > 0);
        env.engine.reset();
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        const Task t = env.task(*id);
        QCOMPARE(t.state, TaskState::Running);
        QCOMPARE(t.images.size(), 1);
        QCOMPARE(t.images[0].state, ImageState::Pending);
        QVERIFY(!t.images[0].remoteUrl.isEmpty());
    }

    // A submit refused or never answered: the task fails with the vendor's words, exactly one submit
    // reached the server, and what was stored before is untouched.
    void submitFailures_data()
    {
        QTest::addColumn<Answer>("answer");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message"); // verbatim; empty: not checked
        QTest::addColumn<QString>("mentions"); // a part of the message; empty: not checked

        auto row = [](const char *name, const Answer &a, Error::Kind kind, const QString &message,
                      const QString &mentions = {}) {
            QTest::newRow(name) << a << static_cast<int>(kind) << message << mentions;
        };
        row("401 bad key", vendorError(401, "Unauthorized", 401, QStringLiteral("Invalid API key")),
            Error::Kind::Unauthorized, QStringLiteral("Invalid API key"));
        row("402 payment", vendorError(402, "Payment required", 402, QStringLiteral("Top up your balance")),
            Error::Kind::PaymentRequired, QStringLiteral("Top up your balance"));
        row("403 no requests left",
            vendorError(403, "Insufficient requests", 403, QStringLiteral("You have 0 requests remaining")),
            Error::Kind::PaymentRequired, QStringLiteral("You have 0 requests remaining"));
        row("403 envelope in a 200",
            vendorError(200, "Insufficient requests", 403, QStringLiteral("You have 0 requests remaining")),
            Error::Kind::PaymentRequired, QStringLiteral("You have 0 requests remaining"));
        row("400 field", vendorError(400, "Invalid parameters", 400, QStringLiteral("prompt is required")),
            Error::Kind::InvalidRequest, QStringLiteral("prompt is required"));
        row("422 field",
            vendorError(422, "Invalid parameters", 422,
                        QStringLiteral("aspectRatio must be one of 1:1, 16:9")),
            Error::Kind::InvalidRequest, QStringLiteral("aspectRatio must be one of 1:1, 16:9"));
        row("content policy",
            vendorError(400, "Invalid parameters", 400, QStringLiteral("Banned prompt detected: gore")),
            Error::Kind::ContentRejected, QStringLiteral("Banned prompt detected: gore"));
        row("455 maintenance",
            vendorError(455, "Maintenance", 455, QStringLiteral("Service under maintenance until 12:00 UTC")),
            Error::Kind::Maintenance, QStringLiteral("Service under maintenance until 12:00 UTC"));
        row("500 not re-sent", vendorError(500, "Internal error", 500, QStringLiteral("upstream failure")),
            Error::Kind::ServerError, QStringLiteral("upstream failure"));
        row("malformed JSON", Answer::jsonText(200, R"({"requestId": "abc", "status": )"),
            Error::Kind::BadResponse, {}, QStringLiteral("JSON"));
        row("HTML with 200",
            Answer::text(200, "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>", "text/html"),
            Error::Kind::BadResponse, {}, QStringLiteral("web page"));
        row("wrong types",
            Answer::jsonText(200, R"({"requestId": {"id": 7}, "status": "accepted", "code": 200})"),
            Error::Kind::BadResponse, {}, QStringLiteral("requestId"));
        row("reply hangs", Answer::hanging(), Error::Kind::Timeout, {});
        row("connection dropped", Answer::dropped(), Error::Kind::Network, {});
    }
    void submitFailures()
    {
        QFETCH(Answer, answer);
        QFETCH(int, kind);
        QFETCH(QString, message);
        QFETCH(QString, mentions);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task before = env.run(Operation::imagine(QStringLiteral("an earlier fox")));
        CHECKED(checkGrid(env, before));

        fake.script(QStringLiteral("/v1/midjourney/generate"), answer);
        const Task t = env.run(Operation::imagine(kPrompt));
        QVERIFY2(t.state == TaskState::Failed
                     || (kind == static_cast<int>(Error::Kind::Timeout) && t.state == TaskState::Unknown),
                 qPrintable(describe(t)));
        QVERIFY(t.error);
        QCOMPARE(static_cast<int>(t.error->kind), kind);
        if (!message.isEmpty())
            QCOMPARE(t.error->message, message);
        if (!mentions.isEmpty())
            QVERIFY2(t.error->message.contains(mentions, Qt::CaseInsensitive), qPrintable(t.error->message));
        QCOMPARE(t.prompt, kPrompt);
        // Never sent twice: the first may have created (and charged) the task.
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(), 2);
        QCOMPARE(fake.jobs.size(), 1);
        QCOMPARE(fake.statusChecks().size(), 3);

        const Task still = env.task(before.id);
        QCOMPARE(still.state, TaskState::Succeeded);
        QCOMPARE(still.images, before.images);
        for (const ImageRef &img : still.images)
            QVERIFY(QFileInfo::exists(env.pathOf(img)));
        CHECKED(checkAuth(env, fake));
    }

    // 429 with Retry-After (seconds or an HTTP date): no request to the account before the deadline.
    void rateLimited_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("httpDate");
        QTest::newRow("submit, seconds") << QStringLiteral("/v1/midjourney/generate") << false;
        QTest::newRow("submit, HTTP date") << QStringLiteral("/v1/midjourney/generate") << true;
        QTest::newRow("status, seconds") << QStringLiteral("/v1/status") << false;
    }
    void rateLimited()
    {
        QFETCH(QString, path);
        QFETCH(bool, httpDate);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        // Retry-After deadlines are wall-clock times: real time here, and a task done at its first check.
        env.clock.setSpeed(1);
        fake.pollsToFinish = 1;
        QDateTime date = QDateTime::currentDateTimeUtc().addSecs(2);
        date.setTime(QTime(date.time().hour(), date.time().minute(), date.time().second()));
        const QByteArray retryAfter = httpDate
            ? QLocale::c().toString(date, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1()
            : QByteArray("1");
        fake.script(path,
                    vendorError(429, "Too many requests", 429, QStringLiteral("Rate limit exceeded"))
                        .header("Retry-After", retryAfter));
        const Task t = env.run(Operation::imagine(kPrompt));
        CHECKED(checkGrid(env, t));

        const QList<RecordedRequest> all = env.server.requests();
        qsizetype limited = -1;
        for (qsizetype i = 0; i < all.size() && limited < 0; ++i) {
            if (all[i].path == path)
                limited = i;
        }
        QVERIFY(limited >= 0);
        const QDateTime deadline = httpDate ? date : all[limited].received.addMSecs(1000);
        QVERIFY(limited + 1 < all.size());
        for (qsizetype i = limited + 1; i < all.size(); ++i)
            QVERIFY2(all[i].received >= deadline,
                     qPrintable(QStringLiteral("%1 at %2, deadline %3")
                                    .arg(all[i].path, all[i].received.toString(Qt::ISODateWithMs),
                                         deadline.toString(Qt::ISODateWithMs))));
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(),
                 path.contains(QLatin1String("generate")) ? 2 : 1);
        CHECKED(checkAuth(env, fake));
    }

    // One bad status answer is retried and the task still succeeds.
    void statusHiccups_data()
    {
        QTest::addColumn<Answer>("answer");
        QTest::newRow("500 then success")
            << vendorError(500, "Internal error", 500, QStringLiteral("try again"));
        QTest::newRow("502 HTML page")
            << Answer::text(502, "<html><body>Bad Gateway</body></html>", "text/html");
        QTest::newRow("455 maintenance")
            << vendorError(455, "Maintenance", 455, QStringLiteral("Service under maintenance"));
        QTest::newRow("reply hangs") << Answer::hanging();
        QTest::newRow("connection dropped") << Answer::dropped();
        QTest::newRow("malformed JSON") << Answer::jsonText(200, R"({"status": "processing", )");
        QTest::newRow("HTML with 200")
            << Answer::text(200, "<!doctype html><title>Just a moment...</title>", "text/html");
        QTest::newRow("wrong types") << Answer::jsonText(200,
                                                         R"({"requestId": 5, "status": ["processing"]})");
    }
    void statusHiccups()
    {
        QFETCH(Answer, answer);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        fake.script(QStringLiteral("/v1/status"), answer);
        const Task t = env.run(Operation::imagine(kPrompt));
        CHECKED(checkGrid(env, t));
        QCOMPARE(fake.statusChecks().size(), 4);
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(), 1);
        CHECKED(checkAuth(env, fake));
    }

    // Status answers that end the run: the vendor's failure (verbatim), or answers that keep failing.
    void statusFailures_data()
    {
        QTest::addColumn<Answer>("answer");
        QTest::addColumn<int>("state");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message"); // verbatim; empty: not checked
        QTest::addColumn<QString>("mentions");

        QTest::newRow("content policy")
            << Answer::json(
                   200,
                   QJsonObject {{QStringLiteral("status"), QStringLiteral("error")},
                                {QStringLiteral("code"), 200},
                                {QStringLiteral("output"),
                                 QJsonObject {{QStringLiteral("failReason"),
                                               QStringLiteral("Banned prompt detected: \"gore\"")}}}})
            << static_cast<int>(TaskState::Failed) << static_cast<int>(Error::Kind::ContentRejected)
            << QStringLiteral("Banned prompt detected: \"gore\"") << QString();
        QTest::newRow("vendor failure") << Answer::json(
            200,
            QJsonObject {{QStringLiteral("status"), QStringLiteral("error")},
                         {QStringLiteral("code"), 500},
                         {QStringLiteral("message"), QStringLiteral("Task timed out after 5 minutes")}})
                                        << static_cast<int>(TaskState::Failed)
                                        << static_cast<int>(Error::Kind::ServerError)
                                        << QStringLiteral("Task timed out after 5 minutes") << QString();
        QTest::newRow("401 on status")
            << vendorError(401, "Unauthorized", 401, QStringLiteral("Invalid API key"))
            << static_cast<int>(TaskState::Failed) << static_cast<int>(Error::Kind::Unauthorized)
            << QStringLiteral("Invalid API key") << QString();
        QTest::newRow("wrong types, always")
            << Answer::json(200,
                            QJsonObject {{QStringLiteral("status"), QStringLiteral("success")},
                                         {QStringLiteral("code"), 200},
                                         {QStringLiteral("output"),
                                          QJsonObject {{QStringLiteral("collage"),
                                                        QJsonObject {{QStringLiteral("image_url"), 42}}}}}})
            << static_cast<int>(TaskState::Unfinished) << static_cast<int>(Error::Kind::BadResponse)
            << QString() << QStringLiteral("output.collage.image_url");
        QTest::newRow("malformed JSON, always")
            << Answer::jsonText(200, "{\"status\": \"succ") << static_cast<int>(TaskState::Unfinished)
            << static_cast<int>(Error::Kind::BadResponse) << QString() << QStringLiteral("check again later");
    }
    void statusFailures()
    {
        QFETCH(Answer, answer);
        QFETCH(int, state);
        QFETCH(int, kind);
        QFETCH(QString, message);
        QFETCH(QString, mentions);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task before = env.run(Operation::imagine(QStringLiteral("an earlier fox")));
        CHECKED(checkGrid(env, before));

        fake.statusOverride = [answer](const KolerskyFake::Job &j) -> std::optional<Answer> {
            return j.polls >= 2 ? std::optional<Answer>(answer) : std::nullopt;
        };
        const Task t = env.run(Operation::imagine(kPrompt));
        QCOMPARE(static_cast<int>(t.state), state);
        QVERIFY(t.error);
        QCOMPARE(static_cast<int>(t.error->kind), kind);
        if (!message.isEmpty())
            QCOMPARE(t.error->message, message);
        if (!mentions.isEmpty())
            QVERIFY2(t.error->message.contains(mentions), qPrintable(t.error->message));
        QCOMPARE(t.remoteId, fake.jobs.last().id); // kept: the task can be looked up or checked again
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(), 2);
        QCOMPARE(env.task(before.id).images, before.images);
        CHECKED(checkAuth(env, fake));
    }

    // A result file that cannot be stored leaves a per-image state; the task still succeeded, keeps
    // the URL and the actions, and no file is left at a final path.
    void imageFailures_data()
    {
        QTest::addColumn<Answer>("answer");
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("mentions"); // in the image's error; empty: not checked
        const QByteArray png = gridPng(kGridSize);
        const auto failed = static_cast<int>(ImageState::Failed);
        QTest::newRow("404 expired") << Answer::text(404, "Not Found")
                                     << static_cast<int>(ImageState::Expired) << QStringLiteral("404");
        QTest::newRow("403 expired") << Answer::text(403, "<Error><Code>AccessDenied</Code></Error>",
                                                     "application/xml")
                                     << static_cast<int>(ImageState::Expired) << QStringLiteral("403");
        QTest::newRow("truncated file")
            << Answer::bytes(png.left(png.size() / 2), "image/png") << failed << QStringLiteral("truncated");
        QTest::newRow("truncated transfer")
            << Answer::droppedMidBody(png, "image/png") << failed << QString();
        QTest::newRow("corrupt") << Answer::bytes(QByteArray(4096, '\x5a'), "image/png") << failed
                                 << QStringLiteral("not an image");
        QTest::newRow("HTML page") << Answer::text(200, "<html><body>Access denied</body></html>",
                                                   "text/html")
                                   << failed << QStringLiteral("not an image");
        QTest::newRow("30000x30000") << Answer::bytes(hugePng(), "image/png") << failed
                                     << QStringLiteral("30000");
        QTest::newRow("redirect to file://")
            << Answer::redirect("file:///etc/passwd") << failed << QStringLiteral("file:");
    }
    void imageFailures()
    {
        QFETCH(Answer, answer);
        QFETCH(int, state);
        QFETCH(QString, mentions);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task before = env.run(Operation::imagine(QStringLiteral("an earlier fox")));
        CHECKED(checkGrid(env, before));

        fake.fileOverride = [answer](const QString &) -> std::optional<Answer> { return answer; };
        const Task t = env.run(Operation::imagine(kPrompt));
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(t.images.size(), 1);
        const ImageRef &grid = t.images[0];
        QCOMPARE(grid.role, ImageRole::Grid);
        QCOMPARE(static_cast<int>(grid.state), state);
        QVERIFY(grid.remoteUrl.endsWith(QLatin1String("-grid.png")));
        QVERIFY(!grid.error.isEmpty());
        // The key never goes to a result URL: a 403 there means the file expired (§7), not a bad key.
        QVERIFY2(!grid.error.contains(QLatin1String("API key")), qPrintable(grid.error));
        if (!mentions.isEmpty())
            QVERIFY2(grid.error.contains(mentions), qPrintable(grid.error));
        QVERIFY(t.error); // says which image could not be saved
        QCOMPARE(t.error->kind,
                 state == static_cast<int>(ImageState::Expired) ? Error::Kind::NotFound : Error::Kind::Io);
        QCOMPARE(t.remote.value(QStringLiteral("actions")).toArray().size(), 8);
        const QDir folder(QDir(env.paths.archiveDir).filePath(ImageArchive::taskFolder(t.id, t.created)));
        QVERIFY2(!folder.exists() || folder.entryList(QDir::Files | QDir::NoDotAndDotDot).isEmpty(),
                 qPrintable(folder.entryList().join(QLatin1Char(' '))));
        QCOMPARE(env.task(before.id).images, before.images);
        CHECKED(checkAuth(env, fake));
    }
};

QTEST_GUILESS_MAIN(TestE2EKolersky)
#include "tst_e2e_kolersky.moc"
