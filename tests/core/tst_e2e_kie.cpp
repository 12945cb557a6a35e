// The kie family end to end (PROVIDERS.md §3, §5, §6): the product's registry, HttpClient and TaskEngine
// against a small stateful fake of kie's protocol on 127.0.0.1 (e2e_kie.h). Every test asserts what the user
// sees (task state, Error kind, the vendor's message verbatim) and that nothing already stored is lost.
// This file: the operations and what is refused before sending; tst_e2e_kie_failures: the failure tables.
#include "e2e_kie.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <memory>

class TestE2EKie : public QObject
{
    Q_OBJECT

    // One history for all rows of a data-driven test (e2ehelpers.h). (Rows leave nothing behind: a task of
    // one row ends before the next begins.)
    using Rig = RowRig<FakeKie>;
    Rig m_rig;

    Rig &rig() { return m_rig.next(QStringLiteral("kie")); }

private slots:
    // imagine (flags lifted from the prompt) → U2 → V3 → U1 of the variation: the exact requests (paths,
    // bodies, index bases), the parent/child links and the archived images (four separate images stored
    // as tiles 1..4, an upscale as one image).
    void happyChain()
    {
        E2EEnv env(QStringLiteral("kie"));
        FakeKie fake(env);

        Operation op = Operation::imagine(QStringLiteral("a red fox in the snow --ar 16:9 --v 7 --relax"));
        op.chaos = 10;
        op.stylize = 250;
        op.watermark = QStringLiteral("tessera");
        const Task grid = env.run(op);
        QCOMPARE(grid.state, TaskState::Succeeded);
        QVERIFY(!grid.error);
        QCOMPARE(grid.remoteId, fake.order.value(0));
        QVERIFY(grid.isGrid());
        const QJsonObject generateBody {
            {QStringLiteral("taskType"), QStringLiteral("mj_txt2img")},
            {QStringLiteral("prompt"), QStringLiteral("a red fox in the snow")},
            {QStringLiteral("speed"), QStringLiteral("relaxed")},
            {QStringLiteral("aspectRatio"), QStringLiteral("16:9")},
            {QStringLiteral("version"), QStringLiteral("7")},
            {QStringLiteral("variety"), 10},
            {QStringLiteral("stylization"), 250},
            {QStringLiteral("waterMark"), QStringLiteral("tessera")},
        };
        const auto generates = env.server.requests("POST", kGenerate);
        QCOMPARE(generates.size(), 1);
        QCOMPARE(generates.first().json(), generateBody);
        QVERIFY(generates.first().header("Content-Type").startsWith("application/json"));
        // record-info: taskId in the query, one successFlag 0 then the result.
        const auto polls = env.server.requests("GET", kStatus);
        QCOMPARE(polls.size(), 2);
        for (const RecordedRequest &r : polls)
            QCOMPARE(r.queryItems().queryItemValue(QStringLiteral("taskId")), grid.remoteId);
        VERIFY_OK(verifyArchived(env, fake, grid, ImageRole::Tile, 4));
        QCOMPARE(grid.images.at(0).size, QSize(1456, 816));

        // U2: generateUpscale's imageIndex is 0-based.
        const Task u2 = env.run(action(OperationKind::Upscale, grid, 2));
        QCOMPARE(u2.state, TaskState::Succeeded);
        QCOMPARE(u2.parentId, grid.id);
        QCOMPARE(u2.tile, 2);
        QCOMPARE(
            env.server.last("POST", kUpscale)->json(),
            (QJsonObject {{QStringLiteral("taskId"), grid.remoteId}, {QStringLiteral("imageIndex"), 1}}));
        VERIFY_OK(verifyArchived(env, fake, u2, ImageRole::Upscale, 1));
        QCOMPARE(u2.images.at(0).size, QSize(2912, 1632));

        // The chain's next steps elsewhere (pan left, zoom 1.5x, vary region with a mask) do not exist at
        // kie: refused on the upscale before anything is sent or stored, with the Gallery's reason.
        Operation pan = action(OperationKind::Pan, u2, 0);
        pan.direction = QStringLiteral("left");
        Operation zoom = action(OperationKind::Zoom, u2, 0);
        zoom.zoomFactor = QStringLiteral("1.5");
        Operation region = action(OperationKind::Inpaint, u2, 0);
        region.mask = E2EEnv::maskPng(QSize(2912, 1632), QRect(1000, 500, 600, 400));
        region.prompt = QStringLiteral("a snowy owl");
        const QList<QPair<Operation, QString>> missing {
            {pan, QStringLiteral("kie has no pan")},
            {zoom, QStringLiteral("kie has no zoom")},
            {region, QStringLiteral("kie has no vary region (inpaint)")}};
        const int requestsBefore = env.server.count();
        for (const auto &[refusedOp, reason] : missing) {
            const Result<QString> refused = env.submit(refusedOp);
            QVERIFY(!refused);
            QCOMPARE(refused.error().kind, Error::Kind::Unsupported);
            QCOMPARE(refused.error().message, reason);
        }
        QCOMPARE(env.server.count(), requestsBefore);
        QCOMPARE(*env.store->taskCount(), 2);

        // V3: generateVary's imageIndex is 1-based by default (PROVIDERS.md §3 Decision).
        const Task v3 = env.run(action(OperationKind::Vary, grid, 3));
        QCOMPARE(v3.state, TaskState::Succeeded);
        QCOMPARE(v3.parentId, grid.id);
        QCOMPARE(v3.tile, 3);
        QCOMPARE(
            env.server.last("POST", kVary)->json(),
            (QJsonObject {{QStringLiteral("taskId"), grid.remoteId}, {QStringLiteral("imageIndex"), 3}}));
        VERIFY_OK(verifyArchived(env, fake, v3, ImageRole::Tile, 4));

        // The variation's images are a generation of their own: U1 acts on them.
        const Task u1 = env.run(action(OperationKind::Upscale, v3, 1));
        QCOMPARE(u1.state, TaskState::Succeeded);
        QCOMPARE(u1.parentId, v3.id);
        QCOMPARE(env.server.last("POST", kUpscale)->json(),
                 (QJsonObject {{QStringLiteral("taskId"), v3.remoteId}, {QStringLiteral("imageIndex"), 0}}));
        VERIFY_OK(verifyArchived(env, fake, u1, ImageRole::Upscale, 1));

        const auto children = env.store->children(grid.id);
        QVERIFY(children);
        QCOMPARE(children->size(), 2);
        QCOMPARE(env.server.count("POST", QStringLiteral("/api/v1/mj/*")), 4);
        VERIFY_OK(verifyAuth(env, fake));
        QCOMPARE(*env.store->taskCount(), 4);
    }

