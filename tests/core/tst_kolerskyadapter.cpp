// The kolersky-style adapter against its vendor doc (PROVIDERS.md §1,
// vendor-docs/kolersky-midjourney-api.ru.md): identity and capabilities, every request body (generate and
// each action, the fields required at defaults, the mask fitted to the upscale), validation, availability
// and the polling policy. Every answer shape, error mapping and the adapter under the engine are in
// tst_kolerskyadapter_answers. Fixtures in tests/fixtures/kolersky/ are built on the vendor doc's own
// examples.
#include "kolerskyadapter_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

class TestKolerskyAdapter : public QObject
{
    Q_OBJECT

private slots:
    void identity();
    void capabilities();
    void generateBodies_data();
    void generateBodies();
    void promptFlagsLiftIntoFields();
    void actionBodies_data();
    void actionBodies();
    void requiredFieldsAtDefaults_data();
    void requiredFieldsAtDefaults();
    void panWithoutAnyPrompt();
    void singleImageActionsNeedAnUpscale_data();
    void singleImageActionsNeedAnUpscale();
    void actionWithoutParentId();
    void inpaintMaskFittedToUpscale();
    void inpaintMaskKeepsOwnSizeWhenUnknown();
    void statusAndCancelCalls();
    void validationRefuses_data();
    void validationRefuses();
    void validationAccepts_data();
    void validationAccepts();
    void availability_data();
    void availability();
    void needsSingleImage();
    void pollPolicy_data();
    void pollPolicy();

private:
    KolerskyAdapter m_adapter;
};

void TestKolerskyAdapter::identity()
{
    QCOMPARE(m_adapter.family(), QStringLiteral("kolersky"));
    QCOMPARE(m_adapter.displayName(), QStringLiteral("kolersky-style"));
    QVERIFY(!m_adapter.resubmitIsSafe());
}

void TestKolerskyAdapter::capabilities()
{
    const Capabilities c = m_adapter.capabilities(account());
    QCOMPARE(c.generateTypes.size(), 6);
    for (OperationKind k :
         {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary, OperationKind::Reroll,
          OperationKind::Pan, OperationKind::Zoom, OperationKind::Inpaint, OperationKind::Seed})
        QVERIFY2(c.supports(k), qPrintable(operationKindName(k)));
    for (OperationKind k : {OperationKind::Animate, OperationKind::Describe, OperationKind::Blend,
                            OperationKind::Shorten, OperationKind::VideoExtend})
        QVERIFY2(!c.supports(k), qPrintable(operationKindName(k)));
    QCOMPARE(c.aspectRatios,
             QStringList({QStringLiteral("1:2"), QStringLiteral("9:16"), QStringLiteral("2:3"),
                          QStringLiteral("3:4"), QStringLiteral("5:6"), QStringLiteral("6:5"),
                          QStringLiteral("4:3"), QStringLiteral("3:2"), QStringLiteral("1:1"),
                          QStringLiteral("16:9"), QStringLiteral("2:1")}));
    QCOMPARE(c.versions,
             QStringList({QStringLiteral("7"), QStringLiteral("6.1"), QStringLiteral("6"),
                          QStringLiteral("5.2"), QStringLiteral("5.1"), QStringLiteral("niji6")}));
    QCOMPARE(c.speeds,
             QStringList({QStringLiteral("relaxed"), QStringLiteral("fast"), QStringLiteral("turbo")}));
    QVERIFY(c.chaos.accepts(0) && c.chaos.accepts(100) && c.chaos.accepts(35) && !c.chaos.accepts(7));
    QVERIFY(c.stylize.accepts(1000) && c.stylize.accepts(50) && !c.stylize.accepts(1)
            && !c.stylize.accepts(1050));
    QVERIFY(c.weird.accepts(3000) && !c.weird.accepts(1) && !c.weird.accepts(150));
    QVERIFY(c.omniWeight.accepts(1) && c.omniWeight.accepts(1000) && !c.omniWeight.accepts(0));
    QCOMPARE(c.maxPromptLength, 2000);
    QCOMPARE(c.maxReferences, 5);
    QVERIFY(c.upscaleVariants.isEmpty());
    QVERIFY(c.varyVariants.isEmpty());
    QVERIFY(c.serverCancel);
    QVERIFY(c.reportsProgress);
}

