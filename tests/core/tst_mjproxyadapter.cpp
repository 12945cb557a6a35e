// MjproxyAdapter against midjourney-proxy's own shapes (PROVIDERS.md §4,
// vendor-docs/mj-proxy-gateway-api.en.md): every request body, every button, the modal flow, every envelope
// code and task status, malformed answers.

#include "model/promptflags.h"
#include "providers/mjproxy/mjproxyadapter.h"

#include <QBuffer>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPainter>
#include <QTest>
#include <QTimeZone>

using namespace tessera;
using tessera::mjproxy::MjproxyAdapter;

namespace {

QByteArray fixture(const QString &name)
{
    QFile file(QStringLiteral(TESSERA_FIXTURES "/mjproxy/") + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray requestFixture(const QString &name)
{
    return compact(QJsonDocument::fromJson(fixture(QStringLiteral("requests/") + name)).object());
}

QByteArray bodyOf(const HttpCall &call)
{
    return call.body ? compact(call.body->object()) : QByteArray();
}

HttpResponse answer(int status, const QByteArray &body, QList<QPair<QByteArray, QByteArray>> headers = {})
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers = std::move(headers);
    r.received = QDateTime(QDate(2025, 3, 9), QTime(12, 0), QTimeZone::utc());
    return r;
}

HttpResponse fixtureAnswer(const QString &name, int status = 200)
{
    return answer(status, fixture(name));
}

Account account(const QString &prefix = {}, const QString &auth = {})
{
    Account a;
    a.id = QStringLiteral("acc-1");
    a.family = QStringLiteral("mjproxy");
    a.name = QStringLiteral("gateway");
    a.baseUrl = QStringLiteral("https://gw.example.com");
    if (!prefix.isNull())
        a.options.insert(QStringLiteral("prefix"), prefix);
    if (!auth.isNull())
        a.options.insert(QStringLiteral("auth"), auth);
    return a;
}

const MjproxyAdapter &adapter()
{
    static const MjproxyAdapter instance;
    return instance;
}

// A parent as the engine stores it: what parseStatus said about the fixture, plus its images.
Task parentFrom(const QString &fixtureName, bool grid, QSize size = QSize(1024, 1024))
{
    const auto snap = adapter().parseStatus(fixtureAnswer(fixtureName));
    if (!snap)
        qFatal("fixture %s does not parse: %s", qPrintable(fixtureName), qPrintable(snap.error().message));
    Task t;
    t.id = QStringLiteral("tessera-") + fixtureName;
    t.accountId = QStringLiteral("acc-1");
    t.state = TaskState::Succeeded;
    t.remoteId = QJsonDocument::fromJson(fixture(fixtureName)).object().value(QLatin1String("id")).toString();
    t.remote = snap->remote;
    t.prompt = QStringLiteral("cat");
    if (grid) {
        for (int i = 1; i <= 4; ++i)
            t.images.append(ImageRef {ImageRole::Tile, i, {}, size, 0, {}, {}, ImageState::Downloaded, {}, {}});
    } else {
        t.images.append(ImageRef {ImageRole::Upscale, 0, {}, size, 0, {}, {}, ImageState::Downloaded, {}, {}});
    }
    return t;
}

Task gridParent()
{
    return parentFrom(QStringLiteral("task-imagine-success.json"), true);
}

Task upscaleParent(const QString &fixtureName = QStringLiteral("task-upscale-v7.json"),
                   QSize size = QSize(1024, 1024))
{
    return parentFrom(fixtureName, false, size);
}

Operation act(OperationKind kind, int tile = 0, const QString &variant = {})
{
    Operation op = Operation::action(kind, QStringLiteral("parent"), tile);
    op.variant = variant;
    return op;
}

Operation pan(const QString &direction)
{
    Operation op = act(OperationKind::Pan);
    op.direction = direction;
    return op;
}

Operation zoom(const QString &factor, int tile = 0)
{
    Operation op = act(OperationKind::Zoom, tile);
    op.zoomFactor = factor;
    return op;
}

Operation animate(const QString &motion)
{
    Operation op = act(OperationKind::Animate);
    op.motion = motion;
    return op;
}

Operation inpaint(const QByteArray &mask = QByteArrayLiteral("png"), int tile = 0)
{
    Operation op = act(OperationKind::Inpaint, tile);
    op.mask = mask;
    return op;
}

Operation withReferences(Operation op, GenerateType type, const QStringList &references)
{
    op.type = type;
    op.references = references;
    return op;
}

Operation ofKind(OperationKind kind, const QStringList &references = {})
{
    Operation op;
    op.kind = kind;
    op.references = references;
    return op;
}

QByteArray maskPng(QSize size, QRect white)
{
    QImage image(size, QImage::Format_Grayscale8);
    image.fill(Qt::black);
    QPainter(&image).fillRect(white, Qt::white);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

SubmitContext contextWith(const std::optional<Task> &parent, const Account &a = account())
{
    SubmitContext context;
    context.account = a;
    context.parent = parent;
    return context;
}

} // namespace

class TestMjproxyAdapter : public QObject
{
    Q_OBJECT

private slots:
    void identity();
    void capabilities();
    void pollPolicy();
    void prefixAndAuth_data();
    void prefixAndAuth();
    void imagineBodies_data();
    void imagineBodies();
    void normalizeKeepsThePrompt();
    void otherBodies_data();
    void otherBodies();
    void buttons_data();
    void buttons();
    void actionBodyMatchesTheVendorExample();
    void missingButtons_data();
    void missingButtons();
    void availability_data();
    void availability();
    void offeredOnGridTiles_data();
    void offeredOnGridTiles();
    void needsSingleImage_data();
    void needsSingleImage();
    void modalFlow();
    void requiredFieldsAtDefaults_data();
    void requiredFieldsAtDefaults();
    void modalPromptFallbacks();
    void inpaintModalCarriesTheFittedMask();
    void seed();
    void submitCodes_data();
    void submitCodes();
    void submitMalformed_data();
    void submitMalformed();
    void bigIds();
    void statusGrid();
    void statusProgress();
    void statusWaitingStates_data();
    void statusWaitingStates();
    void statusSingleImages_data();
    void statusSingleImages();
    void statusTiles();
    void statusVideos();
    void statusTextResults();
    void statusFailures_data();
    void statusFailures();
    void statusCancelled();
    void statusMalformed_data();
    void statusMalformed();
    void cancel_data();
    void cancel();
    void batch();
    void validation_data();
    void validation();
    void connectionTest_data();
    void connectionTest();
};

void TestMjproxyAdapter::identity()
{
    QCOMPARE(adapter().family(), QStringLiteral("mjproxy"));
    QCOMPARE(adapter().displayName(), QStringLiteral("midjourney-proxy"));
    QVERIFY(!adapter().resubmitIsSafe());
}

void TestMjproxyAdapter::capabilities()
{
    const Capabilities c = adapter().capabilities(account());
    QCOMPARE(c.generateTypes,
             (QList<GenerateType> {GenerateType::Text, GenerateType::Image, GenerateType::Style,
                                   GenerateType::Omni}));
    for (OperationKind kind :
         {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary, OperationKind::Reroll,
          OperationKind::Pan, OperationKind::Zoom, OperationKind::Inpaint, OperationKind::Seed,
          OperationKind::Animate, OperationKind::Describe, OperationKind::Blend, OperationKind::Shorten})
        QVERIFY2(c.supports(kind), qPrintable(operationKindName(kind)));
    QVERIFY(!c.supports(OperationKind::VideoExtend));
    QVERIFY(c.speeds.isEmpty()); // speed is the account's prefix
    QCOMPARE(
        c.versions,
        (QStringList {QStringLiteral("7"), QStringLiteral("6.1"), QStringLiteral("6"), QStringLiteral("5.2"),
                      QStringLiteral("5.1"), QStringLiteral("niji6"), QStringLiteral("niji7")}));
    QVERIFY(c.aspectRatios.contains(QStringLiteral("16:9")));
    QVERIFY(c.chaos.accepts(7) && !c.chaos.accepts(101));
    QVERIFY(c.stylize.accepts(1000) && !c.stylize.accepts(1001));
    QVERIFY(c.weird.accepts(3000) && !c.weird.accepts(3001));
    QVERIFY(c.omniWeight.accepts(1) && !c.omniWeight.accepts(0));
    QCOMPARE(c.upscaleVariants,
             (QStringList {QStringLiteral("subtle"), QStringLiteral("creative"), QStringLiteral("2x"),
                           QStringLiteral("4x")}));
    QCOMPARE(c.varyVariants, (QStringList {QStringLiteral("subtle"), QStringLiteral("strong")}));
    QVERIFY(c.serverCancel);
    QVERIFY(c.reportsProgress);
    QCOMPARE(c.maxReferences, 5);
    QCOMPARE(c.maxPromptLength, 2000);
}

void TestMjproxyAdapter::pollPolicy()
{
    const PollPolicy p = adapter().pollPolicy(Operation::imagine(QStringLiteral("cat")), account());
    QCOMPARE(p.firstPollMs, 3000);
    QCOMPARE(p.intervalMs, 3000);
    QCOMPARE(p.maxIntervalMs, 3000);
    QCOMPARE(p.maxPolls, 0);
    QCOMPARE(p.timeoutMs, qint64(600000));

    Account custom = account();
    custom.options.insert(QStringLiteral("first-poll"), QStringLiteral("1.5"));
    custom.options.insert(QStringLiteral("poll-interval"), QStringLiteral("10"));
    custom.options.insert(QStringLiteral("timeout"), QStringLiteral("60"));
    const PollPolicy o = adapter().pollPolicy(Operation::imagine(QStringLiteral("cat")), custom);
    QCOMPARE(o.firstPollMs, 1500);
    QCOMPARE(o.intervalMs, 10000);
    QCOMPARE(o.timeoutMs, qint64(60000));
}

void TestMjproxyAdapter::prefixAndAuth_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("auth");
    QTest::addColumn<QString>("expectedPrefix");
    QTest::addColumn<HttpCall::Auth>("expectedAuth");

    QTest::newRow("defaults") << QString() << QString() << QString() << HttpCall::Auth::Bearer;
    QTest::newRow("empty options") << QStringLiteral("") << QStringLiteral("") << QString()
                                   << HttpCall::Auth::Bearer;
    QTest::newRow("/mj-fast bearer") << QStringLiteral("/mj-fast") << QStringLiteral("bearer")
                                     << QStringLiteral("/mj-fast") << HttpCall::Auth::Bearer;
    QTest::newRow("no leading slash") << QStringLiteral("mj-relax") << QStringLiteral("raw")
                                      << QStringLiteral("/mj-relax") << HttpCall::Auth::Raw;
    QTest::newRow("trailing slash") << QStringLiteral("/mj-turbo/") << QStringLiteral("mj-api-secret")
                                    << QStringLiteral("/mj-turbo") << HttpCall::Auth::MjApiSecret;
    QTest::newRow("gateway style, spaces") << QStringLiteral("  fast// ") << QStringLiteral(" RAW ")
                                           << QStringLiteral("/fast") << HttpCall::Auth::Raw;
    QTest::newRow("just a slash") << QStringLiteral("/") << QStringLiteral("Bearer") << QString()
                                  << HttpCall::Auth::Bearer;
}

void TestMjproxyAdapter::prefixAndAuth()
{
    QFETCH(QString, prefix);
    QFETCH(QString, auth);
    QFETCH(QString, expectedPrefix);
    QFETCH(HttpCall::Auth, expectedAuth);
    const Account a = account(prefix, auth);
    QCOMPARE(MjproxyAdapter::pathPrefix(a), expectedPrefix);
    QCOMPARE(MjproxyAdapter::authStyle(a), expectedAuth);

    const auto imagine = adapter().buildSubmit(Operation::imagine(QStringLiteral("cat")), contextWith({}, a));
    QVERIFY(imagine);
    QCOMPARE(imagine->method, QByteArray("POST"));
    QCOMPARE(imagine->path, expectedPrefix + QStringLiteral("/mj/submit/imagine"));
    QCOMPARE(imagine->auth, expectedAuth);
    QCOMPARE(imagine->purpose, HttpCall::Purpose::Submit);
    QVERIFY(imagine->query.isEmpty());

    const HttpCall status = adapter().buildStatus(QStringLiteral("1320098173412546"), a);
    QCOMPARE(status.method, QByteArray("GET"));
    QCOMPARE(status.path, expectedPrefix + QStringLiteral("/mj/task/1320098173412546/fetch"));
    QCOMPARE(status.auth, expectedAuth);
    QCOMPARE(status.purpose, HttpCall::Purpose::Status);
    QVERIFY(!status.body);

    const auto cancel = adapter().buildCancel(QStringLiteral("1320098173412546"), a);
    QVERIFY(cancel);
    QCOMPARE(cancel->path, expectedPrefix + QStringLiteral("/mj/task/1320098173412546/cancel"));
    QCOMPARE(cancel->auth, expectedAuth);

    const HttpCall batch = MjproxyAdapter::buildBatchStatus({QStringLiteral("1")}, a);
    QCOMPARE(batch.path, expectedPrefix + QStringLiteral("/mj/task/list-by-condition"));
    QCOMPARE(batch.auth, expectedAuth);

    const auto action = adapter().buildSubmit(act(OperationKind::Upscale, 1), contextWith(gridParent(), a));
    QVERIFY(action);
    QCOMPARE(action->path, expectedPrefix + QStringLiteral("/mj/submit/action"));
    QCOMPARE(action->auth, expectedAuth);

    const auto modal = adapter().buildModal(act(OperationKind::Vary, 1), contextWith(gridParent(), a),
                                            QStringLiteral("99"));
    QVERIFY(modal);
    QCOMPARE(modal->path, expectedPrefix + QStringLiteral("/mj/submit/modal"));
    QCOMPARE(modal->auth, expectedAuth);

    const auto seed = adapter().buildSubmit(act(OperationKind::Seed), contextWith(gridParent(), a));
    QVERIFY(seed);
    QCOMPARE(seed->path, expectedPrefix + QStringLiteral("/mj/task/1320098173412546/image-seed"));
    QCOMPARE(seed->auth, expectedAuth);
}

void TestMjproxyAdapter::imagineBodies_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("expected");

