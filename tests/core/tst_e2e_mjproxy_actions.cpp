// End to end against a fake midjourney-proxy (PROVIDERS.md §4, e2e_mjproxy.h): the buttons of the family's
// §5 column on grids and upscales (customIds copied from the parent's buttons), the seed, Remix and the
// MODAL follow-ups (/submit/modal), version 5 upscales, and what an upscale will not carry. The flows are
// in tst_e2e_mjproxy, the failure tables in tst_e2e_mjproxy_failures.

#include "e2e_mjproxy.h"

#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

class TestE2EMjproxyActions : public QObject
{
    Q_OBJECT
private slots:
    void everyOtherOperation();
    void remixModalUsesTheFinalPrompt();
    void remixAsksForThePrompt();
    void modalRefused();
    void v5Upscales();
    void offeredOnlyWhatTheUpscaleWillCarry();
};

// Every other button of the family's §5 column, on the grid and on an upscale, and the seed: all sent at
// once (the engine runs three at a time per account).
void TestE2EMjproxyActions::everyOtherOperation()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);

    Operation op = Operation::imagine(QStringLiteral("a lighthouse at dusk"));
    op.type = GenerateType::Style;
    op.references = {QStringLiteral("https://example.com/style.png")};
    const Task imagine = env.run(op);
    VERIFY_OK(checkGrid(env, fake, imagine, QSize(1024, 1024)));
    QCOMPARE(compact(fake.bodies(QStringLiteral("/submit/imagine")).constFirst()),
             compact({{QStringLiteral("prompt"),
                       QStringLiteral("a lighthouse at dusk --sref https://example.com/style.png")}}));
    const Task u2 = env.run(act(OperationKind::Upscale, imagine.id, 2));
    VERIFY_OK(checkSingle(env, u2, QSize(1024, 1024)));
    const QString gridHash = fake.job(imagine.remoteId)->hash;
    const QString upHash = fake.job(u2.remoteId)->hash;
    const QString solo = QStringLiteral("::1::%1::SOLO").arg(upHash);

    struct Step
    {
        Operation op;
        QString customId;
        FakeJob::Result result;
        QSize size;
        QString id = {};
    };
    const auto with = [](Operation o, const char *field, const QString &value) {
        if (qstrcmp(field, "variant") == 0)
            o.variant = value;
        else if (qstrcmp(field, "direction") == 0)
            o.direction = value;
        else if (qstrcmp(field, "zoom") == 0)
            o.zoomFactor = value;
        else if (qstrcmp(field, "motion") == 0)
            o.motion = value;
        return o;
    };
    const auto grid = FakeJob::Result::Grid;
    const auto single = FakeJob::Result::Single;
    QList<Step> steps {
        {act(OperationKind::Vary, imagine.id, 3),
         QStringLiteral("MJ::JOB::variation::3::") + gridHash,
         grid,
         {1024, 1024}},
        {act(OperationKind::Reroll, imagine.id, 0),
         QStringLiteral("MJ::JOB::reroll::0::%1::SOLO").arg(gridHash),
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Upscale, u2.id, 0), "variant", QStringLiteral("subtle")),
         QStringLiteral("MJ::JOB::upsample_v7_2x_subtle") + solo,
         single,
         {2048, 2048}},
        {with(act(OperationKind::Upscale, u2.id, 0), "variant", QStringLiteral("creative")),
         QStringLiteral("MJ::JOB::upsample_v7_2x_creative") + solo,
         single,
         {2048, 2048}},
        {with(act(OperationKind::Vary, u2.id, 0), "variant", QStringLiteral("subtle")),
         QStringLiteral("MJ::JOB::low_variation") + solo,
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Vary, u2.id, 0), "variant", QStringLiteral("strong")),
         QStringLiteral("MJ::JOB::high_variation") + solo,
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Zoom, u2.id, 0), "zoom", QStringLiteral("2")),
         QStringLiteral("MJ::Outpaint::50::1::%1::SOLO").arg(upHash),
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Zoom, u2.id, 0), "zoom", QStringLiteral("1.8")),
         QStringLiteral("MJ::CustomZoom::") + upHash,
         grid,
         {1024, 1024}},
        {with(act(OperationKind::Pan, u2.id, 0), "direction", QStringLiteral("right")),
         QStringLiteral("MJ::JOB::pan_right") + solo,
         grid,
         {1536, 1024}},
        {with(act(OperationKind::Pan, u2.id, 0), "direction", QStringLiteral("up")),
         QStringLiteral("MJ::JOB::pan_up") + solo,
         grid,
         {1024, 1536}},
        {with(act(OperationKind::Pan, u2.id, 0), "direction", QStringLiteral("down")),
         QStringLiteral("MJ::JOB::pan_down") + solo,
         grid,
         {1024, 1536}},
        {with(act(OperationKind::Animate, u2.id, 0), "motion", QStringLiteral("high")),
         QStringLiteral("MJ::JOB::animate_high") + solo,
         FakeJob::Result::Video,
         {1024, 1024}},
    };
    for (Step &step : steps) {
        const Result<QString> id = env.submit(step.op);
        QVERIFY2(id, qPrintable(id ? QString() : id.error().message));
        step.id = *id;
    }
    const Result<QString> seedId = env.submit(act(OperationKind::Seed, imagine.id, 0));
    QVERIFY2(seedId, qPrintable(seedId ? QString() : seedId.error().message));

    for (const Step &step : steps) {
        const Task t = env.runToEnd(step.id);
        QVERIFY2(t.state == TaskState::Succeeded, qPrintable(step.op.label()));
        const FakeJob *j = fake.job(t.remoteId);
        QVERIFY(j);
        QCOMPARE(j->customId, step.customId);
        QCOMPARE(j->parentId, step.op.parentTaskId == imagine.id ? imagine.remoteId : u2.remoteId);
        QCOMPARE(t.parentId, step.op.parentTaskId);
        switch (step.result) {
        case FakeJob::Result::Grid:
            VERIFY_OK(checkGrid(env, fake, t, step.size));
            break;
        case FakeJob::Result::Single:
            VERIFY_OK(checkSingle(env, t, step.size));
            break;
        default: {
            QCOMPARE(t.images.size(), 1);
            const ImageRef &video = t.images.constFirst();
            QCOMPARE(video.role, ImageRole::Video);
            QVERIFY(video.isLocal());
            QVERIFY(video.path.endsWith(QLatin1String(".mp4")));
            QFile file(env.pathOf(video));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.readAll(), mp4Bytes());
        }
        }
    }

    // Custom zoom is parked in MODAL and finished with the parent's prompt (links unwrapped) + --zoom.
    const QList<QJsonObject> modals = fake.bodies(QStringLiteral("/submit/modal"));
    QCOMPARE(modals.size(), 1);
    const FakeJob *custom = fake.job(env.task(steps[7].id).remoteId);
    QCOMPARE(
        compact(modals[0]),
        compact({{QStringLiteral("taskId"), custom->id},
                 {QStringLiteral("prompt"),
                  QStringLiteral("a lighthouse at dusk --sref https://example.com/style.png --zoom 1.8")}}));
    QCOMPARE(fake.bodies(QStringLiteral("/submit/action")).size(), steps.size() + 1);

    // The seed answers at once: nothing to poll, the seed kept with the task.
    const Task seed = env.runToEnd(*seedId);
    QCOMPARE(seed.state, TaskState::Succeeded);
    QVERIFY(!seed.error);
    QCOMPARE(seed.remote.value(QLatin1String("seed")).toString(), QStringLiteral("3470150319"));
    QVERIFY(seed.images.isEmpty());
    QCOMPARE(fake.requests("GET", QStringLiteral("/task/%1/image-seed").arg(imagine.remoteId)).size(), 1);
    VERIFY_OK(checkClean(fake));
}

