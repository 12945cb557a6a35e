// The engine's state machine with injected time: every transition, persistence before each step,
// exactly one terminal signal, cancel, concurrency, restart and resume, caps, and failure paths.
#include "model/capabilities.h"
#include "testenv.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTest>
#include <QUuid>

#include <algorithm>

using namespace tessera;
using namespace tessera::test;

namespace {

const QString kDemo = QString::fromLatin1(Account::kDemoId);

// A minimal non-demo family for failure paths: submits are not safe to repeat, status answers are
// {"state":"running"|"done"|"failed","message":...}, the result is one PNG.
class FakeAdapter final : public ProviderAdapter
{
public:
    PollPolicy policy {1000, 1000, 1000, 0, 60'000};
    int retentionDays = 0;

    QString family() const override { return QStringLiteral("fake"); }
    QString displayName() const override { return QStringLiteral("Fake"); }
    Capabilities capabilities(const Account &) const override
    {
        Capabilities c;
        c.operations = {OperationKind::Imagine};
        c.resultRetentionDays = retentionDays;
        return c;
    }
    Availability availability(const Operation &, const Task *, const Account &) const override
    {
        return Availability::yes();
    }
    Status validate(const Operation &, const Account &) const override { return {}; }
    Result<HttpCall> buildSubmit(const Operation &op, const SubmitContext &) const override
    {
        return HttpCall::post(QStringLiteral("/submit"), QJsonObject {{QStringLiteral("prompt"), op.prompt}});
    }
    Result<SubmitOutcome> parseSubmit(const Operation &, const HttpResponse &r) const override
    {
        if (r.status == 429) {
            Error e = Error::make(Error::Kind::RateLimited, QStringLiteral("slow down"), 429);
            e.retryAfter = QDateTime::fromMSecsSinceEpoch(r.header("X-Retry-At").toLongLong(), Qt::UTC);
            return e;
        }
        if (!r.isSuccess())
            return Error::make(Error::Kind::InvalidRequest, QString::fromUtf8(r.body), r.status);
        SubmitOutcome o;
        o.remoteId = QJsonDocument::fromJson(r.body).object().value(QStringLiteral("id")).toString();
        return o;
    }
    HttpCall buildStatus(const QString &remoteId, const Account &) const override
    {
        return HttpCall::get(QStringLiteral("/status/") + remoteId);
    }
    Result<TaskSnapshot> parseStatus(const HttpResponse &r) const override
    {
        if (r.status == 401)
            return Error::make(Error::Kind::Unauthorized, QStringLiteral("bad key"), 401);
        if (r.status >= 500)
            return Error::make(Error::Kind::ServerError, QStringLiteral("boom"), r.status);
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        TaskSnapshot s;
        const QString state = o.value(QStringLiteral("state")).toString();
        if (state == QLatin1String("running")) {
            s.state = TaskState::Running;
        } else if (state == QLatin1String("done")) {
            s.state = TaskState::Succeeded;
            for (const QJsonValue &u : o.value(QStringLiteral("urls")).toArray())
                s.results.append({ImageRole::Tile, static_cast<int>(s.results.size()) + 1, u.toString()});
        } else if (state == QLatin1String("failed")) {
            s.state = TaskState::Failed;
            s.error
                = Error::make(Error::Kind::ContentRejected, o.value(QStringLiteral("message")).toString());
        } else {
            return Error::make(Error::Kind::BadResponse, QStringLiteral("unreadable"));
        }
        return s;
    }
    PollPolicy pollPolicy(const Operation &, const Account &account) const override
    {
        return policy.withOverrides(account);
    }
};

QByteArray pngBytes(QSize size, QColor color)
{
    QImage img(size, QImage::Format_RGB32);
    img.fill(color);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    img.save(&buffer, "PNG");
    return bytes;
}

Result<HttpResponse> json(int status, const QJsonObject &o)
{
    return HttpResponse::json(status, o);
}

QString fileUrl(const char *name)
{
    return QStringLiteral("http://127.0.0.1/") + QLatin1String(name);
}

// The fake family's server: the submit gets an id, every status answer is "done" with `urls`.
ScriptedTransport::Handler doneWith(const QStringList &urls)
{
    return [urls](const HttpCall &call) -> std::optional<Result<HttpResponse>> {
        if (call.path == QLatin1String("/submit"))
            return json(200, {{QStringLiteral("id"), QStringLiteral("r-1")}});
        return json(200,
                    {{QStringLiteral("state"), QStringLiteral("done")},
                     {QStringLiteral("urls"), QJsonArray::fromStringList(urls)}});
    };
}

QList<ImageState> states(const Task &t)
{
    QList<ImageState> list;
    for (const ImageRef &img : t.images)
        list.append(img.state);
    return list;
}

} // namespace

class TstTaskEngine : public QObject
{
    Q_OBJECT

private:
    // A test env whose engine also knows the "fake" family, talking through `transport`.
    std::unique_ptr<TestEnv> fakeEnv(ScriptedTransport &transport, FakeAdapter **adapterOut = nullptr)
    {
        auto env = std::make_unique<TestEnv>();
        auto adapter = std::make_unique<FakeAdapter>();
        if (adapterOut)
            *adapterOut = adapter.get();
        env->providers->add(std::move(adapter));
        Account a;
        a.id = QStringLiteral("fake-1");
        a.family = QStringLiteral("fake");
        a.name = QStringLiteral("fake account");
        a.baseUrl = QStringLiteral("http://127.0.0.1:9");
        if (!env->store->saveAccount(a))
            qFatal("cannot save account");
        env->useTransport(&transport);
        return env;
    }

private slots:
    void imagineWalksEveryStateAndPersistsEachBeforeTheNext()
    {
        TestEnv env;
        QList<TaskState> seen;
        bool persistedFirst = true;
        connect(env.engine.get(), &TaskEngine::taskChanged, this, [&](const Task &t) {
            if (seen.isEmpty() || seen.last() != t.state)
                seen.append(t.state);
            // The store already holds what the signal announces.
            if (env.task(t.id).state != t.state)
                persistedFirst = false;
        });
        QSignalSpy added(env.engine.get(), &TaskEngine::taskAdded);
        QSignalSpy finished(env.engine.get(), &TaskEngine::taskFinished);

        Operation op = Operation::imagine(QStringLiteral("a red fox"));
        op.seed = 7;
        const Result<QString> id = env.engine->submit(op, kDemo);
        QVERIFY(id.ok());
        QCOMPARE(added.count(), 1);
        QCOMPARE(env.task(*id).state, TaskState::Queued); // stored before any I/O

        QVERIFY(env.runUntil([&] { return finished.count() > 0; }));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(seen.first(), TaskState::Submitting);
        QVERIFY(seen.contains(TaskState::Submitted));
        QVERIFY(seen.contains(TaskState::Running));
        QCOMPARE(seen.last(), TaskState::Succeeded);
        QVERIFY(persistedFirst);

        const Task t = env.task(*id);
        QCOMPARE(t.state, TaskState::Succeeded);
        QVERIFY(t.remoteId.startsWith(QStringLiteral("demo-")));
        QVERIFY(t.isGrid());
        QCOMPARE(t.images.size(), 5); // the grid and its four tiles
        for (const ImageRef &img : t.images) {
            QCOMPARE(img.state, ImageState::Downloaded);
            const QString path = env.archive->absolutePath(img.path);
            QVERIFY2(QFileInfo::exists(path), qPrintable(path));
            QVERIFY(path.startsWith(env.paths.archiveDir));
            QCOMPARE(QImage(path).size(), img.size);
        }
        QVERIFY(!env.engine->isDriving(*id));
        QVERIFY(env.runUntil([] { return false; }, 2000) == false); // nothing more happens...
        QCOMPARE(finished.count(), 1); // ...and no second terminal signal
    }

