// MjproxyAdapter reading midjourney-proxy's answers (PROVIDERS.md §4): every envelope code of a submit, ids
// above 2^53, every task status (grids, single images, tiles, videos, text results, failures, cancels),
// malformed answers, cancel and batch polling. Requests are in tst_mjproxyadapter, the buttons in
// tst_mjproxyadapter_buttons.

#include "mjproxyadapter_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

class TestMjproxyAdapterAnswers : public QObject
{
    Q_OBJECT

private slots:
    void submitCodes_data();
    void submitCodes();
    void submitMalformed_data();
    void submitMalformed();
    void bigIds();
    void statusGrid();
    void statusProgress();
    void statusWaitingStates_data();
    void statusWaitingStates();
    void statusSingleImages_data();
    void statusSingleImages();
    void statusTiles();
    void statusVideos();
    void statusTextResults();
    void statusFailures_data();
    void statusFailures();
    void statusCancelled();
    void statusMalformed_data();
    void statusMalformed();
    void cancel_data();
    void cancel();
    void batch();
};

void TestMjproxyAdapterAnswers::submitCodes_data()
{
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("remoteId");
    QTest::addColumn<bool>("modal");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("vendorCode");

    const auto ok = [](const char *name, const QString &id, bool modal) {
        QTest::newRow(name) << 200 << fixture(QString::fromLatin1(name)) << true << id << modal
                            << Error::Kind::BadResponse << QString() << QString();
    };
    ok("submit-ok.json", QStringLiteral("1320098173412546"), false);
    ok("submit-ok-string.json", QStringLiteral("14001934816969359"), false);
    ok("submit-modal.json", QStringLiteral("1712205491372429"), true);
    ok("submit-queued.json", QStringLiteral("1712205491372430"), false);
    QTest::newRow("code as a string")
        << 200 << QByteArray(R"({"code":"1","result":"77"})") << true << QStringLiteral("77") << false
        << Error::Kind::BadResponse << QString() << QString();

    const auto fail
        = [](const char *name, int status, Error::Kind kind, const QString &message, const QString &code) {
              QTest::newRow(name) << status << fixture(QString::fromLatin1(name)) << false << QString()
                                  << false << kind << message << code;
          };
    fail("submit-queue-full.json", 200, Error::Kind::RateLimited, QStringLiteral("队列已满，请稍后尝试"),
         QStringLiteral("23"));
    fail("submit-banned.json", 200, Error::Kind::ContentRejected,
         QStringLiteral("可能包含敏感词 (banned word: \"bloody\")"), QStringLiteral("24"));
    fail("submit-not-found.json", 200, Error::Kind::NotFound, QStringLiteral("关联任务不存在或已失效"),
         QStringLiteral("3"));
    fail("submit-validation.json", 200, Error::Kind::InvalidRequest, QStringLiteral("prompt不能为空"),
         QStringLiteral("4"));
    fail("submit-system.json", 200, Error::Kind::ServerError, QStringLiteral("无可用的账号实例"),
         QStringLiteral("9"));
    fail("submit-other.json", 200, Error::Kind::BadResponse, QStringLiteral("Something unexpected"),
         QStringLiteral("5"));
    fail("submit-unauthorized.json", 401, Error::Kind::Unauthorized,
         QStringLiteral("无效的令牌 (request id: 20250309223412345)"), QString());

    QTest::newRow("banned without a word")
        << 200 << QByteArray(R"({"code":24,"description":"Banned prompt","properties":{}})") << false
        << QString() << false << Error::Kind::ContentRejected << QStringLiteral("Banned prompt")
        << QStringLiteral("24");
    QTest::newRow("error code without description")
        << 200 << QByteArray(R"({"code":9})") << false << QString() << false << Error::Kind::ServerError
        << QStringLiteral("midjourney-proxy answered with code 9") << QStringLiteral("9");
    QTest::newRow("HTTP 400 with an envelope")
        << 400 << QByteArray(R"({"code":4,"description":"base64Array: bad image"})") << false << QString()
        << false << Error::Kind::InvalidRequest << QStringLiteral("base64Array: bad image")
        << QStringLiteral("4");
    QTest::newRow("code 1 with HTTP 500 is still a failure")
        << 500 << QByteArray(R"({"code":1,"description":"Submission succeeded","result":"1"})") << false
        << QString() << false << Error::Kind::ServerError << QStringLiteral("Submission succeeded")
        << QStringLiteral("1");
    QTest::newRow("HTTP 402 gateway quota")
        << 402 << QByteArray(R"({"error":{"message":"用户额度不足","type":"new_api_error"}})") << false
        << QString() << false << Error::Kind::PaymentRequired << QStringLiteral("用户额度不足") << QString();
    // Gateways say "no credits" in words (new-api's 403, its Midjourney relay's code 4).
    QTest::newRow("HTTP 403 gateway quota")
        << 403
        << QByteArray(
               R"({"error":{"message":"user quota is not enough","type":"new_api_error","code":"insufficient_user_quota"}})")
        << false << QString() << false << Error::Kind::PaymentRequired
        << QStringLiteral("user quota is not enough (insufficient_user_quota)") << QString();
    // Issue 12: the machine word and the words for people side by side — the words lead, the code follows.
    QTest::newRow("code 4 with the words and the machine word")
        << 200 << QByteArray(R"({"code":4,"description":"quota_not_enough","message":"用户额度不足"})")
        << false << QString() << false << Error::Kind::PaymentRequired
        << QStringLiteral("用户额度不足 (quota_not_enough)") << QStringLiteral("4");
    QTest::newRow("HTTP 403 words in error, machine word in description")
        << 403 << QByteArray(R"({"description":"quota_not_enough","error":{"message":"用户额度不足"}})")
        << false << QString() << false << Error::Kind::PaymentRequired
        << QStringLiteral("用户额度不足 (quota_not_enough)") << QString();
    QTest::newRow("HTTP 400 relay quota_not_enough")
        << 400 << QByteArray(R"({"description":"quota_not_enough ","type":"upstream_error","code":4})")
        << false << QString() << false << Error::Kind::PaymentRequired << QStringLiteral("quota_not_enough")
        << QStringLiteral("4");
    QTest::newRow("code 4 quota_not_enough with HTTP 200")
        << 200 << QByteArray(R"({"code":4,"description":"quota_not_enough"})") << false << QString() << false
        << Error::Kind::PaymentRequired << QStringLiteral("quota_not_enough") << QStringLiteral("4");
    QTest::newRow("HTTP 503 page") << 503 << QByteArray("<html><title>503</title></html>") << false
                                   << QString() << false << Error::Kind::Maintenance
                                   << QStringLiteral("HTTP 503: <html><title>503</title></html>")
                                   << QString();
}

