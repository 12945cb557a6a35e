// Issue "Correctness" §2: no request of a real family leaves before its account's key is known, and a
// cancel is answered promptly wherever the task runs. The real AppCore (HttpClient, TaskEngine, the GUI's
// start-up work) over a temporary folder, with a keychain that answers slowly (or not at all), against a
// kolersky-style server on 127.0.0.1 that answers 401 to any request without the right key
// (PROVIDERS.md §1: generate, status, DELETE cancel honoured only while "accepted").
#include "appcore.h"
#include "fakehttpserver.h"
#include "scaledclock.h"
#include "slowsecretstore.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace tessera;
using namespace tessera::test;

namespace {

const QString kKey = QStringLiteral("sk-keys-first-77");
const QString kAccount = QStringLiteral("kolersky-1");
const QString kStatus = QStringLiteral("/v1/status");
const QString kCancel = QStringLiteral("/v1/midjourney/cancel");

// kolersky's answers, as in vendor-docs/kolersky-midjourney-api.ru.md.
class FakeKolersky
{
public:
    explicit FakeKolersky(FakeHttpServer &server)
    {
        server.respond([this](const RecordedRequest &r) {
            if (r.header("Authorization") != "Bearer " + kKey.toUtf8()) {
                ++unauthorized;
                return Answer::json(401, {{QStringLiteral("err"), QStringLiteral("Unauthorized")},
                                          {QStringLiteral("code"), 401},
                                          {QStringLiteral("message"), QStringLiteral("Invalid API key")}});
            }
            if (r.method == "GET" && r.path == kStatus) {
                const QString id = r.queryItems().queryItemValue(QStringLiteral("requestId"));
                return Answer::json(200, {{QStringLiteral("requestId"), id},
                                          {QStringLiteral("status"), cancelled.contains(id)
                                                   ? QStringLiteral("cancelled")
                                                   : QStringLiteral("processing")},
                                          {QStringLiteral("code"), 200}});
            }
            if (r.method == "DELETE" && r.path == kCancel) {
                const QString id = r.json().value(QStringLiteral("requestId")).toString();
                if (refuseCancel)
                    return Answer::json(400, {{QStringLiteral("err"), QStringLiteral("Invalid status")},
                                              {QStringLiteral("code"), 400},
                                              {QStringLiteral("message"),
                                               QStringLiteral("Only tasks in status accepted can be cancelled")}});
                cancelled.insert(id);
                return Answer::json(200, {{QStringLiteral("requestId"), id},
                                          {QStringLiteral("status"), QStringLiteral("cancelled")},
                                          {QStringLiteral("code"), 200}});
            }
            return Answer::json(404, {{QStringLiteral("err"), QStringLiteral("Not found")}});
        });
    }

    int unauthorized = 0;
    bool refuseCancel = false;
    QSet<QString> cancelled;
};

struct Cancel
{
    bool cancelled = false;
    Error detail;
};

} // namespace

class TstKeysFirst : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void startUpWaitsForTheKeyBeforeAnyRequest();
    void cancelWhileTheKeyIsReadGoesOutWithTheKey();
    void cancelWithoutAKeySendsNothing();
    void cancelOfATaskAnotherEngineDrives_data();
    void cancelOfATaskAnotherEngineDrives();

private:
    // A core over the test's folder whose keychain answers after `delayMs`.
    std::unique_ptr<AppCore> openCore(int delayMs, SlowSecretStore **store, bool withKey = true);
    // A kolersky task as another process left it: Running with its remote id, no lease.
    QString leaveRunningTask(AppCore &core, const QString &remoteId, TaskState state = TaskState::Running);
    std::optional<Cancel> awaitCancel(AppCore &core, const QString &taskId, int timeoutMs = 10'000);

    std::unique_ptr<QTemporaryDir> m_dir;
    // kolersky's 5 s between status checks holds whatever the account says: engine time runs 50 times
    // faster here (leases and their renewals with it).
    ScaledClock m_clock;
    std::unique_ptr<FakeHttpServer> m_server;
    std::unique_ptr<FakeKolersky> m_kolersky;
};

