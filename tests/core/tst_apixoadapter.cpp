// The apixo adapter against its vendor doc (PROVIDERS.md §2): identity and capabilities, every submit body
// (the fields required at defaults, versions, prompt flags, upload-paint masks as raster or polygons),
// validation, availability and the polling policy. Every answer it reads is in tst_apixoadapter_answers.
#include "apixoadapter_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

class TestApixoAdapter : public QObject
{
    Q_OBJECT

private slots:
    void identity();
    void capabilities();
    void buildSubmit_data();
    void buildSubmit();
    void requiredFieldsAtDefaults_data();
    void requiredFieldsAtDefaults();
    void paintKeepsTheParentsVersionAndSpeed();
    void versions_data();
    void versions();
    void promptFlagsAreLifted();
    void inpaintRaster();
    void inpaintPolygons();
    void inpaintFallsBackToTheMaskSize();
    void inpaintErrors_data();
    void inpaintErrors();
    void validateRefuses_data();
    void validateRefuses();
    void validateAccepts_data();
    void validateAccepts();
    void availability_data();
    void availability();
    void pollPolicy_data();
    void pollPolicy();

private:
    apixo::ApixoAdapter m_adapter;
};

void TestApixoAdapter::identity()
{
    QCOMPARE(m_adapter.family(), QStringLiteral("apixo"));
    QCOMPARE(m_adapter.displayName(), QStringLiteral("apixo-style"));
    QVERIFY(!m_adapter.resubmitIsSafe());
    QVERIFY(!m_adapter.buildCancel(QStringLiteral("task_1"), account()).has_value());
    // Four separate images and an index on every action: nothing waits for an upscale (§2, §5).
    for (OperationKind kind : {OperationKind::Upscale, OperationKind::Vary, OperationKind::Inpaint}) {
        Operation op = action(kind, 2);
        QVERIFY(!m_adapter.needsSingleImage(op));
        op.variant = kind == OperationKind::Vary ? QStringLiteral("strong") : QStringLiteral("creative");
        QVERIFY(!m_adapter.needsSingleImage(op));
    }
}

void TestApixoAdapter::capabilities()
{
    const Capabilities c = m_adapter.capabilities(account());
    QCOMPARE(c.generateTypes, (QList<GenerateType> {GenerateType::Text, GenerateType::Image}));
    QCOMPARE(c.operations,
             (QSet<OperationKind> {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary,
                                   OperationKind::Inpaint}));
    QCOMPARE(c.aspectRatios.size(), 11);
    for (const char *ratio : {"1:1", "1:2", "2:1", "2:3", "3:2", "3:4", "4:3", "5:6", "6:5", "9:16", "16:9"})
        QVERIFY2(c.aspectRatios.contains(QLatin1String(ratio)), ratio);
    QCOMPARE(c.versions,
             (QStringList {QStringLiteral("7"), QStringLiteral("6.1"), QStringLiteral("6"),
                           QStringLiteral("niji7"), QStringLiteral("niji6")}));
    QCOMPARE(c.speeds, (QStringList {QStringLiteral("fast"), QStringLiteral("turbo")}));
    QVERIFY(c.chaos.supported && c.chaos.min == 0 && c.chaos.max == 100);
    QVERIFY(c.stylize.supported && c.stylize.min == 0 && c.stylize.max == 1000);
    QVERIFY(c.weird.supported && c.weird.min == 0 && c.weird.max == 3000);
    QVERIFY(!c.omniWeight.supported);
    QCOMPARE(c.maxPromptLength, 2000);
    QCOMPARE(c.upscaleVariants,
             (QStringList {QStringLiteral("creative"), QStringLiteral("2x"), QStringLiteral("4x")}));
    QCOMPARE(c.varyVariants, (QStringList {QStringLiteral("subtle"), QStringLiteral("strong")}));
    QVERIFY(!c.serverCancel);
    QVERIFY(!c.reportsProgress);
}

