// The kie family's end-to-end fixture (PROVIDERS.md §3, §5, §6), shared by tst_e2e_kie (operations and
// refusals) and tst_e2e_kie_failures (the failure tables): a small stateful fake of kie's protocol on the
// rig's FakeHttpServer, and the checks of what it served. Test-only header: it opens the test namespaces
// for the file that includes it.
#pragma once

#include "e2eenv.h"
#include "e2ehelpers.h"

#include <QFileInfo>
#include <QHash>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QStringList>
#include <QTest>

#include <optional>

using namespace tessera;
using namespace tessera::test;
using namespace tessera::test::e2e;

namespace {

const QString kGenerate = QStringLiteral("/api/v1/mj/generate");
const QString kUpscale = QStringLiteral("/api/v1/mj/generateUpscale");
const QString kVary = QStringLiteral("/api/v1/mj/generateVary");
const QString kExtend = QStringLiteral("/api/v1/mj/generateVideoExtend");
const QString kStatus = QStringLiteral("/api/v1/mj/record-info");
const QString kFiles = QStringLiteral("/files/");

const QString kCancelledLocally = QStringLiteral(
    "kie.ai-style cannot cancel on its side: Tessera stopped checking this task, but the server may still "
    "finish it and charge for it.");

inline QJsonObject envelope(int code, const QString &msg, const QJsonValue &data = QJsonValue::Null)
{
    return {{QStringLiteral("code"), code}, {QStringLiteral("msg"), msg}, {QStringLiteral("data"), data}};
}

// kie's answer: the envelope with `code`, sent with HTTP `status` (the two differ at kie, PROVIDERS.md §3).
inline Answer vendorAnswer(int status, int code, const QString &msg)
{
    return Answer::json(status, envelope(code, msg));
}

// What kie's CDN would send for a video: an MP4 (ftyp box) padded to a plausible size.
inline QByteArray fakeMp4()
{
    // Box size 0x18, "ftyp", major brand "mp42", minor version 0, compatible brands "mp42" "isom".
    QByteArray bytes = QByteArray::fromHex("00000018667479706d703432000000006d70343269736f6d");
    bytes.append(4096 - bytes.size(), '\x11');
    return bytes;
}

// The pixel size kie returns for one of the four images of an aspect ratio (Midjourney v7 sizes).
inline QSize sizeFor(const QString &aspectRatio)
{
    if (aspectRatio == QLatin1String("16:9"))
        return {1456, 816};
    if (aspectRatio == QLatin1String("2:3"))
        return {896, 1344};
    return {1024, 1024};
}

// A small stateful kie server (PROVIDERS.md §3): generate / generateUpscale / generateVary /
// generateVideoExtend create tasks with new ids after checking the body as the vendor doc describes
// (a 422 with the field's name otherwise); record-info answers successFlag 0 for `runningPolls` polls,
// then the task's end; /files/ serves the results (PNGs of kie's sizes, MP4s), or a scripted answer.
class FakeKie
{
public:
    struct Job
    {
        QString id;
        QString endpoint; // "generate", "generateUpscale", ...
        QString taskType;
        QJsonObject body;
        int polls = 0;
        int runningPolls = 1;
        int flag = 1;
        QJsonValue errorCode = QJsonValue::Null;
        QString errorMessage;
        QStringList files;
        bool video = false;
    };

    explicit FakeKie(E2EEnv &env)
        : m_env(env)
    {
        const QStringList endpoints {QStringLiteral("generate"), QStringLiteral("generateUpscale"),
                                     QStringLiteral("generateVary"), QStringLiteral("generateVideoExtend")};
        for (const QString &endpoint : endpoints) {
            env.server.on("POST", QStringLiteral("/api/v1/mj/") + endpoint,
                          [this, endpoint](const RecordedRequest &r) { return submit(r, endpoint); });
        }
        env.server.on("GET", kStatus, [this](const RecordedRequest &r) { return status(r); });
        env.server.on("GET", kFiles + QLatin1Char('*'), [this](const RecordedRequest &r) { return file(r); });
    }
    ~FakeKie() { m_env.server.clearRoutes(); }
    FakeKie(const FakeKie &) = delete;
    FakeKie &operator=(const FakeKie &) = delete;