// With Remix on, a V button answers code 21 too: the modal carries the parent's final prompt.
void TestE2EMjproxyActions::remixModalUsesTheFinalPrompt()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.remix = true;
    Operation op = Operation::imagine(QStringLiteral("a koi pond"));
    op.type = GenerateType::Omni;
    op.references = {QStringLiteral("https://example.com/koi.png")};
    op.omniWeight = 200;
    const Task imagine = env.run(op);
    VERIFY_OK(checkGrid(env, fake, imagine, QSize(1024, 1024)));
    QCOMPARE(imagine.remote.value(QLatin1String("finalPrompt")).toString(),
             QStringLiteral("a koi pond --oref <https://example.com/koi.png> --ow 200"));

    const Task v1 = env.run(act(OperationKind::Vary, imagine.id, 1));
    VERIFY_OK(checkGrid(env, fake, v1, QSize(1024, 1024)));
    const QList<QJsonObject> modals = fake.bodies(QStringLiteral("/submit/modal"));
    QCOMPARE(modals.size(), 1);
    QCOMPARE(compact(modals[0]),
             compact({{QStringLiteral("taskId"), v1.remoteId},
                      {QStringLiteral("prompt"),
                       QStringLiteral("a koi pond --oref https://example.com/koi.png --ow 200")}}));
    QCOMPARE(fake.job(v1.remoteId)->customId,
             QString(QStringLiteral("MJ::JOB::variation::1::") + fake.job(imagine.remoteId)->hash));
    VERIFY_OK(checkClean(fake));
}

