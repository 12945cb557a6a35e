// The kolersky-style adapter reading its vendor's answers (PROVIDERS.md §1): submits, statuses (collages,
// upscales, videos, failures), error mapping, cancels and the connection test; then the adapter under the
// TaskEngine with a scripted server (imagine then pan on a tile, the 60-check cap, cancel with DELETE).
// Request bodies, validation and availability are in tst_kolerskyadapter.
#include "kolerskyadapter_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

class TestKolerskyAdapterAnswers : public QObject
{
    Q_OBJECT

private slots:
    void parseSubmit_data();
    void parseSubmit();
    void seedAnsweredAtOnce();
    void parseStatus_data();
    void parseStatus();
    void parseStatusErrors_data();
    void parseStatusErrors();
    void parseCancel_data();
    void parseCancel();
    void connectionTest_data();
    void connectionTest();
    void engineRunsImagineThenPanOnATile();
    void engineStopsAtSixtyPolls();
    void engineCancelsWithDelete();

private:
    KolerskyAdapter m_adapter;
};

void TestKolerskyAdapterAnswers::parseSubmit_data()
{
    QTest::addColumn<int>("http");
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("remoteId"); // empty: an error is expected
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("message"); // exact for vendor messages, else a fragment
    QTest::addColumn<QString>("vendorCode");

    const auto ok = [](const char *row, int http, const char *file, const QString &id) {
        QTest::newRow(row) << http << QString::fromLatin1(file) << id << 0 << QString() << QString();
    };
    const auto fail = [](const char *row, int http, const char *file, Error::Kind kind,
                         const QString &message, const QString &code = {}) {
        QTest::newRow(row) << http << QString::fromLatin1(file) << QString() << int(kind) << message << code;
    };
    ok("accepted", 200, "resp-accepted.json", QStringLiteral("5f0c6f4e-8a5e-4bde-9c7a-2f9d0e1b7c11"));
    ok("big integer id", 200, "resp-accepted-big-id.json", QStringLiteral("123456789012345678901"));
    ok("number id", 200, "resp-accepted-number-id.json", QStringLiteral("42"));
    fail("insufficient, HTTP 200", 200, "resp-err-insufficient.json", Error::Kind::PaymentRequired,
         QStringLiteral("You have 0 requests remaining"), QStringLiteral("403"));
    fail("insufficient, HTTP 403", 403, "resp-err-insufficient.json", Error::Kind::PaymentRequired,
         QStringLiteral("You have 0 requests remaining"), QStringLiteral("403"));
    fail("invalid, HTTP 200", 200, "resp-err-invalid.json", Error::Kind::InvalidRequest,
         QStringLiteral("prompt is required"), QStringLiteral("400"));
    fail("invalid, HTTP 400", 400, "resp-err-invalid.json", Error::Kind::InvalidRequest,
         QStringLiteral("prompt is required"), QStringLiteral("400"));
    fail("unauthorized, HTTP 200", 200, "resp-err-unauthorized.json", Error::Kind::Unauthorized,
         QStringLiteral("Invalid API key"), QStringLiteral("401"));
    fail("unauthorized, HTTP 401", 401, "resp-err-unauthorized.json", Error::Kind::Unauthorized,
         QStringLiteral("Invalid API key"), QStringLiteral("401"));
    fail("err without message", 200, "resp-err-no-message.json", Error::Kind::InvalidRequest,
         QStringLiteral("Invalid parameters"), QStringLiteral("400"));
    fail("rate limited in the envelope", 200, "resp-err-rate.json", Error::Kind::RateLimited,
         QStringLiteral("Slow down"), QStringLiteral("429"));
    fail("banned prompt, code as text", 200, "resp-err-banned.json", Error::Kind::ContentRejected,
         QStringLiteral("Banned prompt detected: please rephrase"), QStringLiteral("400"));
    fail("server error", 500, "resp-err-server.json", Error::Kind::ServerError,
         QStringLiteral("Midjourney account unavailable"), QStringLiteral("500"));
    fail("HTML with 200", 200, "resp-html.html", Error::Kind::BadResponse, QStringLiteral("web page"));
    fail("HTML 502", 502, "resp-html.html", Error::Kind::ServerError, QStringLiteral("HTTP 502"));
    fail("HTML 503", 503, "resp-html.html", Error::Kind::Maintenance, QStringLiteral("HTTP 503"));
    fail("broken JSON", 200, "resp-broken.json", Error::Kind::BadResponse, QStringLiteral("broken JSON"));
    fail("a list", 200, "resp-array.json", Error::Kind::BadResponse, QStringLiteral("not a JSON object"));
    fail("no requestId", 200, "resp-accepted-no-id.json", Error::Kind::BadResponse,
         QStringLiteral("requestId"));
    fail("requestId an object", 200, "resp-accepted-object-id.json", Error::Kind::BadResponse,
         QStringLiteral("requestId"));
}