void TestMjproxyAdapterAnswers::submitCodes()
{
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(QString, remoteId);
    QFETCH(bool, modal);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, message);
    QFETCH(QString, vendorCode);
    const auto outcome
        = adapter().parseSubmit(Operation::imagine(QStringLiteral("cat")), answer(httpStatus, body));
    QCOMPARE(outcome.ok(), ok);
    if (ok) {
        QCOMPARE(outcome->remoteId, remoteId);
        QCOMPARE(outcome->needsModal, modal);
        QVERIFY(!outcome->immediate);
        return;
    }
    QCOMPARE(outcome.error().kind, kind);
    QCOMPARE(outcome.error().message, message);
    QCOMPARE(outcome.error().vendorCode, vendorCode);
    QCOMPARE(outcome.error().httpStatus, httpStatus);
}

void TestMjproxyAdapterAnswers::submitMalformed_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("contains");
    QTest::newRow("HTML with 200") << QByteArray("<!DOCTYPE html><html><body>Login</body></html>")
                                   << QStringLiteral("web page");
    QTest::newRow("broken JSON") << QByteArray(R"({"code":1,"result":)") << QStringLiteral("broken JSON");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
    QTest::newRow("a list") << QByteArray("[1,2]") << QStringLiteral("not a JSON object");
    QTest::newRow("no code") << QByteArray(R"({"result":"1"})") << QStringLiteral("\"code\" is missing");
    QTest::newRow("code is an object")
        << QByteArray(R"({"code":{},"result":"1"})") << QStringLiteral("\"code\" is missing");
    QTest::newRow("no result") << QByteArray(R"({"code":1,"description":"ok"})") << QStringLiteral("task id");
    QTest::newRow("result is an object")
        << QByteArray(R"({"code":1,"result":{"id":1}})") << QStringLiteral("task id");
}

