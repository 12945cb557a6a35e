// The apixo family end to end (PROVIDERS.md §2, §5, §6): the product's registry, HttpClient and TaskEngine
// against a small stateful fake of apixo's protocol on 127.0.0.1. Every test asserts what the user sees
// (task state, Error kind, the vendor's message verbatim) and that nothing already stored is lost.
#include "e2eenv.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTest>
#include <QTimeZone>

#include <memory>

using namespace tessera;
using namespace tessera::test;

Q_DECLARE_METATYPE(tessera::test::Answer)

namespace {

const QString kSubmit = QStringLiteral("/api/v1/generateTask/midjourney");
const QString kStatus = QStringLiteral("/api/v1/statusTask/midjourney");
const QString kFiles = QStringLiteral("/files/");
const QString kDataUrlPrefix = QStringLiteral("data:image/png;base64,");

const QString kCancelledLocally = QStringLiteral(
    "apixo-style cannot cancel on its side: Tessera stopped checking this task, but the server may still "
    "finish it and charge for it.");

QByteArray bearer()
{
    return QByteArrayLiteral("Bearer ") + E2EEnv::kKey;
}

QJsonObject envelope(int code, const QString &message, const QJsonValue &data = QJsonValue::Null)
{
    return {
        {QStringLiteral("code"), code}, {QStringLiteral("message"), message}, {QStringLiteral("data"), data}};
}

// apixo's answer: the envelope with `code`, sent with HTTP `status` (apixo keeps 200 for most refusals).
Answer vendorAnswer(int status, int code, const QString &message)
{
    return Answer::json(status, envelope(code, message));
}

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char byte : data) {
        crc ^= static_cast<quint8>(byte);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray pngChunk(const char *type, const QByteArray &data)
{
    QByteArray chunk;
    const auto be32 = [&chunk](quint32 v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            chunk.append(static_cast<char>((v >> shift) & 0xFF));
    };
    be32(static_cast<quint32>(data.size()));
    const QByteArray typed = QByteArray(type) + data;
    chunk.append(typed);
    be32(crc32(typed));
    return chunk;
}

// A valid PNG header declaring `side`×`side` RGB pixels, followed by a token of image data: a decoder
// without an allocation limit would try to allocate gigabytes.
QByteArray hugePng(quint32 side)
{
    QByteArray ihdr;
    for (int i = 0; i < 2; ++i) {
        for (int shift = 24; shift >= 0; shift -= 8)
            ihdr.append(static_cast<char>((side >> shift) & 0xFF));
    }
    ihdr.append("\x08\x02\x00\x00\x00", 5); // 8-bit RGB, deflate, no filter, no interlace
    const QByteArray zlib = qCompress(QByteArray(4096, '\0')).mid(4);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr) + pngChunk("IDAT", zlib)
        + pngChunk("IEND", {});
}

// PNG bytes cached by size and colour: encoding a large PNG is the slowest step of a fake task.
QByteArray cachedPng(QSize size, int shade)
{
    static QHash<QString, QByteArray> cache;
    const QString key = QStringLiteral("%1x%2/%3").arg(size.width()).arg(size.height()).arg(shade);
    auto it = cache.find(key);
    if (it == cache.end())
        it = cache.insert(key, E2EEnv::png(size, QColor::fromHsv((shade * 47) % 360, 160, 200)));
    return *it;
}

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// The pixel size of one of the four images apixo returns for an aspect ratio (Midjourney v6/v7 sizes).
QSize sizeFor(const QString &aspect)
{
    if (aspect == QLatin1String("16:9"))
        return {1456, 816};
    if (aspect == QLatin1String("2:3"))
        return {896, 1344};
    return {1024, 1024};
}

bool isInt(const QJsonValue &v)
{
    return v.isDouble() && v.toDouble() == double(v.toInt());
}