// Issue 12: with Remix on at the server and a window that can ask, V and reroll wait for the user's prompt
// (pre-filled with the image's) before the modal is sent; the modal carries what the user wrote.
// Cancelling at the prompt sends nothing. The account option "remix keep" never asks.
void TestE2EMjproxyActions::remixAsksForThePrompt()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.remix = true;
    env.engine->setAsksRemixPrompts(true);
    const Task imagine = env.run(Operation::imagine(QStringLiteral("a harbour at dawn")));
    VERIFY_OK(checkGrid(env, fake, imagine, QSize(1024, 1024)));
    QSignalSpy asked(env.engine.get(), &TaskEngine::remixPromptNeeded);

    const Result<QString> vary = env.submit(act(OperationKind::Vary, imagine.id, 2));
    QVERIFY(vary);
    QTRY_COMPARE(asked.size(), 1);
    QCOMPARE(asked[0][0].toString(), *vary);
    QCOMPARE(asked[0][1].toString(), QStringLiteral("a harbour at dawn"));
    QTest::qWait(50);
    QCOMPARE(fake.bodies(QStringLiteral("/submit/modal")).size(), 0);
    const Task parked = env.task(*vary);
    QCOMPARE(parked.state, TaskState::Submitted);
    QCOMPARE(parked.remote.value(QLatin1String("remixPrompt")).toString(),
             QStringLiteral("a harbour at dawn"));
    QVERIFY(env.engine->answerRemixPrompt(*vary, QStringLiteral("a harbour at dusk in a storm")));
    const Task v2 = env.runToEnd(*vary);
    VERIFY_OK(checkGrid(env, fake, v2, QSize(1024, 1024)));
    QVERIFY(!v2.remote.contains(QLatin1String("remixPrompt")));
    QCOMPARE(v2.prompt, QStringLiteral("a harbour at dusk in a storm"));
    QList<QJsonObject> modals = fake.bodies(QStringLiteral("/submit/modal"));
    QCOMPARE(modals.size(), 1);
    QCOMPARE(modals[0].value(QLatin1String("prompt")).toString(),
             QStringLiteral("a harbour at dusk in a storm"));
    QCOMPARE(modals[0].value(QLatin1String("taskId")).toString(), v2.remoteId);

    // Cancelled at the prompt: no modal, nothing started.
    const Result<QString> reroll = env.submit(act(OperationKind::Reroll, imagine.id, 0));
    QVERIFY(reroll);
    QTRY_COMPARE(asked.size(), 2);
    QVERIFY(env.engine->cancel(*reroll));
    const Task cancelled = env.runToEnd(*reroll);
    QCOMPARE(cancelled.state, TaskState::Cancelled);
    QCOMPARE(fake.bodies(QStringLiteral("/submit/modal")).size(), 1);

    // "remix keep": sent as before, without asking.
    env.account.options.insert(QStringLiteral("remix"), QStringLiteral("keep"));
    QVERIFY(env.store->saveAccount(env.account));
    const Task v3 = env.run(act(OperationKind::Vary, imagine.id, 3));
    VERIFY_OK(checkGrid(env, fake, v3, QSize(1024, 1024)));
    QCOMPARE(asked.size(), 2);
    modals = fake.bodies(QStringLiteral("/submit/modal"));
    QCOMPARE(modals.size(), 2);
    QCOMPARE(modals[1].value(QLatin1String("prompt")).toString(), QStringLiteral("a harbour at dawn"));
    VERIFY_OK(checkClean(fake));
}

