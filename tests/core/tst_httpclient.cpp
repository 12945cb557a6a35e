#include "fakehttpserver.h"
#include "net/httpclient.h"
#include "net/retrypolicy.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTimeZone>

#include <memory>

Q_DECLARE_METATYPE(tessera::Error::Kind)
Q_DECLARE_METATYPE(tessera::HttpCall::Purpose)
Q_DECLARE_METATYPE(tessera::HttpCall::Auth)
Q_DECLARE_METATYPE(tessera::RetryPolicy::Failure)

using namespace tessera;
using tessera::test::Answer;
using tessera::test::FakeHttpServer;

namespace {

using Purpose = HttpCall::Purpose;
using Failure = RetryPolicy::Failure;

const QString kKey = QStringLiteral("sk-test-0123456789");

// Fast settings: backoffs of a few ms, deterministic jitter (always the ceiling).
HttpClient::Config fastConfig()
{
    HttpClient::Config config;
    config.transferTimeoutMs = 3000;
    config.retry.baseMs = 10;
    config.retry.capMs = 40;
    config.retry.maxAttempts = 3;
    config.random = [](qint64 bound) { return bound; };
    return config;
}

struct Finished
{
    Result<HttpResponse> result;
    int emitted = 0;
};

// Waits for the reply, checks that finished() came exactly once, deletes the reply.
Finished await(TransportReply *reply, int timeoutMs = 8000)
{
    std::unique_ptr<TransportReply> owner(reply);
    QSignalSpy spy(reply, &TransportReply::finished);
    if (!spy.wait(timeoutMs))
        return {Error::make(Error::Kind::Io, QStringLiteral("test: the reply never finished")), 0};
    QCoreApplication::processEvents(); // a second emission, if any, is queued too
    return {reply->result(), static_cast<int>(spy.count())};
}

} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void retryTable_data();
    void retryTable();
    void retryJitterBounds();
    void submitsProvenNotCreated();

    void authStyles_data();
    void authStyles();
    void noKeyNoRequest_data();
    void noKeyNoRequest();
    void jsonBodyAndHeaders();
    void deleteWithBody();
    void urlJoinAndQuery();
    void insecureBaseRefusedBeforeSending_data();
    void insecureBaseRefusedBeforeSending();
    void statusRetries_data();
    void statusRetries();
    void rateLimitHoldsTheAccount();
    void hangTimesOut();
    void droppedConnection();
    void droppedMidBody();
    void connectionRefused();
    void oversizeAnswer_data();
    void oversizeAnswer();
    void download();
    void downloadCapAndEarlyAbort();
    void downloadUrlUpgrade_data();
    void downloadUrlUpgrade();
    void redirectPolicy_data();
    void redirectPolicy();
    void redirectFollowedOnLoopback();
    void redirectToFileRefused();
    void tooManyRedirects();
    void abortDuringRetryWait();
    void abortWhileHeldByGate();
    void abortInFlight();
    void redaction();
    void postRedirects();
    void largeSubmitBody();
    void keepAliveAndParallel();
    void serverHooks();
    void managerDestroyed();

private:
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<FakeHttpServer> m_server;
    std::unique_ptr<HttpClient> m_client;
    Account m_account;

    void makeClient(HttpClient::Config config)
    {
        m_client = std::make_unique<HttpClient>(*m_nam, std::move(config));
    }
};

void TestHttpClient::init()
{
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_server = std::make_unique<FakeHttpServer>();
    makeClient(fastConfig());
    m_account = Account();
    m_account.id = QStringLiteral("acc-1");
    m_account.family = QStringLiteral("kie");
    m_account.baseUrl = m_server->baseUrl() + QLatin1Char('/');
}

void TestHttpClient::cleanup()
{
    m_client.reset();
    m_server.reset();
    m_nam.reset();
}

// ---- RetryPolicy: the table of PROVIDERS.md §6 ----

void TestHttpClient::retryTable_data()
{
    QTest::addColumn<Purpose>("purpose");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<int>("status");
    QTest::addColumn<Failure>("failure");
    QTest::addColumn<int>("retryAfterMs"); // -1: none
    QTest::addColumn<bool>("retry");
    QTest::addColumn<qint64>("delayMs");

    const auto answer = [](const char *name, Purpose p, int attempt, int status, int retryAfterMs, bool retry,
                           qint64 delay) {
        QTest::newRow(name) << p << attempt << status << Failure::None << retryAfterMs << retry << delay;
    };
    const auto failed = [](const char *name, Purpose p, int attempt, Failure f, bool retry, qint64 delay) {
        QTest::newRow(name) << p << attempt << 0 << f << -1 << retry << delay;
    };
    // base 100, cap 1000, 6 attempts, Retry-After waited up to 5 s; the jitter returns its bound.
    answer("500 status, 1st", Purpose::Status, 1, 500, -1, true, 100);
    answer("500 status, 3rd", Purpose::Status, 3, 500, -1, true, 400);
    answer("500 status, capped", Purpose::Status, 5, 500, -1, true, 1000);
    answer("500 status, last attempt", Purpose::Status, 6, 500, -1, false, 0);
    answer("500 submit", Purpose::Submit, 1, 500, -1, false, 0);
    answer("500 other", Purpose::Other, 1, 500, -1, false, 0);
    answer("502 cancel", Purpose::Cancel, 1, 502, -1, true, 100);
    answer("504 status", Purpose::Status, 2, 504, -1, true, 200);
    answer("455 status", Purpose::Status, 1, 455, -1, true, 100);
    answer("455 submit", Purpose::Submit, 1, 455, -1, false, 0);
    answer("408 status", Purpose::Status, 1, 408, -1, true, 100);
    answer("408 submit", Purpose::Submit, 1, 408, -1, false, 0);
    answer("503 submit", Purpose::Submit, 1, 503, -1, true, 100);
    answer("503 submit, Retry-After", Purpose::Submit, 1, 503, 2000, true, 2000);
    answer("429 submit, Retry-After", Purpose::Submit, 1, 429, 3000, true, 3000);
    answer("429 status, Retry-After", Purpose::Status, 2, 429, 1500, true, 1500);
    answer("429 other, no Retry-After", Purpose::Other, 2, 429, -1, true, 200);
    answer("429, Retry-After past", Purpose::Submit, 1, 429, -2000, true, 0);
    answer("429, Retry-After too far", Purpose::Status, 1, 429, 6000, false, 0);
    answer("429, last attempt", Purpose::Submit, 6, 429, 10, false, 0);
    for (const int status : {400, 401, 402, 403, 404, 422, 501, 505}) {
        for (const Purpose p : {Purpose::Status, Purpose::Submit}) {
            const QByteArray name
                = QByteArray::number(status) + (p == Purpose::Status ? " status" : " submit");
            answer(name.constData(), p, 1, status, -1, false, 0);
        }
    }
    answer("200", Purpose::Status, 1, 200, -1, false, 0);
    answer("302", Purpose::Status, 1, 302, -1, false, 0);
    failed("refused submit", Purpose::Submit, 1, Failure::NotConnected, true, 100);
    failed("refused other", Purpose::Other, 2, Failure::NotConnected, true, 200);
    failed("refused, last attempt", Purpose::Submit, 6, Failure::NotConnected, false, 0);
    failed("timeout status", Purpose::Status, 1, Failure::Timeout, true, 100);
    failed("timeout cancel", Purpose::Cancel, 1, Failure::Timeout, true, 100);
    failed("timeout submit", Purpose::Submit, 1, Failure::Timeout, false, 0);
    failed("dropped status", Purpose::Status, 2, Failure::Dropped, true, 200);
    failed("dropped submit", Purpose::Submit, 1, Failure::Dropped, false, 0);
    failed("dropped other", Purpose::Other, 1, Failure::Dropped, false, 0);
    failed("fatal status", Purpose::Status, 1, Failure::Fatal, false, 0);
}