    // generateVary's index base follows the account option "vary-index-base" (PROVIDERS.md §3 Decision):
    // 1 (the vendor doc, the default) or 0 (a mirror of the doc); anything else is refused before sending.
    void varyIndexBase_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<int>("serverBase");
        QTest::addColumn<int>("firstIndex"); // sent for V1; -1: refused locally
        QTest::addColumn<int>("lastIndex"); // sent for V4

        QTest::newRow("default: 1-4 as in the vendor doc") << QString() << 1 << 1 << 4;
        QTest::newRow("vary-index-base 0: 0-3 as in the mirror") << QStringLiteral("0") << 0 << 0 << 3;
        QTest::newRow("vary-index-base 2 is refused") << QStringLiteral("2") << 1 << -1 << -1;
    }

    void varyIndexBase()
    {
        QFETCH(QString, option);
        QFETCH(int, serverBase);
        QFETCH(int, firstIndex);
        QFETCH(int, lastIndex);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeKie &fake = *r.fake;
        if (option.isEmpty())
            env.account.options.remove(QStringLiteral("vary-index-base"));
        else
            env.account.options.insert(QStringLiteral("vary-index-base"), option);
        QVERIFY(env.store->saveAccount(env.account));
        fake.varyBase = serverBase;
        fake.runningPolls = 0;
        const Task grid = r.kept;
        const int tasks = *env.store->taskCount();

        if (firstIndex < 0) {
            const int before = env.server.count();
            const Result<QString> refused = env.submit(action(OperationKind::Vary, grid, 1));
            QVERIFY(!refused);
            QCOMPARE(refused.error().kind, Error::Kind::InvalidRequest);
            QCOMPARE(refused.error().message,
                     QStringLiteral("vary-index-base: the account option must be 0 or 1, not \"2\""));
            QCOMPARE(env.server.count(), before);
            QCOMPARE(*env.store->taskCount(), tasks);
            // Upscales do not depend on the option.
            QCOMPARE(env.run(action(OperationKind::Upscale, grid, 1)).state, TaskState::Succeeded);
            QCOMPARE(env.server.last("POST", kUpscale)->json().value(QStringLiteral("imageIndex")).toInt(),
                     0);
            VERIFY_OK(verifyKept(env, r.kept));
            return;
        }
        const Task v1 = env.run(action(OperationKind::Vary, grid, 1));
        QCOMPARE(v1.state, TaskState::Succeeded);
        QCOMPARE(env.server.last("POST", kVary)->json().value(QStringLiteral("imageIndex")).toInt(),
                 firstIndex);
        const Task v4 = env.run(action(OperationKind::Vary, grid, 4));
        QCOMPARE(v4.state, TaskState::Succeeded);
        QCOMPARE(env.server.last("POST", kVary)->json().value(QStringLiteral("imageIndex")).toInt(),
                 lastIndex);
        VERIFY_OK(verifyArchived(env, fake, v4, ImageRole::Tile, 4));
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // Every generate taskType of §5 (text, image, style, omni, video, video HD): the body sent, and
    // images stored as tiles 1..4 or videos stored as files.
    void imagineTypes_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QStringList>("references");
        QTest::addColumn<int>("omniWeight");
        QTest::addColumn<QString>("motion");
        QTest::addColumn<int>("batch");
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<int>("videos"); // 0: four images

        const QString prompt = QStringLiteral("a paper boat");
        const QString ref = QStringLiteral("https://cdn.example.com/boat.png");
        const QString ref2 = QStringLiteral("https://cdn.example.com/sea.jpg");
        const auto body = [&](const char *taskType, const QStringList &refs) {
            QJsonObject o {{QStringLiteral("taskType"), QLatin1String(taskType)},
                           {QStringLiteral("prompt"), prompt}};
            if (!refs.isEmpty())
                o.insert(QStringLiteral("fileUrls"), QJsonArray::fromStringList(refs));
            return o;
        };
        // Nothing optional is sent; the required speed goes as its documented default (issue "Correctness").
        const auto relaxed = [](QJsonObject o) {
            o.insert(QStringLiteral("speed"), QStringLiteral("relaxed"));
            return o;
        };
        QTest::newRow("text, nothing optional sent")
            << int(GenerateType::Text) << QStringList() << 0 << QString() << 0
            << relaxed(body("mj_txt2img", {})) << 0;
        QTest::newRow("image to image") << int(GenerateType::Image) << QStringList {ref, ref2} << 0
                                        << QString() << 0 << relaxed(body("mj_img2img", {ref, ref2})) << 0;
        QTest::newRow("style reference") << int(GenerateType::Style) << QStringList {ref} << 0 << QString()
                                         << 0 << relaxed(body("mj_style_reference", {ref})) << 0;
        QJsonObject omni = body("mj_omni_reference", {ref});
        omni.insert(QStringLiteral("ow"), 250);
        QTest::newRow("omni reference with ow")
            << int(GenerateType::Omni) << QStringList {ref} << 250 << QString() << 0 << omni << 0;
        QJsonObject video = body("mj_video", {ref});
        video.insert(QStringLiteral("videoBatchSize"), 2);
        video.insert(QStringLiteral("motion"), QStringLiteral("low"));
        QTest::newRow("video, batch of 2, low motion")
            << int(GenerateType::Video) << QStringList {ref} << 0 << QStringLiteral("low") << 2 << video << 2;
        QJsonObject videoHd = body("mj_video_hd", {ref});
        videoHd.insert(QStringLiteral("motion"), QStringLiteral("high")); // required; its default
        QTest::newRow("video HD") << int(GenerateType::VideoHd) << QStringList {ref} << 0 << QString() << 0
                                  << videoHd << 1;
    }

    void imagineTypes()
    {
        QFETCH(int, type);
        QFETCH(QStringList, references);
        QFETCH(int, omniWeight);
        QFETCH(QString, motion);
        QFETCH(int, batch);
        QFETCH(QJsonObject, body);
        QFETCH(int, videos);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeKie &fake = *r.fake;
        const int submits = env.server.count("POST", kGenerate);
        Operation op = Operation::imagine(QStringLiteral("a paper boat"));
        op.type = static_cast<GenerateType>(type);
        op.references = references;
        if (omniWeight)
            op.omniWeight = omniWeight;
        op.motion = motion;
        if (batch)
            op.videoBatch = batch;
        const Task t = env.run(op);
        QCOMPARE(t.state, TaskState::Succeeded);
        QVERIFY(!t.error);
        QCOMPARE(env.server.count("POST", kGenerate), submits + 1);
        QCOMPARE(env.server.last("POST", kGenerate)->json(), body);
        if (videos > 0)
            VERIFY_OK(verifyArchived(env, fake, t, ImageRole::Video, videos));
        else
            VERIFY_OK(verifyArchived(env, fake, t, ImageRole::Tile, 4));
        VERIFY_OK(verifyAuth(env, fake));
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // generateVideoExtend (PROVIDERS.md §3): manual with a prompt, auto without, index 0-based; an
    // extension is a video of its own that can be extended again. Image actions on videos and
    // extensions of images are refused before anything is sent.
    void videoExtend()
    {
        E2EEnv env(QStringLiteral("kie"));
        FakeKie fake(env);
        Operation op = Operation::imagine(QStringLiteral("waves rolling in"));
        op.type = GenerateType::Video;
        op.references = {QStringLiteral("https://cdn.example.com/beach.png")};
        op.videoBatch = 2;
        const Task video = env.run(op);
        QCOMPARE(video.state, TaskState::Succeeded);
        VERIFY_OK(verifyArchived(env, fake, video, ImageRole::Video, 2));

        Operation manual = action(OperationKind::VideoExtend, video, 2);
        manual.variant = QStringLiteral("manual");
        manual.prompt = QStringLiteral("the tide comes in");
        const Task extended = env.run(manual);
        QCOMPARE(extended.state, TaskState::Succeeded);
        QCOMPARE(extended.parentId, video.id);
        QCOMPARE(env.server.last("POST", kExtend)->json(),
                 (QJsonObject {{QStringLiteral("taskType"), QStringLiteral("mj_video_extend_manual")},
                               {QStringLiteral("taskId"), video.remoteId},
                               {QStringLiteral("index"), 1},
                               {QStringLiteral("prompt"), QStringLiteral("the tide comes in")}}));
        VERIFY_OK(verifyArchived(env, fake, extended, ImageRole::Video, 1));

        Operation automatic = action(OperationKind::VideoExtend, video, 1);
        automatic.variant = QStringLiteral("auto");
        const Task autoExtended = env.run(automatic);
        QCOMPARE(autoExtended.state, TaskState::Succeeded);
        QCOMPARE(env.server.last("POST", kExtend)->json(),
                 (QJsonObject {{QStringLiteral("taskType"), QStringLiteral("mj_video_extend_auto")},
                               {QStringLiteral("taskId"), video.remoteId},
                               {QStringLiteral("index"), 0}}));
        VERIFY_OK(verifyArchived(env, fake, autoExtended, ImageRole::Video, 1));

        // An extension extends again (its record says mj_video_extend_manual).
        Operation again = action(OperationKind::VideoExtend, extended, 1);
        again.variant = QStringLiteral("auto");
        const Task twice = env.run(again);
        QCOMPARE(twice.state, TaskState::Succeeded);
        QCOMPARE(env.server.last("POST", kExtend)->json().value(QStringLiteral("taskId")).toString(),
                 extended.remoteId);
        VERIFY_OK(verifyArchived(env, fake, twice, ImageRole::Video, 1));

        // Refused locally: nothing reaches the server, nothing is stored.
        const int requests = env.server.count();
        const int tasks = *env.store->taskCount();
        const auto refused = [&](const Operation &o, Error::Kind kind, const QString &message) {
            const Result<QString> r = env.submit(o);
            QVERIFY(!r);
            QCOMPARE(r.error().kind, kind);
            QCOMPARE(r.error().message, message);
        };
        Operation noPrompt = action(OperationKind::VideoExtend, video, 1);
        noPrompt.variant = QStringLiteral("manual");
        VERIFY_OK(
            refused(noPrompt, Error::Kind::InvalidRequest,
                    QStringLiteral("prompt: a manual video extension needs a prompt (or choose auto)")));
        Operation third = action(OperationKind::VideoExtend, video, 3);
        third.variant = QStringLiteral("auto");
        VERIFY_OK(refused(third, Error::Kind::Unsupported, QStringLiteral("Choose a video from 1 to 2")));
        VERIFY_OK(refused(action(OperationKind::Upscale, video, 1), Error::Kind::Unsupported,
                          QStringLiteral("kie offers U1 on images, not on videos")));
        VERIFY_OK(refused(action(OperationKind::Vary, video, 2), Error::Kind::Unsupported,
                          QStringLiteral("kie offers V2 on images, not on videos")));
        QCOMPARE(env.server.count(), requests);
        QCOMPARE(*env.store->taskCount(), tasks);

        const Task images = env.run(Operation::imagine(QStringLiteral("still life")));
        QCOMPARE(images.state, TaskState::Succeeded);
        Operation extendImages = action(OperationKind::VideoExtend, images, 1);
        extendImages.variant = QStringLiteral("auto");
        VERIFY_OK(refused(extendImages, Error::Kind::Unsupported,
                          QStringLiteral("kie extends videos; this task made images")));
        VERIFY_OK(verifyAuth(env, fake));
    }

    // kie has no pan, zoom, vary region, reroll, seed, animate, describe, blend, shorten, nor upscale and
    // vary variants (PROVIDERS.md §3, §5): refused before anything is sent, with the reason the Gallery's
    // tooltip shows, on a grid tile as on an upscale.
    void refusedBeforeSending_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("parent"); // "grid", "upscale", "video" or "" (no parent)
        QTest::addColumn<int>("tile");
        QTest::addColumn<QString>("variant");
        QTest::addColumn<int>("errorKind");
        QTest::addColumn<QString>("message");

        using K = OperationKind;
        const int unsupported = int(Error::Kind::Unsupported);
        QTest::newRow("pan left on tile 2")
            << int(K::Pan) << "grid" << 2 << QString() << unsupported << "kie has no pan";
        QTest::newRow("pan left on U2")
            << int(K::Pan) << "upscale" << 0 << QString() << unsupported << "kie has no pan";
        QTest::newRow("zoom 1.5x on U2")
            << int(K::Zoom) << "upscale" << 0 << QString() << unsupported << "kie has no zoom";
        QTest::newRow("zoom 2x on tile 2")
            << int(K::Zoom) << "grid" << 2 << QString() << unsupported << "kie has no zoom";
        QTest::newRow("vary region with a mask on U2") << int(K::Inpaint) << "upscale" << 0 << QString()
                                                       << unsupported << "kie has no vary region (inpaint)";
        QTest::newRow("vary region on tile 2") << int(K::Inpaint) << "grid" << 2 << QString() << unsupported
                                               << "kie has no vary region (inpaint)";
        QTest::newRow("reroll") << int(K::Reroll) << "grid" << 0 << QString() << unsupported
                                << "kie has no reroll";
        QTest::newRow("seed") << int(K::Seed) << "grid" << 0 << QString() << unsupported << "kie has no seed";
        QTest::newRow("animate") << int(K::Animate) << "upscale" << 0 << QString() << unsupported
                                 << "kie has no animate; generate with the type video instead";
        QTest::newRow("describe") << int(K::Describe) << "" << 0 << QString() << unsupported
                                  << "kie has no describe";
        QTest::newRow("blend") << int(K::Blend) << "" << 0 << QString() << unsupported << "kie has no blend";
        QTest::newRow("shorten") << int(K::Shorten) << "" << 0 << QString() << unsupported
                                 << "kie has no shorten";
        QTest::newRow("upscale subtle")
            << int(K::Upscale) << "grid" << 2 << "subtle" << unsupported
            << "variant: kie has no subtle upscale, only the plain one of each image";
        QTest::newRow("vary strong") << int(K::Vary) << "grid" << 2 << "strong" << unsupported
                                     << "variant: kie has no strong vary, only the plain one of each image";
        QTest::newRow("U1 of an upscale")
            << int(K::Upscale) << "upscale" << 1 << QString() << unsupported
            << "kie offers U1 on the four images of a generation, not on a single image";
        QTest::newRow("V1 of an upscale")
            << int(K::Vary) << "upscale" << 1 << QString() << unsupported
            << "kie offers V1 on the four images of a generation, not on a single image";
        QTest::newRow("imagine with --seed") << int(K::Imagine) << "" << 0 << QString()
                                             << int(Error::Kind::InvalidRequest) << "seed: kie takes no seed";
    }

    void refusedBeforeSending()
    {
        QFETCH(int, kind);
        QFETCH(QString, parent);
        QFETCH(int, tile);
        QFETCH(QString, variant);
        QFETCH(int, errorKind);
        QFETCH(QString, message);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        const Task grid = r.kept;
        QCOMPARE(grid.state, TaskState::Succeeded);
        const auto children = env.store->children(grid.id);
        QVERIFY(children);
        Task upscale
            = children->isEmpty() ? env.run(action(OperationKind::Upscale, grid, 2)) : children->first();
        QCOMPARE(upscale.state, TaskState::Succeeded);
        QCOMPARE(upscale.operation.label(), QStringLiteral("U2"));
        const Task *from = parent == QLatin1String("grid") ? &grid
            : parent == QLatin1String("upscale")           ? &upscale
                                                           : nullptr;

        Operation op;
        op.kind = static_cast<OperationKind>(kind);
        op.prompt = QStringLiteral("a red fox");
        if (op.kind == OperationKind::Imagine)
            op.prompt = QStringLiteral("a red fox --seed 1234");
        if (from) {
            op.parentTaskId = from->id;
            op.tile = tile;
            op.prompt.clear();
        }
        op.variant = variant;
        op.direction = QStringLiteral("left");
        op.zoomFactor = from == &grid ? QStringLiteral("2") : QStringLiteral("1.5");
        if (op.kind == OperationKind::Inpaint)
            op.mask = E2EEnv::maskPng(QSize(1024, 1024), QRect(400, 200, 300, 200));
        if (op.kind == OperationKind::Describe || op.kind == OperationKind::Blend)
            op.references = {QStringLiteral("https://cdn.example.com/a.png"),
                             QStringLiteral("https://cdn.example.com/b.png")};

        const int requests = env.server.count();
        const int tasks = *env.store->taskCount();
        const Result<QString> submitted = env.submit(op);
        QVERIFY(!submitted);
        QCOMPARE(int(submitted.error().kind), errorKind);
        QCOMPARE(submitted.error().message, message);
        QCOMPARE(env.server.count(), requests);
        QCOMPARE(*env.store->taskCount(), tasks);
        QCOMPARE(env.engine->drivingCount(), 0);

        // What the Gallery asks before offering the action: disabled, with the same reason as tooltip.
        const ProviderAdapter *adapter = env.providers->adapter(QStringLiteral("kie"));
        QVERIFY(adapter);
        if (errorKind == int(Error::Kind::Unsupported) && variant.isEmpty()) {
            const Availability available = adapter->availability(op, from, env.account);
            QVERIFY(!available.enabled);
            QCOMPARE(available.reason, message);
        }
        if (message.startsWith(QLatin1String("kie has no")))
            QVERIFY(!adapter->capabilities(env.account).supports(op.kind));
        VERIFY_OK(verifyKept(env, grid));
    }

    // No server-side cancel at kie: cancelling a running task stops polling here and says the server may
    // still finish and charge it; nothing is sent. The same run checks the poll policy of §6: the
    // first-poll option brings the first status check forward, after which kie's own 5 s interval holds.
    void cancelStopsPollingLocally()
    {
        E2EEnv env(QStringLiteral("kie"));
        // Only first-poll is overridden: the interval is kie's 5 s, backing off to 15 s.
        env.account.options.remove(QStringLiteral("poll-interval"));
        QVERIFY(env.store->saveAccount(env.account));
        FakeKie fake(env);
        fake.runningPolls = 1000;

        const ProviderAdapter *adapter = env.providers->adapter(QStringLiteral("kie"));
        QVERIFY(!adapter->capabilities(env.account).serverCancel);
        QVERIFY(!adapter->buildCancel(QStringLiteral("4edb3c50001e3f0aa5cc"), env.account));

        const Result<QString> id = env.submit(Operation::imagine(QStringLiteral("a slow fox")));
        QVERIFY(id);
        QTRY_COMPARE_WITH_TIMEOUT(env.server.count("GET", kStatus), 2, 12'000);
        QTRY_COMPARE(env.task(*id).pollCount, 2);
        QCOMPARE(env.task(*id).state, TaskState::Running);
        const QDateTime submitted = env.server.last("POST", kGenerate)->received;
        const auto polls = env.server.requests("GET", kStatus);
        QVERIFY2(submitted.msecsTo(polls.at(0).received) < 2000, "first-poll 0.05 s is honoured");
        const qint64 gap = polls.at(0).received.msecsTo(polls.at(1).received);
        // kie's 5 s interval (a coarse timer may fire up to 5 % early), not the override's 50 ms.
        QVERIFY2(gap >= 4750 && gap < 9000, qPrintable(QStringLiteral("second poll after %1 ms").arg(gap)));

        QVERIFY(env.engine->cancel(*id));
        const Task cancelled = env.task(*id);
        QCOMPARE(cancelled.state, TaskState::Cancelled);
        QVERIFY(cancelled.error);
        QCOMPARE(cancelled.error->kind, Error::Kind::Cancelled);
        QCOMPARE(cancelled.error->message, kCancelledLocally);
        QCOMPARE(cancelled.remoteId, fake.order.value(0));
        QVERIFY(!env.engine->isDriving(*id));
        // Nothing went to kie to cancel, and no status check follows.
        QTest::qWait(300);
        QCOMPARE(env.server.count(), 3);
        QCOMPARE(env.server.count("GET", kStatus), 2);
        const Status again = env.engine->cancel(*id);
        QVERIFY(!again);
        QCOMPARE(env.task(*id).state, TaskState::Cancelled);
        VERIFY_OK(verifyAuth(env, fake));
    }

    // kie's defaults (§6: first poll after 10 s, every 5 s backing off to 15 s, for 10 minutes) and the
    // account overrides.
    void pollPolicy()
    {
        const auto registry = ProviderRegistry::createDefault();
        const ProviderAdapter *adapter = registry->adapter(QStringLiteral("kie"));
        QVERIFY(adapter);
        Account account;
        account.family = QStringLiteral("kie");
        const Operation op = Operation::imagine(QStringLiteral("x"));
        PollPolicy p = adapter->pollPolicy(op, account);
        QCOMPARE(p.firstPollMs, 10'000);
        QCOMPARE(p.intervalMs, 5'000);
        QCOMPARE(p.maxIntervalMs, 15'000);
        QCOMPARE(p.maxPolls, 0);
        QCOMPARE(p.timeoutMs, 600'000);

        account.options.insert(QStringLiteral("first-poll"), QStringLiteral("0.05"));
        p = adapter->pollPolicy(op, account);
        QCOMPARE(p.firstPollMs, 50);
        QCOMPARE(p.intervalMs, 5'000);
        QCOMPARE(p.maxIntervalMs, 15'000);

        account.options.insert(QStringLiteral("poll-interval"), QStringLiteral("2"));
        account.options.insert(QStringLiteral("timeout"), QStringLiteral("90"));
        account.options.insert(QStringLiteral("max-polls"), QStringLiteral("12"));
        p = adapter->pollPolicy(op, account);
        QCOMPARE(p.intervalMs, 2'000);
        QCOMPARE(p.maxIntervalMs, 2'000);
        QCOMPARE(p.timeoutMs, 90'000);
        QCOMPARE(p.maxPolls, 12);
    }

    void cleanupTestCase() { m_rig.reset(); }
};

QTEST_GUILESS_MAIN(TestE2EKie)
#include "tst_e2e_kie.moc"