// The shoelace sum Σ(xᵢ·yᵢ₊₁ − xᵢ₊₁·yᵢ) of a ring of integer points on y-down coordinates.
qint64 shoelace(const QList<int> &points)
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
        static const QStringList generating {QStringLiteral("text-to-image"), QStringLiteral("image-to-image"),
                                             QStringLiteral("upload-paint")};
        if (generating.contains(job.mode)) {
            static const QStringList versions {QStringLiteral("v6"), QStringLiteral("v6.1"), QStringLiteral("v7"),
                                               QStringLiteral("niji 6"), QStringLiteral("niji 7")};
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

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// `task`'s images as apixo sent them: `count` separate images (tiles 1..count, or one upscale at index
// 0), each in the archive with the exact bytes the server served and its decoded size. No grid, no split.
void verifyArchived(E2EEnv &env, FakeApixo &fake, const Task &task, ImageRole role, int count)
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

#define VERIFY_OK(call)                                                                                      \
    do {                                                                                                     \
        call;                                                                                                \
        if (QTest::currentTestFailed())                                                                      \
            return;                                                                                          \
    } while (false)

// A succeeded imagine already in the history: every failure test checks that it survives untouched.
Task baseline(E2EEnv &env)
{
    const Task t = env.run(Operation::imagine(QStringLiteral("a quiet harbour at dawn")));
    if (t.state != TaskState::Succeeded || t.images.size() != 4)
        qWarning("baseline imagine did not succeed: %s", qPrintable(taskStateName(t.state)));
    return t;
}

void verifyKept(E2EEnv &env, const Task &before)
{
    QCOMPARE(before.state, TaskState::Succeeded);
    const Task now = env.task(before.id);
    QCOMPARE(now.state, TaskState::Succeeded);
    QCOMPARE(now.images, before.images);
    for (const ImageRef &img : now.images) {
        QVERIFY(img.isLocal());
        QCOMPARE(sha256(readAll(env.pathOf(img))), img.hash);
    }
}

Operation action(OperationKind kind, const Task &parent, int tile, const QString &variant = {})
{
    Operation op = Operation::action(kind, parent.id, tile);
    op.variant = variant;
    return op;
}

// The body of a submit as the vendor doc spells it.
QJsonObject submitBody(const QJsonObject &input, const QString &provider = QStringLiteral("auto"))
{
    return {{QStringLiteral("request_type"), QStringLiteral("async")},
            {QStringLiteral("provider"), provider},
            {QStringLiteral("input"), input}};
}

QJsonObject actionInput(const char *mode, const Task &parent, int index, int type)
{
    return {{QStringLiteral("mode"), QLatin1String(mode)},
            {QStringLiteral("taskId"), parent.remoteId},
            {QStringLiteral("imageIndex"), index},
            {QStringLiteral("type"), type}};
}

// Every request to apixo's API carried the key as a Bearer token; no file download carried it.
void verifyAuth(const E2EEnv &env, const FakeApixo &fake)
{
    QCOMPARE(fake.refusedAuth, 0);
    QCOMPARE(fake.refusals, QStringList());
    for (const RecordedRequest &r : env.server.requests()) {
        if (r.path.startsWith(kFiles))
            QVERIFY2(!r.hasHeader("Authorization"), qPrintable(r.path));
        else
            QCOMPARE(r.header("Authorization"), bearer());
    }
}

// The white pixels of `mask` are exactly `rect`.
void verifyMaskIs(const QImage &mask, QRect rect)
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

class TestE2EApixo : public QObject
{
    Q_OBJECT

    // One history for all rows of a data-driven test: a fresh script of the fake server for every row,
    // and a succeeded task stored once that every row checks is still intact.
    struct Rig
    {
        QByteArray function;
        std::unique_ptr<E2EEnv> env;
        std::unique_ptr<FakeApixo> fake;
        Task kept;
    };
    Rig m_rig;

    Rig &rig()
    {
        const QByteArray function = QTest::currentTestFunction();
        if (!m_rig.env || m_rig.function != function) {
            m_rig.fake.reset();
            m_rig.env.reset();
            m_rig.function = function;
            m_rig.env = std::make_unique<E2EEnv>(QStringLiteral("apixo"));
            m_rig.fake = std::make_unique<FakeApixo>(*m_rig.env);
            m_rig.fake->runningPolls = 0;
            m_rig.kept = baseline(*m_rig.env);
        }
        // The server remembers its tasks and files; the routes and any answers a row left queued go.
        const auto jobs = m_rig.fake->jobs;
        const auto files = m_rig.fake->files;
        const auto sizes = m_rig.fake->sizes;
        m_rig.fake.reset();
        m_rig.fake = std::make_unique<FakeApixo>(*m_rig.env);
        m_rig.fake->jobs = jobs;
        m_rig.fake->files = files;
        m_rig.fake->sizes = sizes;
        return m_rig;
    }

private slots:
    // imagine (flags lifted from the prompt) → U2 → pan left and zoom 1.5x (refused: apixo has neither)
    // → vary region on U2 with a raster mask → vary region on tile 3 with polygon areas. The exact
    // requests (paths, bodies, 0-based indexes), the parent links (no U is chained: apixo acts on the
    // four separate images directly) and the archived images (four separate images stored as tiles
    // 1..4, no grid and no split; an upscale as one image).
    void happyChain()
    {
        E2EEnv env(QStringLiteral("apixo"));
        FakeApixo fake(env);

        Operation op = Operation::imagine(QStringLiteral("a lighthouse in fog --ar 16:9 --v 7 --fast"));
        op.chaos = 10;
        op.stylize = 250;
        const Task grid = env.run(op);
        QCOMPARE(grid.state, TaskState::Succeeded);
        QVERIFY(!grid.error);
        QCOMPARE(grid.remoteId, fake.order.value(0));
        QVERIFY(grid.isGrid());
        QCOMPARE(grid.prompt, QStringLiteral("a lighthouse in fog"));
        const auto submits = env.server.requests("POST", kSubmit);
        QCOMPARE(submits.size(), 1);
        QCOMPARE(submits.first().json(),
                 submitBody({{QStringLiteral("mode"), QStringLiteral("text-to-image")},
                             {QStringLiteral("prompt"), QStringLiteral("a lighthouse in fog")},
                             {QStringLiteral("version"), QStringLiteral("v7")},
                             {QStringLiteral("speed"), QStringLiteral("fast")},
                             {QStringLiteral("aspect"), QStringLiteral("16:9")},
                             {QStringLiteral("chaos"), 10},
                             {QStringLiteral("stylize"), 250}}));
        QVERIFY(submits.first().header("Content-Type").startsWith("application/json"));
        // statusTask: taskId in the query; pending, processing, then success.
        const auto polls = env.server.requests("GET", kStatus);
        QCOMPARE(polls.size(), 3);
        for (const RecordedRequest &r : polls)
            QCOMPARE(r.queryItems().queryItemValue(QStringLiteral("taskId")), grid.remoteId);
        // The rig's first-poll 0.05 overrides apixo's 20 s (§6).
        QVERIFY(submits.first().received.msecsTo(polls.first().received) < 2000);
        VERIFY_OK(verifyArchived(env, fake, grid, ImageRole::Tile, 4));
        QCOMPARE(grid.images.at(0).size, QSize(1456, 816));

        // U2: upscale type 0 (Standard HD), imageIndex 0-based.
        const Task u2 = env.run(action(OperationKind::Upscale, grid, 2));
        QCOMPARE(u2.state, TaskState::Succeeded);
        QCOMPARE(u2.parentId, grid.id);
        QCOMPARE(u2.tile, 2);
        QCOMPARE(env.server.last("POST", kSubmit)->json(), submitBody(actionInput("upscale", grid, 1, 0)));
        VERIFY_OK(verifyArchived(env, fake, u2, ImageRole::Upscale, 1));
        QCOMPARE(u2.images.at(0).size, QSize(1456, 816));

        // Pan and zoom do not exist at apixo: refused before anything is sent or stored, on the upscale
        // as on a tile, with the Gallery's reason.
        Operation panU = action(OperationKind::Pan, u2, 0);
        panU.direction = QStringLiteral("left");
        Operation panTile = action(OperationKind::Pan, grid, 2);
        panTile.direction = QStringLiteral("left");
        Operation zoom = action(OperationKind::Zoom, u2, 0);
        zoom.zoomFactor = QStringLiteral("1.5");
        const QList<QPair<Operation, QString>> missing {{panU, QStringLiteral("apixo has no pan")},
                                                        {panTile, QStringLiteral("apixo has no pan")},
                                                        {zoom, QStringLiteral("apixo has no zoom")}};
        const int requestsBefore = env.server.count();
        for (const auto &[refusedOp, reason] : missing) {
            const Result<QString> refused = env.submit(refusedOp);
            QVERIFY(!refused);
            QCOMPARE(refused.error().kind, Error::Kind::Unsupported);
            QCOMPARE(refused.error().message, reason);
        }
        QCOMPARE(env.server.count(), requestsBefore);
        QCOMPARE(*env.store->taskCount(), 2);

        // Vary region on U2 with the default mask format (raster): upload-paint with the upscale's own
        // URL, canvas and imgPos of its size, and the mask as a data-URL PNG of exactly that size.
        const QRect rect(500, 200, 400, 300);
        Operation region = action(OperationKind::Inpaint, u2, 0);
        region.mask = E2EEnv::maskPng(QSize(1456, 816), rect);
        region.prompt = QStringLiteral("a red sailing boat");
        const Task painted = env.run(region);
        QCOMPARE(painted.state, TaskState::Succeeded);
        QVERIFY(!painted.error);
        QCOMPARE(painted.parentId, u2.id);
        const QJsonObject paintBody = env.server.last("POST", kSubmit)->json();
        const QJsonObject input = paintBody.value(QLatin1String("input")).toObject();
        QCOMPARE(paintBody.value(QLatin1String("request_type")).toString(), QStringLiteral("async"));
        QCOMPARE(paintBody.value(QLatin1String("provider")).toString(), QStringLiteral("auto"));
        QCOMPARE(input.value(QLatin1String("mode")).toString(), QStringLiteral("upload-paint"));
        QCOMPARE(input.value(QLatin1String("prompt")).toString(), QStringLiteral("a red sailing boat"));
        QCOMPARE(input.value(QLatin1String("image_urls")).toArray(), QJsonArray {u2.images.at(0).remoteUrl});
        QCOMPARE(input.value(QLatin1String("canvas")).toObject(),
                 (QJsonObject {{QStringLiteral("width"), 1456}, {QStringLiteral("height"), 816}}));
        QCOMPARE(input.value(QLatin1String("imgPos")).toObject(),
                 (QJsonObject {{QStringLiteral("width"), 1456},
                               {QStringLiteral("height"), 816},
                               {QStringLiteral("x"), 0},
                               {QStringLiteral("y"), 0}}));
        QCOMPARE(input.value(QLatin1String("mask")).toObject().keys(), QStringList {QStringLiteral("url")});
        // Nothing unset is sent but the required version and speed: the upscale's operation names
        // neither, so the documented defaults (PROVIDERS.md §2 Decision).
        QCOMPARE(input.keys().size(), 8);
        QCOMPARE(input.value(QLatin1String("version")).toString(), QStringLiteral("v6.1"));
        QCOMPARE(input.value(QLatin1String("speed")).toString(), QStringLiteral("fast"));
        VERIFY_OK(verifyMaskIs(fake.job(painted.remoteId).rasterMask, rect));
        VERIFY_OK(verifyArchived(env, fake, painted, ImageRole::Tile, 4));

        // Vary region on tile 3 with mask-format=polygons, the mask drawn at half size: fitted to the
        // tile, traced to one area whose points are exactly the rectangle's corners, counter-clockwise
        // on screen from the top-left (the vendor's example). No prompt: the tile's own prompt is sent.
        env.account.options.insert(QStringLiteral("mask-format"), QStringLiteral("polygons"));
        QVERIFY(env.store->saveAccount(env.account));
        Operation polygons = action(OperationKind::Inpaint, grid, 3);
        polygons.mask = E2EEnv::maskPng(QSize(728, 408), QRect(100, 50, 200, 100));
        const Task traced = env.run(polygons);
        QCOMPARE(traced.state, TaskState::Succeeded);
        QCOMPARE(traced.parentId, grid.id);
        QCOMPARE(traced.tile, 3);
        const QJsonObject tracedInput
            = env.server.last("POST", kSubmit)->json().value(QLatin1String("input")).toObject();
        QCOMPARE(tracedInput.value(QLatin1String("prompt")).toString(),
                 QStringLiteral("a lighthouse in fog"));
        QCOMPARE(tracedInput.value(QLatin1String("image_urls")).toArray(),
                 QJsonArray {grid.images.at(2).remoteUrl});
        QCOMPARE(tracedInput.value(QLatin1String("mask")).toObject(),
                 (QJsonObject {
                     {QStringLiteral("areas"),
                      QJsonArray {QJsonObject {{QStringLiteral("width"), 1456},
                                               {QStringLiteral("height"), 816},
                                               {QStringLiteral("points"),
                                                QJsonArray {200, 100, 200, 300, 600, 300, 600, 100}}}}}}));
        QCOMPARE(fake.job(traced.remoteId).areas.size(), 1);
        VERIFY_OK(verifyArchived(env, fake, traced, ImageRole::Tile, 4));

        // The repainted images are a generation of their own: V1 and U4 act on them.
        const Task v1 = env.run(action(OperationKind::Vary, painted, 1));
        QCOMPARE(v1.state, TaskState::Succeeded);
        QCOMPARE(env.server.last("POST", kSubmit)->json(), submitBody(actionInput("vary", painted, 0, 0)));
        VERIFY_OK(verifyArchived(env, fake, v1, ImageRole::Tile, 4));

        const auto children = env.store->children(grid.id);
        QVERIFY(children);
        QCOMPARE(children->size(), 2); // U2 and the vary region of tile 3: nothing chained in between
        QCOMPARE(env.server.count("POST", kSubmit), 5);
        QCOMPARE(*env.store->taskCount(), 5);
        VERIFY_OK(verifyAuth(env, fake));
        VERIFY_OK(verifyKept(env, grid));
        VERIFY_OK(verifyKept(env, u2));
    }

    // A new user's first tasks, every parameter left at default, against a server that enforces the
    // fields the vendor doc marks required (issue "Correctness" §1): imagine, image-to-image, U, V and
    // vary region all succeed; version and speed go as the documented v6.1 and fast.
    void everyOperationAtDefaults()
    {
        E2EEnv env(QStringLiteral("apixo"));
        FakeApixo fake(env);
        const Task grid = env.run(Operation::imagine(QStringLiteral("a quiet harbour")));
        QCOMPARE(grid.state, TaskState::Succeeded);
        QVERIFY2(fake.refusals.isEmpty(), qPrintable(fake.refusals.join(QStringLiteral("; "))));
        const QJsonObject input = env.server.last("POST", kSubmit)->json().value(QLatin1String("input")).toObject();
        QCOMPARE(input.value(QLatin1String("version")).toString(), QStringLiteral("v6.1"));
        QCOMPARE(input.value(QLatin1String("speed")).toString(), QStringLiteral("fast"));

        Operation fromImage = Operation::imagine(QStringLiteral("the same harbour at night"));
        fromImage.type = GenerateType::Image;
        fromImage.references = {grid.images.at(0).remoteUrl};
        QCOMPARE(env.run(fromImage).state, TaskState::Succeeded);
        QCOMPARE(env.run(action(OperationKind::Vary, grid, 2)).state, TaskState::Succeeded);
        const Task u3 = env.run(action(OperationKind::Upscale, grid, 3));
        QCOMPARE(u3.state, TaskState::Succeeded);
        Operation region = action(OperationKind::Inpaint, grid, 4);
        region.mask = E2EEnv::maskPng(QSize(1024, 1024), QRect(100, 100, 300, 200));
        QCOMPARE(env.run(region).state, TaskState::Succeeded);
        QVERIFY2(fake.refusals.isEmpty(), qPrintable(fake.refusals.join(QStringLiteral("; "))));
        QCOMPARE(env.server.count("POST", kSubmit), 5);
        VERIFY_OK(verifyAuth(env, fake));
    }

    // The upscale and vary variants of §5 on tiles (on an upscale they are not offered, see
    // refusedBeforeSending): input.type and the 0-based imageIndex sent, and the stored result (one
    // image for an upscale, four for a vary).
    void variants_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("tile");
        QTest::addColumn<QString>("variant");
        QTest::addColumn<int>("index");
        QTest::addColumn<int>("type");
        QTest::addColumn<QSize>("size");

        const int U = int(OperationKind::Upscale);
        const int V = int(OperationKind::Vary);
        QTest::newRow("U1 (Standard HD)") << U << 1 << QString() << 0 << 0 << QSize(1024, 1024);
        QTest::newRow("U4 creative") << U << 4 << "creative" << 3 << 1 << QSize(2048, 2048);
        QTest::newRow("U3 2x") << U << 3 << "2x" << 2 << 2 << QSize(2048, 2048);
        QTest::newRow("U2 4x") << U << 2 << "4x" << 1 << 3 << QSize(4096, 4096);
        QTest::newRow("V2 (subtle)") << V << 2 << QString() << 1 << 0 << QSize(1024, 1024);
        QTest::newRow("V4 subtle") << V << 4 << "subtle" << 3 << 0 << QSize(1024, 1024);
        QTest::newRow("V1 strong") << V << 1 << "strong" << 0 << 1 << QSize(1024, 1024);
    }

    void variants()
    {
        QFETCH(int, kind);
        QFETCH(int, tile);
        QFETCH(QString, variant);
        QFETCH(int, index);
        QFETCH(int, type);
        QFETCH(QSize, size);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeApixo &fake = *r.fake;
        const Task parent = r.kept;
        const bool upscale = kind == int(OperationKind::Upscale);
        const Task t = env.run(action(static_cast<OperationKind>(kind), parent, tile, variant));
        QCOMPARE(t.state, TaskState::Succeeded);
        QVERIFY(!t.error);
        QCOMPARE(t.parentId, parent.id);
        QCOMPARE(env.server.last("POST", kSubmit)->json(),
                 submitBody(actionInput(upscale ? "upscale" : "vary", parent, index, type)));
        VERIFY_OK(
            verifyArchived(env, fake, t, upscale ? ImageRole::Upscale : ImageRole::Tile, upscale ? 1 : 4));
        QCOMPARE(t.images.at(0).size, size);
        VERIFY_OK(verifyAuth(env, fake));
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // image-to-image with two reference URLs, a niji version and turbo, routed by the account option
    // "routing" (sent as `provider`).
    void imageToImageWithRouting()
    {
        E2EEnv env(QStringLiteral("apixo"),
                   QJsonObject {{QStringLiteral("routing"), QStringLiteral("official")}});
        FakeApixo fake(env);
        Operation op = Operation::imagine(QStringLiteral("the same cat as a watercolour"));
        op.type = GenerateType::Image;
        op.references = {QStringLiteral("https://cdn.example.com/cat.png"),
                         QStringLiteral("https://cdn.example.com/style.webp")};
        op.version = QStringLiteral("niji6");
        op.speed = QStringLiteral("turbo");
        op.aspectRatio = QStringLiteral("2:3");
        op.weird = 500;
        op.translate = true;
        const Task t = env.run(op);
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(env.server.last("POST", kSubmit)->json(),
                 submitBody({{QStringLiteral("mode"), QStringLiteral("image-to-image")},
                             {QStringLiteral("prompt"), QStringLiteral("the same cat as a watercolour")},
                             {QStringLiteral("image_urls"), QJsonArray::fromStringList(op.references)},
                             {QStringLiteral("version"), QStringLiteral("niji 6")},
                             {QStringLiteral("speed"), QStringLiteral("turbo")},
                             {QStringLiteral("enableTranslation"), true},
                             {QStringLiteral("aspect"), QStringLiteral("2:3")},
                             {QStringLiteral("weird"), 500}},
                            QStringLiteral("official")));
        VERIFY_OK(verifyArchived(env, fake, t, ImageRole::Tile, 4));
        QCOMPARE(t.images.at(0).size, QSize(896, 1344));
        VERIFY_OK(verifyAuth(env, fake));
    }

    // apixo has no reroll, pan, zoom, seed, style/omni reference, video, animate, describe, blend,
    // shorten, video extend (PROVIDERS.md §2, §5): refused before anything is sent or stored, with the
    // reason the Gallery's tooltip shows; values apixo would refuse are refused too.
    void refusedBeforeSending_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("parent"); // "grid", "upscale" or "" (no parent)
        QTest::addColumn<int>("tile");
        QTest::addColumn<QString>("variant");
        QTest::addColumn<int>("errorKind");
        QTest::addColumn<QString>("message");

        using K = OperationKind;
        const int unsupported = int(Error::Kind::Unsupported);
        const int invalid = int(Error::Kind::InvalidRequest);
        const int text = int(GenerateType::Text);
        QTest::newRow("pan on tile 2")
            << int(K::Pan) << text << "grid" << 2 << QString() << unsupported << "apixo has no pan";
        QTest::newRow("pan on U1") << int(K::Pan) << text << "upscale" << 0 << QString() << unsupported
                                   << "apixo has no pan";
        QTest::newRow("zoom 1.5x on U1")
            << int(K::Zoom) << text << "upscale" << 0 << QString() << unsupported << "apixo has no zoom";
        QTest::newRow("zoom 2x on tile 2")
            << int(K::Zoom) << text << "grid" << 2 << QString() << unsupported << "apixo has no zoom";
        QTest::newRow("reroll") << int(K::Reroll) << text << "grid" << 0 << QString() << unsupported
                                << "apixo has no reroll";
        QTest::newRow("seed") << int(K::Seed) << text << "grid" << 0 << QString() << unsupported
                              << "apixo has no seed";
        QTest::newRow("animate") << int(K::Animate) << text << "upscale" << 0 << QString() << unsupported
                                 << "apixo has no animate";
        QTest::newRow("video extend") << int(K::VideoExtend) << text << "grid" << 1 << "auto" << unsupported
                                      << "apixo has no video extend";
        QTest::newRow("describe") << int(K::Describe) << text << "" << 0 << QString() << unsupported
                                  << "apixo has no describe";
        QTest::newRow("blend") << int(K::Blend) << text << "" << 0 << QString() << unsupported
                               << "apixo has no blend";
        QTest::newRow("shorten") << int(K::Shorten) << text << "" << 0 << QString() << unsupported
                                 << "apixo has no shorten";
        QTest::newRow("style reference") << int(K::Imagine) << int(GenerateType::Style) << "" << 0
                                         << QString() << unsupported << "apixo has no style reference";
        QTest::newRow("omni reference") << int(K::Imagine) << int(GenerateType::Omni) << "" << 0 << QString()
                                        << unsupported << "apixo has no omni reference";
        QTest::newRow("video") << int(K::Imagine) << int(GenerateType::Video) << "" << 0 << QString()
                               << unsupported << "apixo has no video";
        QTest::newRow("video HD") << int(K::Imagine) << int(GenerateType::VideoHd) << "" << 0 << QString()
                                  << unsupported << "apixo has no video";
        QTest::newRow("imagine with --seed")
            << int(K::Imagine) << text << "" << 0 << QString() << invalid << "seed: apixo takes no seed";
        QTest::newRow("imagine with --relax") << int(K::Imagine) << text << "" << 0 << QString() << invalid
                                              << "speed: apixo has no relaxed mode; use fast or turbo";
        QTest::newRow("upscale subtle") << int(K::Upscale) << text << "grid" << 2 << "subtle" << invalid
                                        << "variant: apixo's upscale has no \"subtle\"; it offers creative, "
                                           "2x, 4x";
        // apixo's upscale and vary act on a four-image result only; on an upscale the server would accept,
        // charge and fail the task (issue 12), so they are not offered.
        const QString fourImagesOnly = QStringLiteral("apixo upscales and varies only a four-image result, "
                                                      "not an upscale; use Vary Region or start from the "
                                                      "four images");
        QTest::newRow("creative of an upscale")
            << int(K::Upscale) << text << "upscale" << 0 << "creative" << unsupported << fourImagesOnly;
        QTest::newRow("4x of an upscale")
            << int(K::Upscale) << text << "upscale" << 0 << "4x" << unsupported << fourImagesOnly;
        QTest::newRow("vary strong of an upscale")
            << int(K::Vary) << text << "upscale" << 0 << "strong" << unsupported << fourImagesOnly;
        QTest::newRow("vary subtle of an upscale")
            << int(K::Vary) << text << "upscale" << 0 << "subtle" << unsupported << fourImagesOnly;
        // Operation::validate() refuses it before the adapter is asked: a plain U names a tile.
        QTest::newRow("plain U of an upscale") << int(K::Upscale) << text << "upscale" << 0 << QString()
                                               << invalid << "index: choose which image to upscale (1-4)";
    }

    void refusedBeforeSending()
    {
        QFETCH(int, kind);
        QFETCH(int, type);
        QFETCH(QString, parent);
        QFETCH(int, tile);
        QFETCH(QString, variant);
        QFETCH(int, errorKind);
        QFETCH(QString, message);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        const Task grid = r.kept;
        QCOMPARE(grid.state, TaskState::Succeeded);
        const auto children = env.store->children(grid.id);
        QVERIFY(children);
        const Task upscale
            = children->isEmpty() ? env.run(action(OperationKind::Upscale, grid, 1)) : children->first();
        QCOMPARE(upscale.state, TaskState::Succeeded);
        const Task *from = parent == QLatin1String("grid") ? &grid
            : parent == QLatin1String("upscale")           ? &upscale
                                                           : nullptr;

        Operation op;
        op.kind = static_cast<OperationKind>(kind);
        op.type = static_cast<GenerateType>(type);
        op.prompt = QStringLiteral("a red fox");
        if (message.startsWith(QLatin1String("seed:")))
            op.prompt = QStringLiteral("a red fox --seed 1234");
        if (message.startsWith(QLatin1String("speed:")))
            op.prompt = QStringLiteral("a red fox --relax");
        if (from) {
            op.parentTaskId = from->id;
            op.tile = tile;
            op.prompt.clear();
        }
        op.variant = variant;
        op.direction = QStringLiteral("left");
        op.zoomFactor = from == &grid ? QStringLiteral("2") : QStringLiteral("1.5");
        if (op.kind == OperationKind::Describe || op.kind == OperationKind::Blend
            || op.type != GenerateType::Text)
            op.references = {QStringLiteral("https://cdn.example.com/a.png"),
                             QStringLiteral("https://cdn.example.com/b.png")};

        const int requests = env.server.count();
        const int tasks = *env.store->taskCount();
        const Result<QString> submitted = env.submit(op);
        QVERIFY(!submitted);
        QCOMPARE(int(submitted.error().kind), errorKind);
        QCOMPARE(submitted.error().message, message);
        QCOMPARE(env.server.count(), requests);
        QCOMPARE(*env.store->taskCount(), tasks);
        QCOMPARE(env.engine->drivingCount(), 0);

        // What the Gallery asks before offering the action: disabled, with the same reason as tooltip.
        const ProviderAdapter *adapter = env.providers->adapter(QStringLiteral("apixo"));
        QVERIFY(adapter);
        if (errorKind == int(Error::Kind::Unsupported)) {
            const Availability available = adapter->availability(op, from, env.account);
            QVERIFY(!available.enabled);
            QCOMPARE(available.reason, message);
        }
        if (message.startsWith(QLatin1String("apixo has no")) && op.kind != OperationKind::Imagine)
            QVERIFY(!adapter->capabilities(env.account).supports(op.kind));
        VERIFY_OK(verifyKept(env, grid));
    }

    // No server-side cancel at apixo: cancelling a running task stops polling here and says the server may
    // still finish and charge it; nothing is sent. The same run checks the poll policy of §6: the
    // first-poll option brings the first status check forward, after which apixo's own 3 s interval holds.
    void cancelStopsPollingLocally()
    {
        E2EEnv env(QStringLiteral("apixo"));
        env.account.options.remove(QStringLiteral("poll-interval"));
        QVERIFY(env.store->saveAccount(env.account));
        FakeApixo fake(env);
        fake.runningPolls = 1000;

        const ProviderAdapter *adapter = env.providers->adapter(QStringLiteral("apixo"));
        QVERIFY(!adapter->capabilities(env.account).serverCancel);
        QVERIFY(!adapter->buildCancel(QStringLiteral("task_12345678"), env.account));

        const Result<QString> id = env.submit(Operation::imagine(QStringLiteral("a slow fox")));
        QVERIFY(id);
        QTRY_COMPARE_WITH_TIMEOUT(env.server.count("GET", kStatus), 2, 10'000);
        QTRY_COMPARE(env.task(*id).pollCount, 2);
        QCOMPARE(env.task(*id).state, TaskState::Running); // "processing"
        const QDateTime submitted = env.server.last("POST", kSubmit)->received;
        const auto polls = env.server.requests("GET", kStatus);
        QVERIFY2(submitted.msecsTo(polls.at(0).received) < 2000, "first-poll 0.05 s is honoured");
        const qint64 gap = polls.at(0).received.msecsTo(polls.at(1).received);
        // apixo's 3 s interval (a coarse timer may fire up to 5 % early), not the override's.
        QVERIFY2(gap >= 2850 && gap < 6000, qPrintable(QStringLiteral("second poll after %1 ms").arg(gap)));

        QVERIFY(env.engine->cancel(*id));
        const Task cancelled = env.task(*id);
        QCOMPARE(cancelled.state, TaskState::Cancelled);
        QVERIFY(cancelled.error);
        QCOMPARE(cancelled.error->kind, Error::Kind::Cancelled);
        QCOMPARE(cancelled.error->message, kCancelledLocally);
        QCOMPARE(cancelled.remoteId, fake.order.value(0));
        QVERIFY(!env.engine->isDriving(*id));
        const QString remoteId = cancelled.remoteId;

        // Nothing went to apixo to cancel, and no status check of it follows while another task runs
        // to its end (with quick polling, so that the wait is on state, not on a clock).
        env.account.options.insert(QStringLiteral("poll-interval"), QStringLiteral("0.05"));
        QVERIFY(env.store->saveAccount(env.account));
        fake.runningPolls = 3;
        const Task next = env.run(Operation::imagine(QStringLiteral("a quick fox")));
        QCOMPARE(next.state, TaskState::Succeeded);
        for (const RecordedRequest &r : env.server.requests("GET", kStatus).mid(2))
            QCOMPARE(r.queryItems().queryItemValue(QStringLiteral("taskId")), next.remoteId);
        QCOMPARE(env.server.count("POST", kSubmit), 2);
        QCOMPARE(env.task(*id).state, TaskState::Cancelled);
        QVERIFY(!env.engine->cancel(*id));
        QCOMPARE(env.task(*id).state, TaskState::Cancelled);
        QCOMPARE(fake.job(remoteId).polls, 2);
        VERIFY_OK(verifyAuth(env, fake));
    }

    // apixo's defaults (§6: first poll after 20 s, 10 s for turbo, then every 3 s, for 10 minutes) and
    // the account overrides the rig relies on.
    void pollPolicy()
    {
        const auto registry = ProviderRegistry::createDefault();
        const ProviderAdapter *adapter = registry->adapter(QStringLiteral("apixo"));
        QVERIFY(adapter);
        Account account;
        account.family = QStringLiteral("apixo");
        Operation op = Operation::imagine(QStringLiteral("x"));
        PollPolicy p = adapter->pollPolicy(op, account);
        QCOMPARE(p.firstPollMs, 20'000);
        QCOMPARE(p.intervalMs, 3'000);
        QCOMPARE(p.maxPolls, 0);
        QCOMPARE(p.timeoutMs, 600'000);
        op.speed = QStringLiteral("turbo");
        QCOMPARE(adapter->pollPolicy(op, account).firstPollMs, 10'000);

        account.options.insert(QStringLiteral("first-poll"), QStringLiteral("0.05"));
        p = adapter->pollPolicy(op, account);
        QCOMPARE(p.firstPollMs, 50);
        QCOMPARE(p.intervalMs, 3'000);
        account.options.insert(QStringLiteral("poll-interval"), QStringLiteral("2"));
        account.options.insert(QStringLiteral("timeout"), QStringLiteral("90"));
        account.options.insert(QStringLiteral("max-polls"), QStringLiteral("12"));
        p = adapter->pollPolicy(op, account);
        QCOMPARE(p.intervalMs, 2'000);
        QCOMPARE(p.timeoutMs, 90'000);
        QCOMPARE(p.maxPolls, 12);
    }

    // A submit that apixo refuses (in the envelope of an HTTP 200, or as HTTP status), or whose answer is
    // broken or never comes: the task fails with the vendor's words, the submit is sent exactly once (a
    // second one could charge twice), nothing is polled, and the history already stored is intact.
    void submitFailures_data()
    {
        QTest::addColumn<Answer>("answer");
        QTest::addColumn<int>("errorKind");
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QString>("vendorCode");
        QTest::addColumn<QString>("message"); // exact; empty: see `contains`
        QTest::addColumn<QString>("contains");

        using K = Error::Kind;
        const QString unauthorized = QStringLiteral("Unauthorized: invalid API key");
        QTest::newRow("401 as HTTP status and code")
            << vendorAnswer(401, 401, unauthorized) << int(K::Unauthorized) << 401 << "401" << unauthorized
            << QString();
        QTest::newRow("401 in the envelope of an HTTP 200")
            << vendorAnswer(200, 401, unauthorized) << int(K::Unauthorized) << 200 << "401" << unauthorized
            << QString();
        const QString credits = QStringLiteral("Insufficient credits");
        // The vendor doc's own example, verbatim: code 400 under HTTP 200.
        QTest::newRow("code 400 Insufficient credits (the vendor doc's example)")
            << Answer::jsonText(200, R"({"code":400,"message":"Insufficient credits","data":null})")
            << int(K::PaymentRequired) << 200 << "400" << credits << QString();
        QTest::newRow("402 as HTTP status") << vendorAnswer(402, 402, credits) << int(K::PaymentRequired)
                                            << 402 << "402" << credits << QString();
        const QString balance = QStringLiteral("Insufficient balance: 0 credits left on this key");
        QTest::newRow("403 credits") << vendorAnswer(403, 403, balance) << int(K::PaymentRequired) << 403
                                     << "403" << balance << QString();
        const QString field
            = QStringLiteral("input.aspect must be one of 1:2, 9:16, 2:3, 3:4, 5:6, 1:1, 6:5, "
                             "4:3, 3:2, 16:9, 2:1");
        QTest::newRow("400 naming a field")
            << vendorAnswer(200, 400, field) << int(K::InvalidRequest) << 200 << "400" << field << QString();
        const QString validation = QStringLiteral("input.prompt: length must be between 1 and 2000");
        QTest::newRow("422 as HTTP status") << vendorAnswer(422, 422, validation) << int(K::InvalidRequest)
                                            << 422 << "422" << validation << QString();
        const QString maintenance = QStringLiteral("System is under maintenance, please try again later");
        QTest::newRow("455 maintenance in the envelope")
            << vendorAnswer(200, 455, maintenance) << int(K::Maintenance) << 200 << "455" << maintenance
            << QString();
        QTest::newRow("500: the submit is not sent again")
            << vendorAnswer(500, 500, QStringLiteral("Internal server error")) << int(K::ServerError) << 500
            << "500"
            << "Internal server error" << QString();
        QTest::newRow("malformed JSON")
            << Answer::jsonText(200, R"({"code":200,"message":"success","data":{"taskId":)")
            << int(K::BadResponse) << 200 << QString() << QString() << "JSON";
        QTest::newRow("an HTML page with HTTP 200")
            << Answer::text(200, "<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>",
                            "text/html")
            << int(K::BadResponse) << 200 << QString() << QString() << "web page";
        QTest::newRow("wrong types: data is a string")
            << Answer::json(200, envelope(200, QStringLiteral("success"), QStringLiteral("task_1")))
            << int(K::BadResponse) << 200 << QString() << QString() << "\"data\" is not an object";
        QTest::newRow("wrong types: taskId is an object")
            << Answer::json(200,
                            envelope(200, QStringLiteral("success"),
                                     QJsonObject {{QStringLiteral("taskId"), QJsonObject {}}}))
            << int(K::BadResponse) << 200 << QString() << QString() << "data.taskId is missing";
        QTest::newRow("wrong types: code is a word")
            << Answer::json(
                   200,
                   {{QStringLiteral("code"), QStringLiteral("OK")},
                    {QStringLiteral("data"), QJsonObject {{QStringLiteral("taskId"), QStringLiteral("x")}}}})
            << int(K::BadResponse) << 200 << QString() << QString() << "\"code\" is not a number";
        QTest::newRow("the reply hangs")
            << Answer::hanging() << int(K::Timeout) << 0 << QString() << QString() << "not sent again";
        QTest::newRow("the connection drops")
            << Answer::dropped() << int(K::Network) << 0 << QString() << QString() << "not sent again";
        QTest::newRow("the connection drops mid-answer") << Answer::droppedMidBody(
            QJsonDocument(envelope(200, QStringLiteral("success"),
                                   QJsonObject {{QStringLiteral("taskId"), QStringLiteral("task_1")}}))
                .toJson(QJsonDocument::Compact),
            "application/json") << int(K::Network) << 0 << QString()
                                                         << QString() << "not sent again";
    }

    void submitFailures()
    {
        QFETCH(Answer, answer);
        QFETCH(int, errorKind);
        QFETCH(int, httpStatus);
        QFETCH(QString, vendorCode);
        QFETCH(QString, message);
        QFETCH(QString, contains);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        const int submits = env.server.count("POST", kSubmit);
        const int statusChecks = env.server.count("GET", kStatus);

        env.server.enqueue("POST", kSubmit, answer);
        const Task t = env.run(Operation::imagine(QStringLiteral("a fox that costs money")));
        QVERIFY(!t.id.isEmpty());
        QCOMPARE(t.state, TaskState::Failed);
        QVERIFY(t.error);
        QCOMPARE(int(t.error->kind), errorKind);
        QCOMPARE(t.error->httpStatus, httpStatus);
        QCOMPARE(t.error->vendorCode, vendorCode);
        if (!message.isEmpty())
            QCOMPARE(t.error->message, message);
        else
            QVERIFY2(!t.error->message.isEmpty(), "the user is told something");
        if (!contains.isEmpty())
            QVERIFY2(t.error->message.contains(contains), qPrintable(t.error->message));
        QVERIFY(t.remoteId.isEmpty());
        QVERIFY(t.images.isEmpty());
        // Exactly one submit for this task, and no status check.
        QCOMPARE(env.server.count("POST", kSubmit), submits + 1);
        QCOMPARE(env.server.count("GET", kStatus), statusChecks);
        QVERIFY(r.fake->order.isEmpty());
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // 429 with Retry-After (apixo: beyond 10,000 requests/min or 1,000 concurrent tasks): no request before
    // the deadline, then the task goes through (a 429 proves the task was not created).
    void rateLimitedSubmit_data()
    {
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<bool>("httpDate");

        QTest::newRow("HTTP 429, Retry-After: 1") << 429 << false;
        QTest::newRow("code 429 in an HTTP 200, Retry-After: 1") << 200 << false;
        QTest::newRow("HTTP 429, Retry-After as an HTTP date") << 429 << true;
    }

    void rateLimitedSubmit()
    {
        QFETCH(int, httpStatus);
        QFETCH(bool, httpDate);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeApixo &fake = *r.fake;
        const int before = env.server.count("POST", kSubmit);
        Answer answer = vendorAnswer(httpStatus, 429, QStringLiteral("Too many requests"));
        const QDateTime deadline = httpDate
            ? QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch() + 2, QTimeZone::utc())
            : QDateTime();
        answer.header("Retry-After",
                      httpDate ? QLocale::c()
                                     .toString(deadline, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                                     .toLatin1()
                               : QByteArray("1"));
        env.server.enqueue("POST", kSubmit, answer);

        const Result<QString> id = env.submit(Operation::imagine(QStringLiteral("a patient fox")));
        QVERIFY(id);
        // The wait is visible on the task while it lasts (issue 12): until when, and why.
        QTRY_VERIFY(env.task(*id).remote.contains(QLatin1String("waitUntil")));
        const Task waiting = env.task(*id);
        QVERIFY(isActive(waiting.state));
        QCOMPARE(waiting.remote.value(QLatin1String("waitStatus")).toInt(), 429);
        const qint64 until = waiting.remote.value(QLatin1String("waitUntil")).toInteger();
        QVERIFY2(until > QDateTime::currentMSecsSinceEpoch() - 200, qPrintable(QString::number(until)));
        QVERIFY2(until <= QDateTime::currentMSecsSinceEpoch() + 3000, qPrintable(QString::number(until)));
        const Task t = env.runToEnd(*id);
        QVERIFY(!t.remote.contains(QLatin1String("waitUntil")));
        QCOMPARE(t.state, TaskState::Succeeded);
        QVERIFY(!t.error);
        VERIFY_OK(verifyArchived(env, fake, t, ImageRole::Tile, 4));
        const auto submits = env.server.requests("POST", kSubmit).mid(before);
        QCOMPARE(submits.size(), 2); // the refused one, the one after the deadline
        const QDateTime refusedAt = submits.at(0).received;
        const QDateTime sentAgain = submits.at(1).received;
        const QDateTime notBefore = httpDate ? deadline : refusedAt.addMSecs(1000);
        QVERIFY2(
            sentAgain >= notBefore,
            qPrintable(
                QStringLiteral("sent again %1 ms before the deadline").arg(sentAgain.msecsTo(notBefore))));
        QCOMPARE(fake.order.size(), 1);
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // statusTask failures: transient ones (5xx, 455, 429, a hang, a drop, broken or wrongly typed JSON,
    // a resultJson that is not JSON) are retried and the task still succeeds; final ones (a revoked key)
    // fail it with apixo's words; answers that stay broken leave it unfinished, to be checked later.
    void statusFailures_data()
    {
        QTest::addColumn<QList<Answer>>("answers");
        QTest::addColumn<int>("state");
        QTest::addColumn<int>("errorKind"); // when not succeeded
        QTest::addColumn<QString>("message"); // exact, or a prefix ending in "…"
        QTest::addColumn<int>("minGapMs"); // between the first scripted answer and the next request

        using K = Error::Kind;
        const int ok = int(TaskState::Succeeded);
        const QString maintenance = QStringLiteral("System is under maintenance, please try again later");
        const auto data = [](const QJsonObject &d) {
            return Answer::json(200, envelope(200, QStringLiteral("success"), d));
        };
        const Answer wrongState
            = data({{QStringLiteral("taskId"), QStringLiteral("x")}, {QStringLiteral("state"), 3}});
        const Answer brokenResult
            = data({{QStringLiteral("taskId"), QStringLiteral("x")},
                    {QStringLiteral("state"), QStringLiteral("success")},
                    {QStringLiteral("resultJson"), QStringLiteral("{\"resultUrls\":[")}});
        QTest::newRow("500 then success")
            << QList<Answer> {vendorAnswer(500, 500, QStringLiteral("Internal server error"))} << ok << 0
            << QString() << 0;
        QTest::newRow("503 twice then success")
            << QList<Answer> {Answer::text(503, "busy"), Answer::text(503, "busy")} << ok << 0 << QString()
            << 0;
        QTest::newRow("455 maintenance then success")
            << QList<Answer> {vendorAnswer(200, 455, maintenance)} << ok << 0 << QString() << 0;
        QTest::newRow("429 with Retry-After then success")
            << QList<Answer> {vendorAnswer(429, 429, QStringLiteral("Too many requests"))
                                  .header("Retry-After", "1")}
            << ok << 0 << QString() << 1000;
        QTest::newRow("malformed JSON then success")
            << QList<Answer> {Answer::jsonText(200, R"({"code":200,"data":{"state":)")} << ok << 0
            << QString() << 0;
        QTest::newRow("an HTML page with HTTP 200 then success")
            << QList<Answer> {Answer::text(200, "<html><body>Loading…</body></html>", "text/html")} << ok << 0
            << QString() << 0;
        QTest::newRow("wrong types then success") << QList<Answer> {wrongState} << ok << 0 << QString() << 0;
        QTest::newRow("a resultJson that is not JSON then success")
            << QList<Answer> {brokenResult} << ok << 0 << QString() << 0;
        QTest::newRow("a hanging reply then success")
            << QList<Answer> {Answer::hanging()} << ok << 0 << QString() << 0;
        QTest::newRow("a dropped connection then success")
            << QList<Answer> {Answer::dropped()} << ok << 0 << QString() << 0;
        QTest::newRow("401: the key was revoked")
            << QList<Answer> {vendorAnswer(200, 401, QStringLiteral("Unauthorized: invalid API key"))}
            << int(TaskState::Failed) << int(K::Unauthorized) << "Unauthorized: invalid API key" << 0;
        QTest::newRow("wrong types every time: unfinished")
            << QList<Answer>(8, wrongState) << int(TaskState::Unfinished) << int(K::BadResponse)
            << QStringLiteral("Status checks keep failing (…") << 0;
    }

    void statusFailures()
    {
        QFETCH(QList<Answer>, answers);
        QFETCH(int, state);
        QFETCH(int, errorKind);
        QFETCH(QString, message);
        QFETCH(int, minGapMs);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeApixo &fake = *r.fake;
        const int before = env.server.count("GET", kStatus);
        const int submits = env.server.count("POST", kSubmit);

        env.server.enqueue("GET", kStatus, answers);
        const Task t = env.run(Operation::imagine(QStringLiteral("a fox in a storm")));
        QCOMPARE(int(t.state), state);
        QCOMPARE(t.remoteId, fake.order.value(0));
        QCOMPARE(env.server.count("POST", kSubmit), submits + 1);
        if (state == int(TaskState::Succeeded)) {
            QVERIFY2(!t.error, qPrintable(t.error ? t.error->message : QString()));
            VERIFY_OK(verifyArchived(env, fake, t, ImageRole::Tile, 4));
        } else {
            QVERIFY(t.error);
            QCOMPARE(int(t.error->kind), errorKind);
            if (message.endsWith(QChar(0x2026)))
                QVERIFY2(t.error->message.startsWith(message.chopped(1)), qPrintable(t.error->message));
            else
                QCOMPARE(t.error->message, message);
            QVERIFY(t.images.isEmpty());
        }
        const auto polls = env.server.requests("GET", kStatus).mid(before);
        if (state == int(TaskState::Succeeded))
            QVERIFY(polls.size() > answers.size()); // every scripted answer, then the fake's own
        if (minGapMs > 0) {
            QVERIFY(polls.size() >= 2);
            const qint64 gap = polls.at(0).received.msecsTo(polls.at(1).received);
            QVERIFY2(gap >= minGapMs, qPrintable(QStringLiteral("asked again after %1 ms").arg(gap)));
        }
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // state "failed" under an envelope that stays 200 (PROVIDERS.md §2): the task fails with failMsg
    // verbatim; CONTENT_VIOLATION is a content-policy refusal; nothing is downloaded.
    void taskFailures_data()
    {
        QTest::addColumn<QJsonValue>("failCode");
        QTest::addColumn<QString>("failMsg");
        QTest::addColumn<int>("errorKind");
        QTest::addColumn<QString>("message");

        using K = Error::Kind;
        const QString safety = QStringLiteral("Content does not meet safety guidelines");
        QTest::newRow("CONTENT_VIOLATION (the vendor doc's example)")
            << QJsonValue(QStringLiteral("CONTENT_VIOLATION")) << safety << int(K::ContentRejected) << safety;
        const QString url = QStringLiteral("Failed to download image from the given URL");
        QTest::newRow("INVALID_IMAGE_URL")
            << QJsonValue(QStringLiteral("INVALID_IMAGE_URL")) << url << int(K::InvalidRequest) << url;
        QTest::newRow("a failCode without failMsg")
            << QJsonValue(QStringLiteral("CONTENT_VIOLATION")) << QString() << int(K::ContentRejected)
            << "CONTENT_VIOLATION";
        const QString broke = QStringLiteral("Midjourney returned an internal error, please try again");
        QTest::newRow("an undocumented failCode")
            << QJsonValue(QStringLiteral("GENERATION_FAILED")) << broke << int(K::ServerError) << broke;
    }

    void taskFailures()
    {
        QFETCH(QJsonValue, failCode);
        QFETCH(QString, failMsg);
        QFETCH(int, errorKind);
        QFETCH(QString, message);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeApixo &fake = *r.fake;
        const int downloads = env.server.count("GET", kFiles + QLatin1Char('*'));
        fake.runningPolls = 1;
        fake.fail = true;
        fake.failCode = failCode;
        fake.failMsg = failMsg;
        const Task t = env.run(Operation::imagine(QStringLiteral("something not allowed")));
        QCOMPARE(t.state, TaskState::Failed);
        QVERIFY(t.error);
        QCOMPARE(int(t.error->kind), errorKind);
        QCOMPARE(t.error->message, message);
        QCOMPARE(t.error->vendorCode, failCode.toString());
        QCOMPARE(t.remoteId, fake.order.value(0));
        QVERIFY(t.images.isEmpty());
        QCOMPARE(env.server.count("GET", kFiles + QLatin1Char('*')), downloads);
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // A task still generating when the cap is reached is unfinished, not failed; checking it again later
    // resumes it to success with every image stored.
    void stuckTaskThenCheck_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");

        QTest::newRow("max-polls 3") << QStringLiteral("max-polls") << QStringLiteral("3")
                                     << QStringLiteral("Tessera stopped asking after 3 status checks");
        QTest::newRow("timeout 0.4 s")
            << QStringLiteral("timeout") << QStringLiteral("0.4") << QStringLiteral("Tessera stopped asking after");
    }

    void stuckTaskThenCheck()
    {
        QFETCH(QString, option);
        QFETCH(QString, value);
        QFETCH(QString, message);

        E2EEnv env(QStringLiteral("apixo"), QJsonObject {{option, value}});
        FakeApixo fake(env);
        fake.runningPolls = 0;
        const Task kept = baseline(env);
        fake.runningPolls = 1'000'000;
        const Task stuck = env.run(Operation::imagine(QStringLiteral("an endless fox")));
        QCOMPARE(stuck.state, TaskState::Unfinished);
        QVERIFY(stuck.error);
        // The server answered every check: "still running", never "the server did not answer" (issue 12).
        QCOMPARE(stuck.error->kind, Error::Kind::StillRunning);
        QVERIFY2(stuck.error->message.startsWith(message), qPrintable(stuck.error->message));
        QCOMPARE(stuck.remoteId, fake.order.value(1));
        QVERIFY(stuck.images.isEmpty());
        if (option == QLatin1String("max-polls"))
            QCOMPARE(fake.job(stuck.remoteId).polls, 3);

        fake.job(stuck.remoteId).runningPolls = 0; // apixo finished it meanwhile
        QVERIFY(env.engine->check(stuck.id));
        const Task done = env.runToEnd(stuck.id);
        QCOMPARE(done.state, TaskState::Succeeded);
        QVERIFY(!done.error);
        QCOMPARE(env.server.count("POST", kSubmit), 2); // checking never submits again
        VERIFY_OK(verifyArchived(env, fake, done, ImageRole::Tile, 4));
        VERIFY_OK(verifyKept(env, kept));
    }

    // One of the four images cannot be stored: expired (404), truncated, corrupt, a decompression bomb,
    // a redirect to file://. That image says so; the task still succeeds with the other three stored.
    void imageFailures_data()
    {
        QTest::addColumn<Answer>("answer");
        QTest::addColumn<int>("imageState");
        QTest::addColumn<int>("taskErrorKind");
        QTest::addColumn<QString>("words"); // in the image's error

        const QByteArray png = cachedPng({1024, 1024}, 7);
        const int expired = int(ImageState::Expired);
        const int failed = int(ImageState::Failed);
        const int io = int(Error::Kind::Io);
        QTest::newRow("404: expired")
            << Answer::text(404, "Not Found") << expired << int(Error::Kind::NotFound) << "404";
        QTest::newRow("truncated: the connection drops mid-body")
            << Answer::droppedMidBody(png, "image/png") << failed << io << "closed";
        QTest::newRow("truncated: half a PNG")
            << Answer::bytes(png.left(png.size() / 2), "image/png") << failed << io << "truncated";
        QTest::newRow("corrupt bytes")
            << Answer::bytes(QByteArray(20'000, '\x5a'), "image/png") << failed << io << "not an image";
        QTest::newRow("a PNG declaring 30000x30000")
            << Answer::bytes(hugePng(30000), "image/png") << failed << io << "30000×30000";
        QTest::newRow("a redirect to file://")
            << Answer::redirect("file:///etc/passwd") << failed << io << "file:";
    }

    void imageFailures()
    {
        QFETCH(Answer, answer);
        QFETCH(int, imageState);
        QFETCH(int, taskErrorKind);
        QFETCH(QString, words);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeApixo &fake = *r.fake;
        fake.fileAnswers.insert(QStringLiteral("_2.png"), answer); // the third of the four images

        const Task t = env.run(Operation::imagine(QStringLiteral("a fox with a missing picture")));
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(t.remoteId, fake.order.value(0));
        QVERIFY(t.error);
        QCOMPARE(int(t.error->kind), taskErrorKind);
        QVERIFY2(t.error->message.startsWith(QStringLiteral("1 image could not be saved")),
                 qPrintable(t.error->message));
        QCOMPARE(t.images.size(), 4);
        for (const ImageRef &img : t.images) {
            QCOMPARE(img.role, ImageRole::Tile);
            if (img.index == 3) {
                QCOMPARE(int(img.state), imageState);
                QVERIFY2(img.error.contains(words), qPrintable(img.error));
                QVERIFY2(!img.error.contains(QLatin1String("API key")), qPrintable(img.error));
                QVERIFY(!img.isLocal());
                QCOMPARE(img.remoteUrl, env.fileUrl(fake.fileOf(t.remoteId, 2)));
            } else {
                QCOMPARE(img.state, ImageState::Downloaded);
                QCOMPARE(readAll(env.pathOf(img)), fake.files.value(fake.fileOf(t.remoteId, img.index - 1)));
            }
        }
        QCOMPARE(env.task(t.id).images, t.images);
        VERIFY_OK(verifyKept(env, r.kept));
    }

    void cleanupTestCase()
    {
        m_rig.fake.reset();
        m_rig.env.reset();
    }
};

QTEST_GUILESS_MAIN(TestE2EApixo)
#include "tst_e2e_apixo.moc"