void TestKolerskyAdapter::generateBodies_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("expected");

    {
        // The vendor doc's curl example, minus callBackUrl (Tessera polls) and the documented
        // "stylization": 1 / "weirdness": 1 defaults that break their own steps (PROVIDERS.md general rules).
        Operation op
            = generate(GenerateType::Text, QStringLiteral("beautiful sunset over mountains with lake"));
        op.aspectRatio = QStringLiteral("16:9");
        op.speed = QStringLiteral("relaxed");
        op.version = QStringLiteral("7");
        op.chaos = 10;
        op.watermark = QStringLiteral("my_watermark");
        op.translate = false;
        QTest::newRow("vendor example") << op << QStringLiteral("req-generate-text.json");
    }
    {
        Operation op = generate(GenerateType::Text, QStringLiteral("a lighthouse in a storm"));
        op.aspectRatio = QStringLiteral("2:3");
        op.speed = QStringLiteral("turbo");
        op.version = QStringLiteral("niji6");
        op.chaos = 25;
        op.stylize = 250;
        op.weird = 1000;
        op.translate = true;
        QTest::newRow("every text field") << op << QStringLiteral("req-generate-text-full.json");
    }
    QTest::newRow("unset fields omitted") << generate(GenerateType::Text, QStringLiteral("a red fox"))
                                          << QStringLiteral("req-generate-minimal.json");
    {
        Operation op = generate(GenerateType::Image, QStringLiteral("the same cat as a watercolour"),
                                {QStringLiteral("https://example.com/cat.png")});
        op.speed = QStringLiteral("fast");
        QTest::newRow("one reference: fileUrl") << op << QStringLiteral("req-generate-image-one.json");
    }
    {
        Operation op = generate(GenerateType::Image, QStringLiteral("blend these rooms"),
                                {QStringLiteral("https://example.com/a.png"),
                                 QStringLiteral("https://example.com/b.jpg"),
                                 QStringLiteral("https://example.com/c.webp")});
        op.aspectRatio = QStringLiteral("1:1");
        QTest::newRow("several references: fileUrls") << op << QStringLiteral("req-generate-image-many.json");
    }
    {
        Operation op = generate(GenerateType::Style, QStringLiteral("a city street at dusk"),
                                {QStringLiteral("https://example.com/style.png")});
        op.stylize = 500;
        QTest::newRow("style reference") << op << QStringLiteral("req-generate-style.json");
    }
    {
        Operation op = generate(GenerateType::Omni, QStringLiteral("this character on a beach"),
                                {QStringLiteral("https://example.com/hero.png")});
        op.omniWeight = 500;
        op.version = QStringLiteral("7");
        op.speed = QStringLiteral("fast"); // not sent for omni-reference
        QTest::newRow("omni: ow, no speed") << op << QStringLiteral("req-generate-omni.json");
    }
    {
        Operation op = generate(GenerateType::Video, QStringLiteral("the waves start to move"),
                                {QStringLiteral("https://example.com/sea.png")});
        op.videoBatch = 2;
        op.motion = QStringLiteral("low");
        op.speed = QStringLiteral("fast"); // not sent for video
        QTest::newRow("video: batch, motion, no speed") << op << QStringLiteral("req-generate-video.json");
    }
    QTest::newRow("video hd: required motion defaults to high")
        << generate(GenerateType::VideoHd, QStringLiteral("slow camera push in"),
                    {QStringLiteral("https://example.com/room.png")})
        << QStringLiteral("req-generate-video-hd.json");
}

void TestKolerskyAdapter::generateBodies()
{
    QFETCH(Operation, op);
    QFETCH(QString, expected);
    QVERIFY2(m_adapter.validate(op, account()).ok(), "the operation must be valid");
    const Result<HttpCall> call = m_adapter.buildSubmit(op, context());
    QVERIFY2(call.ok(), call.ok() ? "" : qPrintable(call.error().message));
    QCOMPARE(call->method, QByteArray("POST"));
    QCOMPARE(call->path, QStringLiteral("/v1/midjourney/generate"));
    QVERIFY(call->query.isEmpty());
    QCOMPARE(call->auth, HttpCall::Auth::Bearer);
    QCOMPARE(call->purpose, HttpCall::Purpose::Submit);
    QVERIFY(call->body.has_value());
    QCOMPARE(compact(call->body->object()), fixtureCompact(expected));
}

void TestKolerskyAdapter::promptFlagsLiftIntoFields()
{
    const Result<Operation> op = m_adapter.normalize(
        Operation::imagine(QStringLiteral("a red fox --ar 16:9 --v 6.1 --chaos 10 --s 100")));
    QVERIFY(op.ok());
    QVERIFY(m_adapter.validate(*op, account()).ok());
    const Result<HttpCall> call = m_adapter.buildSubmit(*op, context());
    QVERIFY(call.ok());
    const QJsonObject body = call->body->object();
    QCOMPARE(body.value(QStringLiteral("prompt")).toString(), QStringLiteral("a red fox"));
    QCOMPARE(body.value(QStringLiteral("aspectRatio")).toString(), QStringLiteral("16:9"));
    QCOMPARE(body.value(QStringLiteral("version")).toString(), QStringLiteral("6.1"));
    QCOMPARE(body.value(QStringLiteral("variety")).toInt(), 10);
    QCOMPARE(body.value(QStringLiteral("stylization")).toInt(), 100);
}

