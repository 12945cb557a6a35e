// The apixo adapter reading its vendor's answers (PROVIDERS.md §2): the status call, submits (ids, every
// envelope code and HTTP error, Retry-After), statuses (results, failed tasks, malformed answers) and the
// connection test. Request bodies, validation and availability are in tst_apixoadapter.
#include "apixoadapter_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

class TestApixoAdapterAnswers : public QObject
{
    Q_OBJECT

private slots:
    void buildStatus();
    void parseSubmit();
    void parseSubmitBigId();
    void parseSubmitErrors_data();
    void parseSubmitErrors();
    void retryAfter();
    void parseStatus_data();
    void parseStatus();
    void failedTasks_data();
    void failedTasks();
    void malformedStatus_data();
    void malformedStatus();
    void connectionTest_data();
    void connectionTest();

private:
    apixo::ApixoAdapter m_adapter;
};

void TestApixoAdapterAnswers::buildStatus()
{
    const HttpCall call = m_adapter.buildStatus(QStringLiteral("task_12345678"), account());
    QCOMPARE(call.method, QByteArray("GET"));
    QCOMPARE(call.path, QStringLiteral("/api/v1/statusTask/midjourney"));
    QCOMPARE(call.query.queryItemValue(QStringLiteral("taskId")), QStringLiteral("task_12345678"));
    QCOMPARE(call.query.queryItems().size(), 1);
    QCOMPARE(call.auth, HttpCall::Auth::Bearer);
    QCOMPARE(call.purpose, HttpCall::Purpose::Status);
    QVERIFY(!call.body.has_value());
    QCOMPARE(call.describe(), QStringLiteral("GET /api/v1/statusTask/midjourney?taskId=task_12345678"));
}

void TestApixoAdapterAnswers::parseSubmit()
{
    const Result<SubmitOutcome> out
        = m_adapter.parseSubmit(imagine(), answer(200, fixture(QStringLiteral("submit-success.json"))));
    QVERIFY2(out.ok(), out ? "" : qPrintable(out.error().message));
    QCOMPARE(out->remoteId, QStringLiteral("task_12345678"));
    QVERIFY(!out->needsModal);
    QVERIFY(!out->immediate);

    const Result<SubmitOutcome> stringCode = m_adapter.parseSubmit(
        imagine(), answer(200, R"({"code":"200","message":"success","data":{"taskId":"t-1"}})"));
    QVERIFY(stringCode.ok());
    QCOMPARE(stringCode->remoteId, QStringLiteral("t-1"));
}

void TestApixoAdapterAnswers::parseSubmitBigId()
{
    // A numeric id longer than a double holds stays exact (PROVIDERS.md: never toDouble() an id).
    const Result<SubmitOutcome> out
        = m_adapter.parseSubmit(imagine(), answer(200, fixture(QStringLiteral("submit-big-id.json"))));
    QVERIFY(out.ok());
    QCOMPARE(out->remoteId, QStringLiteral("1156749218617032805123"));
    const Result<SubmitOutcome> small = m_adapter.parseSubmit(
        imagine(), answer(200, R"({"code":200,"message":"success","data":{"taskId":9007199254740993}})"));
    QVERIFY(small.ok());
    QCOMPARE(small->remoteId, QStringLiteral("9007199254740993"));
}