void TestApixoAdapter::buildSubmit_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QJsonObject>("accountOptions");
    QTest::addColumn<QString>("parent");
    QTest::addColumn<QString>("expected");

    {
        // The vendor doc's text-to-image example (sent async: Tessera polls).
        Operation op = imagine(QStringLiteral("一个温馨的赛博朋克咖啡馆,霓虹灯光,电影级照明"));
        op.version = QStringLiteral("7");
        op.speed = QStringLiteral("fast");
        op.aspectRatio = QStringLiteral("16:9");
        op.translate = true;
        op.stylize = 500;
        op.chaos = 20;
        QTest::newRow("text-to-image")
            << op << options("routing", "value") << QString() << QStringLiteral("request-text-to-image.json");
    }
    QTest::newRow("text-to-image, nothing optional set")
        << imagine(QStringLiteral("a red fox in the snow")) << QJsonObject() << QString()
        << QStringLiteral("request-text-to-image-minimal.json");
    {
        Operation op = imagine(QStringLiteral("a dog lying in a beautiful park with green grass and trees"));
        op.type = GenerateType::Image;
        op.references = {QStringLiteral("https://example.com/dog-at-home.jpg")};
        op.version = QStringLiteral("7");
        op.speed = QStringLiteral("fast");
        QTest::newRow("image-to-image") << op << options("routing", "official") << QString()
                                        << QStringLiteral("request-image-to-image.json");
    }
    QTest::newRow("vary strong, tile 1 → imageIndex 0, with prompt")
        << action(OperationKind::Vary, 1, QStringLiteral("strong"), QStringLiteral("add more vibrant colors"))
        << QJsonObject() << QStringLiteral("grid") << QStringLiteral("request-vary.json");
    QTest::newRow("plain V4 → imageIndex 3, type 0 (subtle)")
        << action(OperationKind::Vary, 4) << QJsonObject() << QStringLiteral("grid")
        << QStringLiteral("request-vary-plain.json");
    QTest::newRow("vary subtle is the same type 0")
        << action(OperationKind::Vary, 4, QStringLiteral("subtle")) << QJsonObject() << QStringLiteral("grid")
        << QStringLiteral("request-vary-plain.json");
    QTest::newRow("upscale creative, tile 3 → imageIndex 2, type 1")
        << action(OperationKind::Upscale, 3, QStringLiteral("creative")) << QJsonObject()
        << QStringLiteral("grid") << QStringLiteral("request-upscale.json");
    QTest::newRow("plain U1 → imageIndex 0, type 0 (Standard HD)")
        << action(OperationKind::Upscale, 1) << QJsonObject() << QStringLiteral("grid")
        << QStringLiteral("request-upscale-plain.json");
    {
        Operation op = action(OperationKind::Upscale, 0, QStringLiteral("4x"));
        op.speed = QStringLiteral("turbo");
        QTest::newRow("4x of an upscale's single image → imageIndex 0, type 3")
            << op << QJsonObject() << QStringLiteral("upscale")
            << QStringLiteral("request-upscale-4x-of-upscale.json");
    }
}

void TestApixoAdapter::buildSubmit()
{
    QFETCH(Operation, op);
    QFETCH(QJsonObject, accountOptions);
    QFETCH(QString, parent);
    QFETCH(QString, expected);

    QVERIFY2(m_adapter.validate(op, account(accountOptions)).ok(), "the operation should be valid");
    SubmitContext ctx;
    ctx.account = account(accountOptions);
    if (!parent.isEmpty())
        ctx.parent = parentNamed(parent);
    const Result<HttpCall> call = m_adapter.buildSubmit(op, ctx);
    QVERIFY2(call.ok(), call ? "" : qPrintable(call.error().message));
    QCOMPARE(call->method, QByteArray("POST"));
    QCOMPARE(call->path, QStringLiteral("/api/v1/generateTask/midjourney"));
    QVERIFY(call->query.isEmpty());
    QCOMPARE(call->auth, HttpCall::Auth::Bearer);
    QCOMPARE(call->purpose, HttpCall::Purpose::Submit);
    QVERIFY(call->body.has_value());
    QCOMPARE(compact(call->body->object()), compact(fixtureObject(expected)));
}

// Every field the vendor doc marks "обязательно" for a mode is in the body when everything the user may
// leave unset is unset (issue "Correctness" §1; PROVIDERS.md §2 Decision for version and speed).
void TestApixoAdapter::requiredFieldsAtDefaults_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("parent");
    QTest::addColumn<QStringList>("required");
    QTest::addColumn<QJsonObject>("values"); // the defaults sent, where Tessera picks them

    const QJsonObject defaults {{QStringLiteral("version"), QStringLiteral("v6.1")},
                                {QStringLiteral("speed"), QStringLiteral("fast")}};
    const QStringList generating {QStringLiteral("mode"), QStringLiteral("prompt"), QStringLiteral("version"),
                                  QStringLiteral("speed")};
    QTest::newRow("text-to-image") << imagine() << QString() << generating << defaults;
    Operation fromImage = imagine();
    fromImage.type = GenerateType::Image;
    fromImage.references = {QStringLiteral("https://example.com/ref.png")};
    QTest::newRow("image-to-image") << fromImage << QString()
                                    << (generating + QStringList {QStringLiteral("image_urls")}) << defaults;
    Operation paint = action(OperationKind::Inpaint, 2);
    paint.mask = maskPng({8, 6}, QRect(1, 1, 3, 3));
    QTest::newRow("upload-paint") << paint << QStringLiteral("grid")
                                  << (generating
                                      + QStringList {QStringLiteral("image_urls"), QStringLiteral("mask"),
                                                     QStringLiteral("canvas"), QStringLiteral("imgPos")})
                                  << defaults;
    const QStringList acting {QStringLiteral("mode"), QStringLiteral("taskId"), QStringLiteral("imageIndex"),
                              QStringLiteral("type")};
    const QJsonObject plain {{QStringLiteral("type"), 0}};
    QTest::newRow("vary") << action(OperationKind::Vary, 2) << QStringLiteral("grid") << acting << plain;
    QTest::newRow("upscale") << action(OperationKind::Upscale, 2) << QStringLiteral("grid") << acting
                             << plain;
}

