// The engine's named parts on their own (issue 13): PollScheduler's intervals, limits and checks over a
// fake engine and transport (batching, fallback, failures, the budget), the
// Downloader's reading of failed downloads and of what is missing, and Leases' ownership across
// processes (a live holder keeps its tasks; a killed one's stale lock lets them go at once).
#include "model/clock.h"
#include "providers/mjproxy/mjproxyadapter.h"
#include "storage/historystore.h"
#include "tasks/downloader.h"
#include "tasks/leases.h"
#include "tasks/pollscheduler.h"

#include <QDir>
#include <QJsonDocument>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <deque>
#include <functional>
#include <map>
#include <memory>

using namespace tessera;

namespace {

PollPolicy kolerskyLike()
{
    PollPolicy p;
    p.firstPollMs = 5000;
    p.intervalMs = 5000;
    p.maxIntervalMs = 60'000;
    p.steadyPolls = 12;
    p.growth = 1.25;
    p.minIntervalMs = 5000;
    p.pollBudget = 60;
    p.timeoutMs = 600'000;
    return p;
}

Task runningTask(int pollCount, std::optional<int> progress = {})
{
    Task t;
    t.id = QStringLiteral("t");
    t.state = TaskState::Running;
    t.pollCount = pollCount;
    t.progress = progress;
    return t;
}

HttpResponse answer(int status)
{
    HttpResponse r;
    r.status = status;
    return r;
}

ImageRef image(ImageState state, const QString &error = {})
{
    ImageRef i;
    i.role = ImageRole::Tile;
    i.state = state;
    i.error = error;
    return i;
}

// The engine, as far as PollScheduler sees it: jobs by id, and a record of what it was told.
class FakeHost final : public JobHost
{
public:
    Job &add(const QString &id, const QString &remoteId, const Account &account,
             const ProviderAdapter &adapter, const PollPolicy &policy)
    {
        auto job = std::make_unique<Job>();
        job->task.id = id;
        job->task.remoteId = remoteId;
        job->task.state = TaskState::Running;
        job->account = account;
        job->adapter = &adapter;
        job->policy = policy;
        job->generation = ++m_generations;
        Job &ref = *job;
        m_jobs[id] = std::move(job);
        return ref;
    }

    Job *jobFor(const QString &taskId, int generation) const override
    {
        const auto it = m_jobs.find(taskId);
        if (it == m_jobs.end() || (generation != 0 && it->second->generation != generation))
            return nullptr;
        return it->second.get();
    }
    std::vector<Job *> jobs() const override
    {
        std::vector<Job *> all;
        for (const auto &[id, job] : m_jobs)
            all.push_back(job.get());
        return all;
    }
    bool persist(Job &job, bool) override
    {
        events.append(QStringLiteral("persist %1 #%2").arg(job.task.id).arg(job.task.pollCount));
        return true;
    }
    void changed(const Job &job) override { events.append(QStringLiteral("changed ") + job.task.id); }
    void finishRun(Job &job, TaskState state, std::optional<Error> error) override
    {
        events.append(QStringLiteral("finish %1 %2").arg(job.task.id, taskStateName(state)));
        finished[job.task.id] = {state, error};
        m_jobs.erase(job.task.id);
    }
    void applySnapshot(Job &job, const TaskSnapshot &snapshot) override
    {
        events.append(QStringLiteral("snapshot %1 %2 %3")
                          .arg(job.task.id, taskStateName(snapshot.state))
                          .arg(snapshot.progress.value_or(-1)));
    }
    Job *startRetryJob(const Task &, const Account &, const ProviderAdapter *) override { return nullptr; }
    void endRetryJob(Job &) override { }

    QStringList events;
    std::map<QString, std::pair<TaskState, std::optional<Error>>> finished;

private:
    std::map<QString, std::unique_ptr<Job>> m_jobs;
    int m_generations = 0;
};

// Answers every call with what `answer` says and records it ("persist" events of the host interleave
// with these in `events` when both are given the same list).
class FakeTransport final : public Transport
{
public:
    explicit FakeTransport(QStringList &events)
        : m_events(events)
    { }
    TransportReply *send(const HttpCall &call, const Account &, const QString &apiKey) override
    {
        m_events.append(QStringLiteral("send ") + call.path);
        keys.append(apiKey);
        return TransportReply::finishedWith(answer(call));
    }
    TransportReply *download(const QUrl &, const Account &, qint64) override
    {
        return TransportReply::finishedWith(
            Error::make(Error::Kind::Unsupported, QStringLiteral("no downloads")));
    }

