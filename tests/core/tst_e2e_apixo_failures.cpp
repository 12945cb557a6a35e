// The apixo family end to end, the failure tables (PROVIDERS.md §2, §6): what the user sees when apixo
// refuses a submit, when status checks fail, when a task fails or never ends, and when a result file cannot
// be stored. The rows every family shares come from e2efailures.h; apixo's own (its envelope, codes and
// words) are added here. The fake server is e2e_apixo.h; tst_e2e_apixo holds the operations.
#include "e2e_apixo.h"
#include "e2efailures.h"

#include <QDateTime>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>

#include <memory>

class TestE2EApixoFailures : public QObject
{
    Q_OBJECT

    // One history for all rows of a data-driven test (e2ehelpers.h); the baseline imagine finishes at once.
    using Rig = RowRig<FakeApixo>;
    Rig m_rig;

    Rig &rig()
    {
        return m_rig.next(QStringLiteral("apixo"), [](FakeApixo &fake) { fake.runningPolls = 0; });
    }

private slots:
    // A submit that apixo refuses (in the envelope of an HTTP 200, or as HTTP status), or whose answer is
    // broken or never comes: the task fails with the vendor's words, the submit is sent exactly once (a
    // second one could charge twice), nothing is polled, and the history already stored is intact.
    void submitFailures_data()
    {
        addColumn<SubmitFailure>();
        // The rows every family shares: broken JSON, a web page, a hang, a dropped connection.
        addRows(e2e::submitFailures());

        using K = Error::Kind;
        const QString unauthorized = QStringLiteral("Unauthorized: invalid API key");
        addRow(SubmitFailure {.name = "401 as HTTP status and code",
                              .answer = vendorAnswer(401, 401, unauthorized),
                              .kind = K::Unauthorized,
                              .httpStatus = 401,
                              .vendorCode = QStringLiteral("401"),
                              .message = unauthorized});
        addRow(SubmitFailure {.name = "401 in the envelope of an HTTP 200",
                              .answer = vendorAnswer(200, 401, unauthorized),
                              .kind = K::Unauthorized,
                              .httpStatus = 200,
                              .vendorCode = QStringLiteral("401"),
                              .message = unauthorized});
        const QString credits = QStringLiteral("Insufficient credits");
        // The vendor doc's own example, verbatim: code 400 under HTTP 200.
        addRow(SubmitFailure {
            .name = "code 400 Insufficient credits (the vendor doc's example)",
            .answer = Answer::jsonText(200, R"({"code":400,"message":"Insufficient credits","data":null})"),
            .kind = K::PaymentRequired,
            .httpStatus = 200,
            .vendorCode = QStringLiteral("400"),
            .message = credits});
        addRow(SubmitFailure {.name = "402 as HTTP status",
                              .answer = vendorAnswer(402, 402, credits),
                              .kind = K::PaymentRequired,
                              .httpStatus = 402,
                              .vendorCode = QStringLiteral("402"),
                              .message = credits});
        const QString balance = QStringLiteral("Insufficient balance: 0 credits left on this key");
        addRow(SubmitFailure {.name = "403 credits",
                              .answer = vendorAnswer(403, 403, balance),
                              .kind = K::PaymentRequired,
                              .httpStatus = 403,
                              .vendorCode = QStringLiteral("403"),
                              .message = balance});
        const QString field
            = QStringLiteral("input.aspect must be one of 1:2, 9:16, 2:3, 3:4, 5:6, 1:1, 6:5, "
                             "4:3, 3:2, 16:9, 2:1");
        addRow(SubmitFailure {.name = "400 naming a field",
                              .answer = vendorAnswer(200, 400, field),
                              .kind = K::InvalidRequest,
                              .httpStatus = 200,
                              .vendorCode = QStringLiteral("400"),
                              .message = field});
        const QString validation = QStringLiteral("input.prompt: length must be between 1 and 2000");
        addRow(SubmitFailure {.name = "422 as HTTP status",
                              .answer = vendorAnswer(422, 422, validation),
                              .kind = K::InvalidRequest,
                              .httpStatus = 422,
                              .vendorCode = QStringLiteral("422"),
                              .message = validation});
        const QString maintenance = QStringLiteral("System is under maintenance, please try again later");
        addRow(SubmitFailure {.name = "455 maintenance in the envelope",
                              .answer = vendorAnswer(200, 455, maintenance),
                              .kind = K::Maintenance,
                              .httpStatus = 200,
                              .vendorCode = QStringLiteral("455"),
                              .message = maintenance});
        addRow(SubmitFailure {.name = "500: the submit is not sent again",
                              .answer = vendorAnswer(500, 500, QStringLiteral("Internal server error")),
                              .kind = K::ServerError,
                              .httpStatus = 500,
                              .vendorCode = QStringLiteral("500"),
                              .message = QStringLiteral("Internal server error")});
        addRow(SubmitFailure {
            .name = "wrong types: data is a string",
            .answer = Answer::json(200, envelope(200, QStringLiteral("success"), QStringLiteral("task_1"))),
            .kind = K::BadResponse,
            .httpStatus = 200,
            .vendorCode = QString(),
            .contains = QStringLiteral("\"data\" is not an object")});
        addRow(SubmitFailure {
            .name = "wrong types: taskId is an object",
            .answer = Answer::json(200,
                                   envelope(200, QStringLiteral("success"),
                                            QJsonObject {{QStringLiteral("taskId"), QJsonObject {}}})),
            .kind = K::BadResponse,
            .httpStatus = 200,
            .vendorCode = QString(),
            .contains = QStringLiteral("data.taskId is missing")});
        addRow(SubmitFailure {
            .name = "wrong types: code is a word",
            .answer = Answer::json(
                200,
                {{QStringLiteral("code"), QStringLiteral("OK")},
                 {QStringLiteral("data"), QJsonObject {{QStringLiteral("taskId"), QStringLiteral("x")}}}}),
            .kind = K::BadResponse,
            .httpStatus = 200,
            .vendorCode = QString(),
            .contains = QStringLiteral("\"code\" is not a number")});
    }