    // How tasks created from now on end.
    int runningPolls = 1;
    int finalFlag = 1;
    QJsonValue errorCode = QJsonValue::Null;
    QString errorMessage;
    int varyBase = 1; // the base of generateVary's imageIndex this server takes (vendor doc: 1-4)

    QHash<QString, Answer> fileAnswers; // by the end of a file name ("_2.png"): sent instead of the file
    QHash<QString, QByteArray> files; // by file name
    QHash<QString, QSize> sizes; // image sizes by file name
    QMap<QString, Job> jobs;
    QStringList order; // task ids in creation order
    int refusedAuth = 0; // requests without "Authorization: Bearer <key>"

    Job &job(const QString &id) { return jobs[id]; }
    QString fileOf(const QString &taskId, int i) const { return jobs.value(taskId).files.value(i); }

private:
    Answer refuse(const QString &msg) const { return vendorAnswer(200, 422, msg); }

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
        files.insert(name, cachedPng(size, i));
        sizes.insert(name, size);
        return name;
    }

    QString addVideo(const QString &taskId, int i)
    {
        const QString name = QStringLiteral("%1_%2.mp4").arg(taskId).arg(i);
        files.insert(name, fakeMp4());
        return name;
    }

    // The parent named by `taskId` in an action's body, or the refusal to send.
    std::optional<Answer> checkParent(const QJsonObject &body, bool wantVideo) const
    {
        const QString parent = body.value(QLatin1String("taskId")).toString();
        if (!jobs.contains(parent))
            return vendorAnswer(200, 422, QStringLiteral("taskId: no task %1").arg(parent));
        if (jobs.value(parent).video != wantVideo)
            return refuse(wantVideo ? QStringLiteral("taskId: not a video task")
                                    : QStringLiteral("taskId: a video task has no images to act on"));
        return std::nullopt;
    }

    std::optional<Answer> checkIndex(const QJsonObject &body, const char *key, int min, int max) const
    {
        const QJsonValue v = body.value(QLatin1String(key));
        if (!v.isDouble() || v.toDouble() != v.toInt() || v.toInt() < min || v.toInt() > max)
            return refuse(QStringLiteral("%1 must be an integer from %2 to %3")
                              .arg(QLatin1String(key))
                              .arg(min)
                              .arg(max));
        return std::nullopt;
    }