    void upscaleVaryAndRerollOnTiles()
    {
        TestEnv env;
        const QString grid = env.imagineAndWait(QStringLiteral("harbour at night"));
        QCOMPARE(env.task(grid).state, TaskState::Succeeded);
        const QSize tileSize = env.task(grid).image(3)->size;

        const Result<QString> up
            = env.engine->submit(Operation::action(OperationKind::Upscale, grid, 3), kDemo);
        QVERIFY(up.ok());
        const Result<QString> vary
            = env.engine->submit(Operation::action(OperationKind::Vary, grid, 2), kDemo);
        QVERIFY(vary.ok());
        const Result<QString> reroll
            = env.engine->submit(Operation::action(OperationKind::Reroll, grid, 0), kDemo);
        QVERIFY(reroll.ok());
        QVERIFY(env.runUntil([&] {
            return isTerminal(env.task(*up).state) && isTerminal(env.task(*vary).state)
                && isTerminal(env.task(*reroll).state);
        }));

        const Task u = env.task(*up);
        QCOMPARE(u.state, TaskState::Succeeded);
        QCOMPARE(u.parentId, grid);
        QCOMPARE(u.tile, 3);
        QCOMPARE(u.prompt, QStringLiteral("harbour at night"));
        QVERIFY(!u.isGrid());
        QVERIFY(u.image(0));
        QCOMPARE(u.image(0)->size, tileSize * 2);

        QVERIFY(env.task(*vary).isGrid());
        QVERIFY(env.task(*reroll).isGrid());
        const auto children = env.store->children(grid);
        QVERIFY(children.ok());
        QCOMPARE(children->size(), 3);

        // Issue 14: a vary region is titled by the original prompt; its region prompt is kept as a detail.
        Operation region = Operation::action(OperationKind::Inpaint, grid, 1);
        QImage mask(tileSize, QImage::Format_Grayscale8);
        mask.fill(0);
        for (int y = 0; y < tileSize.height() / 2; ++y)
            std::fill_n(mask.scanLine(y), tileSize.width() / 2, uchar(255));
        QBuffer buffer(&region.mask);
        buffer.open(QIODevice::WriteOnly);
        mask.save(&buffer, "PNG");
        region.prompt = QStringLiteral("a red boat");
        const Result<QString> inpaint = env.engine->submit(region, kDemo);
        QVERIFY2(inpaint.ok(), qPrintable(inpaint ? QString() : inpaint.error().message));
        const Task r = env.task(*inpaint);
        QCOMPARE(r.prompt, QStringLiteral("harbour at night"));
        QCOMPARE(r.operation.prompt, QStringLiteral("a red boat"));
        QCOMPARE(r.title(60), QStringLiteral("Vary Region of \u201Charbour at night\u201D"));
        QVERIFY(env.runUntil([&] { return isTerminal(env.task(*inpaint).state); }));

        // Issue 14: the demo tells the seed, at once, as midjourney-proxy's image-seed does.
        const Result<QString> seed
            = env.engine->submit(Operation::action(OperationKind::Seed, grid, 0), kDemo);
        QVERIFY2(seed.ok(), qPrintable(seed ? QString() : seed.error().message));
        QVERIFY(env.runUntil([&] { return isTerminal(env.task(*seed).state); }));
        QCOMPARE(env.task(*seed).state, TaskState::Succeeded);
        QVERIFY(!env.task(*seed).remote.value(QStringLiteral("seed")).toString().isEmpty());
        QCOMPARE(env.task(*seed).remote.value(QStringLiteral("seed")),
                 env.task(grid).remote.value(QStringLiteral("seed")));

        // An upscale is a single image: U on it is refused before anything is stored.
        const int before = *env.store->taskCount();
        const Result<QString> again
            = env.engine->submit(Operation::action(OperationKind::Upscale, *up, 1), kDemo);
        QVERIFY(!again.ok());
        QVERIFY(again.error().message.contains(QStringLiteral("single image")));
        QCOMPARE(*env.store->taskCount(), before);
    }

