// The fixture of KolerskyAdapter's tests (tst_kolerskyadapter, tst_kolerskyadapter_answers): the vendor
// doc's examples (tests/fixtures/kolersky), an account, operations, parents as the engine stores them, masks,
// and a scripted kolersky server for the engine. Test-only header: it opens the tessera namespace for the
// file that includes it.
#pragma once

#include "mask/maskexport.h"
#include "providers/kolersky/kolerskyadapter.h"
#include "testenv.h"

#include <QBuffer>
#include <QFile>
#include <QHash>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPainter>
#include <QTest>
#include <QTimeZone>

#include <functional>
#include <memory>
#include <optional>

using namespace tessera;
using tessera::kolersky::KolerskyAdapter;

namespace {

const QString kParentId = QStringLiteral("request_12345");

inline QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(TESSERA_FIXTURES "/kolersky/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

inline QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

inline QByteArray fixtureCompact(const QString &name)
{
    return compact(QJsonDocument::fromJson(fixture(name)).object());
}

inline QDateTime received()
{
    return QDateTime(QDate(2025, 1, 1), QTime(12, 0), QTimeZone::utc());
}

inline HttpResponse answer(int status, const QByteArray &body,
                           QList<QPair<QByteArray, QByteArray>> headers = {})
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers = std::move(headers);
    r.received = received();
    return r;
}

inline Account account(const QJsonObject &options = {})
{
    Account a;
    a.id = QStringLiteral("k1");
    a.family = QStringLiteral("kolersky");
    a.name = QStringLiteral("main");
    a.baseUrl = QStringLiteral("https://api.kolersky.com");
    a.options = options;
    return a;
}

inline Operation generate(GenerateType type, const QString &prompt, const QStringList &refs = {})
{
    Operation op = Operation::imagine(prompt);
    op.type = type;
    op.references = refs;
    return op;
}

inline Operation action(OperationKind kind, int tile, const QString &parent = QStringLiteral("parent"))
{
    return Operation::action(kind, parent, tile);
}

inline ImageRef image(ImageRole role, int index, QSize size)
{
    ImageRef ref;
    ref.role = role;
    ref.index = index;
    ref.size = size;
    ref.remoteUrl = QStringLiteral("https://cdn.kolersky.com/x.png");
    return ref;
}

inline Task gridParent(const QString &prompt = QStringLiteral("beautiful sunset over mountains with lake"))
{
    Task t;
    t.id = QStringLiteral("grid-task");
    t.operation = Operation::imagine(prompt);
    t.prompt = prompt;
    t.state = TaskState::Succeeded;
    t.remoteId = kParentId;
    t.images.append(image(ImageRole::Grid, 0, {1024, 1024}));
    for (int i = 1; i <= 4; ++i)
        t.images.append(image(ImageRole::Tile, i, {512, 512}));
    return t;
}

inline Task upscaleParent(QSize size = {1024, 768},
                          const QString &prompt = QStringLiteral("beautiful sunset over mountains with lake"))
{
    Task t;
    t.id = QStringLiteral("upscale-task");
    t.operation = Operation::action(OperationKind::Upscale, QStringLiteral("grid-task"), 2);
    t.prompt = prompt; // inherited from the imagine, as the engine stores it
    t.tile = 2;
    t.state = TaskState::Succeeded;
    t.remoteId = kParentId;
    t.images.append(image(ImageRole::Upscale, 0, size));
    return t;
}

inline Task videoParent()
{
    Task t;
    t.id = QStringLiteral("video-task");
    t.operation
        = generate(GenerateType::Video, QStringLiteral("waves"), {QStringLiteral("https://e.com/a.png")});
    t.prompt = QStringLiteral("waves");
    t.state = TaskState::Succeeded;
    t.remoteId = kParentId;
    t.images.append(image(ImageRole::Video, 1, {}));
    t.images.append(image(ImageRole::Video, 2, {}));
    return t;
}

inline SubmitContext context(std::optional<Task> parent = std::nullopt)
{
    SubmitContext c;
    c.account = account();
    c.parent = std::move(parent);
    return c;
}

inline QString describeResults(const QList<RemoteImage> &results)
{
    QStringList lines;
    for (const RemoteImage &r : results)
        lines.append(QStringLiteral("%1:%2:%3").arg(imageRoleName(r.role)).arg(r.index).arg(r.url));
    return lines.join(QLatin1Char(' '));
}

inline QByteArray maskPng(QSize size, QRect white)
{
    QImage img(size, QImage::Format_Grayscale8);
    img.fill(Qt::black);
    QPainter p(&img);
    p.fillRect(white, Qt::white);
    p.end();
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    img.save(&buffer, "PNG");
    return png;
}

// A kolersky server for the engine: every POST is accepted with a new requestId; GET /v1/status answers
// "processing" `processingPolls` times per task, then the success shape of what was asked (a collage for
// generate, variation and pan; output.image_url for upscale). DELETE /v1/midjourney/cancel is accepted.
struct KolerskyServer
{
    test::ScriptedTransport transport;
    QHash<QString, QString> kinds; // requestId -> endpoint ("generate", "upscale", ...)
    QHash<QString, int> polls;
    int processingPolls = 1;
    bool neverFinish = false;
    int next = 1;
    std::function<qint64()> now; // when set, the time of every status check goes to statusTimes
    QList<qint64> statusTimes;