void TestApixoAdapterAnswers::parseSubmitErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("vendorCode");
    QTest::addColumn<QString>("message"); // verbatim, or the start of ours

    using K = Error::Kind;
    QTest::newRow("code 400 Insufficient credits under HTTP 200")
        << 200 << fixture(QStringLiteral("submit-insufficient-credits.json")) << K::PaymentRequired
        << QStringLiteral("400") << QStringLiteral("Insufficient credits");
    QTest::newRow("Insufficient credits under HTTP 400")
        << 400 << fixture(QStringLiteral("submit-insufficient-credits.json")) << K::PaymentRequired
        << QStringLiteral("400") << QStringLiteral("Insufficient credits");
    QTest::newRow("code 402") << 200 << QByteArray(R"({"code":402,"message":"Balance too low","data":null})")
                              << K::PaymentRequired << QStringLiteral("402")
                              << QStringLiteral("Balance too low");
    QTest::newRow("code 401 under HTTP 200")
        << 200 << fixture(QStringLiteral("submit-invalid-key.json")) << K::Unauthorized
        << QStringLiteral("401") << QStringLiteral("Invalid or missing API Key");
    QTest::newRow("HTTP 401") << 401 << fixture(QStringLiteral("submit-invalid-key.json")) << K::Unauthorized
                              << QStringLiteral("401") << QStringLiteral("Invalid or missing API Key");
    QTest::newRow("code 400 invalid parameters")
        << 200 << fixture(QStringLiteral("submit-bad-parameters.json")) << K::InvalidRequest
        << QStringLiteral("400") << QStringLiteral("prompt is required");
    QTest::newRow("code 429 under HTTP 200")
        << 200 << fixture(QStringLiteral("submit-rate-limited.json")) << K::RateLimited
        << QStringLiteral("429") << QStringLiteral("Too many requests, please slow down");
    QTest::newRow("HTTP 429") << 429 << fixture(QStringLiteral("submit-rate-limited.json")) << K::RateLimited
                              << QStringLiteral("429")
                              << QStringLiteral("Too many requests, please slow down");
    QTest::newRow("code 500") << 200 << QByteArray(R"({"code":500,"message":"Internal error","data":null})")
                              << K::ServerError << QStringLiteral("500") << QStringLiteral("Internal error");
    QTest::newRow("HTTP 502 HTML page")
        << 502 << QByteArray("<html><head><title>502 Bad Gateway</title></head>") << K::ServerError
        << QString() << QStringLiteral("HTTP 502");
    QTest::newRow("HTTP 503 empty") << 503 << QByteArray() << K::Maintenance << QString()
                                    << QStringLiteral("HTTP 503");
    QTest::newRow("HTML with 200") << 200 << QByteArray("<!DOCTYPE html><html><body>hi</body></html>")
                                   << K::BadResponse << QString()
                                   << QStringLiteral("The server sent a web page");
    QTest::newRow("broken JSON") << 200 << QByteArray(R"({"code":200,"data":{"taskId":)") << K::BadResponse
                                 << QString() << QStringLiteral("The server sent broken JSON");
    QTest::newRow("a JSON list") << 200 << QByteArray("[1,2]") << K::BadResponse << QString() << QString();
    QTest::newRow("no code") << 200 << QByteArray(R"({"message":"ok","data":{"taskId":"t"}})")
                             << K::BadResponse << QString() << QStringLiteral("Unexpected answer");
    QTest::newRow("code is an object") << 200 << QByteArray(R"({"code":{},"data":{"taskId":"t"}})")
                                       << K::BadResponse << QString() << QStringLiteral("Unexpected answer");
    QTest::newRow("data null") << 200 << QByteArray(R"({"code":200,"message":"success","data":null})")
                               << K::BadResponse << QString() << QStringLiteral("Unexpected answer");
    QTest::newRow("data is a string")
        << 200 << QByteArray(R"({"code":200,"message":"success","data":"task_1"})") << K::BadResponse
        << QString() << QStringLiteral("Unexpected answer");
    QTest::newRow("taskId missing") << 200 << QByteArray(R"({"code":200,"message":"success","data":{}})")
                                    << K::BadResponse << QString() << QStringLiteral("Unexpected answer");
    QTest::newRow("taskId is an object")
        << 200 << QByteArray(R"({"code":200,"message":"success","data":{"taskId":{"id":1}}})")
        << K::BadResponse << QString() << QStringLiteral("Unexpected answer");
}

void TestApixoAdapterAnswers::parseSubmitErrors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, vendorCode);
    QFETCH(QString, message);
    const Result<SubmitOutcome> out = m_adapter.parseSubmit(imagine(), answer(status, body));
    QVERIFY(!out.ok());
    QCOMPARE(out.error().kind, kind);
    QCOMPARE(out.error().httpStatus, status);
    QCOMPARE(out.error().vendorCode, vendorCode);
    QVERIFY2(out.error().message.startsWith(message), qPrintable(out.error().message));
}

void TestApixoAdapterAnswers::retryAfter()
{
    const QList<QPair<QByteArray, QByteArray>> headers {{"Retry-After", "7"}};
    for (int status : {429, 200}) {
        const Result<SubmitOutcome> out = m_adapter.parseSubmit(
            imagine(), answer(status, fixture(QStringLiteral("submit-rate-limited.json")), headers));
        QVERIFY(!out.ok());
        QCOMPARE(out.error().kind, Error::Kind::RateLimited);
        QCOMPARE(out.error().retryAfter, kReceived.addSecs(7));
    }
}

