// End to end against a fake midjourney-proxy (PROVIDERS.md §4): the product's provider registry, HttpClient
// and TaskEngine run every operation of the family's §5 column and the failure paths of issue 3 against a
// small stateful server that speaks the protocol the way the open-source proxies and their gateways do:
// envelopes {code, description, result, properties}, ids above 2^53 as JSON numbers, task objects with
// buttons[] whose customIds carry a job hash, MODAL tasks finished by /submit/modal.

#include "e2eenv.h"
#include "storage/imagearchive.h"
#include "tasks/references.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPainter>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

using namespace tessera;
using namespace tessera::test;

// Stops the test function when a helper's QCOMPARE/QVERIFY failed.
#define CHECK(call)                                                                                          \
    do {                                                                                                     \
        call;                                                                                                \
        if (QTest::currentTestFailed())                                                                      \
            return;                                                                                          \
    } while (false)

namespace {

QString text(const char *utf8)
{
    return QString::fromUtf8(utf8);
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Row-major tile colours of a job's grid (tile 1 top-left ... 4 bottom-right), distinct per job.
QColor tileColor(int seed, int tile)
{
    return QColor::fromHsv((seed * 37 + tile * 83) % 360, 180, 210);
}

QByteArray encodePng(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

QByteArray filledPng(QSize size, QColor color)
{
    static QHash<QString, QByteArray> cache;
    const QString key = QStringLiteral("%1x%2/%3").arg(size.width()).arg(size.height()).arg(color.rgb());
    if (!cache.contains(key)) {
        QImage image(size, QImage::Format_RGB32);
        image.fill(color);
        cache.insert(key, encodePng(image));
    }
    return cache.value(key);
}

// A 2x2 grid as Midjourney sends it: one image, four quadrants.
QByteArray gridPng(QSize size, int seed)
{
    QImage image(size, QImage::Format_RGB32);
    QPainter painter(&image);
    const auto rects = ImageArchive::tileRects(size);
    for (int i = 0; i < 4; ++i)
        painter.fillRect(rects[static_cast<std::size_t>(i)], tileColor(seed, i + 1));
    painter.end();
    return encodePng(image);
}

QByteArray mp4Bytes()
{
    QByteArray bytes("\x00\x00\x00\x18", 4);
    bytes += "ftypisom";
    bytes += QByteArray("\x00\x00\x02\x00", 4);
    bytes += "isomiso2";
    bytes += QByteArray(512, '\x11');
    return bytes;
}

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char c : data) {
        crc ^= static_cast<quint8>(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray pngChunk(const QByteArray &type, const QByteArray &data)
{
    QByteArray chunk;
    const auto be32 = [&chunk](quint32 v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            chunk.append(static_cast<char>((v >> shift) & 0xFF));
    };
    be32(static_cast<quint32>(data.size()));
    chunk += type + data;
    be32(crc32(type + data));
    return chunk;
}

// A well-formed PNG header declaring 30000×30000 RGB pixels (2.7 GB decoded) with almost no data.
QByteArray hugePng()
{
    QByteArray ihdr;
    for (int i = 0; i < 2; ++i)
        ihdr += QByteArray("\x00\x00\x75\x30", 4); // 30000
    ihdr += QByteArray("\x08\x02\x00\x00\x00", 5);
    const QByteArray zlib = qCompress(QByteArray(3 * 30000 + 1, '\0')).mid(4);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr) + pngChunk("IDAT", zlib)
        + pngChunk("IEND", {});
}

// One task as the fake proxy keeps it.
struct FakeJob
{
    enum class Result { Grid, Single, Video, Text };

    QString id;
    QString
        action; // IMAGINE, UPSCALE, VARIATION, REROLL, PAN, ZOOM, INPAINT, VIDEO, DESCRIBE, BLEND, SHORTEN
    Result result = Result::Grid;
    QString status = QStringLiteral("NOT_START");
    QString prompt;
    QString finalPrompt;
    QString hash;
    QString parentId;
    QString customId;
    QString version = QStringLiteral("7"); // which upscale buttons an upscale offers
    QSize size; // of the grid, or of the single image
    int seed = 0;
    int fetches = 0;
    int finishAfter = 2; // the fetch that reports the end
    int progress = 0;
    bool queued = false; // answered code 22: the first fetch still says SUBMITTED
    bool stuck = false; // stays IN_PROGRESS
    bool tiles = false; // imageUrls with the four tiles as separate files
    QString failReason; // ends as FAILURE with it
    QString modalPrompt;
    QImage mask;
    QByteArray upload; // describe: the image sent
    QHash<int, Answer> files; // slot (0 the image, 1..4 tiles) → what is served instead of the PNG

    bool finished() const
    {
        return status == QLatin1String("SUCCESS") || status == QLatin1String("FAILURE")
            || status == QLatin1String("CANCEL");
    }
};

// A midjourney-proxy as the open-source servers and new-api gateways behave (PROVIDERS.md §4), on the
// rig's FakeHttpServer. Result files are served under /files/ (no key expected there).
class FakeProxy
{
public:
    explicit FakeProxy(E2EEnv &env)
        : m_env(env)
    {
        env.server.respond([this](const RecordedRequest &r) { return handle(r); });
    }
    ~FakeProxy() { m_env.server.respond({}); }
    FakeProxy(const FakeProxy &) = delete;
    FakeProxy &operator=(const FakeProxy &) = delete;

    QString prefix; // the account's speed prefix, e.g. "/mj-fast"
    QString auth = QStringLiteral("bearer"); // bearer | raw | mj-api-secret
    QByteArray key = E2EEnv::kKey;
    bool remix = false; // V, reroll, pan, vary subtle/strong and animate answer code 21
    bool listByCondition = false; // answers POST /task/list-by-condition (batch polling)
    bool animate = true; // upscales carry animate_* buttons (several gateways never offer them)
    int queuedNext = 0; // so many submits answer code 22
    int queueFull = 0; // so many imagines answer code 23 (and create nothing)
    QSize imagineSize {1024, 1024}; // of an imagine's grid (tests of failures take smaller ones: quicker)
    std::function<void(FakeJob &)> configure; // shapes every new job
    // Answers before anything else when it returns one (gateway failures, broken answers).
    std::function<std::optional<Answer>(const RecordedRequest &)> intercept;

    std::deque<FakeJob> jobs;
    int authFailures = 0;
    int wrongPaths = 0;
    int keyLeaks = 0; // result downloads that carried a key
    int unknownButtons = 0; // actions whose customId the parent never listed

    FakeJob *job(const QString &id)
    {
        for (FakeJob &j : jobs) {
            if (j.id == id)
                return &j;
        }
        return nullptr;
    }

    QString path(const QString &rest) const { return prefix + QStringLiteral("/mj") + rest; }
    QList<RecordedRequest> requests(const QByteArray &method, const QString &rest) const
    {
        return m_env.server.requests(method, path(rest));
    }
    QList<QJsonObject> bodies(const QString &rest) const
    {
        QList<QJsonObject> out;
        for (const RecordedRequest &r : requests("POST", rest))
            out.append(r.json());
        return out;
    }

    QJsonArray buttonsOf(const FakeJob &j) const
    {
        QJsonArray buttons;
        const auto add = [&buttons](const QString &customId, const QString &label) {
            buttons.append(QJsonObject {{QStringLiteral("customId"), customId},
                                        {QStringLiteral("emoji"), QString()},
                                        {QStringLiteral("label"), label},
                                        {QStringLiteral("style"), 2},
                                        {QStringLiteral("type"), 2}});
        };
        const QString h = j.hash;
        if (j.result == FakeJob::Result::Grid) {
            for (int i = 1; i <= 4; ++i)
                add(QStringLiteral("MJ::JOB::upsample::%1::%2").arg(i).arg(h), QStringLiteral("U%1").arg(i));
            add(QStringLiteral("MJ::JOB::reroll::0::%1::SOLO").arg(h), QString());
            for (int i = 1; i <= 4; ++i)
                add(QStringLiteral("MJ::JOB::variation::%1::%2").arg(i).arg(h), QStringLiteral("V%1").arg(i));
        } else if (j.result == FakeJob::Result::Single) {
            const QString solo = QStringLiteral("::1::%1::SOLO").arg(h);
            if (j.version == QLatin1String("5")) {
                add(QStringLiteral("MJ::JOB::upsample_v5_2x") + solo, QStringLiteral("Upscale (2x)"));
                add(QStringLiteral("MJ::JOB::upsample_v5_4x") + solo, QStringLiteral("Upscale (4x)"));
            } else {
                add(QStringLiteral("MJ::JOB::upsample_v7_2x_subtle") + solo,
                    QStringLiteral("Upscale (Subtle)"));
                add(QStringLiteral("MJ::JOB::upsample_v7_2x_creative") + solo,
                    QStringLiteral("Upscale (Creative)"));
            }
            add(QStringLiteral("MJ::JOB::low_variation") + solo, QStringLiteral("Vary (Subtle)"));
            add(QStringLiteral("MJ::JOB::high_variation") + solo, QStringLiteral("Vary (Strong)"));
            add(QStringLiteral("MJ::Inpaint::1::%1::SOLO").arg(h), QStringLiteral("Vary (Region)"));
            add(QStringLiteral("MJ::Outpaint::50::1::%1::SOLO").arg(h), QStringLiteral("Zoom Out 2x"));
            add(QStringLiteral("MJ::Outpaint::75::1::%1::SOLO").arg(h), QStringLiteral("Zoom Out 1.5x"));
            add(QStringLiteral("MJ::CustomZoom::%1").arg(h), QStringLiteral("Custom Zoom"));
            for (const char *d : {"left", "right", "up", "down"})
                add(QStringLiteral("MJ::JOB::pan_%1").arg(QLatin1String(d)) + solo, QString());
            if (animate) {
                add(QStringLiteral("MJ::JOB::animate_high") + solo, QStringLiteral("Animate (High motion)"));
                add(QStringLiteral("MJ::JOB::animate_low") + solo, QStringLiteral("Animate (Low motion)"));
            }
        }
        return buttons;
    }

    QString fileUrl(const FakeJob &j, const QString &slot, const char *extension = "png") const
    {
        return m_env.fileUrl(QStringLiteral("%1-%2.%3").arg(j.id, slot, QLatin1String(extension)));
    }

private:
    // An answer whose ids ("id", "result") of 16+ digits are JSON numbers, as Java and Go servers send
    // Discord-style ids: a double cannot hold them, so the client must read them as text.
    static Answer numericJson(const QJsonObject &object, int status = 200)
    {
        static const QRegularExpression quoted(QStringLiteral("\"(id|result)\":\"(\\d{16,})\""));
        QString body = QString::fromUtf8(compact(object));
        body.replace(quoted, QStringLiteral("\"\\1\":\\2"));
        return Answer::bytes(body.toUtf8(), "application/json", status);
    }

    static Answer envelope(int code, const QString &description, const QString &result = {},
                           const QJsonObject &properties = {})
    {
        QJsonObject o {{QStringLiteral("code"), code},
                       {QStringLiteral("description"), description},
                       {QStringLiteral("properties"), properties}};
        o.insert(QStringLiteral("result"), result.isEmpty() ? QJsonValue() : QJsonValue(result));
        return numericJson(o);
    }

    static Answer gatewayError(int status, const QString &message)
    {
        return Answer::json(
            status,
            QJsonObject {{QStringLiteral("error"),
                          QJsonObject {{QStringLiteral("message"), message},
                                       {QStringLiteral("type"), QStringLiteral("new_api_error")}}}});
    }

    // Discord shows links in the final prompt wrapped in <> (no embeds).
    static QString wrapLinks(QString prompt)
    {
        static const QRegularExpression link(QStringLiteral("(?<!<)(https?://\\S+)"));
        return prompt.replace(link, QStringLiteral("<\\1>"));
    }

    static std::optional<QByteArray> dataUrlImage(const QString &value)
    {
        static const QRegularExpression dataUrl(
            QStringLiteral("^data:image/(png|jpeg|webp|gif);base64,(.+)$"));
        const auto m = dataUrl.match(value);
        if (!m.hasMatch())
            return std::nullopt;
        const auto decoded = QByteArray::fromBase64Encoding(m.captured(2).toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || QImage::fromData(*decoded).isNull())
            return std::nullopt;
        return *decoded;
    }

    bool authorized(const RecordedRequest &r) const
    {
        if (auth == QLatin1String("raw"))
            return r.header("Authorization") == key && !r.hasHeader("mj-api-secret");
        if (auth == QLatin1String("mj-api-secret"))
            return r.header("mj-api-secret") == key && !r.hasHeader("Authorization");
        const QByteArray bearer = QByteArray("Bearer ") + key;
        return r.header("Authorization") == bearer && !r.hasHeader("mj-api-secret");
    }

    Answer handle(const RecordedRequest &r)
    {
        if (r.path.startsWith(QLatin1String("/files/"))) {
            if (r.hasHeader("Authorization") || r.hasHeader("mj-api-secret"))
                ++keyLeaks;
            return file(r.path.mid(7));
        }
        if (intercept) {
            if (std::optional<Answer> scripted = intercept(r))
                return *scripted;
        }
        const QString base = path(QStringLiteral("/"));
        if (!r.path.startsWith(base)) {
            ++wrongPaths;
            return gatewayError(
                404, QStringLiteral("Invalid URL (%1 %2)").arg(QString::fromLatin1(r.method), r.path));
        }
        if (!authorized(r)) {
            ++authFailures;
            return gatewayError(401, text("无效的令牌 (request id: 20250310120000123)"));
        }
        const QString rest = r.path.mid(base.size() - 1);
        if (r.method == "POST" && rest.startsWith(QLatin1String("/submit/")))
            return submit(rest.mid(8), r.json());
        if (listByCondition && r.method == "POST" && rest == QLatin1String("/task/list-by-condition")) {
            QJsonArray list;
            for (const QJsonValue &id : r.json().value(QStringLiteral("ids")).toArray()) {
                if (FakeJob *j = job(id.toString()))
                    list.append(QJsonDocument::fromJson(fetch(*j).body).object());
            }
            return Answer::jsonArray(200, list);
        }
        static const QRegularExpression taskPath(QStringLiteral("^/task/([^/]+)/(fetch|image-seed|cancel)$"));
        const auto m = taskPath.match(rest);
        if (!m.hasMatch())
            return gatewayError(
                404, QStringLiteral("Invalid URL (%1 %2)").arg(QString::fromLatin1(r.method), r.path));
        FakeJob *j = job(m.captured(1));
        const QString verb = m.captured(2);
        if (verb == QLatin1String("fetch") && r.method == "GET")
            return j ? fetch(*j) : Answer::text(200, QByteArray()); // novicezk: an empty answer
        if (verb == QLatin1String("image-seed") && r.method == "GET") {
            if (!j || j->status != QLatin1String("SUCCESS"))
                return envelope(4, text("任务状态错误"));
            return envelope(1, QStringLiteral("Success"), QString::number(3470150318LL + j->seed));
        }
        if (verb == QLatin1String("cancel") && r.method == "POST") {
            if (!j)
                return envelope(3, text("任务不存在"));
            if (j->finished())
                return envelope(4, QStringLiteral("Task already finished"));
            j->status = QStringLiteral("CANCEL");
            return envelope(1, QStringLiteral("Cancelled"), j->id);
        }
        return gatewayError(405, QStringLiteral("Method not allowed"));
    }

    FakeJob &create(const QString &action, FakeJob::Result result, QSize size, const QString &prompt)
    {
        FakeJob j;
        // Ids count up from above 2^53: a double would round them.
        j.id = QString::number(1930000000000000001ULL + jobs.size());
        j.action = action;
        j.result = result;
        j.size = size;
        j.prompt = prompt;
        j.finalPrompt = wrapLinks(prompt);
        j.hash = QUuid::createUuid().toString(QUuid::WithoutBraces);
        j.seed = static_cast<int>(jobs.size()) + 1;
        j.finishAfter = 2;
        jobs.push_back(j);
        FakeJob &stored = jobs.back();
        if (configure)
            configure(stored);
        return stored;
    }

    Answer accepted(FakeJob &j)
    {
        if (queuedNext > 0) {
            --queuedNext;
            j.queued = true;
            return envelope(22, text("排队中，前面还有1个任务"), j.id);
        }
        return envelope(1, QStringLiteral("Submission succeeded"), j.id);
    }

    Answer submit(const QString &endpoint, const QJsonObject &body)
    {
        if (endpoint == QLatin1String("imagine"))
            return imagine(body);
        if (endpoint == QLatin1String("action"))
            return action(body);
        if (endpoint == QLatin1String("modal"))
            return modal(body);
        if (endpoint == QLatin1String("describe")) {
            const auto image = dataUrlImage(body.value(QLatin1String("base64")).toString());
            if (!image)
                return envelope(4, text("base64格式错误"));
            FakeJob &j = create(QStringLiteral("DESCRIBE"), FakeJob::Result::Text,
                                QImage::fromData(*image).size(), {});
            j.upload = *image;
            j.finalPrompt = text("1️⃣ a red fox sitting in fresh snow, soft morning light --ar 1:1\n\n"
                                 "2️⃣ a fox in a winter forest, watercolor --ar 1:1\n\n"
                                 "3️⃣ orange fox portrait, minimalism --ar 1:1\n\n"
                                 "4️⃣ a small animal in the snow, photograph --ar 1:1");
            return accepted(j);
        }
        if (endpoint == QLatin1String("blend")) {
            const QJsonArray images = body.value(QLatin1String("base64Array")).toArray();
            if (images.size() < 2 || images.size() > 5)
                return envelope(4, text("base64Array: 2-5 images"));
            for (const QJsonValue &image : images) {
                if (!dataUrlImage(image.toString()))
                    return envelope(4, text("base64格式错误"));
            }
            const QString dimensions = body.value(QLatin1String("dimensions")).toString();
            const QSize size = dimensions == QLatin1String("PORTRAIT") ? QSize(1024, 1536)
                : dimensions == QLatin1String("LANDSCAPE")             ? QSize(1536, 1024)
                                                                       : QSize(1024, 1024);
            return accepted(create(QStringLiteral("BLEND"), FakeJob::Result::Grid, size, {}));
        }
        if (endpoint == QLatin1String("shorten")) {
            const QString prompt = body.value(QLatin1String("prompt")).toString();
            if (prompt.trimmed().isEmpty())
                return envelope(4, text("prompt不能为空"));
            FakeJob &j = create(QStringLiteral("SHORTEN"), FakeJob::Result::Text, {}, prompt);
            j.finalPrompt = text(
                "1️⃣ red fox, snow, dawn\n\n2️⃣ fox in snow\n\n3️⃣ red fox\n\n4️⃣ snowy "
                "fox, morning");
            return accepted(j);
        }
        return envelope(4, QStringLiteral("unknown endpoint %1").arg(endpoint));
    }

    Answer imagine(const QJsonObject &body)
    {
        const QString prompt = body.value(QLatin1String("prompt")).toString();
        if (prompt.trimmed().isEmpty())
            return envelope(4, text("prompt不能为空"));
        for (const char *word : {"gore", "bloody"}) {
            if (prompt.contains(QLatin1String(word), Qt::CaseInsensitive))
                return envelope(24, text("可能包含敏感词"), {},
                                {{QStringLiteral("promptEn"), prompt},
                                 {QStringLiteral("bannedWord"), QLatin1String(word)}});
        }
        static const QRegularExpression ratio(QStringLiteral("--ar (\\d+):(\\d+)"));
        if (const auto m = ratio.match(prompt); m.hasMatch()) {
            const int w = m.captured(1).toInt();
            const int h = m.captured(2).toInt();
            if (w > 4 * h || h > 4 * w)
                return envelope(
                    4,
                    QStringLiteral("Invalid parameter: --ar %1:%2 (the ratio must be between 1:4 and 4:1)")
                        .arg(w)
                        .arg(h));
        }
        for (const QJsonValue &reference : body.value(QLatin1String("base64Array")).toArray()) {
            if (!dataUrlImage(reference.toString()))
                return envelope(4, text("base64格式错误"));
        }
        if (queueFull > 0) {
            --queueFull;
            return envelope(23, text("队列已满，请稍后尝试"));
        }
        const bool v5 = prompt.contains(QLatin1String("--v 5"));
        FakeJob &j = create(QStringLiteral("IMAGINE"), FakeJob::Result::Grid,
                            v5 ? QSize(512, 512) : imagineSize, prompt);
        j.version = v5 ? QStringLiteral("5") : QStringLiteral("7");
        return accepted(j);
    }

    Answer action(const QJsonObject &body)
    {
        const QString customId = body.value(QLatin1String("customId")).toString();
        FakeJob *parent = job(body.value(QLatin1String("taskId")).toString());
        if (!parent)
            return envelope(3, text("关联任务不存在或已失效"));
        if (parent->status != QLatin1String("SUCCESS"))
            return envelope(4, text("关联任务状态错误"));
        bool listed = false;
        for (const QJsonValue &button : buttonsOf(*parent))
            listed = listed || button.toObject().value(QLatin1String("customId")).toString() == customId;
        if (!listed) {
            ++unknownButtons;
            return envelope(4, text("customId 无效"));
        }
        const QStringList parts = customId.split(QStringLiteral("::"));
        const QString kind = parts.value(1);
        const QString name = parts.value(2);
        QString action = QStringLiteral("VARIATION");
        FakeJob::Result result = FakeJob::Result::Grid;
        QSize size = parent->size;
        bool modal = false;
        if (kind == QLatin1String("JOB")) {
            if (name == QLatin1String("upsample")) {
                action = QStringLiteral("UPSCALE");
                result = FakeJob::Result::Single;
            } else if (name.startsWith(QLatin1String("upsample_"))) {
                action = QStringLiteral("UPSCALE");
                result = FakeJob::Result::Single;
                size *= name.endsWith(QLatin1String("_4x")) ? 4 : 2;
            } else if (name == QLatin1String("reroll")) {
                action = QStringLiteral("REROLL");
                modal = remix;
            } else if (name.startsWith(QLatin1String("pan_"))) {
                action = QStringLiteral("PAN");
                const bool sideways = name == QLatin1String("pan_left") || name == QLatin1String("pan_right");
                size = sideways ? QSize(size.width() * 3 / 2, size.height())
                                : QSize(size.width(), size.height() * 3 / 2);
                modal = remix;
            } else if (name.startsWith(QLatin1String("animate_"))) {
                action = QStringLiteral("VIDEO");
                result = FakeJob::Result::Video;
                modal = remix;
            } else {
                modal = remix; // variation, low_variation, high_variation
            }
        } else if (kind == QLatin1String("Inpaint")) {
            action = QStringLiteral("INPAINT");
            modal = true;
        } else if (kind == QLatin1String("Outpaint") || kind == QLatin1String("CustomZoom")) {
            action = QStringLiteral("ZOOM");
            modal = kind == QLatin1String("CustomZoom");
        }
        const QString parentPrompt = parent->finalPrompt;
        const QString parentId = parent->id;
        const QString version = parent->version;
        FakeJob &child = create(action, result, size, parentPrompt);
        child.finalPrompt = parentPrompt;
        child.parentId = parentId;
        child.customId = customId;
        child.version = version;
        if (modal) {
            child.status = QStringLiteral("MODAL");
            return envelope(21, QStringLiteral("Waiting for window confirm"), child.id,
                            {{QStringLiteral("finalPrompt"), parentPrompt}, {QStringLiteral("remix"), true}});
        }
        return accepted(child);
    }

    Answer modal(const QJsonObject &body)
    {
        FakeJob *j = job(body.value(QLatin1String("taskId")).toString());
        if (!j)
            return envelope(3, text("任务不存在"));
        if (j->status != QLatin1String("MODAL"))
            return envelope(4, text("任务状态不是 MODAL"));
        const QString prompt = body.value(QLatin1String("prompt")).toString();
        if (j->action == QLatin1String("INPAINT")) {
            const QString mask = body.value(QLatin1String("maskBase64")).toString();
            const QString head = QStringLiteral("data:image/png;base64,");
            if (!mask.startsWith(head))
                return envelope(4, QStringLiteral("maskBase64: not a PNG data URL"));
            const auto png = QByteArray::fromBase64Encoding(mask.mid(head.size()).toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
            const QImage image = png ? QImage::fromData(*png, "PNG") : QImage();
            if (image.isNull())
                return envelope(4, QStringLiteral("maskBase64: not a PNG"));
            if (image.size() != j->size)
                return envelope(4,
                                QStringLiteral("maskBase64: %1x%2 is not the image's %3x%4")
                                    .arg(image.width())
                                    .arg(image.height())
                                    .arg(j->size.width())
                                    .arg(j->size.height()));
            j->mask = image;
        }
        if (j->customId.startsWith(QLatin1String("MJ::CustomZoom::"))) {
            static const QRegularExpression zoom(QStringLiteral("--zoom (\\d+(?:\\.\\d+)?)(\\s|$)"));
            const auto m = zoom.match(prompt);
            const double factor = m.hasMatch() ? m.captured(1).toDouble() : 0;
            if (factor <= 1 || factor > 2)
                return envelope(4, QStringLiteral("Custom Zoom needs --zoom between 1 and 2"));
        }
        j->modalPrompt = prompt;
        if (!prompt.isEmpty())
            j->finalPrompt = wrapLinks(prompt);
        j->status = QStringLiteral("SUBMITTED");
        return envelope(1, QStringLiteral("Submission succeeded"), j->id);
    }

    Answer fetch(FakeJob &j)
    {
        if (j.status != QLatin1String("MODAL") && !j.finished()) {
            ++j.fetches;
            if (j.stuck) {
                j.status = QStringLiteral("IN_PROGRESS");
                j.progress = 37;
            } else if (j.fetches >= j.finishAfter) {
                j.status = j.failReason.isEmpty() ? QStringLiteral("SUCCESS") : QStringLiteral("FAILURE");
                j.progress = 100;
            } else if (j.queued && j.fetches == 1) {
                j.status = QStringLiteral("SUBMITTED");
            } else {
                j.status = QStringLiteral("IN_PROGRESS");
                j.progress = 50;
            }
        }
        QJsonObject o {
            {QStringLiteral("id"), j.id},
            {QStringLiteral("action"), j.action},
            {QStringLiteral("status"), j.status},
            {QStringLiteral("prompt"), j.prompt},
            {QStringLiteral("promptEn"), j.prompt},
            {QStringLiteral("description"), QStringLiteral("Submit success")},
            {QStringLiteral("state"), QString()},
            {QStringLiteral("submitTime"), 1741531578038LL + j.seed},
            {QStringLiteral("startTime"), 1741531580190LL + j.seed},
            {QStringLiteral("finishTime"), j.finished() ? 1741531608566LL + j.seed : 0},
            {QStringLiteral("progress"), QStringLiteral("%1%").arg(j.progress)},
            {QStringLiteral("failReason"), j.status == QLatin1String("FAILURE") ? j.failReason : QString()},
            {QStringLiteral("imageUrl"), QString()},
            {QStringLiteral("buttons"), QJsonArray()},
            {QStringLiteral("properties"),
             QJsonObject {{QStringLiteral("finalPrompt"), j.finalPrompt},
                          {QStringLiteral("messageHash"), j.hash},
                          {QStringLiteral("botType"), QStringLiteral("MID_JOURNEY")}}}};
        if (j.status == QLatin1String("IN_PROGRESS") && j.result != FakeJob::Result::Text)
            o.insert(QStringLiteral("imageUrl"), fileUrl(j, QStringLiteral("preview")));
        if (j.status == QLatin1String("SUCCESS")) {
            o.insert(QStringLiteral("buttons"), buttonsOf(j));
            if (j.result != FakeJob::Result::Text || !j.upload.isEmpty())
                o.insert(QStringLiteral("imageUrl"), fileUrl(j, QStringLiteral("0")));
            if (j.result == FakeJob::Result::Grid && j.tiles) {
                QJsonArray tiles;
                for (int i = 1; i <= 4; ++i)
                    tiles.append(QJsonObject {{QStringLiteral("url"), fileUrl(j, QString::number(i))}});
                o.insert(QStringLiteral("imageUrls"), tiles);
            }
            if (j.result == FakeJob::Result::Video)
                o.insert(QStringLiteral("videoUrl"), fileUrl(j, QStringLiteral("video"), "mp4"));
        }
        return numericJson(o);
    }

    Answer file(const QString &name)
    {
        static const QRegularExpression re(QStringLiteral("^(\\d+)-(\\w+)\\.(png|mp4)$"));
        const auto m = re.match(name);
        FakeJob *j = m.hasMatch() ? job(m.captured(1)) : nullptr;
        if (!j)
            return Answer::text(404, "Not Found");
        const QString slot = m.captured(2);
        if (slot == QLatin1String("video"))
            return Answer::bytes(mp4Bytes(), "video/mp4");
        if (slot == QLatin1String("preview"))
            return Answer::bytes(filledPng(QSize(64, 64), Qt::gray), "image/png");
        const int n = slot.toInt();
        if (j->files.contains(n))
            return j->files.value(n);
        if (n > 0)
            return Answer::bytes(filledPng(j->size / 2, tileColor(j->seed, n)), "image/png");
        switch (j->result) {
        case FakeJob::Result::Grid:
            return Answer::bytes(gridPng(j->size, j->seed), "image/png");
        case FakeJob::Result::Text:
            return Answer::bytes(j->upload, "image/png");
        default:
            return Answer::bytes(filledPng(j->size, tileColor(j->seed, 0)), "image/png");
        }
    }

    E2EEnv &m_env;
};

QList<ImageRef> imagesOf(const Task &t, ImageRole role)
{
    QList<ImageRef> out;
    for (const ImageRef &img : t.images) {
        if (img.role == role)
            out.append(img);
    }
    return out;
}

// A grid result as the archive must hold it: the grid file and its four tiles 1..4, row-major.
void checkGrid(E2EEnv &env, FakeProxy &fake, const Task &t, QSize size)
{
    QCOMPARE(t.state, TaskState::Succeeded);
    QVERIFY2(!t.error, qPrintable(t.error ? t.error->message : QString()));
    const FakeJob *j = fake.job(t.remoteId);
    QVERIFY(j);
    const QList<ImageRef> grids = imagesOf(t, ImageRole::Grid);
    QCOMPARE(grids.size(), 1);
    QVERIFY(grids[0].isLocal());
    QCOMPARE(grids[0].index, 0);
    QCOMPARE(grids[0].size, size);
    QCOMPARE(grids[0].remoteUrl, fake.fileUrl(*j, QStringLiteral("0")));
    QCOMPARE(QImage(env.pathOf(grids[0])).size(), size);
    QVERIFY(t.isGrid());
    const auto rects = ImageArchive::tileRects(size);
    for (int n = 1; n <= 4; ++n) {
        const ImageRef *tile = t.image(n);
        QVERIFY(tile);
        QVERIFY(tile->isLocal());
        const QSize tileSize = rects[static_cast<std::size_t>(n - 1)].size();
        QCOMPARE(tile->size, tileSize);
        const QImage decoded(env.pathOf(*tile));
        QCOMPARE(decoded.size(), tileSize);
        QCOMPARE(decoded.pixelColor(tileSize.width() / 2, tileSize.height() / 2).rgb(),
                 tileColor(j->seed, n).rgb());
    }
    QCOMPARE(t.images.size(), 5);
}

void checkSingle(E2EEnv &env, const Task &t, QSize size)
{
    QCOMPARE(t.state, TaskState::Succeeded);
    QVERIFY2(!t.error, qPrintable(t.error ? t.error->message : QString()));
    QCOMPARE(t.images.size(), 1);
    const ImageRef *img = t.image(0);
    QVERIFY(img);
    QCOMPARE(img->role, ImageRole::Upscale);
    QVERIFY(img->isLocal());
    QCOMPARE(img->size, size);
    QCOMPARE(QImage(env.pathOf(*img)).size(), size);
    QVERIFY(!t.isGrid());
}

void checkClean(const FakeProxy &fake)
{
    QCOMPARE(fake.authFailures, 0);
    QCOMPARE(fake.wrongPaths, 0);
    QCOMPARE(fake.keyLeaks, 0);
    QCOMPARE(fake.unknownButtons, 0);
}

// Failure paths are about what happens, not about pixels: they use smaller grids.
const QSize kSmallGrid(512, 512);

Operation act(OperationKind kind, const QString &parentId, int tile)
{
    return Operation::action(kind, parentId, tile);
}

QString dataUrl(const QByteArray &png)
{
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(png.toBase64());
}

// Answers the first `times` requests matching `method` and a path ending in `suffix` with `answer`.
std::function<std::optional<Answer>(const RecordedRequest &)>
once(const QByteArray &method, const QString &suffix, const Answer &answer, int times = 1)
{
    auto left = std::make_shared<int>(times);
    return [=](const RecordedRequest &r) -> std::optional<Answer> {
        if (*left > 0 && r.method == method && r.path.endsWith(suffix)) {
            --*left;
            return answer;
        }
        return std::nullopt;
    };
}

} // namespace

class TestE2EMjproxy : public QObject
{
    Q_OBJECT
private slots:
    void happyChain();
    void everyOtherOperation();
    void remixModalUsesTheFinalPrompt();
    void remixAsksForThePrompt();
    void modalRefused();
    void v5Upscales();
    void imageToImage();
    void describeBlendShorten();
    void fourTileUrls();
    void authStylesAndPrefix_data();
    void authStylesAndPrefix();
    void queued();
    void batchPolling();
    void queueFullIsSentAgain();
    void submitRefused_data();
    void submitRefused();
    void rateLimitedHonoursRetryAfter();
    void statusRecovers_data();
    void statusRecovers();
    void statusKeepsFailing();
    void contentPolicyFailure();
    void stuckTaskResumes();
    void cancelOnTheServer();
    void offeredOnlyWhatTheUpscaleWillCarry();
    void imagesThatCannotBeSaved();
    void gridThatCannotBeSaved_data();
    void gridThatCannotBeSaved();
    void submitNeverAnswered_data();
    void submitNeverAnswered();
};

// imagine → U2 → pan left (on tile 2: reuses U2) → zoom 1.5x (on a pan tile: its U first) → vary region
// (on a zoom tile: its U first, then code 21 and /submit/modal with the mask at the upscale's size).
void TestE2EMjproxy::happyChain()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);

    Operation op = Operation::imagine(QStringLiteral("a red fox in the snow"));
    op.aspectRatio = QStringLiteral("1:1");
    op.version = QStringLiteral("7");
    op.stylize = 250;
    const Task imagine = env.run(op);
    CHECK(checkGrid(env, fake, imagine, QSize(1024, 1024)));
    const QList<RecordedRequest> submits = fake.requests("POST", QStringLiteral("/submit/imagine"));
    QCOMPARE(submits.size(), 1);
    QCOMPARE(submits[0].header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(compact(submits[0].json()),
             compact({{QStringLiteral("prompt"),
                       QStringLiteral("a red fox in the snow --ar 1:1 --v 7 --stylize 250")},
                      {QStringLiteral("botType"), QStringLiteral("MID_JOURNEY")}}));
    // The id came as a JSON number above 2^53 and is kept digit for digit.
    QCOMPARE(imagine.remoteId, QStringLiteral("1930000000000000001"));
    const FakeJob &grid = *fake.job(imagine.remoteId);
    QCOMPARE(imagine.remote.value(QLatin1String("buttons")).toArray().size(), 9);
    QCOMPARE(imagine.remote.value(QLatin1String("finalPrompt")).toString(), grid.finalPrompt);
    QVERIFY(!fake.requests("GET", QStringLiteral("/task/%1/fetch").arg(imagine.remoteId)).isEmpty());

    // U2: the customId copied from the grid's buttons, the parent's id as sent to us.
    const Task u2 = env.run(act(OperationKind::Upscale, imagine.id, 2));
    CHECK(checkSingle(env, u2, QSize(1024, 1024)));
    QCOMPARE(u2.parentId, imagine.id);
    QCOMPARE(u2.tile, 2);
    QCOMPARE(
        compact(fake.bodies(QStringLiteral("/submit/action")).constLast()),
        compact({{QStringLiteral("customId"), QString(QStringLiteral("MJ::JOB::upsample::2::") + grid.hash)},
                 {QStringLiteral("taskId"), imagine.remoteId}}));

    // Pan left asked on tile 2 of the grid runs on the existing U2: no second upscale.
    Operation panOp = act(OperationKind::Pan, imagine.id, 2);
    panOp.direction = QStringLiteral("left");
    const Task pan = env.run(panOp);
    CHECK(checkGrid(env, fake, pan, QSize(1536, 1024)));
    QCOMPARE(pan.parentId, u2.id);
    QCOMPARE(pan.tile, 0);
    QCOMPARE(env.store->children(imagine.id)->size(), 1);
    QCOMPARE(compact(fake.bodies(QStringLiteral("/submit/action")).constLast()),
             compact({{QStringLiteral("customId"),
                       QStringLiteral("MJ::JOB::pan_left::1::%1::SOLO").arg(fake.job(u2.remoteId)->hash)},
                      {QStringLiteral("taskId"), u2.remoteId}}));

    // Zoom out 1.5x asked on tile 1 of the pan grid: U1 of the pan is stored and run first.
    Operation zoomOp = act(OperationKind::Zoom, pan.id, 1);
    zoomOp.zoomFactor = QStringLiteral("1.5");
    const Task zoom = env.run(zoomOp);
    CHECK(checkGrid(env, fake, zoom, QSize(1536, 1024)));
    const Task u1 = env.task(zoom.parentId);
    QCOMPARE(u1.operation.kind, OperationKind::Upscale);
    QCOMPARE(u1.parentId, pan.id);
    QCOMPARE(u1.tile, 1);
    CHECK(checkSingle(env, u1, QSize(1536, 1024)));
    QList<QJsonObject> actions = fake.bodies(QStringLiteral("/submit/action"));
    QCOMPARE(actions.size(), 4);
    QCOMPARE(compact(actions[2]),
             compact({{QStringLiteral("customId"),
                       QString(QStringLiteral("MJ::JOB::upsample::1::") + fake.job(pan.remoteId)->hash)},
                      {QStringLiteral("taskId"), pan.remoteId}}));
    QCOMPARE(compact(actions[3]),
             compact({{QStringLiteral("customId"),
                       QStringLiteral("MJ::Outpaint::75::1::%1::SOLO").arg(fake.job(u1.remoteId)->hash)},
                      {QStringLiteral("taskId"), u1.remoteId}}));

    // Vary region on tile 3 of the zoom grid with a mask drawn at half size: U3 first, then the button,
    // code 21, and /submit/modal with the mask fitted to the upscale's pixel size.
    Operation regionOp = act(OperationKind::Inpaint, zoom.id, 3);
    regionOp.prompt = QStringLiteral("a red fox wearing a green scarf");
    regionOp.mask = E2EEnv::maskPng(QSize(768, 512), QRect(100, 100, 200, 150));
    const Task region = env.run(regionOp);
    CHECK(checkGrid(env, fake, region, QSize(1536, 1024)));
    const Task u3 = env.task(region.parentId);
    QCOMPARE(u3.operation.kind, OperationKind::Upscale);
    QCOMPARE(u3.parentId, zoom.id);
    QCOMPARE(u3.tile, 3);
    CHECK(checkSingle(env, u3, QSize(1536, 1024)));
    actions = fake.bodies(QStringLiteral("/submit/action"));
    QCOMPARE(actions.size(), 6);
    QCOMPARE(compact(actions[4]),
             compact({{QStringLiteral("customId"),
                       QString(QStringLiteral("MJ::JOB::upsample::3::") + fake.job(zoom.remoteId)->hash)},
                      {QStringLiteral("taskId"), zoom.remoteId}}));
    QCOMPARE(compact(actions[5]),
             compact({{QStringLiteral("customId"),
                       QStringLiteral("MJ::Inpaint::1::%1::SOLO").arg(fake.job(u3.remoteId)->hash)},
                      {QStringLiteral("taskId"), u3.remoteId}}));
    const QList<QJsonObject> modals = fake.bodies(QStringLiteral("/submit/modal"));
    QCOMPARE(modals.size(), 1);
    // The modal names the new MODAL task (the one the action's code 21 announced), which is then polled.
    QCOMPARE(modals[0].value(QLatin1String("taskId")).toString(), region.remoteId);
    QCOMPARE(modals[0].value(QLatin1String("prompt")).toString(), regionOp.prompt);
    QCOMPARE(modals[0].keys().size(), 3);
    const QString maskUrl = modals[0].value(QLatin1String("maskBase64")).toString();
    QVERIFY(maskUrl.startsWith(QLatin1String("data:image/png;base64,")));
    const FakeJob *regionJob = fake.job(region.remoteId);
    QCOMPARE(regionJob->action, QStringLiteral("INPAINT"));
    const QImage mask = regionJob->mask.convertToFormat(QImage::Format_Grayscale8);
    QCOMPARE(mask.size(), u3.image(0)->size);
    QCOMPARE(qGray(mask.pixel(400, 350)), 255); // inside the drawn rectangle, scaled 2x
    QCOMPARE(qGray(mask.pixel(50, 50)), 0);
    QCOMPARE(qGray(mask.pixel(1200, 900)), 0);
    for (int y = 0; y < mask.height(); y += 7) {
        for (int x = 0; x < mask.width(); x += 7) {
            const int g = qGray(mask.pixel(x, y));
            QVERIFY2(g == 0 || g == 255, "the mask is pure black and white");
        }
    }

    // Every id stayed exact and distinct; every request carried the key the way the account says.
    QStringList ids;
    for (const Task &t : {imagine, u2, pan, u1, zoom, u3, region}) {
        QVERIFY(t.remoteId.toULongLong() > (1ULL << 53));
        QVERIFY(fake.job(t.remoteId));
        ids.append(t.remoteId);
    }
    ids.removeDuplicates();
    QCOMPARE(ids.size(), 7);
    QCOMPARE(fake.jobs.size(), std::size_t(7));
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
    CHECK(checkClean(fake));
}

// Every other button of the family's §5 column, on the grid and on an upscale, and the seed: all sent at
// once (the engine runs three at a time per account).
void TestE2EMjproxy::everyOtherOperation()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);

