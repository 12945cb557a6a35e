// The kie.ai-style adapter reading its vendor's answers (PROVIDERS.md §3): the status call, submits,
// statuses (images, videos, failures, big ids), error mapping (envelope and/or HTTP status, the vendor's msg
// verbatim), Retry-After, malformed answers and the connection test. Request bodies, validation and
// availability are in tst_kieadapter.
#include "kieadapter_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

class TestKieAdapterAnswers : public QObject
{
    Q_OBJECT

private:
    kie::KieAdapter m_adapter;

private slots:
    void buildStatus()
    {
        const HttpCall call = m_adapter.buildStatus(QStringLiteral("4edb3c5XXXXX75e3f0aa5cc"), account());
        QCOMPARE(call.method, QByteArray("GET"));
        QCOMPARE(call.path, QStringLiteral("/api/v1/mj/record-info"));
        QCOMPARE(call.query.queryItemValue(QStringLiteral("taskId")),
                 QStringLiteral("4edb3c5XXXXX75e3f0aa5cc"));
        QCOMPARE(call.auth, HttpCall::Auth::Bearer);
        QCOMPARE(call.purpose, HttpCall::Purpose::Status);
        QVERIFY(!call.body);
        QCOMPARE(call.describe(),
                 QStringLiteral("GET /api/v1/mj/record-info?taskId=4edb3c5XXXXX75e3f0aa5cc"));

        const HttpCall test = m_adapter.buildConnectionTest(account());
        QCOMPARE(test.path, QStringLiteral("/api/v1/mj/record-info"));
        QCOMPARE(test.auth, HttpCall::Auth::Bearer);
    }

    void parseSubmit_data()
    {
        QTest::addColumn<Operation>("op");
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("remoteId");
        QTest::addColumn<QString>("taskType");

        QTest::newRow("generate") << imagine(QStringLiteral("a fox")) << "submit-ok.json"
                                  << "mj_task_abcdef123456"
                                  << "mj_txt2img";
        QTest::newRow("generate video") << imagine(QStringLiteral("a fox"), GenerateType::VideoHd,
                                                   {QStringLiteral("https://e.com/a.jpg")})
                                        << "submit-ok.json"
                                        << "mj_task_abcdef123456"
                                        << "mj_video_hd";
        QTest::newRow("upscale") << action(OperationKind::Upscale, 1) << "submit-upscale-ok.json"
                                 << "mj_upscale_abcdef123456" << QString();
        QTest::newRow("extend") << action(OperationKind::VideoExtend, 1) << "submit-ok.json"
                                << "mj_task_abcdef123456"
                                << "mj_video_extend_auto";
        QTest::newRow("a 23-digit numeric id stays exact")
            << imagine(QStringLiteral("a fox")) << "submit-big-id.json"
            << "12345678901234567890123"
            << "mj_txt2img";
    }

    void parseSubmit()
    {
        QFETCH(Operation, op);
        QFETCH(QString, file);
        QFETCH(QString, remoteId);
        QFETCH(QString, taskType);

        const Result<SubmitOutcome> outcome = m_adapter.parseSubmit(op, answer(200, fixture(file)));
        QVERIFY2(outcome, outcome ? "" : qPrintable(outcome.error().message));
        QCOMPARE(outcome->remoteId, remoteId);
        QVERIFY(!outcome->needsModal);
        QVERIFY(!outcome->immediate);
        QCOMPARE(outcome->remote.value(QStringLiteral("taskType")).toString(), taskType);
    }

    void parseStatus_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<TaskState>("state");
        QTest::addColumn<QStringList>("roles");
        QTest::addColumn<QStringList>("urls");
        QTest::addColumn<QString>("taskType");