void TestKolerskyAdapter::actionBodies_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<Task>("parent");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");

    const Task grid = gridParent();
    const Task single = upscaleParent();
    QTest::newRow("V1") << action(OperationKind::Vary, 1) << grid
                        << QStringLiteral("/v1/midjourney/variation") << QStringLiteral("req-variation.json");
    QTest::newRow("U2") << action(OperationKind::Upscale, 2) << grid
                        << QStringLiteral("/v1/midjourney/upscale") << QStringLiteral("req-upscale.json");
    {
        Operation op = action(OperationKind::Upscale, 4);
        op.watermark = QStringLiteral("my_watermark");
        QTest::newRow("U4 with watermark") << op << grid << QStringLiteral("/v1/midjourney/upscale")
                                           << QStringLiteral("req-upscale-watermark.json");
    }
    QTest::newRow("reroll") << action(OperationKind::Reroll, 0) << grid
                            << QStringLiteral("/v1/midjourney/reroll") << QStringLiteral("req-reroll.json");
    {
        Operation op = action(OperationKind::Zoom, 0);
        op.zoomFactor = QStringLiteral("2.0");
        op.prompt = QStringLiteral("flying night city");
        op.aspectRatio = QStringLiteral("16:9");
        QTest::newRow("outpaint 2x (vendor example)")
            << op << single << QStringLiteral("/v1/midjourney/outpaint")
            << QStringLiteral("req-outpaint.json");
    }
    {
        Operation op = action(OperationKind::Zoom, 0);
        op.zoomFactor = QStringLiteral(" 1.25 ");
        QTest::newRow("outpaint custom") << op << single << QStringLiteral("/v1/midjourney/outpaint")
                                         << QStringLiteral("req-outpaint-custom.json");
    }
    QTest::newRow("outpaint vendor default")
        << action(OperationKind::Zoom, 0) << single << QStringLiteral("/v1/midjourney/outpaint")
        << QStringLiteral("req-outpaint-default.json");
    {
        Operation op = action(OperationKind::Pan, 0);
        op.direction = QStringLiteral("down");
        op.prompt = QStringLiteral("flying city, night");
        QTest::newRow("pan (vendor example)")
            << op << single << QStringLiteral("/v1/midjourney/pan") << QStringLiteral("req-pan.json");
    }
    {
        Operation op = action(OperationKind::Pan, 0);
        op.direction = QStringLiteral("left");
        QTest::newRow("pan reuses the parent's prompt")
            << op << single << QStringLiteral("/v1/midjourney/pan")
            << QStringLiteral("req-pan-parent-prompt.json");
    }
    QTest::newRow("seed") << action(OperationKind::Seed, 0) << grid << QStringLiteral("/v1/midjourney/seed")
                          << QStringLiteral("req-seed.json");
}

void TestKolerskyAdapter::actionBodies()
{
    QFETCH(Operation, op);
    QFETCH(Task, parent);
    QFETCH(QString, path);
    QFETCH(QString, expected);
    QVERIFY(op.validate().ok());
    QVERIFY(m_adapter.validate(op, account()).ok());
    QVERIFY(m_adapter.availability(op, &parent, account()).enabled);
    const Result<HttpCall> call = m_adapter.buildSubmit(op, context(parent));
    QVERIFY2(call.ok(), call.ok() ? "" : qPrintable(call.error().message));
    QCOMPARE(call->method, QByteArray("POST"));
    QCOMPARE(call->path, path);
    QCOMPARE(call->auth, HttpCall::Auth::Bearer);
    QCOMPARE(call->purpose, HttpCall::Purpose::Submit);
    QCOMPARE(compact(call->body->object()), fixtureCompact(expected));
}

// Every field vendor-docs/kolersky-midjourney-api.ru.md marks "обязательно" for a call is in the body
// when everything optional is left unset (issue "Correctness" §1): motion for video goes as its
// documented default "high"; pan's prompt falls back to the image's own prompt.
void TestKolerskyAdapter::requiredFieldsAtDefaults_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("parent");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("required");
    QTest::addColumn<QJsonObject>("values");

    const QStringList ref {QStringLiteral("https://example.com/ref.png")};
    const QStringList generating {QStringLiteral("taskType"), QStringLiteral("prompt")};
    const QString generatePath = QStringLiteral("/v1/midjourney/generate");
    QTest::newRow("text-to-image") << generate(GenerateType::Text, QStringLiteral("a fox")) << QString()
                                   << generatePath << generating << QJsonObject();
    QTest::newRow("image-to-image") << generate(GenerateType::Image, QStringLiteral("a fox"), ref)
                                    << QString() << generatePath
                                    << (generating + QStringList {QStringLiteral("fileUrl")})
                                    << QJsonObject();
    QTest::newRow("style-reference") << generate(GenerateType::Style, QStringLiteral("a fox"), ref)
                                     << QString() << generatePath
                                     << (generating + QStringList {QStringLiteral("fileUrl")})
                                     << QJsonObject();
    QTest::newRow("omni-reference") << generate(GenerateType::Omni, QStringLiteral("a fox"), ref) << QString()
                                    << generatePath << (generating + QStringList {QStringLiteral("fileUrl")})
                                    << QJsonObject();
    const QJsonObject high {{QStringLiteral("motion"), QStringLiteral("high")}};
    const QStringList video = generating + QStringList {QStringLiteral("fileUrl"), QStringLiteral("motion")};
    QTest::newRow("image-to-video") << generate(GenerateType::Video, QStringLiteral("waves"), ref)
                                    << QString() << generatePath << video << high;
    QTest::newRow("image-to-video-hd") << generate(GenerateType::VideoHd, QStringLiteral("waves"), ref)
                                       << QString() << generatePath << video << high;
    const QStringList indexed {QStringLiteral("requestId"), QStringLiteral("index")};
    QTest::newRow("variation") << action(OperationKind::Vary, 2) << QStringLiteral("grid")
                               << QStringLiteral("/v1/midjourney/variation") << indexed
                               << QJsonObject {{QStringLiteral("index"), 2}};
    QTest::newRow("upscale") << action(OperationKind::Upscale, 3) << QStringLiteral("grid")
                             << QStringLiteral("/v1/midjourney/upscale") << indexed
                             << QJsonObject {{QStringLiteral("index"), 3}};
    QTest::newRow("reroll") << action(OperationKind::Reroll, 0) << QStringLiteral("grid")
                            << QStringLiteral("/v1/midjourney/reroll")
                            << QStringList {QStringLiteral("requestId")} << QJsonObject();
    Operation paint = action(OperationKind::Inpaint, 0);
    paint.mask = maskPng({1024, 768}, QRect(10, 10, 100, 100));
    QTest::newRow("inpaint") << paint << QStringLiteral("upscale") << QStringLiteral("/v1/midjourney/inpaint")
                             << QStringList {QStringLiteral("requestId"), QStringLiteral("mask")}
                             << QJsonObject();
    Operation zoom = action(OperationKind::Zoom, 0);
    zoom.zoomFactor = QStringLiteral("2");
    QTest::newRow("outpaint") << zoom << QStringLiteral("upscale")
                              << QStringLiteral("/v1/midjourney/outpaint")
                              << QStringList {QStringLiteral("requestId")} << QJsonObject();
    Operation pan = action(OperationKind::Pan, 0);
    pan.direction = QStringLiteral("left");
    QTest::newRow("pan") << pan << QStringLiteral("upscale") << QStringLiteral("/v1/midjourney/pan")
                         << QStringList {QStringLiteral("requestId"), QStringLiteral("prompt"),
                                         QStringLiteral("direction")}
                         << QJsonObject {{QStringLiteral("prompt"),
                                          QStringLiteral("beautiful sunset over mountains with lake")}};
    QTest::newRow("seed") << action(OperationKind::Seed, 0) << QStringLiteral("grid")
                          << QStringLiteral("/v1/midjourney/seed")
                          << QStringList {QStringLiteral("requestId")} << QJsonObject();
}