void TestMjproxyAdapterAnswers::submitMalformed()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, contains);
    const auto outcome = adapter().parseSubmit(Operation::imagine(QStringLiteral("cat")), answer(200, body));
    QVERIFY(!outcome);
    QCOMPARE(outcome.error().kind, Error::Kind::BadResponse);
    QVERIFY2(outcome.error().message.contains(contains), qPrintable(outcome.error().message));
}

void TestMjproxyAdapterAnswers::bigIds()
{
    const Operation op = Operation::imagine(QStringLiteral("cat"));
    QCOMPARE(adapter().parseSubmit(op, fixtureAnswer(QStringLiteral("submit-bigid.json")))->remoteId,
             QStringLiteral("1348306030706036789"));
    QCOMPARE(adapter().parseSubmit(op, fixtureAnswer(QStringLiteral("submit-hugeid.json")))->remoteId,
             QStringLiteral("98765432109876543210"));
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-bigid.json")));
    QVERIFY(snap);
    QCOMPARE(snap->remote.value(QLatin1String("seed")).toString(), QStringLiteral("98765432109876543210"));
    QCOMPARE(adapter().buildStatus(QStringLiteral("1348306030706036789"), account()).path,
             QStringLiteral("/mj/task/1348306030706036789/fetch"));
}

void TestMjproxyAdapterAnswers::statusGrid()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-imagine-success.json")));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Succeeded);
    QCOMPARE(snap->progress.value_or(-1), 100);
    QCOMPARE(snap->results.size(), 1);
    QCOMPARE(snap->results[0].role, ImageRole::Grid);
    QCOMPARE(snap->results[0].index, 0);
    QVERIFY(snap->results[0].url.startsWith(
        QStringLiteral("https://img.innk.cc/attachments/1320066655572987907/1348306030429470862/")));
    QVERIFY(snap->results[0].url.contains(QStringLiteral("?ex=67cefb57&is=67cda9d7&hm=")));
    QCOMPARE(snap->remote.value(QLatin1String("buttons")).toArray().size(), 9);
    QCOMPARE(snap->remote.value(QLatin1String("finalPrompt")).toString(),
             QStringLiteral("cat --v 6.1 --sref <https://s.mj.run/ktqQpnwPoPk>"));
    QCOMPARE(snap->remote.value(QLatin1String("promptEn")).toString(), QStringLiteral("cat --v 6.1"));
    QCOMPARE(snap->remote.value(QLatin1String("action")).toString(), QStringLiteral("IMAGINE"));
    QVERIFY(!snap->error);

    // Pan, zoom and vary region results are new grids too (they carry U1-U4).
    const auto panned = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-pan-result.json")));
    QVERIFY(panned);
    QCOMPARE(panned->results.size(), 1);
    QCOMPARE(panned->results[0].role, ImageRole::Grid);
}

void TestMjproxyAdapterAnswers::statusProgress()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-in-progress.json")));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Running);
    QCOMPARE(snap->progress.value_or(-1), 62);
    QVERIFY(snap->results.isEmpty());
    QCOMPARE(snap->remote.value(QLatin1String("preview")).toString(),
             QStringLiteral("https://cdn.example.com/ephemeral-attachments/1/2/preview.webp"));
    QVERIFY(!snap->remote.contains(QLatin1String("buttons"))); // an empty list does not wipe stored buttons
}

