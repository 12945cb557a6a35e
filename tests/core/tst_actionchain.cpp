// The engine's multi-step work: single-image actions on a grid tile chained after the tile's U
// (ActionPlanner), reuse of an existing upscale, a failed first step failing the next, API keys read from
// the SecretStore for each run, answers that are already the result, and "queue full" re-sends.
#include "secrets/secretstore.h"
#include "tasks/actionplanner.h"
#include "testenv.h"

#include <QBuffer>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace tessera;
using namespace tessera::test;

namespace {

// A family like kolersky: pan acts on a single image, so on a grid tile it needs the U first. Submits
// answer {"id"}; GET /status/<id> answers done with four tiles (imagine) or one upscale (everything
// else); "seed" answers at once.
class ChainAdapter final : public ProviderAdapter
{
public:
    QString family() const override { return QStringLiteral("chain"); }
    QString displayName() const override { return QStringLiteral("Chain"); }
    Capabilities capabilities(const Account &) const override
    {
        Capabilities c;
        c.operations
            = {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Pan, OperationKind::Seed};
        return c;
    }
    Availability availability(const Operation &, const Task *, const Account &) const override
    {
        return Availability::yes();
    }
    Status validate(const Operation &, const Account &) const override { return {}; }
    Result<HttpCall> buildSubmit(const Operation &op, const SubmitContext &ctx) const override
    {
        QJsonObject body {{QStringLiteral("kind"), operationKindName(op.kind)}};
        if (ctx.parent) {
            body.insert(QStringLiteral("parent"), ctx.parent->remoteId);
            body.insert(QStringLiteral("index"), op.tile);
        }
        if (op.kind == OperationKind::Seed)
            return HttpCall::get(QStringLiteral("/seed/") + ctx.parent->remoteId, {},
                                 HttpCall::Purpose::Submit);
        return HttpCall::post(QStringLiteral("/submit/") + operationKindName(op.kind), body);
    }
    Result<SubmitOutcome> parseSubmit(const Operation &op, const HttpResponse &r) const override
    {
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        if (r.status == 200 && o.value(QStringLiteral("code")).toInt() == 23)
            return Error::make(Error::Kind::RateLimited, QStringLiteral("queue full"), 200,
                               QStringLiteral("23"));
        if (!r.isSuccess())
            return Error::make(Error::Kind::InvalidRequest, QString::fromUtf8(r.body), r.status);
        SubmitOutcome out;
        out.remoteId = o.value(QStringLiteral("id")).toString();
        if (op.kind == OperationKind::Seed) {
            auto snapshot = std::make_shared<TaskSnapshot>();
            snapshot->state = TaskState::Succeeded;
            snapshot->remote.insert(QStringLiteral("seed"), o.value(QStringLiteral("seed")).toString());
            out.immediate = snapshot;
        }
        return out;
    }
    HttpCall buildStatus(const QString &remoteId, const Account &) const override
    {
        return HttpCall::get(QStringLiteral("/status/") + remoteId);
    }
    Result<TaskSnapshot> parseStatus(const HttpResponse &r) const override
    {
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        TaskSnapshot s;
        if (o.value(QStringLiteral("running")).toBool()) {
            s.state = TaskState::Running;
            return s;
        }
        s.state = TaskState::Succeeded;
        const QJsonArray urls = o.value(QStringLiteral("urls")).toArray();
        for (int i = 0; i < urls.size(); ++i)
            s.results.append({urls.size() == 1 ? ImageRole::Upscale : ImageRole::Tile,
                              urls.size() == 1 ? 0 : i + 1, urls[i].toString()});
        return s;
    }
    PollPolicy pollPolicy(const Operation &, const Account &) const override
    {
        return {500, 500, 500, 0, 60'000};
    }
    bool needsSingleImage(const Operation &op) const override { return op.kind == OperationKind::Pan; }
    std::optional<HttpCall> batchStatusCall(const QStringList &ids, const Account &) const override
    {
        return HttpCall::post(QStringLiteral("/batch"),
                              {{QStringLiteral("ids"), QJsonArray::fromStringList(ids)}},
                              HttpCall::Purpose::Status);
    }
    Result<QMap<QString, TaskSnapshot>> readBatchStatus(const HttpResponse &r) const override
    {
        if (!r.isSuccess())
            return Error::make(Error::Kind::NotFound, QStringLiteral("no batch here"), r.status);
        QMap<QString, TaskSnapshot> map;
        const QJsonObject all = QJsonDocument::fromJson(r.body).object();
        for (auto it = all.constBegin(); it != all.constEnd(); ++it) {
            HttpResponse one;
            one.status = 200;
            one.body = QJsonDocument(it.value().toObject()).toJson();
            map.insert(it.key(), *parseStatus(one));
        }
        return map;
    }
};

QByteArray png(QColor color)
{
    QImage img(QSize(8, 8), QImage::Format_RGB32);
    img.fill(color);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    img.save(&buffer, "PNG");
    return bytes;
}

// The fake server: remembers which kind each id is, answers statuses accordingly.
struct Server
{
    ScriptedTransport transport;
    QHash<QString, QString> kinds; // remote id → operation kind
    int next = 1;
    QSet<QString> refuse; // kinds whose submit gets a 400
    int queueFullFor = 0; // that many submits answer "queue full" first
    bool stuck = false; // statuses answer "still running"
    bool batches = false; // answers POST /batch (else 404)
    QSet<QString> leaveOut; // ids the batch answer omits

