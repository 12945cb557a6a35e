// The kie.ai-style adapter against fixtures built on the vendor doc's own examples (PROVIDERS.md §3):
// identity and capabilities, request bodies, the fields required at defaults, index bases, validation,
// availability and the polling policy. Answer shapes, error mapping and malformed answers are in
// tst_kieadapter_answers.
#include "kieadapter_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

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
        QTest::newRow("mj_txt2img") << imagine(QStringLiteral("a fox")) << QString()
                                    << QString(kie::kGeneratePath) << (generate + strings({"speed"}))
                                    << relaxed << QStringList();
        QTest::newRow("mj_img2img") << imagine(QStringLiteral("a fox"), GenerateType::Image, ref) << QString()
                                    << QString(kie::kGeneratePath)
                                    << (generate + strings({"speed", "fileUrls"})) << relaxed
                                    << QStringList();
        QTest::newRow("mj_style_reference")
            << imagine(QStringLiteral("a fox"), GenerateType::Style, ref) << QString()
            << QString(kie::kGeneratePath) << (generate + strings({"speed", "fileUrls"})) << relaxed
            << QStringList();
        QTest::newRow("mj_omni_reference")
            << imagine(QStringLiteral("a fox"), GenerateType::Omni, ref) << QString()
            << QString(kie::kGeneratePath) << (generate + strings({"fileUrls"})) << QJsonObject()
            << strings({"speed"});
        const QJsonObject high {{QStringLiteral("motion"), QStringLiteral("high")}};
        QTest::newRow("mj_video") << imagine(QStringLiteral("waves"), GenerateType::Video, ref) << QString()
                                  << QString(kie::kGeneratePath)
                                  << (generate + strings({"fileUrls", "motion"})) << high
                                  << strings({"speed"});
        QTest::newRow("mj_video_hd") << imagine(QStringLiteral("waves"), GenerateType::VideoHd, ref)
                                     << QString() << QString(kie::kGeneratePath)
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
            << action(OperationKind::VideoExtend, 1) << QStringLiteral("video2")
            << QString(kie::kVideoExtendPath) << strings({"taskType", "taskId", "index"})
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
};

QTEST_GUILESS_MAIN(TestKieAdapter)
#include "tst_kieadapter.moc"