    Answer submit(const RecordedRequest &r, const QString &endpoint)
    {
        if (!authorized(r))
            return vendorAnswer(401, 401, QStringLiteral("You do not have access permissions"));
        if (!r.header("Content-Type").startsWith("application/json"))
            return vendorAnswer(200, 400, QStringLiteral("Content-Type must be application/json"));
        const QJsonObject body = r.json();
        Job job;
        // Ids unique in the process: a test may script several fakes over one history.
        static int s_lastId = 0;
        job.id = QStringLiteral("4edb3c5%1e3f0aa5cc").arg(++s_lastId, 4, 10, QLatin1Char('0'));
        job.endpoint = endpoint;
        job.body = body;
        job.runningPolls = runningPolls;
        job.flag = finalFlag;
        job.errorCode = errorCode;
        job.errorMessage = errorMessage;
        const QString parentId = body.value(QLatin1String("taskId")).toString();

        if (endpoint == QLatin1String("generate")) {
            static const QStringList types {
                QStringLiteral("mj_txt2img"),         QStringLiteral("mj_img2img"),
                QStringLiteral("mj_style_reference"), QStringLiteral("mj_omni_reference"),
                QStringLiteral("mj_video"),           QStringLiteral("mj_video_hd")};
            job.taskType = body.value(QLatin1String("taskType")).toString();
            if (!types.contains(job.taskType))
                return refuse(QStringLiteral("taskType is invalid"));
            if (body.value(QLatin1String("prompt")).toString().isEmpty())
                return refuse(QStringLiteral("prompt is required"));
            if (body.contains(QLatin1String("fileUrl")) && body.contains(QLatin1String("fileUrls")))
                return refuse(QStringLiteral("fileUrl and fileUrls cannot be used together"));
            if (body.contains(QLatin1String("callBackUrl")))
                return refuse(QStringLiteral("callBackUrl: Tessera polls and never sends one"));
            const QJsonArray refs = body.value(QLatin1String("fileUrls")).toArray();
            job.video = job.taskType.startsWith(QLatin1String("mj_video"));
            if (job.video && refs.size() != 1)
                return refuse(QStringLiteral("fileUrls: video generation takes exactly one image"));
            if (job.taskType != QLatin1String("mj_txt2img") && refs.isEmpty())
                return refuse(QStringLiteral("fileUrls is required for %1").arg(job.taskType));
            // The vendor doc: speed is "not required" only for video and omni reference, so a strict
            // server wants it for the other types; motion is required for video (issue "Correctness" §1).
            static const QStringList speeds {QStringLiteral("relaxed"), QStringLiteral("fast"),
                                             QStringLiteral("turbo")};
            const bool speedOptional = job.video || job.taskType == QLatin1String("mj_omni_reference");
            if (!speedOptional && !speeds.contains(body.value(QLatin1String("speed")).toString()))
                return refuse(QStringLiteral("speed is required for %1").arg(job.taskType));
            if (job.video && body.value(QLatin1String("motion")).toString().isEmpty())
                return refuse(QStringLiteral("motion is required for %1").arg(job.taskType));
            order.append(job.id);
            if (job.video) {
                const int batch = body.value(QLatin1String("videoBatchSize")).toInt(1);
                for (int i = 0; i < batch; ++i)
                    job.files.append(addVideo(job.id, i));
            } else {
                const QSize size = sizeFor(body.value(QLatin1String("aspectRatio")).toString());
                for (int i = 0; i < 4; ++i)
                    job.files.append(addImage(job.id, i, size));
            }
        } else if (endpoint == QLatin1String("generateUpscale")) {
            if (auto refused = checkParent(body, false))
                return *refused;
            if (auto refused = checkIndex(body, "imageIndex", 0, 3))
                return *refused;
            job.taskType = QStringLiteral("mj_upscale");
            order.append(job.id);
            const QString source
                = jobs.value(parentId).files.value(body.value(QLatin1String("imageIndex")).toInt());
            job.files.append(addImage(job.id, 0, sizes.value(source) * 2));
        } else if (endpoint == QLatin1String("generateVary")) {
            if (auto refused = checkParent(body, false))
                return *refused;
            if (auto refused = checkIndex(body, "imageIndex", varyBase, varyBase + 3))
                return *refused;
            job.taskType = QStringLiteral("mj_vary");
            order.append(job.id);
            const QSize size = sizes.value(jobs.value(parentId).files.value(0));
            for (int i = 0; i < 4; ++i)
                job.files.append(addImage(job.id, i, size));
        } else {
            if (auto refused = checkParent(body, true))
                return *refused;
            job.taskType = body.value(QLatin1String("taskType")).toString();
            if (job.taskType != QLatin1String("mj_video_extend_manual")
                && job.taskType != QLatin1String("mj_video_extend_auto"))
                return refuse(
                    QStringLiteral("taskType must be mj_video_extend_manual or mj_video_extend_auto"));
            if (auto refused
                = checkIndex(body, "index", 0, static_cast<int>(jobs.value(parentId).files.size()) - 1))
                return *refused;
            if (job.taskType == QLatin1String("mj_video_extend_manual")
                && body.value(QLatin1String("prompt")).toString().isEmpty())
                return refuse(QStringLiteral("prompt is required for mj_video_extend_manual"));
            job.video = true;
            order.append(job.id);
            job.files.append(addVideo(job.id, 0));
        }
        jobs.insert(job.id, job);
        return Answer::json(
            200, envelope(200, QStringLiteral("success"), QJsonObject {{QStringLiteral("taskId"), job.id}}));
    }