void TestApixoAdapterAnswers::parseStatus_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<TaskState>("state");
    QTest::addColumn<QStringList>("results"); // "role index url"

    QTest::newRow("pending") << QStringLiteral("status-pending.json") << TaskState::Submitted
                             << QStringList();
    QTest::newRow("processing") << QStringLiteral("status-processing.json") << TaskState::Running
                                << QStringList();
    QTest::newRow("four separate images → tiles 1..4")
        << QStringLiteral("status-success.json") << TaskState::Succeeded
        << QStringList {QStringLiteral("tile 1 https://r2.apixo.ai/img1.png"),
                        QStringLiteral("tile 2 https://r2.apixo.ai/img2.png"),
                        QStringLiteral("tile 3 https://r2.apixo.ai/img3.png"),
                        QStringLiteral("tile 4 https://r2.apixo.ai/img4.png")};
    QTest::newRow("one image → upscale 0")
        << QStringLiteral("status-upscale-success.json") << TaskState::Succeeded
        << QStringList {QStringLiteral("upscale 0 https://r2.apixo.ai/upscaled.png")};
}

void TestApixoAdapterAnswers::parseStatus()
{
    QFETCH(QString, file);
    QFETCH(TaskState, state);
    QFETCH(QStringList, results);
    const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(200, fixture(file)));
    QVERIFY2(snap.ok(), snap ? "" : qPrintable(snap.error().message));
    QCOMPARE(snap->state, state);
    QVERIFY(!snap->error);
    QVERIFY(!snap->progress);
    QStringList got;
    for (const RemoteImage &img : snap->results)
        got.append(QStringLiteral("%1 %2 %3").arg(imageRoleName(img.role)).arg(img.index).arg(img.url));
    QCOMPARE(got, results);
}

void TestApixoAdapterAnswers::failedTasks_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("vendorCode");
    QTest::addColumn<QString>("message");

    QTest::newRow("CONTENT_VIOLATION")
        << QStringLiteral("status-failed.json") << Error::Kind::ContentRejected
        << QStringLiteral("CONTENT_VIOLATION") << QStringLiteral("Content does not meet safety guidelines");
    QTest::newRow("INVALID_IMAGE_URL")
        << QStringLiteral("status-failed-image-url.json") << Error::Kind::InvalidRequest
        << QStringLiteral("INVALID_IMAGE_URL") << QStringLiteral("Cannot access provided image URL");
    QTest::newRow("INVALID_TASK_ID") << QStringLiteral("status-failed-task-id.json") << Error::Kind::NotFound
                                     << QStringLiteral("INVALID_TASK_ID")
                                     << QStringLiteral("Invalid previous task ID");
    QTest::newRow("no reason") << QStringLiteral("status-failed-no-reason.json") << Error::Kind::ServerError
                               << QString() << QStringLiteral("apixo reported the task as failed");
}

void TestApixoAdapterAnswers::failedTasks()
{
    // The envelope stays 200: a failed task is a Failed snapshot, not an Error result.
    QFETCH(QString, file);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, vendorCode);
    QFETCH(QString, message);
    const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(200, fixture(file)));
    QVERIFY(snap.ok());
    QCOMPARE(snap->state, TaskState::Failed);
    QVERIFY(snap->error.has_value());
    QCOMPARE(snap->error->kind, kind);
    QCOMPARE(snap->error->vendorCode, vendorCode);
    QVERIFY2(snap->error->message.startsWith(message), qPrintable(snap->error->message));
    QVERIFY(snap->results.isEmpty());
}