    QTest::newRow("text, as in the vendor doc")
        << Operation::imagine(QStringLiteral("black cat")) << QStringLiteral("imagine-text.json");

    Operation fields = Operation::imagine(QStringLiteral("a red fox"));
    fields.aspectRatio = QStringLiteral("16:9");
    fields.version = QStringLiteral("7");
    fields.chaos = 10;
    fields.stylize = 100;
    fields.weird = 0;
    fields.seed = 42;
    QTest::newRow("structured fields become flags") << fields << QStringLiteral("imagine-fields.json");

    Operation typed = Operation::imagine(QStringLiteral("a fox --ar 16:9 --no trees"));
    typed.aspectRatio = QStringLiteral("16:9"); // typed already: not repeated
    typed.version = QStringLiteral("niji6");
    QTest::newRow("typed flags kept, no duplicate") << typed << QStringLiteral("imagine-typed.json");

    QTest::newRow("typed niji picks the niji bot")
        << Operation::imagine(QStringLiteral("  a fox --niji 6 --s 250 "))
        << QStringLiteral("imagine-typed-niji.json");

    Operation image = withReferences(
        Operation::imagine(QStringLiteral("a cat in a hat")), GenerateType::Image,
        {QStringLiteral("https://example.com/a.png"), QStringLiteral("data:image/png;base64,iVBORw0KGgo="),
         QStringLiteral("https://example.com/b.png")});
    image.version = QStringLiteral("6.1");
    QTest::newRow("image: links first, files in base64Array")
        << image << QStringLiteral("imagine-image.json");

    QTest::newRow("image: local files only")
        << withReferences(Operation::imagine(QStringLiteral("a cat in a hat")), GenerateType::Image,
                          {QStringLiteral("data:image/png;base64,iVBORw0KGgo="),
                           QStringLiteral("data:image/jpeg;base64,/9j/4AAQ")})
        << QStringLiteral("imagine-image-local.json");

    Operation style = withReferences(
        Operation::imagine(QStringLiteral("a cat")), GenerateType::Style,
        {QStringLiteral("https://example.com/style1.png"), QStringLiteral("https://example.com/style2.png")});
    style.aspectRatio = QStringLiteral("2:3");
    QTest::newRow("style: --sref links") << style << QStringLiteral("imagine-style.json");

    Operation omni = withReferences(Operation::imagine(QStringLiteral("a cat")), GenerateType::Omni,
                                    {QStringLiteral("https://example.com/person.png")});
    omni.version = QStringLiteral("7");
    omni.omniWeight = 250;
    QTest::newRow("omni: --oref and --ow") << omni << QStringLiteral("imagine-omni.json");
}

void TestMjproxyAdapter::imagineBodies()
{
    QFETCH(Operation, op);
    QFETCH(QString, expected);
    const auto normalized = adapter().normalize(op);
    QVERIFY(normalized);
    QVERIFY2(adapter().validate(*normalized, account()), "validate refused the operation");
    const auto call = adapter().buildSubmit(*normalized, contextWith({}));
    QVERIFY(call);
    QCOMPARE(call->path, QStringLiteral("/mj/submit/imagine"));
    QCOMPARE(bodyOf(*call), requestFixture(expected));
}

void TestMjproxyAdapter::normalizeKeepsThePrompt()
{
    const Operation op
        = Operation::imagine(QStringLiteral("a fox --ar 16:9 --v 7 --chaos 10 --fast --no red"));
    const auto normalized = adapter().normalize(op);
    QVERIFY(normalized);
    QCOMPARE(*normalized, op); // nothing lifted into the fields

    Operation remix = act(OperationKind::Vary, 2);
    remix.prompt = QStringLiteral("with a crown --ar 1:1");
    QCOMPARE(*adapter().normalize(remix), remix);

    const auto broken = adapter().normalize(Operation::imagine(QStringLiteral("a fox --chaos lots")));
    QVERIFY(!broken);
    QCOMPARE(broken.error().kind, Error::Kind::InvalidRequest);
    QVERIFY(broken.error().message.startsWith(QStringLiteral("prompt: ")));
}

void TestMjproxyAdapter::otherBodies_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");

    Operation blend = ofKind(
        OperationKind::Blend,
        {QStringLiteral("data:image/png;base64,xxx1"), QStringLiteral("data:image/png;base64,xxx2")});
    blend.dimensions = QStringLiteral("square");
    QTest::newRow("blend") << blend << QStringLiteral("/mj/submit/blend") << QStringLiteral("blend.json");
    QTest::newRow("blend without dimensions")
        << ofKind(OperationKind::Blend,
                  {QStringLiteral("data:image/png;base64,xxx1"), QStringLiteral("data:image/png;base64,xxx2"),
                   QStringLiteral("data:image/png;base64,xxx3")})
        << QStringLiteral("/mj/submit/blend") << QStringLiteral("blend-no-dimensions.json");
    QTest::newRow("describe") << ofKind(OperationKind::Describe,
                                        {QStringLiteral("data:image/png;base64,xxx")})
                              << QStringLiteral("/mj/submit/describe") << QStringLiteral("describe.json");
    Operation shorten = ofKind(OperationKind::Shorten);
    shorten.prompt = QStringLiteral("Cat");
    QTest::newRow("shorten") << shorten << QStringLiteral("/mj/submit/shorten")
                             << QStringLiteral("shorten.json");
}

void TestMjproxyAdapter::otherBodies()
{
    QFETCH(Operation, op);
    QFETCH(QString, path);
    QFETCH(QString, expected);
    QVERIFY(op.validate());
    QVERIFY(adapter().validate(op, account()));
    QVERIFY(adapter().availability(op, nullptr, account()).enabled);
    const auto call = adapter().buildSubmit(op, contextWith({}));
    QVERIFY(call);
    QCOMPARE(call->method, QByteArray("POST"));
    QCOMPARE(call->path, path);
    QCOMPARE(call->purpose, HttpCall::Purpose::Submit);
    QCOMPARE(bodyOf(*call), requestFixture(expected));
}

