// tessera-cli with real families: accounts add / list / test / remove with the key read from stdin into
// the system keychain, TESSERA_API_KEY, a kie-style fake server on 127.0.0.1 answering the tasks, and the
// leak test — the key must not appear in any file under HOME nor in any output, with every logging
// category at debug. Runs the real binary; the keychain is the session's (the ctest suite runs inside
// packaging/linux/with-test-session.sh); without one the keychain cases are skipped with the reason.
#include "fakehttpserver.h"
#include "processrun.h"

#include <QBuffer>
#include <QDirIterator>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace tessera::test;

namespace {

constexpr int kProcessTimeoutMs = 60'000;
const QByteArray kKey = "sk-LEAK-CANARY-5c1f9e0d7b";

using Run = tessera::test::ProcessRun;

QByteArray png()
{
    QImage image(16, 16, QImage::Format_RGB32);
    image.fill(Qt::darkCyan);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

} // namespace

class TstCliAccounts : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void addListTestRemove();
    void refusedInput_data();
    void refusedInput();
    void environmentKeyIsUsedAndNeverStored();
    void connectionTestTellsTheFourAnswersApart();
    void keyNeverLeaks();
    void describeFetchesAUrlForMidjourneyProxy();

private:
    Run cli(const QStringList &args, const QByteArray &stdinData = {},
            const QProcessEnvironment *env = nullptr);
    // Adds the kie account "k1" with kKey; false (and the test skipped) when no keychain works here.
    bool addKieAccount();
    void serveKie();
    QJsonArray accountsJson();

    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<FakeHttpServer> m_server;
    QProcessEnvironment m_env;
    int m_taskCounter = 0;
};

void TstCliAccounts::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<FakeHttpServer>();
    const QString root = m_home->path();
    m_env = QProcessEnvironment::systemEnvironment();
    m_env.insert(QStringLiteral("HOME"), root);
    m_env.insert(QStringLiteral("XDG_DATA_HOME"), root + QStringLiteral("/data"));
    m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/config"));
    m_env.insert(QStringLiteral("XDG_CACHE_HOME"), root + QStringLiteral("/cache"));
    m_env.remove(QStringLiteral("TESSERA_API_KEY"));
    m_env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    serveKie();
}

void TstCliAccounts::cleanup()
{
    m_server.reset();
    m_home.reset();
}

Run TstCliAccounts::cli(const QStringList &args, const QByteArray &stdinData, const QProcessEnvironment *env)
{
    // The fake server lives in this process: the event loop runs while the child works.
    return tessera::test::runProcess(QStringLiteral(TESSERA_CLI_PATH), args, env ? *env : m_env,
                                     m_home->path(), stdinData, kProcessTimeoutMs);
}

void TstCliAccounts::serveKie()
{
    // kie's protocol (PROVIDERS.md §3), just enough: generate → id; record-info → four images at once.
    m_server->on("POST", QStringLiteral("/api/v1/mj/generate"), [this](const RecordedRequest &r) {
        if (r.header("Authorization") != "Bearer " + kKey
            && !r.header("Authorization").startsWith("Bearer env-"))
            return Answer::json(
                401,
                {{QStringLiteral("code"), 401}, {QStringLiteral("msg"), QStringLiteral("Invalid API key")}});
        const QString id = QStringLiteral("kie-%1").arg(++m_taskCounter);
        return Answer::json(200,
                            {{QStringLiteral("code"), 200},
                             {QStringLiteral("msg"), QStringLiteral("success")},
                             {QStringLiteral("data"), QJsonObject {{QStringLiteral("taskId"), id}}}});
    });
    m_server->on("GET", QStringLiteral("/api/v1/mj/record-info"), [this](const RecordedRequest &r) {
        const QString id = r.queryItems().queryItemValue(QStringLiteral("taskId"));
        if (!id.startsWith(QLatin1String("kie-")))
            return Answer::json(
                200,
                {{QStringLiteral("code"), 404}, {QStringLiteral("msg"), QStringLiteral("task not found")}});
        QJsonArray urls;
        for (int i = 1; i <= 4; ++i)
            urls.append(QJsonObject {{QStringLiteral("resultUrl"),
                                      m_server->url(QStringLiteral("/files/%1.png").arg(i)).toString()}});
        return Answer::json(200,
                            {{QStringLiteral("code"), 200},
                             {QStringLiteral("msg"), QStringLiteral("success")},
                             {QStringLiteral("data"),
                              QJsonObject {{QStringLiteral("taskId"), id},
                                           {QStringLiteral("taskType"), QStringLiteral("mj_txt2img")},
                                           {QStringLiteral("successFlag"), 1},
                                           {QStringLiteral("resultInfoJson"),
                                            QJsonObject {{QStringLiteral("resultUrls"), urls}}}}}});
    });
    for (int i = 1; i <= 4; ++i)
        m_server->on("GET", QStringLiteral("/files/%1.png").arg(i), Answer::bytes(png(), "image/png"));
}