void TestHttpClient::retryTable()
{
    QFETCH(Purpose, purpose);
    QFETCH(int, attempt);
    QFETCH(int, status);
    QFETCH(Failure, failure);
    QFETCH(int, retryAfterMs);
    QFETCH(bool, retry);
    QFETCH(qint64, delayMs);

    RetryPolicy::Config config;
    config.baseMs = 100;
    config.capMs = 1000;
    config.maxAttempts = 6;
    config.maxWaitMs = 5000;
    const RetryPolicy policy(config, [](qint64 bound) { return bound; });
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(1'780'000'000'000, QTimeZone::utc());
    const RetryPolicy::Outcome outcome = failure == Failure::None
        ? RetryPolicy::Outcome::answer(status, retryAfterMs == -1 ? QDateTime() : now.addMSecs(retryAfterMs))
        : RetryPolicy::Outcome::failed(failure);

    const RetryPolicy::Decision d = policy.decide(purpose, attempt, outcome, now);
    QCOMPARE(d.retry, retry);
    if (retry)
        QCOMPARE(d.delayMs, delayMs);
}

// The one rule for when a failed submit may go again (issue 13: it lived in the engine).
void TestHttpClient::submitsProvenNotCreated()
{
    QVERIFY(RetryPolicy::provesNotCreated(Error::make(Error::Kind::RateLimited, {}, 429)));
    QVERIFY(RetryPolicy::provesNotCreated(Error::make(Error::Kind::Maintenance, {}, 503)));
    // midjourney-proxy's queue full: HTTP 200, code 23.
    QVERIFY(
        RetryPolicy::provesNotCreated(Error::make(Error::Kind::RateLimited, {}, 200, QStringLiteral("23"))));
    QVERIFY(!RetryPolicy::provesNotCreated(Error::make(Error::Kind::ServerError, {}, 500)));
    QVERIFY(!RetryPolicy::provesNotCreated(Error::make(Error::Kind::Timeout, {})));
    QVERIFY(!RetryPolicy::provesNotCreated(Error::make(Error::Kind::Maintenance, {}, 455)));
}

void TestHttpClient::retryJitterBounds()
{
    RetryPolicy::Config config;
    config.baseMs = 100;
    config.capMs = 1000;
    config.maxAttempts = 10;
    // Full jitter may pick 0; a 429 without Retry-After waits at least half the ceiling.
    const RetryPolicy zero(config, [](qint64) { return 0; });
    QCOMPARE(zero.decide(Purpose::Status, 3, RetryPolicy::Outcome::answer(500), {}).delayMs, 0);
    QCOMPARE(zero.decide(Purpose::Status, 3, RetryPolicy::Outcome::answer(429), {}).delayMs, 200);
    QCOMPARE(zero.backoffCeiling(1), 100);
    QCOMPARE(zero.backoffCeiling(40), 1000); // no overflow

    const RetryPolicy real(config); // QRandomGenerator
    for (int i = 0; i < 200; ++i) {
        const qint64 d = real.decide(Purpose::Status, 2, RetryPolicy::Outcome::answer(502), {}).delayMs;
        QVERIFY2(d >= 0 && d <= 200, QByteArray::number(d).constData());
    }
}

// ---- requests as sent ----

void TestHttpClient::authStyles_data()
{
    QTest::addColumn<HttpCall::Auth>("auth");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("value");

    QTest::newRow("bearer") << HttpCall::Auth::Bearer << kKey << QByteArray("Authorization")
                            << QByteArray("Bearer ") + kKey.toUtf8();
    QTest::newRow("raw") << HttpCall::Auth::Raw << kKey << QByteArray("Authorization") << kKey.toUtf8();
    QTest::newRow("mj-api-secret") << HttpCall::Auth::MjApiSecret << kKey << QByteArray("mj-api-secret")
                                   << kKey.toUtf8();
    QTest::newRow("none") << HttpCall::Auth::None << kKey << QByteArray() << QByteArray();
    QTest::newRow("none, no key") << HttpCall::Auth::None << QString() << QByteArray() << QByteArray();
}