void TestMjproxyAdapterAnswers::statusWaitingStates_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("NOT_START") << QStringLiteral("task-not-start.json");
    QTest::newRow("SUBMITTED") << QStringLiteral("task-submitted.json");
    QTest::newRow("MODAL") << QStringLiteral("task-modal.json");
}

void TestMjproxyAdapterAnswers::statusWaitingStates()
{
    QFETCH(QString, name);
    const auto snap = adapter().parseStatus(fixtureAnswer(name));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Submitted);
    QCOMPARE(snap->progress.value_or(-1), 0);
    QVERIFY(snap->results.isEmpty());
    QVERIFY(!snap->error);
}

void TestMjproxyAdapterAnswers::statusSingleImages_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("url");
    QTest::newRow("U with v7 buttons")
        << fixture(QStringLiteral("task-upscale-v7.json"))
        << QStringLiteral("https://cdn.example.com/attachments/1/2/cat_u2.png");
    QTest::newRow("U with v5 buttons")
        << fixture(QStringLiteral("task-upscale-v5.json"))
        << QStringLiteral("https://cdn.example.com/attachments/1/2/cat_v5_u1.png");
    QTest::newRow("UPSCALE without buttons")
        << QByteArray(R"({"id":"1","action":"UPSCALE","status":"SUCCESS","imageUrl":"https://x/u.png"})")
        << QStringLiteral("https://x/u.png");
    QTest::newRow("trueai ACTION with upscale buttons")
        << QByteArray(R"({"id":"1","action":"ACTION","status":"SUCCESS","imageUrl":"https://x/s.png",)"
                      R"("buttons":[{"customId":"MJ::JOB::upsample_v7_2x_subtle::1::h::SOLO"}]})")
        << QStringLiteral("https://x/s.png");
    QTest::newRow("a single entry in imageUrls") << QByteArray(
        R"({"id":"1","action":"UPSCALE","status":"SUCCESS","imageUrls":[{"url":"https://x/1.png"}]})")
                                                 << QStringLiteral("https://x/1.png");
}

void TestMjproxyAdapterAnswers::statusSingleImages()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, url);
    const auto snap = adapter().parseStatus(answer(200, body));
    QVERIFY2(snap, snap ? "" : qPrintable(snap.error().message));
    QCOMPARE(snap->state, TaskState::Succeeded);
    QCOMPARE(snap->results.size(), 1);
    QCOMPARE(snap->results[0].role, ImageRole::Upscale);
    QCOMPARE(snap->results[0].index, 0);
    QCOMPARE(snap->results[0].url, url);
}

void TestMjproxyAdapterAnswers::statusTiles()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-tiles.json")));
    QVERIFY(snap);
    QCOMPARE(snap->results.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(snap->results[i].role, ImageRole::Tile);
        QCOMPARE(snap->results[i].index, i + 1);
        QCOMPARE(snap->results[i].url, QStringLiteral("https://cdn.example.com/0_%1.png").arg(i));
    }
    QCOMPARE(snap->remote.value(QLatin1String("seed")).toString(), QStringLiteral("3201758453"));

    const auto strings = adapter().parseStatus(answer(
        200,
        R"({"status":"SUCCESS","action":"IMAGINE","imageUrls":["https://a/1","https://a/2","https://a/3","https://a/4"]})"));
    QVERIFY(strings);
    QCOMPARE(strings->results.size(), 4);
    QCOMPARE(strings->results[3].url, QStringLiteral("https://a/4"));
}

void TestMjproxyAdapterAnswers::statusVideos()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-video.json")));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Succeeded);
    QCOMPARE(snap->results.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(snap->results[i].role, ImageRole::Video);
        QCOMPARE(snap->results[i].index, i + 1);
        QCOMPARE(snap->results[i].url, QStringLiteral("https://cdn.example.com/v%1.mp4").arg(i + 1));
    }
    const auto single = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-video-single.json")));
    QVERIFY(single);
    QCOMPARE(single->results.size(), 1);
    QCOMPARE(single->results[0].role, ImageRole::Video);
    QCOMPARE(single->results[0].index, 1);
    QCOMPARE(single->results[0].url, QStringLiteral("https://cdn.example.com/only.mp4"));
}

