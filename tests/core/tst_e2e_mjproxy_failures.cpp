// End to end against a fake midjourney-proxy (PROVIDERS.md §4, e2e_mjproxy.h): the failure paths of issue 3.
// What the user sees when the proxy or its gateway refuses a submit, never answers it, rate-limits or queues
// it, when status checks fail or stall, when a task fails, and when result files cannot be stored. The rows
// every family shares come from e2efailures.h; the proxy's own (its codes, the gateways' {error} bodies,
// words in Chinese) are added here. The flows are in tst_e2e_mjproxy, the buttons in tst_e2e_mjproxy_actions.

#include "e2e_mjproxy.h"
#include "e2efailures.h"

#include <QDir>
#include <QFileInfo>
#include <QTest>

class TestE2EMjproxyFailures : public QObject
{
    Q_OBJECT
private slots:
    void queueFullIsSentAgain();
    void submitRefused_data();
    void submitRefused();
    void rateLimitedHonoursRetryAfter();
    void statusRecovers_data();
    void statusRecovers();
    void statusKeepsFailing();
    void contentPolicyFailure();
    void stuckTaskResumes();
    void imagesThatCannotBeSaved();
    void gridThatCannotBeSaved_data();
    void gridThatCannotBeSaved();
    void submitNeverAnswered_data();
    void submitNeverAnswered();
};

// Code 23: the queue is full and nothing was created; the engine waits and sends the imagine again.
void TestE2EMjproxyFailures::queueFullIsSentAgain()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.queueFull = 1;
    const Result<QString> id = env.submit(Operation::imagine(QStringLiteral("a crowded harbour")));
    QVERIFY(id);
    // While it waits the user sees why.
    QTRY_VERIFY(env.task(*id).state == TaskState::Queued && env.task(*id).error.has_value());
    const Task waiting = env.task(*id);
    QCOMPARE(waiting.error->kind, Error::Kind::RateLimited);
    QCOMPARE(waiting.error->message, text("队列已满，请稍后尝试"));
    QCOMPARE(waiting.error->vendorCode, QStringLiteral("23"));

    const Task t = env.runToEnd(*id);
    VERIFY_OK(checkGrid(env, fake, t, kSmallGrid));
    const QList<RecordedRequest> submits = fake.requests("POST", QStringLiteral("/submit/imagine"));
    QCOMPARE(submits.size(), 2);
    QVERIFY(submits[0].received.msecsTo(submits[1].received) >= 1000);
    QCOMPARE(fake.jobs.size(), std::size_t(1));
}