void TestKolerskyAdapter::requiredFieldsAtDefaults()
{
    QFETCH(Operation, op);
    QFETCH(QString, parent);
    QFETCH(QString, path);
    QFETCH(QStringList, required);
    QFETCH(QJsonObject, values);
    std::optional<Task> parentTask;
    if (parent == QLatin1String("grid"))
        parentTask = gridParent();
    else if (parent == QLatin1String("upscale"))
        parentTask = upscaleParent();
    QVERIFY(m_adapter.validate(op, account()).ok());
    const Result<HttpCall> call = m_adapter.buildSubmit(op, context(parentTask));
    QVERIFY2(call.ok(), call ? "" : qPrintable(call.error().message));
    QCOMPARE(call->path, path);
    const QJsonObject body = call->body->object();
    for (const QString &field : required) {
        QVERIFY2(body.contains(field) && !body.value(field).isNull(), qPrintable(field));
        if (body.value(field).isString())
            QVERIFY2(!body.value(field).toString().isEmpty(), qPrintable(field));
    }
    for (auto it = values.constBegin(); it != values.constEnd(); ++it)
        QCOMPARE(body.value(it.key()), it.value());
    if (op.kind == OperationKind::Imagine)
        QCOMPARE(m_adapter.capabilities(account()).motionWhenUnset.value(op.type),
                 values.value(QStringLiteral("motion")).toString());
}

void TestKolerskyAdapter::panWithoutAnyPrompt()
{
    Operation op = action(OperationKind::Pan, 0);
    op.direction = QStringLiteral("up");
    const Result<HttpCall> call = m_adapter.buildSubmit(op, context(upscaleParent({1024, 1024}, QString())));
    QVERIFY(!call.ok());
    QCOMPARE(call.error().kind, Error::Kind::InvalidRequest);
    QVERIFY(call.error().message.startsWith(QStringLiteral("prompt:")));
}

void TestKolerskyAdapter::singleImageActionsNeedAnUpscale_data()
{
    QTest::addColumn<Operation>("op");
    Operation pan = action(OperationKind::Pan, 2);
    pan.direction = QStringLiteral("left");
    QTest::newRow("pan on tile 2") << pan;
    QTest::newRow("zoom on tile 3") << action(OperationKind::Zoom, 3);
    Operation inpaint = action(OperationKind::Inpaint, 1);
    inpaint.mask = maskPng({8, 8}, {0, 0, 4, 4});
    QTest::newRow("inpaint on tile 1") << inpaint;
}

void TestKolerskyAdapter::singleImageActionsNeedAnUpscale()
{
    QFETCH(Operation, op);
    const Task grid = gridParent();
    QVERIFY(m_adapter.needsSingleImage(op));
    // Offered on a grid tile (the planner chains the U) ...
    QVERIFY(m_adapter.availability(op, &grid, account()).enabled);
    // ... but never sent with a grid's id: pan/outpaint/inpaint carry no index.
    const Result<HttpCall> call = m_adapter.buildSubmit(op, context(grid));
    QVERIFY(!call.ok());
    QCOMPARE(call.error().kind, Error::Kind::InvalidRequest);
}