void TestKolerskyAdapterAnswers::parseSubmit()
{
    QFETCH(int, http);
    QFETCH(QString, file);
    QFETCH(QString, remoteId);
    QFETCH(int, kind);
    QFETCH(QString, message);
    QFETCH(QString, vendorCode);
    const Result<SubmitOutcome> outcome = m_adapter.parseSubmit(
        generate(GenerateType::Text, QStringLiteral("x")), answer(http, fixture(file)));
    if (!remoteId.isEmpty()) {
        QVERIFY2(outcome.ok(), outcome.ok() ? "" : qPrintable(outcome.error().message));
        QCOMPARE(outcome->remoteId, remoteId);
        QVERIFY(!outcome->needsModal);
        QVERIFY(!outcome->immediate);
        return;
    }
    QVERIFY(!outcome.ok());
    const Error &e = outcome.error();
    QCOMPARE(int(e.kind), kind);
    QCOMPARE(e.httpStatus, http);
    QCOMPARE(e.vendorCode, vendorCode);
    if (vendorCode.isEmpty())
        QVERIFY2(e.message.contains(message), qPrintable(e.message));
    else
        QCOMPARE(e.message, message);
}

void TestKolerskyAdapterAnswers::seedAnsweredAtOnce()
{
    const Operation seed = action(OperationKind::Seed, 0);
    // The usual answer: an id to poll.
    const Result<SubmitOutcome> polled
        = m_adapter.parseSubmit(seed, answer(200, fixture(QStringLiteral("resp-accepted.json"))));
    QVERIFY(polled.ok());
    QVERIFY(!polled->immediate);
    // A seed in the answer itself needs no polling.
    const Result<SubmitOutcome> direct = m_adapter.parseSubmit(
        seed,
        answer(200,
               R"({"requestId": "s1", "status": "success", "code": 200, "output": {"seed": 4294967295}})"));
    QVERIFY(direct.ok());
    QVERIFY(direct->immediate);
    QCOMPARE(direct->immediate->state, TaskState::Succeeded);
    QCOMPARE(direct->immediate->remote.value(QStringLiteral("seed")).toString(),
             QStringLiteral("4294967295"));
}