void TestApixoAdapter::requiredFieldsAtDefaults()
{
    QFETCH(Operation, op);
    QFETCH(QString, parent);
    QFETCH(QStringList, required);
    QFETCH(QJsonObject, values);
    QVERIFY(m_adapter.validate(op, account()).ok());
    SubmitContext ctx;
    ctx.account = account();
    if (!parent.isEmpty())
        ctx.parent = parentNamed(parent);
    const Result<HttpCall> call = m_adapter.buildSubmit(op, ctx);
    QVERIFY2(call.ok(), call ? "" : qPrintable(call.error().message));
    const QJsonObject input = inputOf(*call);
    for (const QString &field : required) {
        QVERIFY2(input.contains(field) && !input.value(field).isNull(), qPrintable(field));
        if (input.value(field).isString())
            QVERIFY2(!input.value(field).toString().isEmpty(), qPrintable(field));
    }
    for (auto it = values.constBegin(); it != values.constEnd(); ++it)
        QCOMPARE(input.value(it.key()), it.value());
    // Compose says what is sent for "default" (PROVIDERS.md §2 Decision: "default (v6.1)").
    const Capabilities c = m_adapter.capabilities(account());
    QCOMPARE(c.versionWhenUnset.value(GenerateType::Text), QStringLiteral("v6.1"));
    QCOMPARE(c.speedWhenUnset.value(GenerateType::Image), QStringLiteral("fast"));
}

// Vary Region repaints with the version and speed that made the image unless the user picks others.
void TestApixoAdapter::paintKeepsTheParentsVersionAndSpeed()
{
    Task parent = gridParent();
    parent.operation.version = QStringLiteral("7");
    parent.operation.speed = QStringLiteral("turbo");
    Operation op = action(OperationKind::Inpaint, 1);
    op.mask = maskPng({8, 6}, QRect(0, 0, 2, 2));
    Result<HttpCall> call = m_adapter.buildSubmit(op, {account(), parent});
    QVERIFY(call.ok());
    QCOMPARE(inputOf(*call).value(QStringLiteral("version")).toString(), QStringLiteral("v7"));
    QCOMPARE(inputOf(*call).value(QStringLiteral("speed")).toString(), QStringLiteral("turbo"));
    op.version = QStringLiteral("niji7");
    op.speed = QStringLiteral("fast");
    call = m_adapter.buildSubmit(op, {account(), parent});
    QVERIFY(call.ok());
    QCOMPARE(inputOf(*call).value(QStringLiteral("version")).toString(), QStringLiteral("niji 7"));
    QCOMPARE(inputOf(*call).value(QStringLiteral("speed")).toString(), QStringLiteral("fast"));
}

void TestApixoAdapter::versions_data()
{
    QTest::addColumn<QString>("tessera");
    QTest::addColumn<QString>("vendor");
    QTest::newRow("7") << QStringLiteral("7") << QStringLiteral("v7");
    QTest::newRow("6.1") << QStringLiteral("6.1") << QStringLiteral("v6.1");
    QTest::newRow("6") << QStringLiteral("6") << QStringLiteral("v6");
    QTest::newRow("niji6") << QStringLiteral("niji6") << QStringLiteral("niji 6");
    QTest::newRow("niji7") << QStringLiteral("niji7") << QStringLiteral("niji 7");
}

void TestApixoAdapter::versions()
{
    QFETCH(QString, tessera);
    QFETCH(QString, vendor);
    Operation op = imagine();
    op.version = tessera;
    QVERIFY(m_adapter.validate(op, account()).ok());
    const Result<HttpCall> call = m_adapter.buildSubmit(op, {account(), std::nullopt});
    QVERIFY(call.ok());
    QCOMPARE(inputOf(*call).value(QStringLiteral("version")).toString(), vendor);
}

void TestApixoAdapter::promptFlagsAreLifted()
{
    // The default normalize(): flags typed in the prompt become the vendor's fields.
    const Result<Operation> op
        = m_adapter.normalize(imagine(QStringLiteral("a red fox --ar 16:9 --v 6.1 --chaos 10 --turbo")));
    QVERIFY(op.ok());
    const Result<HttpCall> call = m_adapter.buildSubmit(*op, {account(), std::nullopt});
    QVERIFY(call.ok());
    const QJsonObject input = inputOf(*call);
    QCOMPARE(input.value(QStringLiteral("prompt")).toString(), QStringLiteral("a red fox"));
    QCOMPARE(input.value(QStringLiteral("aspect")).toString(), QStringLiteral("16:9"));
    QCOMPARE(input.value(QStringLiteral("version")).toString(), QStringLiteral("v6.1"));
    QCOMPARE(input.value(QStringLiteral("chaos")).toInt(), 10);
    QCOMPARE(input.value(QStringLiteral("speed")).toString(), QStringLiteral("turbo"));

    // --seed has no apixo field: refused, not dropped.
    const Result<Operation> seeded = m_adapter.normalize(imagine(QStringLiteral("a red fox --seed 42")));
    QVERIFY(seeded.ok());
    const Status s = m_adapter.validate(*seeded, account());
    QVERIFY(!s.ok());
    QVERIFY(s.error().message.startsWith(QLatin1String("seed:")));
}