void TestKolerskyAdapter::actionWithoutParentId()
{
    Task parent = gridParent();
    parent.remoteId.clear();
    const Result<HttpCall> call = m_adapter.buildSubmit(action(OperationKind::Upscale, 1), context(parent));
    QVERIFY(!call.ok());
    QVERIFY(call.error().message.startsWith(QStringLiteral("parent:")));
    QVERIFY(!m_adapter.buildSubmit(action(OperationKind::Upscale, 1), context()).ok());
}

void TestKolerskyAdapter::inpaintMaskFittedToUpscale()
{
    Operation op = action(OperationKind::Inpaint, 0);
    op.prompt = QStringLiteral("a red umbrella");
    op.mask = maskPng({100, 50}, {50, 0, 50, 50}); // the right half, at half the upscale's size
    QVERIFY(m_adapter.validate(op, account()).ok());
    const Result<HttpCall> call = m_adapter.buildSubmit(op, context(upscaleParent({200, 100})));
    QVERIFY2(call.ok(), call.ok() ? "" : qPrintable(call.error().message));
    QCOMPARE(call->path, QStringLiteral("/v1/midjourney/inpaint"));
    const QJsonObject body = call->body->object();
    QCOMPARE(body.keys(),
             QStringList({QStringLiteral("mask"), QStringLiteral("prompt"), QStringLiteral("requestId")}));
    QCOMPARE(body.value(QStringLiteral("requestId")).toString(), kParentId);
    QCOMPARE(body.value(QStringLiteral("prompt")).toString(), QStringLiteral("a red umbrella"));

    // Raw base64 (no data: prefix, no line breaks) of a PNG exactly the upscale's size.
    const QString mask = body.value(QStringLiteral("mask")).toString();
    QVERIFY(!mask.startsWith(QStringLiteral("data:")));
    QVERIFY(!mask.contains(QLatin1Char('\n')));
    const QByteArray png = QByteArray::fromBase64(mask.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    QVERIFY(png.startsWith("\x89PNG"));
    const QImage decoded = QImage::fromData(png, "PNG");
    QCOMPARE(decoded.size(), QSize(200, 100));
    QCOMPARE(qGray(decoded.pixel(10, 50)), 0);
    QCOMPARE(qGray(decoded.pixel(150, 50)), 255);
}

void TestKolerskyAdapter::inpaintMaskKeepsOwnSizeWhenUnknown()
{
    Operation op = action(OperationKind::Inpaint, 0);
    op.mask = maskPng({64, 32}, {0, 0, 16, 16});
    const Result<HttpCall> call = m_adapter.buildSubmit(op, context(upscaleParent(QSize())));
    QVERIFY2(call.ok(), call.ok() ? "" : qPrintable(call.error().message));
    const QJsonObject body = call->body->object();
    QVERIFY(!body.contains(QStringLiteral("prompt")));
    const QImage decoded
        = QImage::fromData(QByteArray::fromBase64(body.value(QStringLiteral("mask")).toString().toLatin1()));
    QCOMPARE(decoded.size(), QSize(64, 32));

    // A mask that is not an image is refused by name.
    op.mask = QByteArrayLiteral("not a png");
    const Result<HttpCall> bad = m_adapter.buildSubmit(op, context(upscaleParent()));
    QVERIFY(!bad.ok());
    QVERIFY(bad.error().message.contains(QStringLiteral("mask")));
}

void TestKolerskyAdapter::statusAndCancelCalls()
{
    const HttpCall status = m_adapter.buildStatus(QStringLiteral("5f0c6f4e-8a5e"), account());
    QCOMPARE(status.method, QByteArray("GET"));
    QCOMPARE(status.path, QStringLiteral("/v1/status"));
    QCOMPARE(status.query.toString(), QStringLiteral("requestId=5f0c6f4e-8a5e"));
    QVERIFY(!status.body.has_value());
    QCOMPARE(status.auth, HttpCall::Auth::Bearer);
    QCOMPARE(status.purpose, HttpCall::Purpose::Status);

    const std::optional<HttpCall> cancel = m_adapter.buildCancel(kParentId, account());
    QVERIFY(cancel.has_value());
    QCOMPARE(cancel->method, QByteArray("DELETE"));
    QCOMPARE(cancel->path, QStringLiteral("/v1/midjourney/cancel"));
    QVERIFY(cancel->query.isEmpty());
    QCOMPARE(cancel->auth, HttpCall::Auth::Bearer);
    QCOMPARE(cancel->purpose, HttpCall::Purpose::Cancel);
    QVERIFY(cancel->body.has_value());
    QCOMPARE(compact(cancel->body->object()), fixtureCompact(QStringLiteral("req-cancel.json")));

    // The connection test asks the status of an id that cannot exist.
    const HttpCall test = m_adapter.buildConnectionTest(account());
    QCOMPARE(test.path, QStringLiteral("/v1/status"));
    QVERIFY(test.query.hasQueryItem(QStringLiteral("requestId")));
}

void TestKolerskyAdapter::validationRefuses_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("field"); // the message starts with it

    const QString url = QStringLiteral("https://example.com/a.png");
    const auto text = [] { return generate(GenerateType::Text, QStringLiteral("a red fox")); };
    const auto invalid = int(Error::Kind::InvalidRequest);
    const auto unsupported = int(Error::Kind::Unsupported);
    {
        Operation op = text();
        op.prompt = QString(2001, QLatin1Char('a'));
        QTest::newRow("prompt over 2000") << op << invalid << QStringLiteral("prompt:");
    }
    {
        Operation op = action(OperationKind::Pan, 0);
        op.direction = QStringLiteral("left");
        op.prompt = QString(2001, QLatin1Char('a'));
        QTest::newRow("pan prompt over 2000") << op << invalid << QStringLiteral("prompt:");
    }
    const auto with = [&](const char *row, auto set, const char *field) {
        Operation op = text();
        set(op);
        QTest::newRow(row) << op << invalid << QString::fromUtf8(field);
    };
    with(
        "aspect 7:4", [](Operation &o) { o.aspectRatio = QStringLiteral("7:4"); },
        "aspect ratio (aspectRatio):");
    with(
        "version niji7", [](Operation &o) { o.version = QStringLiteral("niji7"); }, "version:");
    with(
        "version v7", [](Operation &o) { o.version = QStringLiteral("v7"); }, "version:");
    with(
        "speed slow", [](Operation &o) { o.speed = QStringLiteral("slow"); }, "speed:");
    with(
        "chaos step", [](Operation &o) { o.chaos = 7; }, "chaos (variety):");
    with(
        "chaos over", [](Operation &o) { o.chaos = 105; }, "chaos (variety):");
    with(
        "chaos negative", [](Operation &o) { o.chaos = -5; }, "chaos (variety):");
    with(
        "stylize 1 (the vendor's own default)", [](Operation &o) { o.stylize = 1; },
        "stylize (stylization):");
    with(
        "stylize step", [](Operation &o) { o.stylize = 75; }, "stylize (stylization):");
    with(
        "stylize over", [](Operation &o) { o.stylize = 1050; }, "stylize (stylization):");
    with(
        "weird 1 (the vendor's own default)", [](Operation &o) { o.weird = 1; }, "weird (weirdness):");
    with(
        "weird over", [](Operation &o) { o.weird = 3100; }, "weird (weirdness):");
    with(
        "ow without omni", [](Operation &o) { o.omniWeight = 100; }, "omni weight (ow):");
    with(
        "seed", [](Operation &o) { o.seed = 1234; }, "seed:");
    with(
        "motion on an image", [](Operation &o) { o.motion = QStringLiteral("low"); }, "motion:");
    with(
        "video batch on an image", [](Operation &o) { o.videoBatch = 2; }, "video batch (videoBatchSize):");
    with(
        "text with a reference", [&](Operation &o) { o.references = {url}; }, "references:");
    {
        Operation op = generate(GenerateType::Omni, QStringLiteral("x"), {url});
        op.omniWeight = 0;
        QTest::newRow("ow 0") << op << invalid << QStringLiteral("omni weight (ow):");
        op.omniWeight = 1001;
        QTest::newRow("ow 1001") << op << invalid << QStringLiteral("omni weight (ow):");
    }
    QTest::newRow("image without reference") << generate(GenerateType::Image, QStringLiteral("x")) << invalid
                                             << QStringLiteral("references (fileUrl):");
    QTest::newRow("style without reference") << generate(GenerateType::Style, QStringLiteral("x")) << invalid
                                             << QStringLiteral("references (fileUrl):");
    QTest::newRow("six references") << generate(GenerateType::Image, QStringLiteral("x"), QStringList(6, url))
                                    << invalid << QStringLiteral("references (fileUrls):");
    QTest::newRow("video with two images") << generate(GenerateType::Video, QStringLiteral("x"), {url, url})
                                           << invalid << QStringLiteral("references (fileUrl):");
    QTest::newRow("video without image") << generate(GenerateType::VideoHd, QStringLiteral("x")) << invalid
                                         << QStringLiteral("references (fileUrl):");
    QTest::newRow("data URL") << generate(GenerateType::Image, QStringLiteral("x"),
                                          {QStringLiteral("data:image/png;base64,iVBORw0KGgo=")})
                              << invalid << QStringLiteral("references (fileUrl/fileUrls):");
    QTest::newRow("local file") << generate(GenerateType::Image, QStringLiteral("x"),
                                            {QStringLiteral("/home/u/cat.png")})
                                << invalid << QStringLiteral("references (fileUrl/fileUrls):");
    QTest::newRow("ftp URL") << generate(GenerateType::Style, QStringLiteral("x"),
                                         {QStringLiteral("ftp://example.com/a.png")})
                             << invalid << QStringLiteral("references (fileUrl/fileUrls):");
    {
        Operation op = generate(GenerateType::Video, QStringLiteral("x"), {url});
        op.motion = QStringLiteral("medium");
        QTest::newRow("motion medium") << op << invalid << QStringLiteral("motion:");
        op.motion.clear();
        op.videoBatch = 3;
        QTest::newRow("video batch 3") << op << invalid << QStringLiteral("video batch (videoBatchSize):");
    }
    {
        Operation op = action(OperationKind::Upscale, 1);
        op.variant = QStringLiteral("subtle");
        QTest::newRow("upscale subtle")
            << op << unsupported << QStringLiteral("kolersky has no subtle upscale");
        op = action(OperationKind::Vary, 1);
        op.variant = QStringLiteral("strong");
        QTest::newRow("vary strong") << op << unsupported << QStringLiteral("kolersky has no strong vary");
    }
    QTest::newRow("vary without a tile")
        << action(OperationKind::Vary, 0) << invalid << QStringLiteral("index:");
    for (const char *factor : {"2.5", "1", "0.5", "abc"}) {
        Operation op = action(OperationKind::Zoom, 0);
        op.zoomFactor = QString::fromLatin1(factor);
        QTest::newRow(qPrintable(QStringLiteral("zoom %1").arg(op.zoomFactor)))
            << op << invalid << QStringLiteral("zoom (zoom_ratio):");
    }
    {
        Operation op = action(OperationKind::Zoom, 0);
        op.aspectRatio = QStringLiteral("5:4");
        QTest::newRow("zoom aspect") << op << invalid << QStringLiteral("aspect ratio (aspectRatio):");
    }
    QTest::newRow("inpaint without mask")
        << action(OperationKind::Inpaint, 0) << invalid << QStringLiteral("mask:");
    for (OperationKind kind : {OperationKind::Blend, OperationKind::Describe, OperationKind::Shorten,
                               OperationKind::Animate, OperationKind::VideoExtend}) {
        Operation op = isAction(kind) ? action(kind, 1) : Operation::imagine(QStringLiteral("x"));
        op.kind = kind;
        QTest::newRow(qPrintable(operationKindName(kind)))
            << op << unsupported << QStringLiteral("kolersky has no %1").arg(operationKindName(kind));
    }
}