void TestMjproxyAdapterAnswers::statusTextResults()
{
    const auto described = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-describe.json")));
    QVERIFY(described);
    QCOMPARE(described->state, TaskState::Succeeded);
    QVERIFY(described->results.isEmpty()); // its imageUrl is the uploaded source, not a result
    QVERIFY(described->remote.value(QLatin1String("finalPrompt"))
                .toString()
                .startsWith(QStringLiteral("1️⃣ a cat")));
    QVERIFY(
        described->remote.value(QLatin1String("finalPrompt")).toString().contains(QStringLiteral("4️⃣")));

    const auto shortened = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-shorten.json")));
    QVERIFY(shortened);
    QCOMPARE(shortened->state, TaskState::Succeeded);
    QVERIFY(shortened->results.isEmpty());
    QVERIFY(shortened->remote.value(QLatin1String("finalPrompt"))
                .toString()
                .contains(QStringLiteral("5️⃣ cat soft light")));
}

void TestMjproxyAdapterAnswers::statusFailures_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("banned") << fixture(QStringLiteral("task-failure-banned.json"))
                            << Error::Kind::ContentRejected
                            << QStringLiteral("Banned prompt detected: the word \"gore\" is not allowed");
    QTest::newRow("moderation") << fixture(QStringLiteral("task-failure-moderation.json"))
                                << Error::Kind::ContentRejected
                                << QStringLiteral(
                                       "[Job action restricted] Sorry! Our AI moderator thinks this prompt "
                                       "is probably against our community standards.");
    QTest::newRow("parameters") << fixture(QStringLiteral("task-failure-other.json"))
                                << Error::Kind::InvalidRequest
                                << QStringLiteral("Invalid parameter: Unrecognized parameter(s): `--foo`");
    QTest::newRow("prohibited, Chinese server")
        << QByteArray(R"({"status":"FAILURE","failReason":"提示词包含违禁词"})")
        << Error::Kind::ContentRejected << QStringLiteral("提示词包含违禁词");
    QTest::newRow("other") << QByteArray(R"({"status":"FAILURE","failReason":"Discord account expired"})")
                           << Error::Kind::ServerError << QStringLiteral("Discord account expired");
    QTest::newRow("no reason") << QByteArray(R"({"status":"FAILURE","failReason":null})")
                               << Error::Kind::ServerError
                               << QStringLiteral(
                                      "midjourney-proxy reported the task as failed without giving a reason");
}

void TestMjproxyAdapterAnswers::statusFailures()
{
    QFETCH(QByteArray, body);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, message);
    const auto snap = adapter().parseStatus(answer(200, body));
    QVERIFY(snap); // a failed task is a snapshot, not an error of the poll
    QCOMPARE(snap->state, TaskState::Failed);
    QVERIFY(snap->error);
    QCOMPARE(snap->error->kind, kind);
    QCOMPARE(snap->error->message, message);
    QVERIFY(snap->results.isEmpty());
}

void TestMjproxyAdapterAnswers::statusCancelled()
{
    const auto snap = adapter().parseStatus(fixtureAnswer(QStringLiteral("task-cancel.json")));
    QVERIFY(snap);
    QCOMPARE(snap->state, TaskState::Cancelled);
}