void TestHttpClient::authStyles()
{
    QFETCH(HttpCall::Auth, auth);
    QFETCH(QString, key);
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);

    m_server->on("GET", "/me", Answer::jsonText(200, R"({"ok":true})"));
    HttpCall call = HttpCall::get(QStringLiteral("/me"));
    call.auth = auth;
    const Finished f = await(m_client->send(call, m_account, key));
    QVERIFY(f.result.ok());
    QCOMPARE(f.emitted, 1);
    QCOMPARE(f.result->status, 200);
    QVERIFY(f.result->received.isValid());

    const auto request = m_server->last("GET", "/me");
    QVERIFY(request);
    if (header.isEmpty()) {
        QVERIFY(!request->hasHeader("Authorization"));
        QVERIFY(!request->hasHeader("mj-api-secret"));
    } else {
        QCOMPARE(request->header(header), value);
        const QByteArray other = header == "Authorization" ? "mj-api-secret" : "Authorization";
        QVERIFY(!request->hasHeader(other));
    }
}

void TestHttpClient::noKeyNoRequest_data()
{
    QTest::addColumn<HttpCall::Auth>("auth");
    QTest::newRow("bearer") << HttpCall::Auth::Bearer;
    QTest::newRow("raw") << HttpCall::Auth::Raw;
    QTest::newRow("mj-api-secret") << HttpCall::Auth::MjApiSecret;
}

// A call that should carry the key but has none is refused with MissingKey, and nothing reaches the
// server: never an anonymous request (issue "Correctness" §2).
void TestHttpClient::noKeyNoRequest()
{
    QFETCH(HttpCall::Auth, auth);
    m_server->on("*", "/*", Answer::jsonText(200, R"({"ok":true})"));
    HttpCall call = HttpCall::post(QStringLiteral("/cancel"), QJsonObject {{QStringLiteral("id"), 1}});
    call.auth = auth;
    const Finished f = await(m_client->send(call, m_account, QString()));
    QCOMPARE(f.emitted, 1);
    QVERIFY(!f.result.ok());
    QCOMPARE(f.result.error().kind, Error::Kind::MissingKey);
    QVERIFY2(f.result.error().message.contains(m_account.displayName()),
             qPrintable(f.result.error().message));
    QCOMPARE(m_server->count(), 0);
}

void TestHttpClient::jsonBodyAndHeaders()
{
    m_server->on("POST", QStringLiteral("/api/v1/mj/generate"),
                 Answer::json(200, QJsonObject {{QStringLiteral("taskId"), QStringLiteral("t1")}}));
    const QJsonObject body {{QStringLiteral("prompt"), QStringLiteral("a red fox")},
                            {QStringLiteral("n"), 4}};
    const Finished f
        = await(m_client->send(HttpCall::post(QStringLiteral("/api/v1/mj/generate"), body), m_account, kKey));
    QVERIFY(f.result.ok());
    QCOMPARE(f.result->status, 200);
    QCOMPARE(f.result->header("content-type"), QByteArray("application/json"));
    QVERIFY(f.result->body.contains("t1"));

    const auto request = m_server->last("POST", QStringLiteral("/api/v1/mj/generate"));
    QVERIFY(request);
    QCOMPARE(request->json(), body);
    QCOMPARE(request->header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(request->header("User-Agent"), QByteArray("Tessera/" TESSERA_VERSION));
    QCOMPARE(request->header("Accept"), QByteArray("application/json"));
    QVERIFY(!request->hasHeader("Cookie"));
}

void TestHttpClient::deleteWithBody()
{
    m_server->on("DELETE", QStringLiteral("/v1/midjourney/cancel"), Answer::json(200, {}));
    const QJsonObject body {{QStringLiteral("task_id"), QStringLiteral("42")}};
    const Finished f = await(m_client->send(
        HttpCall::custom("DELETE", QStringLiteral("/v1/midjourney/cancel"), body, Purpose::Cancel), m_account,
        kKey));
    QVERIFY(f.result.ok());
    QCOMPARE(f.result->status, 200);
    const auto request = m_server->last("DELETE", QStringLiteral("/v1/midjourney/cancel"));
    QVERIFY(request);
    QCOMPARE(request->json(), body);
    QCOMPARE(request->header("Content-Type"), QByteArray("application/json"));
}

void TestHttpClient::urlJoinAndQuery()
{
    m_server->on("GET", QStringLiteral("/prefix/api/v1/mj/record-info"), Answer::json(200, {}));
    m_account.baseUrl = m_server->baseUrl() + QStringLiteral("/prefix///");
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("taskId"), QStringLiteral("1234567890123456789"));
    query.addQueryItem(QStringLiteral("note"), QStringLiteral("1+2 = 3 & ü"));
    const Finished f = await(
        m_client->send(HttpCall::get(QStringLiteral("api/v1/mj/record-info"), query), m_account, kKey));
    QVERIFY(f.result.ok());
    QCOMPARE(f.result->status, 200);
    const auto request = m_server->last("GET", QStringLiteral("/prefix/api/v1/mj/record-info"));
    QVERIFY(request);
    QVERIFY2(request->query.contains(QLatin1String("%2B")), qPrintable(request->query));
    const QUrlQuery got = request->queryItems();
    QCOMPARE(got.queryItemValue(QStringLiteral("taskId")), QStringLiteral("1234567890123456789"));
    QCOMPARE(got.queryItemValue(QStringLiteral("note"), QUrl::FullyDecoded), QStringLiteral("1+2 = 3 & ü"));

    const Result<QUrl> url = HttpClient::callUrl(QStringLiteral("https://api.example.com/"),
                                                 HttpCall::get(QStringLiteral("/v1/x")));
    QVERIFY(url.ok());
    QCOMPARE(url->toString(), QStringLiteral("https://api.example.com/v1/x"));
}

void TestHttpClient::insecureBaseRefusedBeforeSending_data()
{
    QTest::addColumn<QString>("baseUrl");
    QTest::addColumn<Error::Kind>("kind");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("http to another host")
        << QStringLiteral("http://example.com") << Error::Kind::Unsupported << QStringLiteral("HTTPS");
    QTest::newRow("ftp") << QStringLiteral("ftp://example.com/api") << Error::Kind::Unsupported
                         << QStringLiteral("ftp");
    QTest::newRow("file") << QStringLiteral("file:///etc") << Error::Kind::Unsupported
                          << QStringLiteral("file");
    QTest::newRow("empty") << QString() << Error::Kind::InvalidRequest << QStringLiteral("base URL");
    QTest::newRow("no host") << QStringLiteral("https://") << Error::Kind::InvalidRequest
                             << QStringLiteral("base URL");
}

