// End to end, the kolersky family (PROVIDERS.md §1, §5 column kolersky, §6 polling): the product's
// registry, HttpClient and TaskEngine against a stateful fake of the vendor on 127.0.0.1 (e2e_kolersky.h).
// This file: every operation, cancel on the server, the vendor's limits; tst_e2e_kolersky_failures: the
// failure tables.
#include "e2e_kolersky.h"
#include "model/accountoptions.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>

#include <algorithm>

class TestE2EKolersky : public QObject
{
    Q_OBJECT

private slots:
    // imagine → U2 → pan left (on tile 2: reuses U2) → zoom 1.5x (on a pan tile: U first) → vary region
    // (on a zoom tile: U first, mask at the upscale's pixel size).
    void happyChain()
    {
        QList<int> progress; // outlives the engine that reports into it
        E2EEnv env(QStringLiteral("kolersky"));
        KolerskyFake fake(env);
        connect(env.engine.get(), &TaskEngine::taskChanged, this, [&](const Task &t) {
            if (t.progress && (progress.isEmpty() || progress.last() != *t.progress))
                progress.append(*t.progress);
        });

        Operation imagine = Operation::imagine(kPrompt);
        imagine.version = QStringLiteral("7");
        const Task grid = env.run(imagine);
        VERIFY_OK(checkGrid(env, grid));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("generate"))),
                 compact(QJsonObject {{QStringLiteral("taskType"), QStringLiteral("text-to-image")},
                                      {QStringLiteral("prompt"), kPrompt},
                                      {QStringLiteral("version"), QStringLiteral("7")}}));
        QCOMPARE(grid.remoteId, fake.jobs[0].id);
        QCOMPARE(fake.statusChecks(grid.remoteId).size(), 3);
        QVERIFY2(progress.contains(45), qPrintable(QString::number(progress.size())));
        QCOMPARE(grid.progress.value_or(-1), 100);

        // U2: the vendor's index is Tessera's tile (1..4, row-major).
        const Task u2 = env.run(Operation::action(OperationKind::Upscale, grid.id, 2));
        VERIFY_OK(checkUpscale(env, u2, QSize(1024, 1024)));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("upscale"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), grid.remoteId},
                                      {QStringLiteral("index"), 2}}));
        QCOMPARE(u2.parentId, grid.id);
        QCOMPARE(u2.tile, 2);

        // Pan left asked on tile 2 of the grid runs on the existing U2: no second upscale.
        Operation pan = Operation::action(OperationKind::Pan, grid.id, 2);
        pan.direction = QStringLiteral("left");
        const Task panned = env.run(pan);
        VERIFY_OK(checkGrid(env, panned));
        QCOMPARE(fake.submits(QStringLiteral("upscale")).size(), 1);
        QCOMPARE(panned.parentId, u2.id);
        QCOMPARE(panned.tile, 0);
        // pan requires a prompt: the image's own is sent when the user typed none.
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("pan"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), u2.remoteId},
                                      {QStringLiteral("prompt"), kPrompt},
                                      {QStringLiteral("direction"), QStringLiteral("left")}}));

        // Zoom out 1.5x asked on tile 1 of the pan's grid: U1 of that grid is stored first.
        Operation zoom = Operation::action(OperationKind::Zoom, panned.id, 1);
        zoom.zoomFactor = QStringLiteral("1.5");
        const Result<QString> zoomId = env.submit(zoom);
        QVERIFY2(zoomId, zoomId ? "" : qPrintable(zoomId.error().message));
        const Task zoomed = env.runToEnd(*zoomId);
        VERIFY_OK(checkGrid(env, zoomed));
        const auto panChildren = env.store->children(panned.id);
        QVERIFY(panChildren);
        QCOMPARE(panChildren->size(), 1);
        const Task u1 = env.task(panChildren->first().id);
        QCOMPARE(u1.operation.kind, OperationKind::Upscale);
        QCOMPARE(u1.tile, 1);
        VERIFY_OK(checkUpscale(env, u1, QSize(1024, 1024)));
        QCOMPARE(zoomed.parentId, u1.id);
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("upscale"), 1)),
                 compact(QJsonObject {{QStringLiteral("requestId"), panned.remoteId},
                                      {QStringLiteral("index"), 1}}));
        // zoom_ratio is a string; an unset prompt is left out.
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("outpaint"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), u1.remoteId},
                                      {QStringLiteral("zoom_ratio"), QStringLiteral("1.5")}}));

        // Vary region on tile 4 of the zoom's grid, upscaled to 2048×2048: the 512×512 mask fixture is
        // sent as raw base64 of a PNG of exactly the upscale's size.
        fake.upscaleSize = QSize(2048, 2048);
        Operation inpaint = Operation::action(OperationKind::Inpaint, zoomed.id, 4);
        inpaint.prompt = QStringLiteral("a snowy owl");
        inpaint.mask = E2EEnv::maskPng(QSize(512, 512), QRect(128, 128, 256, 256));
        const Task varied = env.run(inpaint);
        VERIFY_OK(checkGrid(env, varied));
        const auto zoomChildren = env.store->children(zoomed.id);
        QVERIFY(zoomChildren);
        QCOMPARE(zoomChildren->size(), 1);
        const Task u4 = env.task(zoomChildren->first().id);
        QCOMPARE(u4.tile, 4);
        VERIFY_OK(checkUpscale(env, u4, QSize(2048, 2048)));
        QCOMPARE(varied.parentId, u4.id);
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("upscale"), 2)),
                 compact(QJsonObject {{QStringLiteral("requestId"), zoomed.remoteId},
                                      {QStringLiteral("index"), 4}}));
        const QJsonObject inpaintBody = onlyBody(fake, QStringLiteral("inpaint"));
        const QString mask = inpaintBody.value(QStringLiteral("mask")).toString();
        QVERIFY(!mask.startsWith(QLatin1String("data:")));
        const QByteArray png
            = QByteArray::fromBase64(mask.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        QCOMPARE(QString::fromLatin1(png.toBase64()), mask); // standard alphabet, padded, one line
        QVERIFY(png.startsWith("\x89PNG\r\n\x1a\n"));
        const QImage decoded = QImage::fromData(png, "PNG");
        QCOMPARE(decoded.size(), QSize(2048, 2048));
        QVERIFY(decoded.allGray());
        QCOMPARE(qGray(decoded.pixel(1024, 1024)), 255); // inside the white rectangle, scaled ×4
        QCOMPARE(qGray(decoded.pixel(100, 100)), 0);
        QCOMPARE(qGray(decoded.pixel(2000, 2000)), 0);
        QCOMPARE(compact(inpaintBody),
                 compact(QJsonObject {{QStringLiteral("requestId"), u4.remoteId},
                                      {QStringLiteral("prompt"), QStringLiteral("a snowy owl")},
                                      {QStringLiteral("mask"), mask}}));

        // Seven tasks in the history, each the child of the one before.
        const QStringList order {grid.id, u2.id, panned.id, u1.id, zoomed.id, u4.id, varied.id};
        for (qsizetype i = 1; i < order.size(); ++i)
            QCOMPARE(env.task(order[i]).parentId, order[i - 1]);
        QCOMPARE(env.store->children(grid.id)->size(), 1);
        VERIFY_OK(checkAuth(env, fake));
    }

    // V1-V4 and U1-U4 (index 1..4 both sides), reroll, seed, pan ×4, zoom 2x and custom, on the server.
    void everyOtherOperation()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task grid = env.run(Operation::imagine(kPrompt));
        VERIFY_OK(checkGrid(env, grid));

        QHash<QString, QString> ids; // "U1" → task id
        for (int tile = 1; tile <= 4; ++tile) {
            for (const OperationKind kind : {OperationKind::Upscale, OperationKind::Vary}) {
                const Result<QString> id = env.submit(Operation::action(kind, grid.id, tile));
                QVERIFY2(id, id ? "" : qPrintable(id.error().message));
                ids.insert((kind == OperationKind::Upscale ? QStringLiteral("U%1") : QStringLiteral("V%1"))
                               .arg(tile),
                           *id);
            }
        }
        for (auto it = ids.cbegin(); it != ids.cend(); ++it) {
            const Task t = env.runToEnd(it.value());
            const KolerskyFake::Job *job = fake.job(t.remoteId);
            QVERIFY2(job, qPrintable(describe(t)));
            QCOMPARE(job->endpoint,
                     it.key().startsWith(QLatin1Char('U')) ? QStringLiteral("upscale")
                                                           : QStringLiteral("variation"));
            QCOMPARE(compact(job->body),
                     compact(QJsonObject {{QStringLiteral("requestId"), grid.remoteId},
                                          {QStringLiteral("index"), t.tile}}));
            QCOMPARE(QString(it.key().at(1)), QString::number(t.tile));
            if (job->endpoint == QLatin1String("upscale"))
                VERIFY_OK(checkUpscale(env, t, QSize(1024, 1024)));
            else
                VERIFY_OK(checkGrid(env, t));
        }

        const Task rerolled = env.run(Operation::action(OperationKind::Reroll, grid.id, 0));
        VERIFY_OK(checkGrid(env, rerolled));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("reroll"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), grid.remoteId}}));

        // The seed comes back as a 19-digit number; it is kept exactly, as a string.
        const Task seed = env.run(Operation::action(OperationKind::Seed, grid.id, 0));
        QVERIFY2(seed.state == TaskState::Succeeded && !seed.error, qPrintable(describe(seed)));
        QCOMPARE(seed.remote.value(QStringLiteral("seed")).toString(), QStringLiteral("1234567890123456789"));
        QVERIFY(seed.images.isEmpty());
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("seed"))),
                 compact(QJsonObject {{QStringLiteral("requestId"), grid.remoteId}}));

        // Pan in the other three directions and zoom 2x / custom, straight on an upscale (no chaining).
        const Task u1 = env.task(ids.value(QStringLiteral("U1")));
        const int upscales = static_cast<int>(fake.submits(QStringLiteral("upscale")).size());
        int n = 0;
        for (const char *direction : {"up", "right", "down"}) {
            Operation pan = Operation::action(OperationKind::Pan, u1.id, 0);
            pan.direction = str(direction);
            pan.prompt = QStringLiteral("a fox, wide landscape");
            const Task t = env.run(pan);
            VERIFY_OK(checkGrid(env, t));
            QCOMPARE(t.parentId, u1.id);
            QCOMPARE(compact(onlyBody(fake, QStringLiteral("pan"), n++)),
                     compact(QJsonObject {{QStringLiteral("requestId"), u1.remoteId},
                                          {QStringLiteral("prompt"), QStringLiteral("a fox, wide landscape")},
                                          {QStringLiteral("direction"), str(direction)}}));
        }
        n = 0;
        for (const char *factor : {"2", "1.25"}) {
            Operation zoom = Operation::action(OperationKind::Zoom, u1.id, 0);
            zoom.zoomFactor = str(factor);
            zoom.aspectRatio = QStringLiteral("16:9");
            const Task t = env.run(zoom);
            VERIFY_OK(checkGrid(env, t));
            QCOMPARE(compact(onlyBody(fake, QStringLiteral("outpaint"), n++)),
                     compact(QJsonObject {{QStringLiteral("requestId"), u1.remoteId},
                                          {QStringLiteral("zoom_ratio"), str(factor)},
                                          {QStringLiteral("aspectRatio"), QStringLiteral("16:9")}}));
        }
        QCOMPARE(fake.submits(QStringLiteral("upscale")).size(), upscales);

        // What the family does not offer is refused before anything is sent, saying why.
        const int sent = env.server.count();
        Operation subtle = Operation::action(OperationKind::Upscale, grid.id, 1);
        subtle.variant = QStringLiteral("subtle");
        const Result<QString> refused = env.submit(subtle);
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QLatin1String("kolersky")),
                 qPrintable(refused.error().message));
        Operation describeOp;
        describeOp.kind = OperationKind::Describe;
        describeOp.references = {env.fileUrl(QStringLiteral("ref.png"))};
        QVERIFY(!env.submit(describeOp));
        QCOMPARE(env.server.count(), sent);
        VERIFY_OK(checkAuth(env, fake));
    }

    void generateTypes_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QJsonObject>("body");
        const QString r1 = QStringLiteral("https://example.com/ref-1.png");
        const QString r2 = QStringLiteral("https://example.com/ref-2.png");

        Operation all = Operation::imagine(QStringLiteral("a lighthouse"));
        all.aspectRatio = QStringLiteral("16:9");
        all.version = QStringLiteral("6.1");
        all.speed = QStringLiteral("fast");
        all.chaos = 20;
        all.stylize = 250;
        all.weird = 300;
        all.watermark = QStringLiteral("tessera");
        all.translate = true;
        QTest::newRow("text, every field")
            << all
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("text-to-image")},
                            {QStringLiteral("prompt"), QStringLiteral("a lighthouse")},
                            {QStringLiteral("aspectRatio"), QStringLiteral("16:9")},
                            {QStringLiteral("speed"), QStringLiteral("fast")},
                            {QStringLiteral("version"), QStringLiteral("6.1")},
                            {QStringLiteral("variety"), 20},
                            {QStringLiteral("stylization"), 250},
                            {QStringLiteral("weirdness"), 300},
                            {QStringLiteral("waterMark"), QStringLiteral("tessera")},
                            {QStringLiteral("enableTranslation"), true}};

        QTest::newRow("text, flags typed in the prompt")
            << Operation::imagine(QStringLiteral("a lighthouse --ar 2:3 --v 7 --chaos 15"))
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("text-to-image")},
                            {QStringLiteral("prompt"), QStringLiteral("a lighthouse")},
                            {QStringLiteral("aspectRatio"), QStringLiteral("2:3")},
                            {QStringLiteral("version"), QStringLiteral("7")},
                            {QStringLiteral("variety"), 15}};

        Operation one = Operation::imagine(QStringLiteral("in this style"));
        one.type = GenerateType::Image;
        one.references = {r1};
        QTest::newRow("image, one reference")
            << one
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("image-to-image")},
                            {QStringLiteral("prompt"), QStringLiteral("in this style")},
                            {QStringLiteral("fileUrl"), r1}};

        Operation two = one;
        two.references = {r1, r2};
        two.speed = QStringLiteral("relaxed");
        QTest::newRow("image, two references")
            << two
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("image-to-image")},
                            {QStringLiteral("prompt"), QStringLiteral("in this style")},
                            {QStringLiteral("fileUrls"), QJsonArray {r1, r2}},
                            {QStringLiteral("speed"), QStringLiteral("relaxed")}};

        Operation style = one;
        style.type = GenerateType::Style;
        QTest::newRow("style reference")
            << style
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("style-reference")},
                            {QStringLiteral("prompt"), QStringLiteral("in this style")},
                            {QStringLiteral("fileUrl"), r1}};

        // speed is "not used" for omni-reference: left out even when chosen.
        Operation omni = one;
        omni.type = GenerateType::Omni;
        omni.omniWeight = 250;
        omni.speed = QStringLiteral("turbo");
        QTest::newRow("omni reference")
            << omni
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("omni-reference")},
                            {QStringLiteral("prompt"), QStringLiteral("in this style")},
                            {QStringLiteral("fileUrl"), r1},
                            {QStringLiteral("ow"), 250}};
    }
    void generateTypes()
    {
        QFETCH(Operation, op);
        QFETCH(QJsonObject, body);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task t = env.run(op);
        VERIFY_OK(checkGrid(env, t));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("generate"))), compact(body));
        VERIFY_OK(checkAuth(env, fake));
    }

    void video_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QString>("motion");
        QTest::addColumn<int>("batch");
        QTest::addColumn<QJsonObject>("body");
        const QString ref = QStringLiteral("https://example.com/still.png");
        QTest::newRow("image-to-video, 2 videos")
            << static_cast<int>(GenerateType::Video) << QStringLiteral("low") << 2
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("image-to-video")},
                            {QStringLiteral("prompt"), QStringLiteral("the fox runs")},
                            {QStringLiteral("fileUrl"), ref},
                            {QStringLiteral("videoBatchSize"), 2},
                            {QStringLiteral("motion"), QStringLiteral("low")}};
        // motion is required for video: the documented default goes when none was chosen.
        QTest::newRow("image-to-video-hd, defaults")
            << static_cast<int>(GenerateType::VideoHd) << QString() << 0
            << QJsonObject {{QStringLiteral("taskType"), QStringLiteral("image-to-video-hd")},
                            {QStringLiteral("prompt"), QStringLiteral("the fox runs")},
                            {QStringLiteral("fileUrl"), ref},
                            {QStringLiteral("motion"), QStringLiteral("high")}};
    }
    void video()
    {
        QFETCH(int, type);
        QFETCH(QString, motion);
        QFETCH(int, batch);
        QFETCH(QJsonObject, body);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        Operation op = Operation::imagine(QStringLiteral("the fox runs"));
        op.type = static_cast<GenerateType>(type);
        op.references = {QStringLiteral("https://example.com/still.png")};
        op.speed = QStringLiteral("fast"); // not used for video: left out
        op.motion = motion;
        if (batch > 0)
            op.videoBatch = batch;
        const Task t = env.run(op);
        QVERIFY2(t.state == TaskState::Succeeded && !t.error, qPrintable(describe(t)));
        QCOMPARE(compact(onlyBody(fake, QStringLiteral("generate"))), compact(body));
        const int expected = std::max(1, batch);
        QCOMPARE(t.images.size(), expected);
        for (int i = 1; i <= expected; ++i) {
            const ImageRef &v = t.images[i - 1];
            QCOMPARE(v.role, ImageRole::Video);
            QCOMPARE(v.index, i);
            QCOMPARE(v.state, ImageState::Downloaded);
            QVERIFY2(v.path.endsWith(QLatin1String(".mp4")), qPrintable(v.path));
            QFile file(env.pathOf(v));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(), fakeMp4(i));
        }
        VERIFY_OK(checkAuth(env, fake));
    }
    // DELETE /v1/midjourney/cancel with a JSON body while the task is "accepted".
    void cancelOnTheServer()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        fake.holdAt = QStringLiteral("accepted");
        const Result<QString> id = env.submit(Operation::imagine(kPrompt));
        QVERIFY(id);
        QTRY_VERIFY(fake.statusChecks().size() >= 1);
        QVERIFY(env.engine->cancel(*id));
        const Task t = env.runToEnd(*id);
        QCOMPARE(t.state, TaskState::Cancelled);
        QVERIFY(t.error);
        QCOMPARE(t.error->kind, Error::Kind::Cancelled);
        const QList<RecordedRequest> cancels
            = env.server.requests("DELETE", QStringLiteral("/v1/midjourney/cancel"));
        QCOMPARE(cancels.size(), 1);
        QCOMPARE(cancels[0].method, QByteArray("DELETE"));
        QVERIFY(cancels[0].header("Content-Type").startsWith("application/json"));
        QCOMPARE(compact(cancels[0].json()),
                 compact(QJsonObject {{QStringLiteral("requestId"), t.remoteId}}));
        QVERIFY(fake.job(t.remoteId)->cancelled);
        VERIFY_OK(checkAuth(env, fake));
    }

    // The vendor refuses a cancel once the task is processing: said before (Cancel's caveat), answered in
    // the vendor's words, kept on the task (it runs on, visibly), and Tessera follows it to its end.
    void cancelRefusedFollowsTheTask()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        fake.holdAt = QStringLiteral("processing");
        const Result<QString> id = env.submit(Operation::imagine(kPrompt));
        QVERIFY(id);
        QTRY_VERIFY(env.task(*id).state == TaskState::Running);
        const ProviderAdapter *adapter = env.providers->adapter(QStringLiteral("kolersky"));
        const Availability before = adapter->cancelAvailability(env.task(*id), env.account);
        QVERIFY(before.enabled);
        QVERIFY2(before.caveat.contains(QLatin1String("will most likely refuse")), qPrintable(before.caveat));
        QSignalSpy answered(env.engine.get(), &TaskEngine::cancelAnswered);
        QVERIFY(env.engine->cancel(*id));
        QTRY_COMPARE(answered.size(), 1);
        QCOMPARE(answered.first().at(1).toBool(), false);
        QCOMPARE(answered.first().at(2).value<Error>().message,
                 QStringLiteral("Only a task in status accepted can be cancelled"));
        QCOMPARE(env.server.count("DELETE", QStringLiteral("/v1/midjourney/cancel")), 1);
        QTRY_VERIFY(fake.statusChecks().size() >= 3); // it runs on
        const Task running = env.task(*id);
        QCOMPARE(running.state, TaskState::Running);
        QCOMPARE(running.remote.value(QLatin1String("cancelRefused")).toString(),
                 QStringLiteral("Only a task in status accepted can be cancelled"));
        fake.holdAt.clear();
        const Task t = env.runToEnd(*id);
        VERIFY_OK(checkGrid(env, t));
        VERIFY_OK(checkAuth(env, fake));
    }

    // §1 Limits, issue 12: 60 status checks per task in all, counted across runs and restarts. A run cut
    // short (max-polls 25 here) ends "check again later"; Check again, even from a new process, goes on
    // counting; after the 60th the task is unfinished for good with the vendor's reason, Check again is
    // refused and disabled, and no 61st check ever leaves.
    void sixtyStatusChecksInAll()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        env.account.options.insert(QStringLiteral("max-polls"), QStringLiteral("25"));
        QVERIFY(env.store->saveAccount(env.account));
        KolerskyFake fake(env);
        fake.holdAt = QStringLiteral("processing");
        Task stuck = env.run(Operation::imagine(kPrompt));
        QCOMPARE(stuck.state, TaskState::Unfinished);
        QCOMPARE(fake.statusChecks(stuck.remoteId).size(), 25);
        QCOMPARE(stuck.pollCount, 25);
        QCOMPARE(stuck.error->kind, Error::Kind::StillRunning);
        QVERIFY2(stuck.error->message.contains(QLatin1String("Check again later")),
                 qPrintable(stuck.error->message));
        QVERIFY2(!stuck.error->userText().contains(QLatin1String("did not answer")),
                 qPrintable(stuck.error->userText()));
        QVERIFY(env.engine->checkAvailability(stuck).enabled);

        // A restart between runs: the count is the stored one.
        env.restartEngine();
        QVERIFY(env.engine->check(stuck.id));
        stuck = env.runToEnd(stuck.id);
        QCOMPARE(stuck.state, TaskState::Unfinished);
        QCOMPARE(fake.statusChecks(stuck.remoteId).size(), 50);
        QCOMPARE(stuck.pollCount, 50);
        env.restartEngine();
        QVERIFY(env.engine->check(stuck.id));
        stuck = env.runToEnd(stuck.id);
        QCOMPARE(stuck.state, TaskState::Unfinished);
        QCOMPARE(fake.statusChecks(stuck.remoteId).size(), 60);
        QCOMPARE(stuck.pollCount, 60);
        QCOMPARE(stuck.error->kind, Error::Kind::StillRunning);
        QVERIFY2(stuck.error->message.contains(QLatin1String("allows no more status checks")),
                 qPrintable(stuck.error->message));
        QVERIFY2(stuck.error->message.contains(QLatin1String("45 %")), qPrintable(stuck.error->message));
        QCOMPARE(stuck.progress.value_or(-1), 45);

        const Availability again = env.engine->checkAvailability(stuck);
        QVERIFY(!again.enabled);
        QCOMPARE(
            again.reason,
            QStringLiteral("kolersky-style allows no more status checks for this task: all 60 were used"));
        const Status refused = env.engine->check(stuck.id);
        QVERIFY(!refused);
        QCOMPARE(refused.error().message, again.reason);
        // Nor at the next start, which asks again about recent unfinished tasks.
        env.restartEngine();
        QCOMPARE(env.engine->recheckUnfinished(), 0);
        QTest::qWait(100);
        QCOMPARE(fake.statusChecks(stuck.remoteId).size(), 60);
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(), 1);
        VERIFY_OK(checkAuth(env, fake));
    }

    // The account options refuse what the vendor forbids, with the reason (dialog and CLI share the check).
    void vendorLimitsRefusedInTheOptions()
    {
        const Result<QString> often = checkAccountOption(
            QStringLiteral("kolersky"), QStringLiteral("poll-interval"), QStringLiteral("0.5"));
        QVERIFY(!often);
        QCOMPARE(often.error().message,
                 QStringLiteral("option poll-interval: kolersky allows one status check every 5 seconds at "
                                "most; use 5 or more"));
        QVERIFY(checkAccountOption(QStringLiteral("kolersky"), QStringLiteral("poll-interval"),
                                   QStringLiteral("5")));
        const Result<QString> many = checkAccountOption(QStringLiteral("kolersky"),
                                                        QStringLiteral("max-polls"), QStringLiteral("61"));
        QVERIFY(!many);
        QCOMPARE(many.error().message,
                 QStringLiteral("option max-polls: kolersky allows at most 60 status checks per task"));
        // Other families keep their own choice.
        QVERIFY(checkAccountOption(QStringLiteral("apixo"), QStringLiteral("poll-interval"),
                                   QStringLiteral("0.5")));
    }

    // Quitting while a result is decoded on the pool: the task stays as stored, to be taken over at the
    // next start, and nothing crashes.
    void engineDestroyedWhileStoring()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        fake.gridSize = QSize(4096, 4096); // long enough to decode and split to be caught at it
        const Result<QString> id = env.submit(Operation::imagine(kPrompt));
        QVERIFY(id);
        QTRY_VERIFY(QThreadPool::globalInstance()->activeThreadCount() > 0);
        env.engine.reset();
        QThreadPool::globalInstance()->waitForDone();
        QCoreApplication::processEvents();
        const Task t = env.task(*id);
        QCOMPARE(t.state, TaskState::Running);
        QCOMPARE(t.images.size(), 1);
        QCOMPARE(t.images[0].state, ImageState::Pending);
        QVERIFY(!t.images[0].remoteUrl.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestE2EKolersky)
#include "tst_e2e_kolersky.moc"