    void invalidInputIsRefusedBeforeAnythingIsStored()
    {
        TestEnv env;
        QVERIFY(!env.engine->submit(Operation::imagine(QStringLiteral("   ")), kDemo).ok());
        Operation op = Operation::imagine(QStringLiteral("x"));
        op.aspectRatio = QStringLiteral("7:3");
        const Result<QString> bad = env.engine->submit(op, kDemo);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.startsWith(QStringLiteral("aspect ratio")));
        QVERIFY(!env.engine->submit(Operation::imagine(QStringLiteral("x")), QStringLiteral("nope")).ok());
        QVERIFY(!env.engine
                     ->submit(Operation::action(OperationKind::Upscale, QStringLiteral("missing"), 1), kDemo)
                     .ok());
        QCOMPARE(*env.store->taskCount(), 0);
    }

    void flagsTypedInThePromptBecomeFields()
    {
        TestEnv env;
        const Result<QString> id
            = env.engine->submit(Operation::imagine(QStringLiteral("a harbour --ar 16:9 --chaos 30")), kDemo);
        QVERIFY(id.ok());
        const Task t = env.task(*id);
        QCOMPARE(t.prompt, QStringLiteral("a harbour"));
        QCOMPARE(t.operation.aspectRatio, QStringLiteral("16:9"));
        QCOMPARE(t.operation.chaos, std::optional<int>(30));
        QVERIFY(env.runUntil([&] { return env.task(*id).state == TaskState::Succeeded; }));
        const QSize tile = env.task(*id).image(1)->size;
        QVERIFY2(tile.width() > tile.height(), "a 16:9 tile is wider than high");
        // A flag the demo does not accept is refused with the field named, before anything is stored.
        const Result<QString> bad
            = env.engine->submit(Operation::imagine(QStringLiteral("x --ar 7:3")), kDemo);
        QVERIFY(!bad.ok());
        QVERIFY(bad.error().message.startsWith(QStringLiteral("aspect ratio")));
        QCOMPARE(*env.store->taskCount(), 1);
    }

    void cancelQueuedAndRunning()
    {
        TestEnv env;
        Account demo = **env.store->account(kDemo);
        demo.options.insert(QStringLiteral("concurrency"), QStringLiteral("1"));
        QVERIFY(env.store->saveAccount(demo).ok());
        QSignalSpy finished(env.engine.get(), &TaskEngine::taskFinished);

        const QString a = *env.engine->submit(Operation::imagine(QStringLiteral("first")), kDemo);
        const QString b = *env.engine->submit(Operation::imagine(QStringLiteral("second")), kDemo);
        QVERIFY(env.runUntil([&] { return env.task(a).state == TaskState::Running; }));
        QCOMPARE(env.task(b).state, TaskState::Queued); // waits for the one slot

        QVERIFY(env.engine->cancel(b).ok());
        QCOMPARE(env.task(b).state, TaskState::Cancelled);
        QVERIFY(env.engine->cancel(a).ok());
        QVERIFY(env.runUntil([&] { return env.task(a).state == TaskState::Cancelled; }));
        QCOMPARE(env.task(a).error->message, QStringLiteral("Cancelled on the server"));
        QCOMPARE(finished.count(), 2);
        // Cancelling something that has ended says so and changes nothing.
        QVERIFY(!env.engine->cancel(a).ok());
        QCOMPARE(env.task(a).state, TaskState::Cancelled);
    }