// A modal the server refuses fails the task with the server's words; nothing is sent again.
void TestE2EMjproxyActions::modalRefused()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    const Task imagine = env.run(Operation::imagine(QStringLiteral("a paper boat")));
    QCOMPARE(imagine.state, TaskState::Succeeded);
    fake.intercept = once("POST", QStringLiteral("/submit/modal"),
                          Answer::json(200,
                                       QJsonObject {{QStringLiteral("code"), 4},
                                                    {QStringLiteral("description"), text("mask 参数错误")}}));
    Operation region = act(OperationKind::Inpaint, imagine.id, 4);
    region.mask = E2EEnv::maskPng(QSize(1024, 1024), QRect(0, 0, 300, 300));
    const Result<QString> id = env.submit(region);
    QVERIFY(id);
    const Task t = env.runToEnd(*id);
    QCOMPARE(t.state, TaskState::Failed);
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, Error::Kind::InvalidRequest);
    QCOMPARE(t.error->message, text("mask 参数错误"));
    QCOMPARE(t.error->vendorCode, QStringLiteral("4"));
    const Task u4 = env.task(t.parentId);
    VERIFY_OK(checkSingle(env, u4, QSize(1024, 1024))); // the upscale it built on is kept
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/modal")).size(), 1);
    QCOMPARE(fake.bodies(QStringLiteral("/submit/action")).size(), 2);
    QCOMPARE(fake.jobs.back().status, QStringLiteral("MODAL"));
    VERIFY_OK(checkClean(fake));
}

// Version 5 upscales offer Upscale (2x) and (4x).
void TestE2EMjproxyActions::v5Upscales()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    Operation op = Operation::imagine(QStringLiteral("an old map"));
    op.version = QStringLiteral("5.2");
    const Task imagine = env.run(op);
    VERIFY_OK(checkGrid(env, fake, imagine, QSize(512, 512)));
    QCOMPARE(
        fake.bodies(QStringLiteral("/submit/imagine")).constFirst().value(QLatin1String("prompt")).toString(),
        QStringLiteral("an old map --v 5.2"));
    Operation twice = act(OperationKind::Upscale, imagine.id, 4);
    twice.variant = QStringLiteral("2x");
    Operation fourTimes = act(OperationKind::Upscale, imagine.id, 4);
    fourTimes.variant = QStringLiteral("4x");
    // Both asked on the grid tile: the first stores U4, the second reuses it while it still runs.
    const Result<QString> a = env.submit(twice);
    const Result<QString> b = env.submit(fourTimes);
    QVERIFY(a && b);
    const Task x2 = env.runToEnd(*a);
    const Task x4 = env.runToEnd(*b);
    QCOMPARE(x2.parentId, x4.parentId);
    const Task u4 = env.task(x2.parentId);
    VERIFY_OK(checkSingle(env, u4, QSize(512, 512)));
    VERIFY_OK(checkSingle(env, x2, QSize(1024, 1024)));
    VERIFY_OK(checkSingle(env, x4, QSize(2048, 2048)));
    const QString hash = fake.job(u4.remoteId)->hash;
    QCOMPARE(fake.job(x2.remoteId)->customId,
             QStringLiteral("MJ::JOB::upsample_v5_2x::1::%1::SOLO").arg(hash));
    QCOMPARE(fake.job(x4.remoteId)->customId,
             QStringLiteral("MJ::JOB::upsample_v5_4x::1::%1::SOLO").arg(hash));
    QCOMPARE(env.store->children(imagine.id)->size(), 1);
    VERIFY_OK(checkClean(fake));
}