void TestApixoAdapter::inpaintRaster()
{
    // A mask drawn at half size is fitted to the tile's 8x6 pixels; the prompt falls back to the parent's.
    Operation op = action(OperationKind::Inpaint, 3);
    op.mask = maskPng({4, 3}, QRect(0, 0, 2, 3)); // left half white
    QVERIFY(m_adapter.validate(op, account()).ok());
    const Result<HttpCall> call = m_adapter.buildSubmit(op, {account(), gridParent()});
    QVERIFY2(call.ok(), call ? "" : qPrintable(call.error().message));
    QCOMPARE(call->path, QStringLiteral("/api/v1/generateTask/midjourney"));
    QCOMPARE(call->purpose, HttpCall::Purpose::Submit);

    QJsonObject body = call->body->object();
    QJsonObject input = body.value(QStringLiteral("input")).toObject();
    const QJsonObject mask = input.value(QStringLiteral("mask")).toObject();
    QCOMPARE(mask.keys(), QStringList {QStringLiteral("url")});
    const QString url = mask.value(QStringLiteral("url")).toString();
    const QString prefix = QStringLiteral("data:image/png;base64,");
    QVERIFY2(url.startsWith(prefix), qPrintable(url.left(40)));
    const QByteArray base64 = url.mid(prefix.size()).toLatin1();
    QVERIFY(!base64.contains('\n'));
    const QByteArray png = QByteArray::fromBase64(base64);
    QCOMPARE(png.toBase64(), base64); // standard alphabet with padding
    QImage decoded;
    QVERIFY(decoded.loadFromData(png, "PNG"));
    QCOMPARE(decoded.size(), QSize(8, 6));
    for (int y = 0; y < 6; ++y) {
        for (int x = 0; x < 8; ++x)
            QCOMPARE(qGray(decoded.pixel(x, y)), x < 4 ? 255 : 0);
    }

    // Everything but the PNG itself matches the fixture.
    QJsonObject expected = fixtureObject(QStringLiteral("request-upload-paint-raster.json"));
    QJsonObject expectedInput = expected.value(QStringLiteral("input")).toObject();
    expectedInput.remove(QStringLiteral("mask"));
    expected.insert(QStringLiteral("input"), expectedInput);
    input.remove(QStringLiteral("mask"));
    body.insert(QStringLiteral("input"), input);
    QCOMPARE(compact(body), compact(expected));
}

void TestApixoAdapter::inpaintPolygons()
{
    // mask-format=polygons: a rectangle of pixels x 2..5, y 1..3 is one area whose vertices lie on pixel
    // corners, starting top-left and running down the left edge first (negative shoelace, y down).
    Operation op
        = action(OperationKind::Inpaint, 2, {}, QStringLiteral("add a modern coffee machine in the center"));
    op.version = QStringLiteral("7");
    op.speed = QStringLiteral("fast");
    op.mask = maskPng({8, 6}, QRect(2, 1, 4, 3));
    const Account acc = account(QJsonObject {{QStringLiteral("mask-format"), QStringLiteral("polygons")},
                                             {QStringLiteral("routing"), QStringLiteral("official")}});
    QVERIFY(m_adapter.validate(op, acc).ok());
    const Result<HttpCall> call = m_adapter.buildSubmit(op, {acc, gridParent()});
    QVERIFY2(call.ok(), call ? "" : qPrintable(call.error().message));

    const QJsonArray areas
        = inputOf(*call).value(QStringLiteral("mask")).toObject().value(QStringLiteral("areas")).toArray();
    QCOMPARE(areas.size(), 1);
    const QJsonObject area = areas.first().toObject();
    QCOMPARE(area.value(QStringLiteral("width")).toInt(), 8);
    QCOMPARE(area.value(QStringLiteral("height")).toInt(), 6);
    const QJsonArray points = area.value(QStringLiteral("points")).toArray();
    QCOMPARE(points.size(), 8);
    long long shoelace = 0;
    const int n = static_cast<int>(points.size() / 2);
    for (int i = 0; i < n; ++i) {
        const int j = (i + 1) % n;
        shoelace += static_cast<long long>(points[2 * i].toInt()) * points[2 * j + 1].toInt()
            - static_cast<long long>(points[2 * j].toInt()) * points[2 * i + 1].toInt();
    }
    QVERIFY2(shoelace < 0, qPrintable(QString::number(shoelace)));
    QCOMPARE(points[0].toInt(), 2);
    QCOMPARE(points[1].toInt(), 1);

    QCOMPARE(compact(call->body->object()),
             compact(fixtureObject(QStringLiteral("request-upload-paint-polygons.json"))));
}