void TestHttpClient::insecureBaseRefusedBeforeSending()
{
    QFETCH(QString, baseUrl);
    QFETCH(Error::Kind, kind);
    QFETCH(QString, mentions);

    // Everything this manager sends goes through the fake server as its proxy: a request that left
    // would be recorded there.
    m_nam->setProxy(QNetworkProxy(QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), m_server->port()));
    m_account.baseUrl = baseUrl;
    const Finished f
        = await(m_client->send(HttpCall::post(QStringLiteral("/api/v1/mj/generate"), {}), m_account, kKey));
    QVERIFY(!f.result.ok());
    QCOMPARE(f.emitted, 1);
    QCOMPARE(f.result.error().kind, kind);
    QVERIFY2(f.result.error().message.contains(mentions), qPrintable(f.result.error().message));
    QVERIFY(!f.result.error().message.contains(kKey));
    QCOMPARE(m_server->count(), 0);
}

// ---- retries against the server ----

void TestHttpClient::statusRetries_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<Purpose>("purpose");
    QTest::addColumn<int>("first");
    QTest::addColumn<int>("requests");
    QTest::addColumn<int>("final");

    QTest::newRow("500 status retried") << QByteArray("GET") << Purpose::Status << 500 << 2 << 200;
    QTest::newRow("500 submit not retried") << QByteArray("POST") << Purpose::Submit << 500 << 1 << 500;
    QTest::newRow("503 submit retried") << QByteArray("POST") << Purpose::Submit << 503 << 2 << 200;
    QTest::newRow("429 submit retried") << QByteArray("POST") << Purpose::Submit << 429 << 2 << 200;
    QTest::newRow("455 status retried") << QByteArray("GET") << Purpose::Status << 455 << 2 << 200;
    QTest::newRow("455 submit not retried") << QByteArray("POST") << Purpose::Submit << 455 << 1 << 455;
    QTest::newRow("502 cancel retried") << QByteArray("POST") << Purpose::Cancel << 502 << 2 << 200;
    QTest::newRow("401 not retried") << QByteArray("GET") << Purpose::Status << 401 << 1 << 401;
    QTest::newRow("404 not retried") << QByteArray("GET") << Purpose::Status << 404 << 1 << 404;
    QTest::newRow("422 not retried") << QByteArray("POST") << Purpose::Submit << 422 << 1 << 422;
    QTest::newRow("400 not retried") << QByteArray("GET") << Purpose::Status << 400 << 1 << 400;
    QTest::newRow("501 not retried") << QByteArray("GET") << Purpose::Status << 501 << 1 << 501;
}

void TestHttpClient::statusRetries()
{
    QFETCH(QByteArray, method);
    QFETCH(Purpose, purpose);
    QFETCH(int, first);
    QFETCH(int, requests);
    QFETCH(int, final);

    const QString path = QStringLiteral("/api/task");
    const QJsonObject failure {{QStringLiteral("msg"), QStringLiteral("vendor says no")}};
    m_server->enqueue(method, path, Answer::json(first, failure));
    m_server->on(method, path, Answer::json(200, QJsonObject {{QStringLiteral("ok"), true}}));
    const HttpCall call
        = method == "GET" ? HttpCall::get(path, {}, purpose) : HttpCall::post(path, {}, purpose);
    const Finished f = await(m_client->send(call, m_account, kKey));
    QVERIFY(f.result.ok()); // every HTTP answer is a response, whatever its status
    QCOMPARE(f.emitted, 1);
    QCOMPARE(f.result->status, final);
    if (final != 200)
        QVERIFY(f.result->body.contains("vendor says no"));
    QCOMPARE(m_server->count(method, path), requests);
}

void TestHttpClient::rateLimitHoldsTheAccount()
{
    m_server->enqueue("GET", QStringLiteral("/a"), Answer::json(429, {}).header("Retry-After", "1"));
    m_server->on("GET", QStringLiteral("/a"), Answer::json(200, {}));
    m_server->on("POST", QStringLiteral("/b"), Answer::json(200, {}));

    std::unique_ptr<TransportReply> a(m_client->send(HttpCall::get(QStringLiteral("/a")), m_account, kKey));
    QSignalSpy spyA(a.get(), &TransportReply::finished);
    QTRY_VERIFY(m_client->heldUntil(m_account).isValid());
    // Another call of the same account, even a submit, waits for the deadline; another account does not.
    std::unique_ptr<TransportReply> b(
        m_client->send(HttpCall::post(QStringLiteral("/b"), {}), m_account, kKey));
    QSignalSpy spyB(b.get(), &TransportReply::finished);
    // A file on the account's own host (a self-hosted proxy's images) waits too.
    m_server->on("GET", QStringLiteral("/files/*"), Answer::bytes("png", "image/png"));
    std::unique_ptr<TransportReply> d(m_client->download(m_server->url(u"/files/1.png"), m_account, 1000));
    QSignalSpy spyD(d.get(), &TransportReply::finished);
    Account other = m_account;
    other.id = QStringLiteral("acc-2");
    const Finished c = await(m_client->send(HttpCall::post(QStringLiteral("/b"), {}), other, kKey));
    QVERIFY(c.result.ok());
    QCOMPARE(m_server->count("POST", QStringLiteral("/b")), 1);

    QTRY_COMPARE_WITH_TIMEOUT(spyA.count() + spyB.count() + spyD.count(), 3, 3000);
    QCoreApplication::processEvents();
    QCOMPARE(spyA.count(), 1);
    QCOMPARE(spyB.count(), 1);
    QCOMPARE(d->result()->body, QByteArray("png"));
    QVERIFY(a->result().ok());
    QVERIFY(b->result().ok());
    QCOMPARE(a->result()->status, 200);
    QCOMPARE(b->result()->status, 200);

    const QList<test::RecordedRequest> all = m_server->requests();
    QCOMPARE(all.size(), 5);
    const QDateTime limited = all.first().received;
    for (const auto &r : all.mid(2)) // the retry of /a, the held /b and the held download
        QVERIFY2(limited.msecsTo(r.received) >= 1000, qPrintable(r.path));
    QVERIFY(!m_client->heldUntil(m_account).isValid());
}