void TestMjproxyAdapterAnswers::statusMalformed_data()
{
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("contains");

    QTest::newRow("empty 200 (novicezk's null)")
        << 200 << QByteArray() << Error::Kind::NotFound << QStringLiteral("does not know this task");
    QTest::newRow("null") << 200 << QByteArray("null") << Error::Kind::NotFound
                          << QStringLiteral("does not know this task");
    QTest::newRow("404") << 404 << QByteArray(R"({"code":3,"description":"task not found"})")
                         << Error::Kind::NotFound << QStringLiteral("task not found");
    QTest::newRow("envelope not found") << 200 << QByteArray(R"({"code":3,"description":"任务不存在"})")
                                        << Error::Kind::NotFound << QStringLiteral("任务不存在");
    QTest::newRow("401") << 401 << QByteArray(R"({"error":{"message":"invalid token"}})")
                         << Error::Kind::Unauthorized << QStringLiteral("invalid token");
    QTest::newRow("502") << 502 << QByteArray("Bad Gateway") << Error::Kind::ServerError
                         << QStringLiteral("HTTP 502: Bad Gateway");
    QTest::newRow("HTML") << 200 << QByteArray("<html><head><title>Login</title></head></html>")
                          << Error::Kind::BadResponse << QStringLiteral("web page");
    QTest::newRow("broken JSON") << 200 << QByteArray(R"({"status":"SUC)") << Error::Kind::BadResponse
                                 << QStringLiteral("broken JSON");
    QTest::newRow("no status") << 200 << QByteArray(R"({"id":"1"})") << Error::Kind::BadResponse
                               << QStringLiteral("\"status\" is missing or not text");
    QTest::newRow("status is a number")
        << 200 << QByteArray(R"({"id":"1","status":4})") << Error::Kind::BadResponse
        << QStringLiteral("\"status\" is missing or not text");
    QTest::newRow("unknown status") << 200 << QByteArray(R"({"status":"EXPLODED"})")
                                    << Error::Kind::BadResponse
                                    << QStringLiteral("unknown task status \"EXPLODED\"");
    QTest::newRow("buttons not a list")
        << 200 << QByteArray(R"({"status":"SUCCESS","imageUrl":"u","buttons":{}})")
        << Error::Kind::BadResponse << QStringLiteral("\"buttons\" is not a list");
    QTest::newRow("imageUrls not a list")
        << 200 << QByteArray(R"({"status":"SUCCESS","imageUrls":"u"})") << Error::Kind::BadResponse
        << QStringLiteral("\"imageUrls\" is not a list");
    QTest::newRow("imageUrls entry without url")
        << 200 << QByteArray(R"({"status":"SUCCESS","imageUrls":[{"u":1}]})") << Error::Kind::BadResponse
        << QStringLiteral("\"imageUrls\" has an entry without a URL");
    QTest::newRow("imageUrl is a number")
        << 200 << QByteArray(R"({"status":"SUCCESS","imageUrl":5})") << Error::Kind::BadResponse
        << QStringLiteral("\"imageUrl\" is not text");
    QTest::newRow("success without an image")
        << 200 << QByteArray(R"({"status":"SUCCESS","action":"IMAGINE"})") << Error::Kind::BadResponse
        << QStringLiteral("has no \"imageUrl\"");
    QTest::newRow("videoUrls not a list")
        << 200 << QByteArray(R"({"status":"SUCCESS","videoUrls":7})") << Error::Kind::BadResponse
        << QStringLiteral("\"videoUrls\" is not a list");
}

void TestMjproxyAdapterAnswers::statusMalformed()
{
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, body);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, contains);
    const auto snap = adapter().parseStatus(answer(httpStatus, body));
    QVERIFY(!snap);
    QCOMPARE(snap.error().kind, kind);
    QVERIFY2(snap.error().message.contains(contains), qPrintable(snap.error().message));
}