void TestApixoAdapter::inpaintFallsBackToTheMaskSize()
{
    // A parent whose image size is not known yet: the mask's own size is the canvas.
    Task parent = gridParent(QStringLiteral("task_1"), QSize());
    Operation op = action(OperationKind::Inpaint, 1, {}, QStringLiteral("a lamp"));
    op.mask = maskPng({5, 4}, QRect(1, 1, 2, 2));
    const Result<HttpCall> call = m_adapter.buildSubmit(op, {account(), parent});
    QVERIFY2(call.ok(), call ? "" : qPrintable(call.error().message));
    const QJsonObject input = inputOf(*call);
    QCOMPARE(input.value(QStringLiteral("canvas")).toObject(),
             (QJsonObject {{QStringLiteral("width"), 5}, {QStringLiteral("height"), 4}}));
    QCOMPARE(input.value(QStringLiteral("imgPos")).toObject(),
             (QJsonObject {{QStringLiteral("width"), 5},
                           {QStringLiteral("height"), 4},
                           {QStringLiteral("x"), 0},
                           {QStringLiteral("y"), 0}}));
    QCOMPARE(input.value(QStringLiteral("image_urls")).toArray(),
             QJsonArray {QStringLiteral("https://r2.apixo.ai/img1.png")});
}

void TestApixoAdapter::inpaintErrors_data()
{
    QTest::addColumn<QByteArray>("mask");
    QTest::addColumn<Task>("parent");
    QTest::addColumn<QString>("field");

    const QByteArray good = maskPng({8, 6}, QRect(1, 1, 2, 2));
    QTest::newRow("mask with no white pixel")
        << maskPng({8, 6}, QRect()) << gridParent() << QStringLiteral("mask");
    QTest::newRow("mask that is not an image")
        << QByteArray("not a png") << gridParent() << QStringLiteral("mask");
    Task noUrl = gridParent();
    noUrl.images[0].remoteUrl.clear();
    QTest::newRow("source without a remote URL") << good << noUrl << QStringLiteral("image_urls");
    Task noPrompt = gridParent();
    noPrompt.prompt.clear();
    noPrompt.operation.prompt.clear();
    QTest::newRow("no prompt anywhere") << good << noPrompt << QStringLiteral("prompt");
}

void TestApixoAdapter::inpaintErrors()
{
    QFETCH(QByteArray, mask);
    QFETCH(Task, parent);
    QFETCH(QString, field);
    Operation op = action(OperationKind::Inpaint, 1);
    op.mask = mask;
    const Result<HttpCall> call = m_adapter.buildSubmit(op, {account(), parent});
    QVERIFY(!call.ok());
    QCOMPARE(call.error().kind, Error::Kind::InvalidRequest);
    QVERIFY2(call.error().message.contains(field), qPrintable(call.error().message));
}