void TestMjproxyAdapter::buttons_data()
{
    QTest::addColumn<QString>("parentFixture");
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("customId");

    const QString grid = QStringLiteral("task-imagine-success.json");
    const QString gridHash = QStringLiteral("26d56b92-4ed6-45e2-8561-563797923135");
    for (int tile = 1; tile <= 4; ++tile) {
        QTest::addRow("U%d", tile) << grid << act(OperationKind::Upscale, tile)
                                   << QStringLiteral("MJ::JOB::upsample::%1::%2").arg(tile).arg(gridHash);
        QTest::addRow("V%d", tile) << grid << act(OperationKind::Vary, tile)
                                   << QStringLiteral("MJ::JOB::variation::%1::%2").arg(tile).arg(gridHash);
    }
    QTest::newRow("reroll") << grid << act(OperationKind::Reroll)
                            << QStringLiteral("MJ::JOB::reroll::0::%1::SOLO").arg(gridHash);
    QTest::newRow("reroll with a tile selected")
        << grid << act(OperationKind::Reroll, 3)
        << QStringLiteral("MJ::JOB::reroll::0::%1::SOLO").arg(gridHash);

    const QString v7 = QStringLiteral("task-upscale-v7.json");
    const auto solo = [](const QString &name) {
        return QStringLiteral("MJ::JOB::%1::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO").arg(name);
    };
    QTest::newRow("v7 upscale subtle") << v7 << act(OperationKind::Upscale, 0, QStringLiteral("subtle"))
                                       << solo(QStringLiteral("upsample_v7_2x_subtle"));
    QTest::newRow("v7 upscale creative") << v7 << act(OperationKind::Upscale, 0, QStringLiteral("creative"))
                                         << solo(QStringLiteral("upsample_v7_2x_creative"));
    QTest::newRow("vary subtle") << v7 << act(OperationKind::Vary, 0, QStringLiteral("subtle"))
                                 << solo(QStringLiteral("low_variation"));
    QTest::newRow("vary strong") << v7 << act(OperationKind::Vary, 0, QStringLiteral("strong"))
                                 << solo(QStringLiteral("high_variation"));
    QTest::newRow("vary region") << v7 << inpaint()
                                 << QStringLiteral(
                                        "MJ::Inpaint::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO");
    QTest::newRow("zoom 2x") << v7 << zoom(QStringLiteral("2"))
                             << QStringLiteral(
                                    "MJ::Outpaint::50::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO");
    QTest::newRow("zoom 2.0") << v7 << zoom(QStringLiteral("2.0"))
                              << QStringLiteral(
                                     "MJ::Outpaint::50::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO");
    QTest::newRow("zoom 1.5x") << v7 << zoom(QStringLiteral("1.5"))
                               << QStringLiteral(
                                      "MJ::Outpaint::75::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO");
    QTest::newRow("custom zoom 1.8") << v7 << zoom(QStringLiteral("1.8"))
                                     << QStringLiteral(
                                            "MJ::CustomZoom::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11");
    QTest::newRow("pan left") << v7 << pan(QStringLiteral("left")) << solo(QStringLiteral("pan_left"));
    QTest::newRow("pan right") << v7 << pan(QStringLiteral("right")) << solo(QStringLiteral("pan_right"));
    QTest::newRow("pan up") << v7 << pan(QStringLiteral("up")) << solo(QStringLiteral("pan_up"));
    QTest::newRow("pan down") << v7 << pan(QStringLiteral("down")) << solo(QStringLiteral("pan_down"));
    QTest::newRow("animate high") << v7 << animate(QStringLiteral("high"))
                                  << solo(QStringLiteral("animate_high"));
    QTest::newRow("animate low") << v7 << animate(QStringLiteral("low"))
                                 << solo(QStringLiteral("animate_low"));
    QTest::newRow("animate, motion unset = low")
        << v7 << animate(QString()) << solo(QStringLiteral("animate_low"));

    QTest::newRow("v6 upscale subtle")
        << QStringLiteral("task-upscale-v6.json") << act(OperationKind::Upscale, 0, QStringLiteral("subtle"))
        << QStringLiteral("MJ::JOB::upsample_v6_2x_subtle::1::7af96d1a-67c7-4d74-b173-8430c98c7631::SOLO");
    QTest::newRow("v6 upscale creative")
        << QStringLiteral("task-upscale-v6.json")
        << act(OperationKind::Upscale, 0, QStringLiteral("creative"))
        << QStringLiteral("MJ::JOB::upsample_v6_2x_creative::1::7af96d1a-67c7-4d74-b173-8430c98c7631::SOLO");
    QTest::newRow("v6.1 upscale subtle")
        << QStringLiteral("task-upscale-v6r1.json")
        << act(OperationKind::Upscale, 0, QStringLiteral("subtle"))
        << QStringLiteral("MJ::JOB::upsample_v6r1_2x_subtle::1::4b0f3a52-9a6e-4e4c-8f9a-0b0b6b7b1c11::SOLO");
    QTest::newRow("v6.1 upscale creative")
        << QStringLiteral("task-upscale-v6r1.json")
        << act(OperationKind::Upscale, 0, QStringLiteral("creative"))
        << QStringLiteral(
               "MJ::JOB::upsample_v6r1_2x_creative::1::4b0f3a52-9a6e-4e4c-8f9a-0b0b6b7b1c11::SOLO");
    QTest::newRow("v5 upscale 2x")
        << QStringLiteral("task-upscale-v5.json") << act(OperationKind::Upscale, 0, QStringLiteral("2x"))
        << QStringLiteral("MJ::JOB::upsample_v5_2x::1::39d7cf9f-c2f0-4adf-a124-0020fb9f867f::SOLO");
    QTest::newRow("v5 upscale 4x")
        << QStringLiteral("task-upscale-v5.json") << act(OperationKind::Upscale, 0, QStringLiteral("4x"))
        << QStringLiteral("MJ::JOB::upsample_v5_4x::1::39d7cf9f-c2f0-4adf-a124-0020fb9f867f::SOLO");
    QTest::newRow("zoom 2x without Zoom Out button: custom zoom")
        << QStringLiteral("task-upscale-v5.json") << zoom(QStringLiteral("2"))
        << QStringLiteral("MJ::CustomZoom::39d7cf9f-c2f0-4adf-a124-0020fb9f867f");
}

void TestMjproxyAdapter::buttons()
{
    QFETCH(QString, parentFixture);
    QFETCH(Operation, op);
    QFETCH(QString, customId);
    const bool grid = parentFixture == QLatin1String("task-imagine-success.json");
    const Task parent = parentFrom(parentFixture, grid);
    QVERIFY(op.validate());
    QVERIFY(adapter().validate(op, account()));
    const Availability available = adapter().availability(op, &parent, account());
    QVERIFY2(available.enabled, qPrintable(available.reason));

    const auto call = adapter().buildSubmit(op, contextWith(parent));
    QVERIFY2(call, call ? "" : qPrintable(call.error().message));
    QCOMPARE(call->method, QByteArray("POST"));
    QCOMPARE(call->path, QStringLiteral("/mj/submit/action"));
    QCOMPARE(call->purpose, HttpCall::Purpose::Submit);
    QCOMPARE(call->auth, HttpCall::Auth::Bearer);
    QJsonObject expected;
    expected.insert(QStringLiteral("customId"), customId);
    expected.insert(QStringLiteral("taskId"), parent.remoteId);
    QCOMPARE(bodyOf(*call), compact(expected));
}

void TestMjproxyAdapter::actionBodyMatchesTheVendorExample()
{
    const auto call = adapter().buildSubmit(act(OperationKind::Upscale, 2), contextWith(gridParent()));
    QVERIFY(call);
    QCOMPARE(bodyOf(*call), requestFixture(QStringLiteral("action-upsample.json")));

    // Without a stored remote id there is nothing to act on.
    Task orphan = gridParent();
    orphan.remoteId.clear();
    const auto refused = adapter().buildSubmit(act(OperationKind::Upscale, 2), contextWith(orphan));
    QVERIFY(!refused);
    QVERIFY(refused.error().message.startsWith(QStringLiteral("parent: ")));
    QVERIFY(!adapter().buildSubmit(act(OperationKind::Upscale, 2), contextWith({})));
}

void TestMjproxyAdapter::missingButtons_data()
{
    QTest::addColumn<QString>("parentFixture");
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("reason");

    QTest::newRow("v6 has no pan") << QStringLiteral("task-upscale-v6.json") << pan(QStringLiteral("left"))
                                   << QStringLiteral("This result has no Pan ← button");
    QTest::newRow("v6.1 has no vary subtle")
        << QStringLiteral("task-upscale-v6r1.json") << act(OperationKind::Vary, 0, QStringLiteral("subtle"))
        << QStringLiteral("This result has no Vary (Subtle) button");
    QTest::newRow("v5 has no subtle upscale")
        << QStringLiteral("task-upscale-v5.json") << act(OperationKind::Upscale, 0, QStringLiteral("subtle"))
        << QStringLiteral("This result has no Upscale (Subtle) button");
    QTest::newRow("v7 has no 4x") << QStringLiteral("task-upscale-v7.json")
                                  << act(OperationKind::Upscale, 0, QStringLiteral("4x"))
                                  << QStringLiteral("This result has no Upscale (4x) button");
    QTest::newRow("v6 has no vary region") << QStringLiteral("task-upscale-v6.json") << inpaint()
                                           << QStringLiteral("This result has no Vary (Region) button");
    QTest::newRow("v6 has no zoom") << QStringLiteral("task-upscale-v6.json") << zoom(QStringLiteral("1.5"))
                                    << QStringLiteral("This result has no Zoom Out 1.5x button");
    QTest::newRow("v6 has no custom zoom")
        << QStringLiteral("task-upscale-v6.json") << zoom(QStringLiteral("1.3"))
        << QStringLiteral("This result has no Custom Zoom button");
    QTest::newRow("v6 has no animate")
        << QStringLiteral("task-upscale-v6.json") << animate(QStringLiteral("high"))
        << QStringLiteral("This result has no Animate (High motion) button");
    QTest::newRow("an upscale has no reroll")
        << QStringLiteral("task-upscale-v7.json") << act(OperationKind::Reroll)
        << QStringLiteral("This result has no Reroll button");
}

void TestMjproxyAdapter::missingButtons()
{
    QFETCH(QString, parentFixture);
    QFETCH(Operation, op);
    QFETCH(QString, reason);
    const Task parent = upscaleParent(parentFixture);
    const Availability available = adapter().availability(op, &parent, account());
    QVERIFY(!available.enabled);
    QCOMPARE(available.reason, reason);
    const auto call = adapter().buildSubmit(op, contextWith(parent));
    QVERIFY(!call);
    QCOMPARE(call.error().kind, Error::Kind::Unsupported);
    QCOMPARE(call.error().message, reason);
}

void TestMjproxyAdapter::availability_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<int>(
        "parentKind"); // 0 none, 1 grid, 2 upscale v7, 3 grid still running, 4 grid without buttons
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<QString>("reason");

    QTest::newRow("imagine") << Operation::imagine(QStringLiteral("cat")) << 0 << true << QString();
    QTest::newRow("imagine video")
        << withReferences(Operation::imagine(QStringLiteral("cat")), GenerateType::Video, {}) << 0 << false
        << QStringLiteral("midjourney-proxy makes videos with Animate on an upscaled image");
    QTest::newRow("video extend") << act(OperationKind::VideoExtend, 1) << 1 << false
                                  << QStringLiteral("midjourney-proxy has no video extend");
    QTest::newRow("action without parent")
        << act(OperationKind::Upscale, 1) << 0 << false << QStringLiteral("Select a finished task first");
    QTest::newRow("parent still running")
        << act(OperationKind::Upscale, 1) << 3 << false << QStringLiteral("The task has not finished yet");
    QTest::newRow("seed on a grid") << act(OperationKind::Seed) << 1 << true << QString();
    QTest::newRow("seed on an upscale") << act(OperationKind::Seed) << 2 << true << QString();
    QTest::newRow("pan on grid tile: U chained first") << [] {
        Operation op = pan(QStringLiteral("left"));
        op.tile = 2;
        return op;
    }() << 1 << true << QString();
    QTest::newRow("zoom on grid tile") << zoom(QStringLiteral("1.7"), 3) << 1 << true << QString();
    QTest::newRow("vary region on grid tile")
        << inpaint(QByteArrayLiteral("png"), 4) << 1 << true << QString();
    QTest::newRow("upscale subtle on grid tile")
        << act(OperationKind::Upscale, 1, QStringLiteral("subtle")) << 1 << true << QString();
    QTest::newRow("vary strong on grid tile")
        << act(OperationKind::Vary, 1, QStringLiteral("strong")) << 1 << true << QString();
    QTest::newRow("pan on a grid without a tile")
        << pan(QStringLiteral("up")) << 1 << false << QStringLiteral("Select one of the four images (1-4)");
    QTest::newRow("pan on a grid whose U button is gone") << [] {
        Operation op = pan(QStringLiteral("left"));
        op.tile = 2;
        return op;
    }() << 4 << false << QStringLiteral("This result has no U2 button, which Pan ← needs first");
    QTest::newRow("U on an upscale")
        << act(OperationKind::Upscale, 2) << 2 << false
        << QStringLiteral("This is already an upscaled image; choose a variant such as Subtle or Creative");
    QTest::newRow("pan on an upscale with a tile") << [] {
        Operation op = pan(QStringLiteral("left"));
        op.tile = 2;
        return op;
    }() << 2 << false << QStringLiteral("This is a single image: act on it without choosing a tile");
    QTest::newRow("V without a tile on a grid")
        << act(OperationKind::Vary, 0) << 1 << false << QStringLiteral("Select one of the four images (1-4)");
    QTest::newRow("V on an upscale")
        << act(OperationKind::Vary, 0) << 2 << false
        << QStringLiteral("This is an upscaled image; choose Vary (Subtle) or Vary (Strong)");
    QTest::newRow("pan on an upscale") << pan(QStringLiteral("down")) << 2 << true << QString();
    QTest::newRow("describe") << ofKind(OperationKind::Describe) << 0 << true << QString();
}