void TestE2EMjproxyFailures::submitRefused_data()
{
    addColumn<SubmitFailure>();
    QTest::addColumn<QString>("prompt");
    QTest::addColumn<bool>("wrongKey");

    const QString prompt = QStringLiteral("a quiet harbour at dawn");
    // The rows every family shares where an answer came (broken JSON, a web page); those where none came
    // are submitNeverAnswered's.
    for (const SubmitFailure &row : e2e::submitFailures()) {
        if (!neverAnswered(row))
            QTest::newRow(row.name.constData()) << row << prompt << false;
    }

    // status 0: the fake answers by itself (a wrong key, its own validation). The message is the vendor's
    // words, verbatim; for a broken answer (BadResponse), a part of Tessera's message.
    const auto add = [](const char *name, const QString &rowPrompt, int status, const QByteArray &body,
                        const QByteArray &contentType, bool wrongKey, Error::Kind kind, int httpStatus,
                        const QString &message) {
        SubmitFailure row {.name = name, .kind = kind, .httpStatus = httpStatus};
        if (status != 0)
            row.answer = Answer::bytes(body, contentType, status);
        if (kind == Error::Kind::BadResponse)
            row.contains = message;
        else
            row.message = message;
        QTest::newRow(name) << row << rowPrompt << wrongKey;
    };
    const QByteArray json("application/json");
    add("401 wrong key", prompt, 0, QByteArray(), json, true, Error::Kind::Unauthorized, 401,
        text("无效的令牌 (request id: 20250310120000123)"));
    add("402 no balance", prompt, 402,
        QByteArray(
            R"({"error":{"message":"Insufficient balance, please top up","type":"insufficient_quota"}})"),
        json, false, Error::Kind::PaymentRequired, 402,
        QStringLiteral("Insufficient balance, please top up"));
    add("403 credits", prompt, 403,
        QByteArray(
            R"({"error":{"message":"user quota is not enough","type":"new_api_error","code":"insufficient_user_quota"}})"),
        json, false, Error::Kind::PaymentRequired, 403,
        QStringLiteral("user quota is not enough (insufficient_user_quota)"));
    // Issue 12: the words for people lead, the gateway's machine word follows as a detail.
    add("quota in words and as a code", prompt, 200,
        QByteArray(R"({"code":4,"description":"quota_not_enough","message":"用户额度不足"})"), json, false,
        Error::Kind::PaymentRequired, 200, text("用户额度不足 (quota_not_enough)"));
    add("400 quota_not_enough (new-api relay)", prompt, 400,
        QByteArray(R"({"description":"quota_not_enough ","type":"upstream_error","code":4})"), json, false,
        Error::Kind::PaymentRequired, 400, QStringLiteral("quota_not_enough"));
    add("400 field", prompt, 400,
        QByteArray(R"({"code":4,"description":"base64Array[0]: invalid image data"})"), json, false,
        Error::Kind::InvalidRequest, 400, QStringLiteral("base64Array[0]: invalid image data"));
    add("422 field", prompt, 422,
        QByteArray(
            R"({"error":{"message":"prompt: must not be longer than 2000 characters","type":"invalid_request_error"}})"),
        json, false, Error::Kind::InvalidRequest, 422,
        QStringLiteral("prompt: must not be longer than 2000 characters"));
    add("code 4 validation", QStringLiteral("a long road --ar 9:1"), 0, QByteArray(), json, false,
        Error::Kind::InvalidRequest, 200,
        QStringLiteral("Invalid parameter: --ar 9:1 (the ratio must be between 1:4 and 4:1)"));
    add("code 24 banned prompt", QStringLiteral("a gore scene"), 0, QByteArray(), json, false,
        Error::Kind::ContentRejected, 200, text("可能包含敏感词 (banned word: \"gore\")"));
    add("code 9 system error", prompt, 200, QByteArray(R"({"code":9,"description":"无可用的账号实例"})"),
        json, false, Error::Kind::ServerError, 200, text("无可用的账号实例"));
    add("455 maintenance", prompt, 455,
        QByteArray(R"({"error":{"message":"Service under maintenance until 12:00 UTC"}})"), json, false,
        Error::Kind::Maintenance, 455, QStringLiteral("Service under maintenance until 12:00 UTC"));
    add("500 on submit (never re-sent)", prompt, 500,
        QByteArray(R"({"error":{"message":"upstream error: do request failed"}})"), json, false,
        Error::Kind::ServerError, 500, QStringLiteral("upstream error: do request failed"));
    add("malformed JSON: a long id cut off", prompt, 200, QByteArray(R"({"code":1,"result":19300000)"), json,
        false, Error::Kind::BadResponse, 200, QStringLiteral("broken JSON"));
    add("wrong JSON types", prompt, 200, QByteArray(R"({"code":1,"result":{"id":1}})"), json, false,
        Error::Kind::BadResponse, 200, QStringLiteral("task id"));
}