void TestKolerskyAdapterAnswers::parseStatus_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<TaskState>("state");
    QTest::addColumn<int>("progress"); // -1: none
    QTest::addColumn<QString>("results");
    QTest::addColumn<int>("actions"); // entries kept in remote["actions"]
    QTest::addColumn<QString>("seed");
    QTest::addColumn<int>("errorKind"); // -1: no error
    QTest::addColumn<QString>("errorMessage");

    QTest::newRow("accepted") << QStringLiteral("status-accepted.json") << TaskState::Submitted << -1
                              << QString() << 0 << QString() << -1 << QString();
    QTest::newRow("processing 45%") << QStringLiteral("status-processing.json") << TaskState::Running << 45
                                    << QString() << 0 << QString() << -1 << QString();
    QTest::newRow("processing, no progress")
        << QStringLiteral("status-processing-no-progress.json") << TaskState::Running << -1 << QString() << 0
        << QString() << -1 << QString();
    QTest::newRow("image: one 2x2 grid")
        << QStringLiteral("status-success-image.json") << TaskState::Succeeded << 100
        << QStringLiteral("grid:0:https://cdn.kolersky.com/image/uuid/collage.png") << 8 << QString() << -1
        << QString();
    QTest::newRow("video: urls 1..n")
        << QStringLiteral("status-success-video.json") << TaskState::Succeeded << 100
        << QStringLiteral("video:1:https://cdn.kolersky.com/video/uuid/0_0.mp4 "
                          "video:2:https://cdn.kolersky.com/video/uuid/0_1.mp4")
        << 0 << QString() << -1 << QString();
    QTest::newRow("upscale: output.image_url")
        << QStringLiteral("status-success-upscale.json") << TaskState::Succeeded << 100
        << QStringLiteral("upscale:0:https://cdn.kolersky.com/image/uuid-u2/upscale.png") << 0 << QString()
        << -1 << QString();
    QTest::newRow("upscale: collage without U/V actions")
        << QStringLiteral("status-success-upscale-collage.json") << TaskState::Succeeded << 100
        << QStringLiteral("upscale:0:https://cdn.kolersky.com/image/uuid-u2/upscale.png") << 0 << QString()
        << -1 << QString();
    QTest::newRow("seed in output") << QStringLiteral("status-success-seed.json") << TaskState::Succeeded
                                    << 100 << QString() << 0 << QStringLiteral("3141592653") << -1
                                    << QString();
    QTest::newRow("seed at the top") << QStringLiteral("status-success-seed-top.json") << TaskState::Succeeded
                                     << 100 << QString() << 0 << QStringLiteral("2718281828") << -1
                                     << QString();
    QTest::newRow("content policy") << QStringLiteral("status-error-policy.json") << TaskState::Failed << -1
                                    << QString() << 0 << QString() << int(Error::Kind::ContentRejected)
                                    << QStringLiteral(
                                           "Banned prompt detected: the word \"gore\" is not allowed");
    QTest::newRow("failure message") << QStringLiteral("status-error-message.json") << TaskState::Failed << -1
                                     << QString() << 0 << QString() << int(Error::Kind::ServerError)
                                     << QStringLiteral("Job timed out after 5 minutes");
    QTest::newRow("failure without reason")
        << QStringLiteral("status-error-bare.json") << TaskState::Failed << -1 << QString() << 0 << QString()
        << int(Error::Kind::ServerError) << QStringLiteral("without a reason");
    QTest::newRow("cancelled") << QStringLiteral("status-cancelled.json") << TaskState::Cancelled << -1
                               << QString() << 0 << QString() << -1 << QString();
}

void TestKolerskyAdapterAnswers::parseStatus()
{
    QFETCH(QString, file);
    QFETCH(TaskState, state);
    QFETCH(int, progress);
    QFETCH(QString, results);
    QFETCH(int, actions);
    QFETCH(QString, seed);
    QFETCH(int, errorKind);
    QFETCH(QString, errorMessage);

    const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(200, fixture(file)));
    QVERIFY2(snap.ok(), snap.ok() ? "" : qPrintable(snap.error().message));
    QCOMPARE(snap->state, state);
    QCOMPARE(snap->progress.value_or(-1), progress);
    QCOMPARE(describeResults(snap->results), results);
    QCOMPARE(snap->remote.value(QStringLiteral("actions")).toArray().size(), actions);
    QCOMPARE(snap->remote.value(QStringLiteral("seed")).toString(), seed);
    QCOMPARE(snap->error.has_value(), errorKind >= 0);
    if (errorKind >= 0) {
        QCOMPARE(int(snap->error->kind), errorKind);
        QVERIFY2(snap->error->message.contains(errorMessage), qPrintable(snap->error->message));
    }
    if (file == QLatin1String("status-success-image.json")) {
        // V1-V4 then U1-U4 as the vendor listed them; ids stay strings, long ones exact.
        const QJsonArray kept = snap->remote.value(QStringLiteral("actions")).toArray();
        QCOMPARE(kept.first().toObject().value(QStringLiteral("index")).toInt(), 1);
        QCOMPARE(kept.first().toObject().value(QStringLiteral("requestId")).toString(),
                 QStringLiteral("request_id_v1"));
        QCOMPARE(kept.last().toObject().value(QStringLiteral("requestId")).toString(),
                 QStringLiteral("1234567890123456789"));
    }
    if (file == QLatin1String("status-error-policy.json"))
        QCOMPARE(snap->error->message, errorMessage); // verbatim
}