void TestMjproxyAdapter::availability()
{
    QFETCH(Operation, op);
    QFETCH(int, parentKind);
    QFETCH(bool, enabled);
    QFETCH(QString, reason);
    std::optional<Task> parent;
    if (parentKind == 1 || parentKind == 3)
        parent = gridParent();
    else if (parentKind == 2)
        parent = upscaleParent();
    else if (parentKind == 4) {
        parent = gridParent();
        QJsonArray buttons = parent->remote.value(QLatin1String("buttons")).toArray();
        buttons.removeAt(1); // U2
        parent->remote.insert(QStringLiteral("buttons"), buttons);
    }
    if (parentKind == 3)
        parent->state = TaskState::Running;
    const Availability a = adapter().availability(op, parent ? &*parent : nullptr, account());
    QCOMPARE(a.enabled, enabled);
    QCOMPARE(a.reason, reason);
}

// Issue 12: an action that runs on the upscale of a tile is offered exactly when that upscale will carry
// its button, predicted from the grid's model version (PROVIDERS.md §4 table): 2x/4x only on version 5,
// subtle/creative from version 6, pan, zoom, vary region and vary subtle/strong from 5.2. Where it cannot be
// known (no version named for 2x/4x; Animate, which depends on the server) the action is offered with a
// caveat that the GUI asks about before the U is paid for.
void TestMjproxyAdapter::offeredOnGridTiles_data()
{
    QTest::addColumn<QString>("prompt"); // the grid's prompt as sent
    QTest::addColumn<QString>("version"); // the grid operation's version field
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("expected"); // "yes", "no: <reason>", "maybe: <part of the caveat>"

    const auto on = [](Operation op) {
        op.tile = 2;
        return op;
    };
    const Operation u2x = on(act(OperationKind::Upscale, 2, QStringLiteral("2x")));
    const Operation u4x = on(act(OperationKind::Upscale, 2, QStringLiteral("4x")));
    const Operation subtle = on(act(OperationKind::Upscale, 2, QStringLiteral("subtle")));
    const Operation creative = on(act(OperationKind::Upscale, 2, QStringLiteral("creative")));
    const Operation strong = on(act(OperationKind::Vary, 2, QStringLiteral("strong")));
    const Operation left = on(pan(QStringLiteral("left")));
    const Operation zoom2 = zoom(QStringLiteral("2"), 2);
    const Operation zoomCustom = zoom(QStringLiteral("1.3"), 2);
    const Operation region = inpaint(QByteArrayLiteral("png"), 2);
    const Operation video = on(animate(QStringLiteral("high")));
    const QString none;
    const QString sixOnly = QStringLiteral("no: Upscale (%1) exists on version 6 and later upscales; this grid is version %2");
    const QString fiveOnly = QStringLiteral("no: Upscale (%1) exists only on version 5 upscales; this grid is version %2");

    QTest::newRow("no version: 2x") << "cat" << none << u2x << "maybe: prompt names no version";
    QTest::newRow("no version: 4x") << "cat" << none << u4x << "maybe: prompt names no version";
    QTest::newRow("no version: subtle") << "cat" << none << subtle << "yes";
    QTest::newRow("no version: pan") << "cat" << none << left << "yes";
    QTest::newRow("no version: vary region") << "cat" << none << region << "yes";
    QTest::newRow("no version: animate") << "cat" << none << video << "maybe: depends on the server";
    QTest::newRow("v5.2: 2x") << "cat --v 5.2" << none << u2x << "yes";
    QTest::newRow("v5.2: 4x") << "cat --v 5.2" << none << u4x << "yes";
    QTest::newRow("v5.2: creative") << "cat --v 5.2" << none << creative << sixOnly.arg(QStringLiteral("Creative"), QStringLiteral("5.2"));
    QTest::newRow("v5.2: vary strong") << "cat --v 5.2" << none << strong << "yes";
    QTest::newRow("v5.2: zoom out 2x") << "cat --v 5.2" << none << zoom2 << "yes";
    QTest::newRow("v5.1: pan") << "cat --v 5.1" << none << left
                               << "no: Pan ← needs version 5.2 or later; this grid is version 5.1";
    QTest::newRow("v5.1: vary region") << "cat --version 5.1" << none << region
                                       << "no: Vary (Region) needs version 5.2 or later; this grid is version 5.1";
    QTest::newRow("v5.1: 4x") << "cat --v 5.1" << none << u4x << "yes";
    QTest::newRow("v6: creative") << "cat --v 6" << none << creative << "yes";
    QTest::newRow("v6: 2x") << "cat --v 6" << none << u2x << fiveOnly.arg(QStringLiteral("2x"), QStringLiteral("6"));
    QTest::newRow("v6.1: 4x") << "cat --v 6.1" << none << u4x << fiveOnly.arg(QStringLiteral("4x"), QStringLiteral("6.1"));
    QTest::newRow("v7: subtle") << "cat --v 7" << none << subtle << "yes";
    QTest::newRow("v7: custom zoom") << "cat --v 7" << none << zoomCustom << "yes";
    QTest::newRow("v7: animate") << "cat --v 7" << none << video << "maybe: depends on the server";
    QTest::newRow("niji 6: 2x") << "cat --niji 6" << none << u2x << fiveOnly.arg(QStringLiteral("2x"), QStringLiteral("niji 6"));
    QTest::newRow("niji 5: 2x") << "cat --niji 5" << none << u2x << "yes";
    QTest::newRow("version field 7: 4x") << "cat" << "7" << u4x << fiveOnly.arg(QStringLiteral("4x"), QStringLiteral("7"));
    QTest::newRow("version field 5.2: 4x") << "cat" << "5.2" << u4x << "yes";
}

void TestMjproxyAdapter::offeredOnGridTiles()
{
    QFETCH(QString, prompt);
    QFETCH(QString, version);
    QFETCH(Operation, op);
    QFETCH(QString, expected);
    Task grid = gridParent();
    grid.prompt = prompt;
    grid.operation = Operation::imagine(prompt);
    grid.operation.version = version;
    const Availability a = adapter().availability(op, &grid, account());
    if (expected == QLatin1String("yes")) {
        QVERIFY2(a.enabled, qPrintable(a.reason));
        QVERIFY2(a.caveat.isEmpty(), qPrintable(a.caveat));
    } else if (expected.startsWith(QLatin1String("no: "))) {
        QVERIFY(!a.enabled);
        QCOMPARE(a.reason, expected.mid(4));
    } else {
        QVERIFY2(a.enabled, qPrintable(a.reason));
        QVERIFY2(a.caveat.contains(expected.mid(7)), qPrintable(a.caveat));
        QVERIFY2(a.caveat.contains(QLatin1String("U2 is made (and charged) first")), qPrintable(a.caveat));
    }
}

void TestMjproxyAdapter::needsSingleImage_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<bool>("single");
    QTest::newRow("U") << act(OperationKind::Upscale, 1) << false;
    QTest::newRow("V") << act(OperationKind::Vary, 1) << false;
    QTest::newRow("reroll") << act(OperationKind::Reroll) << false;
    QTest::newRow("seed") << act(OperationKind::Seed) << false;
    QTest::newRow("upscale subtle") << act(OperationKind::Upscale, 1, QStringLiteral("subtle")) << true;
    QTest::newRow("upscale 4x") << act(OperationKind::Upscale, 1, QStringLiteral("4x")) << true;
    QTest::newRow("vary strong") << act(OperationKind::Vary, 1, QStringLiteral("strong")) << true;
    QTest::newRow("pan") << pan(QStringLiteral("left")) << true;
    QTest::newRow("zoom") << zoom(QStringLiteral("2")) << true;
    QTest::newRow("inpaint") << inpaint() << true;
    QTest::newRow("animate") << animate(QStringLiteral("low")) << true;
    QTest::newRow("imagine") << Operation::imagine(QStringLiteral("cat")) << false;
}

void TestMjproxyAdapter::needsSingleImage()
{
    QFETCH(Operation, op);
    QFETCH(bool, single);
    QCOMPARE(adapter().needsSingleImage(op), single);
}

// The fields vendor-docs/mj-proxy-gateway-api.en.md marks "Required: true" per endpoint are in every body
// built with nothing optional set (issue "Correctness" §1), the modal follow-up's included.
void TestMjproxyAdapter::requiredFieldsAtDefaults_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<QString>("parent");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("required");

    const QString png = QStringLiteral("data:image/png;base64,iVBORw0KGgo=");
    QTest::newRow("imagine") << Operation::imagine(QStringLiteral("Cat")) << QString()
                             << QStringLiteral("/mj/submit/imagine") << QStringList {QStringLiteral("prompt")};
    QTest::newRow("blend") << ofKind(OperationKind::Blend, {png, png}) << QString()
                           << QStringLiteral("/mj/submit/blend") << QStringList {QStringLiteral("base64Array")};
    QTest::newRow("describe") << ofKind(OperationKind::Describe, {png}) << QString()
                              << QStringLiteral("/mj/submit/describe") << QStringList {QStringLiteral("base64")};
    Operation shorten = ofKind(OperationKind::Shorten);
    shorten.prompt = QStringLiteral("a very long prompt about a cat");
    QTest::newRow("shorten") << shorten << QString() << QStringLiteral("/mj/submit/shorten")
                             << QStringList {QStringLiteral("prompt")};
    const QStringList action {QStringLiteral("customId"), QStringLiteral("taskId")};
    QTest::newRow("U2") << act(OperationKind::Upscale, 2) << QStringLiteral("grid")
                        << QStringLiteral("/mj/submit/action") << action;
    QTest::newRow("V3") << act(OperationKind::Vary, 3) << QStringLiteral("grid")
                        << QStringLiteral("/mj/submit/action") << action;
    QTest::newRow("reroll") << act(OperationKind::Reroll) << QStringLiteral("grid")
                            << QStringLiteral("/mj/submit/action") << action;
    QTest::newRow("pan") << pan(QStringLiteral("left")) << QStringLiteral("upscale")
                         << QStringLiteral("/mj/submit/action") << action;
    QTest::newRow("zoom 2x") << zoom(QStringLiteral("2")) << QStringLiteral("upscale")
                             << QStringLiteral("/mj/submit/action") << action;
    QTest::newRow("vary region") << inpaint(maskPng({1024, 1024}, QRect(10, 10, 50, 50)))
                                 << QStringLiteral("upscale") << QStringLiteral("/mj/submit/action") << action;
}

void TestMjproxyAdapter::requiredFieldsAtDefaults()
{
    QFETCH(Operation, op);
    QFETCH(QString, parent);
    QFETCH(QString, path);
    QFETCH(QStringList, required);
    std::optional<Task> p;
    if (parent == QLatin1String("grid"))
        p = gridParent();
    else if (parent == QLatin1String("upscale"))
        p = upscaleParent();
    QVERIFY(adapter().validate(op, account()).ok());
    const Result<HttpCall> call = adapter().buildSubmit(op, contextWith(p));
    QVERIFY2(call.ok(), call ? "" : qPrintable(call.error().message));
    QCOMPARE(call->path, path);
    const QJsonObject body = call->body->object();
    for (const QString &field : required) {
        QVERIFY2(body.contains(field) && !body.value(field).isNull(), qPrintable(field));
        if (body.value(field).isString())
            QVERIFY2(!body.value(field).toString().isEmpty(), qPrintable(field));
    }
    if (isAction(op.kind)) {
        // Any action may be parked in MODAL (code 21): the follow-up names the new task.
        const Result<HttpCall> modal = adapter().buildModal(op, contextWith(p), QStringLiteral("1712205491372429"));
        QVERIFY2(modal.ok(), modal ? "" : qPrintable(modal.error().message));
        QCOMPARE(modal->path, QStringLiteral("/mj/submit/modal"));
        QCOMPARE(modal->body->object().value(QStringLiteral("taskId")).toString(),
                 QStringLiteral("1712205491372429"));
    }
}