// A submit the server refuses: the task fails with the vendor's own words, stays in the history as asked,
// and the submit went out exactly once.
void TestE2EMjproxyFailures::submitRefused()
{
    QFETCH(SubmitFailure, row);
    QFETCH(QString, prompt);
    QFETCH(bool, wrongKey);

    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    if (wrongKey)
        fake.key = "sk-someone-else";
    if (row.answer)
        fake.intercept = once("POST", QStringLiteral("/submit/imagine"), *row.answer);
    const Operation op = Operation::imagine(prompt);
    const Result<QString> id = env.submit(op);
    QVERIFY(id);
    const Task t = env.runToEnd(*id);
    QCOMPARE(t.state, TaskState::Failed);
    // The kind, the HTTP status, and the vendor's words verbatim (a part of Tessera's message for a broken
    // answer).
    VERIFY_OK(verifySubmitError(t.error, row));
    QCOMPARE(t.operation, op);
    QCOMPARE(t.prompt, prompt);
    QVERIFY(t.remoteId.isEmpty());
    QVERIFY(t.images.isEmpty());
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
    QCOMPARE(env.server.count(), 1);
    QVERIFY(fake.jobs.empty());
}

// 429 with Retry-After: no request leaves before the deadline, then the imagine goes again (the 429
// proves nothing was created) and exactly one task exists.
void TestE2EMjproxyFailures::rateLimitedHonoursRetryAfter()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.intercept
        = once("POST", QStringLiteral("/submit/imagine"),
               Answer::json(429,
                            QJsonObject {{QStringLiteral("error"),
                                          QJsonObject {{QStringLiteral("message"),
                                                        text("当前分组上游负载已饱和，请稍后再试")}}}})
                   .header("Retry-After", "1"));
    const Task t = env.run(Operation::imagine(QStringLiteral("a busy street")));
    VERIFY_OK(checkGrid(env, fake, t, kSmallGrid));
    const QList<RecordedRequest> all = env.server.requests();
    QVERIFY(all.size() > 2);
    const QDateTime refused = all[0].received;
    // The deadline counts from when the client read the 429, which is after the server took the request.
    for (qsizetype i = 1; i < all.size(); ++i)
        QVERIFY2(refused.msecsTo(all[i].received) >= 1000, qPrintable(all[i].path));
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 2);
    QCOMPARE(fake.jobs.size(), std::size_t(1));
}

void TestE2EMjproxyFailures::statusRecovers_data()
{
    QTest::addColumn<QList<Answer>>("answers");
    // The rows every family shares (503s, a 502 page, broken JSON, a web page, a hang, a drop).
    for (const StatusHiccup &hiccup : e2e::statusHiccups())
        QTest::newRow(hiccup.name.constData()) << hiccup.answers;
    QTest::newRow("500 then success") << QList<Answer> {
        Answer::json(500, QJsonObject {{QStringLiteral("error"), QStringLiteral("Internal Server Error")}})};
    QTest::newRow("455 maintenance") << QList<Answer> {
        Answer::json(455, QJsonObject {{QStringLiteral("error"), QStringLiteral("maintenance")}})};
    QTest::newRow("malformed JSON: a long id cut off")
        << QList<Answer> {Answer::bytes(R"({"id":1930000000000000001,"status":"IN_PR)", "application/json")};
    QTest::newRow("wrong JSON types") << QList<Answer> {
        Answer::bytes(R"({"id":1930000000000000001,"status":7,"progress":[]})", "application/json")};
}

// A status check that fails once is retried (by the transport or the next poll); the task ends well and
// the error shown meanwhile is gone.
void TestE2EMjproxyFailures::statusRecovers()
{
    QFETCH(QList<Answer>, answers);
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.intercept = inTurn("GET", QStringLiteral("/fetch"), answers);
    const Task t = env.run(Operation::imagine(QStringLiteral("a lighthouse in fog")));
    VERIFY_OK(checkGrid(env, fake, t, kSmallGrid));
    // Every scripted answer, then at least the fake's own two (in progress, success).
    QVERIFY(fake.requests("GET", QStringLiteral("/task/%1/fetch").arg(t.remoteId)).size()
            >= 2 + answers.size());
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
}

// Status answers that stay unreadable: after a few the task is "unfinished" (kept, with its id and the
// reason); once the server answers properly, "check" takes it to success. Earlier results stay as they were.
void TestE2EMjproxyFailures::statusKeepsFailing()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    const Task earlier = env.run(Operation::imagine(QStringLiteral("an earlier fox")));
    VERIFY_OK(checkGrid(env, fake, earlier, kSmallGrid));

    fake.intercept = [](const RecordedRequest &r) -> std::optional<Answer> {
        if (!r.path.endsWith(QLatin1String("/fetch")))
            return std::nullopt;
        return Answer::bytes(R"({"id":1930000000000000002,"status":"SUCCESS","buttons":"U1 U2 U3 U4"})",
                             "application/json");
    };
    const Task stuck = env.run(Operation::imagine(QStringLiteral("a later fox")));
    QCOMPARE(stuck.state, TaskState::Unfinished);
    QVERIFY(stuck.error);
    QVERIFY2(stuck.error->message.contains(QLatin1String("\"buttons\" is not a list")),
             qPrintable(stuck.error->message));
    QCOMPARE(stuck.remoteId, QStringLiteral("1930000000000000002"));
    QVERIFY(stuck.images.isEmpty());

    fake.intercept = nullptr;
    QVERIFY(env.engine->check(stuck.id));
    const Task done = env.runToEnd(stuck.id);
    VERIFY_OK(checkGrid(env, fake, done, kSmallGrid));
    QCOMPARE(env.task(earlier.id).images, earlier.images);
    VERIFY_OK(checkGrid(env, fake, env.task(earlier.id), kSmallGrid));
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 2);
}