void TestKolerskyAdapterAnswers::parseStatusErrors_data()
{
    QTest::addColumn<int>("http");
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("message");

    const auto row
        = [](const char *name, int http, const char *file, Error::Kind kind, const QString &message) {
              QTest::newRow(name) << http << QString::fromLatin1(file) << int(kind) << message;
          };
    row("unknown id, HTTP 200", 200, "resp-err-not-found.json", Error::Kind::NotFound,
        QStringLiteral("Request not found"));
    row("unknown id, HTTP 404", 404, "resp-err-not-found.json", Error::Kind::NotFound,
        QStringLiteral("Request not found"));
    row("bad key in the envelope", 200, "resp-err-unauthorized.json", Error::Kind::Unauthorized,
        QStringLiteral("Invalid API key"));
    row("rate limited", 429, "resp-err-rate.json", Error::Kind::RateLimited, QStringLiteral("Slow down"));
    row("a failed task with HTTP 500 is a failed poll", 500, "status-error-message.json",
        Error::Kind::ServerError, QStringLiteral("Job timed out after 5 minutes"));
    row("HTML 200", 200, "resp-html.html", Error::Kind::BadResponse, QStringLiteral("web page"));
    row("HTML 502", 502, "resp-html.html", Error::Kind::ServerError, QStringLiteral("HTTP 502"));
    row("broken JSON", 200, "resp-broken.json", Error::Kind::BadResponse, QStringLiteral("broken JSON"));
    row("status a number", 200, "status-number.json", Error::Kind::BadResponse, QStringLiteral("status"));
    row("unknown status", 200, "status-unknown.json", Error::Kind::BadResponse,
        QStringLiteral("queued-somewhere"));
    row("success without output", 200, "status-success-no-output.json", Error::Kind::BadResponse,
        QStringLiteral("output"));
    row("output a string", 200, "status-success-output-string.json", Error::Kind::BadResponse,
        QStringLiteral("output"));
    row("image_url a number", 200, "status-success-url-number.json", Error::Kind::BadResponse,
        QStringLiteral("output.collage.image_url"));
    row("collage a string", 200, "status-success-collage-string.json", Error::Kind::BadResponse,
        QStringLiteral("output.collage"));
    row("video_urls a string", 200, "status-success-videos-string.json", Error::Kind::BadResponse,
        QStringLiteral("output.video_urls"));
    row("actions an object", 200, "status-success-actions-object.json", Error::Kind::BadResponse,
        QStringLiteral("output.collage.actions"));
    row("success with nothing", 200, "status-success-empty.json", Error::Kind::BadResponse,
        QStringLiteral("image_url"));
}