void TestMjproxyAdapter::modalFlow()
{
    // V2 with Remix on: the server parks the new task in MODAL (code 21) and waits for the prompt.
    Operation remix = act(OperationKind::Vary, 2);
    remix.prompt = QStringLiteral("a cat wearing a crown");
    const auto parked = adapter().parseSubmit(remix, fixtureAnswer(QStringLiteral("submit-modal.json")));
    QVERIFY(parked);
    QVERIFY(parked->needsModal);
    QCOMPARE(parked->remoteId, QStringLiteral("1712205491372429"));
    QVERIFY(!parked->immediate);

    const auto modal = adapter().buildModal(remix, contextWith(gridParent()), parked->remoteId);
    QVERIFY(modal);
    QCOMPARE(modal->method, QByteArray("POST"));
    QCOMPARE(modal->path, QStringLiteral("/mj/submit/modal"));
    QCOMPARE(modal->purpose, HttpCall::Purpose::Submit);
    QCOMPARE(bodyOf(*modal), requestFixture(QStringLiteral("modal-remix.json")));

    // The modal's own answer is parsed like a submit.
    const auto sent = adapter().parseSubmit(remix, fixtureAnswer(QStringLiteral("submit-ok-string.json")));
    QVERIFY(sent);
    QVERIFY(!sent->needsModal);
    QCOMPARE(sent->remoteId, QStringLiteral("14001934816969359"));

    // Custom zoom: the factor goes into the prompt, which falls back to the parent's final prompt
    // (Discord's <link> markup removed).
    const auto zoomModal = adapter().buildModal(zoom(QStringLiteral("1.8")), contextWith(upscaleParent()),
                                                QStringLiteral("1712205491372429"));
    QVERIFY(zoomModal);
    QCOMPARE(bodyOf(*zoomModal), requestFixture(QStringLiteral("modal-custom-zoom.json")));

    // A --zoom already in the user's prompt is replaced by the chosen factor.
    Operation typedZoom = zoom(QStringLiteral("1.25"));
    typedZoom.prompt = QStringLiteral("a wide valley --zoom 2 --ar 16:9");
    const auto replaced = adapter().buildModal(typedZoom, contextWith(upscaleParent()), QStringLiteral("7"));
    QVERIFY(replaced);
    QCOMPARE(replaced->body->object().value(QLatin1String("prompt")).toString(),
             QStringLiteral("a wide valley --ar 16:9 --zoom 1.25"));

    // Zoom Out 2x needs no factor in the prompt.
    const auto fixed
        = adapter().buildModal(zoom(QStringLiteral("2")), contextWith(upscaleParent()), QStringLiteral("7"));
    QVERIFY(fixed);
    QCOMPARE(fixed->body->object().value(QLatin1String("prompt")).toString(),
             QStringLiteral("cat --v 7 --sref https://s.mj.run/ktqQpnwPoPk"));
    QVERIFY(!fixed->body->object().contains(QLatin1String("maskBase64")));

    QVERIFY(!adapter().buildModal(remix, contextWith(gridParent()), QString()));
}

void TestMjproxyAdapter::modalPromptFallbacks()
{
    Task parent = gridParent();
    parent.remote.remove(QStringLiteral("finalPrompt"));
    auto modal = adapter().buildModal(act(OperationKind::Vary, 1), contextWith(parent), QStringLiteral("5"));
    QVERIFY(modal);
    QCOMPARE(modal->body->object().value(QLatin1String("prompt")).toString(),
             QStringLiteral("cat --v 6.1")); // promptEn

    parent.remote.remove(QStringLiteral("promptEn"));
    parent.prompt = QStringLiteral("the stored prompt");
    modal = adapter().buildModal(act(OperationKind::Vary, 1), contextWith(parent), QStringLiteral("5"));
    QVERIFY(modal);
    QCOMPARE(modal->body->object().value(QLatin1String("prompt")).toString(),
             QStringLiteral("the stored prompt"));
    QCOMPARE(modal->body->object().value(QLatin1String("taskId")).toString(), QStringLiteral("5"));
}

void TestMjproxyAdapter::inpaintModalCarriesTheFittedMask()
{
    // The mask was drawn on a 256x256 preview; the upscale is 1024x1024: it is scaled to the upscale.
    Operation op = inpaint(maskPng(QSize(256, 256), QRect(64, 64, 128, 128)));
    op.prompt = QStringLiteral("a golden crown");
    const Task parent = upscaleParent(QStringLiteral("task-upscale-v7.json"), QSize(1024, 1024));
    QVERIFY(adapter().validate(op, account()));
    const auto action = adapter().buildSubmit(op, contextWith(parent));
    QVERIFY(action);
    QCOMPARE(action->body->object().value(QLatin1String("customId")).toString(),
             QStringLiteral("MJ::Inpaint::1::bb5d727b-0d1e-4c6a-9a51-7f0e2b7c1a11::SOLO"));

    const auto modal = adapter().buildModal(op, contextWith(parent), QStringLiteral("1712205491372429"));
    QVERIFY2(modal, modal ? "" : qPrintable(modal.error().message));
    const QJsonObject body = modal->body->object();
    QCOMPARE(body.value(QLatin1String("taskId")).toString(), QStringLiteral("1712205491372429"));
    QCOMPARE(body.value(QLatin1String("prompt")).toString(), QStringLiteral("a golden crown"));
    const QString mask = body.value(QLatin1String("maskBase64")).toString();
    const QString head = QStringLiteral("data:image/png;base64,");
    QVERIFY(mask.startsWith(head));
    const QImage sent = QImage::fromData(QByteArray::fromBase64(mask.mid(head.size()).toLatin1()), "PNG");
    QCOMPARE(sent.size(), QSize(1024, 1024));
    QCOMPARE(qGray(sent.pixel(0, 0)), 0);
    QCOMPARE(qGray(sent.pixel(512, 512)), 255);

    // No stored size: the mask keeps its own.
    const Task unsized = upscaleParent(QStringLiteral("task-upscale-v7.json"), QSize());
    const auto own = adapter().buildModal(op, contextWith(unsized), QStringLiteral("1"));
    QVERIFY(own);
    const QString ownMask = own->body->object().value(QLatin1String("maskBase64")).toString();
    QCOMPARE(QImage::fromData(QByteArray::fromBase64(ownMask.mid(head.size()).toLatin1()), "PNG").size(),
             QSize(256, 256));

    // An all-black mask selects nothing: refused, naming the mask.
    Operation empty = inpaint(maskPng(QSize(64, 64), QRect()));
    const auto refused = adapter().buildModal(empty, contextWith(parent), QStringLiteral("1"));
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QStringLiteral("mask")), qPrintable(refused.error().message));
}

void TestMjproxyAdapter::seed()
{
    const Operation op = act(OperationKind::Seed);
    const auto call = adapter().buildSubmit(op, contextWith(gridParent()));
    QVERIFY(call);
    QCOMPARE(call->method, QByteArray("GET"));
    QCOMPARE(call->path, QStringLiteral("/mj/task/1320098173412546/image-seed"));
    QCOMPARE(call->purpose, HttpCall::Purpose::Submit);
    QVERIFY(!call->body);

    for (const QString &name : {QStringLiteral("seed.json"), QStringLiteral("seed-number.json")}) {
        const auto outcome = adapter().parseSubmit(op, fixtureAnswer(name));
        QVERIFY(outcome);
        QVERIFY(outcome->immediate);
        QVERIFY(!outcome->needsModal);
        QCOMPARE(outcome->immediate->state, TaskState::Succeeded);
        QVERIFY(outcome->immediate->results.isEmpty());
        QCOMPARE(outcome->immediate->remote.value(QLatin1String("seed")).toString(),
                 QStringLiteral("3201758453"));
    }
    const auto missing = adapter().parseSubmit(op, fixtureAnswer(QStringLiteral("submit-not-found.json")));
    QVERIFY(!missing);
    QCOMPARE(missing.error().kind, Error::Kind::NotFound);
    QCOMPARE(missing.error().message, QStringLiteral("关联任务不存在或已失效"));
    const auto empty
        = adapter().parseSubmit(op, answer(200, R"({"code":1,"description":"ok","result":null})"));
    QVERIFY(!empty);
    QCOMPARE(empty.error().kind, Error::Kind::BadResponse);
}

void TestMjproxyAdapter::submitCodes_data()
{
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("remoteId");
    QTest::addColumn<bool>("modal");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("vendorCode");

    const auto ok = [](const char *name, const QString &id, bool modal) {
        QTest::newRow(name) << 200 << fixture(QString::fromLatin1(name)) << true << id << modal
                            << Error::Kind::BadResponse << QString() << QString();
    };
    ok("submit-ok.json", QStringLiteral("1320098173412546"), false);
    ok("submit-ok-string.json", QStringLiteral("14001934816969359"), false);
    ok("submit-modal.json", QStringLiteral("1712205491372429"), true);
    ok("submit-queued.json", QStringLiteral("1712205491372430"), false);
    QTest::newRow("code as a string")
        << 200 << QByteArray(R"({"code":"1","result":"77"})") << true << QStringLiteral("77") << false
        << Error::Kind::BadResponse << QString() << QString();

    const auto fail
        = [](const char *name, int status, Error::Kind kind, const QString &message, const QString &code) {
              QTest::newRow(name) << status << fixture(QString::fromLatin1(name)) << false << QString()
                                  << false << kind << message << code;
          };
    fail("submit-queue-full.json", 200, Error::Kind::RateLimited, QStringLiteral("队列已满，请稍后尝试"),
         QStringLiteral("23"));
    fail("submit-banned.json", 200, Error::Kind::ContentRejected,
         QStringLiteral("可能包含敏感词 (banned word: \"bloody\")"), QStringLiteral("24"));
    fail("submit-not-found.json", 200, Error::Kind::NotFound, QStringLiteral("关联任务不存在或已失效"),
         QStringLiteral("3"));
    fail("submit-validation.json", 200, Error::Kind::InvalidRequest, QStringLiteral("prompt不能为空"),
         QStringLiteral("4"));
    fail("submit-system.json", 200, Error::Kind::ServerError, QStringLiteral("无可用的账号实例"),
         QStringLiteral("9"));
    fail("submit-other.json", 200, Error::Kind::BadResponse, QStringLiteral("Something unexpected"),
         QStringLiteral("5"));
    fail("submit-unauthorized.json", 401, Error::Kind::Unauthorized,
         QStringLiteral("无效的令牌 (request id: 20250309223412345)"), QString());

    QTest::newRow("banned without a word")
        << 200 << QByteArray(R"({"code":24,"description":"Banned prompt","properties":{}})") << false
        << QString() << false << Error::Kind::ContentRejected << QStringLiteral("Banned prompt")
        << QStringLiteral("24");
    QTest::newRow("error code without description")
        << 200 << QByteArray(R"({"code":9})") << false << QString() << false << Error::Kind::ServerError
        << QStringLiteral("midjourney-proxy answered with code 9") << QStringLiteral("9");
    QTest::newRow("HTTP 400 with an envelope")
        << 400 << QByteArray(R"({"code":4,"description":"base64Array: bad image"})") << false << QString()
        << false << Error::Kind::InvalidRequest << QStringLiteral("base64Array: bad image")
        << QStringLiteral("4");
    QTest::newRow("code 1 with HTTP 500 is still a failure")
        << 500 << QByteArray(R"({"code":1,"description":"Submission succeeded","result":"1"})") << false
        << QString() << false << Error::Kind::ServerError << QStringLiteral("Submission succeeded")
        << QStringLiteral("1");
    QTest::newRow("HTTP 402 gateway quota")
        << 402 << QByteArray(R"({"error":{"message":"用户额度不足","type":"new_api_error"}})") << false
        << QString() << false << Error::Kind::PaymentRequired << QStringLiteral("用户额度不足") << QString();
    // Gateways say "no credits" in words (new-api's 403, its Midjourney relay's code 4).
    QTest::newRow("HTTP 403 gateway quota")
        << 403
        << QByteArray(
               R"({"error":{"message":"user quota is not enough","type":"new_api_error","code":"insufficient_user_quota"}})")
        << false << QString() << false << Error::Kind::PaymentRequired
        << QStringLiteral("user quota is not enough (insufficient_user_quota)") << QString();
    // Issue 12: the machine word and the words for people side by side — the words lead, the code follows.
    QTest::newRow("code 4 with the words and the machine word")
        << 200 << QByteArray(R"({"code":4,"description":"quota_not_enough","message":"用户额度不足"})") << false
        << QString() << false << Error::Kind::PaymentRequired << QStringLiteral("用户额度不足 (quota_not_enough)")
        << QStringLiteral("4");
    QTest::newRow("HTTP 403 words in error, machine word in description")
        << 403 << QByteArray(R"({"description":"quota_not_enough","error":{"message":"用户额度不足"}})") << false
        << QString() << false << Error::Kind::PaymentRequired << QStringLiteral("用户额度不足 (quota_not_enough)")
        << QString();
    QTest::newRow("HTTP 400 relay quota_not_enough")
        << 400 << QByteArray(R"({"description":"quota_not_enough ","type":"upstream_error","code":4})")
        << false << QString() << false << Error::Kind::PaymentRequired << QStringLiteral("quota_not_enough")
        << QStringLiteral("4");
    QTest::newRow("code 4 quota_not_enough with HTTP 200")
        << 200 << QByteArray(R"({"code":4,"description":"quota_not_enough"})") << false << QString() << false
        << Error::Kind::PaymentRequired << QStringLiteral("quota_not_enough") << QStringLiteral("4");
    QTest::newRow("HTTP 503 page") << 503 << QByteArray("<html><title>503</title></html>") << false
                                   << QString() << false << Error::Kind::Maintenance
                                   << QStringLiteral("HTTP 503: <html><title>503</title></html>")
                                   << QString();
}

