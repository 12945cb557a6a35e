// The midjourney-proxy family's end-to-end fixture (PROVIDERS.md §4), shared by tst_e2e_mjproxy (submit,
// poll and download flows), tst_e2e_mjproxy_actions (buttons, modal follow-ups, U/V/pan/zoom...) and
// tst_e2e_mjproxy_failures (the failure tables): a small stateful server that speaks the protocol the way
// the open-source proxies and their gateways do: envelopes {code, description, result, properties}, ids
// above 2^53 as JSON numbers, task objects with buttons[] whose customIds carry a job hash, MODAL tasks
// finished by /submit/modal. Test-only header: it opens the test namespaces for the file that includes it.
#pragma once

#include "e2eenv.h"
#include "e2ehelpers.h"
#include "storage/imagearchive.h"

#include <QBuffer>
#include <QHash>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPainter>
#include <QRegularExpression>
#include <QTest>
#include <QUuid>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

using namespace tessera;
using namespace tessera::test;
using namespace tessera::test::e2e;

namespace {

inline QString text(const char *utf8)
{
    return QString::fromUtf8(utf8);
}

inline QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Row-major tile colours of a job's grid (tile 1 top-left ... 4 bottom-right), distinct per job.
inline QColor tileColor(int seed, int tile)
{
    return QColor::fromHsv((seed * 37 + tile * 83) % 360, 180, 210);
}

inline QByteArray encodePng(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

inline QByteArray filledPng(QSize size, QColor color)
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
inline QByteArray gridPng(QSize size, int seed)
{
    QImage image(size, QImage::Format_RGB32);
    QPainter painter(&image);
    const auto rects = ImageArchive::tileRects(size);
    for (int i = 0; i < 4; ++i)
        painter.fillRect(rects[static_cast<std::size_t>(i)], tileColor(seed, i + 1));
    painter.end();
    return encodePng(image);
}

inline QByteArray mp4Bytes()
{
    QByteArray bytes("\x00\x00\x00\x18", 4);
    bytes += "ftypisom";
    bytes += QByteArray("\x00\x00\x02\x00", 4);
    bytes += "isomiso2";
    bytes += QByteArray(512, '\x11');
    return bytes;
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

// A grid result as the archive must hold it: the grid file and its four tiles 1..4, row-major.
inline void checkGrid(E2EEnv &env, FakeProxy &fake, const Task &t, QSize size)
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

inline void checkSingle(E2EEnv &env, const Task &t, QSize size)
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

inline void checkClean(const FakeProxy &fake)
{
    QCOMPARE(fake.authFailures, 0);
    QCOMPARE(fake.wrongPaths, 0);
    QCOMPARE(fake.keyLeaks, 0);
    QCOMPARE(fake.unknownButtons, 0);
}

// Failure paths are about what happens, not about pixels: they use smaller grids.
const QSize kSmallGrid(512, 512);

inline Operation act(OperationKind kind, const QString &parentId, int tile)
{
    return Operation::action(kind, parentId, tile);
}

inline QString dataUrl(const QByteArray &png)
{
    return QStringLiteral("data:image/png;base64,") + QString::fromLatin1(png.toBase64());
}

// Answers the first `times` requests matching `method` and a path ending in `suffix` with `answer`.
inline std::function<std::optional<Answer>(const RecordedRequest &)>
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

// Answers the requests matching `method` and a path ending in `suffix` with `answers`, one each, in turn.
inline std::function<std::optional<Answer>(const RecordedRequest &)>
inTurn(const QByteArray &method, const QString &suffix, const QList<Answer> &answers)
{
    auto left = std::make_shared<QList<Answer>>(answers);
    return [=](const RecordedRequest &r) -> std::optional<Answer> {
        if (!left->isEmpty() && r.method == method && r.path.endsWith(suffix))
            return left->takeFirst();
        return std::nullopt;
    };
}

} // namespace