    Operation op = Operation::imagine(QStringLiteral("a lighthouse at dusk"));
    op.type = GenerateType::Style;
    op.references = {QStringLiteral("https://example.com/style.png")};
    const Task imagine = env.run(op);
    CHECK(checkGrid(env, fake, imagine, QSize(1024, 1024)));
    QCOMPARE(compact(fake.bodies(QStringLiteral("/submit/imagine")).constFirst()),
             compact({{QStringLiteral("prompt"),
                       QStringLiteral("a lighthouse at dusk --sref https://example.com/style.png")}}));
    const Task u2 = env.run(act(OperationKind::Upscale, imagine.id, 2));
    CHECK(checkSingle(env, u2, QSize(1024, 1024)));
    const QString gridHash = fake.job(imagine.remoteId)->hash;
    const QString upHash = fake.job(u2.remoteId)->hash;
    const QString solo = QStringLiteral("::1::%1::SOLO").arg(upHash);

    struct Step
    {
        Operation op;
        QString customId;
        FakeJob::Result result;
        QSize size;
        QString id = {};
    };
    const auto with = [](Operation o, const char *field, const QString &value) {
        if (qstrcmp(field, "variant") == 0)
            o.variant = value;
        else if (qstrcmp(field, "direction") == 0)
            o.direction = value;
        else if (qstrcmp(field, "zoom") == 0)
            o.zoomFactor = value;
        else if (qstrcmp(field, "motion") == 0)
            o.motion = value;
        return o;
    };
    const auto grid = FakeJob::Result::Grid;
    const auto single = FakeJob::Result::Single;
    QList<Step> steps {
        {act(OperationKind::Vary, imagine.id, 3),
         QStringLiteral("MJ::JOB::variation::3::") + gridHash,
         grid,
         {1024, 1024}},
        {act(OperationKind::Reroll, imagine.id, 0),
         QStringLiteral("MJ::JOB::reroll::0::%1::SOLO").arg(gridHash),
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Upscale, u2.id, 0), "variant", QStringLiteral("subtle")),
         QStringLiteral("MJ::JOB::upsample_v7_2x_subtle") + solo,
         single,
         {2048, 2048}},
        {with(act(OperationKind::Upscale, u2.id, 0), "variant", QStringLiteral("creative")),
         QStringLiteral("MJ::JOB::upsample_v7_2x_creative") + solo,
         single,
         {2048, 2048}},
        {with(act(OperationKind::Vary, u2.id, 0), "variant", QStringLiteral("subtle")),
         QStringLiteral("MJ::JOB::low_variation") + solo,
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Vary, u2.id, 0), "variant", QStringLiteral("strong")),
         QStringLiteral("MJ::JOB::high_variation") + solo,
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Zoom, u2.id, 0), "zoom", QStringLiteral("2")),
         QStringLiteral("MJ::Outpaint::50::1::%1::SOLO").arg(upHash),
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Zoom, u2.id, 0), "zoom", QStringLiteral("1.8")),
         QStringLiteral("MJ::CustomZoom::") + upHash,
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Pan, u2.id, 0), "direction", QStringLiteral("right")),
         QStringLiteral("MJ::JOB::pan_right") + solo,
         grid,
         {1536, 1024}},
        {with(act(OperationKind::Pan, u2.id, 0), "direction", QStringLiteral("up")),
         QStringLiteral("MJ::JOB::pan_up") + solo,
         grid,
         {1024, 1536}},
        {with(act(OperationKind::Pan, u2.id, 0), "direction", QStringLiteral("down")),
         QStringLiteral("MJ::JOB::pan_down") + solo,
         grid,
         {1024, 1536}},
        {with(act(OperationKind::Animate, u2.id, 0), "motion", QStringLiteral("high")),
         QStringLiteral("MJ::JOB::animate_high") + solo,
         FakeJob::Result::Video,
         {1024, 1024}},
    };
    for (Step &step : steps) {
        const Result<QString> id = env.submit(step.op);
        QVERIFY2(id, qPrintable(id ? QString() : id.error().message));
        step.id = *id;
    }
    const Result<QString> seedId = env.submit(act(OperationKind::Seed, imagine.id, 0));
    QVERIFY2(seedId, qPrintable(seedId ? QString() : seedId.error().message));

    for (const Step &step : steps) {
        const Task t = env.runToEnd(step.id);
        QVERIFY2(t.state == TaskState::Succeeded, qPrintable(step.op.label()));
        const FakeJob *j = fake.job(t.remoteId);
        QVERIFY(j);
        QCOMPARE(j->customId, step.customId);
        QCOMPARE(j->parentId, step.op.parentTaskId == imagine.id ? imagine.remoteId : u2.remoteId);
        QCOMPARE(t.parentId, step.op.parentTaskId);
        switch (step.result) {
        case FakeJob::Result::Grid:
            CHECK(checkGrid(env, fake, t, step.size));
            break;
        case FakeJob::Result::Single:
            CHECK(checkSingle(env, t, step.size));
            break;
        default: {
            QCOMPARE(t.images.size(), 1);
            const ImageRef &video = t.images.constFirst();
            QCOMPARE(video.role, ImageRole::Video);
            QVERIFY(video.isLocal());
            QVERIFY(video.path.endsWith(QLatin1String(".mp4")));
            QFile file(env.pathOf(video));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(), mp4Bytes());
        }
        }
    }

    // Custom zoom is parked in MODAL and finished with the parent's prompt (links unwrapped) + --zoom.
    const QList<QJsonObject> modals = fake.bodies(QStringLiteral("/submit/modal"));
    QCOMPARE(modals.size(), 1);
    const FakeJob *custom = fake.job(env.task(steps[7].id).remoteId);
    QCOMPARE(
        compact(modals[0]),
        compact({{QStringLiteral("taskId"), custom->id},
                 {QStringLiteral("prompt"),
                  QStringLiteral("a lighthouse at dusk --sref https://example.com/style.png --zoom 1.8")}}));
    QCOMPARE(fake.bodies(QStringLiteral("/submit/action")).size(), steps.size() + 1);

    // The seed answers at once: nothing to poll, the seed kept with the task.
    const Task seed = env.runToEnd(*seedId);
    QCOMPARE(seed.state, TaskState::Succeeded);
    QVERIFY(!seed.error);
    QCOMPARE(seed.remote.value(QLatin1String("seed")).toString(), QStringLiteral("3470150319"));
    QVERIFY(seed.images.isEmpty());
    QCOMPARE(fake.requests("GET", QStringLiteral("/task/%1/image-seed").arg(imagine.remoteId)).size(), 1);
    CHECK(checkClean(fake));
}