void TestMjproxyAdapter::submitCodes()
{
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(QString, remoteId);
    QFETCH(bool, modal);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, message);
    QFETCH(QString, vendorCode);
    const auto outcome
        = adapter().parseSubmit(Operation::imagine(QStringLiteral("cat")), answer(httpStatus, body));
    QCOMPARE(outcome.ok(), ok);
    if (ok) {
        QCOMPARE(outcome->remoteId, remoteId);
        QCOMPARE(outcome->needsModal, modal);
        QVERIFY(!outcome->immediate);
        return;
    }
    QCOMPARE(outcome.error().kind, kind);
    QCOMPARE(outcome.error().message, message);
    QCOMPARE(outcome.error().vendorCode, vendorCode);
    QCOMPARE(outcome.error().httpStatus, httpStatus);
}

void TestMjproxyAdapter::submitMalformed_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("contains");
    QTest::newRow("HTML with 200") << QByteArray("<!DOCTYPE html><html><body>Login</body></html>")
                                   << QStringLiteral("web page");
    QTest::newRow("broken JSON") << QByteArray(R"({"code":1,"result":)") << QStringLiteral("broken JSON");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
    QTest::newRow("a list") << QByteArray("[1,2]") << QStringLiteral("not a JSON object");
    QTest::newRow("no code") << QByteArray(R"({"result":"1"})") << QStringLiteral("\"code\" is missing");
    QTest::newRow("code is an object")
        << QByteArray(R"({"code":{},"result":"1"})") << QStringLiteral("\"code\" is missing");
    QTest::newRow("no result") << QByteArray(R"({"code":1,"description":"ok"})") << QStringLiteral("task id");
    QTest::newRow("result is an object")
        << QByteArray(R"({"code":1,"result":{"id":1}})") << QStringLiteral("task id");
}

void TestMjproxyAdapter::submitMalformed()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, contains);
    const auto outcome = adapter().parseSubmit(Operation::imagine(QStringLiteral("cat")), answer(200, body));
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().kind, Error::Kind::BadResponse);
    QVERIFY2(outcome.error().message.contains(contains), qPrintable(outcome.error().message));
}

void TestMjproxyAdapter::bigIds()
{
    const Operation op = Operation::imagine(QStringLiteral("cat"));
    QCOMPARE(adapter().parseSubmit(op, fixtureAnswer(QStringLiteral("submit-bigid.json")))->remoteId,
             QStringLiteral("1348306030706036789"));
    QCOMPARE(adapter().parseSubmit(op, fixtureAnswer(QStringLiteral("submit-hugeid.json")))->remoteId,
             QStringLiteral("98765432109876543210"));
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-bigid.json")));
    QVERIFY(snap);
    QCOMPARE(snap->remote.value(QLatin1String("seed")).toString(), QStringLiteral("98765432109876543210"));
    QCOMPARE(adapter().buildStatus(QStringLiteral("1348306030706036789"), account()).path,
             QStringLiteral("/mj/task/1348306030706036789/fetch"));
}

void TestMjproxyAdapter::statusGrid()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-imagine-success.json")));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Succeeded);
    QCOMPARE(snap->progress.value_or(-1), 100);
    QCOMPARE(snap->results.size(), 1);
    QCOMPARE(snap->results[0].role, ImageRole::Grid);
    QCOMPARE(snap->results[0].index, 0);
    QVERIFY(snap->results[0].url.startsWith(
        QStringLiteral("https://img.innk.cc/attachments/1320066655572987907/1348306030429470862/")));
    QVERIFY(snap->results[0].url.contains(QStringLiteral("?ex=67cefb57&is=67cda9d7&hm=")));
    QCOMPARE(snap->remote.value(QLatin1String("buttons")).toArray().size(), 9);
    QCOMPARE(snap->remote.value(QLatin1String("finalPrompt")).toString(),
             QStringLiteral("cat --v 6.1 --sref <https://s.mj.run/ktqQpnwPoPk>"));
    QCOMPARE(snap->remote.value(QLatin1String("promptEn")).toString(), QStringLiteral("cat --v 6.1"));
    QCOMPARE(snap->remote.value(QLatin1String("action")).toString(), QStringLiteral("IMAGINE"));
    QVERIFY(!snap->error);

    // Pan, zoom and vary region results are new grids too (they carry U1-U4).
    const auto panned = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-pan-result.json")));
    QVERIFY(panned);
    QCOMPARE(panned->results.size(), 1);
    QCOMPARE(panned->results[0].role, ImageRole::Grid);
}

void TestMjproxyAdapter::statusProgress()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-in-progress.json")));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Running);
    QCOMPARE(snap->progress.value_or(-1), 62);
    QVERIFY(snap->results.isEmpty());
    QCOMPARE(snap->remote.value(QLatin1String("preview")).toString(),
             QStringLiteral("https://cdn.example.com/ephemeral-attachments/1/2/preview.webp"));
    QVERIFY(!snap->remote.contains(QLatin1String("buttons"))); // an empty list does not wipe stored buttons
}

void TestMjproxyAdapter::statusWaitingStates_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("NOT_START") << QStringLiteral("task-not-start.json");
    QTest::newRow("SUBMITTED") << QStringLiteral("task-submitted.json");
    QTest::newRow("MODAL") << QStringLiteral("task-modal.json");
}

void TestMjproxyAdapter::statusWaitingStates()
{
    QFETCH(QString, name);
    const auto snap = adapter().parseStatus(fixtureAnswer(name));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Submitted);
    QCOMPARE(snap->progress.value_or(-1), 0);
    QVERIFY(snap->results.isEmpty());
    QVERIFY(!snap->error);
}

void TestMjproxyAdapter::statusSingleImages_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("url");
    QTest::newRow("U with v7 buttons")
        << fixture(QStringLiteral("task-upscale-v7.json"))
        << QStringLiteral("https://cdn.example.com/attachments/1/2/cat_u2.png");
    QTest::newRow("U with v5 buttons")
        << fixture(QStringLiteral("task-upscale-v5.json"))
        << QStringLiteral("https://cdn.example.com/attachments/1/2/cat_v5_u1.png");
    QTest::newRow("UPSCALE without buttons")
        << QByteArray(R"({"id":"1","action":"UPSCALE","status":"SUCCESS","imageUrl":"https://x/u.png"})")
        << QStringLiteral("https://x/u.png");
    QTest::newRow("trueai ACTION with upscale buttons")
        << QByteArray(R"({"id":"1","action":"ACTION","status":"SUCCESS","imageUrl":"https://x/s.png",)"
                      R"("buttons":[{"customId":"MJ::JOB::upsample_v7_2x_subtle::1::h::SOLO"}]})")
        << QStringLiteral("https://x/s.png");
    QTest::newRow("a single entry in imageUrls") << QByteArray(
        R"({"id":"1","action":"UPSCALE","status":"SUCCESS","imageUrls":[{"url":"https://x/1.png"}]})")
                                                 << QStringLiteral("https://x/1.png");
}

void TestMjproxyAdapter::statusSingleImages()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, url);
    const auto snap = adapter().parseStatus(answer(200, body));
    QVERIFY2(snap, snap ? "" : qPrintable(snap.error().message));
    QCOMPARE(snap->state, TaskState::Succeeded);
    QCOMPARE(snap->results.size(), 1);
    QCOMPARE(snap->results[0].role, ImageRole::Upscale);
    QCOMPARE(snap->results[0].index, 0);
    QCOMPARE(snap->results[0].url, url);
}

void TestMjproxyAdapter::statusTiles()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-tiles.json")));
    QVERIFY(snap);
    QCOMPARE(snap->results.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(snap->results[i].role, ImageRole::Tile);
        QCOMPARE(snap->results[i].index, i + 1);
        QCOMPARE(snap->results[i].url, QStringLiteral("https://cdn.example.com/0_%1.png").arg(i));
    }
    QCOMPARE(snap->remote.value(QLatin1String("seed")).toString(), QStringLiteral("3201758453"));

    const auto strings = adapter().parseStatus(answer(
        200,
        R"({"status":"SUCCESS","action":"IMAGINE","imageUrls":["https://a/1","https://a/2","https://a/3","https://a/4"]})"));
    QVERIFY(strings);
    QCOMPARE(strings->results.size(), 4);
    QCOMPARE(strings->results[3].url, QStringLiteral("https://a/4"));
}

void TestMjproxyAdapter::statusVideos()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-video.json")));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Succeeded);
    QCOMPARE(snap->results.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(snap->results[i].role, ImageRole::Video);
        QCOMPARE(snap->results[i].index, i + 1);
        QCOMPARE(snap->results[i].url, QStringLiteral("https://cdn.example.com/v%1.mp4").arg(i + 1));
    }
    const auto single = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-video-single.json")));
    QVERIFY(single);
    QCOMPARE(single->results.size(), 1);
    QCOMPARE(single->results[0].role, ImageRole::Video);
    QCOMPARE(single->results[0].index, 1);
    QCOMPARE(single->results[0].url, QStringLiteral("https://cdn.example.com/only.mp4"));
}