void TestApixoAdapter::validateRefuses_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QJsonObject>("accountOptions");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("message"); // the start of the message: the field, or the whole sentence

    const auto invalid = Error::Kind::InvalidRequest;
    const auto unsupported = Error::Kind::Unsupported;
    const auto with = [](auto setter) {
        Operation op = imagine();
        setter(op);
        return op;
    };
    QTest::newRow("prompt over 2000 characters")
        << imagine(QString(2001, QLatin1Char('a'))) << QJsonObject() << invalid << QStringLiteral("prompt:");
    QTest::newRow("version 5.2") << with([](Operation &o) { o.version = QStringLiteral("5.2"); })
                                 << QJsonObject() << invalid << QStringLiteral("version:");
    QTest::newRow("version v7 (vendor spelling)")
        << with([](Operation &o) { o.version = QStringLiteral("v7"); }) << QJsonObject() << invalid
        << QStringLiteral("version:");
    QTest::newRow("speed relaxed") << with([](Operation &o) { o.speed = QStringLiteral("relaxed"); })
                                   << QJsonObject() << invalid << QStringLiteral("speed:");
    QTest::newRow("speed slow") << with([](Operation &o) { o.speed = QStringLiteral("slow"); })
                                << QJsonObject() << invalid << QStringLiteral("speed:");
    QTest::newRow("aspect 7:4") << with([](Operation &o) { o.aspectRatio = QStringLiteral("7:4"); })
                                << QJsonObject() << invalid << QStringLiteral("aspect ratio:");
    QTest::newRow("chaos 101") << with([](Operation &o) { o.chaos = 101; }) << QJsonObject() << invalid
                               << QStringLiteral("chaos:");
    QTest::newRow("chaos -1") << with([](Operation &o) { o.chaos = -1; }) << QJsonObject() << invalid
                              << QStringLiteral("chaos:");
    QTest::newRow("stylize 1001") << with([](Operation &o) { o.stylize = 1001; }) << QJsonObject() << invalid
                                  << QStringLiteral("stylize:");
    QTest::newRow("weird 3001") << with([](Operation &o) { o.weird = 3001; }) << QJsonObject() << invalid
                                << QStringLiteral("weird:");
    QTest::newRow("seed") << with([](Operation &o) { o.seed = 7; }) << QJsonObject() << invalid
                          << QStringLiteral("seed:");
    QTest::newRow("omni weight") << with([](Operation &o) { o.omniWeight = 100; }) << QJsonObject() << invalid
                                 << QStringLiteral("omni weight:");
    QTest::newRow("watermark") << with([](Operation &o) { o.watermark = QStringLiteral("me"); })
                               << QJsonObject() << invalid << QStringLiteral("watermark:");
    QTest::newRow("motion") << with([](Operation &o) { o.motion = QStringLiteral("low"); }) << QJsonObject()
                            << invalid << QStringLiteral("motion:");
    QTest::newRow("style reference") << with([](Operation &o) {
        o.type = GenerateType::Style;
        o.references = {QStringLiteral("https://example.com/a.png")};
    }) << QJsonObject() << unsupported
                                     << QStringLiteral("apixo has no style reference");
    QTest::newRow("omni reference") << with([](Operation &o) { o.type = GenerateType::Omni; })
                                    << QJsonObject() << unsupported
                                    << QStringLiteral("apixo has no omni reference");
    QTest::newRow("video") << with([](Operation &o) { o.type = GenerateType::Video; }) << QJsonObject()
                           << unsupported << QStringLiteral("apixo has no video");
    QTest::newRow("video hd") << with([](Operation &o) { o.type = GenerateType::VideoHd; }) << QJsonObject()
                              << unsupported << QStringLiteral("apixo has no video");
    QTest::newRow("image type without references")
        << with([](Operation &o) { o.type = GenerateType::Image; }) << QJsonObject() << invalid
        << QStringLiteral("references:");
    QTest::newRow("data: URL reference") << with([](Operation &o) {
        o.type = GenerateType::Image;
        o.references = {QStringLiteral("data:image/png;base64,iVBORw0KGgo=")};
    }) << QJsonObject() << invalid << QStringLiteral("references: apixo takes image URLs only (image_urls)");
    QTest::newRow("local file reference") << with([](Operation &o) {
        o.type = GenerateType::Image;
        o.references = {QStringLiteral("/home/me/dog.png")};
    }) << QJsonObject() << invalid << QStringLiteral("references:");
    QTest::newRow("six references") << with([](Operation &o) {
        o.type = GenerateType::Image;
        for (int i = 0; i < 6; ++i)
            o.references.append(QStringLiteral("https://example.com/%1.png").arg(i));
    }) << QJsonObject() << invalid << QStringLiteral("references:");
    QTest::newRow("text type with references")
        << with([](Operation &o) { o.references = {QStringLiteral("https://example.com/a.png")}; })
        << QJsonObject() << invalid << QStringLiteral("references:");
    QTest::newRow("routing option") << imagine() << options("routing", "cheapest") << invalid
                                    << QStringLiteral("routing:");
    {
        Operation op = action(OperationKind::Inpaint, 1, {}, QStringLiteral("a lamp"));
        op.mask = QByteArray("png");
        QTest::newRow("mask-format option")
            << op << options("mask-format", "svg") << invalid << QStringLiteral("mask-format:");
    }
    QTest::newRow("vary region without a mask")
        << action(OperationKind::Inpaint, 1, {}, QStringLiteral("a lamp")) << QJsonObject() << invalid
        << QStringLiteral("mask:");
    {
        Operation op = action(OperationKind::Inpaint, 1, {}, QStringLiteral("a lamp"));
        op.mask = QByteArray("png");
        op.aspectRatio = QStringLiteral("16:9");
        QTest::newRow("vary region with an aspect ratio")
            << op << QJsonObject() << invalid << QStringLiteral("aspect ratio:");
    }
    {
        Operation op = action(OperationKind::Vary, 1);
        op.aspectRatio = QStringLiteral("16:9");
        QTest::newRow("vary with an aspect ratio")
            << op << QJsonObject() << invalid << QStringLiteral("aspect ratio:");
        op = action(OperationKind::Upscale, 1);
        op.stylize = 100;
        QTest::newRow("upscale with stylize") << op << QJsonObject() << invalid << QStringLiteral("stylize:");
    }
    QTest::newRow("vary creative") << action(OperationKind::Vary, 1, QStringLiteral("creative"))
                                   << QJsonObject() << invalid << QStringLiteral("variant:");
    QTest::newRow("upscale subtle") << action(OperationKind::Upscale, 1, QStringLiteral("subtle"))
                                    << QJsonObject() << invalid << QStringLiteral("variant:");
    QTest::newRow("upscale with a prompt") << action(OperationKind::Upscale, 1, {}, QStringLiteral("sharper"))
                                           << QJsonObject() << invalid << QStringLiteral("prompt:");
    const std::pair<OperationKind, const char *> missing[] = {
        {OperationKind::Reroll, "apixo has no reroll"},
        {OperationKind::Pan, "apixo has no pan"},
        {OperationKind::Zoom, "apixo has no zoom"},
        {OperationKind::Seed, "apixo has no seed"},
        {OperationKind::Animate, "apixo has no animate"},
        {OperationKind::Describe, "apixo has no describe"},
        {OperationKind::Blend, "apixo has no blend"},
        {OperationKind::Shorten, "apixo has no shorten"},
        {OperationKind::VideoExtend, "apixo has no video extend"},
    };
    for (const auto &[kind, text] : missing) {
        Operation op = action(kind, 1);
        op.direction = QStringLiteral("left");
        QTest::newRow(text) << op << QJsonObject() << unsupported << QString::fromLatin1(text);
    }
}