// With Remix on, a V button answers code 21 too: the modal carries the parent's final prompt.
void TestE2EMjproxy::remixModalUsesTheFinalPrompt()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.remix = true;
    Operation op = Operation::imagine(QStringLiteral("a koi pond"));
    op.type = GenerateType::Omni;
    op.references = {QStringLiteral("https://example.com/koi.png")};
    op.omniWeight = 200;
    const Task imagine = env.run(op);
    CHECK(checkGrid(env, fake, imagine, QSize(1024, 1024)));
    QCOMPARE(imagine.remote.value(QLatin1String("finalPrompt")).toString(),
             QStringLiteral("a koi pond --oref <https://example.com/koi.png> --ow 200"));

    const Task v1 = env.run(act(OperationKind::Vary, imagine.id, 1));
    CHECK(checkGrid(env, fake, v1, QSize(1024, 1024)));
    const QList<QJsonObject> modals = fake.bodies(QStringLiteral("/submit/modal"));
    QCOMPARE(modals.size(), 1);
    QCOMPARE(compact(modals[0]),
             compact({{QStringLiteral("taskId"), v1.remoteId},
                      {QStringLiteral("prompt"),
                       QStringLiteral("a koi pond --oref https://example.com/koi.png --ow 200")}}));
    QCOMPARE(fake.job(v1.remoteId)->customId,
             QString(QStringLiteral("MJ::JOB::variation::1::") + fake.job(imagine.remoteId)->hash));
    CHECK(checkClean(fake));
}

