// The kie.ai-style adapter against fixtures built on the vendor doc's own examples (PROVIDERS.md §3):
// request bodies, index bases, answer shapes, error mapping, validation and availability.
#include "model/account.h"
#include "model/error.h"
#include "model/operation.h"
#include "model/task.h"
#include "providers/kie/kieadapter.h"
#include "providers/kie/kieprotocol.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>

using namespace tessera;

namespace {

const QString kVideoParentId = QStringLiteral("ee603959-debb-48d1-98c4-a6d1c717eba6");

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(TESSERA_FIXTURES "/kie/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

QJsonObject fixtureObject(const QString &name)
{
    return QJsonDocument::fromJson(fixture(name)).object();
}

// JSON written with single quotes, for legibility (and because moc misreads raw strings).
QByteArray js(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

QDateTime received()
{
    return QDateTime(QDate(2024, 3, 20), QTime(10, 30), QTimeZone::utc());
}

HttpResponse answer(int status, const QByteArray &body, const QByteArray &retryAfter = {})
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.received = received();
    r.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    if (!retryAfter.isEmpty())
        r.headers.append({QByteArrayLiteral("Retry-After"), retryAfter});
    return r;
}

Account account(const QString &varyBase = {})
{
    Account a;
    a.id = QStringLiteral("kie-1");
    a.family = QStringLiteral("kie");
    a.name = QStringLiteral("main");
    a.baseUrl = QStringLiteral("https://api.kie.ai");
    if (!varyBase.isEmpty())
        a.options.insert(QStringLiteral("vary-index-base"), varyBase);
    return a;
}

Operation imagine(const QString &prompt, GenerateType type = GenerateType::Text, const QStringList &refs = {})
{
    Operation op = Operation::imagine(prompt);
    op.type = type;
    op.references = refs;
    return op;
}

Operation action(OperationKind kind, int tile, const QString &variant = {}, const QString &prompt = {})
{
    Operation op = Operation::action(kind, QStringLiteral("parent-task"), tile);
    op.variant = variant;
    op.prompt = prompt;
    return op;
}

template<class F> Operation with(Operation op, F change)
{
    change(op);
    return op;
}

ImageRef image(ImageRole role, int index, QSize size = {})
{
    ImageRef ref;
    ref.role = role;
    ref.index = index;
    ref.size = size;
    return ref;
}

QStringList strings(std::initializer_list<const char *> texts)
{
    QStringList list;
    for (const char *text : texts)
        list.append(QString::fromUtf8(text));
    return list;
}

// Parents as the engine stores them: "grid" (four tiles of a generation), "upscale" (one image),
// "video2" (a video task with two videos), "video-pending" (a video imagine whose images are not listed),
// "extension" (a finished video extension), "running", "no-remote".
Task parentTask(const QString &kind, const QString &remoteId = QStringLiteral("4edb3c5XXXXX75e3f0aa5cc"))
{
    Task t;
    t.id = QStringLiteral("parent-task");
    t.accountId = QStringLiteral("kie-1");
    t.remoteId = remoteId;
    t.state = TaskState::Succeeded;
    t.operation = imagine(QStringLiteral("a red fox"));
    if (kind == QLatin1String("grid") || kind == QLatin1String("running")
        || kind == QLatin1String("no-remote")) {
        t.remote.insert(QStringLiteral("taskType"), QStringLiteral("mj_txt2img"));
        for (int i = 1; i <= 4; ++i)
            t.images.append(image(ImageRole::Tile, i, QSize(1024, 1024)));
        if (kind == QLatin1String("running"))
            t.state = TaskState::Running;
        if (kind == QLatin1String("no-remote"))
            t.remoteId.clear();
    } else if (kind == QLatin1String("upscale")) {
        t.operation = Operation::action(OperationKind::Upscale, QStringLiteral("grandparent"), 2);
        t.images.append(image(ImageRole::Upscale, 0, QSize(2048, 2048)));
    } else if (kind == QLatin1String("video2")) {
        t.operation
            = imagine(QStringLiteral("a jet"), GenerateType::Video, {QStringLiteral("https://e.com/a.jpg")});
        t.remote.insert(QStringLiteral("taskType"), QStringLiteral("mj_video"));
        t.images.append(image(ImageRole::Video, 1));
        t.images.append(image(ImageRole::Video, 2));
    } else if (kind == QLatin1String("video-pending")) {
        t.operation = imagine(QStringLiteral("a jet"), GenerateType::VideoHd,
                              {QStringLiteral("https://e.com/a.jpg")});
    } else if (kind == QLatin1String("extension")) {
        t.operation = Operation::action(OperationKind::VideoExtend, QStringLiteral("grandparent"), 1);
        t.remote.insert(QStringLiteral("taskType"), QStringLiteral("mj_video_extend_auto"));
        t.images.append(image(ImageRole::Video, 1));
    }
    return t;
}

QString roleText(const RemoteImage &image)
{
    return imageRoleName(image.role) + QLatin1Char(':') + QString::number(image.index);
}

} // namespace

class TestKieAdapter : public QObject
{
    Q_OBJECT

private:
    kie::KieAdapter m_adapter;

private slots:
    void identity()
    {
        QCOMPARE(m_adapter.family(), QStringLiteral("kie"));
        QCOMPARE(m_adapter.displayName(), QStringLiteral("kie.ai-style"));
        QVERIFY(!m_adapter.resubmitIsSafe());
        QVERIFY(!m_adapter.needsSingleImage(action(OperationKind::Upscale, 1)));
        QVERIFY(!m_adapter.needsSingleImage(action(OperationKind::Vary, 1)));
        QVERIFY(!m_adapter.buildCancel(QStringLiteral("x"), account()));
    }

    void capabilities()
    {
        const Capabilities c = m_adapter.capabilities(account());
        QCOMPARE(c.generateTypes,
                 (QList<GenerateType> {GenerateType::Text, GenerateType::Image, GenerateType::Style,
                                       GenerateType::Omni, GenerateType::Video, GenerateType::VideoHd}));
        QCOMPARE(c.operations,
                 (QSet<OperationKind> {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary,
                                       OperationKind::VideoExtend}));
        QCOMPARE(c.aspectRatios,
                 strings({"1:2", "9:16", "2:3", "3:4", "5:6", "6:5", "4:3", "3:2", "1:1", "16:9", "2:1"}));
        QCOMPARE(c.versions, strings({"7", "6.1", "6", "5.2", "5.1", "niji6"}));
        QCOMPARE(c.speeds, strings({"relaxed", "fast", "turbo"}));
        QVERIFY(c.chaos.accepts(0) && c.chaos.accepts(100) && c.chaos.accepts(55) && !c.chaos.accepts(7));
        QVERIFY(c.stylize.accepts(1000) && c.stylize.accepts(50) && !c.stylize.accepts(1));
        QVERIFY(c.weird.accepts(3000) && c.weird.accepts(100) && !c.weird.accepts(1));
        QVERIFY(c.omniWeight.accepts(1) && c.omniWeight.accepts(1000) && !c.omniWeight.accepts(0));
        QCOMPARE(c.maxPromptLength, 2000);
        QCOMPARE(c.maxReferences, 5);
        QVERIFY(c.upscaleVariants.isEmpty());
        QVERIFY(c.varyVariants.isEmpty());
        QVERIFY(!c.serverCancel);
        QVERIFY(!c.reportsProgress);
    }

    void buildSubmit_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QString>("parentKind");
        QTest::addColumn<QString>("parentId");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");