void TestApixoAdapterAnswers::malformedStatus_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Error::Kind>("kind");

    using K = Error::Kind;
    const auto success = [](const char *resultJson) -> QByteArray {
        return QByteArray(
                   R"({"code":200,"message":"success","data":{"taskId":"t","state":"success","resultJson":)")
            + resultJson + "}}";
    };
    QTest::newRow("code 404 task not found")
        << 200 << fixture(QStringLiteral("status-not-found.json")) << K::NotFound;
    QTest::newRow("HTTP 404") << 404 << fixture(QStringLiteral("status-not-found.json")) << K::NotFound;
    QTest::newRow("HTTP 401") << 401 << fixture(QStringLiteral("submit-invalid-key.json")) << K::Unauthorized;
    QTest::newRow("HTTP 500 HTML") << 500 << QByteArray("<html><title>oops</title></html>") << K::ServerError;
    QTest::newRow("HTML with 200") << 200 << QByteArray("<html><title>login</title></html>")
                                   << K::BadResponse;
    QTest::newRow("broken JSON") << 200 << QByteArray(R"({"code":200,"data":)") << K::BadResponse;
    QTest::newRow("data missing") << 200 << QByteArray(R"({"code":200,"message":"success"})")
                                  << K::BadResponse;
    QTest::newRow("state missing") << 200 << QByteArray(R"({"code":200,"message":"success","data":{}})")
                                   << K::BadResponse;
    QTest::newRow("state is a number")
        << 200 << QByteArray(R"({"code":200,"message":"success","data":{"state":2}})") << K::BadResponse;
    QTest::newRow("unknown state") << 200
                                   << QByteArray(
                                          R"({"code":200,"message":"success","data":{"state":"exploded"}})")
                                   << K::BadResponse;
    QTest::newRow("success without resultJson")
        << 200 << QByteArray(R"({"code":200,"message":"success","data":{"state":"success"}})")
        << K::BadResponse;
    QTest::newRow("resultJson not JSON") << 200 << success(R"("{resultUrls: nope")") << K::BadResponse;
    QTest::newRow("resultJson a number") << 200 << success("42") << K::BadResponse;
    QTest::newRow("resultJson a JSON list") << 200 << success(R"("[1,2]")") << K::BadResponse;
    QTest::newRow("resultUrls missing") << 200 << success(R"("{}")") << K::BadResponse;
    QTest::newRow("resultUrls a string")
        << 200 << success(R"("{\"resultUrls\":\"https://x/1.png\"}")") << K::BadResponse;
    QTest::newRow("resultUrls of numbers")
        << 200 << success(R"("{\"resultUrls\":[1,2,3,4]}")") << K::BadResponse;
    QTest::newRow("resultUrls empty") << 200 << success(R"("{\"resultUrls\":[]}")") << K::BadResponse;
    QTest::newRow("five resultUrls") << 200
                                     << success(R"("{\"resultUrls\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}")")
                                     << K::BadResponse;
}

void TestApixoAdapterAnswers::malformedStatus()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(Error::Kind, kind);
    const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(status, body));
    QVERIFY(!snap.ok());
    QCOMPARE(snap.error().kind, kind);
    QVERIFY(!snap.error().message.isEmpty());
}

void TestApixoAdapterAnswers::connectionTest_data()
{
    QTest::addColumn<int>("status"); // 0: no answer at all
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<ConnectionReport::Verdict>("verdict");
    QTest::addColumn<QString>("message");

    using V = ConnectionReport::Verdict;
    QTest::newRow("no answer") << 0 << QByteArray() << V::Unreachable << QStringLiteral("connection refused");
    QTest::newRow("HTTP 401") << 401 << fixture(QStringLiteral("submit-invalid-key.json")) << V::KeyRejected
                              << QStringLiteral("Invalid or missing API Key");
    QTest::newRow("code 401 under HTTP 200")
        << 200 << fixture(QStringLiteral("submit-invalid-key.json")) << V::KeyRejected
        << QStringLiteral("Invalid or missing API Key");
    QTest::newRow("task not found: the key works") << 200 << fixture(QStringLiteral("status-not-found.json"))
                                                   << V::KeyAccepted << QStringLiteral("Task not found");
    QTest::newRow("no credits: the key works")
        << 200 << fixture(QStringLiteral("submit-insufficient-credits.json")) << V::KeyAccepted
        << QStringLiteral("Insufficient credits");
    QTest::newRow("HTML page") << 200 << QByteArray("<html><title>Welcome</title></html>") << V::NotThisApi
                               << QStringLiteral("The server sent a web page");
    QTest::newRow("JSON without the envelope")
        << 404 << QByteArray(R"({"detail":"Not Found"})") << V::NotThisApi
        << QStringLiteral("The answer is JSON but not apixo's");
}

void TestApixoAdapterAnswers::connectionTest()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(ConnectionReport::Verdict, verdict);
    QFETCH(QString, message);
    const HttpCall call = m_adapter.buildConnectionTest(account());
    QCOMPARE(call.path, QStringLiteral("/api/v1/statusTask/midjourney"));
    QCOMPARE(call.auth, HttpCall::Auth::Bearer);
    const Result<HttpResponse> response = status == 0
        ? Result<HttpResponse>(Error::make(Error::Kind::Network, QStringLiteral("connection refused")))
        : Result<HttpResponse>(answer(status, body));
    const ConnectionReport report = m_adapter.parseConnectionTest(response);
    QCOMPARE(report.verdict, verdict);
    QVERIFY2(report.message.startsWith(message), qPrintable(report.message));
}

QTEST_GUILESS_MAIN(TestApixoAdapterAnswers)
#include "tst_apixoadapter_answers.moc"