void TestE2EMjproxyFailures::contentPolicyFailure()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    fake.configure
        = [](FakeJob &j) { j.failReason = QStringLiteral("Request cancelled due to image filters"); };
    const Task t = env.run(Operation::imagine(QStringLiteral("a storm over the sea")));
    QCOMPARE(t.state, TaskState::Failed);
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, Error::Kind::ContentRejected);
    QCOMPARE(t.error->message, QStringLiteral("Request cancelled due to image filters"));
    QCOMPARE(t.remoteId, fake.jobs.front().id);
    QVERIFY(t.images.isEmpty());
}

// Polling stops at the account's cap: "unfinished", not failed; "check" resumes it to success.
void TestE2EMjproxyFailures::stuckTaskResumes()
{
    E2EEnv env(QStringLiteral("mjproxy"), QJsonObject {{QStringLiteral("max-polls"), QStringLiteral("3")}});
    FakeProxy fake(env);
    fake.imagineSize = kSmallGrid;
    fake.configure = [](FakeJob &j) { j.stuck = true; };
    const Task t = env.run(Operation::imagine(QStringLiteral("a slow sunrise")));
    QCOMPARE(t.state, TaskState::Unfinished);
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, Error::Kind::StillRunning);
    QVERIFY2(t.error->message.contains(QLatin1String("37 %")), qPrintable(t.error->message));
    QCOMPARE(t.progress.value_or(-1), 37);
    QCOMPARE(fake.requests("GET", QStringLiteral("/task/%1/fetch").arg(t.remoteId)).size(), 3);
    QCOMPARE(t.remoteId, fake.jobs.front().id);

    fake.jobs.front().stuck = false;
    QVERIFY(env.engine->check(t.id));
    const Task done = env.runToEnd(t.id);
    VERIFY_OK(checkGrid(env, fake, done, kSmallGrid));
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
}

