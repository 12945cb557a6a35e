// End to end against a fake midjourney-proxy (PROVIDERS.md §4, e2e_mjproxy.h): the product's provider
// registry, HttpClient and TaskEngine run the family's operations against a small stateful server. This
// file: submit, poll and download flows (imagine and its chain, image to image, describe/blend/shorten, tile
// URLs, auth styles and prefixes, queueing, batch polling, cancel). tst_e2e_mjproxy_actions: the buttons and
// modal follow-ups; tst_e2e_mjproxy_failures: the failure tables of issue 3.

#include "e2e_mjproxy.h"
#include "tasks/references.h"

#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

class TestE2EMjproxy : public QObject
{
    Q_OBJECT
private slots:
    void happyChain();
    void imageToImage();
    void describeBlendShorten();
    void fourTileUrls();
    void authStylesAndPrefix_data();
    void authStylesAndPrefix();
    void queued();
    void batchPolling();
    void cancelOnTheServer();
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
    VERIFY_OK(checkGrid(env, fake, imagine, QSize(1024, 1024)));
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
    VERIFY_OK(checkSingle(env, u2, QSize(1024, 1024)));
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
    VERIFY_OK(checkGrid(env, fake, pan, QSize(1536, 1024)));
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
    VERIFY_OK(checkGrid(env, fake, zoom, QSize(1536, 1024)));
    const Task u1 = env.task(zoom.parentId);
    QCOMPARE(u1.operation.kind, OperationKind::Upscale);
    QCOMPARE(u1.parentId, pan.id);
    QCOMPARE(u1.tile, 1);
    VERIFY_OK(checkSingle(env, u1, QSize(1536, 1024)));
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
    VERIFY_OK(checkGrid(env, fake, region, QSize(1536, 1024)));
    const Task u3 = env.task(region.parentId);
    QCOMPARE(u3.operation.kind, OperationKind::Upscale);
    QCOMPARE(u3.parentId, zoom.id);
    QCOMPARE(u3.tile, 3);
    VERIFY_OK(checkSingle(env, u3, QSize(1536, 1024)));
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
    VERIFY_OK(checkClean(fake));
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
    VERIFY_OK(checkGrid(env, fake, t, kSmallGrid));
    QCOMPARE(compact(fake.bodies(QStringLiteral("/submit/imagine")).constFirst()),
             compact({{QStringLiteral("prompt"),
                       QStringLiteral("https://example.com/pose.jpg a cat in the same pose --ar 3:2 --niji 6 "
                                      "--chaos 10 --weird 0")},
                      {QStringLiteral("base64Array"), QJsonArray {local}},
                      {QStringLiteral("botType"), QStringLiteral("NIJI_JOURNEY")}}));
    QCOMPARE(t.operation, op);
    VERIFY_OK(checkClean(fake));
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
    VERIFY_OK(checkGrid(env, fake, blended, QSize(1024, 1536)));
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
    VERIFY_OK(checkClean(fake));
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
    VERIFY_OK(checkSingle(env, u3, QSize(1024, 1024)));
    VERIFY_OK(checkClean(fake));
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
    VERIFY_OK(checkClean(fake));
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
    VERIFY_OK(checkGrid(env, fake, t, kSmallGrid));
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
        VERIFY_OK(checkGrid(env, fake, env.runToEnd(id), kSmallGrid));
    const auto batches = fake.requests("POST", QStringLiteral("/task/list-by-condition"));
    QVERIFY(!batches.isEmpty());
    QCOMPARE(batches.first().json().value(QStringLiteral("ids")).toArray().size(), 3);
    int single = 0;
    for (const RecordedRequest &r : env.server.requests())
        single += r.path.endsWith(QLatin1String("/fetch")) ? 1 : 0;
    QCOMPARE(single, 0); // every status came from the batches
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
    VERIFY_OK(checkClean(fake));
}

QTEST_GUILESS_MAIN(TestE2EMjproxy)
#include "tst_e2e_mjproxy.moc"