    Server()
    {
        transport.handler = [this](const HttpCall &call) -> std::optional<Result<HttpResponse>> {
            if (call.path.startsWith(QLatin1String("/submit/"))) {
                const QString kind = call.path.mid(8);
                if (refuse.contains(kind))
                    return HttpResponse::json(
                        400, {{QStringLiteral("message"), QStringLiteral("no %1 today").arg(kind)}});
                if (queueFullFor > 0) {
                    --queueFullFor;
                    return HttpResponse::json(200, {{QStringLiteral("code"), 23}});
                }
                const QString id = QStringLiteral("r%1").arg(next++);
                kinds.insert(id, kind);
                return HttpResponse::json(200, {{QStringLiteral("id"), id}});
            }
            if (call.path == QLatin1String("/batch")) {
                if (!batches)
                    return HttpResponse::json(404,
                                              {{QStringLiteral("message"), QStringLiteral("no such route")}});
                QJsonObject all;
                for (const QJsonValue &id : call.body->object().value(QStringLiteral("ids")).toArray()) {
                    if (leaveOut.contains(id.toString()))
                        continue;
                    QJsonArray urls;
                    for (int i = 0; i < (kinds.value(id.toString()) == QLatin1String("imagine") ? 4 : 1); ++i)
                        urls.append(
                            QStringLiteral("https://cdn.example/%1/%2.png").arg(id.toString()).arg(i));
                    all.insert(id.toString(), QJsonObject {{QStringLiteral("urls"), urls}});
                }
                return HttpResponse::json(200, all);
            }
            if (call.path.startsWith(QLatin1String("/seed/")))
                return HttpResponse::json(200,
                                          {{QStringLiteral("seed"), QStringLiteral("123456789012345678")}});
            if (stuck)
                return HttpResponse::json(200, {{QStringLiteral("running"), true}});
            const QString id = call.path.mid(8);
            QJsonArray urls;
            const int count = kinds.value(id) == QLatin1String("imagine") ? 4 : 1;
            for (int i = 0; i < count; ++i)
                urls.append(QStringLiteral("https://cdn.example/%1/%2.png").arg(id).arg(i));
            return HttpResponse::json(200, {{QStringLiteral("urls"), urls}});
        };
        transport.downloads = [](const QUrl &) -> Result<HttpResponse> {
            HttpResponse r;
            r.status = 200;
            r.body = png(Qt::darkCyan);
            return r;
        };
    }
    int submits(const QString &kind) const
    {
        return transport.count("POST", QStringLiteral("/submit/") + kind);
    }
};

const QString kAccount = QStringLiteral("chain-1");

std::unique_ptr<TestEnv> chainEnv(Server &server, SecretStore *secrets = nullptr)
{
    auto env = std::make_unique<TestEnv>();
    env->providers->add(std::make_unique<ChainAdapter>());
    Account a;
    a.id = kAccount;
    a.family = QStringLiteral("chain");
    a.name = QStringLiteral("chain account");
    a.baseUrl = QStringLiteral("https://chain.example");
    if (!env->store->saveAccount(a))
        qFatal("cannot save account");
    env->useTransport(&server.transport);
    env->engine->setSecrets(secrets);
    return env;
}

QString runImagine(TestEnv &env)
{
    const Result<QString> id
        = env.engine->submit(Operation::imagine(QStringLiteral("a lighthouse")), kAccount);
    if (!id || !env.runUntil([&] { return isTerminal(env.task(*id).state); }))
        return {};
    return *id;
}

} // namespace

class TstActionChain : public QObject
{
    Q_OBJECT

private slots:
    void panOnAGridTileRunsTheTilesUpscaleFirst()
    {
        Server server;
        auto env = chainEnv(server);
        const QString grid = runImagine(*env);
        QCOMPARE(env->task(grid).state, TaskState::Succeeded);

        QSignalSpy added(env->engine.get(), &TaskEngine::taskAdded);
        Operation pan = Operation::action(OperationKind::Pan, grid, 2);
        pan.direction = QStringLiteral("left");
        const Result<QString> id = env->engine->submit(pan, kAccount);
        QVERIFY2(id.ok(), qPrintable(id ? QString() : id.error().message));
        QCOMPARE(added.count(), 2); // the U2 and the pan both show in the Queue at once

        const Task queued = env->task(*id);
        const Task upscale = env->task(queued.parentId);
        QCOMPARE(upscale.operation.kind, OperationKind::Upscale);
        QCOMPARE(upscale.parentId, grid);
        QCOMPARE(upscale.tile, 2);
        QCOMPARE(queued.tile, 0);
        QCOMPARE(queued.operation.kind, OperationKind::Pan);

        QVERIFY(env->runUntil([&] { return isTerminal(env->task(*id).state); }));
        QCOMPARE(env->task(upscale.id).state, TaskState::Succeeded);
        const Task done = env->task(*id);
        QCOMPARE(done.state, TaskState::Succeeded);
        QVERIFY(done.image(0));

        // The pan went out after the U had its result, and on the U's remote id.
        QCOMPARE(server.submits(QStringLiteral("upscale")), 1);
        QCOMPARE(server.submits(QStringLiteral("pan")), 1);
        qsizetype upAt = -1, panAt = -1;
        for (qsizetype i = 0; i < server.transport.sent.size(); ++i) {
            const HttpCall &c = server.transport.sent[i].call;
            if (c.path == QLatin1String("/submit/upscale"))
                upAt = i;
            if (c.path == QLatin1String("/submit/pan")) {
                panAt = i;
                QCOMPARE(c.body->object().value(QStringLiteral("parent")).toString(),
                         env->task(upscale.id).remoteId);
                QCOMPARE(c.body->object().value(QStringLiteral("index")).toInt(), 0);
            }
        }
        QVERIFY(upAt >= 0 && panAt > upAt);
        bool upscaleDoneBeforePan = false;
        for (qsizetype i = upAt; i < panAt; ++i)
            upscaleDoneBeforePan |= server.transport.sent[i].call.path
                == QStringLiteral("/status/") + env->task(upscale.id).remoteId;
        QVERIFY(upscaleDoneBeforePan);

        // A second pan on the same tile reuses that upscale.
        Operation again = pan;
        again.direction = QStringLiteral("up");
        const Result<QString> second = env->engine->submit(again, kAccount);
        QVERIFY(second.ok());
        QCOMPARE(env->task(*second).parentId, upscale.id);
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(*second).state); }));
        QCOMPARE(server.submits(QStringLiteral("upscale")), 1);
        QCOMPARE(server.submits(QStringLiteral("pan")), 2);
    }

    void twoActionsOnOneTileShareTheUpscaleInFlight()
    {
        Server server;
        auto env = chainEnv(server);
        const QString grid = runImagine(*env);
        Operation pan = Operation::action(OperationKind::Pan, grid, 3);
        pan.direction = QStringLiteral("right");
        const Result<QString> a = env->engine->submit(pan, kAccount);
        const Result<QString> b = env->engine->submit(pan, kAccount);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(env->task(*a).parentId, env->task(*b).parentId);
        QVERIFY(env->runUntil(
            [&] { return isTerminal(env->task(*a).state) && isTerminal(env->task(*b).state); }));
        QCOMPARE(server.submits(QStringLiteral("upscale")), 1);
        QCOMPARE(env->task(*b).state, TaskState::Succeeded);
    }

    void aFailedUpscaleFailsTheActionBuiltOnIt()
    {
        Server server;
        auto env = chainEnv(server);
        const QString grid = runImagine(*env);
        server.refuse.insert(QStringLiteral("upscale"));
        Operation pan = Operation::action(OperationKind::Pan, grid, 1);
        pan.direction = QStringLiteral("down");
        QSignalSpy finished(env->engine.get(), &TaskEngine::taskFinished);
        const Result<QString> id = env->engine->submit(pan, kAccount);
        QVERIFY(id.ok());
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(*id).state); }));
        const Task t = env->task(*id);
        QCOMPARE(t.state, TaskState::Failed);
        QVERIFY2(t.error->message.contains(QStringLiteral("no upscale today")), qPrintable(t.error->message));
        QCOMPARE(server.submits(QStringLiteral("pan")), 0);
        QCOMPARE(finished.count(), 2); // one terminal signal each
    }

    void plannerLeavesDirectActionsAlone()
    {
        ChainAdapter adapter;
        Task grid;
        grid.id = QStringLiteral("g");
        grid.operation = Operation::imagine(QStringLiteral("x"));
        const ActionPlan up
            = ActionPlan::plan(Operation::action(OperationKind::Upscale, grid.id, 2), grid, adapter, {});
        QCOMPARE(up.step, ActionPlan::Step::Direct);
        Task upscale;
        upscale.id = QStringLiteral("u");
        upscale.operation = Operation::action(OperationKind::Upscale, grid.id, 2);
        Operation pan = Operation::action(OperationKind::Pan, upscale.id, 0);
        pan.direction = QStringLiteral("left");
        QCOMPARE(ActionPlan::plan(pan, upscale, adapter, {}).step, ActionPlan::Step::Direct);
        // A failed upscale of the tile is not reused.
        upscale.tile = 2;
        upscale.state = TaskState::Failed;
        pan.parentTaskId = grid.id;
        pan.tile = 2;
        const ActionPlan plan = ActionPlan::plan(pan, grid, adapter, {upscale});
        QCOMPARE(plan.step, ActionPlan::Step::UpscaleFirst);
        QCOMPARE(plan.upscale.tile, 2);
        QCOMPARE(plan.action.tile, 0);
    }

    void keysComeFromTheSecretStoreAndAMissingKeySaysSo()
    {
        Server server;
        MemorySecretStore secrets;
        auto env = chainEnv(server, &secrets);
        const Result<QString> keyless
            = env->engine->submit(Operation::imagine(QStringLiteral("x")), kAccount);
        QVERIFY(keyless.ok());
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(*keyless).state); }));
        QCOMPARE(env->task(*keyless).state, TaskState::Failed);
        QCOMPARE(env->task(*keyless).error->kind, Error::Kind::MissingKey);
        QVERIFY(env->task(*keyless).error->message.contains(QStringLiteral("no API key")));
        QVERIFY(server.transport.sent.isEmpty()); // nothing went out without a key

        bool written = false;
        secrets.writeKey(kAccount, QStringLiteral("sk-test-0042"), this,
                         [&](const Status &s) { written = s.ok(); });
        QTRY_VERIFY(written);
        const QString grid = runImagine(*env);
        QCOMPARE(env->task(grid).state, TaskState::Succeeded);
        QVERIFY(!server.transport.sent.isEmpty());
        for (const auto &sent : std::as_const(server.transport.sent))
            QCOMPARE(sent.apiKey, QStringLiteral("sk-test-0042"));
    }

    void anAnswerThatIsTheResultNeedsNoPolling()
    {
        Server server;
        auto env = chainEnv(server);
        const QString grid = runImagine(*env);
        const int before = server.transport.count("GET", QStringLiteral("/status/"));
        const Result<QString> id
            = env->engine->submit(Operation::action(OperationKind::Seed, grid, 0), kAccount);
        QVERIFY(id.ok());
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(*id).state); }));
        const Task t = env->task(*id);
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(t.remote.value(QStringLiteral("seed")).toString(), QStringLiteral("123456789012345678"));
        QCOMPARE(server.transport.count("GET", QStringLiteral("/status/")), before);
    }

    void unfinishedTasksAreCheckedAgainAtTheNextStart()
    {
        Server server;
        server.stuck = true;
        auto env = chainEnv(server);
        Account a = *env->store->account(kAccount).value();
        a.options.insert(QStringLiteral("max-polls"), QStringLiteral("2"));
        QVERIFY(env->store->saveAccount(a).ok());
        const Result<QString> id = env->engine->submit(Operation::imagine(QStringLiteral("slow")), kAccount);
        QVERIFY(id.ok());
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(*id).state); }));
        QCOMPARE(env->task(*id).state, TaskState::Unfinished);

        server.stuck = false;
        env->restart(); // the next start of the application
        QCOMPARE(env->engine->recheckUnfinished(), 1);
        QVERIFY(env->runUntil([&] { return env->task(*id).state == TaskState::Succeeded; }));
        QCOMPARE(server.submits(QStringLiteral("imagine")), 1); // checked, never re-sent
        // Old ones are left alone.
        QCOMPARE(env->engine->recheckUnfinished(0), 0);
    }

    void tasksOfOneAccountArePolledInOneBatch()
    {
        Server server;
        server.batches = true;
        auto env = chainEnv(server);
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            const Result<QString> id
                = env->engine->submit(Operation::imagine(QStringLiteral("batch %1").arg(i)), kAccount);
            QVERIFY(id.ok());
            ids.append(*id);
        }
        QVERIFY(env->runUntil([&] {
            return std::all_of(ids.cbegin(), ids.cend(),
                               [&](const QString &id) { return isTerminal(env->task(id).state); });
        }));
        for (const QString &id : std::as_const(ids))
            QCOMPARE(env->task(id).state, TaskState::Succeeded);
        QCOMPARE(server.transport.count("POST", QStringLiteral("/batch")),
                 1); // one request answered all three
        QCOMPARE(server.transport.count("GET", QStringLiteral("/status/")), 0);
    }

    void aTaskMissingFromTheBatchIsPolledAlone_andARefusedBatchIsNotTriedAgain()
    {
        Server server;
        server.batches = true;
        server.leaveOut.insert(QStringLiteral("r2"));
        auto env = chainEnv(server);
        const Result<QString> a = env->engine->submit(Operation::imagine(QStringLiteral("a")), kAccount);
        const Result<QString> b = env->engine->submit(Operation::imagine(QStringLiteral("b")), kAccount);
        QVERIFY(env->runUntil(
            [&] { return isTerminal(env->task(*a).state) && isTerminal(env->task(*b).state); }));
        QCOMPARE(env->task(*a).state, TaskState::Succeeded);
        QCOMPARE(env->task(*b).state, TaskState::Succeeded);
        QCOMPARE(server.transport.count("GET", QStringLiteral("/status/r2")), 1);

        Server plain; // a server without the batch route
        auto env2 = chainEnv(plain);
        QStringList ids;
        for (int i = 0; i < 3; ++i)
            ids.append(*env2->engine->submit(Operation::imagine(QStringLiteral("p%1").arg(i)), kAccount));
        QVERIFY(env2->runUntil([&] {
            return std::all_of(ids.cbegin(), ids.cend(), [&](const QString &id) {
                return env2->task(id).state == TaskState::Succeeded;
            });
        }));
        QCOMPARE(plain.transport.count("POST", QStringLiteral("/batch")), 1);
    }

    void queueFullIsResentBecauseItProvesNothingWasCreated()
    {
        Server server;
        server.queueFullFor = 2;
        auto env = chainEnv(server);
        const QString grid = runImagine(*env);
        QCOMPARE(env->task(grid).state, TaskState::Succeeded);
        QCOMPARE(server.submits(QStringLiteral("imagine")), 3);
    }
};

QTEST_GUILESS_MAIN(TstActionChain)
#include "tst_actionchain.moc"