void TestMjproxyAdapter::statusTextResults()
{
    const auto described = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-describe.json")));
    QVERIFY(described);
    QCOMPARE(described->state, TaskState::Succeeded);
    QVERIFY(described->results.isEmpty()); // its imageUrl is the uploaded source, not a result
    QVERIFY(described->remote.value(QLatin1String("finalPrompt"))
                .toString()
                .startsWith(QStringLiteral("1️⃣ a cat")));
    QVERIFY(
        described->remote.value(QLatin1String("finalPrompt")).toString().contains(QStringLiteral("4️⃣")));

    const auto shortened = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-shorten.json")));
    QVERIFY(shortened);
    QCOMPARE(shortened->state, TaskState::Succeeded);
    QVERIFY(shortened->results.isEmpty());
    QVERIFY(shortened->remote.value(QLatin1String("finalPrompt"))
                .toString()
                .contains(QStringLiteral("5️⃣ cat soft light")));
}

void TestMjproxyAdapter::statusFailures_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("banned") << fixture(QStringLiteral("task-failure-banned.json"))
                            << Error::Kind::ContentRejected
                            << QStringLiteral("Banned prompt detected: the word \"gore\" is not allowed");
    QTest::newRow("moderation") << fixture(QStringLiteral("task-failure-moderation.json"))
                                << Error::Kind::ContentRejected
                                << QStringLiteral(
                                       "[Job action restricted] Sorry! Our AI moderator thinks this prompt "
                                       "is probably against our community standards.");
    QTest::newRow("parameters") << fixture(QStringLiteral("task-failure-other.json"))
                                << Error::Kind::InvalidRequest
                                << QStringLiteral("Invalid parameter: Unrecognized parameter(s): `--foo`");
    QTest::newRow("prohibited, Chinese server")
        << QByteArray(R"({"status":"FAILURE","failReason":"提示词包含违禁词"})")
        << Error::Kind::ContentRejected << QStringLiteral("提示词包含违禁词");
    QTest::newRow("other") << QByteArray(R"({"status":"FAILURE","failReason":"Discord account expired"})")
                           << Error::Kind::ServerError << QStringLiteral("Discord account expired");
    QTest::newRow("no reason") << QByteArray(R"({"status":"FAILURE","failReason":null})")
                               << Error::Kind::ServerError
                               << QStringLiteral(
                                      "midjourney-proxy reported the task as failed without giving a reason");
}

void TestMjproxyAdapter::statusFailures()
{
    QFETCH(QByteArray, body);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, message);
    const auto snap = adapter().parseStatus(answer(200, body));
    QVERIFY(snap); // a failed task is a snapshot, not an error of the poll
    QCOMPARE(snap->state, TaskState::Failed);
    QVERIFY(snap->error);
    QCOMPARE(snap->error->kind, kind);
    QCOMPARE(snap->error->message, message);
    QVERIFY(snap->results.isEmpty());
}

void TestMjproxyAdapter::statusCancelled()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-cancel.json")));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Cancelled);
}

void TestMjproxyAdapter::statusMalformed_data()
{
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("contains");

    QTest::newRow("empty 200 (novicezk's null)")
        << 200 << QByteArray() << Error::Kind::NotFound << QStringLiteral("does not know this task");
    QTest::newRow("null") << 200 << QByteArray("null") << Error::Kind::NotFound
                          << QStringLiteral("does not know this task");
    QTest::newRow("404") << 404 << QByteArray(R"({"code":3,"description":"task not found"})")
                         << Error::Kind::NotFound << QStringLiteral("task not found");
    QTest::newRow("envelope not found") << 200 << QByteArray(R"({"code":3,"description":"任务不存在"})")
                                        << Error::Kind::NotFound << QStringLiteral("任务不存在");
    QTest::newRow("401") << 401 << QByteArray(R"({"error":{"message":"invalid token"}})")
                         << Error::Kind::Unauthorized << QStringLiteral("invalid token");
    QTest::newRow("502") << 502 << QByteArray("Bad Gateway") << Error::Kind::ServerError
                         << QStringLiteral("HTTP 502: Bad Gateway");
    QTest::newRow("HTML") << 200 << QByteArray("<html><head><title>Login</title></head></html>")
                          << Error::Kind::BadResponse << QStringLiteral("web page");
    QTest::newRow("broken JSON") << 200 << QByteArray(R"({"status":"SUC)") << Error::Kind::BadResponse
                                 << QStringLiteral("broken JSON");
    QTest::newRow("no status") << 200 << QByteArray(R"({"id":"1"})") << Error::Kind::BadResponse
                               << QStringLiteral("\"status\" is missing or not text");
    QTest::newRow("status is a number")
        << 200 << QByteArray(R"({"id":"1","status":4})") << Error::Kind::BadResponse
        << QStringLiteral("\"status\" is missing or not text");
    QTest::newRow("unknown status") << 200 << QByteArray(R"({"status":"EXPLODED"})")
                                    << Error::Kind::BadResponse
                                    << QStringLiteral("unknown task status \"EXPLODED\"");
    QTest::newRow("buttons not a list")
        << 200 << QByteArray(R"({"status":"SUCCESS","imageUrl":"u","buttons":{}})")
        << Error::Kind::BadResponse << QStringLiteral("\"buttons\" is not a list");
    QTest::newRow("imageUrls not a list")
        << 200 << QByteArray(R"({"status":"SUCCESS","imageUrls":"u"})") << Error::Kind::BadResponse
        << QStringLiteral("\"imageUrls\" is not a list");
    QTest::newRow("imageUrls entry without url")
        << 200 << QByteArray(R"({"status":"SUCCESS","imageUrls":[{"u":1}]})") << Error::Kind::BadResponse
        << QStringLiteral("\"imageUrls\" has an entry without a URL");
    QTest::newRow("imageUrl is a number")
        << 200 << QByteArray(R"({"status":"SUCCESS","imageUrl":5})") << Error::Kind::BadResponse
        << QStringLiteral("\"imageUrl\" is not text");
    QTest::newRow("success without an image")
        << 200 << QByteArray(R"({"status":"SUCCESS","action":"IMAGINE"})") << Error::Kind::BadResponse
        << QStringLiteral("has no \"imageUrl\"");
    QTest::newRow("videoUrls not a list")
        << 200 << QByteArray(R"({"status":"SUCCESS","videoUrls":7})") << Error::Kind::BadResponse
        << QStringLiteral("\"videoUrls\" is not a list");
}

void TestMjproxyAdapter::statusMalformed()
{
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, body);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, contains);
    const auto snap = adapter().parseStatus(answer(httpStatus, body));
    QVERIFY(!snap);
    QCOMPARE(snap.error().kind, kind);
    QVERIFY2(snap.error().message.contains(contains), qPrintable(snap.error().message));
}

void TestMjproxyAdapter::cancel_data()
{
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("message");

    QTest::newRow("code 1") << 200 << fixture(QStringLiteral("cancel-ok.json")) << true
                            << Error::Kind::BadResponse << QString();
    QTest::newRow("empty 200") << 200 << QByteArray() << true << Error::Kind::BadResponse << QString();
    QTest::newRow("JSON without code")
        << 200 << QByteArray(R"({"status":"CANCEL"})") << true << Error::Kind::BadResponse << QString();
    QTest::newRow("refused") << 200 << fixture(QStringLiteral("cancel-refused.json")) << false
                             << Error::Kind::InvalidRequest
                             << QStringLiteral("The server did not cancel the task: 任务状态不允许取消");
    QTest::newRow("not found") << 200 << QByteArray(R"({"code":3,"description":"任务不存在"})") << false
                               << Error::Kind::NotFound
                               << QStringLiteral("The server did not cancel the task: 任务不存在");
    QTest::newRow("admin only") << 403 << QByteArray(R"({"description":"仅管理员可操作"})") << false
                                << Error::Kind::Unauthorized
                                << QStringLiteral("The server did not cancel the task: 仅管理员可操作");
    QTest::newRow("HTML 200") << 200 << QByteArray("<html><title>x</title></html>") << false
                              << Error::Kind::BadResponse << QString();
}

void TestMjproxyAdapter::cancel()
{
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, message);

    const auto call
        = adapter().buildCancel(QStringLiteral("1320098173412546"), account(QStringLiteral("/mj-fast")));
    QVERIFY(call);
    QCOMPARE(call->method, QByteArray("POST"));
    QCOMPARE(call->path, QStringLiteral("/mj-fast/mj/task/1320098173412546/cancel"));
    QCOMPARE(call->purpose, HttpCall::Purpose::Cancel);

    const Status s = adapter().parseCancel(answer(httpStatus, body));
    QCOMPARE(s.ok(), ok);
    if (ok)
        return;
    QCOMPARE(s.error().kind, kind);
    if (!message.isEmpty())
        QCOMPARE(s.error().message, message);
}

void TestMjproxyAdapter::batch()
{
    const HttpCall call = MjproxyAdapter::buildBatchStatus(
        {QStringLiteral("1320098173412546"), QStringLiteral("1348306030706036789")}, account());
    QCOMPARE(call.method, QByteArray("POST"));
    QCOMPARE(call.path, QStringLiteral("/mj/task/list-by-condition"));
    QCOMPARE(call.purpose, HttpCall::Purpose::Status);
    QCOMPARE(bodyOf(call), requestFixture(QStringLiteral("list-by-condition.json")));

    const auto tasks
        = MjproxyAdapter::parseBatchStatus(fixtureAnswer(QStringLiteral("list-by-condition.json")));
    QVERIFY(tasks);
    QCOMPARE(tasks->keys(),
             (QStringList {QStringLiteral("1320098173412546"), QStringLiteral("1320098173412550"),
                           QStringLiteral("1348306030706036789")}));
    QCOMPARE(tasks->value(QStringLiteral("1320098173412546")).state, TaskState::Running);
    QCOMPARE(tasks->value(QStringLiteral("1320098173412546")).progress.value_or(-1), 40);
    const TaskSnapshot done = tasks->value(QStringLiteral("1348306030706036789"));
    QCOMPARE(done.state, TaskState::Succeeded);
    QCOMPARE(done.results.size(), 1);
    QCOMPARE(done.results[0].role, ImageRole::Upscale);
    QCOMPARE(tasks->value(QStringLiteral("1320098173412550")).error->kind, Error::Kind::ContentRejected);

    const auto notList = MjproxyAdapter::parseBatchStatus(answer(200, R"({"code":4})"));
    QVERIFY(!notList);
    QCOMPARE(notList.error().kind, Error::Kind::BadResponse);
    const auto denied = MjproxyAdapter::parseBatchStatus(answer(401, R"({"error":"bad key"})"));
    QVERIFY(!denied);
    QCOMPARE(denied.error().kind, Error::Kind::Unauthorized);
    QCOMPARE(denied.error().message, QStringLiteral("bad key"));
}