// Issue 12: with Remix on at the server and a window that can ask, V and reroll wait for the user's prompt
// (pre-filled with the image's) before the modal is sent; the modal carries what the user wrote.
// Cancelling at the prompt sends nothing. The account option "remix keep" never asks.
void TestE2EMjproxy::remixAsksForThePrompt()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.remix = true;
    env.engine->setAsksRemixPrompts(true);
    const Task imagine = env.run(Operation::imagine(QStringLiteral("a harbour at dawn")));
    CHECK(checkGrid(env, fake, imagine, QSize(1024, 1024)));
    QSignalSpy asked(env.engine.get(), &TaskEngine::remixPromptNeeded);

    const Result<QString> vary = env.submit(act(OperationKind::Vary, imagine.id, 2));
    QVERIFY(vary);
    QTRY_COMPARE(asked.size(), 1);
    QCOMPARE(asked[0][0].toString(), *vary);
    QCOMPARE(asked[0][1].toString(), QStringLiteral("a harbour at dawn"));
    QTest::qWait(50);
    QCOMPARE(fake.bodies(QStringLiteral("/submit/modal")).size(), 0);
    const Task parked = env.task(*vary);
    QCOMPARE(parked.state, TaskState::Submitted);
    QCOMPARE(parked.remote.value(QLatin1String("remixPrompt")).toString(), QStringLiteral("a harbour at dawn"));
    QVERIFY(env.engine->answerRemixPrompt(*vary, QStringLiteral("a harbour at dusk in a storm")));
    const Task v2 = env.runToEnd(*vary);
    CHECK(checkGrid(env, fake, v2, QSize(1024, 1024)));
    QVERIFY(!v2.remote.contains(QLatin1String("remixPrompt")));
    QCOMPARE(v2.prompt, QStringLiteral("a harbour at dusk in a storm"));
    QList<QJsonObject> modals = fake.bodies(QStringLiteral("/submit/modal"));
    QCOMPARE(modals.size(), 1);
    QCOMPARE(modals[0].value(QLatin1String("prompt")).toString(),
             QStringLiteral("a harbour at dusk in a storm"));
    QCOMPARE(modals[0].value(QLatin1String("taskId")).toString(), v2.remoteId);

    // Cancelled at the prompt: no modal, nothing started.
    const Result<QString> reroll = env.submit(act(OperationKind::Reroll, imagine.id, 0));
    QVERIFY(reroll);
    QTRY_COMPARE(asked.size(), 2);
    QVERIFY(env.engine->cancel(*reroll));
    const Task cancelled = env.runToEnd(*reroll);
    QCOMPARE(cancelled.state, TaskState::Cancelled);
    QCOMPARE(fake.bodies(QStringLiteral("/submit/modal")).size(), 1);

    // "remix keep": sent as before, without asking.
    env.account.options.insert(QStringLiteral("remix"), QStringLiteral("keep"));
    QVERIFY(env.store->saveAccount(env.account));
    const Task v3 = env.run(act(OperationKind::Vary, imagine.id, 3));
    CHECK(checkGrid(env, fake, v3, QSize(1024, 1024)));
    QCOMPARE(asked.size(), 2);
    modals = fake.bodies(QStringLiteral("/submit/modal"));
    QCOMPARE(modals.size(), 2);
    QCOMPARE(modals[1].value(QLatin1String("prompt")).toString(), QStringLiteral("a harbour at dawn"));
    CHECK(checkClean(fake));
}