void TestApixoAdapter::validateRefuses()
{
    QFETCH(Operation, op);
    QFETCH(QJsonObject, accountOptions);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, message);
    const Status s = m_adapter.validate(op, account(accountOptions));
    QVERIFY(!s.ok());
    QCOMPARE(s.error().kind, kind);
    QVERIFY2(s.error().message.startsWith(message), qPrintable(s.error().message));
    // buildSubmit never sends what validate refuses.
    Task parent = gridParent();
    QVERIFY(!m_adapter.buildSubmit(op, {account(accountOptions), parent}).ok());
}

void TestApixoAdapter::validateAccepts_data()
{
    QTest::addColumn<Operation>("op");
    const auto with = [](auto setter) {
        Operation op = imagine();
        setter(op);
        return op;
    };
    QTest::newRow("2000 characters") << imagine(QString(2000, QLatin1Char('a')));
    QTest::newRow("turbo") << with([](Operation &o) { o.speed = QStringLiteral("turbo"); });
    QTest::newRow("edges") << with([](Operation &o) {
        o.chaos = 100;
        o.stylize = 1000;
        o.weird = 3000;
    });
    QTest::newRow("zeros") << with([](Operation &o) {
        o.chaos = 0;
        o.stylize = 0;
        o.weird = 0;
    });
    QTest::newRow("no documented steps") << with([](Operation &o) {
        o.chaos = 7;
        o.stylize = 37;
        o.weird = 11;
    });
    QTest::newRow("five references") << with([](Operation &o) {
        o.type = GenerateType::Image;
        for (int i = 0; i < 5; ++i)
            o.references.append(QStringLiteral("https://example.com/%1.png").arg(i));
    });
    QTest::newRow("vary with turbo") << [] {
        Operation op = action(OperationKind::Vary, 2, QStringLiteral("strong"), QStringLiteral("bluer"));
        op.speed = QStringLiteral("turbo");
        return op;
    }();
}

void TestApixoAdapter::validateAccepts()
{
    QFETCH(Operation, op);
    const Status s = m_adapter.validate(op, account());
    QVERIFY2(s.ok(), s ? "" : qPrintable(s.error().message));
}