void TestMjproxyAdapterAnswers::cancel_data()
{
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("message");

    QTest::newRow("code 1") << 200 << fixture(QStringLiteral("cancel-ok.json")) << true
                            << Error::Kind::BadResponse << QString();
    QTest::newRow("empty 200") << 200 << QByteArray() << true << Error::Kind::BadResponse << QString();
    QTest::newRow("JSON without code")
        << 200 << QByteArray(R"({"status":"CANCEL"})") << true << Error::Kind::BadResponse << QString();
    QTest::newRow("refused") << 200 << fixture(QStringLiteral("cancel-refused.json")) << false
                             << Error::Kind::InvalidRequest
                             << QStringLiteral("The server did not cancel the task: 任务状态不允许取消");
    QTest::newRow("not found") << 200 << QByteArray(R"({"code":3,"description":"任务不存在"})") << false
                               << Error::Kind::NotFound
                               << QStringLiteral("The server did not cancel the task: 任务不存在");
    QTest::newRow("admin only") << 403 << QByteArray(R"({"description":"仅管理员可操作"})") << false
                                << Error::Kind::Unauthorized
                                << QStringLiteral("The server did not cancel the task: 仅管理员可操作");
    QTest::newRow("HTML 200") << 200 << QByteArray("<html><title>x</title></html>") << false
                              << Error::Kind::BadResponse << QString();
}

void TestMjproxyAdapterAnswers::cancel()
{
    QFETCH(int, httpStatus);
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, message);

    const auto call
        = adapter().buildCancel(QStringLiteral("1320098173412546"), account(QStringLiteral("/mj-fast")));
    QVERIFY(call);
    QCOMPARE(call->method, QByteArray("POST"));
    QCOMPARE(call->path, QStringLiteral("/mj-fast/mj/task/1320098173412546/cancel"));
    QCOMPARE(call->purpose, HttpCall::Purpose::Cancel);

    const Status s = adapter().parseCancel(answer(httpStatus, body));
    QCOMPARE(s.ok(), ok);
    if (ok)
        return;
    QCOMPARE(s.error().kind, kind);
    if (!message.isEmpty())
        QCOMPARE(s.error().message, message);
}

void TestMjproxyAdapterAnswers::batch()
{
    const HttpCall call = MjproxyAdapter::buildBatchStatus(
        {QStringLiteral("1320098173412546"), QStringLiteral("1348306030706036789")}, account());
    QCOMPARE(call.method, QByteArray("POST"));
    QCOMPARE(call.path, QStringLiteral("/mj/task/list-by-condition"));
    QCOMPARE(call.purpose, HttpCall::Purpose::Status);
    QCOMPARE(bodyOf(call), requestFixture(QStringLiteral("list-by-condition.json")));

    const auto tasks
        = MjproxyAdapter::parseBatchStatus(fixtureAnswer(QStringLiteral("list-by-condition.json")));
    QVERIFY(tasks);
    QCOMPARE(tasks->keys(),
             (QStringList {QStringLiteral("1320098173412546"), QStringLiteral("1320098173412550"),
                           QStringLiteral("1348306030706036789")}));
    QCOMPARE(tasks->value(QStringLiteral("1320098173412546")).state, TaskState::Running);
    QCOMPARE(tasks->value(QStringLiteral("1320098173412546")).progress.value_or(-1), 40);
    const TaskSnapshot done = tasks->value(QStringLiteral("1348306030706036789"));
    QCOMPARE(done.state, TaskState::Succeeded);
    QCOMPARE(done.results.size(), 1);
    QCOMPARE(done.results[0].role, ImageRole::Upscale);
    QCOMPARE(tasks->value(QStringLiteral("1320098173412550")).error->kind, Error::Kind::ContentRejected);

    const auto notList = MjproxyAdapter::parseBatchStatus(answer(200, R"({"code":4})"));
    QVERIFY(!notList);
    QCOMPARE(notList.error().kind, Error::Kind::BadResponse);
    const auto denied = MjproxyAdapter::parseBatchStatus(answer(401, R"({"error":"bad key"})"));
    QVERIFY(!denied);
    QCOMPARE(denied.error().kind, Error::Kind::Unauthorized);
    QCOMPARE(denied.error().message, QStringLiteral("bad key"));
}

QTEST_GUILESS_MAIN(TestMjproxyAdapterAnswers)
#include "tst_mjproxyadapter_answers.moc"