void TestHttpClient::hangTimesOut()
{
    HttpClient::Config config = fastConfig();
    config.transferTimeoutMs = 300;
    makeClient(config);
    m_server->on("POST", QStringLiteral("/submit"), Answer::hanging());
    m_server->on("GET", QStringLiteral("/status"), Answer::hanging());

    const Finished submit
        = await(m_client->send(HttpCall::post(QStringLiteral("/submit"), {}), m_account, kKey));
    QVERIFY(!submit.result.ok());
    QCOMPARE(submit.emitted, 1);
    QCOMPARE(submit.result.error().kind, Error::Kind::Timeout);
    QCOMPARE(m_server->count("POST", QStringLiteral("/submit")), 1); // it may have arrived: never again

    const Finished status = await(m_client->send(HttpCall::get(QStringLiteral("/status")), m_account, kKey));
    QVERIFY(!status.result.ok());
    QCOMPARE(status.result.error().kind, Error::Kind::Timeout);
    QCOMPARE(m_server->count("GET", QStringLiteral("/status")), 3); // maxAttempts
}

void TestHttpClient::droppedConnection()
{
    m_server->enqueue("GET", QStringLiteral("/status"), Answer::dropped());
    m_server->on("GET", QStringLiteral("/status"), Answer::json(200, {}));
    const Finished status = await(m_client->send(HttpCall::get(QStringLiteral("/status")), m_account, kKey));
    QVERIFY(status.result.ok());
    QCOMPARE(status.result->status, 200);

    m_server->on("POST", QStringLiteral("/submit"), Answer::dropped());
    const Finished submit
        = await(m_client->send(HttpCall::post(QStringLiteral("/submit"), {}), m_account, kKey));
    QVERIFY(!submit.result.ok());
    QCOMPARE(submit.emitted, 1);
    QCOMPARE(submit.result.error().kind, Error::Kind::Network);
    QVERIFY(!submit.result.error().message.isEmpty());
    // Qt itself would send it again on a fresh connection; the client's one-shot body prevents that.
    QCOMPARE(m_server->count("POST", QStringLiteral("/submit")), 1);
}

void TestHttpClient::droppedMidBody()
{
    const QByteArray big(4000, 'x');
    m_server->enqueue("GET", QStringLiteral("/status"), Answer::droppedMidBody(big));
    m_server->on("GET", QStringLiteral("/status"), Answer::json(200, {}));
    const Finished status = await(m_client->send(HttpCall::get(QStringLiteral("/status")), m_account, kKey));
    QVERIFY(status.result.ok());
    QCOMPARE(status.result->status, 200);
    QCOMPARE(m_server->count("GET", QStringLiteral("/status")), 2);

    m_server->on("POST", QStringLiteral("/submit"), Answer::droppedMidBody(big));
    const Finished submit
        = await(m_client->send(HttpCall::post(QStringLiteral("/submit"), {}), m_account, kKey));
    QVERIFY(!submit.result.ok());
    QCOMPARE(submit.result.error().kind, Error::Kind::Network);
    QCOMPARE(m_server->count("POST", QStringLiteral("/submit")), 1);
}

void TestHttpClient::connectionRefused()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        closedPort = probe.serverPort();
    }
    m_account.baseUrl = QStringLiteral("http://127.0.0.1:%1").arg(closedPort);
    const Finished f = await(m_client->send(HttpCall::post(QStringLiteral("/submit"), {}), m_account, kKey));
    QVERIFY(!f.result.ok());
    QCOMPARE(f.emitted, 1);
    QCOMPARE(f.result.error().kind, Error::Kind::Network);
    QVERIFY2(f.result.error().message.contains(QLatin1String("refused"), Qt::CaseInsensitive),
             qPrintable(f.result.error().message));
}

void TestHttpClient::oversizeAnswer_data()
{
    QTest::addColumn<bool>("chunked");
    QTest::newRow("content-length") << false;
    QTest::newRow("chunked") << true;
}

void TestHttpClient::oversizeAnswer()
{
    QFETCH(bool, chunked);
    HttpClient::Config config = fastConfig();
    config.maxResponseBytes = 1024;
    makeClient(config);
    Answer big = Answer::text(200, QByteArray(4096, 'y'), "application/json");
    if (chunked)
        big.inChunks();
    m_server->on("GET", QStringLiteral("/big"), big);
    m_server->on("GET", QStringLiteral("/small"), Answer::text(200, QByteArray(1024, 'z')).inChunks());

    const Finished f = await(m_client->send(HttpCall::get(QStringLiteral("/big")), m_account, kKey));
    QVERIFY(!f.result.ok());
    QCOMPARE(f.emitted, 1);
    QCOMPARE(f.result.error().kind, Error::Kind::BadResponse);
    QVERIFY2(f.result.error().message.contains(QLatin1String("too large")),
             qPrintable(f.result.error().message));
    QCOMPARE(m_server->count("GET", QStringLiteral("/big")), 1);

    const Finished ok = await(m_client->send(HttpCall::get(QStringLiteral("/small")), m_account, kKey));
    QVERIFY(ok.result.ok());
    QCOMPARE(ok.result->body.size(), 1024);
}

// ---- downloads ----