void TestKolerskyAdapterAnswers::parseStatusErrors()
{
    QFETCH(int, http);
    QFETCH(QString, file);
    QFETCH(int, kind);
    QFETCH(QString, message);
    const Result<TaskSnapshot> snap = m_adapter.parseStatus(
        answer(http, fixture(file), {{QByteArrayLiteral("Retry-After"), QByteArrayLiteral("30")}}));
    QVERIFY(!snap.ok());
    QCOMPARE(int(snap.error().kind), kind);
    QCOMPARE(snap.error().httpStatus, http);
    QVERIFY2(snap.error().message.contains(message), qPrintable(snap.error().message));
    if (snap.error().kind == Error::Kind::RateLimited)
        QCOMPARE(snap.error().retryAfter, received().addSecs(30));
}

void TestKolerskyAdapterAnswers::parseCancel_data()
{
    QTest::addColumn<int>("http");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("kind"); // -1: accepted
    QTest::addColumn<QString>("message");
    QTest::newRow("cancelled") << 200 << fixture(QStringLiteral("resp-cancelled.json")) << -1 << QString();
    QTest::newRow("empty 204") << 204 << QByteArray() << -1 << QString();
    QTest::newRow("refused in the envelope")
        << 200 << fixture(QStringLiteral("resp-cancel-refused.json")) << int(Error::Kind::InvalidRequest)
        << QStringLiteral("Only tasks in status accepted can be cancelled");
    QTest::newRow("refused, HTTP 400")
        << 400 << fixture(QStringLiteral("resp-cancel-refused.json")) << int(Error::Kind::InvalidRequest)
        << QStringLiteral("Only tasks in status accepted can be cancelled");
    QTest::newRow("HTML 502") << 502 << fixture(QStringLiteral("resp-html.html"))
                              << int(Error::Kind::ServerError) << QStringLiteral("HTTP 502");
}

void TestKolerskyAdapterAnswers::parseCancel()
{
    QFETCH(int, http);
    QFETCH(QByteArray, body);
    QFETCH(int, kind);
    QFETCH(QString, message);
    const Status s = m_adapter.parseCancel(answer(http, body));
    QCOMPARE(s.ok(), kind < 0);
    if (kind >= 0) {
        QCOMPARE(int(s.error().kind), kind);
        QVERIFY2(s.error().message.contains(message), qPrintable(s.error().message));
    }
}

void TestKolerskyAdapterAnswers::connectionTest_data()
{
    QTest::addColumn<int>("http");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("verdict");
    QTest::addColumn<QString>("message");
    using V = ConnectionReport::Verdict;
    QTest::newRow("not found: key accepted") << 200 << fixture(QStringLiteral("resp-err-not-found.json"))
                                             << int(V::KeyAccepted) << QStringLiteral("Request not found");
    QTest::newRow("not found 404: key accepted")
        << 404 << fixture(QStringLiteral("resp-err-not-found.json")) << int(V::KeyAccepted)
        << QStringLiteral("Request not found");
    QTest::newRow("401 in the envelope, HTTP 200")
        << 200 << fixture(QStringLiteral("resp-err-unauthorized.json")) << int(V::KeyRejected)
        << QStringLiteral("Invalid API key");
    QTest::newRow("401") << 401 << fixture(QStringLiteral("resp-err-unauthorized.json"))
                         << int(V::KeyRejected) << QStringLiteral("Invalid API key");
    QTest::newRow("no requests left: the key works")
        << 403 << fixture(QStringLiteral("resp-err-insufficient.json")) << int(V::KeyAccepted)
        << QStringLiteral("You have 0 requests remaining");
    QTest::newRow("HTML page") << 200 << fixture(QStringLiteral("resp-html.html")) << int(V::NotThisApi)
                               << QStringLiteral("web page");
    QTest::newRow("other JSON API") << 200 << QByteArray(R"({"hello": "world"})") << int(V::NotThisApi)
                                    << QStringLiteral("hello");
    QTest::newRow("server down") << 502 << fixture(QStringLiteral("resp-err-server.json"))
                                 << int(V::Unreachable) << QStringLiteral("Midjourney account unavailable");
}

