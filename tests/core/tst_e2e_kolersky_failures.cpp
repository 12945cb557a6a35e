// End to end, the kolersky family's failure tables (PROVIDERS.md §1, §6, §7): what the user sees when the
// vendor refuses a submit, rate-limits, when status checks fail, and when a result file cannot be stored.
// The rows every family shares come from e2efailures.h; kolersky's own (its {err, code, message} and words)
// are added here. The fake server is e2e_kolersky.h; tst_e2e_kolersky holds the operations.
#include "e2e_kolersky.h"
#include "e2efailures.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QTest>
#include <QTime>

#include <optional>

class TestE2EKolerskyFailures : public QObject
{
    Q_OBJECT

private slots:
    // One of two videos is gone (404): it is Expired, the other is stored, the task succeeded.
    void expiredVideo()
    {
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        fake.fileOverride = [](const QString &name) -> std::optional<Answer> {
            if (name.endsWith(QLatin1String("-video-2.mp4")))
                return Answer::text(404, "<Error><Code>NoSuchKey</Code></Error>", "application/xml");
            return std::nullopt;
        };
        Operation op = Operation::imagine(QStringLiteral("the fox runs"));
        op.type = GenerateType::Video;
        op.references = {QStringLiteral("https://example.com/still.png")};
        op.videoBatch = 2;
        const Task t = env.run(op);
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(t.images.size(), 2);
        QCOMPARE(t.images[0].state, ImageState::Downloaded);
        QVERIFY(QFileInfo::exists(env.pathOf(t.images[0])));
        QCOMPARE(t.images[1].state, ImageState::Expired);
        QVERIFY(t.images[1].remoteUrl.endsWith(QLatin1String("-video-2.mp4")));
        QVERIFY(t.error);
        QCOMPARE(t.error->kind, Error::Kind::NotFound);
        VERIFY_OK(checkAuth(env, fake));
    }

    // A submit refused or never answered: the task fails with the vendor's words, exactly one submit
    // reached the server, and what was stored before is untouched.
    void submitFailures_data()
    {
        addColumn<SubmitFailure>();
        // The rows every family shares: broken JSON, a web page, a hang, a dropped connection.
        addRows(e2e::submitFailures());

        auto row = [](const char *name, const Answer &a, Error::Kind kind, const QString &message,
                      const QString &mentions = {}) {
            addRow(SubmitFailure {
                .name = name, .answer = a, .kind = kind, .message = message, .contains = mentions});
        };
        row("401 bad key", vendorError(401, "Unauthorized", 401, QStringLiteral("Invalid API key")),
            Error::Kind::Unauthorized, QStringLiteral("Invalid API key"));
        row("402 payment", vendorError(402, "Payment required", 402, QStringLiteral("Top up your balance")),
            Error::Kind::PaymentRequired, QStringLiteral("Top up your balance"));
        row("403 no requests left",
            vendorError(403, "Insufficient requests", 403, QStringLiteral("You have 0 requests remaining")),
            Error::Kind::PaymentRequired, QStringLiteral("You have 0 requests remaining"));
        row("403 envelope in a 200",
            vendorError(200, "Insufficient requests", 403, QStringLiteral("You have 0 requests remaining")),
            Error::Kind::PaymentRequired, QStringLiteral("You have 0 requests remaining"));
        row("400 field", vendorError(400, "Invalid parameters", 400, QStringLiteral("prompt is required")),
            Error::Kind::InvalidRequest, QStringLiteral("prompt is required"));
        row("422 field",
            vendorError(422, "Invalid parameters", 422,
                        QStringLiteral("aspectRatio must be one of 1:1, 16:9")),
            Error::Kind::InvalidRequest, QStringLiteral("aspectRatio must be one of 1:1, 16:9"));
        row("content policy",
            vendorError(400, "Invalid parameters", 400, QStringLiteral("Banned prompt detected: gore")),
            Error::Kind::ContentRejected, QStringLiteral("Banned prompt detected: gore"));
        row("455 maintenance",
            vendorError(455, "Maintenance", 455, QStringLiteral("Service under maintenance until 12:00 UTC")),
            Error::Kind::Maintenance, QStringLiteral("Service under maintenance until 12:00 UTC"));
        row("500 not re-sent", vendorError(500, "Internal error", 500, QStringLiteral("upstream failure")),
            Error::Kind::ServerError, QStringLiteral("upstream failure"));
        row("wrong types",
            Answer::jsonText(200, R"({"requestId": {"id": 7}, "status": "accepted", "code": 200})"),
            Error::Kind::BadResponse, {}, QStringLiteral("requestId"));
    }
    void submitFailures()
    {
        QFETCH(SubmitFailure, row);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task before = env.run(Operation::imagine(QStringLiteral("an earlier fox")));
        VERIFY_OK(checkGrid(env, before));

        QVERIFY(row.answer);
        fake.script(QStringLiteral("/v1/midjourney/generate"), *row.answer);
        const Task t = env.run(Operation::imagine(kPrompt));
        QVERIFY2(t.state == TaskState::Failed
                     || (row.kind == Error::Kind::Timeout && t.state == TaskState::Unknown),
                 qPrintable(describe(t)));
        // The kind, and the words of the row (verbatim, or a part).
        VERIFY_OK(verifySubmitError(t.error, row));
        QCOMPARE(t.prompt, kPrompt);
        // Never sent twice: the first may have created (and charged) the task.
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(), 2);
        QCOMPARE(fake.jobs.size(), 1);
        QCOMPARE(fake.statusChecks().size(), 3);