void TstKeysFirst::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<FakeHttpServer>();
    m_kolersky = std::make_unique<FakeKolersky>(*m_server);
}

void TstKeysFirst::cleanup()
{
    m_kolersky.reset();
    m_server.reset();
    m_dir.reset();
}

std::unique_ptr<AppCore> TstKeysFirst::openCore(int delayMs, SlowSecretStore **store, bool withKey)
{
    AppCore::Options options;
    options.paths = AppPaths::under(m_dir->path());
    options.keychain = false;
    if (m_clock.speed() == 1)
        m_clock.setSpeed(50);
    options.clock = &m_clock;
    SlowSecretStore *made = nullptr;
    options.secretStore = [&made, delayMs, withKey] {
        auto s = std::make_unique<SlowSecretStore>(delayMs);
        if (withKey)
            s->keys.insert(kAccount, kKey);
        made = s.get();
        return s;
    };
    auto core = AppCore::open(options);
    if (!core)
        qFatal("cannot open the core: %s", qPrintable(core.error().message));
    made->serverCount = [server = m_server.get()] { return server->count(); };
    if (store)
        *store = made;
    Account account;
    account.id = kAccount;
    account.family = QStringLiteral("kolersky");
    account.name = QStringLiteral("k");
    account.baseUrl = m_server->baseUrl();
    account.options = QJsonObject {{QStringLiteral("first-poll"), QStringLiteral("0.05")},
                                   {QStringLiteral("poll-interval"), QStringLiteral("0.05")}};
    if (!(*core)->store().saveAccount(account))
        qFatal("cannot save the account");
    return std::move(*core);
}

QString TstKeysFirst::leaveRunningTask(AppCore &core, const QString &remoteId, TaskState state)
{
    Task task;
    task.id = QStringLiteral("task-") + remoteId;
    task.accountId = kAccount;
    task.operation = Operation::imagine(QStringLiteral("a lighthouse at dusk"));
    task.prompt = task.operation.prompt;
    task.created = QDateTime::currentDateTimeUtc();
    task.updated = task.created;
    task.state = state;
    task.remoteId = remoteId;
    if (state == TaskState::Unfinished)
        task.finished = task.created;
    if (!core.store().insertTask(task, {}, 0))
        qFatal("cannot insert the task");
    return task.id;
}

std::optional<Cancel> TstKeysFirst::awaitCancel(AppCore &core, const QString &taskId, int timeoutMs)
{
    std::optional<Cancel> answer;
    QObject context;
    connect(&core.engine(), &TaskEngine::cancelAnswered, &context,
            [&](const QString &id, bool cancelled, const Error &detail) {
                if (id == taskId)
                    answer = Cancel {cancelled, detail};
            });
    QElapsedTimer timer;
    timer.start();
    while (!answer && timer.elapsed() < timeoutMs)
        QTest::qWait(10);
    return answer;
}