        const QString jet = QStringLiteral("Help me generate a sci-fi themed fighter jet in a beautiful sky, "
                                           "to be used as a computer wallpaper");
        const QString generate = QStringLiteral("/api/v1/mj/generate");
        QTest::newRow("txt2img, the doc's example") << with(imagine(jet), [](Operation &op) {
            op.speed = QStringLiteral("relaxed");
            op.aspectRatio = QStringLiteral("16:9");
            op.version = QStringLiteral("7");
            op.chaos = 10;
            op.stylize = 50;
            op.weird = 100;
            op.watermark = QStringLiteral("my_watermark");
            op.translate = false;
        }) << QString() << QString() << generate << "generate-txt2img.request.json";
        QTest::newRow("txt2img, nothing optional set")
            << imagine(QStringLiteral("a red fox in the snow")) << QString() << QString() << generate
            << "generate-txt2img-minimal.request.json";
        QTest::newRow("img2img") << with(imagine(QStringLiteral("the same jet at sunset"),
                                                 GenerateType::Image,
                                                 {QStringLiteral("https://example.com/image.jpg"),
                                                  QStringLiteral("https://example.com/second.png")}),
                                         [](Operation &op) {
                                             op.speed = QStringLiteral("fast");
                                             op.aspectRatio = QStringLiteral("3:2");
                                             op.version = QStringLiteral("6.1");
                                         })
                                 << QString() << QString() << generate << "generate-img2img.request.json";
        QTest::newRow("style reference")
            << with(imagine(QStringLiteral("a lighthouse on a cliff"), GenerateType::Style,
                            {QStringLiteral("https://example.com/style.jpg")}),
                    [](Operation &op) {
                        op.speed = QStringLiteral("turbo");
                        op.version = QStringLiteral("niji6");
                        op.stylize = 1000;
                    })
            << QString() << QString() << generate << "generate-style.request.json";
        QTest::newRow("omni reference")
            << with(imagine(QStringLiteral("the character riding a bicycle"), GenerateType::Omni,
                            {QStringLiteral("https://example.com/character.png")}),
                    [](Operation &op) {
                        op.aspectRatio = QStringLiteral("1:1");
                        op.version = QStringLiteral("7");
                        op.omniWeight = 500;
                    })
            << QString() << QString() << generate << "generate-omni.request.json";
        QTest::newRow("video") << with(
            imagine(jet, GenerateType::Video, {QStringLiteral("https://example.com/image.jpg")}),
            [](Operation &op) {
                op.aspectRatio = QStringLiteral("16:9");
                op.version = QStringLiteral("7");
                op.videoBatch = 1;
                op.motion = QStringLiteral("high");
            }) << QString() << QString()
                               << generate << "generate-video.request.json";
        QTest::newRow("video hd") << with(imagine(QStringLiteral("slow waves on a beach"),
                                                  GenerateType::VideoHd,
                                                  {QStringLiteral("https://example.com/beach.jpg")}),
                                          [](Operation &op) {
                                              op.videoBatch = 4;
                                              op.motion = QStringLiteral("low");
                                          })
                                  << QString() << QString() << generate << "generate-video-hd.request.json";
        QTest::newRow("U1, the doc's example")
            << with(action(OperationKind::Upscale, 1),
                    [](Operation &op) { op.watermark = QStringLiteral("watermark"); })
            << "grid"
            << "2584469c38e43c173dcae9e60663f645"
            << "/api/v1/mj/generateUpscale"
            << "upscale.request.json";
        QTest::newRow("V1, the doc's example")
            << with(action(OperationKind::Vary, 1),
                    [](Operation &op) { op.watermark = QStringLiteral("my_watermark"); })
            << "grid"
            << "96a5****67tr"
            << "/api/v1/mj/generateVary"
            << "vary.request.json";
        const QString nebula = QStringLiteral("Continue the scene with the spacecraft accelerating into a "
                                              "colorful nebula with dynamic light trails");
        const auto watermarked = [](Operation &op) { op.watermark = QStringLiteral("my_watermark"); };
        const QString extend = QStringLiteral("/api/v1/mj/generateVideoExtend");
        QTest::newRow("extend, manual, the doc's example")
            << with(action(OperationKind::VideoExtend, 1, QStringLiteral("manual"), nebula), watermarked)
            << "video2" << kVideoParentId << extend << "video-extend-manual.request.json";
        QTest::newRow("extend, a prompt means manual; tile 0 is the first video")
            << with(action(OperationKind::VideoExtend, 0, {}, nebula), watermarked) << "video2"
            << kVideoParentId << extend << "video-extend-manual.request.json";
        QTest::newRow("extend, auto")
            << action(OperationKind::VideoExtend, 2, QStringLiteral("auto")) << "video2" << kVideoParentId
            << extend << "video-extend-auto.request.json";
        QTest::newRow("extend, no prompt means auto")
            << action(OperationKind::VideoExtend, 2) << "video2" << kVideoParentId << extend
            << "video-extend-auto.request.json";
    }

    void buildSubmit()
    {
        QFETCH(Operation, op);
        QFETCH(QString, parentKind);
        QFETCH(QString, parentId);
        QFETCH(QString, path);
        QFETCH(QString, expected);

        SubmitContext context;
        context.account = account();
        if (!parentKind.isEmpty())
            context.parent = parentTask(parentKind, parentId);
        QVERIFY(m_adapter.validate(op, context.account));
        const Result<HttpCall> call = m_adapter.buildSubmit(op, context);
        QVERIFY2(call, call ? "" : qPrintable(call.error().message));
        QCOMPARE(call->method, QByteArray("POST"));
        QCOMPARE(call->path, path);
        QVERIFY(call->query.isEmpty());
        QCOMPARE(call->auth, HttpCall::Auth::Bearer);
        QCOMPARE(call->purpose, HttpCall::Purpose::Submit);
        QVERIFY(call->body.has_value());
        const QJsonObject body = call->body->object();
        const QJsonObject want = fixtureObject(expected);
        QVERIFY2(body == want, QJsonDocument(body).toJson(QJsonDocument::Compact).constData());
        // Never the deprecated single fileUrl, never a callback.
        QVERIFY(!body.contains(QStringLiteral("fileUrl")));
        QVERIFY(!body.contains(QStringLiteral("callBackUrl")));
    }

    // Every field the vendor doc requires for a task type is in the body with everything optional unset
    // (issue "Correctness" §1): speed, "not required" only for video and omni, goes as "relaxed"; motion
    // for video as "high" (the documented defaults, docs/decisions.md).
    void requiredFieldsAtDefaults_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QString>("parentKind");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QStringList>("required");
        QTest::addColumn<QJsonObject>("values");
        QTest::addColumn<QStringList>("absent");