void TestKolerskyAdapter::validationRefuses()
{
    QFETCH(Operation, op);
    QFETCH(int, kind);
    QFETCH(QString, field);
    const Status s = m_adapter.validate(op, account());
    QVERIFY(!s.ok());
    QCOMPARE(int(s.error().kind), kind);
    QVERIFY2(s.error().message.startsWith(field), qPrintable(s.error().message));
}

void TestKolerskyAdapter::validationAccepts_data()
{
    QTest::addColumn<Operation>("op");
    const QString url = QStringLiteral("https://example.com/a.png");
    {
        Operation op = generate(GenerateType::Text, QString(2000, QLatin1Char('a')));
        op.chaos = 100;
        op.stylize = 0;
        op.weird = 3000;
        QTest::newRow("bounds") << op;
    }
    {
        Operation op = generate(GenerateType::Omni, QStringLiteral("x"), {url});
        op.omniWeight = 1;
        op.speed = QStringLiteral("turbo"); // left out of the request, not refused
        QTest::newRow("omni") << op;
    }
    QTest::newRow("five references") << generate(GenerateType::Image, QStringLiteral("x"),
                                                 QStringList(5, url));
    QTest::newRow("http reference") << generate(GenerateType::Image, QStringLiteral("x"),
                                                {QStringLiteral("http://127.0.0.1:8080/a.png")});
    {
        Operation op = generate(GenerateType::Video, QStringLiteral("x"), {url});
        op.motion = QStringLiteral("high");
        op.videoBatch = 4;
        QTest::newRow("video") << op;
    }
    {
        Operation op = action(OperationKind::Zoom, 0);
        op.zoomFactor = QStringLiteral("1.01");
        QTest::newRow("zoom 1.01") << op;
        op.zoomFactor = QStringLiteral("2");
        QTest::newRow("zoom 2") << op;
    }
    {
        Operation op = action(OperationKind::Pan, 0);
        op.direction = QStringLiteral("right");
        QTest::newRow("pan without prompt") << op;
    }
    QTest::newRow("reroll") << action(OperationKind::Reroll, 0);
    QTest::newRow("seed") << action(OperationKind::Seed, 0);
    QTest::newRow("U3") << action(OperationKind::Upscale, 3);
}