    Answer status(const RecordedRequest &r)
    {
        if (!authorized(r))
            return vendorAnswer(401, 401, QStringLiteral("You do not have access permissions"));
        const QString id = r.queryItems().queryItemValue(QStringLiteral("taskId"));
        if (!jobs.contains(id))
            return vendorAnswer(200, 404, QStringLiteral("record not found"));
        Job &job = jobs[id];
        ++job.polls;
        const int flag = job.polls <= job.runningPolls ? 0 : job.flag;
        QJsonObject data {
            {QStringLiteral("taskId"), job.id},
            {QStringLiteral("taskType"), job.taskType},
            {QStringLiteral("paramJson"),
             QString::fromUtf8(QJsonDocument(job.body).toJson(QJsonDocument::Compact))},
            {QStringLiteral("successFlag"), flag},
            {QStringLiteral("createTime"), QStringLiteral("2024-03-20T10:30:00Z")},
            {QStringLiteral("completeTime"),
             flag == 0 ? QJsonValue() : QJsonValue(QStringLiteral("2024-03-20T10:31:00Z"))},
            {QStringLiteral("errorCode"), flag >= 2 ? job.errorCode : QJsonValue()},
            {QStringLiteral("errorMessage"),
             flag >= 2 && !job.errorMessage.isEmpty() ? QJsonValue(job.errorMessage) : QJsonValue()},
        };
        if (flag == 1) {
            QJsonArray urls;
            for (const QString &name : std::as_const(job.files))
                urls.append(QJsonObject {{QStringLiteral("resultUrl"), m_env.fileUrl(name)}});
            data.insert(QStringLiteral("resultInfoJson"), QJsonObject {{QStringLiteral("resultUrls"), urls}});
        } else {
            data.insert(QStringLiteral("resultInfoJson"), QJsonValue());
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
        return Answer::bytes(files.value(name),
                             name.endsWith(QLatin1String(".mp4")) ? "video/mp4" : "image/png");
    }

    E2EEnv &m_env;
};

// `task`'s images as kie sent them: the roles and indexes, each file in the archive with the exact bytes
// the server served and, for pictures, the decoded size.
inline void verifyArchived(E2EEnv &env, FakeKie &fake, const Task &task, ImageRole role, int count)
{
    const QList<ImageRef> images = imagesOf(task, role);
    QCOMPARE(images.size(), task.images.size());
    QCOMPARE(images.size(), count);
    const Task stored = env.task(task.id);
    QCOMPARE(stored.images, task.images);
    const QStringList files = fake.job(task.remoteId).files;
    for (int i = 0; i < count; ++i) {
        const ImageRef &img = images.at(i);
        const QString name = files.value(i);
        QCOMPARE(img.state, ImageState::Downloaded);
        QCOMPARE(img.remoteUrl, env.fileUrl(name));
        QCOMPARE(img.index, role == ImageRole::Upscale ? 0 : i + 1);
        const QString path = env.pathOf(img);
        QVERIFY2(path.startsWith(env.archive->root()), qPrintable(path));
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        const QByteArray bytes = readAll(path);
        QCOMPARE(bytes, fake.files.value(name));
        QCOMPARE(img.hash, sha256(bytes));
        if (role == ImageRole::Video) {
            QVERIFY2(path.endsWith(QLatin1String(".mp4")), qPrintable(path));
        } else {
            QImageReader reader(path);
            QCOMPARE(reader.size(), fake.sizes.value(name));
            QCOMPARE(img.size, fake.sizes.value(name));
        }
    }
}

inline Operation action(OperationKind kind, const Task &parent, int tile)
{
    return Operation::action(kind, parent.id, tile);
}

// Every request to kie's API carried the key as a Bearer token; no file download carried it.
inline void verifyAuth(const E2EEnv &env, const FakeKie &fake)
{
    QCOMPARE(fake.refusedAuth, 0);
    VERIFY_OK(verifyBearerOnApiOnly(env.server));
}

} // namespace