        const QString doc
            = QStringLiteral("https://tempfile.aiquickdraw.com/v/42ea4a4250571eb18361bd2e309c8e8a_0_%1.jpeg");
        const QString str = QStringLiteral("https://tempfile.aiquickdraw.com/v/a_0_%1.jpeg");
        const QStringList tiles = strings({"tile:1", "tile:2", "tile:3", "tile:4"});
        QTest::newRow("generating") << "status-generating.json" << TaskState::Running << QStringList()
                                    << QStringList() << "mj_txt2img";
        QTest::newRow("success, the doc's example: four separate images")
            << "status-success.json" << TaskState::Succeeded << tiles
            << QStringList {doc.arg(0), doc.arg(1), doc.arg(2), doc.arg(3)} << "mj_txt2img";
        QTest::newRow("success, resultInfoJson as a JSON string")
            << "status-success-string.json" << TaskState::Succeeded << tiles
            << QStringList {str.arg(0), str.arg(1), str.arg(2), str.arg(3)} << "mj_img2img";
        QTest::newRow("success, resultUrls as plain strings")
            << "status-success-plain-urls.json" << TaskState::Succeeded << tiles
            << strings({"https://example.com/mj_result1.png", "https://example.com/mj_result2.png",
                        "https://example.com/mj_result3.png", "https://example.com/mj_result4.png"})
            << "mj_style_reference";
        QTest::newRow("upscale: one image")
            << "status-upscale.json" << TaskState::Succeeded << strings({"upscale:0"})
            << strings({"https://tempfile.aiquickdraw.com/v/2584469c38e43c173dcae9e60663f645_upscale_0.jpeg"})
            << "mj_upscale";
        QTest::newRow("video: two videos")
            << "status-video.json" << TaskState::Succeeded << strings({"video:1", "video:2"})
            << strings({"https://tempfile.aiquickdraw.com/v/ee603959_0.mp4",
                        "https://tempfile.aiquickdraw.com/v/ee603959_1.mp4"})
            << "mj_video";
        QTest::newRow("extension: one video, told by its taskType")
            << "status-video-extend.json" << TaskState::Succeeded << strings({"video:1"})
            << strings({"https://tempfile.aiquickdraw.com/v/40d90dd1c6fddsa0a7dssa2a08366149_0"})
            << "mj_video_extend_manual";
    }

    void parseStatus()
    {
        QFETCH(QString, file);
        QFETCH(TaskState, state);
        QFETCH(QStringList, roles);
        QFETCH(QStringList, urls);
        QFETCH(QString, taskType);

        const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(200, fixture(file)));
        QVERIFY2(snap, snap ? "" : qPrintable(snap.error().message));
        QCOMPARE(snap->state, state);
        QVERIFY(!snap->error);
        QVERIFY(!snap->progress);
        QStringList gotRoles;
        QStringList gotUrls;
        for (const RemoteImage &image : snap->results) {
            gotRoles.append(roleText(image));
            gotUrls.append(image.url);
        }
        QCOMPARE(gotRoles, roles);
        QCOMPARE(gotUrls, urls);
        QCOMPARE(snap->remote.value(QStringLiteral("taskType")).toString(), taskType);
    }

    void parseStatusVideoWithoutTaskType()
    {
        const QByteArray body = js(
            "{'code':200,'msg':'success','data':{'successFlag':1,"
            "'resultInfoJson':{'resultUrls':[{'resultUrl':'https://cdn.example.com/v/1.MP4?sig=abc'}]}}}");
        const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(200, body));
        QVERIFY(snap);
        QCOMPARE(snap->results.size(), 1);
        QCOMPARE(roleText(snap->results.first()), QStringLiteral("video:1"));
    }

    void parseStatusFailed_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("vendorCode");

        QTest::newRow("successFlag 2, content policy")
            << "status-failed-content.json" << int(Error::Kind::ContentRejected)
            << "The prompt was blocked by the content moderation policy: banned word detected"
            << "400";
        QTest::newRow("successFlag 3, created but generation failed")
            << "status-generation-failed.json" << int(Error::Kind::ServerError)
            << "Midjourney generation failed, please try again later"
            << "500";
        QTest::newRow("successFlag 2 without a message")
            << "status-failed-no-message.json" << int(Error::Kind::ServerError)
            << "kie reports that the task failed (error code 10086)"
            << "10086";
        QTest::newRow("envelope 501 Generation Failed")
            << "status-generation-failed-envelope.json" << int(Error::Kind::ServerError)
            << "Generation Failed - Image generation task failed"
            << "501";
    }

    void parseStatusFailed()
    {
        QFETCH(QString, file);
        QFETCH(int, kind);
        QFETCH(QString, message);
        QFETCH(QString, vendorCode);

        const Result<TaskSnapshot> snap = m_adapter.parseStatus(answer(200, fixture(file)));
        QVERIFY2(snap, snap ? "" : qPrintable(snap.error().message));
        QCOMPARE(snap->state, TaskState::Failed);
        QVERIFY(snap->results.isEmpty());
        QVERIFY(snap->error.has_value());
        QCOMPARE(int(snap->error->kind), kind);
        QCOMPARE(snap->error->message, message);
        QCOMPARE(snap->error->vendorCode, vendorCode);
    }

    void parseStatusBigIds()
    {
        const Result<TaskSnapshot> snap
            = m_adapter.parseStatus(answer(200, fixture(QStringLiteral("status-big-id.json"))));
        QVERIFY(snap);
        QCOMPARE(snap->state, TaskState::Running);
        QCOMPARE(snap->remote.value(QStringLiteral("taskType")).toString(), QStringLiteral("mj_txt2img"));
    }

    // Errors in the envelope and/or as HTTP status, message = msg verbatim (PROVIDERS.md §3).
    void errorMapping_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("vendorCode");

        const auto env = [](int code, const char *msg) {
            return QJsonDocument(QJsonObject {{QStringLiteral("code"), code},
                                              {QStringLiteral("msg"), QString::fromUtf8(msg)},
                                              {QStringLiteral("data"), QJsonValue::Null}})
                .toJson(QJsonDocument::Compact);
        };
        using K = Error::Kind;
        QTest::newRow("200 + 401") << 200 << env(401, "You do not have access permissions")
                                   << int(K::Unauthorized) << "You do not have access permissions"
                                   << "401";
        QTest::newRow("401 + 401") << 401 << env(401, "Invalid API key") << int(K::Unauthorized)
                                   << "Invalid API key"
                                   << "401";
        QTest::newRow("401, empty body")
            << 401 << QByteArray() << int(K::Unauthorized) << "HTTP 401" << QString();
        QTest::newRow("200 + 402, fixture")
            << 200 << fixture(QStringLiteral("submit-insufficient-credits.json")) << int(K::PaymentRequired)
            << "Insufficient credits: the account does not have enough credits to perform the operation"
            << "402";
        QTest::newRow("402 + 402") << 402 << env(402, "Credits insufficient") << int(K::PaymentRequired)
                                   << "Credits insufficient"
                                   << "402";
        QTest::newRow("403 + 403 credits: PaymentRequired (PRODUCT.md 402/403)")
            << 403 << env(403, "Insufficient credits: 0 requests remaining") << int(K::PaymentRequired)
            << "Insufficient credits: 0 requests remaining"
            << "403";
        QTest::newRow("403 without a code, balance")
            << 403 << js("{'msg':'Your balance is empty'}") << int(K::PaymentRequired)
            << "Your balance is empty" << QString();
        QTest::newRow("403 + 403 disabled key") << 403 << env(403, "This API key has been disabled")
                                                << int(K::Unauthorized) << "This API key has been disabled"
                                                << "403";
        QTest::newRow("200 + 400") << 200 << env(400, "prompt is required") << int(K::InvalidRequest)
                                   << "prompt is required"
                                   << "400";
        QTest::newRow("200 + 404") << 200 << env(404, "Not Found") << int(K::NotFound) << "Not Found"
                                   << "404";
        QTest::newRow("422 + 422")
            << 422 << env(422, "The request parameters are incorrect, please check the parameters.")
            << int(K::InvalidRequest) << "The request parameters are incorrect, please check the parameters."
            << "422";
        QTest::newRow("200 + 429") << 200 << env(429, "Request limit has been exceeded for this resource")
                                   << int(K::RateLimited)
                                   << "Request limit has been exceeded for this resource"
                                   << "429";
        QTest::newRow("429 + 429") << 429 << env(429, "Too many requests") << int(K::RateLimited)
                                   << "Too many requests"
                                   << "429";
        QTest::newRow("200 + 455") << 200 << env(455, "System is currently undergoing maintenance")
                                   << int(K::Maintenance) << "System is currently undergoing maintenance"
                                   << "455";
        QTest::newRow("500 + 455: the envelope is more precise")
            << 500 << env(455, "Service Unavailable") << int(K::Maintenance) << "Service Unavailable"
            << "455";
        QTest::newRow("200 + 500") << 200 << env(500, "Server Error") << int(K::ServerError) << "Server Error"
                                   << "500";
        QTest::newRow("200 + 505") << 200 << env(505, "The requested feature is currently disabled")
                                   << int(K::Unsupported) << "The requested feature is currently disabled"
                                   << "505";
        QTest::newRow("200 + quoted code")
            << 200 << js("{'code':'402','msg':'no credits'}") << int(K::PaymentRequired) << "no credits"
            << "402";
        QTest::newRow("200 + code without msg")
            << 200 << js("{'code':429}") << int(K::RateLimited)
            << QString::fromUtf8(js("kie answered code 429: {'code':429}")) << "429";
        QTest::newRow("502, an HTML page")
            << 502 << QByteArray("<html><body>Bad gateway</body></html>") << int(K::ServerError)
            << "HTTP 502: <html><body>Bad gateway</body></html>" << QString();
        QTest::newRow("503, an HTML page")
            << 503 << QByteArray("<html><body>Down</body></html>") << int(K::Maintenance)
            << "HTTP 503: <html><body>Down</body></html>" << QString();
        QTest::newRow("500 + code 200 keeps the HTTP status")
            << 500 << env(200, "internal error") << int(K::ServerError) << "internal error" << QString();
    }

    void errorMapping()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, kind);
        QFETCH(QString, message);
        QFETCH(QString, vendorCode);

        const HttpResponse response = answer(status, body);
        const Result<SubmitOutcome> submit
            = m_adapter.parseSubmit(imagine(QStringLiteral("a fox")), response);
        QVERIFY(!submit);
        QCOMPARE(int(submit.error().kind), kind);
        QCOMPARE(submit.error().message, message);
        QCOMPARE(submit.error().vendorCode, vendorCode);
        QCOMPARE(submit.error().httpStatus, status);

        const Result<TaskSnapshot> poll = m_adapter.parseStatus(response);
        QVERIFY(!poll);
        QCOMPARE(poll.error(), submit.error());
    }

    void generationFailedOnSubmitIsAnError()
    {
        const Result<SubmitOutcome> submit = m_adapter.parseSubmit(
            imagine(QStringLiteral("a fox")),
            answer(200, fixture(QStringLiteral("status-generation-failed-envelope.json"))));
        QVERIFY(!submit);
        QCOMPARE(submit.error().kind, Error::Kind::ServerError);
        QCOMPARE(submit.error().vendorCode, QStringLiteral("501"));
    }

    void retryAfter_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<int>("seconds");

        QTest::newRow("HTTP 429") << 429 << js("{'code':429,'msg':'slow down'}") << QByteArray("30") << 30;
        QTest::newRow("envelope 429")
            << 200 << js("{'code':429,'msg':'slow down'}") << QByteArray("12") << 12;
        QTest::newRow("HTTP 429, HTTP date")
            << 429 << QByteArray("Too Many Requests") << QByteArray("Wed, 20 Mar 2024 10:31:00 GMT") << 60;
    }

    void retryAfter()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, header);
        QFETCH(int, seconds);

        const Result<SubmitOutcome> submit
            = m_adapter.parseSubmit(imagine(QStringLiteral("a fox")), answer(status, body, header));
        QVERIFY(!submit);
        QCOMPARE(submit.error().kind, Error::Kind::RateLimited);
        QCOMPARE(submit.error().retryAfter, received().addSecs(seconds));
    }

    // Every broken shape is a BadResponse that says what was wrong; none crashes.
    void malformed_data()
    {
        QTest::addColumn<QString>("which");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");

        const auto ok = [](const char *data) -> QByteArray {
            return js("{'code':200,'msg':'success','data':") + js(data) + '}';
        };
        const auto done = [&](const char *info) -> QByteArray {
            return ok(QByteArray("{'taskId':'t','taskType':'mj_txt2img','successFlag':1,'resultInfoJson':")
                          .append(info)
                          .append('}')
                          .constData());
        };
        QTest::newRow("HTML with 200")
            << "both" << QByteArray("<!DOCTYPE html><html><head><title>kie</title></head></html>")
            << "web page";
        QTest::newRow("broken JSON") << "both" << js("{'code':200,'msg':'success','data':{'taskId':")
                                     << "broken JSON";
        QTest::newRow("empty body") << "both" << QByteArray() << "empty";
        QTest::newRow("a list") << "both" << QByteArray("[1,2]") << "not a JSON object";
        QTest::newRow("no code") << "both" << js("{'msg':'success','data':{'taskId':'t','successFlag':0}}")
                                 << "code";
        QTest::newRow("code is an object") << "both" << js("{'code':{'a':1},'data':{}}") << "code";
        QTest::newRow("data is a string") << "both" << ok("'oops'") << "data";
        QTest::newRow("data is null") << "both" << ok("null") << "data";
        QTest::newRow("data is missing") << "both" << js("{'code':200,'msg':'success'}") << "data";
        QTest::newRow("taskId is an object") << "submit" << ok("{'taskId':{'id':1}}") << "taskId";
        QTest::newRow("taskId is missing") << "submit" << ok("{}") << "taskId";
        QTest::newRow("taskId is empty") << "submit" << ok("{'taskId':''}") << "taskId";
        QTest::newRow("successFlag is missing") << "status" << ok("{'taskId':'t'}") << "successFlag";
        QTest::newRow("successFlag is text") << "status" << ok("{'successFlag':'abc'}") << "successFlag";
        QTest::newRow("successFlag is a list") << "status" << ok("{'successFlag':[1]}") << "successFlag";
        QTest::newRow("successFlag 7") << "status" << ok("{'successFlag':7}") << "successFlag";
        QTest::newRow("success without resultInfoJson")
            << "status" << ok("{'successFlag':1}") << "resultInfoJson";
        QTest::newRow("resultInfoJson is a number") << "status" << done("5") << "resultInfoJson";
        QTest::newRow("resultInfoJson is broken text")
            << "status" << done("'{\\'resultUrls\\':'") << "resultInfoJson";
        QTest::newRow("resultUrls is an object")
            << "status" << done("{'resultUrls':{'a':1}}") << "resultUrls";
        QTest::newRow("resultUrls is empty") << "status" << done("{'resultUrls':[]}") << "resultUrl";
        QTest::newRow("an item without resultUrl")
            << "status" << done("{'resultUrls':[{'url':'x'}]}") << "resultUrl";
        QTest::newRow("resultUrl is a number")
            << "status" << done("{'resultUrls':[{'resultUrl':5}]}") << "resultUrl";
        QTest::newRow("five images")
            << "status"
            << done("{'resultUrls':['https://a/1','https://a/2','https://a/3','https://a/4','https://a/5']}")
            << "four";
    }

    void malformed()
    {
        QFETCH(QString, which);
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);

        const HttpResponse response = answer(200, body);
        if (which != QLatin1String("status")) {
            const Result<SubmitOutcome> submit
                = m_adapter.parseSubmit(imagine(QStringLiteral("a fox")), response);
            QVERIFY(!submit);
            QCOMPARE(submit.error().kind, Error::Kind::BadResponse);
            QVERIFY2(submit.error().message.contains(mentions), qPrintable(submit.error().message));
        }
        if (which != QLatin1String("submit")) {
            const Result<TaskSnapshot> poll = m_adapter.parseStatus(response);
            QVERIFY(!poll);
            QCOMPARE(poll.error().kind, Error::Kind::BadResponse);
            QVERIFY2(poll.error().message.contains(mentions), qPrintable(poll.error().message));
        }
    }

    void connectionTest_data()
    {
        QTest::addColumn<bool>("answered");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("verdict");
        QTest::addColumn<QString>("message");

        using V = ConnectionReport::Verdict;
        QTest::newRow("no answer") << false << 0 << QByteArray() << int(V::Unreachable)
                                   << "connection refused";
        QTest::newRow("200 + envelope 401")
            << true << 200 << js("{'code':401,'msg':'You do not have access permissions','data':null}")
            << int(V::KeyRejected) << "You do not have access permissions";
        QTest::newRow("401 + envelope 401") << true << 401 << js("{'code':401,'msg':'Invalid API key'}")
                                            << int(V::KeyRejected) << "Invalid API key";
        QTest::newRow("403 HTML") << true << 403 << QByteArray("<html><body>Forbidden</body></html>")
                                  << int(V::KeyRejected) << "<html><body>Forbidden</body></html>";
        QTest::newRow("200 + record not found")
            << true << 200 << js("{'code':422,'msg':'recordInfo is null','data':null}") << int(V::KeyAccepted)
            << "recordInfo is null";
        QTest::newRow("200 + success") << true << 200 << js("{'code':200,'msg':'success','data':null}")
                                       << int(V::KeyAccepted) << "success";
        QTest::newRow("200 + 402") << true << 200 << js("{'code':402,'msg':'Insufficient credits'}")
                                   << int(V::KeyAccepted) << "Insufficient credits";
        QTest::newRow("403 + no credits: the key got through")
            << true << 403 << js("{'code':403,'msg':'Insufficient credits: 0 requests remaining'}")
            << int(V::KeyAccepted) << "requests remaining";
        QTest::newRow("200 + 455") << true << 200 << js("{'code':455,'msg':'Under maintenance'}")
                                   << int(V::Unreachable) << "Under maintenance";
        QTest::newRow("HTML 200") << true << 200
                                  << QByteArray("<!DOCTYPE html><html><title>Hi</title></html>")
                                  << int(V::NotThisApi) << "web page";
        QTest::newRow("JSON of another API")
            << true << 200 << js("{'status':'ok'}") << int(V::NotThisApi) << "not kie's";
    }

    void connectionTest()
    {
        QFETCH(bool, answered);
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, verdict);
        QFETCH(QString, message);

        const Result<HttpResponse> response = answered
            ? Result<HttpResponse>(answer(status, body))
            : Result<HttpResponse>(Error::make(Error::Kind::Network, QStringLiteral("connection refused")));
        const ConnectionReport report = m_adapter.parseConnectionTest(response);
        QCOMPARE(int(report.verdict), verdict);
        QVERIFY2(report.message.contains(message), qPrintable(report.message));
    }
};

QTEST_GUILESS_MAIN(TestKieAdapterAnswers)
#include "tst_kieadapter_answers.moc"