// A modal the server refuses fails the task with the server's words; nothing is sent again.
void TestE2EMjproxy::modalRefused()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    const Task imagine = env.run(Operation::imagine(QStringLiteral("a paper boat")));
    QCOMPARE(imagine.state, TaskState::Succeeded);
    fake.intercept = once("POST", QStringLiteral("/submit/modal"),
                          Answer::json(200,
                                       QJsonObject {{QStringLiteral("code"), 4},
                                                    {QStringLiteral("description"), text("mask 参数错误")}}));
    Operation region = act(OperationKind::Inpaint, imagine.id, 4);
    region.mask = E2EEnv::maskPng(QSize(1024, 1024), QRect(0, 0, 300, 300));
    const Result<QString> id = env.submit(region);
    QVERIFY(id);
    const Task t = env.runToEnd(*id);
    QCOMPARE(t.state, TaskState::Failed);
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, Error::Kind::InvalidRequest);
    QCOMPARE(t.error->message, text("mask 参数错误"));
    QCOMPARE(t.error->vendorCode, QStringLiteral("4"));
    const Task u4 = env.task(t.parentId);
    CHECK(checkSingle(env, u4, QSize(1024, 1024))); // the upscale it built on is kept
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/modal")).size(), 1);
    QCOMPARE(fake.bodies(QStringLiteral("/submit/action")).size(), 2);
    QCOMPARE(fake.jobs.back().status, QStringLiteral("MODAL"));
    CHECK(checkClean(fake));
}