    KolerskyServer()
    {
        transport.handler = [this](const HttpCall &call) -> std::optional<Result<HttpResponse>> {
            const QString prefix = QStringLiteral("/v1/midjourney/");
            if (call.method == "POST" && call.path.startsWith(prefix)) {
                const QString kind = call.path.mid(prefix.size());
                const QString id = QStringLiteral("%1-%2").arg(kind).arg(next++);
                kinds.insert(id, kind);
                return HttpResponse::json(200,
                                          {{QStringLiteral("requestId"), id},
                                           {QStringLiteral("status"), QStringLiteral("accepted")},
                                           {QStringLiteral("code"), 200}});
            }
            if (call.method == "DELETE")
                return HttpResponse::json(
                    200,
                    {{QStringLiteral("status"), QStringLiteral("cancelled")}, {QStringLiteral("code"), 200}});
            const QString id = call.query.queryItemValue(QStringLiteral("requestId"));
            if (now)
                statusTimes.append(now());
            if (neverFinish || polls[id]++ < processingPolls)
                return HttpResponse::json(
                    200,
                    {{QStringLiteral("requestId"), id},
                     {QStringLiteral("status"), QStringLiteral("processing")},
                     {QStringLiteral("code"), 200},
                     {QStringLiteral("output"),
                      QJsonObject {{QStringLiteral("progress"), QStringLiteral("50%")}}}});
            const QString base = QStringLiteral("https://cdn.kolersky.example/%1/").arg(id);
            QJsonObject output;
            if (kinds.value(id) == QLatin1String("upscale")) {
                output.insert(QStringLiteral("image_url"), QString(base + QStringLiteral("upscale.png")));
            } else {
                QJsonArray actions;
                for (int i = 1; i <= 8; ++i)
                    actions.append(
                        QJsonObject {{QStringLiteral("index"), i},
                                     {QStringLiteral("requestId"), QStringLiteral("%1-a%2").arg(id).arg(i)}});
                output.insert(
                    QStringLiteral("collage"),
                    QJsonObject {{QStringLiteral("image_url"), QString(base + QStringLiteral("collage.png"))},
                                 {QStringLiteral("actions"), actions}});
            }
            return HttpResponse::json(200,
                                      {{QStringLiteral("requestId"), id},
                                       {QStringLiteral("status"), QStringLiteral("success")},
                                       {QStringLiteral("code"), 200},
                                       {QStringLiteral("output"), output}});
        };
        transport.downloads = [](const QUrl &url) -> Result<HttpResponse> {
            const bool grid = url.path().endsWith(QLatin1String("collage.png"));
            HttpResponse r;
            r.status = 200;
            r.body = maskPng(grid ? QSize(64, 64) : QSize(48, 36), {0, 0, 8, 8});
            return r;
        };
    }

    const HttpCall *last(const QString &path) const
    {
        for (auto it = transport.sent.crbegin(); it != transport.sent.crend(); ++it) {
            if (it->call.path == path)
                return &it->call;
        }
        return nullptr;
    }
};

inline std::unique_ptr<test::TestEnv> kolerskyEnv(KolerskyServer &server)
{
    auto env = std::make_unique<test::TestEnv>();
    env->providers->add(std::make_unique<KolerskyAdapter>());
    if (!env->store->saveAccount(account()))
        qFatal("cannot save account");
    env->useTransport(&server.transport);
    return env;
}

} // namespace
