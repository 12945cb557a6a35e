// MjproxyAdapter against midjourney-proxy's own shapes (PROVIDERS.md §4,
// vendor-docs/mj-proxy-gateway-api.en.md): identity and capabilities, the poll policy, prefixes and auth
// styles, every request body (imagine, describe, blend, shorten, seed), the fields required at defaults,
// validation and the connection test. The buttons and the modal flow are in tst_mjproxyadapter_buttons,
// every answer (envelope codes, task statuses, malformed answers) in tst_mjproxyadapter_answers.

#include "mjproxyadapter_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

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
    void requiredFieldsAtDefaults_data();
    void requiredFieldsAtDefaults();
    void seed();
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
                             << QStringLiteral("/mj/submit/imagine")
                             << QStringList {QStringLiteral("prompt")};
    QTest::newRow("blend") << ofKind(OperationKind::Blend, {png, png}) << QString()
                           << QStringLiteral("/mj/submit/blend")
                           << QStringList {QStringLiteral("base64Array")};
    QTest::newRow("describe") << ofKind(OperationKind::Describe, {png}) << QString()
                              << QStringLiteral("/mj/submit/describe")
                              << QStringList {QStringLiteral("base64")};
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
                                 << QStringLiteral("upscale") << QStringLiteral("/mj/submit/action")
                                 << action;
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
        const Result<HttpCall> modal
            = adapter().buildModal(op, contextWith(p), QStringLiteral("1712205491372429"));
        QVERIFY2(modal.ok(), modal ? "" : qPrintable(modal.error().message));
        QCOMPARE(modal->path, QStringLiteral("/mj/submit/modal"));
        QCOMPARE(modal->body->object().value(QStringLiteral("taskId")).toString(),
                 QStringLiteral("1712205491372429"));
    }
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