        const QStringList ref {QStringLiteral("https://example.com/ref.png")};
        const QStringList generate {QStringLiteral("taskType"), QStringLiteral("prompt")};
        const QJsonObject relaxed {{QStringLiteral("speed"), QStringLiteral("relaxed")}};
        QTest::newRow("mj_txt2img") << imagine(QStringLiteral("a fox")) << QString() << QString(kie::kGeneratePath)
                                    << (generate + strings({"speed"})) << relaxed << QStringList();
        QTest::newRow("mj_img2img") << imagine(QStringLiteral("a fox"), GenerateType::Image, ref) << QString()
                                    << QString(kie::kGeneratePath) << (generate + strings({"speed", "fileUrls"}))
                                    << relaxed << QStringList();
        QTest::newRow("mj_style_reference")
            << imagine(QStringLiteral("a fox"), GenerateType::Style, ref) << QString()
            << QString(kie::kGeneratePath) << (generate + strings({"speed", "fileUrls"})) << relaxed
            << QStringList();
        QTest::newRow("mj_omni_reference") << imagine(QStringLiteral("a fox"), GenerateType::Omni, ref)
                                           << QString() << QString(kie::kGeneratePath)
                                           << (generate + strings({"fileUrls"})) << QJsonObject()
                                           << strings({"speed"});
        const QJsonObject high {{QStringLiteral("motion"), QStringLiteral("high")}};
        QTest::newRow("mj_video") << imagine(QStringLiteral("waves"), GenerateType::Video, ref) << QString()
                                  << QString(kie::kGeneratePath) << (generate + strings({"fileUrls", "motion"}))
                                  << high << strings({"speed"});
        QTest::newRow("mj_video_hd") << imagine(QStringLiteral("waves"), GenerateType::VideoHd, ref) << QString()
                                     << QString(kie::kGeneratePath)
                                     << (generate + strings({"fileUrls", "motion"})) << high
                                     << strings({"speed"});
        QTest::newRow("generateUpscale") << action(OperationKind::Upscale, 2) << QStringLiteral("grid")
                                         << QString(kie::kUpscalePath) << strings({"taskId", "imageIndex"})
                                         << QJsonObject {{QStringLiteral("imageIndex"), 1}} << QStringList();
        QTest::newRow("generateVary") << action(OperationKind::Vary, 2) << QStringLiteral("grid")
                                      << QString(kie::kVaryPath) << strings({"taskId", "imageIndex"})
                                      << QJsonObject {{QStringLiteral("imageIndex"), 2}} << QStringList();
        QTest::newRow("generateVideoExtend manual")
            << action(OperationKind::VideoExtend, 1, {}, QStringLiteral("the camera rises"))
            << QStringLiteral("video2") << QString(kie::kVideoExtendPath)
            << strings({"taskType", "taskId", "index", "prompt"})
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("mj_video_extend_manual")}}
            << QStringList();
        QTest::newRow("generateVideoExtend auto")
            << action(OperationKind::VideoExtend, 1) << QStringLiteral("video2") << QString(kie::kVideoExtendPath)
            << strings({"taskType", "taskId", "index"})
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("mj_video_extend_auto")}}
            << QStringList();
    }

    void requiredFieldsAtDefaults()
    {
        QFETCH(Operation, op);
        QFETCH(QString, parentKind);
        QFETCH(QString, path);
        QFETCH(QStringList, required);
        QFETCH(QJsonObject, values);
        QFETCH(QStringList, absent);
        SubmitContext context;
        context.account = account();
        if (!parentKind.isEmpty())
            context.parent = parentTask(parentKind);
        QVERIFY(m_adapter.validate(op, context.account));
        const Result<HttpCall> call = m_adapter.buildSubmit(op, context);
        QVERIFY2(call, call ? "" : qPrintable(call.error().message));
        QCOMPARE(call->path, path);
        const QJsonObject body = call->body->object();
        for (const QString &field : required)
            QVERIFY2(body.contains(field) && !body.value(field).isNull(), qPrintable(field));
        for (auto it = values.constBegin(); it != values.constEnd(); ++it)
            QCOMPARE(body.value(it.key()), it.value());
        for (const QString &field : absent)
            QVERIFY2(!body.contains(field), qPrintable(field));
        // Compose shows what "default" sends.
        const Capabilities c = m_adapter.capabilities(account());
        if (op.kind == OperationKind::Imagine) {
            QCOMPARE(c.speedWhenUnset.value(op.type), values.value(QStringLiteral("speed")).toString());
            QCOMPARE(c.motionWhenUnset.value(op.type), values.value(QStringLiteral("motion")).toString());
        }
    }

    // Tessera's tiles are 1..4: generateUpscale takes 0-3, generateVary 1-4 (or 0-3 with the account
    // option), generateVideoExtend a 0-based video index (PROVIDERS.md §3 and its Decision).
    void actionIndexes_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<int>("tile");
        QTest::addColumn<QString>("varyBase");
        QTest::addColumn<QString>("field");
        QTest::addColumn<int>("index");

        for (int tile = 1; tile <= 4; ++tile) {
            QTest::addRow("U%d", tile)
                << int(OperationKind::Upscale) << tile << QString() << "imageIndex" << tile - 1;
            QTest::addRow("V%d, default base 1", tile)
                << int(OperationKind::Vary) << tile << QString() << "imageIndex" << tile;
            QTest::addRow("V%d, base 1", tile) << int(OperationKind::Vary) << tile << "1"
                                               << "imageIndex" << tile;
            QTest::addRow("V%d, base 0", tile) << int(OperationKind::Vary) << tile << "0"
                                               << "imageIndex" << tile - 1;
            QTest::addRow("extend video %d", tile)
                << int(OperationKind::VideoExtend) << tile << QString() << "index" << tile - 1;
        }
        QTest::newRow("extend the single video")
            << int(OperationKind::VideoExtend) << 0 << QString() << "index" << 0;
    }

    void actionIndexes()
    {
        QFETCH(int, kind);
        QFETCH(int, tile);
        QFETCH(QString, varyBase);
        QFETCH(QString, field);
        QFETCH(int, index);

        const auto k = static_cast<OperationKind>(kind);
        SubmitContext context;
        context.account = account(varyBase);
        context.parent
            = parentTask(k == OperationKind::VideoExtend ? QStringLiteral("video2") : QStringLiteral("grid"),
                         QStringLiteral("task-7"));
        const Result<HttpCall> call = m_adapter.buildSubmit(action(k, tile), context);
        QVERIFY2(call, call ? "" : qPrintable(call.error().message));
        const QJsonObject body = call->body->object();
        QCOMPARE(body.value(field).toInteger(-1), qint64(index));
        QCOMPARE(body.value(QStringLiteral("taskId")).toString(), QStringLiteral("task-7"));
    }

    void actionWithoutParentIdIsRefused()
    {
        SubmitContext context;
        context.account = account();
        Result<HttpCall> call = m_adapter.buildSubmit(action(OperationKind::Upscale, 2), context);
        QVERIFY(!call);
        QCOMPARE(call.error().kind, Error::Kind::InvalidRequest);
        context.parent = parentTask(QStringLiteral("no-remote"));
        call = m_adapter.buildSubmit(action(OperationKind::Upscale, 2), context);
        QVERIFY(!call);
        QVERIFY(call.error().message.startsWith(QLatin1String("parent:")));
    }

    void buildSubmitRefusesWhatValidateRefuses()
    {
        SubmitContext context;
        context.account = account();
        const Result<HttpCall> call
            = m_adapter.buildSubmit(imagine(QStringLiteral("a fox"), GenerateType::Image,
                                            {QStringLiteral("data:image/png;base64,AAAA")}),
                                    context);
        QVERIFY(!call);
        QVERIFY(call.error().message.startsWith(QLatin1String("references:")));
    }

    void normalizeLiftsPromptFlags()
    {
        const Result<Operation> op
            = m_adapter.normalize(imagine(QStringLiteral("a red fox --ar 16:9 --v 6.1 --chaos 20 --s 250")));
        QVERIFY(op);
        QCOMPARE(op->prompt, QStringLiteral("a red fox"));
        SubmitContext context;
        context.account = account();
        const Result<HttpCall> call = m_adapter.buildSubmit(*op, context);
        QVERIFY(call);
        const QJsonObject body = call->body->object();
        QCOMPARE(body.value(QStringLiteral("aspectRatio")).toString(), QStringLiteral("16:9"));
        QCOMPARE(body.value(QStringLiteral("version")).toString(), QStringLiteral("6.1"));
        QCOMPARE(body.value(QStringLiteral("variety")).toInt(), 20);
        QCOMPARE(body.value(QStringLiteral("stylization")).toInt(), 250);
        QCOMPARE(body.value(QStringLiteral("prompt")).toString(), QStringLiteral("a red fox"));
    }

    void buildStatus()
    {
        const HttpCall call = m_adapter.buildStatus(QStringLiteral("4edb3c5XXXXX75e3f0aa5cc"), account());
        QCOMPARE(call.method, QByteArray("GET"));
        QCOMPARE(call.path, QStringLiteral("/api/v1/mj/record-info"));
        QCOMPARE(call.query.queryItemValue(QStringLiteral("taskId")),
                 QStringLiteral("4edb3c5XXXXX75e3f0aa5cc"));
        QCOMPARE(call.auth, HttpCall::Auth::Bearer);
        QCOMPARE(call.purpose, HttpCall::Purpose::Status);
        QVERIFY(!call.body);
        QCOMPARE(call.describe(),
                 QStringLiteral("GET /api/v1/mj/record-info?taskId=4edb3c5XXXXX75e3f0aa5cc"));

        const HttpCall test = m_adapter.buildConnectionTest(account());
        QCOMPARE(test.path, QStringLiteral("/api/v1/mj/record-info"));
        QCOMPARE(test.auth, HttpCall::Auth::Bearer);
    }

    void parseSubmit_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("remoteId");
        QTest::addColumn<QString>("taskType");

        QTest::newRow("generate") << imagine(QStringLiteral("a fox")) << "submit-ok.json"
                                  << "mj_task_abcdef123456"
                                  << "mj_txt2img";
        QTest::newRow("generate video") << imagine(QStringLiteral("a fox"), GenerateType::VideoHd,
                                                   {QStringLiteral("https://e.com/a.jpg")})
                                        << "submit-ok.json"
                                        << "mj_task_abcdef123456"
                                        << "mj_video_hd";
        QTest::newRow("upscale") << action(OperationKind::Upscale, 1) << "submit-upscale-ok.json"
                                 << "mj_upscale_abcdef123456" << QString();
        QTest::newRow("extend") << action(OperationKind::VideoExtend, 1) << "submit-ok.json"
                                << "mj_task_abcdef123456"
                                << "mj_video_extend_auto";
        QTest::newRow("a 23-digit numeric id stays exact")
            << imagine(QStringLiteral("a fox")) << "submit-big-id.json"
            << "12345678901234567890123"
            << "mj_txt2img";
    }

    void parseSubmit()
    {
        QFETCH(Operation, op);
        QFETCH(QString, file);
        QFETCH(QString, remoteId);
        QFETCH(QString, taskType);

        const Result<SubmitOutcome> outcome = m_adapter.parseSubmit(op, answer(200, fixture(file)));
        QVERIFY2(outcome, outcome ? "" : qPrintable(outcome.error().message));
        QCOMPARE(outcome->remoteId, remoteId);
        QVERIFY(!outcome->needsModal);
        QVERIFY(!outcome->immediate);
        QCOMPARE(outcome->remote.value(QStringLiteral("taskType")).toString(), taskType);
    }

    void parseStatus_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<TaskState>("state");
        QTest::addColumn<QStringList>("roles");
        QTest::addColumn<QStringList>("urls");
        QTest::addColumn<QString>("taskType");

        const QString doc
            = QStringLiteral("https://tempfile.aiquickdraw.com/v/42ea4a4250571eb18361bd2e309c8e8a_0_%1.jpeg");
        const QString str = QStringLiteral("https://tempfile.aiquickdraw.com/v/a_0_%1.jpeg");
        const QStringList tiles = strings({"tile:1", "tile:2", "tile:3", "tile:4"});
        QTest::newRow("generating") << "status-generating.json" << TaskState::Running << QStringList()
                                    << QStringList() << "mj_txt2img";
        QTest::newRow("success, the doc's example: four separate images")
            << "status-success.json" << TaskState::Succeeded << tiles
            << QStringList {doc.arg(0), doc.arg(1), doc.arg(2), doc.arg(3)} << "mj_txt2img";
        QTest::newRow("success, resultInfoJson as a JSON string")
            << "status-success-string.json" << TaskState::Succeeded << tiles
            << QStringList {str.arg(0), str.arg(1), str.arg(2), str.arg(3)} << "mj_img2img";
        QTest::newRow("success, resultUrls as plain strings")
            << "status-success-plain-urls.json" << TaskState::Succeeded << tiles
            << strings({"https://example.com/mj_result1.png", "https://example.com/mj_result2.png",
                        "https://example.com/mj_result3.png", "https://example.com/mj_result4.png"})
            << "mj_style_reference";
        QTest::newRow("upscale: one image")
            << "status-upscale.json" << TaskState::Succeeded << strings({"upscale:0"})
            << strings({"https://tempfile.aiquickdraw.com/v/2584469c38e43c173dcae9e60663f645_upscale_0.jpeg"})
            << "mj_upscale";
        QTest::newRow("video: two videos")
            << "status-video.json" << TaskState::Succeeded << strings({"video:1", "video:2"})
            << strings({"https://tempfile.aiquickdraw.com/v/ee603959_0.mp4",
                        "https://tempfile.aiquickdraw.com/v/ee603959_1.mp4"})
            << "mj_video";
        QTest::newRow("extension: one video, told by its taskType")
            << "status-video-extend.json" << TaskState::Succeeded << strings({"video:1"})
            << strings({"https://tempfile.aiquickdraw.com/v/40d90dd1c6fddsa0a7dssa2a08366149_0"})
            << "mj_video_extend_manual";
    }

    void parseStatus()
    {
        QFETCH(QString, file);
        QFETCH(TaskState, state);
        QFETCH(QStringList, roles);
        QFETCH(QStringList, urls);
        QFETCH(QString, taskType);

        const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(200, fixture(file)));
        QVERIFY2(snap, snap ? "" : qPrintable(snap.error().message));
        QCOMPARE(snap->state, state);
        QVERIFY(!snap->error);
        QVERIFY(!snap->progress);
        QStringList gotRoles;
        QStringList gotUrls;
        for (const RemoteImage &image : snap->results) {
            gotRoles.append(roleText(image));
            gotUrls.append(image.url);
        }
        QCOMPARE(gotRoles, roles);
        QCOMPARE(gotUrls, urls);
        QCOMPARE(snap->remote.value(QStringLiteral("taskType")).toString(), taskType);
    }

    void parseStatusVideoWithoutTaskType()
    {
        const QByteArray body = js(
            "{'code':200,'msg':'success','data':{'successFlag':1,"
            "'resultInfoJson':{'resultUrls':[{'resultUrl':'https://cdn.example.com/v/1.MP4?sig=abc'}]}}}");
        const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(200, body));
        QVERIFY(snap);
        QCOMPARE(snap->results.size(), 1);
        QCOMPARE(roleText(snap->results.first()), QStringLiteral("video:1"));
    }

    void parseStatusFailed_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("vendorCode");

        QTest::newRow("successFlag 2, content policy")
            << "status-failed-content.json" << int(Error::Kind::ContentRejected)
            << "The prompt was blocked by the content moderation policy: banned word detected"
            << "400";
        QTest::newRow("successFlag 3, created but generation failed")
            << "status-generation-failed.json" << int(Error::Kind::ServerError)
            << "Midjourney generation failed, please try again later"
            << "500";
        QTest::newRow("successFlag 2 without a message")
            << "status-failed-no-message.json" << int(Error::Kind::ServerError)
            << "kie reports that the task failed (error code 10086)"
            << "10086";
        QTest::newRow("envelope 501 Generation Failed")
            << "status-generation-failed-envelope.json" << int(Error::Kind::ServerError)
            << "Generation Failed - Image generation task failed"
            << "501";
    }

    void parseStatusFailed()
    {
        QFETCH(QString, file);
        QFETCH(int, kind);
        QFETCH(QString, message);
        QFETCH(QString, vendorCode);

        const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(200, fixture(file)));
        QVERIFY2(snap, snap ? "" : qPrintable(snap.error().message));
        QCOMPARE(snap->state, TaskState::Failed);
        QVERIFY(snap->results.isEmpty());
        QVERIFY(snap->error.has_value());
        QCOMPARE(int(snap->error->kind), kind);
        QCOMPARE(snap->error->message, message);
        QCOMPARE(snap->error->vendorCode, vendorCode);
    }

    void parseStatusBigIds()
    {
        const Result<TaskSnapshot> snap
            = m_adapter.parseStatus(answer(200, fixture(QStringLiteral("status-big-id.json"))));
        QVERIFY(snap);
        QCOMPARE(snap->state, TaskState::Running);
        QCOMPARE(snap->remote.value(QStringLiteral("taskType")).toString(), QStringLiteral("mj_txt2img"));
    }

    // Errors in the envelope and/or as HTTP status, message = msg verbatim (PROVIDERS.md §3).
    void errorMapping_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("vendorCode");

        const auto env = [](int code, const char *msg) {
            return QJsonDocument(QJsonObject {{QStringLiteral("code"), code},
                                              {QStringLiteral("msg"), QString::fromUtf8(msg)},
                                              {QStringLiteral("data"), QJsonValue::Null}})
                .toJson(QJsonDocument::Compact);
        };
        using K = Error::Kind;
        QTest::newRow("200 + 401") << 200 << env(401, "You do not have access permissions")
                                   << int(K::Unauthorized) << "You do not have access permissions"
                                   << "401";
        QTest::newRow("401 + 401") << 401 << env(401, "Invalid API key") << int(K::Unauthorized)
                                   << "Invalid API key"
                                   << "401";
        QTest::newRow("401, empty body")
            << 401 << QByteArray() << int(K::Unauthorized) << "HTTP 401" << QString();
        QTest::newRow("200 + 402, fixture")
            << 200 << fixture(QStringLiteral("submit-insufficient-credits.json")) << int(K::PaymentRequired)
            << "Insufficient credits: the account does not have enough credits to perform the operation"
            << "402";
        QTest::newRow("402 + 402") << 402 << env(402, "Credits insufficient") << int(K::PaymentRequired)
                                   << "Credits insufficient"
                                   << "402";
        QTest::newRow("403 + 403 credits: PaymentRequired (PRODUCT.md 402/403)")
            << 403 << env(403, "Insufficient credits: 0 requests remaining") << int(K::PaymentRequired)
            << "Insufficient credits: 0 requests remaining"
            << "403";
        QTest::newRow("403 without a code, balance")
            << 403 << js("{'msg':'Your balance is empty'}") << int(K::PaymentRequired)
            << "Your balance is empty" << QString();
        QTest::newRow("403 + 403 disabled key") << 403 << env(403, "This API key has been disabled")
                                                << int(K::Unauthorized) << "This API key has been disabled"
                                                << "403";
        QTest::newRow("200 + 400") << 200 << env(400, "prompt is required") << int(K::InvalidRequest)
                                   << "prompt is required"
                                   << "400";
        QTest::newRow("200 + 404") << 200 << env(404, "Not Found") << int(K::NotFound) << "Not Found"
                                   << "404";
        QTest::newRow("422 + 422")
            << 422 << env(422, "The request parameters are incorrect, please check the parameters.")
            << int(K::InvalidRequest) << "The request parameters are incorrect, please check the parameters."
            << "422";
        QTest::newRow("200 + 429") << 200 << env(429, "Request limit has been exceeded for this resource")
                                   << int(K::RateLimited)
                                   << "Request limit has been exceeded for this resource"
                                   << "429";
        QTest::newRow("429 + 429") << 429 << env(429, "Too many requests") << int(K::RateLimited)
                                   << "Too many requests"
                                   << "429";
        QTest::newRow("200 + 455") << 200 << env(455, "System is currently undergoing maintenance")
                                   << int(K::Maintenance) << "System is currently undergoing maintenance"
                                   << "455";
        QTest::newRow("500 + 455: the envelope is more precise")
            << 500 << env(455, "Service Unavailable") << int(K::Maintenance) << "Service Unavailable"
            << "455";
        QTest::newRow("200 + 500") << 200 << env(500, "Server Error") << int(K::ServerError) << "Server Error"
                                   << "500";
        QTest::newRow("200 + 505") << 200 << env(505, "The requested feature is currently disabled")
                                   << int(K::Unsupported) << "The requested feature is currently disabled"
                                   << "505";
        QTest::newRow("200 + quoted code")
            << 200 << js("{'code':'402','msg':'no credits'}") << int(K::PaymentRequired) << "no credits"
            << "402";
        QTest::newRow("200 + code without msg")
            << 200 << js("{'code':429}") << int(K::RateLimited)
            << QString::fromUtf8(js("kie answered code 429: {'code':429}")) << "429";
        QTest::newRow("502, an HTML page")
            << 502 << QByteArray("<html><body>Bad gateway</body></html>") << int(K::ServerError)
            << "HTTP 502: <html><body>Bad gateway</body></html>" << QString();
        QTest::newRow("503, an HTML page")
            << 503 << QByteArray("<html><body>Down</body></html>") << int(K::Maintenance)
            << "HTTP 503: <html><body>Down</body></html>" << QString();
        QTest::newRow("500 + code 200 keeps the HTTP status")
            << 500 << env(200, "internal error") << int(K::ServerError) << "internal error" << QString();
    }

    void errorMapping()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, kind);
        QFETCH(QString, message);
        QFETCH(QString, vendorCode);

        const HttpResponse response = answer(status, body);
        const Result<SubmitOutcome> submit
            = m_adapter.parseSubmit(imagine(QStringLiteral("a fox")), response);
        QVERIFY(!submit);
        QCOMPARE(int(submit.error().kind), kind);
        QCOMPARE(submit.error().message, message);
        QCOMPARE(submit.error().vendorCode, vendorCode);
        QCOMPARE(submit.error().httpStatus, status);

        const Result<TaskSnapshot> poll = m_adapter.parseStatus(response);
        QVERIFY(!poll);
        QCOMPARE(poll.error(), submit.error());
    }

    void generationFailedOnSubmitIsAnError()
    {
        const Result<SubmitOutcome> submit = m_adapter.parseSubmit(
            imagine(QStringLiteral("a fox")),
            answer(200, fixture(QStringLiteral("status-generation-failed-envelope.json"))));
        QVERIFY(!submit);
        QCOMPARE(submit.error().kind, Error::Kind::ServerError);
        QCOMPARE(submit.error().vendorCode, QStringLiteral("501"));
    }

    void retryAfter_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<int>("seconds");

        QTest::newRow("HTTP 429") << 429 << js("{'code':429,'msg':'slow down'}") << QByteArray("30") << 30;
        QTest::newRow("envelope 429")
            << 200 << js("{'code':429,'msg':'slow down'}") << QByteArray("12") << 12;
        QTest::newRow("HTTP 429, HTTP date")
            << 429 << QByteArray("Too Many Requests") << QByteArray("Wed, 20 Mar 2024 10:31:00 GMT") << 60;
    }

    void retryAfter()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, header);
        QFETCH(int, seconds);

        const Result<SubmitOutcome> submit
            = m_adapter.parseSubmit(imagine(QStringLiteral("a fox")), answer(status, body, header));
        QVERIFY(!submit);
        QCOMPARE(submit.error().kind, Error::Kind::RateLimited);
        QCOMPARE(submit.error().retryAfter, received().addSecs(seconds));
    }

    // Every broken shape is a BadResponse that says what was wrong; none crashes.
    void malformed_data()
    {
        QTest::addColumn<QString>("which");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");

        const auto ok = [](const char *data) -> QByteArray {
            return js("{'code':200,'msg':'success','data':") + js(data) + '}';
        };
        const auto done = [&](const char *info) -> QByteArray {
            return ok(QByteArray("{'taskId':'t','taskType':'mj_txt2img','successFlag':1,'resultInfoJson':")
                          .append(info)
                          .append('}')
                          .constData());
        };
        QTest::newRow("HTML with 200")
            << "both" << QByteArray("<!DOCTYPE html><html><head><title>kie</title></head></html>")
            << "web page";
        QTest::newRow("broken JSON") << "both" << js("{'code':200,'msg':'success','data':{'taskId':")
                                     << "broken JSON";
        QTest::newRow("empty body") << "both" << QByteArray() << "empty";
        QTest::newRow("a list") << "both" << QByteArray("[1,2]") << "not a JSON object";
        QTest::newRow("no code") << "both" << js("{'msg':'success','data':{'taskId':'t','successFlag':0}}")
                                 << "code";
        QTest::newRow("code is an object") << "both" << js("{'code':{'a':1},'data':{}}") << "code";
        QTest::newRow("data is a string") << "both" << ok("'oops'") << "data";
        QTest::newRow("data is null") << "both" << ok("null") << "data";
        QTest::newRow("data is missing") << "both" << js("{'code':200,'msg':'success'}") << "data";
        QTest::newRow("taskId is an object") << "submit" << ok("{'taskId':{'id':1}}") << "taskId";
        QTest::newRow("taskId is missing") << "submit" << ok("{}") << "taskId";
        QTest::newRow("taskId is empty") << "submit" << ok("{'taskId':''}") << "taskId";
        QTest::newRow("successFlag is missing") << "status" << ok("{'taskId':'t'}") << "successFlag";
        QTest::newRow("successFlag is text") << "status" << ok("{'successFlag':'abc'}") << "successFlag";
        QTest::newRow("successFlag is a list") << "status" << ok("{'successFlag':[1]}") << "successFlag";
        QTest::newRow("successFlag 7") << "status" << ok("{'successFlag':7}") << "successFlag";
        QTest::newRow("success without resultInfoJson")
            << "status" << ok("{'successFlag':1}") << "resultInfoJson";
        QTest::newRow("resultInfoJson is a number") << "status" << done("5") << "resultInfoJson";
        QTest::newRow("resultInfoJson is broken text")
            << "status" << done("'{\\'resultUrls\\':'") << "resultInfoJson";
        QTest::newRow("resultUrls is an object")
            << "status" << done("{'resultUrls':{'a':1}}") << "resultUrls";
        QTest::newRow("resultUrls is empty") << "status" << done("{'resultUrls':[]}") << "resultUrl";
        QTest::newRow("an item without resultUrl")
            << "status" << done("{'resultUrls':[{'url':'x'}]}") << "resultUrl";
        QTest::newRow("resultUrl is a number")
            << "status" << done("{'resultUrls':[{'resultUrl':5}]}") << "resultUrl";
        QTest::newRow("five images")
            << "status"
            << done("{'resultUrls':['https://a/1','https://a/2','https://a/3','https://a/4','https://a/5']}")
            << "four";
    }

    void malformed()
    {
        QFETCH(QString, which);
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);

        const HttpResponse response = answer(200, body);
        if (which != QLatin1String("status")) {
            const Result<SubmitOutcome> submit
                = m_adapter.parseSubmit(imagine(QStringLiteral("a fox")), response);
            QVERIFY(!submit);
            QCOMPARE(submit.error().kind, Error::Kind::BadResponse);
            QVERIFY2(submit.error().message.contains(mentions), qPrintable(submit.error().message));
        }
        if (which != QLatin1String("submit")) {
            const Result<TaskSnapshot> poll = m_adapter.parseStatus(response);
            QVERIFY(!poll);
            QCOMPARE(poll.error().kind, Error::Kind::BadResponse);
            QVERIFY2(poll.error().message.contains(mentions), qPrintable(poll.error().message));
        }
    }

    void validation_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QString>("varyBase");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("starts");

        using K = Error::Kind;
        const QString url = QStringLiteral("https://example.com/a.jpg");
        const Operation text = imagine(QStringLiteral("a red fox"));
        const Operation omni = imagine(QStringLiteral("a red fox"), GenerateType::Omni, {url});
        const Operation video = imagine(QStringLiteral("a red fox"), GenerateType::Video, {url});
        const auto row = [](const char *name, const Operation &op, int kind, const char *starts,
                            const QString &varyBase = {}) {
            QTest::newRow(name) << op << varyBase << kind << QString::fromUtf8(starts);
        };

        row("pan",
            with(action(OperationKind::Pan, 0), [](Operation &op) { op.direction = QStringLiteral("left"); }),
            int(K::Unsupported), "kie has no pan");
        row("zoom", action(OperationKind::Zoom, 0), int(K::Unsupported), "kie has no zoom");
        row("inpaint", action(OperationKind::Inpaint, 0), int(K::Unsupported), "kie has no vary region");
        row("reroll", action(OperationKind::Reroll, 0), int(K::Unsupported), "kie has no reroll");
        row("seed", action(OperationKind::Seed, 0), int(K::Unsupported), "kie has no seed");
        row("animate", action(OperationKind::Animate, 1), int(K::Unsupported), "kie has no animate");
        row("describe", with(Operation(), [](Operation &op) { op.kind = OperationKind::Describe; }),
            int(K::Unsupported), "kie has no describe");
        row("blend", with(Operation(), [](Operation &op) { op.kind = OperationKind::Blend; }),
            int(K::Unsupported), "kie has no blend");
        row("shorten", with(text, [](Operation &op) { op.kind = OperationKind::Shorten; }),
            int(K::Unsupported), "kie has no shorten");
        row("prompt over 2000", imagine(QString(2001, QLatin1Char('a'))), int(K::InvalidRequest), "prompt:");
        row("aspect ratio 4:5", with(text, [](Operation &op) { op.aspectRatio = QStringLiteral("4:5"); }),
            int(K::InvalidRequest), "aspect ratio:");
        row("version niji7", with(text, [](Operation &op) { op.version = QStringLiteral("niji7"); }),
            int(K::InvalidRequest), "version:");
        row("version v7", with(text, [](Operation &op) { op.version = QStringLiteral("v7"); }),
            int(K::InvalidRequest), "version:");
        row("speed slow", with(text, [](Operation &op) { op.speed = QStringLiteral("slow"); }),
            int(K::InvalidRequest), "speed:");
        row("chaos 7", with(text, [](Operation &op) { op.chaos = 7; }), int(K::InvalidRequest), "chaos:");
        row("chaos 105", with(text, [](Operation &op) { op.chaos = 105; }), int(K::InvalidRequest), "chaos:");
        row("chaos -5", with(text, [](Operation &op) { op.chaos = -5; }), int(K::InvalidRequest), "chaos:");
        row("stylize 75", with(text, [](Operation &op) { op.stylize = 75; }), int(K::InvalidRequest),
            "stylize:");
        row("stylize 1", with(text, [](Operation &op) { op.stylize = 1; }), int(K::InvalidRequest),
            "stylize:");
        row("stylize 1050", with(text, [](Operation &op) { op.stylize = 1050; }), int(K::InvalidRequest),
            "stylize:");
        row("weird 150", with(text, [](Operation &op) { op.weird = 150; }), int(K::InvalidRequest), "weird:");
        row("weird 3100", with(text, [](Operation &op) { op.weird = 3100; }), int(K::InvalidRequest),
            "weird:");
        row("ow 0", with(omni, [](Operation &op) { op.omniWeight = 0; }), int(K::InvalidRequest), "ow:");
        row("ow 1001", with(omni, [](Operation &op) { op.omniWeight = 1001; }), int(K::InvalidRequest),
            "ow:");
        row("ow without omni", with(text, [](Operation &op) { op.omniWeight = 100; }), int(K::InvalidRequest),
            "ow:");
        row("seed", with(text, [](Operation &op) { op.seed = 42; }), int(K::InvalidRequest), "seed:");
        row("text with a reference", imagine(QStringLiteral("a fox"), GenerateType::Text, {url}),
            int(K::InvalidRequest), "references:");
        row("image without references", imagine(QStringLiteral("a fox"), GenerateType::Image),
            int(K::InvalidRequest), "references:");
        row("style without references", imagine(QStringLiteral("a fox"), GenerateType::Style),
            int(K::InvalidRequest), "references:");
        row("six references", imagine(QStringLiteral("a fox"), GenerateType::Image, QStringList(6, url)),
            int(K::InvalidRequest), "references:");
        row("video with two images", imagine(QStringLiteral("a fox"), GenerateType::Video, {url, url}),
            int(K::InvalidRequest), "references:");
        row("video hd without an image", imagine(QStringLiteral("a fox"), GenerateType::VideoHd),
            int(K::InvalidRequest), "references:");
        row("a data: URL",
            imagine(QStringLiteral("a fox"), GenerateType::Image,
                    {QStringLiteral("data:image/png;base64,iVBORw0K")}),
            int(K::InvalidRequest), "references:");
        row("a local path",
            imagine(QStringLiteral("a fox"), GenerateType::Style, {QStringLiteral("/home/me/a.png")}),
            int(K::InvalidRequest), "references:");
        row("an ftp URL",
            imagine(QStringLiteral("a fox"), GenerateType::Omni, {QStringLiteral("ftp://example.com/a.png")}),
            int(K::InvalidRequest), "references:");
        row("video batch 3", with(video, [](Operation &op) { op.videoBatch = 3; }), int(K::InvalidRequest),
            "video batch:");
        row("video batch on an image", with(text, [](Operation &op) { op.videoBatch = 2; }),
            int(K::InvalidRequest), "video batch:");
        row("motion medium", with(video, [](Operation &op) { op.motion = QStringLiteral("medium"); }),
            int(K::InvalidRequest), "motion:");
        row("motion on an image", with(text, [](Operation &op) { op.motion = QStringLiteral("low"); }),
            int(K::InvalidRequest), "motion:");
        row("upscale subtle", action(OperationKind::Upscale, 0, QStringLiteral("subtle")),
            int(K::Unsupported), "variant:");
        row("upscale 2x", action(OperationKind::Upscale, 1, QStringLiteral("2x")), int(K::Unsupported),
            "variant:");
        row("vary strong", action(OperationKind::Vary, 1, QStringLiteral("strong")), int(K::Unsupported),
            "variant:");
        row("vary without a tile", action(OperationKind::Vary, 0), int(K::InvalidRequest), "index:");
        row("upscale with a prompt", action(OperationKind::Upscale, 1, {}, QStringLiteral("more")),
            int(K::InvalidRequest), "prompt:");
        row("vary with a prompt", action(OperationKind::Vary, 2, {}, QStringLiteral("more")),
            int(K::InvalidRequest), "prompt:");
        row("vary with index base 2", action(OperationKind::Vary, 2), int(K::InvalidRequest),
            "vary-index-base:", QStringLiteral("2"));
        row("extend sideways", action(OperationKind::VideoExtend, 1, QStringLiteral("sideways")),
            int(K::InvalidRequest), "variant:");
        row("extend manual without a prompt", action(OperationKind::VideoExtend, 1, QStringLiteral("manual")),
            int(K::InvalidRequest), "prompt:");
        row("extend auto with a prompt",
            action(OperationKind::VideoExtend, 1, QStringLiteral("auto"), QStringLiteral("go on")),
            int(K::InvalidRequest), "prompt:");
        row("extend prompt over 2000",
            action(OperationKind::VideoExtend, 1, {}, QString(2001, QLatin1Char('a'))),
            int(K::InvalidRequest), "prompt:");
    }

    void validation()
    {
        QFETCH(Operation, op);
        QFETCH(QString, varyBase);
        QFETCH(int, kind);
        QFETCH(QString, starts);

        const Status status = m_adapter.validate(op, account(varyBase));
        QVERIFY(!status);
        QCOMPARE(int(status.error().kind), kind);
        QVERIFY2(status.error().message.startsWith(starts), qPrintable(status.error().message));
    }

    void validationAccepts_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QString>("varyBase");

        const QString url = QStringLiteral("https://example.com/a.jpg");
        const Operation text = imagine(QStringLiteral("a red fox"));
        QTest::newRow("edges low") << with(text, [](Operation &op) {
            op.chaos = 0;
            op.stylize = 0;
            op.weird = 0;
        }) << QString();
        QTest::newRow("edges high") << with(text, [](Operation &op) {
            op.chaos = 100;
            op.stylize = 1000;
            op.weird = 3000;
            op.version = QStringLiteral("5.1");
            op.aspectRatio = QStringLiteral("1:2");
            op.speed = QStringLiteral("turbo");
            op.translate = true;
        }) << QString();
        QTest::newRow("a prompt of 2000") << imagine(QString(2000, QLatin1Char('a'))) << QString();
        QTest::newRow("omni ow 1") << with(imagine(QStringLiteral("a"), GenerateType::Omni, {url}),
                                           [](Operation &op) { op.omniWeight = 1; })
                                   << QString();
        QTest::newRow("omni ow 1000 with speed") << with(
            imagine(QStringLiteral("a"), GenerateType::Omni, {url}), [](Operation &op) {
                op.omniWeight = 1000;
                op.speed = QStringLiteral("fast");
            }) << QString();
        QTest::newRow("five references")
            << imagine(QStringLiteral("a"), GenerateType::Image, QStringList(5, url)) << QString();
        QTest::newRow("video hd, batch 2") << with(imagine(QStringLiteral("a"), GenerateType::VideoHd,
                                                           {QStringLiteral("http://127.0.0.1:8080/a.png")}),
                                                   [](Operation &op) { op.videoBatch = 2; })
                                           << QString();
        QTest::newRow("V4 with base 0") << action(OperationKind::Vary, 4) << "0";
        QTest::newRow("U4") << action(OperationKind::Upscale, 4) << QString();
        QTest::newRow("extend manual")
            << action(OperationKind::VideoExtend, 2, QStringLiteral("manual"), QStringLiteral("go on"))
            << QString();
        QTest::newRow("extend auto") << action(OperationKind::VideoExtend, 0, QStringLiteral("auto"))
                                     << QString();
    }

    void validationAccepts()
    {
        QFETCH(Operation, op);
        QFETCH(QString, varyBase);

        QVERIFY(op.validate());
        const Status status = m_adapter.validate(op, account(varyBase));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message));
    }

    void availability_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QString>("parentKind");
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<QString>("reason");

        QTest::newRow("imagine") << imagine(QStringLiteral("a fox")) << QString() << true << QString();
        QTest::newRow("video imagine")
            << imagine(QStringLiteral("a fox"), GenerateType::Video, {QStringLiteral("https://e.com/a.jpg")})
            << QString() << true << QString();
        QTest::newRow("pan") << action(OperationKind::Pan, 0) << "upscale" << false << "kie has no pan";
        QTest::newRow("zoom") << action(OperationKind::Zoom, 0) << "upscale" << false << "kie has no zoom";
        QTest::newRow("inpaint") << action(OperationKind::Inpaint, 1) << "grid" << false
                                 << "kie has no vary region";
        QTest::newRow("reroll") << action(OperationKind::Reroll, 0) << "grid" << false << "kie has no reroll";
        QTest::newRow("seed") << action(OperationKind::Seed, 0) << "grid" << false << "kie has no seed";
        QTest::newRow("U3 on a grid") << action(OperationKind::Upscale, 3) << "grid" << true << QString();
        QTest::newRow("V2 on a grid") << action(OperationKind::Vary, 2) << "grid" << true << QString();
        QTest::newRow("U1 without a parent")
            << action(OperationKind::Upscale, 1) << QString() << false << "Select a finished task";
        QTest::newRow("U1 on a running task")
            << action(OperationKind::Upscale, 1) << "running" << false << "not finished";
        QTest::newRow("U1 on a task without id")
            << action(OperationKind::Upscale, 1) << "no-remote" << false << "no kie task id";
        QTest::newRow("U on an upscale")
            << action(OperationKind::Upscale, 0) << "upscale" << false << "single image";
        QTest::newRow("V on an upscale")
            << action(OperationKind::Vary, 0) << "upscale" << false << "single image";
        QTest::newRow("U1 on a video") << action(OperationKind::Upscale, 1) << "video2" << false << "videos";
        QTest::newRow("vary subtle") << action(OperationKind::Vary, 1, QStringLiteral("subtle")) << "grid"
                                     << false << "kie has no subtle vary";
        QTest::newRow("upscale creative") << action(OperationKind::Upscale, 1, QStringLiteral("creative"))
                                          << "grid" << false << "kie has no creative upscale";
        QTest::newRow("extend video 2")
            << action(OperationKind::VideoExtend, 2) << "video2" << true << QString();
        QTest::newRow("extend the single video")
            << action(OperationKind::VideoExtend, 0) << "video2" << true << QString();
        QTest::newRow("extend video 3 of 2")
            << action(OperationKind::VideoExtend, 3) << "video2" << false << "from 1 to 2";
        QTest::newRow("extend an image task")
            << action(OperationKind::VideoExtend, 1) << "grid" << false << "extends videos";
        QTest::newRow("extend a video not yet listed")
            << action(OperationKind::VideoExtend, 1) << "video-pending" << true << QString();
        QTest::newRow("extend an extension")
            << action(OperationKind::VideoExtend, 1) << "extension" << true << QString();
    }

    void availability()
    {
        QFETCH(Operation, op);
        QFETCH(QString, parentKind);
        QFETCH(bool, enabled);
        QFETCH(QString, reason);

        const Task p = parentTask(parentKind);
        const Availability a = m_adapter.availability(op, parentKind.isEmpty() ? nullptr : &p, account());
        QCOMPARE(a.enabled, enabled);
        QVERIFY2(a.reason.contains(reason), qPrintable(a.reason));
        if (!enabled)
            QVERIFY(!a.reason.isEmpty());
    }

    void pollPolicy()
    {
        const PollPolicy p = m_adapter.pollPolicy(imagine(QStringLiteral("a")), account());
        QCOMPARE(p.firstPollMs, 10000);
        QCOMPARE(p.intervalMs, 5000);
        QCOMPARE(p.maxIntervalMs, 15000);
        QCOMPARE(p.maxPolls, 0);
        QCOMPARE(p.timeoutMs, qint64(600000));

        Account tuned = account();
        tuned.options.insert(QStringLiteral("first-poll"), QStringLiteral("2"));
        tuned.options.insert(QStringLiteral("poll-interval"), QStringLiteral("7.5"));
        tuned.options.insert(QStringLiteral("timeout"), QStringLiteral("60"));
        const PollPolicy t = m_adapter.pollPolicy(imagine(QStringLiteral("a")), tuned);
        QCOMPARE(t.firstPollMs, 2000);
        QCOMPARE(t.intervalMs, 7500);
        QCOMPARE(t.maxIntervalMs, 7500);
        QCOMPARE(t.timeoutMs, qint64(60000));
    }

    void connectionTest_data()
    {
        QTest::addColumn<bool>("answered");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("verdict");
        QTest::addColumn<QString>("message");

        using V = ConnectionReport::Verdict;
        QTest::newRow("no answer") << false << 0 << QByteArray() << int(V::Unreachable)
                                   << "connection refused";
        QTest::newRow("200 + envelope 401")
            << true << 200 << js("{'code':401,'msg':'You do not have access permissions','data':null}")
            << int(V::KeyRejected) << "You do not have access permissions";
        QTest::newRow("401 + envelope 401") << true << 401 << js("{'code':401,'msg':'Invalid API key'}")
                                            << int(V::KeyRejected) << "Invalid API key";
        QTest::newRow("403 HTML") << true << 403 << QByteArray("<html><body>Forbidden</body></html>")
                                  << int(V::KeyRejected) << "<html><body>Forbidden</body></html>";
        QTest::newRow("200 + record not found")
            << true << 200 << js("{'code':422,'msg':'recordInfo is null','data':null}") << int(V::KeyAccepted)
            << "recordInfo is null";
        QTest::newRow("200 + success") << true << 200 << js("{'code':200,'msg':'success','data':null}")
                                       << int(V::KeyAccepted) << "success";
        QTest::newRow("200 + 402") << true << 200 << js("{'code':402,'msg':'Insufficient credits'}")
                                   << int(V::KeyAccepted) << "Insufficient credits";
        QTest::newRow("403 + no credits: the key got through")
            << true << 403 << js("{'code':403,'msg':'Insufficient credits: 0 requests remaining'}")
            << int(V::KeyAccepted) << "requests remaining";
        QTest::newRow("200 + 455") << true << 200 << js("{'code':455,'msg':'Under maintenance'}")
                                   << int(V::Unreachable) << "Under maintenance";
        QTest::newRow("HTML 200") << true << 200
                                  << QByteArray("<!DOCTYPE html><html><title>Hi</title></html>")
                                  << int(V::NotThisApi) << "web page";
        QTest::newRow("JSON of another API")
            << true << 200 << js("{'status':'ok'}") << int(V::NotThisApi) << "not kie's";
    }

    void connectionTest()
    {
        QFETCH(bool, answered);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, verdict);
        QFETCH(QString, message);

        const Result<HttpResponse> response = answered
            ? Result<HttpResponse>(answer(status, body))
            : Result<HttpResponse>(Error::make(Error::Kind::Network, QStringLiteral("connection refused")));
        const ConnectionReport report = m_adapter.parseConnectionTest(response);
        QCOMPARE(int(report.verdict), verdict);
        QVERIFY2(report.message.contains(message), qPrintable(report.message));
    }
};

QTEST_GUILESS_MAIN(TestKieAdapter)
#include "tst_kieadapter.moc"