void TestKolerskyAdapter::validationAccepts()
{
    QFETCH(Operation, op);
    const Status s = m_adapter.validate(op, account());
    QVERIFY2(s.ok(), s.ok() ? "" : qPrintable(s.error().message));
}

void TestKolerskyAdapter::availability_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<Task>("parent");
    QTest::addColumn<bool>("enabled");

    const Task grid = gridParent();
    const Task single = upscaleParent();
    const Task video = videoParent();
    Task running = gridParent();
    running.state = TaskState::Running;
    Operation pan = action(OperationKind::Pan, 2);
    pan.direction = QStringLiteral("left");
    Operation panSingle = pan;
    panSingle.tile = 0;

    QTest::newRow("U2 on a grid") << action(OperationKind::Upscale, 2) << grid << true;
    QTest::newRow("V4 on a grid") << action(OperationKind::Vary, 4) << grid << true;
    QTest::newRow("U on an upscale") << action(OperationKind::Upscale, 1) << single << false;
    QTest::newRow("V on an upscale") << action(OperationKind::Vary, 0) << single << false;
    QTest::newRow("reroll on a grid") << action(OperationKind::Reroll, 0) << grid << true;
    QTest::newRow("reroll on a video") << action(OperationKind::Reroll, 0) << video << true;
    QTest::newRow("reroll on an upscale") << action(OperationKind::Reroll, 0) << single << false;
    QTest::newRow("pan on a grid tile (chained)") << pan << grid << true;
    QTest::newRow("pan on an upscale") << panSingle << single << true;
    QTest::newRow("zoom on an upscale") << action(OperationKind::Zoom, 0) << single << true;
    QTest::newRow("inpaint on a grid tile") << action(OperationKind::Inpaint, 3) << grid << true;
    QTest::newRow("pan on a video") << panSingle << video << false;
    QTest::newRow("U on a video") << action(OperationKind::Upscale, 1) << video << false;
    QTest::newRow("seed on a grid") << action(OperationKind::Seed, 0) << grid << true;
    QTest::newRow("seed on an upscale") << action(OperationKind::Seed, 0) << single << true;
    QTest::newRow("parent still running") << action(OperationKind::Upscale, 1) << running << false;
    {
        Operation op = action(OperationKind::Upscale, 1);
        op.variant = QStringLiteral("creative");
        QTest::newRow("upscale creative") << op << grid << false;
    }
    {
        Operation op = action(OperationKind::Animate, 1);
        QTest::newRow("animate") << op << grid << false;
    }
}