// What the GUI does at start (AppCore::resumeWork): a task left running and one that ran out of status
// checks are both asked about, each only once the keychain has answered, each with the key.
void TstKeysFirst::startUpWaitsForTheKeyBeforeAnyRequest()
{
    SlowSecretStore *keys = nullptr;
    auto core = openCore(400, &keys);
    const QString running = leaveRunningTask(*core, QStringLiteral("r-1"));
    const QString unfinished = leaveRunningTask(*core, QStringLiteral("r-2"), TaskState::Unfinished);
    core->resumeWork();
    QVERIFY(core->engine().isDriving(running));
    QVERIFY(core->engine().isDriving(unfinished));
    QTRY_VERIFY_WITH_TIMEOUT(m_server->count("GET", kStatus) >= 4, 10'000);
    QCOMPARE(m_kolersky->unauthorized, 0);
    QVERIFY(keys->reads >= 2);
    // Each read was answered before the server had seen a single request.
    QCOMPARE(keys->serverCountAtAnswers.first(), 0);
    for (const RecordedRequest &r : m_server->requests())
        QCOMPARE(r.header("Authorization"), "Bearer " + kKey.toUtf8());
}

// A task taken over by a new process and cancelled at once, while its key is still being read: the
// cancel waits for the key and goes out once, with it.
void TstKeysFirst::cancelWhileTheKeyIsReadGoesOutWithTheKey()
{
    auto core = openCore(400, nullptr);
    const QString id = leaveRunningTask(*core, QStringLiteral("c-1"));
    QSignalSpy finished(&core->engine(), &TaskEngine::taskFinished);
    QVERIFY(core->engine().cancel(id).ok()); // takes the task over (nobody drives it) and cancels
    QCOMPARE(m_server->count(), 0);
    const std::optional<Cancel> answer = awaitCancel(*core, id);
    QVERIFY(answer);
    QVERIFY2(answer->cancelled, qPrintable(answer->detail.message));
    QCOMPARE(answer->detail.message, QStringLiteral("Cancelled on the server"));
    QCOMPARE(m_server->count("DELETE", kCancel), 1);
    QCOMPARE(m_server->last("DELETE", kCancel)->header("Authorization"), "Bearer " + kKey.toUtf8());
    QCOMPARE(m_kolersky->unauthorized, 0);
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE((*core->store().task(id))->state, TaskState::Cancelled);
}

// No key at all: the cancel is answered "no API key" (MissingKey) and nothing is sent; the task is not
// marked cancelled, since the server was never asked.
void TstKeysFirst::cancelWithoutAKeySendsNothing()
{
    auto core = openCore(50, nullptr, false);
    const QString id = leaveRunningTask(*core, QStringLiteral("n-1"));
    QVERIFY(core->engine().cancel(id).ok());
    const std::optional<Cancel> answer = awaitCancel(*core, id);
    QVERIFY(answer);
    QVERIFY(!answer->cancelled);
    QCOMPARE(answer->detail.kind, Error::Kind::MissingKey);
    QVERIFY2(answer->detail.message.contains(QStringLiteral("no API key for k")), qPrintable(answer->detail.message));
    QTest::qWait(200);
    QCOMPARE(m_server->count(), 0);
    QVERIFY((*core->store().task(id))->state != TaskState::Cancelled);
}

void TstKeysFirst::cancelOfATaskAnotherEngineDrives_data()
{
    QTest::addColumn<bool>("refuse");
    QTest::newRow("accepted") << false;
    QTest::newRow("refused") << true;
}

// Two processes on one history (two cores): the one that drives the task keeps polling; the other sends
// the cancel itself, with the key, and is answered at once. Accepted: the driver sees "cancelled" at its
// next status check. Refused: the vendor's words come back and the task runs on.
void TstKeysFirst::cancelOfATaskAnotherEngineDrives()
{
    QFETCH(bool, refuse);
    m_kolersky->refuseCancel = refuse;
    auto driver = openCore(10, nullptr);
    const QString id = leaveRunningTask(*driver, QStringLiteral("d-1"));
    driver->resumeWork();
    QTRY_VERIFY_WITH_TIMEOUT(m_server->count("GET", kStatus) >= 1, 10'000);

    auto other = openCore(300, nullptr);
    QVERIFY(!*other->engine().adopt(id)); // the driver's lease is live
    QVERIFY(other->engine().cancel(id).ok());
    QVERIFY(!other->engine().isDriving(id));
    const std::optional<Cancel> answer = awaitCancel(*other, id);
    QVERIFY(answer);
    QCOMPARE(m_server->count("DELETE", kCancel), 1);
    QCOMPARE(m_kolersky->unauthorized, 0);
    if (refuse) {
        QVERIFY(!answer->cancelled);
        QCOMPARE(answer->detail.message, QStringLiteral("Only tasks in status accepted can be cancelled"));
        const int before = m_server->count("GET", kStatus);
        QTRY_VERIFY(m_server->count("GET", kStatus) > before + 2); // still followed by its driver
        QCOMPARE((*driver->store().task(id))->state, TaskState::Running);
    } else {
        QVERIFY2(answer->cancelled, qPrintable(answer->detail.message));
        QTRY_COMPARE_WITH_TIMEOUT((*driver->store().task(id))->state, TaskState::Cancelled, 10'000);
    }
}

QTEST_GUILESS_MAIN(TstKeysFirst)
#include "tst_keysfirst.moc"