// Version 5 upscales offer Upscale (2x) and (4x).
void TestE2EMjproxy::v5Upscales()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    Operation op = Operation::imagine(QStringLiteral("an old map"));
    op.version = QStringLiteral("5.2");
    const Task imagine = env.run(op);
    CHECK(checkGrid(env, fake, imagine, QSize(512, 512)));
    QCOMPARE(
        fake.bodies(QStringLiteral("/submit/imagine")).constFirst().value(QLatin1String("prompt")).toString(),
        QStringLiteral("an old map --v 5.2"));
    Operation twice = act(OperationKind::Upscale, imagine.id, 4);
    twice.variant = QStringLiteral("2x");
    Operation fourTimes = act(OperationKind::Upscale, imagine.id, 4);
    fourTimes.variant = QStringLiteral("4x");
    // Both asked on the grid tile: the first stores U4, the second reuses it while it still runs.
    const Result<QString> a = env.submit(twice);
    const Result<QString> b = env.submit(fourTimes);
    QVERIFY(a && b);
    const Task x2 = env.runToEnd(*a);
    const Task x4 = env.runToEnd(*b);
    QCOMPARE(x2.parentId, x4.parentId);
    const Task u4 = env.task(x2.parentId);
    CHECK(checkSingle(env, u4, QSize(512, 512)));
    CHECK(checkSingle(env, x2, QSize(1024, 1024)));
    CHECK(checkSingle(env, x4, QSize(2048, 2048)));
    const QString hash = fake.job(u4.remoteId)->hash;
    QCOMPARE(fake.job(x2.remoteId)->customId,
             QStringLiteral("MJ::JOB::upsample_v5_2x::1::%1::SOLO").arg(hash));
    QCOMPARE(fake.job(x4.remoteId)->customId,
             QStringLiteral("MJ::JOB::upsample_v5_4x::1::%1::SOLO").arg(hash));
    QCOMPARE(env.store->children(imagine.id)->size(), 1);
    CHECK(checkClean(fake));
}

// Image to image: links lead the prompt, local files travel as data URLs in base64Array; the fields the
// user set become flags, and a niji version picks the bot.
void TestE2EMjproxy::imageToImage()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    const QString local = dataUrl(filledPng(QSize(96, 64), QColor(10, 160, 90)));
    Operation op = Operation::imagine(QStringLiteral("a cat in the same pose"));
    op.type = GenerateType::Image;
    op.references = {QStringLiteral("https://example.com/pose.jpg"), local};
    op.aspectRatio = QStringLiteral("3:2");
    op.version = QStringLiteral("niji6");
    op.chaos = 10;
    op.weird = 0;
    const Task t = env.run(op);
    CHECK(checkGrid(env, fake, t, kSmallGrid));
    QCOMPARE(compact(fake.bodies(QStringLiteral("/submit/imagine")).constFirst()),
             compact({{QStringLiteral("prompt"),
                       QStringLiteral("https://example.com/pose.jpg a cat in the same pose --ar 3:2 --niji 6 "
                                      "--chaos 10 --weird 0")},
                      {QStringLiteral("base64Array"), QJsonArray {local}},
                      {QStringLiteral("botType"), QStringLiteral("NIJI_JOURNEY")}}));
    QCOMPARE(t.operation, op);
    CHECK(checkClean(fake));
}

void TestE2EMjproxy::describeBlendShorten()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);

    // Describe a local file: the front end turns it into a data URL (references.h), sent as `base64`.
    const QString path = env.dir.filePath(QStringLiteral("fox.png"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(filledPng(QSize(320, 200), QColor(200, 90, 30)));
    }
    const Result<QString> reference = resolveReference(path);
    QVERIFY(reference);
    Operation describe;
    describe.kind = OperationKind::Describe;
    describe.references = {*reference};

    Operation blend;
    blend.kind = OperationKind::Blend;
    blend.references
        = {dataUrl(filledPng(QSize(64, 64), Qt::red)), dataUrl(filledPng(QSize(64, 48), Qt::blue))};
    blend.dimensions = QStringLiteral("portrait");

    Operation shorten;
    shorten.kind = OperationKind::Shorten;
    shorten.prompt
        = QStringLiteral("a very detailed red fox sitting in fresh snow at dawn, soft light, 85mm");

    const Result<QString> d = env.submit(describe);
    const Result<QString> b = env.submit(blend);
    const Result<QString> s = env.submit(shorten);
    QVERIFY(d && b && s);

    const Task described = env.runToEnd(*d);
    QCOMPARE(described.state, TaskState::Succeeded);
    QVERIFY(!described.error);
    QVERIFY(described.images.isEmpty()); // the imageUrl of a describe is the uploaded image, not a result
    QCOMPARE(described.remote.value(QLatin1String("finalPrompt")).toString(),
             fake.job(described.remoteId)->finalPrompt);
    QVERIFY(described.remote.value(QLatin1String("finalPrompt"))
                .toString()
                .startsWith(text("1️⃣ a red fox")));
    QCOMPARE(compact(fake.bodies(QStringLiteral("/submit/describe")).constFirst()),
             compact({{QStringLiteral("base64"), *reference}}));
    QVERIFY(reference->startsWith(QLatin1String("data:image/png;base64,")));

    const Task blended = env.runToEnd(*b);
    CHECK(checkGrid(env, fake, blended, QSize(1024, 1536)));
    QCOMPARE(compact(fake.bodies(QStringLiteral("/submit/blend")).constFirst()),
             compact({{QStringLiteral("base64Array"), QJsonArray::fromStringList(blend.references)},
                      {QStringLiteral("dimensions"), QStringLiteral("PORTRAIT")}}));

    const Task shortened = env.runToEnd(*s);
    QCOMPARE(shortened.state, TaskState::Succeeded);
    QVERIFY(shortened.images.isEmpty());
    QCOMPARE(shortened.remote.value(QLatin1String("finalPrompt")).toString(),
             fake.job(shortened.remoteId)->finalPrompt);
    QCOMPARE(compact(fake.bodies(QStringLiteral("/submit/shorten")).constFirst()),
             compact({{QStringLiteral("prompt"), shorten.prompt}}));
    CHECK(checkClean(fake));
}

// Servers that list imageUrls[] give the four tiles as separate files: stored as tiles 1..4, in order.
void TestE2EMjproxy::fourTileUrls()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.configure = [](FakeJob &j) { j.tiles = j.action == QLatin1String("IMAGINE"); };
    const Task t = env.run(Operation::imagine(QStringLiteral("four seasons")));
    QCOMPARE(t.state, TaskState::Succeeded);
    QVERIFY(!t.error);
    QCOMPARE(t.images.size(), 4);
    QVERIFY(imagesOf(t, ImageRole::Grid).isEmpty());
    QVERIFY(t.isGrid());
    const FakeJob *j = fake.job(t.remoteId);
    for (int n = 1; n <= 4; ++n) {
        const ImageRef *tile = t.image(n);
        QVERIFY(tile && tile->isLocal());
        QCOMPARE(tile->remoteUrl, fake.fileUrl(*j, QString::number(n)));
        QCOMPARE(tile->size, QSize(512, 512));
        QCOMPARE(QImage(env.pathOf(*tile)).pixelColor(256, 256).rgb(), tileColor(j->seed, n).rgb());
    }
    // The buttons still act on it.
    const Task u3 = env.run(act(OperationKind::Upscale, t.id, 3));
    CHECK(checkSingle(env, u3, QSize(1024, 1024)));
    CHECK(checkClean(fake));
}

void TestE2EMjproxy::authStylesAndPrefix_data()
{
    QTest::addColumn<QString>("auth");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("absent");
    const QByteArray key(E2EEnv::kKey);
    const QByteArray bearer = QByteArray("Bearer ") + key;
    QTest::newRow("default: bearer, no prefix")
        << QString() << QString() << QByteArray("Authorization") << bearer << QByteArray("mj-api-secret");
    QTest::newRow("bearer, /mj-fast") << QStringLiteral("bearer") << QStringLiteral("/mj-fast")
                                      << QByteArray("Authorization") << bearer << QByteArray("mj-api-secret");
    QTest::newRow("raw, /mj-fast") << QStringLiteral("raw") << QStringLiteral("/mj-fast")
                                   << QByteArray("Authorization") << key << QByteArray("mj-api-secret");
    QTest::newRow("mj-api-secret, /mj-fast")
        << QStringLiteral("mj-api-secret") << QStringLiteral("/mj-fast") << QByteArray("mj-api-secret") << key
        << QByteArray("Authorization");
}

void TestE2EMjproxy::authStylesAndPrefix()
{
    QFETCH(QString, auth);
    QFETCH(QString, prefix);
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, absent);
    QJsonObject options;
    if (!auth.isEmpty())
        options.insert(QStringLiteral("auth"), auth);
    if (!prefix.isEmpty())
        options.insert(QStringLiteral("prefix"), prefix);
    E2EEnv env(QStringLiteral("mjproxy"), options);
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.prefix = prefix;
    if (!auth.isEmpty())
        fake.auth = auth;

    const Task imagine = env.run(Operation::imagine(QStringLiteral("a glass of water")));
    QCOMPARE(imagine.state, TaskState::Succeeded);
    const Task u1 = env.run(act(OperationKind::Upscale, imagine.id, 1));
    QCOMPARE(u1.state, TaskState::Succeeded);
    const Task seed = env.run(act(OperationKind::Seed, imagine.id, 0));
    QCOMPARE(seed.state, TaskState::Succeeded);

    QStringList paths;
    for (const RecordedRequest &r : env.server.requests()) {
        if (r.path.startsWith(QLatin1String("/files/"))) {
            QVERIFY(!r.hasHeader("Authorization") && !r.hasHeader("mj-api-secret"));
            continue;
        }
        QCOMPARE(r.header(header), value);
        QVERIFY(!r.hasHeader(absent));
        paths.append(QString::fromLatin1(r.method) + QLatin1Char(' ') + r.path);
    }
    paths.removeDuplicates();
    const QString p = prefix;
    QCOMPARE(paths,
             QStringList({QStringLiteral("POST %1/mj/submit/imagine").arg(p),
                          QStringLiteral("GET %1/mj/task/%2/fetch").arg(p, imagine.remoteId),
                          QStringLiteral("POST %1/mj/submit/action").arg(p),
                          QStringLiteral("GET %1/mj/task/%2/fetch").arg(p, u1.remoteId),
                          QStringLiteral("GET %1/mj/task/%2/image-seed").arg(p, imagine.remoteId)}));
    CHECK(checkClean(fake));
}

// Code 22: queued at the proxy, followed like any submitted task.
void TestE2EMjproxy::queued()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.queuedNext = 1;
    QSignalSpy changes(env.engine.get(), &TaskEngine::taskChanged);
    const Task t = env.run(Operation::imagine(QStringLiteral("a queue of ducks")));
    CHECK(checkGrid(env, fake, t, kSmallGrid));
    QVERIFY(fake.jobs.front().queued);
    bool sawSubmitted = false;
    for (const QList<QVariant> &change : std::as_const(changes)) {
        const Task seen = change.at(0).value<Task>();
        sawSubmitted = sawSubmitted || (seen.state == TaskState::Submitted && seen.remoteId == t.remoteId);
    }
    QVERIFY(sawSubmitted);
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
}