void TestApixoAdapter::availability_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("parent"); // empty: no parent
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<QString>("reason");

    QTest::newRow("imagine") << imagine() << QString() << true << QString();
    {
        Operation op = imagine();
        op.type = GenerateType::Style;
        QTest::newRow("style reference")
            << op << QString() << false << QStringLiteral("apixo has no style reference");
    }
    QTest::newRow("U3 on a grid") << action(OperationKind::Upscale, 3) << QStringLiteral("grid") << true
                                  << QString();
    QTest::newRow("V2 on a grid") << action(OperationKind::Vary, 2) << QStringLiteral("grid") << true
                                  << QString();
    QTest::newRow("vary strong on a tile") << action(OperationKind::Vary, 2, QStringLiteral("strong"))
                                           << QStringLiteral("grid") << true << QString();
    QTest::newRow("upscale 2x on a tile") << action(OperationKind::Upscale, 4, QStringLiteral("2x"))
                                          << QStringLiteral("grid") << true << QString();
    QTest::newRow("vary region on a tile (no U first)")
        << action(OperationKind::Inpaint, 2) << QStringLiteral("grid") << true << QString();
    QTest::newRow("vary region on an upscale")
        << action(OperationKind::Inpaint, 0) << QStringLiteral("upscale") << true << QString();
    // Upscale and vary act on a four-image result only (issue 12): the server takes them for an upscale,
    // charges, then fails the task.
    QTest::newRow("creative on an upscale")
        << action(OperationKind::Upscale, 0, QStringLiteral("creative")) << QStringLiteral("upscale") << false
        << QStringLiteral("only a four-image result");
    QTest::newRow("4x on an upscale")
        << action(OperationKind::Upscale, 0, QStringLiteral("4x")) << QStringLiteral("upscale") << false
        << QStringLiteral("only a four-image result");
    QTest::newRow("vary subtle on an upscale")
        << action(OperationKind::Vary, 0, QStringLiteral("subtle")) << QStringLiteral("upscale") << false
        << QStringLiteral("only a four-image result");
    QTest::newRow("plain U on an upscale") << action(OperationKind::Upscale, 0) << QStringLiteral("upscale")
                                           << false << QStringLiteral("only a four-image result");
    QTest::newRow("tile 0 on a grid")
        << action(OperationKind::Vary, 0) << QStringLiteral("grid") << false << QStringLiteral("(1-4)");
    QTest::newRow("tile 2 of an upscale") << action(OperationKind::Inpaint, 2) << QStringLiteral("upscale")
                                          << false << QStringLiteral("no image 2");
    QTest::newRow("pan") << action(OperationKind::Pan, 0) << QStringLiteral("upscale") << false
                         << QStringLiteral("apixo has no pan");
    QTest::newRow("zoom") << action(OperationKind::Zoom, 0) << QStringLiteral("upscale") << false
                          << QStringLiteral("apixo has no zoom");
    QTest::newRow("reroll") << action(OperationKind::Reroll, 0) << QStringLiteral("grid") << false
                            << QStringLiteral("apixo has no reroll");
    QTest::newRow("seed") << action(OperationKind::Seed, 0) << QStringLiteral("grid") << false
                          << QStringLiteral("apixo has no seed");
    QTest::newRow("no parent") << action(OperationKind::Vary, 1) << QString() << false
                               << QStringLiteral("Select a finished task");
    QTest::newRow("parent still running") << action(OperationKind::Vary, 1) << QStringLiteral("running")
                                          << false << QStringLiteral("not finished");
    QTest::newRow("parent without an apixo id")
        << action(OperationKind::Vary, 1) << QStringLiteral("no-remote-id") << false
        << QStringLiteral("no apixo id");
    QTest::newRow("vary region on a tile whose URL is gone")
        << action(OperationKind::Inpaint, 2) << QStringLiteral("expired-url") << false
        << QStringLiteral("remote URL");
    QTest::newRow("upscale subtle") << action(OperationKind::Upscale, 1, QStringLiteral("subtle"))
                                    << QStringLiteral("grid") << false << QStringLiteral("subtle");
}

void TestApixoAdapter::availability()
{
    QFETCH(Operation, op);
    QFETCH(QString, parent);
    QFETCH(bool, enabled);
    QFETCH(QString, reason);
    const std::optional<Task> task
        = parent.isEmpty() ? std::nullopt : std::optional<Task>(parentNamed(parent));
    const Availability a = m_adapter.availability(op, task ? &*task : nullptr, account());
    QCOMPARE(a.enabled, enabled);
    QVERIFY2(a.reason.contains(reason), qPrintable(a.reason));
}

void TestApixoAdapter::pollPolicy_data()
{
    QTest::addColumn<QString>("speed");
    QTest::addColumn<QJsonObject>("accountOptions");
    QTest::addColumn<int>("first");
    QTest::addColumn<int>("interval");
    QTest::addColumn<qint64>("timeout");

    const qint64 tenMinutes = 600'000;
    QTest::newRow("default") << QString() << QJsonObject() << 20'000 << 3000 << tenMinutes;
    QTest::newRow("fast") << QStringLiteral("fast") << QJsonObject() << 20'000 << 3000 << tenMinutes;
    QTest::newRow("turbo") << QStringLiteral("turbo") << QJsonObject() << 10'000 << 3000 << tenMinutes;
    QTest::newRow("overrides") << QStringLiteral("turbo")
                               << QJsonObject {{QStringLiteral("first-poll"), QStringLiteral("2.5")},
                                               {QStringLiteral("poll-interval"), QStringLiteral("4")},
                                               {QStringLiteral("timeout"), QStringLiteral("60")}}
                               << 2500 << 4000 << qint64(60'000);
}

void TestApixoAdapter::pollPolicy()
{
    QFETCH(QString, speed);
    QFETCH(QJsonObject, accountOptions);
    QFETCH(int, first);
    QFETCH(int, interval);
    QFETCH(qint64, timeout);
    Operation op = imagine();
    op.speed = speed;
    const PollPolicy p = m_adapter.pollPolicy(op, account(accountOptions));
    QCOMPARE(p.firstPollMs, first);
    QCOMPARE(p.intervalMs, interval);
    QCOMPARE(p.maxIntervalMs, interval);
    QCOMPARE(p.maxPolls, 0);
    QCOMPARE(p.timeoutMs, timeout);
}

QTEST_GUILESS_MAIN(TestApixoAdapter)
#include "tst_apixoadapter.moc"