void TestMjproxyAdapter::validation_data()
{
    QTest::addColumn<Operation>("op");
    QTest::addColumn<Account>("acc");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("field");

    const Account plain = account();
    const auto imagineWith = [](const std::function<void(Operation &)> &set) {
        Operation op = Operation::imagine(QStringLiteral("a cat"));
        set(op);
        return op;
    };
    const Error::Kind invalid = Error::Kind::InvalidRequest;

    QTest::newRow("prompt too long") << Operation::imagine(QString(2001, QLatin1Char('a'))) << plain
                                     << invalid << QStringLiteral("prompt: ");
    QTest::newRow("speed") << imagineWith([](Operation &op) { op.speed = QStringLiteral("fast"); }) << plain
                           << invalid << QStringLiteral("speed: ");
    QTest::newRow("version") << imagineWith([](Operation &op) { op.version = QStringLiteral("v7"); }) << plain
                             << invalid << QStringLiteral("version: ");
    QTest::newRow("aspect ratio") << imagineWith([](Operation &op) {
        op.aspectRatio = QStringLiteral("wide");
    }) << plain << invalid << QStringLiteral("aspect ratio: ");
    QTest::newRow("aspect ratio zero")
        << imagineWith([](Operation &op) { op.aspectRatio = QStringLiteral("0:1"); }) << plain << invalid
        << QStringLiteral("aspect ratio: ");
    QTest::newRow("chaos") << imagineWith([](Operation &op) { op.chaos = 101; }) << plain << invalid
                           << QStringLiteral("chaos: ");
    QTest::newRow("stylize") << imagineWith([](Operation &op) { op.stylize = -1; }) << plain << invalid
                             << QStringLiteral("stylize: ");
    QTest::newRow("weird") << imagineWith([](Operation &op) { op.weird = 3001; }) << plain << invalid
                           << QStringLiteral("weird: ");
    QTest::newRow("seed") << imagineWith([](Operation &op) { op.seed = 4294967296LL; }) << plain << invalid
                          << QStringLiteral("seed: ");
    QTest::newRow("omni weight without omni") << imagineWith([](Operation &op) { op.omniWeight = 100; })
                                              << plain << invalid << QStringLiteral("omni weight: ");
    QTest::newRow("omni weight range") << imagineWith([](Operation &op) {
        op.type = GenerateType::Omni;
        op.references = {QStringLiteral("https://x/p.png")};
        op.omniWeight = 1001;
    }) << plain << invalid << QStringLiteral("omni weight: ");
    QTest::newRow("six references") << imagineWith([](Operation &op) {
        op.type = GenerateType::Image;
        op.references = QStringList(6, QStringLiteral("https://x/p.png"));
    }) << plain << invalid << QStringLiteral("references: ");
    QTest::newRow("reference neither link nor file") << imagineWith([](Operation &op) {
        op.type = GenerateType::Image;
        op.references = {QStringLiteral("/home/me/cat.png")};
    }) << plain << invalid << QStringLiteral("references: ");
    QTest::newRow("text type with references")
        << imagineWith([](Operation &op) { op.references = {QStringLiteral("https://x/p.png")}; }) << plain
        << invalid << QStringLiteral("references: ");
    QTest::newRow("image type without references")
        << imagineWith([](Operation &op) { op.type = GenerateType::Image; }) << plain << invalid
        << QStringLiteral("references: ");
    QTest::newRow("style reference from a file") << imagineWith([](Operation &op) {
        op.type = GenerateType::Style;
        op.references = {QStringLiteral("data:image/png;base64,AAAA")};
    }) << plain << invalid << QStringLiteral("references: --sref needs an http(s) link");
    QTest::newRow("two omni references") << imagineWith([](Operation &op) {
        op.type = GenerateType::Omni;
        op.references = {QStringLiteral("https://x/a.png"), QStringLiteral("https://x/b.png")};
    }) << plain << invalid << QStringLiteral("references: ");
    QTest::newRow("omni reference from a file") << imagineWith([](Operation &op) {
        op.type = GenerateType::Omni;
        op.references = {QStringLiteral("data:image/png;base64,AAAA")};
    }) << plain << invalid << QStringLiteral("references: --oref needs an http(s) link");
    QTest::newRow("video type") << imagineWith([](Operation &op) { op.type = GenerateType::VideoHd; })
                                << plain << Error::Kind::Unsupported << QStringLiteral("type: ");
    QTest::newRow("watermark") << imagineWith([](Operation &op) { op.watermark = QStringLiteral("me"); })
                               << plain << invalid << QStringLiteral("watermark: ");
    QTest::newRow("translate") << imagineWith([](Operation &op) { op.translate = true; }) << plain << invalid
                               << QStringLiteral("translate: ");
    QTest::newRow("video batch") << imagineWith([](Operation &op) { op.videoBatch = 4; }) << plain << invalid
                                 << QStringLiteral("video batch: ");
    QTest::newRow("--ar typed differently") << imagineWith([](Operation &op) {
        op.prompt = QStringLiteral("a cat --ar 3:2");
        op.aspectRatio = QStringLiteral("16:9");
    }) << plain << invalid << QStringLiteral("aspect ratio: \"16:9\" differs from \"--ar 3:2\"");
    QTest::newRow("--v typed differently") << imagineWith([](Operation &op) {
        op.prompt = QStringLiteral("a cat --v 6.1");
        op.version = QStringLiteral("7");
    }) << plain << invalid << QStringLiteral("version: ");
    QTest::newRow("--chaos typed differently") << imagineWith([](Operation &op) {
        op.prompt = QStringLiteral("a cat --c 20");
        op.chaos = 10;
    }) << plain << invalid << QStringLiteral("chaos: ");
    QTest::newRow("--sref typed and style references") << imagineWith([](Operation &op) {
        op.prompt = QStringLiteral("a cat --sref https://x/s.png");
        op.type = GenerateType::Style;
        op.references = {QStringLiteral("https://x/t.png")};
    }) << plain << invalid << QStringLiteral("references: the prompt already has --sref");

    QTest::newRow("blend with one image")
        << ofKind(OperationKind::Blend, {QStringLiteral("data:image/png;base64,A")}) << plain << invalid
        << QStringLiteral("references: blend takes 2 to 5");
    QTest::newRow("blend with six images")
        << ofKind(OperationKind::Blend, QStringList(6, QStringLiteral("data:image/png;base64,A"))) << plain
        << invalid << QStringLiteral("references: ");
    QTest::newRow("blend with a link")
        << ofKind(OperationKind::Blend,
                  {QStringLiteral("data:image/png;base64,A"), QStringLiteral("https://x/b.png")})
        << plain << invalid << QStringLiteral("references: blend sends the image itself");
    Operation blendDims
        = ofKind(OperationKind::Blend, QStringList(2, QStringLiteral("data:image/png;base64,A")));
    blendDims.dimensions = QStringLiteral("tall");
    QTest::newRow("blend dimensions") << blendDims << plain << invalid << QStringLiteral("dimensions: ");
    QTest::newRow("describe without image") << ofKind(OperationKind::Describe) << plain << invalid
                                            << QStringLiteral("references: describe takes exactly 1");
    QTest::newRow("describe a link") << ofKind(OperationKind::Describe, {QStringLiteral("https://x/a.png")})
                                     << plain << invalid
                                     << QStringLiteral("references: describe sends the image itself");

    QTest::newRow("upscale variant") << act(OperationKind::Upscale, 1, QStringLiteral("8x")) << plain
                                     << invalid << QStringLiteral("variant: ");
    QTest::newRow("vary variant") << act(OperationKind::Vary, 1, QStringLiteral("creative")) << plain
                                  << invalid << QStringLiteral("variant: ");
    QTest::newRow("zoom 1") << zoom(QStringLiteral("1")) << plain << invalid
                            << QStringLiteral("zoom factor: ");
    QTest::newRow("zoom 2.5") << zoom(QStringLiteral("2.5")) << plain << invalid
                              << QStringLiteral("zoom factor: ");
    QTest::newRow("zoom text") << zoom(QStringLiteral("big")) << plain << invalid
                               << QStringLiteral("zoom factor: ");
    QTest::newRow("zoom unset") << zoom(QString()) << plain << invalid << QStringLiteral("zoom factor: ");
    QTest::newRow("motion") << animate(QStringLiteral("medium")) << plain << invalid
                            << QStringLiteral("motion: ");
    QTest::newRow("inpaint without mask")
        << inpaint(QByteArray()) << plain << invalid << QStringLiteral("mask: ");
    QTest::newRow("video extend") << act(OperationKind::VideoExtend, 1) << plain << Error::Kind::Unsupported
                                  << QStringLiteral("midjourney-proxy has no video extend");
    QTest::newRow("auth option") << Operation::imagine(QStringLiteral("cat"))
                                 << account(QString(), QStringLiteral("basic")) << invalid
                                 << QStringLiteral("auth: ");
    QTest::newRow("prefix option") << Operation::imagine(QStringLiteral("cat"))
                                   << account(QStringLiteral("/mj fast?x=1")) << invalid
                                   << QStringLiteral("prefix: ");
}

void TestMjproxyAdapter::validation()
{
    QFETCH(Operation, op);
    QFETCH(Account, acc);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, field);
    const Status s = adapter().validate(op, acc);
    QVERIFY(!s);
    QCOMPARE(s.error().kind, kind);
    QVERIFY2(s.error().message.startsWith(field), qPrintable(s.error().message));
}

void TestMjproxyAdapter::connectionTest_data()
{
    using Verdict = ConnectionReport::Verdict;
    QTest::addColumn<bool>("answered");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Verdict>("verdict");
    QTest::addColumn<QString>("message");

    QTest::newRow("no answer") << false << 0 << QByteArray() << Verdict::Unreachable
                               << QStringLiteral("refused");
    QTest::newRow("novicezk empty 200") << true << 200 << QByteArray() << Verdict::KeyAccepted << QString();
    QTest::newRow("null") << true << 200 << QByteArray("null") << Verdict::KeyAccepted << QString();
    QTest::newRow("not found envelope")
        << true << 200 << QByteArray(R"({"code":3,"description":"任务不存在"})") << Verdict::KeyAccepted
        << QStringLiteral("任务不存在");
    QTest::newRow("wrong key at a gateway")
        << true << 401 << fixture(QStringLiteral("submit-unauthorized.json")) << Verdict::KeyRejected
        << QStringLiteral("无效的令牌 (request id: 20250309223412345)");
    QTest::newRow("wrong mj-api-secret") << true << 403 << QByteArray() << Verdict::KeyRejected << QString();
    QTest::newRow("wrong prefix at a gateway")
        << true << 404
        << QByteArray(
               R"j({"error":{"message":"Invalid URL (GET /mj-fat/mj/task/x/fetch)","type":"invalid_request_error"}})j")
        << Verdict::NotThisApi << QStringLiteral("Invalid URL (GET /mj-fat/mj/task/x/fetch)");
    QTest::newRow("a web site") << true << 200 << QByteArray("<!doctype html><html></html>")
                                << Verdict::NotThisApi << QString();
}

void TestMjproxyAdapter::connectionTest()
{
    QFETCH(bool, answered);
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, body);
    QFETCH(ConnectionReport::Verdict, verdict);
    QFETCH(QString, message);

    const HttpCall call
        = adapter().buildConnectionTest(account(QStringLiteral("/mj-fast"), QStringLiteral("raw")));
    QCOMPARE(call.method, QByteArray("GET"));
    QVERIFY(call.path.startsWith(QStringLiteral("/mj-fast/mj/task/")));
    QCOMPARE(call.auth, HttpCall::Auth::Raw);

    const Result<HttpResponse> response = answered
        ? Result<HttpResponse>(answer(httpStatus, body))
        : Result<HttpResponse>(Error::make(Error::Kind::Network, QStringLiteral("refused")));
    const ConnectionReport report = adapter().parseConnectionTest(response);
    QCOMPARE(report.verdict, verdict);
    if (!message.isEmpty())
        QCOMPARE(report.message, message);
}

QTEST_GUILESS_MAIN(TestMjproxyAdapter)
#include "tst_mjproxyadapter.moc"