// PROVIDERS.md §6: several tasks of one account are polled with one list-by-condition request.
void TestE2EMjproxy::batchPolling()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.listByCondition = true;
    QStringList ids;
    for (int i = 0; i < 3; ++i) {
        const Result<QString> id = env.submit(Operation::imagine(QStringLiteral("batch %1").arg(i)));
        QVERIFY(id.ok());
        ids.append(*id);
    }
    for (const QString &id : std::as_const(ids))
        CHECK(checkGrid(env, fake, env.runToEnd(id), kSmallGrid));
    const auto batches = fake.requests("POST", QStringLiteral("/task/list-by-condition"));
    QVERIFY(!batches.isEmpty());
    QCOMPARE(batches.first().json().value(QStringLiteral("ids")).toArray().size(), 3);
    int single = 0;
    for (const RecordedRequest &r : env.server.requests())
        single += r.path.endsWith(QLatin1String("/fetch")) ? 1 : 0;
    QCOMPARE(single, 0); // every status came from the batches
}

// Code 23: the queue is full and nothing was created; the engine waits and sends the imagine again.
void TestE2EMjproxy::queueFullIsSentAgain()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.queueFull = 1;
    const Result<QString> id = env.submit(Operation::imagine(QStringLiteral("a crowded harbour")));
    QVERIFY(id);
    // While it waits the user sees why.
    QTRY_VERIFY(env.task(*id).state == TaskState::Queued && env.task(*id).error.has_value());
    const Task waiting = env.task(*id);
    QCOMPARE(waiting.error->kind, Error::Kind::RateLimited);
    QCOMPARE(waiting.error->message, text("队列已满，请稍后尝试"));
    QCOMPARE(waiting.error->vendorCode, QStringLiteral("23"));

    const Task t = env.runToEnd(*id);
    CHECK(checkGrid(env, fake, t, kSmallGrid));
    const QList<RecordedRequest> submits = fake.requests("POST", QStringLiteral("/submit/imagine"));
    QCOMPARE(submits.size(), 2);
    QVERIFY(submits[0].received.msecsTo(submits[1].received) >= 1000);
    QCOMPARE(fake.jobs.size(), std::size_t(1));
}

void TestE2EMjproxy::submitRefused_data()
{
    QTest::addColumn<QString>("prompt");
    QTest::addColumn<int>("status"); // 0: the fake answers by itself
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<bool>("wrongKey");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("message"); // the vendor's words, verbatim; else a part of Tessera's message

    const QString prompt = QStringLiteral("a quiet harbour at dawn");
    const QByteArray json("application/json");
    QTest::newRow("401 wrong key") << prompt << 0 << QByteArray() << json << true << Error::Kind::Unauthorized
                                   << 401 << text("无效的令牌 (request id: 20250310120000123)");
    QTest::newRow("402 no balance")
        << prompt << 402
        << QByteArray(
               R"({"error":{"message":"Insufficient balance, please top up","type":"insufficient_quota"}})")
        << json << false << Error::Kind::PaymentRequired << 402
        << QStringLiteral("Insufficient balance, please top up");
    QTest::newRow("403 credits")
        << prompt << 403
        << QByteArray(
               R"({"error":{"message":"user quota is not enough","type":"new_api_error","code":"insufficient_user_quota"}})")
        << json << false << Error::Kind::PaymentRequired << 403
        << QStringLiteral("user quota is not enough (insufficient_user_quota)");
    // Issue 12: the words for people lead, the gateway's machine word follows as a detail.
    QTest::newRow("quota in words and as a code")
        << prompt << 200 << QByteArray(R"({"code":4,"description":"quota_not_enough","message":"用户额度不足"})")
        << json << false << Error::Kind::PaymentRequired << 200 << text("用户额度不足 (quota_not_enough)");
    QTest::newRow("400 quota_not_enough (new-api relay)")
        << prompt << 400
        << QByteArray(R"({"description":"quota_not_enough ","type":"upstream_error","code":4})") << json
        << false << Error::Kind::PaymentRequired << 400 << QStringLiteral("quota_not_enough");
    QTest::newRow("400 field") << prompt << 400
                               << QByteArray(
                                      R"({"code":4,"description":"base64Array[0]: invalid image data"})")
                               << json << false << Error::Kind::InvalidRequest << 400
                               << QStringLiteral("base64Array[0]: invalid image data");
    QTest::newRow("422 field")
        << prompt << 422
        << QByteArray(
               R"({"error":{"message":"prompt: must not be longer than 2000 characters","type":"invalid_request_error"}})")
        << json << false << Error::Kind::InvalidRequest << 422
        << QStringLiteral("prompt: must not be longer than 2000 characters");
    QTest::newRow("code 4 validation")
        << QStringLiteral("a long road --ar 9:1") << 0 << QByteArray() << json << false
        << Error::Kind::InvalidRequest << 200
        << QStringLiteral("Invalid parameter: --ar 9:1 (the ratio must be between 1:4 and 4:1)");
    QTest::newRow("code 24 banned prompt")
        << QStringLiteral("a gore scene") << 0 << QByteArray() << json << false
        << Error::Kind::ContentRejected << 200 << text("可能包含敏感词 (banned word: \"gore\")");
    QTest::newRow("code 9 system error")
        << prompt << 200 << QByteArray(R"({"code":9,"description":"无可用的账号实例"})") << json << false
        << Error::Kind::ServerError << 200 << text("无可用的账号实例");
    QTest::newRow("455 maintenance")
        << prompt << 455 << QByteArray(R"({"error":{"message":"Service under maintenance until 12:00 UTC"}})")
        << json << false << Error::Kind::Maintenance << 455
        << QStringLiteral("Service under maintenance until 12:00 UTC");
    QTest::newRow("500 on submit (never re-sent)")
        << prompt << 500 << QByteArray(R"({"error":{"message":"upstream error: do request failed"}})") << json
        << false << Error::Kind::ServerError << 500 << QStringLiteral("upstream error: do request failed");
    QTest::newRow("malformed JSON") << prompt << 200 << QByteArray(R"({"code":1,"result":19300000)") << json
                                    << false << Error::Kind::BadResponse << 200
                                    << QStringLiteral("broken JSON");
    QTest::newRow("HTML with 200")
        << prompt << 200
        << QByteArray("<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>")
        << QByteArray("text/html") << false << Error::Kind::BadResponse << 200 << QStringLiteral("web page");
    QTest::newRow("wrong JSON types")
        << prompt << 200 << QByteArray(R"({"code":1,"result":{"id":1}})") << json << false
        << Error::Kind::BadResponse << 200 << QStringLiteral("task id");
}

// A submit the server refuses: the task fails with the vendor's own words, stays in the history as asked,
// and the submit went out exactly once.
void TestE2EMjproxy::submitRefused()
{
    QFETCH(QString, prompt);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(bool, wrongKey);
    QFETCH(Error::Kind, kind);
    QFETCH(int, httpStatus);
    QFETCH(QString, message);

    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    if (wrongKey)
        fake.key = "sk-someone-else";
    if (status != 0)
        fake.intercept
            = once("POST", QStringLiteral("/submit/imagine"), Answer::bytes(body, contentType, status));
    const Operation op = Operation::imagine(prompt);
    const Result<QString> id = env.submit(op);
    QVERIFY(id);
    const Task t = env.runToEnd(*id);
    QCOMPARE(t.state, TaskState::Failed);
    QVERIFY(t.error);
    if (kind == Error::Kind::BadResponse)
        QVERIFY2(t.error->message.contains(message), qPrintable(t.error->message));
    else
        QCOMPARE(t.error->message, message);
    QCOMPARE(t.error->kind, kind);
    QCOMPARE(t.error->httpStatus, httpStatus);
    QCOMPARE(t.operation, op);
    QCOMPARE(t.prompt, prompt);
    QVERIFY(t.remoteId.isEmpty());
    QVERIFY(t.images.isEmpty());
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
    QCOMPARE(env.server.count(), 1);
    QVERIFY(fake.jobs.empty());
}

// 429 with Retry-After: no request leaves before the deadline, then the imagine goes again (the 429
// proves nothing was created) and exactly one task exists.
void TestE2EMjproxy::rateLimitedHonoursRetryAfter()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.intercept
        = once("POST", QStringLiteral("/submit/imagine"),
               Answer::json(429,
                            QJsonObject {{QStringLiteral("error"),
                                          QJsonObject {{QStringLiteral("message"),
                                                        text("当前分组上游负载已饱和，请稍后再试")}}}})
                   .header("Retry-After", "1"));
    const Task t = env.run(Operation::imagine(QStringLiteral("a busy street")));
    CHECK(checkGrid(env, fake, t, kSmallGrid));
    const QList<RecordedRequest> all = env.server.requests();
    QVERIFY(all.size() > 2);
    const QDateTime refused = all[0].received;
    // The deadline counts from when the client read the 429, which is after the server took the request.
    for (qsizetype i = 1; i < all.size(); ++i)
        QVERIFY2(refused.msecsTo(all[i].received) >= 1000, qPrintable(all[i].path));
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 2);
    QCOMPARE(fake.jobs.size(), std::size_t(1));
}

void TestE2EMjproxy::statusRecovers_data()
{
    QTest::addColumn<int>("which");
    QTest::newRow("500 then success") << 0;
    QTest::newRow("455 maintenance") << 1;
    QTest::newRow("dropped connection") << 2;
    QTest::newRow("hangs (timeout)") << 3;
    QTest::newRow("malformed JSON") << 4;
    QTest::newRow("HTML page with 200") << 5;
    QTest::newRow("wrong JSON types") << 6;
}

// A status check that fails once is retried (by the transport or the next poll); the task ends well and
// the error shown meanwhile is gone.
void TestE2EMjproxy::statusRecovers()
{
    QFETCH(int, which);
    const std::array<Answer, 7> answers {
        Answer::json(500, QJsonObject {{QStringLiteral("error"), QStringLiteral("Internal Server Error")}}),
        Answer::json(455, QJsonObject {{QStringLiteral("error"), QStringLiteral("maintenance")}}),
        Answer::dropped(),
        Answer::hanging(),
        Answer::bytes(R"({"id":1930000000000000001,"status":"IN_PR)", "application/json"),
        Answer::text(200, "<html><body>502 Bad Gateway</body></html>", "text/html"),
        Answer::bytes(R"({"id":1930000000000000001,"status":7,"progress":[]})", "application/json"),
    };
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.intercept = once("GET", QStringLiteral("/fetch"), answers[static_cast<std::size_t>(which)]);
    const Task t = env.run(Operation::imagine(QStringLiteral("a lighthouse in fog")));
    CHECK(checkGrid(env, fake, t, kSmallGrid));
    QVERIFY(fake.requests("GET", QStringLiteral("/task/%1/fetch").arg(t.remoteId)).size() >= 3);
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
}