bool TstCliAccounts::addKieAccount()
{
    const Run run
        = cli({QStringLiteral("accounts"), QStringLiteral("add"), QStringLiteral("--family"),
               QStringLiteral("kie"), QStringLiteral("--name"), QStringLiteral("k1"),
               QStringLiteral("--base-url"), m_server->baseUrl() + QStringLiteral("/"),
               QStringLiteral("--option"), QStringLiteral("first-poll=0.05"), QStringLiteral("--option"),
               QStringLiteral("poll-interval=0.05"), QStringLiteral("--key-stdin")},
              kKey + "\n");
    if (run.exitCode == 1 && run.err.contains("keychain")) {
        qWarning("no usable keychain here: %s", run.err.constData());
        return false;
    }
    if (run.exitCode != 0) {
        QTest::qFail(qPrintable(run.describe()), __FILE__, __LINE__);
        return false;
    }
    return true;
}

QJsonArray TstCliAccounts::accountsJson()
{
    const Run run = cli({QStringLiteral("accounts"), QStringLiteral("list"), QStringLiteral("--json")});
    return QJsonDocument::fromJson(run.out).array();
}

void TstCliAccounts::addListTestRemove()
{
    if (!addKieAccount())
        QSKIP("no system keychain in this session (run the suite through "
              "packaging/linux/with-test-session.sh)");
    const QJsonArray accounts = accountsJson();
    QCOMPARE(accounts.size(), 2); // the demo and k1
    QJsonObject k1;
    for (const QJsonValue &a : accounts) {
        if (a.toObject().value(QStringLiteral("name")).toString() == QLatin1String("k1"))
            k1 = a.toObject();
    }
    QCOMPARE(k1.value(QStringLiteral("name")).toString(), QStringLiteral("k1"));
    QCOMPARE(k1.value(QStringLiteral("family")).toString(), QStringLiteral("kie"));
    QCOMPARE(k1.value(QStringLiteral("baseUrl")).toString(), m_server->baseUrl()); // trailing slash gone
    QCOMPARE(k1.value(QStringLiteral("options")).toObject().value(QStringLiteral("poll-interval")).toString(),
             QStringLiteral("0.05"));

    // The key from the keychain reaches the server.
    Run run
        = cli({QStringLiteral("imagine"), QStringLiteral("a harbour at dawn"), QStringLiteral("--account"),
               QStringLiteral("k1"), QStringLiteral("--wait"), QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const QJsonObject task = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(task.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
    QCOMPARE(task.value(QStringLiteral("family")).toString(), QStringLiteral("kie"));
    QCOMPARE(task.value(QStringLiteral("images")).toArray().size(), 4);
    QCOMPARE(m_server->last("POST", QStringLiteral("/api/v1/mj/generate"))->header("Authorization"),
             "Bearer " + kKey);

    // kie has no pan: refused before anything is sent.
    const int before = m_server->count();
    run = cli({QStringLiteral("pan"), task.value(QStringLiteral("id")).toString(), QStringLiteral("--index"),
               QStringLiteral("2"), QStringLiteral("--direction"), QStringLiteral("left")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("no pan"), run.err.constData());
    QCOMPARE(m_server->count(), before);

    run = cli({QStringLiteral("accounts"), QStringLiteral("test"), QStringLiteral("k1")});
    QVERIFY2(run.exitCode == 0 && run.out.contains("Key accepted"), qPrintable(run.describe()));

    run = cli({QStringLiteral("accounts"), QStringLiteral("remove"), QStringLiteral("k1")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QCOMPARE(accountsJson().size(), 1);
    // Added again without a key: the old key is gone from the keychain too.
    run = cli({QStringLiteral("accounts"), QStringLiteral("add"), QStringLiteral("--family"),
               QStringLiteral("kie"), QStringLiteral("--name"), QStringLiteral("k1"),
               QStringLiteral("--base-url"), m_server->baseUrl()});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    run = cli({QStringLiteral("imagine"), QStringLiteral("x"), QStringLiteral("--account"),
               QStringLiteral("k1"), QStringLiteral("--wait")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("no API key"), qPrintable(run.describe()));
}

void TstCliAccounts::refusedInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    const QString add = QStringLiteral("accounts add --family kie --name k --base-url");
    QTest::newRow("plain http")
        << QString(add + QStringLiteral(" http://api.example.com")).split(QLatin1Char(' '))
        << QStringLiteral("https");
    QTest::newRow("no url") << QStringLiteral("accounts add --family kie --name k").split(QLatin1Char(' '))
                            << QStringLiteral("URL");
    QTest::newRow("family") << QStringLiteral(
                                   "accounts add --family midjourney --name k --base-url https://a.example")
                                   .split(QLatin1Char(' '))
                            << QStringLiteral("--family");
    QTest::newRow("option") << QString(add
                                       + QStringLiteral(" https://a.example --option mask-format=polygons"))
                                   .split(QLatin1Char(' '))
                            << QStringLiteral("mask-format");
    // kolersky's vendor limits (issue 12): refused with the reason.
    QTest::newRow("kolersky interval") << QStringLiteral("accounts add --family kolersky --name k --base-url "
                                                         "https://a.example --option poll-interval=1")
                                              .split(QLatin1Char(' '))
                                       << QStringLiteral("kolersky allows one status check every 5 seconds");
    QTest::newRow("kolersky checks") << QStringLiteral("accounts add --family kolersky --name k --base-url "
                                                       "https://a.example --option max-polls=100")
                                            .split(QLatin1Char(' '))
                                     << QStringLiteral("kolersky allows at most 60 status checks per task");
    QTest::newRow("option form")
        << QString(add + QStringLiteral(" https://a.example --option prefix")).split(QLatin1Char(' '))
        << QStringLiteral("KEY=VALUE");
    QTest::newRow("demo name") << QStringLiteral(
                                      "accounts add --family kie --name demo --base-url https://a.example")
                                      .split(QLatin1Char(' '))
                               << QStringLiteral("demo");
    QTest::newRow("key as argument")
        << QStringLiteral("accounts add --family kie --name k --base-url https://a.example --key sk-1")
               .split(QLatin1Char(' '))
        << QStringLiteral("key");
    QTest::newRow("remove demo") << QStringLiteral("accounts remove demo").split(QLatin1Char(' '))
                                 << QStringLiteral("demo");
    QTest::newRow("unknown sub") << QStringLiteral("accounts rename k").split(QLatin1Char(' '))
                                 << QStringLiteral("rename");
}

void TstCliAccounts::refusedInput()
{
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    const Run run = cli(args);
    QVERIFY2(run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY2(QString::fromUtf8(run.err).contains(mentions), qPrintable(run.describe()));
    QVERIFY(run.out.isEmpty() || run.out.contains("Usage"));
}

void TstCliAccounts::environmentKeyIsUsedAndNeverStored()
{
    Run run = cli({QStringLiteral("accounts"), QStringLiteral("add"), QStringLiteral("--family"),
                   QStringLiteral("kie"), QStringLiteral("--name"), QStringLiteral("ci"),
                   QStringLiteral("--base-url"), m_server->baseUrl(), QStringLiteral("--option"),
                   QStringLiteral("first-poll=0.05")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QProcessEnvironment env = m_env;
    env.insert(QStringLiteral("TESSERA_API_KEY"), QStringLiteral("env-key-77"));
    run = cli({QStringLiteral("imagine"), QStringLiteral("fog"), QStringLiteral("--account"),
               QStringLiteral("ci"), QStringLiteral("--wait"), QStringLiteral("--json")},
              {}, &env);
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QCOMPARE(m_server->last("POST", QStringLiteral("/api/v1/mj/generate"))->header("Authorization"),
             QByteArray("Bearer env-key-77"));
    // Not stored: without the variable the account has no key.
    run = cli({QStringLiteral("imagine"), QStringLiteral("fog"), QStringLiteral("--account"),
               QStringLiteral("ci"), QStringLiteral("--wait")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("no API key"), qPrintable(run.describe()));
}

void TstCliAccounts::connectionTestTellsTheFourAnswersApart()
{
    QProcessEnvironment env = m_env;
    env.insert(QStringLiteral("TESSERA_API_KEY"), QStringLiteral("env-key"));
    auto addAccount = [&](const QString &name, const QString &url) {
        const Run run
            = cli({QStringLiteral("accounts"), QStringLiteral("add"), QStringLiteral("--family"),
                   QStringLiteral("kie"), QStringLiteral("--name"), name, QStringLiteral("--base-url"), url});
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    };
    addAccount(QStringLiteral("good"), m_server->baseUrl());
    Run run = cli({QStringLiteral("accounts"), QStringLiteral("test"), QStringLiteral("good")}, {}, &env);
    QVERIFY2(run.exitCode == 0 && run.out.contains("Key accepted"), qPrintable(run.describe()));

    m_server->clearRoutes();
    m_server->on(
        "GET", QStringLiteral("/api/v1/mj/record-info"),
        Answer::json(401,
                     {{QStringLiteral("code"), 401},
                      {QStringLiteral("msg"), QStringLiteral("You do not have access permissions")}}));
    run = cli({QStringLiteral("accounts"), QStringLiteral("test"), QStringLiteral("good")}, {}, &env);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("Key rejected") && run.err.contains("You do not have access permissions"),
             qPrintable(run.describe()));

    m_server->clearRoutes();
    m_server->on("GET", QStringLiteral("/api/v1/mj/record-info"),
                 Answer::text(200, "<!DOCTYPE html><html><head><title>Welcome to nginx</title></head></html>",
                              "text/html"));
    run = cli({QStringLiteral("accounts"), QStringLiteral("test"), QStringLiteral("good")}, {}, &env);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("Not this family"), qPrintable(run.describe()));

    // A port nobody listens on.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    addAccount(QStringLiteral("gone"), QStringLiteral("http://127.0.0.1:%1").arg(port));
    run = cli({QStringLiteral("accounts"), QStringLiteral("test"), QStringLiteral("gone")}, {}, &env);
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("unreachable"), qPrintable(run.describe()));
}

void TstCliAccounts::keyNeverLeaks()
{
    QProcessEnvironment debug = m_env;
    debug.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true"));
    QByteArray everything;
    const auto run = [&](const QStringList &args, const QByteArray &in = {}) {
        const Run r = cli(args, in, &debug);
        everything += r.out + r.err;
        return r;
    };
    Run r = run({QStringLiteral("accounts"), QStringLiteral("add"), QStringLiteral("--family"),
                 QStringLiteral("kie"), QStringLiteral("--name"), QStringLiteral("k1"),
                 QStringLiteral("--base-url"), m_server->baseUrl(), QStringLiteral("--option"),
                 QStringLiteral("first-poll=0.05"), QStringLiteral("--key-stdin")},
                kKey + "\n");
    if (r.exitCode == 1 && r.err.contains("keychain"))
        QSKIP("no system keychain in this session");
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = run({QStringLiteral("imagine"), QStringLiteral("a lighthouse"), QStringLiteral("--account"),
             QStringLiteral("k1"), QStringLiteral("--wait"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(m_server->last("POST", QStringLiteral("/api/v1/mj/generate"))->header("Authorization"),
             "Bearer " + kKey);
    run({QStringLiteral("accounts"), QStringLiteral("test"), QStringLiteral("k1")});
    run({QStringLiteral("accounts"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY(everything.contains("tessera.net")); // debug logging really was on

    const QList<QByteArray> forms {
        kKey, kKey.toBase64(), kKey.toHex(),
        QByteArray(reinterpret_cast<const char *>(QString::fromLatin1(kKey).utf16()), kKey.size() * 2)};
    for (const QByteArray &form : forms)
        QVERIFY2(!everything.contains(form), "the key appeared in the output");
    QDirIterator files(m_home->path(), QDir::Files | QDir::Hidden | QDir::System,
                       QDirIterator::Subdirectories);
    int searched = 0;
    while (files.hasNext()) {
        QFile file(files.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        ++searched;
        for (const QByteArray &form : forms)
            QVERIFY2(!bytes.contains(form),
                     qPrintable(QStringLiteral("the key is in %1").arg(file.fileName())));
    }
    QVERIFY(searched >= 3); // the database (with its WAL), the images, the settings
}

void TstCliAccounts::describeFetchesAUrlForMidjourneyProxy()
{
    // midjourney-proxy takes describe images as base64 only: a URL is fetched (without the key) first.
    m_server->on("POST", QStringLiteral("/mj/submit/describe"), [](const RecordedRequest &r) {
        if (!r.json()
                 .value(QStringLiteral("base64"))
                 .toString()
                 .startsWith(QLatin1String("data:image/png;base64,")))
            return Answer::json(200,
                                {{QStringLiteral("code"), 4},
                                 {QStringLiteral("description"), QStringLiteral("base64 missing")}});
        return Answer::json(200,
                            {{QStringLiteral("code"), 1},
                             {QStringLiteral("description"), QStringLiteral("Submit success")},
                             {QStringLiteral("result"), QStringLiteral("1712345678901234567")}});
    });
    m_server->on(
        "GET", QStringLiteral("/mj/task/1712345678901234567/fetch"),
        Answer::json(
            200,
            {{QStringLiteral("id"), QStringLiteral("1712345678901234567")},
             {QStringLiteral("action"), QStringLiteral("DESCRIBE")},
             {QStringLiteral("status"), QStringLiteral("SUCCESS")},
             {QStringLiteral("progress"), QStringLiteral("100%")},
             {QStringLiteral("properties"),
              QJsonObject {{QStringLiteral("finalPrompt"),
                            QStringLiteral("1\ufe0f\u20e3 a red door\n\n2\ufe0f\u20e3 a blue door")}}}}));
    Run run = cli({QStringLiteral("accounts"), QStringLiteral("add"), QStringLiteral("--family"),
                   QStringLiteral("mjproxy"), QStringLiteral("--name"), QStringLiteral("mj"),
                   QStringLiteral("--base-url"), m_server->baseUrl(), QStringLiteral("--option"),
                   QStringLiteral("first-poll=0.05")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QProcessEnvironment env = m_env;
    env.insert(QStringLiteral("TESSERA_API_KEY"), QStringLiteral("env-key"));
    run = cli({QStringLiteral("describe"), m_server->url(QStringLiteral("/files/1.png")).toString(),
               QStringLiteral("--account"), QStringLiteral("mj"), QStringLiteral("--wait"),
               QStringLiteral("--json")},
              {}, &env);
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const QJsonObject task = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(task.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
    QVERIFY(task.value(QStringLiteral("text")).toString().contains(QStringLiteral("a blue door")));
    QVERIFY(!m_server->last("GET", QStringLiteral("/files/1.png"))->hasHeader("Authorization"));
}

QTEST_GUILESS_MAIN(TstCliAccounts)
#include "tst_cliaccounts.moc"