void TestHttpClient::download()
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png += QByteArray(3000, '\0');
    m_server->enqueue("GET", QStringLiteral("/cdn/*"), Answer::json(502, {}));
    m_server->on("GET", QStringLiteral("/cdn/*"), Answer::bytes(png, "image/png"));
    const Finished f
        = await(m_client->download(m_server->url(QStringLiteral("/cdn/a.png?sig=1")), m_account, 10'000));
    QVERIFY(f.result.ok());
    QCOMPARE(f.result->status, 200);
    QCOMPARE(f.result->body, png);
    QCOMPARE(f.result->header("Content-Type"), QByteArray("image/png"));
    QCOMPARE(m_server->count("GET", QStringLiteral("/cdn/a.png")), 2); // a 502 is retried
    for (const auto &r : m_server->requests()) {
        QVERIFY(!r.hasHeader("Authorization"));
        QVERIFY(!r.hasHeader("mj-api-secret"));
        QCOMPARE(r.query, QStringLiteral("sig=1"));
    }

    m_server->on("GET", QStringLiteral("/gone.png"), Answer::json(403, {}));
    const Finished gone
        = await(m_client->download(m_server->url(QStringLiteral("/gone.png")), m_account, 10'000));
    QVERIFY(gone.result.ok());
    QCOMPARE(gone.result->status, 403);
    QCOMPARE(m_server->count("GET", QStringLiteral("/gone.png")), 1);
}

void TestHttpClient::downloadCapAndEarlyAbort()
{
    m_server->on("GET", QStringLiteral("/big.png"),
                 Answer::bytes(QByteArray(5000, 'p'), "image/png").inChunks());
    const Finished big
        = await(m_client->download(m_server->url(QStringLiteral("/big.png")), m_account, 1000));
    QVERIFY(!big.result.ok());
    QCOMPARE(big.result.error().kind, Error::Kind::BadResponse);
    QCOMPARE(m_server->count("GET", QStringLiteral("/big.png")), 1);

    // Announces 100 MB and sends one byte: only an abort on Content-Length ends this with BadResponse
    // rather than Timeout.
    HttpClient::Config config = fastConfig();
    config.transferTimeoutMs = 5000;
    makeClient(config);
    m_server->on("GET", QStringLiteral("/huge.png"),
                 Answer::bytes("p", "image/png").header("Content-Length", "100000000"));
    const Finished huge
        = await(m_client->download(m_server->url(QStringLiteral("/huge.png")), m_account, 1'000'000));
    QVERIFY(!huge.result.ok());
    QCOMPARE(huge.result.error().kind, Error::Kind::BadResponse);
    QVERIFY2(huge.result.error().message.contains(QLatin1String("too large")),
             qPrintable(huge.result.error().message));
}

void TestHttpClient::downloadUrlUpgrade_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected"); // empty: refused

    QTest::newRow("https") << QStringLiteral("https://cdn.example.com/a.png")
                           << QStringLiteral("https://cdn.example.com/a.png");
    QTest::newRow("http upgraded") << QStringLiteral("http://cdn.example.com/a.png?x=1")
                                   << QStringLiteral("https://cdn.example.com/a.png?x=1");
    QTest::newRow("http :80 upgraded") << QStringLiteral("http://cdn.example.com:80/a.png")
                                       << QStringLiteral("https://cdn.example.com/a.png");
    QTest::newRow("http loopback kept")
        << QStringLiteral("http://127.0.0.1:8080/a.png") << QStringLiteral("http://127.0.0.1:8080/a.png");
    QTest::newRow("file") << QStringLiteral("file:///etc/passwd") << QString();
    QTest::newRow("ftp") << QStringLiteral("ftp://cdn.example.com/a.png") << QString();
    QTest::newRow("data") << QStringLiteral("data:image/png;base64,AAAA") << QString();
}

void TestHttpClient::downloadUrlUpgrade()
{
    QFETCH(QString, url);
    QFETCH(QString, expected);
    const Result<QUrl> got = HttpClient::downloadUrl(QUrl(url));
    if (expected.isEmpty()) {
        QVERIFY(!got.ok());
        QCOMPARE(got.error().kind, Error::Kind::Unsupported);
    } else {
        QVERIFY(got.ok());
        QCOMPARE(got->toString(), expected);
    }
}

// ---- redirects ----

void TestHttpClient::redirectPolicy_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<bool>("carriesKey");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("mentions");

    const auto row = [](const char *name, const char *from, const char *to, bool carriesKey, bool allowed,
                        const char *mentions) {
        QTest::newRow(name) << QString::fromUtf8(from) << QString::fromUtf8(to) << carriesKey << allowed
                            << QString::fromUtf8(mentions);
    };
    row("https same host", "https://api.example.com/a", "https://api.example.com/b", true, true, "");
    row("https other host, no key", "https://api.example.com/a", "https://cdn.example.net/b", false, true,
        "");
    row("https other host, key", "https://api.example.com/a", "https://evil.example.net/b", true, false,
        "evil.example.net");
    row("https to http: downgrade", "https://api.example.com/a", "http://api.example.com/b", false, false,
        "downgrade");
    row("https to http loopback", "https://api.example.com/a", "http://127.0.0.1/b", false, false,
        "downgrade");
    row("loopback to http elsewhere", "http://127.0.0.1:9/a", "http://example.com/b", false, false,
        "example.com");
    row("loopback to loopback", "http://127.0.0.1:9/a", "http://127.0.0.1:9/b", true, true, "");
    row("loopback to https", "http://127.0.0.1:9/a", "https://example.com/b", false, true, "");
    row("file", "https://api.example.com/a", "file:///etc/passwd", false, false, "file:");
    row("ftp", "https://api.example.com/a", "ftp://example.com/x", false, false, "ftp:");
    row("javascript", "https://api.example.com/a", "javascript:alert(1)", false, false, "javascript:");
}

void TestHttpClient::redirectPolicy()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(bool, carriesKey);
    QFETCH(bool, allowed);
    QFETCH(QString, mentions);
    const Status s = HttpClient::checkRedirect(QUrl(from), QUrl(to), carriesKey);
    QCOMPARE(s.ok(), allowed);
    if (!allowed) {
        QCOMPARE(s.error().kind, Error::Kind::Unsupported);
        QVERIFY2(s.error().message.contains(mentions), qPrintable(s.error().message));
    }
}