    void cancelRefusedByTheServerFollowsTheTaskToItsEnd()
    {
        TestEnv env;
        const QString id = *env.engine->submit(Operation::imagine(QStringLiteral("too late")), kDemo);
        QVERIFY(env.runUntil([&] { return env.task(id).state == TaskState::Running; }));
        env.manual.advance(10'000); // the demo server finishes; our next status check is not in yet
        QVERIFY(env.engine->cancel(id).ok());
        QVERIFY(env.runUntil([&] { return isTerminal(env.task(id).state); }));
        const Task t = env.task(id);
        QCOMPARE(t.state, TaskState::Succeeded); // the images were made (and paid for): keep them
        QCOMPARE(t.images.size(), 5);
        QVERIFY(!t.error);
    }

    void concurrencyLimitPerAccount()
    {
        TestEnv env;
        Account demo = **env.store->account(kDemo);
        demo.options.insert(QStringLiteral("concurrency"), QStringLiteral("2"));
        QVERIFY(env.store->saveAccount(demo).ok());
        QStringList ids;
        int maxBusy = 0;
        QHash<QString, TaskState> states;
        connect(env.engine.get(), &TaskEngine::taskChanged, this, [&](const Task &t) {
            states[t.id] = t.state;
            int busy = 0;
            for (TaskState s : std::as_const(states))
                busy += (s == TaskState::Submitting || s == TaskState::Submitted || s == TaskState::Running)
                    ? 1
                    : 0;
            maxBusy = std::max(maxBusy, busy);
        });
        for (int i = 0; i < 5; ++i)
            ids.append(*env.engine->submit(Operation::imagine(QStringLiteral("task %1").arg(i)), kDemo));
        QVERIFY(env.runUntil([&] {
            return std::all_of(ids.cbegin(), ids.cend(),
                               [&](const QString &id) { return env.task(id).state == TaskState::Succeeded; });
        }));
        QCOMPARE(maxBusy, 2);
    }

    void interruptedTaskResumesInANewEngine()
    {
        TestEnv env;
        const QString id = *env.engine->submit(Operation::imagine(QStringLiteral("lighthouse")), kDemo);
        QVERIFY(env.runUntil([&] { return env.task(id).state == TaskState::Running; }));
        const int jobsBefore = QDir(env.paths.demoStateDir).entryList(QDir::Files).size();

        env.restart(); // the process ends; a new one opens the same database
        QCOMPARE(env.task(id).state, TaskState::Running);
        QSignalSpy finished(env.engine.get(), &TaskEngine::taskFinished);
        env.engine->resume();
        QVERIFY(env.engine->isDriving(id));
        QVERIFY(env.runUntil([&] { return finished.count() == 1; }));
        QCOMPARE(env.task(id).state, TaskState::Succeeded);
        QCOMPARE(env.task(id).images.size(), 5);
        // Resuming polled the same remote task: no second submit reached the demo server.
        QCOMPARE(QDir(env.paths.demoStateDir).entryList(QDir::Files).size(), jobsBefore);
    }

    void queuedTaskOfAnEndedProcessIsSubmittedOnce()
    {
        TestEnv env;
        Account demo = **env.store->account(kDemo);
        demo.options.insert(QStringLiteral("concurrency"), QStringLiteral("1"));
        QVERIFY(env.store->saveAccount(demo).ok());
        const QString a = *env.engine->submit(Operation::imagine(QStringLiteral("one")), kDemo);
        const QString b = *env.engine->submit(Operation::imagine(QStringLiteral("two")), kDemo);
        QVERIFY(env.runUntil([&] { return env.task(a).state == TaskState::Running; }));
        QCOMPARE(env.task(b).state, TaskState::Queued);
        env.restart();
        env.engine->resume();
        QVERIFY(env.runUntil([&] {
            return env.task(a).state == TaskState::Succeeded && env.task(b).state == TaskState::Succeeded;
        }));
        QCOMPARE(QDir(env.paths.demoStateDir).entryList(QDir::Files).size(), 2);
    }

    void liveLeaseKeepsOtherEnginesAway()
    {
        TestEnv env;
        const QString id = *env.engine->submit(Operation::imagine(QStringLiteral("shared")), kDemo);
        QVERIFY(env.runUntil([&] { return env.task(id).state == TaskState::Running; }, 3000, 10));
        // A second process on the same database must not take a task the first one drives.
        auto otherStore = HistoryStore::open(env.paths.databasePath);
        QVERIFY(otherStore.ok());
        TaskEngine other(**otherStore, *env.archive, *env.providers, *env.router, *env.clock, env.config);
        QCOMPARE(*other.adopt(id), false);
        other.resume();
        QVERIFY(!other.isDriving(id));
        QVERIFY(env.runUntil([&] { return env.task(id).state == TaskState::Succeeded; }));
    }

    void submitInterruptedByACrashBecomesUnknownAndIsNotResent()
    {
        ScriptedTransport transport;
        transport.handler = [](const HttpCall &) { return std::nullopt; }; // the answer never comes
        auto env = fakeEnv(transport);
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("costly")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return transport.sent.size() == 1; }));
        QCOMPARE(env->task(id).state, TaskState::Submitting);

        env->restart();
        QSignalSpy finished(env->engine.get(), &TaskEngine::taskFinished);
        env->engine->resume();
        QCOMPARE(env->task(id).state, TaskState::Unknown);
        QVERIFY(env->task(id).error->message.contains(QStringLiteral("not sent again")));
        QCOMPARE(finished.count(), 1);
        env->runUntil([] { return false; }, 3000);
        QCOMPARE(transport.count("POST", QStringLiteral("/submit")), 1);
        // Without a remote id there is nothing to check.
        QVERIFY(!env->engine->check(id).ok());
    }

    void cancelWhileSubmittingTakesEffectOnceTheIdArrives()
    {
        ScriptedTransport transport;
        transport.handler = [](const HttpCall &call) -> std::optional<Result<HttpResponse>> {
            if (call.path == QLatin1String("/submit"))
                return std::nullopt; // answered by the test below
            return json(200, {{QStringLiteral("state"), QStringLiteral("running")}});
        };
        auto env = fakeEnv(transport);
        QSignalSpy finished(env->engine.get(), &TaskEngine::taskFinished);
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("x")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return transport.sent.size() == 1; }));
        QVERIFY(env->engine->cancel(id).ok());
        QCOMPARE(env->task(id).state, TaskState::Submitting); // nothing to cancel yet
        ScriptedTransport::answer(transport.sent[0].reply,
                                  json(200, {{QStringLiteral("id"), QStringLiteral("c-1")}}));
        QVERIFY(env->runUntil([&] { return finished.count() == 1; }, 5000));
        const Task t = env->task(id);
        QCOMPARE(t.state, TaskState::Cancelled);
        QCOMPARE(t.remoteId, QStringLiteral("c-1")); // kept: the task exists at the provider
        // This family cannot cancel on the server, and the user is told so.
        QVERIFY(t.error->message.contains(QStringLiteral("may still finish")));
        QCOMPARE(transport.count("GET", QStringLiteral("/status/")), 0);
    }

    void droppedSubmitFailsWithoutResending()
    {
        ScriptedTransport transport;
        transport.handler = [](const HttpCall &) -> std::optional<Result<HttpResponse>> {
            return Result<HttpResponse>(
                Error::make(Error::Kind::Network, QStringLiteral("Connection closed")));
        };
        auto env = fakeEnv(transport);
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("x")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(id).state); }));
        QCOMPARE(env->task(id).state, TaskState::Failed);
        const QString message = env->task(id).error->message;
        QVERIFY2(message.startsWith(QStringLiteral("Connection closed. ")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("not sent again")), qPrintable(message));
        env->runUntil([] { return false; }, 5000);
        QCOMPARE(transport.sent.size(), 1);
    }

    void rateLimitedSubmitWaitsForTheDeadline()
    {
        ScriptedTransport transport;
        TestEnv *envPtr = nullptr;
        qint64 deadline = 0;
        qint64 secondAt = 0;
        transport.handler = [&](const HttpCall &call) -> std::optional<Result<HttpResponse>> {
            if (call.path == QLatin1String("/submit")) {
                if (deadline == 0) {
                    deadline = envPtr->clock->nowMs() + 7000;
                    HttpResponse r = HttpResponse::json(429, {});
                    r.headers.append({"X-Retry-At", QByteArray::number(deadline)});
                    return Result<HttpResponse>(r);
                }
                secondAt = envPtr->clock->nowMs();
                return json(200, {{QStringLiteral("id"), QStringLiteral("r-1")}});
            }
            return json(200,
                        {{QStringLiteral("state"), QStringLiteral("failed")},
                         {QStringLiteral("message"), QStringLiteral("Banned prompt: fox")}});
        };
        auto env = fakeEnv(transport);
        envPtr = env.get();
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("fox")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] {
            return env->task(id).state == TaskState::Queued && deadline != 0 && env->task(id).error;
        }));
        QCOMPARE(env->task(id).error->kind, Error::Kind::RateLimited);
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(id).state); }));
        QVERIFY(secondAt >= deadline);
        QCOMPARE(transport.count("POST", QStringLiteral("/submit")), 2);
        // The vendor's own words reach the user.
        QCOMPARE(env->task(id).state, TaskState::Failed);
        QCOMPARE(env->task(id).error->kind, Error::Kind::ContentRejected);
        QCOMPARE(env->task(id).error->message, QStringLiteral("Banned prompt: fox"));
    }

    void pollCapMakesTaskUnfinishedAndCheckResumesIt()
    {
        ScriptedTransport transport;
        bool done = false;
        transport.handler = [&](const HttpCall &call) -> std::optional<Result<HttpResponse>> {
            if (call.path == QLatin1String("/submit"))
                return json(200, {{QStringLiteral("id"), QStringLiteral("slow-1")}});
            if (!done)
                return json(200, {{QStringLiteral("state"), QStringLiteral("running")}});
            return json(200,
                        {{QStringLiteral("state"), QStringLiteral("done")},
                         {QStringLiteral("urls"), QJsonArray {QStringLiteral("http://127.0.0.1/a.png")}}});
        };
        transport.downloads = [](const QUrl &) -> Result<HttpResponse> {
            HttpResponse r;
            r.status = 200;
            r.body = pngBytes(QSize(8, 6), Qt::red);
            return r;
        };
        FakeAdapter *adapter = nullptr;
        auto env = fakeEnv(transport, &adapter);
        adapter->policy.maxPolls = 3;
        QSignalSpy finished(env->engine.get(), &TaskEngine::taskFinished);
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("stuck")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return finished.count() == 1; }));
        QCOMPARE(env->task(id).state, TaskState::Unfinished);
        QCOMPARE(transport.count("GET", QStringLiteral("/status/")), 3);
        QVERIFY(env->task(id).error->message.contains(QStringLiteral("3 status checks")));

        done = true;
        QVERIFY(env->engine->check(id).ok());
        QVERIFY(env->runUntil([&] { return finished.count() == 2; }));
        const Task t = env->task(id);
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(t.images.size(), 1);
        QCOMPARE(t.images[0].size, QSize(8, 6));
        QVERIFY(!t.error);
    }

    void timeoutFromInjectedClock()
    {
        ScriptedTransport transport;
        transport.handler = [&](const HttpCall &call) -> std::optional<Result<HttpResponse>> {
            if (call.path == QLatin1String("/submit"))
                return json(200, {{QStringLiteral("id"), QStringLiteral("t-1")}});
            return json(200, {{QStringLiteral("state"), QStringLiteral("running")}});
        };
        auto env = fakeEnv(transport);
        Account a = **env->store->account(QStringLiteral("fake-1"));
        a.options.insert(QStringLiteral("timeout"), QStringLiteral("12.5"));
        a.options.insert(QStringLiteral("poll-interval"), QStringLiteral("2"));
        QVERIFY(env->store->saveAccount(a).ok());
        const qint64 start = env->clock->nowMs();
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("slow")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(id).state); }));
        QCOMPARE(env->task(id).state, TaskState::Unfinished);
        const qint64 took = env->clock->nowMs() - start;
        QVERIFY2(took >= 12'500 && took < 16'000, qPrintable(QString::number(took)));
    }

    void transientStatusErrorsAreRetriedButAuthErrorsFail()
    {
        ScriptedTransport transport;
        int statusCalls = 0;
        transport.handler = [&](const HttpCall &call) -> std::optional<Result<HttpResponse>> {
            if (call.path == QLatin1String("/submit"))
                return json(200, {{QStringLiteral("id"), QStringLiteral("e-1")}});
            ++statusCalls;
            if (statusCalls <= 2)
                return json(500, {});
            if (statusCalls == 3)
                return Result<HttpResponse>(Error::make(Error::Kind::Timeout, QStringLiteral("timed out")));
            return json(401, {});
        };
        auto env = fakeEnv(transport);
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("x")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(id).state); }));
        QCOMPARE(statusCalls, 4);
        QCOMPARE(env->task(id).state, TaskState::Failed);
        QCOMPARE(env->task(id).error->kind, Error::Kind::Unauthorized);
    }

    void brokenDownloadsLeavePerImageStatesAndKeepTheTask()
    {
        ScriptedTransport transport;
        transport.handler = [&](const HttpCall &call) -> std::optional<Result<HttpResponse>> {
            if (call.path == QLatin1String("/submit"))
                return json(200, {{QStringLiteral("id"), QStringLiteral("d-1")}});
            return json(200,
                        {{QStringLiteral("state"), QStringLiteral("done")},
                         {QStringLiteral("urls"),
                          QJsonArray {QStringLiteral("http://127.0.0.1/ok.png"),
                                      QStringLiteral("http://127.0.0.1/gone.png"),
                                      QStringLiteral("http://127.0.0.1/corrupt.png"),
                                      QStringLiteral("http://127.0.0.1/truncated.png")}}});
        };
        transport.downloads = [](const QUrl &url) -> Result<HttpResponse> {
            HttpResponse r;
            r.status = 200;
            const QByteArray good = pngBytes(QSize(16, 16), Qt::blue);
            if (url.path() == QLatin1String("/gone.png"))
                r.status = 404;
            else if (url.path() == QLatin1String("/corrupt.png"))
                r.body = QByteArray("<html>not an image</html>");
            else if (url.path() == QLatin1String("/truncated.png"))
                r.body = good.left(good.size() / 2);
            else
                r.body = good;
            return r;
        };
        auto env = fakeEnv(transport);
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("x")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(id).state); }));
        const Task t = env->task(id);
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(t.images.size(), 4);
        QCOMPARE(t.images[0].state, ImageState::Downloaded);
        QCOMPARE(t.images[1].state, ImageState::Expired);
        QCOMPARE(t.images[2].state, ImageState::Failed);
        QCOMPARE(t.images[3].state, ImageState::Failed);
        QVERIFY(t.error);
        QVERIFY(t.error->message.contains(QStringLiteral("3 images could not be saved")));
        // No partial file was left behind for the failed ones.
        const QDir folder(env->archive->absolutePath(ImageArchive::taskFolder(id, t.created)));
        QCOMPARE(folder.entryList(QDir::Files).size(), 1);
    }

    void resultsCarryTheirExpiry()
    {
        ScriptedTransport transport;
        transport.handler = doneWith({fileUrl("a.png"), fileUrl("b.png")});
        transport.downloads = [](const QUrl &) -> Result<HttpResponse> {
            HttpResponse r;
            r.status = 200;
            r.body = pngBytes(QSize(8, 8), Qt::red);
            return r;
        };
        FakeAdapter *adapter = nullptr;
        auto env = fakeEnv(transport, &adapter);
        adapter->retentionDays = 15;
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("x")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(id).state); }));
        const Task t = env->task(id);
        QCOMPARE(t.images.size(), 2);
        for (const ImageRef &img : t.images)
            QCOMPARE(img.expires, t.created.addDays(15));
        // A family that does not expire its results (the demo): no expiry at all.
        TestEnv demo;
        for (const ImageRef &img : demo.task(demo.imagineAndWait(QStringLiteral("x"))).images)
            QVERIFY(!img.expires.isValid());
    }

    void startFetchesMissingImagesOnceAndNeverTouchesStoredOnes()
    {
        ScriptedTransport transport;
        transport.handler = doneWith({fileUrl("ok.png"), fileUrl("flaky.png"), fileUrl("gone.png")});
        QHash<QString, int> fetched;
        bool flakyWorks = false;
        transport.downloads = [&](const QUrl &url) -> Result<HttpResponse> {
            ++fetched[url.path()];
            HttpResponse r;
            r.status = 200;
            r.body = pngBytes(QSize(16, 16), Qt::blue);
            if (url.path() == QLatin1String("/gone.png"))
                r.status = 404;
            else if (url.path() == QLatin1String("/flaky.png") && !flakyWorks)
                r.status = 503;
            return r;
        };
        FakeAdapter *adapter = nullptr;
        auto env = fakeEnv(transport, &adapter);
        adapter->retentionDays = 15;
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("x")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(id).state); }));
        const Task first = env->task(id);
        QCOMPARE(states(first), (QList {ImageState::Downloaded, ImageState::Failed, ImageState::Expired}));
        QVERIFY(first.images[1].error.contains(QStringLiteral("503")));

        // An older task whose link ran out while Tessera was not running.
        Task stale;
        stale.id = QStringLiteral("stale");
        stale.accountId = QStringLiteral("fake-1");
        stale.operation = Operation::imagine(QStringLiteral("stale"));
        stale.state = TaskState::Succeeded;
        stale.created = env->clock->now().addDays(-20);
        stale.finished = stale.created;
        ImageRef pending;
        pending.index = 1;
        pending.remoteUrl = fileUrl("stale.png");
        pending.expires = stale.created.addDays(15);
        stale.images = {pending};
        QVERIFY(env->store->insertTask(stale, QString(), 0).ok());

        flakyWorks = true;
        fetched.clear();
        env->restart(); // the next start
        QSignalSpy changed(env->engine.get(), &TaskEngine::taskChanged);
        QSignalSpy finished(env->engine.get(), &TaskEngine::taskFinished);
        env->engine->resume();
        QVERIFY(env->engine->isDriving(id));
        QVERIFY(env->runUntil([&] { return !env->engine->isDriving(id); }));
        const Task t = env->task(id);
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(states(t), (QList {ImageState::Downloaded, ImageState::Downloaded, ImageState::Expired}));
        QCOMPARE(t.images[0].path, first.images[0].path);
        QCOMPARE(t.images[0].hash, first.images[0].hash);
        QCOMPARE(t.finished, first.finished);
        QVERIFY(t.error);
        QCOMPARE(t.error->kind, Error::Kind::NotFound); // only the expired one is still missing
        // Only the failed image was asked for: not the stored one, not the expired ones.
        QCOMPARE(fetched, (QHash<QString, int> {{QStringLiteral("/flaky.png"), 1}}));
        QCOMPARE(env->task(QStringLiteral("stale")).images.first().state, ImageState::Expired);
        QVERIFY(QFileInfo::exists(env->archive->absolutePath(t.images[1].path)));
        QCOMPARE(finished.count(), 0); // it had finished already
        QVERIFY(!changed.isEmpty());
        QCOMPARE(*env->store->leaseHolder(id, env->clock->nowMs()), QString());

        // Not again in the same run, and nothing left to do at the next start.
        fetched.clear();
        env->engine->resume();
        env->runUntil([] { return false; }, 2000);
        env->restart();
        env->engine->resume();
        QVERIFY(!env->engine->isDriving(id));
        QVERIFY(fetched.isEmpty());
    }

    void retriedDownloadsRespectAnotherProcesssLease()
    {
        ScriptedTransport transport;
        transport.handler = doneWith({fileUrl("a.png")});
        int fetched = 0;
        transport.downloads = [&](const QUrl &) -> Result<HttpResponse> {
            HttpResponse r;
            r.status = ++fetched == 1 ? 500 : 200;
            r.body = pngBytes(QSize(8, 8), Qt::green);
            return r;
        };
        auto env = fakeEnv(transport);
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("x")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(id).state); }));
        QCOMPARE(env->task(id).images.first().state, ImageState::Failed);

        env->restart();
        const qint64 now = env->clock->nowMs();
        // Another live process (a second window, the CLI) is fetching this task's images.
        QVERIFY(*env->store->claimTask(id, QStringLiteral("another-process"), now, now + 30'000));
        env->engine->resume();
        QVERIFY(!env->engine->isDriving(id));
        QCOMPARE(fetched, 1);
        // Its lease ran out without it finishing: the next look takes the task.
        env->manual.advance(31'000);
        QCOMPARE(env->engine->retryDownloads(), 1);
        QVERIFY(env->runUntil([&] { return !env->engine->isDriving(id); }));
        QCOMPARE(fetched, 2);
        QCOMPARE(env->task(id).images.first().state, ImageState::Downloaded);
        QVERIFY(!env->task(id).error);
    }

    void expiryMarkedMeanwhileIsNotUndone()
    {
        // While the engine downloads, another process marks the links expired (its clock is later).
        ScriptedTransport transport;
        transport.handler = doneWith({fileUrl("ok.png"), fileUrl("late.png")});
        TestEnv *other = nullptr;
        transport.downloads = [&](const QUrl &url) -> Result<HttpResponse> {
            HttpResponse r;
            r.status = 200;
            r.body = pngBytes(QSize(8, 8), Qt::gray);
            if (url.path() == QLatin1String("/late.png")) {
                if (!other->store->markExpiredImages(other->clock->nowMs() + 365LL * 24 * 3600 * 1000))
                    r.status = 599; // the test fails below
                r.status = 500;
            }
            return r;
        };
        FakeAdapter *adapter = nullptr;
        auto env = fakeEnv(transport, &adapter);
        adapter->retentionDays = 1;
        other = env.get();
        const QString id
            = *env->engine->submit(Operation::imagine(QStringLiteral("x")), QStringLiteral("fake-1"));
        QVERIFY(env->runUntil([&] { return isTerminal(env->task(id).state); }));
        // The stored image wins over the mark; the one that failed stays Expired, not Failed.
        QCOMPARE(states(env->task(id)), (QList {ImageState::Downloaded, ImageState::Expired}));
    }

    // A process that drove the task and died (kill -9) leaves its lease live and its lock file stale: the
    // next engine sees the lock's process is gone and takes the task over at once, on every OS (QLockFile).
    void leaseOfAKilledProcessIsTakenOverAtOnce()
    {
        TestEnv env;
        const QString id = *env.engine->submit(Operation::imagine(QStringLiteral("orphan")), kDemo);
        QVERIFY(env.runUntil([&] { return env.task(id).state == TaskState::Running; }));
        env.restart();
        const QString uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString owner = QSysInfo::machineHostName() + QLatin1Char('|') + uuid;
        const QString lockDir = QFileInfo(env.store->path()).absolutePath() + QStringLiteral("/leases");
        QVERIFY(QDir().mkpath(lockDir));
        QProcess holder;
        holder.start(QStringLiteral(TESSERA_LOCKHOLDER_PATH),
                     {lockDir + QLatin1Char('/') + uuid + QStringLiteral(".lock")});
        QVERIFY(holder.waitForReadyRead(10'000));
        QCOMPARE(holder.readAllStandardOutput().trimmed(), QByteArray("locked"));
        const qint64 now = env.clock->nowMs();
        QVERIFY(*env.store->claimTask(id, owner, now, now + 30'000));
        QCOMPARE(*env.store->leaseHolder(id, now), owner);

        // While its process lives the lease holds.
        env.engine->resume();
        QVERIFY(!env.engine->isDriving(id));
        holder.kill(); // as a crash would: the lock file stays
        QVERIFY(holder.waitForFinished(10'000));
        QVERIFY(QFileInfo::exists(lockDir + QLatin1Char('/') + uuid + QStringLiteral(".lock")));
        env.engine->resume();
        QVERIFY(env.engine->isDriving(id));
        QVERIFY(env.runUntil([&] { return env.task(id).state == TaskState::Succeeded; }));
    }
};

QTEST_GUILESS_MAIN(TstTaskEngine)
#include "tst_taskengine.moc"