// Issue 12: on a grid tile, an action that runs on the tile's upscale is refused before anything is sent
// (or paid) when the upscale of that version will not carry its button: 2x on a version 6.1 grid. Animate,
// which depends on the server, is offered with a caveat; on a server without animate buttons the U is made
// and the chained Animate fails here without a request, and Retry is not offered for it.
void TestE2EMjproxyActions::offeredOnlyWhatTheUpscaleWillCarry()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.animate = false;
    const Task grid = env.run(Operation::imagine(QStringLiteral("a lighthouse at dusk --v 6.1")));
    VERIFY_OK(checkGrid(env, fake, grid, QSize(1024, 1024)));
    const ProviderAdapter *adapter = env.providers->adapter(QStringLiteral("mjproxy"));
    QVERIFY(adapter);

    Operation twice = act(OperationKind::Upscale, grid.id, 2);
    twice.variant = QStringLiteral("2x");
    const QString why
        = QStringLiteral("Upscale (2x) exists only on version 5 upscales; this grid is version 6.1");
    const Availability offered = env.providers->availability(twice, &grid, env.account);
    QVERIFY(!offered.enabled);
    QCOMPARE(offered.reason, why);
    const int requests = env.server.count();
    const int tasks = *env.store->taskCount();
    const Result<QString> refused = env.submit(twice);
    QVERIFY(!refused);
    QCOMPARE(refused.error().kind, Error::Kind::Unsupported);
    QCOMPARE(refused.error().message, why);
    QCOMPARE(env.server.count(), requests);
    QCOMPARE(*env.store->taskCount(), tasks);

    Operation video = act(OperationKind::Animate, grid.id, 3);
    video.motion = QStringLiteral("high");
    const Availability maybe = env.providers->availability(video, &grid, env.account);
    QVERIFY(maybe.enabled);
    QVERIFY2(maybe.caveat.contains(QLatin1String("U3 is made (and charged) first")),
             qPrintable(maybe.caveat));
    const Task animated = env.run(video);
    QCOMPARE(animated.state, TaskState::Failed);
    QVERIFY(animated.error);
    QCOMPARE(animated.error->kind, Error::Kind::Unsupported);
    QCOMPARE(animated.error->message, QStringLiteral("This result has no Animate (High motion) button"));
    // One action was sent and paid for: the U. Nothing for the Animate the upscale does not carry.
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/action")).size(), 1);
    const Task u3 = env.task(animated.parentId);
    QCOMPARE(u3.state, TaskState::Succeeded);
    // Retry asks the same question of the same parent: it cannot work, so it is not offered.
    const Availability retry = env.providers->availability(animated.operation, &u3, env.account);
    QVERIFY(!retry.enabled);
    QCOMPARE(retry.reason, animated.error->message);
    VERIFY_OK(checkClean(fake));
}

QTEST_GUILESS_MAIN(TestE2EMjproxyActions)
#include "tst_e2e_mjproxy_actions.moc"
