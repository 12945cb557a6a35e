#include "model/baseurl.h"

#include <QTest>

using namespace tessera;

// Base URL validation (issue "Accounts and secrets"; PROVIDERS.md, "General rules for every family":
// HTTPS except loopback). An empty `expected` means the input is refused; `problem` is then a word the
// message must contain, so that the user is told what to fix.
class TestBaseUrl : public QObject
{
    Q_OBJECT

private slots:
    void normalize_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("problem");

        const auto ok = [](const char *name, const char *input, const char *expected) {
            QTest::newRow(name) << QString::fromUtf8(input) << QString::fromUtf8(expected) << QString();
        };
        const auto bad = [](const char *name, const char *input, const char *problem) {
            QTest::newRow(name) << QString::fromUtf8(input) << QString() << QString::fromUtf8(problem);
        };

        ok("plain", "https://api.kie.ai", "https://api.kie.ai");
        ok("spaces and slashes", "  https://api.kie.ai///  ", "https://api.kie.ai");
        ok("no scheme", "api.kie.ai", "https://api.kie.ai");
        ok("no scheme, api path", "api.kie.ai/api/v1/mj/generate", "https://api.kie.ai");
        ok("upper case", "HTTPS://API.KIE.AI/", "https://api.kie.ai");
        ok("default port", "https://api.kie.ai:443/", "https://api.kie.ai");
        ok("other port", "https://api.kie.ai:8443/", "https://api.kie.ai:8443");
        ok("kie endpoint", "https://api.kie.ai/api/v1/mj/generate", "https://api.kie.ai");
        ok("kie status with query", "https://api.kie.ai/api/v1/mj/record-info?taskId=abc",
           "https://api.kie.ai");
        ok("kie api root", "https://api.kie.ai/api/v1/", "https://api.kie.ai");
        ok("apixo endpoint", "https://api.apixo.ai/api/v1/generateTask/midjourney", "https://api.apixo.ai");
        ok("apixo status", "https://api.apixo.ai/api/v1/statusTask/midjourney?taskId=1#x",
           "https://api.apixo.ai");
        ok("kolersky endpoint", "https://x.example/v1/midjourney/generate", "https://x.example");
        ok("kolersky status", "https://api.kolersky.com/v1/status?requestId=1", "https://api.kolersky.com");
        ok("kolersky version root", "https://api.kolersky.com/v1", "https://api.kolersky.com");
        ok("mjproxy submit", "https://host.example/mj/submit/imagine", "https://host.example");
        ok("mjproxy fetch", "https://host.example/mj/task/1320098173412546/fetch", "https://host.example");
        ok("mjproxy speed prefix kept", "https://host.example/fast/mj/submit/imagine",
           "https://host.example/fast");
        ok("mjproxy bare mj", "https://host.example/mj/", "https://host.example");
        ok("case of api path ignored", "https://host.example/API/V1/MJ/Generate", "https://host.example");
        ok("gateway sub-path kept", "https://gateway.example/openai/", "https://gateway.example/openai");
        ok("gateway sub-path with api path", "https://gateway.example/openai/mj/submit/imagine",
           "https://gateway.example/openai");
        ok("doubled slashes in a path", "https://gateway.example//openai//mj//",
           "https://gateway.example/openai");
        ok("dot segments", "https://gateway.example/a/../openai/./", "https://gateway.example/openai");
        ok("mj-like segment kept", "https://gateway.example/mj-fast", "https://gateway.example/mj-fast");
        ok("international host name", "https://bücher.example/", "https://xn--bcher-kva.example");
        ok("encoded path kept", "https://gateway.example/my%20api/", "https://gateway.example/my%20api");
        ok("localhost http", "http://localhost:8080/", "http://localhost:8080");
        ok("loopback http with api path", "http://127.0.0.1:8080/mj/submit/imagine", "http://127.0.0.1:8080");
        ok("other loopback address", "http://127.1.2.3", "http://127.1.2.3");
        ok("ipv6 loopback", "http://[::1]:9000/", "http://[::1]:9000");
        ok("loopback without scheme", "127.0.0.1:8080", "http://127.0.0.1:8080");
        ok("localhost without scheme", "localhost:3000/v1", "http://localhost:3000");
        ok("https loopback", "https://localhost", "https://localhost");

        bad("empty", "", "enter");
        bad("blank", "   ", "enter");
        bad("plain http", "http://api.kie.ai", "plain http is only allowed");
        bad("http to all interfaces", "http://0.0.0.0:8080", "https://");
        bad("other scheme", "ftp://api.kie.ai", "https://");
        bad("user and password", "https://user:secret@api.kie.ai", "password");
        bad("query", "https://api.kie.ai/?token=abc", "query");
        bad("fragment", "https://gateway.example/openai#top", "#");
        bad("space inside", "https://api.kie .ai", "spaces");
        bad("no host", "https://", "server name");
        bad("bad port", "https://api.kie.ai:99999", "valid");
    }

    void normalize()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QFETCH(QString, problem);

        const Result<QString> url = normalizeBaseUrl(input);
        if (expected.isEmpty()) {
            QVERIFY2(!url, qPrintable(url ? url.value() : QString()));
            QCOMPARE(url.error().kind, Error::Kind::InvalidRequest);
            QVERIFY2(url.error().message.startsWith(QLatin1String("Base URL: ")),
                     qPrintable(url.error().message));
            QVERIFY2(url.error().message.contains(problem), qPrintable(url.error().message));
        } else {
            QVERIFY2(url, qPrintable(url ? QString() : url.error().message));
            QCOMPARE(url.value(), expected);
            // Normalising twice changes nothing: what is stored passes the check again unchanged.
            const Result<QString> again = normalizeBaseUrl(url.value());
            QVERIFY(again);
            QCOMPARE(again.value(), expected);
        }
    }

    void messagesNeverRepeatTheInput()
    {
        // A key pasted into the URL field must not come back in a message that may be shown or logged.
        const QString pasted = QStringLiteral("http://sk-live-0123456789abcdef.example");
        const Result<QString> url = normalizeBaseUrl(pasted);
        QVERIFY(!url);
        QVERIFY(!url.error().message.contains(QLatin1String("0123456789abcdef")));
    }
};

QTEST_GUILESS_MAIN(TestBaseUrl)
#include "tst_baseurl.moc"