// Status answers that stay unreadable: after a few the task is "unfinished" (kept, with its id and the
// reason); once the server answers properly, "check" takes it to success. Earlier results stay as they were.
void TestE2EMjproxy::statusKeepsFailing()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    const Task earlier = env.run(Operation::imagine(QStringLiteral("an earlier fox")));
    CHECK(checkGrid(env, fake, earlier, kSmallGrid));

    fake.intercept = [](const RecordedRequest &r) -> std::optional<Answer> {
        if (!r.path.endsWith(QLatin1String("/fetch")))
            return std::nullopt;
        return Answer::bytes(R"({"id":1930000000000000002,"status":"SUCCESS","buttons":"U1 U2 U3 U4"})",
                             "application/json");
    };
    const Task stuck = env.run(Operation::imagine(QStringLiteral("a later fox")));
    QCOMPARE(stuck.state, TaskState::Unfinished);
    QVERIFY(stuck.error);
    QVERIFY2(stuck.error->message.contains(QLatin1String("\"buttons\" is not a list")),
             qPrintable(stuck.error->message));
    QCOMPARE(stuck.remoteId, QStringLiteral("1930000000000000002"));
    QVERIFY(stuck.images.isEmpty());

    fake.intercept = nullptr;
    QVERIFY(env.engine->check(stuck.id));
    const Task done = env.runToEnd(stuck.id);
    CHECK(checkGrid(env, fake, done, kSmallGrid));
    QCOMPARE(env.task(earlier.id).images, earlier.images);
    CHECK(checkGrid(env, fake, env.task(earlier.id), kSmallGrid));
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 2);
}

void TestE2EMjproxy::contentPolicyFailure()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.configure
        = [](FakeJob &j) { j.failReason = QStringLiteral("Request cancelled due to image filters"); };
    const Task t = env.run(Operation::imagine(QStringLiteral("a storm over the sea")));
    QCOMPARE(t.state, TaskState::Failed);
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, Error::Kind::ContentRejected);
    QCOMPARE(t.error->message, QStringLiteral("Request cancelled due to image filters"));
    QCOMPARE(t.remoteId, fake.jobs.front().id);
    QVERIFY(t.images.isEmpty());
}

// Polling stops at the account's cap: "unfinished", not failed; "check" resumes it to success.
void TestE2EMjproxy::stuckTaskResumes()
{
    E2EEnv env(QStringLiteral("mjproxy"), QJsonObject {{QStringLiteral("max-polls"), QStringLiteral("3")}});
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.configure = [](FakeJob &j) { j.stuck = true; };
    const Task t = env.run(Operation::imagine(QStringLiteral("a slow sunrise")));
    QCOMPARE(t.state, TaskState::Unfinished);
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, Error::Kind::StillRunning);
    QVERIFY2(t.error->message.contains(QLatin1String("37 %")), qPrintable(t.error->message));
    QCOMPARE(t.progress.value_or(-1), 37);
    QCOMPARE(fake.requests("GET", QStringLiteral("/task/%1/fetch").arg(t.remoteId)).size(), 3);
    QCOMPARE(t.remoteId, fake.jobs.front().id);

    fake.jobs.front().stuck = false;
    QVERIFY(env.engine->check(t.id));
    const Task done = env.runToEnd(t.id);
    CHECK(checkGrid(env, fake, done, kSmallGrid));
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
}

// Issue 12: on a grid tile, an action that runs on the tile's upscale is refused before anything is sent
// (or paid) when the upscale of that version will not carry its button: 2x on a version 6.1 grid. Animate,
// which depends on the server, is offered with a caveat; on a server without animate buttons the U is made
// and the chained Animate fails here without a request, and Retry is not offered for it.
void TestE2EMjproxy::offeredOnlyWhatTheUpscaleWillCarry()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.animate = false;
    const Task grid = env.run(Operation::imagine(QStringLiteral("a lighthouse at dusk --v 6.1")));
    CHECK(checkGrid(env, fake, grid, QSize(1024, 1024)));
    const ProviderAdapter *adapter = env.providers->adapter(QStringLiteral("mjproxy"));
    QVERIFY(adapter);

    Operation twice = act(OperationKind::Upscale, grid.id, 2);
    twice.variant = QStringLiteral("2x");
    const QString why = QStringLiteral("Upscale (2x) exists only on version 5 upscales; this grid is version 6.1");
    const Availability offered = env.providers->availability(twice, &grid, env.account);
    QVERIFY(!offered.enabled);
    QCOMPARE(offered.reason, why);
    const int requests = env.server.count();
    const int tasks = *env.store->taskCount();
    const Result<QString> refused = env.submit(twice);
    QVERIFY(!refused);
    QCOMPARE(refused.error().kind, Error::Kind::Unsupported);
    QCOMPARE(refused.error().message, why);
    QCOMPARE(env.server.count(), requests);
    QCOMPARE(*env.store->taskCount(), tasks);

    Operation video = act(OperationKind::Animate, grid.id, 3);
    video.motion = QStringLiteral("high");
    const Availability maybe = env.providers->availability(video, &grid, env.account);
    QVERIFY(maybe.enabled);
    QVERIFY2(maybe.caveat.contains(QLatin1String("U3 is made (and charged) first")), qPrintable(maybe.caveat));
    const Task animated = env.run(video);
    QCOMPARE(animated.state, TaskState::Failed);
    QVERIFY(animated.error);
    QCOMPARE(animated.error->kind, Error::Kind::Unsupported);
    QCOMPARE(animated.error->message, QStringLiteral("This result has no Animate (High motion) button"));
    // One action was sent and paid for: the U. Nothing for the Animate the upscale does not carry.
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/action")).size(), 1);
    const Task u3 = env.task(animated.parentId);
    QCOMPARE(u3.state, TaskState::Succeeded);
    // Retry asks the same question of the same parent: it cannot work, so it is not offered.
    const Availability retry = env.providers->availability(animated.operation, &u3, env.account);
    QVERIFY(!retry.enabled);
    QCOMPARE(retry.reason, animated.error->message);
    CHECK(checkClean(fake));
}

void TestE2EMjproxy::cancelOnTheServer()
{
    E2EEnv env(QStringLiteral("mjproxy"),
               QJsonObject {{QStringLiteral("prefix"), QStringLiteral("/mj-relax")}});
    FakeProxy fake(env);
    fake.prefix = QStringLiteral("/mj-relax");
    fake.configure = [](FakeJob &j) { j.stuck = true; };
    const Result<QString> id = env.submit(Operation::imagine(QStringLiteral("a long exposure of stars")));
    QVERIFY(id);
    QTRY_VERIFY(env.task(*id).state == TaskState::Running);
    QVERIFY(env.engine->cancel(*id));
    const Task t = env.runToEnd(*id);
    QCOMPARE(t.state, TaskState::Cancelled);
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, Error::Kind::Cancelled);
    const QList<RecordedRequest> cancels
        = fake.requests("POST", QStringLiteral("/task/%1/cancel").arg(t.remoteId));
    QCOMPARE(cancels.size(), 1);
    QCOMPARE(cancels[0].header("Authorization"), QByteArray(QByteArray("Bearer ") + E2EEnv::kKey));
    QCOMPARE(fake.jobs.front().status, QStringLiteral("CANCEL"));
    CHECK(checkClean(fake));
}

// imageUrls whose files are gone (404), truncated or corrupt: each tile says what happened, the good one
// is stored, and the task still succeeded.
void TestE2EMjproxy::imagesThatCannotBeSaved()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    const QByteArray good = filledPng(QSize(512, 512), Qt::darkGreen);
    fake.configure = [&good](FakeJob &j) {
        j.tiles = true;
        j.files.insert(2, Answer::text(404, "Not Found"));
        j.files.insert(3, Answer::bytes(good.left(good.size() / 2), "image/png"));
        QByteArray corrupt("\x89PNG\r\n\x1a\n", 8);
        corrupt += QByteArray(3000, '\x5a');
        j.files.insert(4, Answer::bytes(corrupt, "image/png"));
    };
    const Task t = env.run(Operation::imagine(QStringLiteral("a broken mirror")));
    QCOMPARE(t.state, TaskState::Succeeded);
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, Error::Kind::Io);
    QVERIFY2(t.error->message.contains(QLatin1String("3 images could not be saved")),
             qPrintable(t.error->message));
    QCOMPARE(t.images.size(), 4);
    QVERIFY(t.image(1)->isLocal());
    QVERIFY(QFileInfo::exists(env.pathOf(*t.image(1))));
    QCOMPARE(t.image(2)->state, ImageState::Expired);
    QCOMPARE(t.image(3)->state, ImageState::Failed);
    QCOMPARE(t.image(4)->state, ImageState::Failed);
    for (int n = 2; n <= 4; ++n) {
        QVERIFY(!t.image(n)->error.isEmpty());
        QCOMPARE(t.image(n)->remoteUrl, fake.fileUrl(fake.jobs.front(), QString::number(n)));
    }
    const QDir folder(env.archive->absolutePath(ImageArchive::taskFolder(t.id, t.created)));
    QCOMPARE(folder.entryList(QDir::Files).size(), 1);
}

void TestE2EMjproxy::gridThatCannotBeSaved_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<QString>("message");
    QTest::newRow("PNG declaring 30000x30000") << 0 << QStringLiteral("30000");
    QTest::newRow("redirect to file://") << 1 << QString();
    QTest::newRow("dropped mid-body") << 2 << QString();
    QTest::newRow("HTML page instead of an image") << 3 << QString();
}

void TestE2EMjproxy::gridThatCannotBeSaved()
{
    QFETCH(int, which);
    QFETCH(QString, message);
    const std::array<Answer, 4> answers {
        Answer::bytes(hugePng(), "image/png"),
        Answer::redirect("file:///etc/passwd"),
        Answer::droppedMidBody(gridPng(QSize(1024, 1024), 1), "image/png"),
        Answer::text(200, "<html><body>Access denied</body></html>", "text/html"),
    };
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    const Answer answer = answers[static_cast<std::size_t>(which)];
    fake.configure = [&answer](FakeJob &j) { j.files.insert(0, answer); };
    const Task t = env.run(Operation::imagine(QStringLiteral("an unlucky picture")));
    QCOMPARE(t.state, TaskState::Succeeded);
    QVERIFY(t.error);
    QCOMPARE(t.images.size(), 1);
    QCOMPARE(t.images[0].role, ImageRole::Grid);
    QCOMPARE(t.images[0].state, ImageState::Failed);
    QVERIFY2(t.images[0].error.contains(message), qPrintable(t.images[0].error));
    QVERIFY(t.error->message.contains(t.images[0].error));
    const QDir folder(env.archive->absolutePath(ImageArchive::taskFolder(t.id, t.created)));
    QVERIFY(folder.entryList(QDir::Files).isEmpty());
}

void TestE2EMjproxy::submitNeverAnswered_data()
{
    QTest::addColumn<bool>("hang");
    QTest::newRow("hangs") << true;
    QTest::newRow("connection dropped") << false;
}

// The submit may have reached the server: it is never sent again (that could charge twice).
void TestE2EMjproxy::submitNeverAnswered()
{
    QFETCH(bool, hang);
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.intercept
        = once("POST", QStringLiteral("/submit/imagine"), hang ? Answer::hanging() : Answer::dropped());
    const Operation op = Operation::imagine(QStringLiteral("a message in a bottle"));
    const Result<QString> id = env.submit(op);
    QVERIFY(id);
    const Task t = env.runToEnd(*id);
    QVERIFY2(t.state == TaskState::Failed || t.state == TaskState::Unknown,
             qPrintable(taskStateName(t.state)));
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, hang ? Error::Kind::Timeout : Error::Kind::Network);
    QCOMPARE(t.operation, op);
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
    QCOMPARE(env.server.count(), 1);
}

QTEST_GUILESS_MAIN(TestE2EMjproxy)
#include "tst_e2e_mjproxy.moc"