void TestKolerskyAdapterAnswers::connectionTest()
{
    QFETCH(int, http);
    QFETCH(QByteArray, body);
    QFETCH(int, verdict);
    QFETCH(QString, message);
    const ConnectionReport report = m_adapter.parseConnectionTest(answer(http, body));
    QCOMPARE(int(report.verdict), verdict);
    QVERIFY2(report.message.contains(message), qPrintable(report.message));

    const ConnectionReport none = m_adapter.parseConnectionTest(
        Error::make(Error::Kind::Network, QStringLiteral("Connection refused")));
    QCOMPARE(none.verdict, ConnectionReport::Verdict::Unreachable);
}

void TestKolerskyAdapterAnswers::engineRunsImagineThenPanOnATile()
{
    KolerskyServer server;
    auto env = kolerskyEnv(server);
    const Result<QString> grid
        = env->engine->submit(Operation::imagine(QStringLiteral("a red fox --ar 16:9")), account().id);
    QVERIFY2(grid.ok(), grid.ok() ? "" : qPrintable(grid.error().message));
    QVERIFY(env->runUntil([&] { return isTerminal(env->task(*grid).state); }, 120'000, 500));
    const Task imagined = env->task(*grid);
    QCOMPARE(imagined.state, TaskState::Succeeded);
    QVERIFY(imagined.isGrid());
    QCOMPARE(imagined.remote.value(QStringLiteral("actions")).toArray().size(), 8);
    const HttpCall *generate = server.last(QStringLiteral("/v1/midjourney/generate"));
    QVERIFY(generate);
    QCOMPARE(compact(generate->body->object()),
             QByteArray(R"({"aspectRatio":"16:9","prompt":"a red fox","taskType":"text-to-image"})"));

    // Pan on tile 2 of the grid: the engine runs U2 first, then pans the upscale with the inherited prompt.
    Operation pan = Operation::action(OperationKind::Pan, *grid, 2);
    pan.direction = QStringLiteral("left");
    const Result<QString> panned = env->engine->submit(pan, account().id);
    QVERIFY2(panned.ok(), panned.ok() ? "" : qPrintable(panned.error().message));
    QVERIFY(env->runUntil([&] { return isTerminal(env->task(*panned).state); }, 240'000, 500));
    const Task done = env->task(*panned);
    QCOMPARE(done.state, TaskState::Succeeded);
    const Task upscale = env->task(done.parentId);
    QCOMPARE(upscale.operation.kind, OperationKind::Upscale);
    QVERIFY(upscale.image(0));
    QCOMPARE(upscale.image(0)->size, QSize(48, 36));

    const HttpCall *u = server.last(QStringLiteral("/v1/midjourney/upscale"));
    QVERIFY(u);
    QCOMPARE(compact(u->body->object()),
             QByteArray(R"({"index":2,"requestId":")") + imagined.remoteId.toLatin1() + QByteArray(R"("})"));
    const HttpCall *p = server.last(QStringLiteral("/v1/midjourney/pan"));
    QVERIFY(p);
    QCOMPARE(compact(p->body->object()),
             QByteArray(R"({"direction":"left","prompt":"a red fox","requestId":")")
                 + upscale.remoteId.toLatin1() + QByteArray(R"("})"));
    for (const auto &sent : server.transport.sent)
        QCOMPARE(sent.call.auth, HttpCall::Auth::Bearer);
}

// The 60 checks last the task's life: Tessera's own 10 minutes end the first run with checks left (never
// two closer than 5 s), Check again goes on counting, and after the 60th the task is unfinished for good:
// check() is refused, and no 61st check is ever sent.
void TestKolerskyAdapterAnswers::engineStopsAtSixtyPolls()
{
    KolerskyServer server;
    server.neverFinish = true;
    auto env = kolerskyEnv(server);
    server.now = [clock = env->clock] { return clock->nowMs(); };
    QSignalSpy finished(env->engine.get(), &TaskEngine::taskFinished);
    const Result<QString> id = env->engine->submit(Operation::imagine(QStringLiteral("stuck")), account().id);
    QVERIFY(id.ok());
    QVERIFY(env->runUntil([&] { return finished.count() == 1; }, 1'000'000, 1000));
    Task t = env->task(*id);
    QCOMPARE(t.state, TaskState::Unfinished);
    QCOMPARE(t.error->kind, Error::Kind::StillRunning);
    QVERIFY2(t.error->message.contains(QLatin1String("Check again later")), qPrintable(t.error->message));
    const int firstRun = server.transport.count("GET", QStringLiteral("/v1/status"));
    QCOMPARE(t.pollCount, firstRun);
    QVERIFY2(firstRun >= 20 && firstRun < 60, qPrintable(QString::number(firstRun)));
    QVERIFY(env->engine->checkAvailability(t).enabled);

    for (int run = 2; t.pollCount < 60 && run < 10; ++run) {
        QVERIFY(env->engine->check(*id).ok());
        QVERIFY(env->runUntil([&] { return finished.count() == run; }, 1'000'000, 1000));
        t = env->task(*id);
        QCOMPARE(t.state, TaskState::Unfinished);
    }
    QCOMPARE(t.pollCount, 60);
    QCOMPARE(server.transport.count("GET", QStringLiteral("/v1/status")), 60);
    QCOMPARE(t.progress.value_or(-1), 50);
    QCOMPARE(t.error->kind, Error::Kind::StillRunning);
    QVERIFY2(t.error->message.contains(QLatin1String("allows no more status checks")),
             qPrintable(t.error->message));
    QVERIFY2(!t.error->userText().contains(QLatin1String("did not answer")), qPrintable(t.error->userText()));
    const Availability again = env->engine->checkAvailability(t);
    QVERIFY(!again.enabled);
    QVERIFY2(again.reason.contains(QLatin1String("all 60 were used")), qPrintable(again.reason));
    const Status refused = env->engine->check(*id);
    QVERIFY(!refused);
    QCOMPARE(refused.error().message, again.reason);
    env->runUntil([] { return false; }, 120'000, 1000);
    QCOMPARE(server.transport.count("GET", QStringLiteral("/v1/status")), 60);
    // Never two checks closer than the vendor's 5 s.
    const QList<qint64> times = server.statusTimes;
    for (int i = 1; i < times.size(); ++i)
        QVERIFY2(times[i] - times[i - 1] >= 5000, qPrintable(QString::number(times[i] - times[i - 1])));
}

void TestKolerskyAdapterAnswers::engineCancelsWithDelete()
{
    KolerskyServer server;
    server.neverFinish = true;
    auto env = kolerskyEnv(server);
    const Result<QString> id
        = env->engine->submit(Operation::imagine(QStringLiteral("never mind")), account().id);
    QVERIFY(id.ok());
    QVERIFY(env->runUntil([&] { return !env->task(*id).remoteId.isEmpty(); }, 60'000, 500));
    QVERIFY(env->engine->cancel(*id).ok());
    QVERIFY(env->runUntil([&] { return isTerminal(env->task(*id).state); }, 60'000, 500));
    QCOMPARE(env->task(*id).state, TaskState::Cancelled);
    QCOMPARE(server.transport.count("DELETE", QStringLiteral("/v1/midjourney/cancel")), 1);
    const HttpCall *cancel = server.last(QStringLiteral("/v1/midjourney/cancel"));
    QCOMPARE(cancel->purpose, HttpCall::Purpose::Cancel);
    QCOMPARE(compact(cancel->body->object()),
             QByteArray(R"({"requestId":")") + env->task(*id).remoteId.toLatin1() + QByteArray(R"("})"));
}

QTEST_GUILESS_MAIN(TestKolerskyAdapterAnswers)
#include "tst_kolerskyadapter_answers.moc"