void TestHttpClient::redirectFollowedOnLoopback()
{
    m_server->on("GET", QStringLiteral("/old"), Answer::redirect("/mid"));
    m_server->on("GET", QStringLiteral("/mid"),
                 Answer::redirect(m_server->url(QStringLiteral("/new")).toEncoded(), 307));
    m_server->on("GET", QStringLiteral("/new"),
                 Answer::json(200, QJsonObject {{QStringLiteral("here"), true}}));
    const Finished f = await(m_client->send(HttpCall::get(QStringLiteral("/old")), m_account, kKey));
    QVERIFY(f.result.ok());
    QCOMPARE(f.result->status, 200);
    QVERIFY(f.result->body.contains("here"));
    const auto final = m_server->last("GET", QStringLiteral("/new"));
    QVERIFY(final);
    QCOMPARE(final->header("Authorization"), QByteArray("Bearer ") + kKey.toUtf8()); // same origin
}

void TestHttpClient::redirectToFileRefused()
{
    m_server->on("GET", QStringLiteral("/evil"), Answer::redirect("file:///etc/passwd"));
    const Finished f = await(m_client->send(HttpCall::get(QStringLiteral("/evil")), m_account, kKey));
    QVERIFY(!f.result.ok());
    QCOMPARE(f.emitted, 1);
    QCOMPARE(f.result.error().kind, Error::Kind::Unsupported);
    QVERIFY2(f.result.error().message.contains(QLatin1String("file:")), qPrintable(f.result.error().message));
    QCOMPARE(m_server->count("GET", QStringLiteral("/evil")), 1);

    // A download with no key is still never sent off this computer in plain http.
    m_server->on("GET", QStringLiteral("/away"), Answer::redirect("http://example.com/x.png"));
    const Finished away = await(m_client->download(m_server->url(QStringLiteral("/away")), m_account, 1000));
    QVERIFY(!away.result.ok());
    QCOMPARE(away.result.error().kind, Error::Kind::Unsupported);
}

void TestHttpClient::tooManyRedirects()
{
    m_server->on("GET", QStringLiteral("/loop"), Answer::redirect("/loop"));
    const Finished f = await(m_client->send(HttpCall::get(QStringLiteral("/loop")), m_account, kKey));
    QVERIFY(!f.result.ok());
    QCOMPARE(f.result.error().kind, Error::Kind::BadResponse);
    QCOMPARE(m_server->count("GET", QStringLiteral("/loop")), 6); // the first request and 5 redirects
}

// ---- abort ----

void TestHttpClient::abortDuringRetryWait()
{
    HttpClient::Config config = fastConfig();
    config.retry.baseMs = 60'000; // the retry would wait a minute
    config.retry.capMs = 60'000;
    makeClient(config);
    m_server->on("GET", QStringLiteral("/status"), Answer::json(500, {}));

    TransportReply *reply = m_client->send(HttpCall::get(QStringLiteral("/status")), m_account, kKey);
    QSignalSpy spy(reply, &TransportReply::finished);
    QTRY_COMPARE(m_server->count("GET", QStringLiteral("/status")), 1);
    // Let the client read the 500 and start its backoff timer.
    QTRY_VERIFY_WITH_TIMEOUT(!m_nam->findChildren<QNetworkReply *>().size(), 2000);
    reply->abort();
    QVERIFY(spy.wait(1000));
    QCoreApplication::processEvents();
    QCOMPARE(spy.count(), 1);
    QVERIFY(!reply->result().ok());
    QCOMPARE(reply->result().error().kind, Error::Kind::Cancelled);
    reply->abort(); // harmless
    QCoreApplication::processEvents();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(m_server->count("GET", QStringLiteral("/status")), 1);
    delete reply;
}

void TestHttpClient::abortWhileHeldByGate()
{
    m_server->on("GET", QStringLiteral("/a"), Answer::json(429, {}).header("Retry-After", "30"));
    m_server->on("GET", QStringLiteral("/b"), Answer::json(200, {}));
    TransportReply *a = m_client->send(HttpCall::get(QStringLiteral("/a")), m_account, kKey);
    QTRY_VERIFY(m_client->heldUntil(m_account).isValid());
    TransportReply *b = m_client->send(HttpCall::get(QStringLiteral("/b")), m_account, kKey);
    QSignalSpy spyA(a, &TransportReply::finished);
    QSignalSpy spyB(b, &TransportReply::finished);
    b->abort();
    a->abort();
    QTRY_COMPARE(spyA.count() + spyB.count(), 2);
    QCOMPARE(b->result().error().kind, Error::Kind::Cancelled);
    QCOMPARE(a->result().error().kind, Error::Kind::Cancelled);
    QCOMPARE(m_server->count("GET", QStringLiteral("/b")), 0);
    delete a;
    delete b;
}

void TestHttpClient::abortInFlight()
{
    m_server->on("GET", QStringLiteral("/slow"), Answer::hanging());
    TransportReply *reply = m_client->send(HttpCall::get(QStringLiteral("/slow")), m_account, kKey);
    QSignalSpy spy(reply, &TransportReply::finished);
    QTRY_COMPARE(m_server->count("GET", QStringLiteral("/slow")), 1);
    reply->abort();
    QVERIFY(spy.wait(1000));
    QCOMPARE(reply->result().error().kind, Error::Kind::Cancelled);
    delete reply;
    // Deleting a reply in flight aborts it too, without a signal or a leak.
    TransportReply *other = m_client->send(HttpCall::get(QStringLiteral("/slow")), m_account, kKey);
    QTRY_COMPARE(m_server->count("GET", QStringLiteral("/slow")), 2);
    delete other;
    QTRY_COMPARE(m_nam->findChildren<QNetworkReply *>().size(), 0);
}