void TestKolerskyAdapter::availability()
{
    QFETCH(Operation, op);
    QFETCH(Task, parent);
    QFETCH(bool, enabled);
    const Availability a = m_adapter.availability(op, &parent, account());
    QCOMPARE(a.enabled, enabled);
    QCOMPARE(a.reason.isEmpty(), enabled); // a refusal always says why
    if (op.kind == OperationKind::Animate)
        QCOMPARE(a.reason, QStringLiteral("kolersky has no animate"));

    // Generation needs no parent; an action does.
    QVERIFY(m_adapter.availability(Operation::imagine(QStringLiteral("x")), nullptr, account()).enabled);
    QVERIFY(!m_adapter.availability(action(OperationKind::Upscale, 1), nullptr, account()).enabled);
}

void TestKolerskyAdapter::needsSingleImage()
{
    QVERIFY(m_adapter.needsSingleImage(action(OperationKind::Pan, 1)));
    QVERIFY(m_adapter.needsSingleImage(action(OperationKind::Zoom, 1)));
    QVERIFY(m_adapter.needsSingleImage(action(OperationKind::Inpaint, 1)));
    for (OperationKind kind :
         {OperationKind::Upscale, OperationKind::Vary, OperationKind::Reroll, OperationKind::Seed})
        QVERIFY(!m_adapter.needsSingleImage(action(kind, 1)));
    QVERIFY(!m_adapter.needsSingleImage(Operation::imagine(QStringLiteral("x"))));
}

// PROVIDERS.md §1/§6: 60 status checks per task in all (pollBudget), never closer than 5 s; spread as
// 5 s for the first minute, then each gap a quarter longer up to a minute (issue 12).
void TestKolerskyAdapter::pollPolicy_data()
{
    QTest::addColumn<QJsonObject>("options");
    QTest::addColumn<int>("firstPollMs");
    QTest::addColumn<int>("intervalMs");
    QTest::addColumn<int>("maxIntervalMs");
    QTest::addColumn<int>("maxPolls");
    QTest::addColumn<qint64>("timeoutMs");

    QTest::newRow("defaults") << QJsonObject() << 5000 << 5000 << 60'000 << 0 << 600'000LL;
    QTest::newRow("fewer polls per run") << QJsonObject {{QStringLiteral("max-polls"), QStringLiteral("30")}}
                                         << 5000 << 5000 << 60'000 << 30 << 600'000LL;
    QTest::newRow("more polls: clamped to the vendor's 60")
        << QJsonObject {{QStringLiteral("max-polls"), QStringLiteral("100")}} << 5000 << 5000 << 60'000 << 60
        << 600'000LL;
    QTest::newRow("no cap per run: the budget still holds")
        << QJsonObject {{QStringLiteral("max-polls"), QStringLiteral("0")}} << 5000 << 5000 << 60'000 << 0
        << 600'000LL;
    QTest::newRow("timings") << QJsonObject {{QStringLiteral("first-poll"), QStringLiteral("2.5")},
                                             {QStringLiteral("poll-interval"), QStringLiteral("10")},
                                             {QStringLiteral("timeout"), QStringLiteral("300")}}
                             << 2500 << 10000 << 10000 << 0 << 300'000LL;
    QTest::newRow("an interval under the vendor's 5 s (stored before it was refused)")
        << QJsonObject {{QStringLiteral("poll-interval"), QStringLiteral("0.5")}} << 5000 << 5000 << 5000 << 0
        << 600'000LL;
}

void TestKolerskyAdapter::pollPolicy()
{
    QFETCH(QJsonObject, options);
    QFETCH(int, firstPollMs);
    QFETCH(int, intervalMs);
    QFETCH(int, maxIntervalMs);
    QFETCH(int, maxPolls);
    QFETCH(qint64, timeoutMs);
    const PollPolicy p = m_adapter.pollPolicy(Operation::imagine(QStringLiteral("x")), account(options));
    QCOMPARE(p.firstPollMs, firstPollMs);
    QCOMPARE(p.intervalMs, intervalMs);
    QCOMPARE(p.maxIntervalMs, maxIntervalMs);
    QCOMPARE(p.maxPolls, maxPolls);
    QCOMPARE(p.timeoutMs, timeoutMs);
    QCOMPARE(p.pollBudget, 60);
    QCOMPARE(p.minIntervalMs, 5000);
}

QTEST_GUILESS_MAIN(TestKolerskyAdapter)
#include "tst_kolerskyadapter.moc"