    void submitFailures()
    {
        QFETCH(SubmitFailure, row);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        const int submits = env.server.count("POST", kSubmit);
        const int statusChecks = env.server.count("GET", kStatus);

        QVERIFY(row.answer);
        env.server.enqueue("POST", kSubmit, *row.answer);
        const Task t = env.run(Operation::imagine(QStringLiteral("a fox that costs money")));
        QVERIFY(!t.id.isEmpty());
        QCOMPARE(t.state, TaskState::Failed);
        // The kind, HTTP status, vendor code and words of the row (the message verbatim, or not empty).
        VERIFY_OK(verifySubmitError(t.error, row));
        QVERIFY(t.remoteId.isEmpty());
        QVERIFY(t.images.isEmpty());
        // Exactly one submit for this task, and no status check.
        QCOMPARE(env.server.count("POST", kSubmit), submits + 1);
        QCOMPARE(env.server.count("GET", kStatus), statusChecks);
        QVERIFY(r.fake->order.isEmpty());
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // 429 with Retry-After (apixo: beyond 10,000 requests/min or 1,000 concurrent tasks): no request before
    // the deadline, then the task goes through (a 429 proves the task was not created).
    void rateLimitedSubmit_data()
    {
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<bool>("httpDate");

        for (const RateLimit &limit : e2e::rateLimits())
            QTest::newRow(limit.name.constData()) << limit.httpStatus << limit.httpDate;
    }

    void rateLimitedSubmit()
    {
        QFETCH(int, httpStatus);
        QFETCH(bool, httpDate);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeApixo &fake = *r.fake;
        const int before = env.server.count("POST", kSubmit);
        Answer answer = vendorAnswer(httpStatus, 429, QStringLiteral("Too many requests"));
        const QDateTime deadline = httpDate
            ? QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch() + 2, QTimeZone::utc())
            : QDateTime();
        answer.header("Retry-After", httpDate ? e2e::httpDate(deadline) : QByteArray("1"));
        env.server.enqueue("POST", kSubmit, answer);

        const Result<QString> id = env.submit(Operation::imagine(QStringLiteral("a patient fox")));
        QVERIFY(id);
        // The wait is visible on the task while it lasts (issue 12): until when, and why.
        QTRY_VERIFY(env.task(*id).remote.contains(QLatin1String("waitUntil")));
        const Task waiting = env.task(*id);
        QVERIFY(isActive(waiting.state));
        QCOMPARE(waiting.remote.value(QLatin1String("waitStatus")).toInt(), 429);
        const qint64 until = waiting.remote.value(QLatin1String("waitUntil")).toInteger();
        QVERIFY2(until > QDateTime::currentMSecsSinceEpoch() - 200, qPrintable(QString::number(until)));
        QVERIFY2(until <= QDateTime::currentMSecsSinceEpoch() + 3000, qPrintable(QString::number(until)));
        const Task t = env.runToEnd(*id);
        QVERIFY(!t.remote.contains(QLatin1String("waitUntil")));
        QCOMPARE(t.state, TaskState::Succeeded);
        QVERIFY(!t.error);
        VERIFY_OK(verifyArchived(env, fake, t, ImageRole::Tile, 4));
        const auto submits = env.server.requests("POST", kSubmit).mid(before);
        QCOMPARE(submits.size(), 2); // the refused one, the one after the deadline
        const QDateTime refusedAt = submits.at(0).received;
        const QDateTime sentAgain = submits.at(1).received;
        const QDateTime notBefore = httpDate ? deadline : refusedAt.addMSecs(1000);
        QVERIFY2(
            sentAgain >= notBefore,
            qPrintable(
                QStringLiteral("sent again %1 ms before the deadline").arg(sentAgain.msecsTo(notBefore))));
        QCOMPARE(fake.order.size(), 1);
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // statusTask failures: transient ones (5xx, 455, 429, a hang, a drop, broken or wrongly typed JSON,
    // a resultJson that is not JSON) are retried and the task still succeeds; final ones (a revoked key)
    // fail it with apixo's words; answers that stay broken leave it unfinished, to be checked later.
    void statusFailures_data()
    {
        QTest::addColumn<QList<Answer>>("answers");
        QTest::addColumn<int>("state");
        QTest::addColumn<int>("errorKind"); // when not succeeded
        QTest::addColumn<QString>("message"); // exact, or a prefix ending in "…"
        QTest::addColumn<int>("minGapMs"); // between the first scripted answer and the next request

        using K = Error::Kind;
        const int ok = int(TaskState::Succeeded);
        const QString maintenance = QStringLiteral("System is under maintenance, please try again later");
        const auto data = [](const QJsonObject &d) {
            return Answer::json(200, envelope(200, QStringLiteral("success"), d));
        };
        const Answer wrongState
            = data({{QStringLiteral("taskId"), QStringLiteral("x")}, {QStringLiteral("state"), 3}});
        const Answer brokenResult
            = data({{QStringLiteral("taskId"), QStringLiteral("x")},
                    {QStringLiteral("state"), QStringLiteral("success")},
                    {QStringLiteral("resultJson"), QStringLiteral("{\"resultUrls\":[")}});
        // The rows every family shares (503s, a 502 page, broken JSON, a web page, a hang, a drop).
        for (const StatusHiccup &hiccup : e2e::statusHiccups())
            QTest::newRow(hiccup.name.constData())
                << hiccup.answers << ok << 0 << QString() << hiccup.minGapMs;
        QTest::newRow("500 then success")
            << QList<Answer> {vendorAnswer(500, 500, QStringLiteral("Internal server error"))} << ok << 0
            << QString() << 0;
        QTest::newRow("455 maintenance then success")
            << QList<Answer> {vendorAnswer(200, 455, maintenance)} << ok << 0 << QString() << 0;
        QTest::newRow("429 with Retry-After then success")
            << QList<Answer> {vendorAnswer(429, 429, QStringLiteral("Too many requests"))
                                  .header("Retry-After", "1")}
            << ok << 0 << QString() << 1000;
        QTest::newRow("wrong types then success") << QList<Answer> {wrongState} << ok << 0 << QString() << 0;
        QTest::newRow("a resultJson that is not JSON then success")
            << QList<Answer> {brokenResult} << ok << 0 << QString() << 0;
        QTest::newRow("401: the key was revoked")
            << QList<Answer> {vendorAnswer(200, 401, QStringLiteral("Unauthorized: invalid API key"))}
            << int(TaskState::Failed) << int(K::Unauthorized) << "Unauthorized: invalid API key" << 0;
        QTest::newRow("wrong types every time: unfinished")
            << QList<Answer>(8, wrongState) << int(TaskState::Unfinished) << int(K::BadResponse)
            << QStringLiteral("Status checks keep failing (…") << 0;
    }

    void statusFailures()
    {
        QFETCH(QList<Answer>, answers);
        QFETCH(int, state);
        QFETCH(int, errorKind);
        QFETCH(QString, message);
        QFETCH(int, minGapMs);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeApixo &fake = *r.fake;
        const int before = env.server.count("GET", kStatus);
        const int submits = env.server.count("POST", kSubmit);

        env.server.enqueue("GET", kStatus, answers);
        const Task t = env.run(Operation::imagine(QStringLiteral("a fox in a storm")));
        QCOMPARE(int(t.state), state);
        QCOMPARE(t.remoteId, fake.order.value(0));
        QCOMPARE(env.server.count("POST", kSubmit), submits + 1);
        if (state == int(TaskState::Succeeded)) {
            QVERIFY2(!t.error, qPrintable(t.error ? t.error->message : QString()));
            VERIFY_OK(verifyArchived(env, fake, t, ImageRole::Tile, 4));
        } else {
            QVERIFY(t.error);
            QCOMPARE(int(t.error->kind), errorKind);
            if (message.endsWith(QChar(0x2026)))
                QVERIFY2(t.error->message.startsWith(message.chopped(1)), qPrintable(t.error->message));
            else
                QCOMPARE(t.error->message, message);
            QVERIFY(t.images.isEmpty());
        }
        const auto polls = env.server.requests("GET", kStatus).mid(before);
        if (state == int(TaskState::Succeeded))
            QVERIFY(polls.size() > answers.size()); // every scripted answer, then the fake's own
        if (minGapMs > 0) {
            QVERIFY(polls.size() >= 2);
            const qint64 gap = polls.at(0).received.msecsTo(polls.at(1).received);
            QVERIFY2(gap >= minGapMs, qPrintable(QStringLiteral("asked again after %1 ms").arg(gap)));
        }
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // state "failed" under an envelope that stays 200 (PROVIDERS.md §2): the task fails with failMsg
    // verbatim; CONTENT_VIOLATION is a content-policy refusal; nothing is downloaded.
    void taskFailures_data()
    {
        QTest::addColumn<QJsonValue>("failCode");
        QTest::addColumn<QString>("failMsg");
        QTest::addColumn<int>("errorKind");
        QTest::addColumn<QString>("message");

        using K = Error::Kind;
        const QString safety = QStringLiteral("Content does not meet safety guidelines");
        QTest::newRow("CONTENT_VIOLATION (the vendor doc's example)")
            << QJsonValue(QStringLiteral("CONTENT_VIOLATION")) << safety << int(K::ContentRejected) << safety;
        const QString url = QStringLiteral("Failed to download image from the given URL");
        QTest::newRow("INVALID_IMAGE_URL")
            << QJsonValue(QStringLiteral("INVALID_IMAGE_URL")) << url << int(K::InvalidRequest) << url;
        QTest::newRow("a failCode without failMsg")
            << QJsonValue(QStringLiteral("CONTENT_VIOLATION")) << QString() << int(K::ContentRejected)
            << "CONTENT_VIOLATION";
        const QString broke = QStringLiteral("Midjourney returned an internal error, please try again");
        QTest::newRow("an undocumented failCode")
            << QJsonValue(QStringLiteral("GENERATION_FAILED")) << broke << int(K::ServerError) << broke;
    }

    void taskFailures()
    {
        QFETCH(QJsonValue, failCode);
        QFETCH(QString, failMsg);
        QFETCH(int, errorKind);
        QFETCH(QString, message);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeApixo &fake = *r.fake;
        const int downloads = env.server.count("GET", kFiles + QLatin1Char('*'));
        fake.runningPolls = 1;
        fake.fail = true;
        fake.failCode = failCode;
        fake.failMsg = failMsg;
        const Task t = env.run(Operation::imagine(QStringLiteral("something not allowed")));
        QCOMPARE(t.state, TaskState::Failed);
        QVERIFY(t.error);
        QCOMPARE(int(t.error->kind), errorKind);
        QCOMPARE(t.error->message, message);
        QCOMPARE(t.error->vendorCode, failCode.toString());
        QCOMPARE(t.remoteId, fake.order.value(0));
        QVERIFY(t.images.isEmpty());
        QCOMPARE(env.server.count("GET", kFiles + QLatin1Char('*')), downloads);
        VERIFY_OK(verifyKept(env, r.kept));
    }

    // A task still generating when the cap is reached is unfinished, not failed; checking it again later
    // resumes it to success with every image stored.
    void stuckTaskThenCheck_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");

        for (const PollCap &cap : e2e::pollCaps())
            QTest::newRow(cap.name.constData()) << cap.option << cap.value << cap.message;
    }

    void stuckTaskThenCheck()
    {
        QFETCH(QString, option);
        QFETCH(QString, value);
        QFETCH(QString, message);

        E2EEnv env(QStringLiteral("apixo"), QJsonObject {{option, value}});
        FakeApixo fake(env);
        fake.runningPolls = 0;
        const Task kept = baseline(env);
        fake.runningPolls = 1'000'000;
        const Task stuck = env.run(Operation::imagine(QStringLiteral("an endless fox")));
        QCOMPARE(stuck.state, TaskState::Unfinished);
        QVERIFY(stuck.error);
        // The server answered every check: "still running", never "the server did not answer" (issue 12).
        QCOMPARE(stuck.error->kind, Error::Kind::StillRunning);
        QVERIFY2(stuck.error->message.startsWith(message), qPrintable(stuck.error->message));
        QCOMPARE(stuck.remoteId, fake.order.value(1));
        QVERIFY(stuck.images.isEmpty());
        if (option == QLatin1String("max-polls"))
            QCOMPARE(fake.job(stuck.remoteId).polls, 3);

        fake.job(stuck.remoteId).runningPolls = 0; // apixo finished it meanwhile
        QVERIFY(env.engine->check(stuck.id));
        const Task done = env.runToEnd(stuck.id);
        QCOMPARE(done.state, TaskState::Succeeded);
        QVERIFY(!done.error);
        QCOMPARE(env.server.count("POST", kSubmit), 2); // checking never submits again
        VERIFY_OK(verifyArchived(env, fake, done, ImageRole::Tile, 4));
        VERIFY_OK(verifyKept(env, kept));
    }

    // One of the four images cannot be stored (the download rows every family shares: expired 404/403,
    // truncated, corrupt, a web page, a decompression bomb, a redirect to file:// or to plain http
    // elsewhere). That image says so; the task still succeeds with the other three stored.
    void imageFailures_data()
    {
        addColumn<DownloadFailure>();
        addRows(e2e::downloadFailures());
    }

    void imageFailures()
    {
        QFETCH(DownloadFailure, row);

        Rig &r = rig();
        E2EEnv &env = *r.env;
        FakeApixo &fake = *r.fake;
        fake.fileAnswers.insert(QStringLiteral("_2.png"), row.answer); // the third of the four images

        const Task t = env.run(Operation::imagine(QStringLiteral("a fox with a missing picture")));
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(t.remoteId, fake.order.value(0));
        QVERIFY(t.error);
        QCOMPARE(int(t.error->kind), int(row.taskKind));
        QVERIFY2(t.error->message.startsWith(QStringLiteral("1 image could not be saved")),
                 qPrintable(t.error->message));
        QCOMPARE(t.images.size(), 4);
        for (const ImageRef &img : t.images) {
            QCOMPARE(img.role, ImageRole::Tile);
            if (img.index == 3) {
                // Its state and words, not blamed on the key, not local; the task's error names it.
                VERIFY_OK(verifyDownloadError(img, t.error, row));
                QCOMPARE(img.remoteUrl, env.fileUrl(fake.fileOf(t.remoteId, 2)));
            } else {
                QCOMPARE(img.state, ImageState::Downloaded);
                QCOMPARE(readAll(env.pathOf(img)), fake.files.value(fake.fileOf(t.remoteId, img.index - 1)));
            }
        }
        QCOMPARE(env.task(t.id).images, t.images);
        VERIFY_OK(verifyKept(env, r.kept));
    }

    void cleanupTestCase() { m_rig.reset(); }
};

QTEST_GUILESS_MAIN(TestE2EApixoFailures)
#include "tst_e2e_apixo_failures.moc"