    std::function<Result<HttpResponse>(const HttpCall &)> answer;
    QStringList keys;

private:
    QStringList &m_events;
};

HttpResponse json(const QByteArray &body, int status = 200)
{
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    return r;
}

QByteArray mjTask(const QString &id, const char *status, int progress)
{
    return QStringLiteral(R"({"id": "%1", "action": "IMAGINE", "status": "%2", "progress": "%3%",
                             "properties": {}, "buttons": []})")
        .arg(id, QLatin1String(status))
        .arg(progress)
        .toUtf8();
}

Account mjAccount()
{
    Account a;
    a.id = QStringLiteral("acc");
    a.family = QStringLiteral("mjproxy");
    a.name = QStringLiteral("Proxy");
    a.baseUrl = QStringLiteral("http://127.0.0.1:1");
    return a;
}

PollPolicy quick()
{
    PollPolicy p;
    p.firstPollMs = 1000;
    p.intervalMs = p.maxIntervalMs = 1000;
    p.timeoutMs = 600'000;
    return p;
}

// Runs the event loop until the replies in flight have finished.
void settle()
{
    for (int i = 0; i < 5; ++i)
        QCoreApplication::processEvents();
    QTest::qWait(5);
}

} // namespace

class TstEngineParts : public QObject
{
    Q_OBJECT
private slots:
    void intervalsStaySteadyThenGrowAndNeverGoBelowTheVendorsMinimum()
    {
        const PollPolicy p = kolerskyLike();
        // Twelve checks at 5 s, then each gap a quarter longer, up to a minute.
        QCOMPARE(PollScheduler::nextInterval(p, 5000, 1), 5000);
        QCOMPARE(PollScheduler::nextInterval(p, 5000, 12), 5000);
        QCOMPARE(PollScheduler::nextInterval(p, 5000, 13), 6250);
        QCOMPARE(PollScheduler::nextInterval(p, 50'000, 30), 60'000);
        QCOMPARE(PollScheduler::nextInterval(p, 60'000, 40), 60'000);
        // The whole budget lasts well past the vendor's 5-minute operation timeout.
        qint64 interval = p.intervalMs;
        qint64 at = p.firstPollMs;
        for (int check = 1; check < p.pollBudget; ++check) {
            at += interval;
            interval = PollScheduler::nextInterval(p, interval, check);
            QVERIFY(interval >= p.minIntervalMs);
        }
        QVERIFY2(at > 30 * 60'000, qPrintable(QString::number(at)));
        // A family without back-off (interval = max) and no minimum: steady.
        PollPolicy flat;
        flat.intervalMs = flat.maxIntervalMs = 3000;
        QCOMPARE(PollScheduler::nextInterval(flat, 3000, 50), 3000);
    }

    void aRunStopsForTheBudgetItsCapOrItsTimeAndSaysSo()
    {
        PollPolicy p = kolerskyLike();
        QVERIFY(!PollScheduler::limitReached(p, runningTask(59), 10, 1000, QStringLiteral("kolersky")));
        const auto spent
            = PollScheduler::limitReached(p, runningTask(60, 45), 10, 1000, QStringLiteral("kolersky"));
        QVERIFY(spent);
        QCOMPARE(spent->kind, Error::Kind::StillRunning);
        QVERIFY2(
            spent->message.startsWith(QLatin1String("kolersky allows no more status checks for this task: "
                                                    "all 60 were used")),
            qPrintable(spent->message));
        QVERIFY(spent->message.contains(QLatin1String("45 %")));
        QVERIFY(!spent->userText().contains(QLatin1String("did not answer")));

        p.pollBudget = 0;
        p.maxPolls = 3;
        const auto capped = PollScheduler::limitReached(p, runningTask(7), 3, 1000, QString());
        QVERIFY(capped);
        QVERIFY2(capped->message.startsWith(QLatin1String("Tessera stopped asking after 3 status checks")),
                 qPrintable(capped->message));
        QVERIFY(capped->message.endsWith(QLatin1String("Check again later.")));

        p.maxPolls = 0;
        const auto late = PollScheduler::limitReached(p, runningTask(7), 7, 600'000, QString());
        QVERIFY(late);
        QVERIFY2(late->message.startsWith(QLatin1String("Tessera stopped asking after 10 minutes")),
                 qPrintable(late->message));
    }

    // A check goes out when it is due, not before; its answer is the engine's to apply.
    void aCheckGoesOutWhenDueAndItsAnswerGoesToTheEngine()
    {
        FakeHost host;
        FakeTransport transport(host.events);
        ManualClock clock;
        PollScheduler scheduler(host, transport, clock, 3);
        mjproxy::MjproxyAdapter adapter;
        transport.answer
            = [](const HttpCall &) { return json(mjTask(QStringLiteral("r1"), "IN_PROGRESS", 40)); };
        Job &job = host.add(QStringLiteral("t1"), QStringLiteral("r1"), mjAccount(), adapter, quick());
        job.apiKey = QStringLiteral("k");
        scheduler.startRun(job, 1000);
        clock.advance(999);
        settle();
        QVERIFY(host.events.isEmpty());
        clock.advance(1);
        settle();
        QCOMPARE(host.events,
                 QStringList(
                     {QStringLiteral("send /mj/task/r1/fetch"), QStringLiteral("snapshot t1 running 40")}));
        QCOMPARE(job.task.pollCount, 1);
        QCOMPARE(transport.keys, QStringList {QStringLiteral("k")});
    }

    // Two tasks of one account due together: one batch request answers both.
    void tasksOfOneAccountAreAskedInOneBatch()
    {
        FakeHost host;
        FakeTransport transport(host.events);
        ManualClock clock;
        PollScheduler scheduler(host, transport, clock, 3);
        mjproxy::MjproxyAdapter adapter;
        transport.answer = [](const HttpCall &call) -> Result<HttpResponse> {
            if (call.path.endsWith(QLatin1String("list-by-condition")))
                return json("[" + mjTask(QStringLiteral("r1"), "IN_PROGRESS", 10) + ","
                            + mjTask(QStringLiteral("r2"), "IN_PROGRESS", 20) + "]");
            return json(mjTask(call.path.section(QLatin1Char('/'), -2, -2), "IN_PROGRESS", 99));
        };
        Job &a = host.add(QStringLiteral("a"), QStringLiteral("r1"), mjAccount(), adapter, quick());
        Job &b = host.add(QStringLiteral("b"), QStringLiteral("r2"), mjAccount(), adapter, quick());
        a.phase = b.phase = Job::Phase::Polling;
        scheduler.startRun(a, 1000);
        scheduler.startRun(b, 1000);
        clock.advance(1000);
        settle();
        QCOMPARE(host.events.count(QStringLiteral("send /mj/task/list-by-condition")), 1);
        QVERIFY2(host.events.contains(QStringLiteral("snapshot a running 10")),
                 qPrintable(host.events.join(QLatin1Char(0x0a))));
        QVERIFY(host.events.contains(QStringLiteral("snapshot b running 20")));
        QCOMPARE(host.events.size(), 3); // b's own timer was made stale by the batch
        QCOMPARE(a.task.pollCount, 1);
        QCOMPARE(b.task.pollCount, 1);
    }

    // A server without the batch request: its tasks are asked one by one, then and from then on.
    void aRefusedBatchFallsBackToOneByOne()
    {
        FakeHost host;
        FakeTransport transport(host.events);
        ManualClock clock;
        PollScheduler scheduler(host, transport, clock, 3);
        mjproxy::MjproxyAdapter adapter;
        transport.answer = [](const HttpCall &call) -> Result<HttpResponse> {
            if (call.path.endsWith(QLatin1String("list-by-condition")))
                return json(R"({"error": "Not Found"})", 404);
            return json(mjTask(call.path.section(QLatin1Char('/'), -2, -2), "IN_PROGRESS", 50));
        };
        Job &a = host.add(QStringLiteral("a"), QStringLiteral("r1"), mjAccount(), adapter, quick());
        Job &b = host.add(QStringLiteral("b"), QStringLiteral("r2"), mjAccount(), adapter, quick());
        scheduler.startRun(a, 1000);
        scheduler.startRun(b, 1000);
        clock.advance(1000);
        settle();
        clock.advance(0); // each is asked alone at once
        settle();
        QCOMPARE(host.events.count(QStringLiteral("send /mj/task/list-by-condition")), 1);
        QVERIFY2(host.events.contains(QStringLiteral("snapshot a running 50")),
                 qPrintable(host.events.join(QLatin1Char(0x0a))));
        QVERIFY(host.events.contains(QStringLiteral("snapshot b running 50")));
        QCOMPARE(a.task.pollCount, 1); // the refused batch is not counted as a check
        host.events.clear();
        scheduler.scheduleNext(a);
        scheduler.scheduleNext(b);
        clock.advance(1000);
        settle();
        QCOMPARE(host.events.count(QStringLiteral("send /mj/task/list-by-condition")), 0);
        QCOMPARE(host.events.count(QStringLiteral("send /mj/task/r1/fetch")), 1);
        QCOMPARE(host.events.count(QStringLiteral("send /mj/task/r2/fetch")), 1);
    }

    // Failed checks are tried again at the interval (or the server's Retry-After); too many in a row end
    // the run as Unfinished, saying why — the task may still finish.
    void failuresInARowEndTheRunUnfinished()
    {
        FakeHost host;
        FakeTransport transport(host.events);
        ManualClock clock;
        PollScheduler scheduler(host, transport, clock, 3);
        mjproxy::MjproxyAdapter adapter;
        transport.answer = [](const HttpCall &) -> Result<HttpResponse> {
            return Error::make(Error::Kind::Network, QStringLiteral("Connection refused"));
        };
        Job &job = host.add(QStringLiteral("t"), QStringLiteral("r1"), mjAccount(), adapter, quick());
        scheduler.startRun(job, 1000);
        for (int i = 0; i < 3; ++i) {
            clock.advance(1000);
            settle();
        }
        QCOMPARE(host.events.count(QStringLiteral("send /mj/task/r1/fetch")), 3);
        QCOMPARE(host.events.count(QStringLiteral("changed t")), 2); // the error shown while retrying
        QVERIFY(host.finished.count(QStringLiteral("t")));
        const auto &[state, error] = host.finished.at(QStringLiteral("t"));
        QCOMPARE(state, TaskState::Unfinished);
        QVERIFY(error);
        QVERIFY2(error->message.startsWith(QLatin1String("Status checks keep failing (")),
                 qPrintable(error->message));
        QVERIFY(error->message.contains(QLatin1String("Connection refused")));
    }

    // Where the vendor counts every check (a budget), the count is stored before each check is sent, and
    // the budget's end stops the run before one more request.
    void aBudgetIsStoredBeforeEachCheckAndEndsTheRun()
    {
        FakeHost host;
        FakeTransport transport(host.events);
        ManualClock clock;
        PollScheduler scheduler(host, transport, clock, 3);
        mjproxy::MjproxyAdapter adapter;
        transport.answer
            = [](const HttpCall &) { return json(mjTask(QStringLiteral("r1"), "IN_PROGRESS", 5)); };
        PollPolicy p = quick();
        p.pollBudget = 2;
        Job &job = host.add(QStringLiteral("t"), QStringLiteral("r1"), mjAccount(), adapter, p);
        scheduler.startRun(job, 1000);
        clock.advance(1000);
        settle();
        scheduler.scheduleNext(job);
        clock.advance(1000);
        settle();
        scheduler.scheduleNext(job);
        clock.advance(1000);
        settle();
        QCOMPARE(
            host.events,
            QStringList({QStringLiteral("persist t #1"), QStringLiteral("send /mj/task/r1/fetch"),
                         QStringLiteral("snapshot t running 5"), QStringLiteral("persist t #2"),
                         QStringLiteral("send /mj/task/r1/fetch"), QStringLiteral("snapshot t running 5"),
                         QStringLiteral("finish t unfinished")}));
        QCOMPARE(host.finished.at(QStringLiteral("t")).second->kind, Error::Kind::StillRunning);
    }

    void failedDownloadsAreReadLikeAnswers()
    {
        for (const int status : {403, 404, 410}) {
            const Error e = Downloader::failureOf(answer(status));
            QCOMPARE(e.kind, Error::Kind::NotFound);
            QVERIFY(Downloader::meansExpired(e));
            QCOMPARE(e.httpStatus, status);
        }
        QCOMPARE(Downloader::failureOf(answer(500)).kind, Error::Kind::ServerError);
        QCOMPARE(Downloader::failureOf(answer(503)).kind, Error::Kind::Maintenance);
        QCOMPARE(Downloader::failureOf(answer(429)).kind, Error::Kind::RateLimited);
        // Downloads never carry the key: a 401 is an odd answer, not a rejected key.
        QCOMPARE(Downloader::failureOf(answer(401)).kind, Error::Kind::BadResponse);
        QVERIFY(!Downloader::meansExpired(Downloader::failureOf(answer(500))));
    }

    void missingImagesAreCountedWithTheirReasons()
    {
        QVERIFY(!Downloader::missingNote({image(ImageState::Downloaded), image(ImageState::Pending)}));
        const auto expired
            = Downloader::missingNote({image(ImageState::Downloaded), image(ImageState::Expired)});
        QVERIFY(expired);
        QCOMPARE(expired->kind, Error::Kind::NotFound);
        QCOMPARE(expired->message, QStringLiteral("1 image could not be saved: its link has expired"));
        const auto mixed = Downloader::missingNote({image(ImageState::Failed, QStringLiteral("disk full")),
                                                    image(ImageState::Expired, QStringLiteral("gone"))});
        QVERIFY(mixed);
        QCOMPARE(mixed->kind, Error::Kind::Io);
        QCOMPARE(mixed->message, QStringLiteral("2 images could not be saved: disk full; gone"));
    }

    void leasesKnowALiveOwnerFromADeadOne()
    {
        QTemporaryDir dir;
        auto opened = HistoryStore::open(dir.filePath(QStringLiteral("h.sqlite")));
        QVERIFY(opened);
        HistoryStore &store = **opened;
        ManualClock clock;
        const QString locks = dir.filePath(QStringLiteral("leases"));
        Leases mine(store, clock, locks, 30'000);
        QVERIFY(mine.owner().endsWith(
            QUuid::fromString(mine.owner().section(QLatin1Char('|'), -1)).toString(QUuid::WithoutBraces)));
        QVERIFY(!mine.isDead(mine.owner()));
        {
            // Another engine of this process is alive; gone, its lock file goes with it.
            Leases other(store, clock, locks, 30'000);
            QVERIFY(!mine.isDead(other.owner()));
        }
        // Owners it cannot judge (another machine, an older id) count as alive.
        QVERIFY(
            !mine.isDead(QStringLiteral("elsewhere|") + QUuid::createUuid().toString(QUuid::WithoutBraces)));
        QVERIFY(!mine.isDead(QStringLiteral("host|123|456")));

        // A process that holds its lock is alive; killed, its stale lock says it is dead.
        const QString uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString owner = QSysInfo::machineHostName() + QLatin1Char('|') + uuid;
        QProcess holder;
        holder.start(QStringLiteral(TESSERA_LOCKHOLDER_PATH),
                     {QDir(locks).filePath(uuid + QStringLiteral(".lock"))});
        QVERIFY(holder.waitForReadyRead(10'000));
        QVERIFY(!mine.isDead(owner));
        holder.kill();
        QVERIFY(holder.waitForFinished(10'000));
        QVERIFY(mine.isDead(owner));
    }
};

QTEST_GUILESS_MAIN(TstEngineParts)
#include "tst_engineparts.moc"