void TestHttpClient::redaction()
{
    const HttpClient::Headers in {
        {"Authorization", "Bearer " + kKey.toUtf8()},
        {"mj-api-secret", "whatever"},
        {"MJ-API-SECRET", kKey.toUtf8()},
        {"X-Echo", "prefix-" + kKey.toUtf8() + "-suffix"},
        {"User-Agent", "Tessera/1"},
        {"Content-Type", "application/json"},
    };
    const HttpClient::Headers out = HttpClient::redactHeaders(in, kKey);
    QCOMPARE(out.size(), in.size());
    QCOMPARE(out[0], qMakePair(QByteArray("Authorization"), QByteArray("<redacted>")));
    QCOMPARE(out[1].second, QByteArray("<redacted>"));
    QCOMPARE(out[2].second, QByteArray("<redacted>"));
    QCOMPARE(out[3].second, QByteArray("<redacted>"));
    QCOMPARE(out[4], in[4]);
    QCOMPARE(out[5], in[5]);
    // With no key, only the named headers are hidden.
    const HttpClient::Headers noKey = HttpClient::redactHeaders(in, QString());
    QCOMPARE(noKey[0].second, QByteArray("<redacted>"));
    QCOMPARE(noKey[3], in[3]);
    QCOMPARE(noKey[4], in[4]);
}

void TestHttpClient::postRedirects()
{
    const QJsonObject body {{QStringLiteral("prompt"), QStringLiteral("fox")}};
    // 307 keeps the method and the body (the first server did not act on it).
    m_server->on("POST", QStringLiteral("/submit"), Answer::redirect("/v2/submit", 307));
    m_server->on("POST", QStringLiteral("/v2/submit"), Answer::json(200, {}));
    const Finished kept
        = await(m_client->send(HttpCall::post(QStringLiteral("/submit"), body), m_account, kKey));
    QVERIFY(kept.result.ok());
    QCOMPARE(kept.result->status, 200);
    const auto moved = m_server->last("POST", QStringLiteral("/v2/submit"));
    QVERIFY(moved);
    QCOMPARE(moved->json(), body);

    // 303 turns it into a GET without a body.
    m_server->on("POST", QStringLiteral("/form"), Answer::redirect("/result", 303));
    m_server->on("GET", QStringLiteral("/result"), Answer::json(200, {}));
    const Finished seeOther
        = await(m_client->send(HttpCall::post(QStringLiteral("/form"), body), m_account, kKey));
    QVERIFY(seeOther.result.ok());
    QCOMPARE(seeOther.result->status, 200);
    const auto result = m_server->last("GET", QStringLiteral("/result"));
    QVERIFY(result);
    QVERIFY(result->body.isEmpty());
    QVERIFY(!result->hasHeader("Content-Type"));
}

void TestHttpClient::largeSubmitBody()
{
    // A mask-sized body arrives in many packets, through the one-shot upload path of a submit.
    QJsonObject body;
    body.insert(QStringLiteral("mask"), QString(300'000, QLatin1Char('A')));
    m_server->on("POST", QStringLiteral("/inpaint"), Answer::json(200, {}));
    const Finished f
        = await(m_client->send(HttpCall::post(QStringLiteral("/inpaint"), body), m_account, kKey));
    QVERIFY(f.result.ok());
    QCOMPARE(f.result->status, 200);
    const auto request = m_server->last("POST", QStringLiteral("/inpaint"));
    QVERIFY(request);
    QCOMPARE(request->json(), body);
}

void TestHttpClient::keepAliveAndParallel()
{
    m_server->on("GET", QStringLiteral("/quick"), Answer::json(200, {}));
    for (int i = 0; i < 3; ++i)
        QVERIFY(await(m_client->send(HttpCall::get(QStringLiteral("/quick")), m_account, kKey)).result.ok());
    QCOMPARE(m_server->connectionCount(), 1);

    m_server->on("GET", QStringLiteral("/slow"), Answer::json(200, {}).after(150));
    std::unique_ptr<TransportReply> a(
        m_client->send(HttpCall::get(QStringLiteral("/slow")), m_account, kKey));
    std::unique_ptr<TransportReply> b(
        m_client->send(HttpCall::get(QStringLiteral("/slow")), m_account, kKey));
    QSignalSpy spyA(a.get(), &TransportReply::finished);
    QSignalSpy spyB(b.get(), &TransportReply::finished);
    QTRY_COMPARE(spyA.count() + spyB.count(), 2);
    QCOMPARE(a->result()->status, 200);
    QCOMPARE(b->result()->status, 200);
    QVERIFY(m_server->connectionCount() >= 2);
    const auto slow = m_server->requests("GET", QStringLiteral("/slow"));
    QCOMPARE(slow.size(), 2);
    QVERIFY(slow[0].connection != slow[1].connection);
}

void TestHttpClient::serverHooks()
{
    m_server->on("GET", QRegularExpression(QStringLiteral("^/tasks/[0-9]+$")),
                 [](const test::RecordedRequest &r) {
                     return Answer::json(
                         200, QJsonObject {{QStringLiteral("id"), r.path.section(QLatin1Char('/'), 2)}});
                 });
    m_server->respond([](const test::RecordedRequest &r) { return Answer::text(418, "teapot " + r.method); });
    const Finished task = await(m_client->send(HttpCall::get(QStringLiteral("/tasks/42")), m_account, kKey));
    QVERIFY(task.result.ok());
    QCOMPARE(task.result->body, QByteArray(R"({"id":"42"})"));
    const Finished other = await(m_client->send(HttpCall::get(QStringLiteral("/tasks/x")), m_account, kKey));
    QVERIFY(other.result.ok());
    QCOMPARE(other.result->status, 418);
    QCOMPARE(other.result->body, QByteArray("teapot GET"));
    QCOMPARE(m_server->count("*", QStringLiteral("/tasks/*")), 2);
}

void TestHttpClient::managerDestroyed()
{
    m_server->on("GET", QStringLiteral("/slow"), Answer::hanging());
    std::unique_ptr<TransportReply> reply(
        m_client->send(HttpCall::get(QStringLiteral("/slow")), m_account, kKey));
    QSignalSpy spy(reply.get(), &TransportReply::finished);
    QTRY_COMPARE(m_server->count("GET", QStringLiteral("/slow")), 1);
    m_nam.reset();
    QVERIFY(spy.wait(1000));
    QCOMPARE(reply->result().error().kind, Error::Kind::Network);
    // Later calls fail the same way instead of touching a dead manager.
    const Finished later = await(m_client->send(HttpCall::get(QStringLiteral("/slow")), m_account, kKey));
    QVERIFY(!later.result.ok());
    QCOMPARE(later.result.error().kind, Error::Kind::Network);
}

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