// imageUrls whose files are gone (404), truncated or corrupt: each tile says what happened, the good one
// is stored, and the task still succeeded.
void TestE2EMjproxyFailures::imagesThatCannotBeSaved()
{
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    const QByteArray good = filledPng(QSize(512, 512), Qt::darkGreen);
    fake.configure = [&good](FakeJob &j) {
        j.tiles = true;
        j.files.insert(2, Answer::text(404, "Not Found"));
        j.files.insert(3, Answer::bytes(good.left(good.size() / 2), "image/png"));
        QByteArray corrupt("\x89PNG\r\n\x1a\n", 8);
        corrupt += QByteArray(3000, '\x5a');
        j.files.insert(4, Answer::bytes(corrupt, "image/png"));
    };
    const Task t = env.run(Operation::imagine(QStringLiteral("a broken mirror")));
    QCOMPARE(t.state, TaskState::Succeeded);
    QVERIFY(t.error);
    QCOMPARE(t.error->kind, Error::Kind::Io);
    QVERIFY2(t.error->message.contains(QLatin1String("3 images could not be saved")),
             qPrintable(t.error->message));
    QCOMPARE(t.images.size(), 4);
    QVERIFY(t.image(1)->isLocal());
    QVERIFY(QFileInfo::exists(env.pathOf(*t.image(1))));
    QCOMPARE(t.image(2)->state, ImageState::Expired);
    QCOMPARE(t.image(3)->state, ImageState::Failed);
    QCOMPARE(t.image(4)->state, ImageState::Failed);
    for (int n = 2; n <= 4; ++n) {
        QVERIFY(!t.image(n)->error.isEmpty());
        QCOMPARE(t.image(n)->remoteUrl, fake.fileUrl(fake.jobs.front(), QString::number(n)));
    }
    const QDir folder(env.archive->absolutePath(ImageArchive::taskFolder(t.id, t.created)));
    QCOMPARE(folder.entryList(QDir::Files).size(), 1);
}

void TestE2EMjproxyFailures::gridThatCannotBeSaved_data()
{
    // The download rows every family shares: expired 404/403, truncated, corrupt, a web page, a
    // decompression bomb, a redirect to file:// or to plain http elsewhere.
    addColumn<DownloadFailure>();
    addRows(e2e::downloadFailures());
}

void TestE2EMjproxyFailures::gridThatCannotBeSaved()
{
    QFETCH(DownloadFailure, row);
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    const Answer answer = row.answer;
    fake.configure = [&answer](FakeJob &j) { j.files.insert(0, answer); };
    const Task t = env.run(Operation::imagine(QStringLiteral("an unlucky picture")));
    QCOMPARE(t.state, TaskState::Succeeded);
    QVERIFY(t.error);
    QCOMPARE(t.images.size(), 1);
    QCOMPARE(t.images[0].role, ImageRole::Grid);
    QCOMPARE(t.images[0].state, row.imageState);
    // Its words, not blamed on the key, not local; the task's error holds the image's.
    VERIFY_OK(verifyDownloadError(t.images[0], t.error, row));
    QVERIFY(t.error->message.contains(t.images[0].error));
    const QDir folder(env.archive->absolutePath(ImageArchive::taskFolder(t.id, t.created)));
    QVERIFY(folder.entryList(QDir::Files).isEmpty());
}

void TestE2EMjproxyFailures::submitNeverAnswered_data()
{
    // The rows every family shares where no answer came: a hang, a dropped connection (before or
    // during the answer).
    addColumn<SubmitFailure>();
    for (const SubmitFailure &row : e2e::submitFailures()) {
        if (neverAnswered(row))
            addRow(row);
    }
}

// The submit may have reached the server: it is never sent again (that could charge twice).
void TestE2EMjproxyFailures::submitNeverAnswered()
{
    QFETCH(SubmitFailure, row);
    E2EEnv env(QStringLiteral("mjproxy"));
    FakeProxy fake(env);
    QVERIFY(row.answer);
    fake.intercept = once("POST", QStringLiteral("/submit/imagine"), *row.answer);
    const Operation op = Operation::imagine(QStringLiteral("a message in a bottle"));
    const Result<QString> id = env.submit(op);
    QVERIFY(id);
    const Task t = env.runToEnd(*id);
    QVERIFY2(t.state == TaskState::Failed || t.state == TaskState::Unknown,
             qPrintable(taskStateName(t.state)));
    // Timeout or Network, no HTTP status, and the user is told the submit was not sent again.
    VERIFY_OK(verifySubmitError(t.error, row));
    QCOMPARE(t.operation, op);
    QCOMPARE(fake.requests("POST", QStringLiteral("/submit/imagine")).size(), 1);
    QCOMPARE(env.server.count(), 1);
}

QTEST_GUILESS_MAIN(TestE2EMjproxyFailures)
#include "tst_e2e_mjproxy_failures.moc"