        const Task still = env.task(before.id);
        QCOMPARE(still.state, TaskState::Succeeded);
        QCOMPARE(still.images, before.images);
        for (const ImageRef &img : still.images)
            QVERIFY(QFileInfo::exists(env.pathOf(img)));
        VERIFY_OK(checkAuth(env, fake));
    }

    // 429 with Retry-After (seconds or an HTTP date): no request to the account before the deadline.
    void rateLimited_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("httpDate");
        QTest::newRow("submit, seconds") << QStringLiteral("/v1/midjourney/generate") << false;
        QTest::newRow("submit, HTTP date") << QStringLiteral("/v1/midjourney/generate") << true;
        QTest::newRow("status, seconds") << QStringLiteral("/v1/status") << false;
    }
    void rateLimited()
    {
        QFETCH(QString, path);
        QFETCH(bool, httpDate);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        // Retry-After deadlines are wall-clock times: real time here, and a task done at its first check.
        env.clock.setSpeed(1);
        fake.pollsToFinish = 1;
        QDateTime date = QDateTime::currentDateTimeUtc().addSecs(2);
        date.setTime(QTime(date.time().hour(), date.time().minute(), date.time().second()));
        const QByteArray retryAfter = httpDate ? e2e::httpDate(date) : QByteArray("1");
        fake.script(path,
                    vendorError(429, "Too many requests", 429, QStringLiteral("Rate limit exceeded"))
                        .header("Retry-After", retryAfter));
        const Task t = env.run(Operation::imagine(kPrompt));
        VERIFY_OK(checkGrid(env, t));

        const QList<RecordedRequest> all = env.server.requests();
        qsizetype limited = -1;
        for (qsizetype i = 0; i < all.size() && limited < 0; ++i) {
            if (all[i].path == path)
                limited = i;
        }
        QVERIFY(limited >= 0);
        const QDateTime deadline = httpDate ? date : all[limited].received.addMSecs(1000);
        QVERIFY(limited + 1 < all.size());
        for (qsizetype i = limited + 1; i < all.size(); ++i)
            QVERIFY2(all[i].received >= deadline,
                     qPrintable(QStringLiteral("%1 at %2, deadline %3")
                                    .arg(all[i].path, all[i].received.toString(Qt::ISODateWithMs),
                                         deadline.toString(Qt::ISODateWithMs))));
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(),
                 path.contains(QLatin1String("generate")) ? 2 : 1);
        VERIFY_OK(checkAuth(env, fake));
    }

    // One bad status answer (or two) is retried and the task still succeeds.
    void statusHiccups_data()
    {
        QTest::addColumn<QList<Answer>>("answers");
        // The rows every family shares (503s, a 502 page, broken JSON, a web page, a hang, a drop).
        for (const StatusHiccup &hiccup : e2e::statusHiccups())
            QTest::newRow(hiccup.name.constData()) << hiccup.answers;
        QTest::newRow("500 then success")
            << QList<Answer> {vendorError(500, "Internal error", 500, QStringLiteral("try again"))};
        QTest::newRow("455 maintenance") << QList<Answer> {
            vendorError(455, "Maintenance", 455, QStringLiteral("Service under maintenance"))};
        QTest::newRow("wrong types") << QList<Answer> {
            Answer::jsonText(200, R"({"requestId": 5, "status": ["processing"]})")};
    }
    void statusHiccups()
    {
        QFETCH(QList<Answer>, answers);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        for (const Answer &answer : std::as_const(answers))
            fake.script(QStringLiteral("/v1/status"), answer);
        const Task t = env.run(Operation::imagine(kPrompt));
        VERIFY_OK(checkGrid(env, t));
        // Every scripted answer, then the fake's own three (accepted, processing, success).
        QCOMPARE(fake.statusChecks().size(), 3 + answers.size());
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(), 1);
        VERIFY_OK(checkAuth(env, fake));
    }

    // Status answers that end the run: the vendor's failure (verbatim), or answers that keep failing.
    void statusFailures_data()
    {
        QTest::addColumn<Answer>("answer");
        QTest::addColumn<int>("state");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message"); // verbatim; empty: not checked
        QTest::addColumn<QString>("mentions");

        QTest::newRow("content policy")
            << Answer::json(
                   200,
                   QJsonObject {{QStringLiteral("status"), QStringLiteral("error")},
                                {QStringLiteral("code"), 200},
                                {QStringLiteral("output"),
                                 QJsonObject {{QStringLiteral("failReason"),
                                               QStringLiteral("Banned prompt detected: \"gore\"")}}}})
            << static_cast<int>(TaskState::Failed) << static_cast<int>(Error::Kind::ContentRejected)
            << QStringLiteral("Banned prompt detected: \"gore\"") << QString();
        QTest::newRow("vendor failure") << Answer::json(
            200,
            QJsonObject {{QStringLiteral("status"), QStringLiteral("error")},
                         {QStringLiteral("code"), 500},
                         {QStringLiteral("message"), QStringLiteral("Task timed out after 5 minutes")}})
                                        << static_cast<int>(TaskState::Failed)
                                        << static_cast<int>(Error::Kind::ServerError)
                                        << QStringLiteral("Task timed out after 5 minutes") << QString();
        QTest::newRow("401 on status")
            << vendorError(401, "Unauthorized", 401, QStringLiteral("Invalid API key"))
            << static_cast<int>(TaskState::Failed) << static_cast<int>(Error::Kind::Unauthorized)
            << QStringLiteral("Invalid API key") << QString();
        QTest::newRow("wrong types, always")
            << Answer::json(200,
                            QJsonObject {{QStringLiteral("status"), QStringLiteral("success")},
                                         {QStringLiteral("code"), 200},
                                         {QStringLiteral("output"),
                                          QJsonObject {{QStringLiteral("collage"),
                                                        QJsonObject {{QStringLiteral("image_url"), 42}}}}}})
            << static_cast<int>(TaskState::Unfinished) << static_cast<int>(Error::Kind::BadResponse)
            << QString() << QStringLiteral("output.collage.image_url");
        QTest::newRow("malformed JSON, always")
            << Answer::jsonText(200, "{\"status\": \"succ") << static_cast<int>(TaskState::Unfinished)
            << static_cast<int>(Error::Kind::BadResponse) << QString() << QStringLiteral("check again later");
    }
    void statusFailures()
    {
        QFETCH(Answer, answer);
        QFETCH(int, state);
        QFETCH(int, kind);
        QFETCH(QString, message);
        QFETCH(QString, mentions);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task before = env.run(Operation::imagine(QStringLiteral("an earlier fox")));
        VERIFY_OK(checkGrid(env, before));

        fake.statusOverride = [answer](const KolerskyFake::Job &j) -> std::optional<Answer> {
            return j.polls >= 2 ? std::optional<Answer>(answer) : std::nullopt;
        };
        const Task t = env.run(Operation::imagine(kPrompt));
        QCOMPARE(static_cast<int>(t.state), state);
        QVERIFY(t.error);
        QCOMPARE(static_cast<int>(t.error->kind), kind);
        if (!message.isEmpty())
            QCOMPARE(t.error->message, message);
        if (!mentions.isEmpty())
            QVERIFY2(t.error->message.contains(mentions), qPrintable(t.error->message));
        QCOMPARE(t.remoteId, fake.jobs.last().id); // kept: the task can be looked up or checked again
        QCOMPARE(fake.submits(QStringLiteral("generate")).size(), 2);
        QCOMPARE(env.task(before.id).images, before.images);
        VERIFY_OK(checkAuth(env, fake));
    }

    // A result file that cannot be stored (the download rows every family shares) leaves a per-image
    // state; the task still succeeded, keeps the URL and the actions, and no file is left at a final path.
    void imageFailures_data()
    {
        addColumn<DownloadFailure>();
        addRows(e2e::downloadFailures());
    }
    void imageFailures()
    {
        QFETCH(DownloadFailure, row);
        E2EEnv env(QStringLiteral("kolersky"), fastPolling());
        KolerskyFake fake(env);
        const Task before = env.run(Operation::imagine(QStringLiteral("an earlier fox")));
        VERIFY_OK(checkGrid(env, before));

        const Answer answer = row.answer;
        fake.fileOverride = [answer](const QString &) -> std::optional<Answer> { return answer; };
        const Task t = env.run(Operation::imagine(kPrompt));
        QCOMPARE(t.state, TaskState::Succeeded);
        QCOMPARE(t.images.size(), 1);
        const ImageRef &grid = t.images[0];
        QCOMPARE(grid.role, ImageRole::Grid);
        QVERIFY(grid.remoteUrl.endsWith(QLatin1String("-grid.png")));
        // Its state and words (never blamed on the API key: the key never goes to a result URL, a 403
        // there means the file expired, §7), not local; the task's error says which image was missed.
        VERIFY_OK(verifyDownloadError(grid, t.error, row));
        QVERIFY(t.error);
        QCOMPARE(t.error->kind,
                 row.imageState == ImageState::Expired ? Error::Kind::NotFound : Error::Kind::Io);
        QCOMPARE(t.remote.value(QStringLiteral("actions")).toArray().size(), 8);
        const QDir folder(QDir(env.paths.archiveDir).filePath(ImageArchive::taskFolder(t.id, t.created)));
        QVERIFY2(!folder.exists() || folder.entryList(QDir::Files | QDir::NoDotAndDotDot).isEmpty(),
                 qPrintable(folder.entryList().join(QLatin1Char(' '))));
        QCOMPARE(env.task(before.id).images, before.images);
        VERIFY_OK(checkAuth(env, fake));
    }
};

QTEST_GUILESS_MAIN(TestE2EKolerskyFailures)
#include "tst_e2e_kolersky_failures.moc"
