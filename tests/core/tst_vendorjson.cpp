// The helpers every family shares: long ids kept exactly, answers that are not JSON, percent strings,
// Retry-After in both forms, the HTTP status table, loopback hosts, and the account option table.
#include "model/accountoptions.h"
#include "providers/common/vendorjson.h"

#include <QJsonArray>
#include <QTest>
#include <QTimeZone>

using namespace tessera;

class TstVendorJson : public QObject
{
    Q_OBJECT

private slots:
    void longIntegersBecomeStrings()
    {
        HttpResponse r;
        r.status = 200;
        r.body = "{\"id\": 1320098073298567168, \"small\": 42, \"neg\": -12345678901234567, \"f\": 1.5e3,"
                 " \"s\": \"9007199254740993 in text\", \"nested\": [12345678901234567890]}";
        const auto o = vendor::parseObject(r);
        QVERIFY(o.ok());
        QCOMPARE(vendor::idString(o->value(QStringLiteral("id"))), QStringLiteral("1320098073298567168"));
        QCOMPARE(vendor::idString(o->value(QStringLiteral("small"))), QStringLiteral("42"));
        QCOMPARE(o->value(QStringLiteral("neg")).toString(), QStringLiteral("-12345678901234567"));
        QCOMPARE(o->value(QStringLiteral("f")).toDouble(), 1500.0);
        QCOMPARE(o->value(QStringLiteral("s")).toString(), QStringLiteral("9007199254740993 in text"));
        QCOMPARE(o->value(QStringLiteral("nested")).toArray().first().toString(),
                 QStringLiteral("12345678901234567890"));
        // Escaped quotes inside strings do not confuse the scanner.
        QCOMPARE(
            vendor::quoteLongIntegers("{\"a\":\"x\\\"1234567890123456789\\\"\",\"b\":1234567890123456789}"),
            QByteArray("{\"a\":\"x\\\"1234567890123456789\\\"\",\"b\":\"1234567890123456789\"}"));
    }

    void answersThatAreNotJsonObjects_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("html") << QByteArray("<!DOCTYPE html><html><title>Login</title></html>")
                              << QStringLiteral("web page");
        QTest::newRow("empty") << QByteArray("  ") << QStringLiteral("empty");
        QTest::newRow("broken") << QByteArray("{\"code\": 200,") << QStringLiteral("broken JSON");
        QTest::newRow("array") << QByteArray("[1,2]") << QStringLiteral("not a JSON object");
    }

    void answersThatAreNotJsonObjects()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, mentions);
        HttpResponse r;
        r.status = 200;
        r.body = body;
        const auto o = vendor::parseObject(r);
        QVERIFY(!o.ok());
        QCOMPARE(o.error().kind, Error::Kind::BadResponse);
        QVERIFY2(o.error().message.contains(mentions), qPrintable(o.error().message));
    }

    void percentValues()
    {
        QCOMPARE(vendor::percent(QJsonValue(QStringLiteral("62%"))), std::optional<int>(62));
        QCOMPARE(vendor::percent(QJsonValue(QStringLiteral(" 7 "))), std::optional<int>(7));
        QCOMPARE(vendor::percent(QJsonValue(140)), std::optional<int>(100));
        QCOMPARE(vendor::percent(QJsonValue(QStringLiteral("soon"))), std::nullopt);
        QCOMPARE(vendor::percent(QJsonValue()), std::nullopt);
    }

    void retryAfterInSecondsAndAsADate()
    {
        HttpResponse r;
        r.status = 429;
        r.received = QDateTime(QDate(2026, 11, 22), QTime(10, 0, 0), QTimeZone::utc());
        r.headers = {{"Retry-After", "30"}};
        QCOMPARE(http::retryAfter(r), r.received.addSecs(30));
        r.headers = {{"retry-after", "Sun, 22 Nov 2026 10:05:00 GMT"}};
        QCOMPARE(http::retryAfter(r), QDateTime(QDate(2026, 11, 22), QTime(10, 5, 0), QTimeZone::utc()));
        r.headers = {{"Retry-After", "whenever"}};
        QVERIFY(!http::retryAfter(r).isValid());
        r.headers = {{"Retry-After", "2"}};
        const Error e = vendor::httpError(r, QStringLiteral("Too many requests"));
        QCOMPARE(e.kind, Error::Kind::RateLimited);
        QCOMPARE(e.retryAfter, r.received.addSecs(2));
        QCOMPARE(e.message, QStringLiteral("Too many requests"));
    }

    void statusTable_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<Error::Kind>("kind");
        QTest::newRow("400") << 400 << Error::Kind::InvalidRequest;
        QTest::newRow("401") << 401 << Error::Kind::Unauthorized;
        QTest::newRow("402") << 402 << Error::Kind::PaymentRequired;
        QTest::newRow("403") << 403 << Error::Kind::Unauthorized;
        QTest::newRow("404") << 404 << Error::Kind::NotFound;
        QTest::newRow("422") << 422 << Error::Kind::InvalidRequest;
        QTest::newRow("429") << 429 << Error::Kind::RateLimited;
        QTest::newRow("455") << 455 << Error::Kind::Maintenance;
        QTest::newRow("500") << 500 << Error::Kind::ServerError;
        QTest::newRow("501") << 501 << Error::Kind::ServerError;
        QTest::newRow("503") << 503 << Error::Kind::Maintenance;
        QTest::newRow("505") << 505 << Error::Kind::Unsupported;
        QTest::newRow("302") << 302 << Error::Kind::BadResponse;
    }

    void statusTable()
    {
        QFETCH(int, status);
        QFETCH(Error::Kind, kind);
        QCOMPARE(vendor::kindForStatus(status), kind);
        HttpResponse r;
        r.status = status;
        r.body = "<html>oops</html>";
        const Error e = vendor::httpError(r);
        QCOMPARE(e.kind, kind);
        QCOMPARE(e.httpStatus, status);
        QVERIFY(e.message.contains(QString::number(status)));
    }

    void loopbackHosts()
    {
        for (const char *host : {"localhost", "127.0.0.1", "127.8.9.10", "::1", "[::1]", "LOCALHOST"})
            QVERIFY2(http::isLoopbackHost(QString::fromLatin1(host)), host);
        for (const char *host : {"example.com", "10.0.0.1", "128.0.0.1", "localhost.example.com", ""})
            QVERIFY2(!http::isLoopbackHost(QString::fromLatin1(host)), host);
    }

    void accountOptionsAreCheckedPerFamily_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("stored"); // empty: refused
        QTest::newRow("prefix gets its slash") << "mjproxy"
                                               << "prefix"
                                               << "mj-fast/"
                                               << "/mj-fast";
        QTest::newRow("prefix empty") << "mjproxy"
                                      << "prefix"
                                      << ""
                                      << "";
        QTest::newRow("prefix with space") << "mjproxy"
                                           << "prefix"
                                           << "/mj fast"
                                           << "!";
        QTest::newRow("auth raw") << "mjproxy"
                                  << "auth"
                                  << "raw"
                                  << "raw";
        QTest::newRow("auth unknown") << "mjproxy"
                                      << "auth"
                                      << "basic"
                                      << "!";
        QTest::newRow("routing") << "apixo"
                                 << "routing"
                                 << "official"
                                 << "official";
        QTest::newRow("mask polygons") << "apixo"
                                       << "mask-format"
                                       << "polygons"
                                       << "polygons";
        QTest::newRow("mask on kie") << "kie"
                                     << "mask-format"
                                     << "polygons"
                                     << "!";
        QTest::newRow("vary base 0") << "kie"
                                     << "vary-index-base"
                                     << "0"
                                     << "0";
        QTest::newRow("vary base 2") << "kie"
                                     << "vary-index-base"
                                     << "2"
                                     << "!";
        QTest::newRow("seconds") << "kolersky"
                                 << "first-poll"
                                 << "2.5"
                                 << "2.5";
        QTest::newRow("negative seconds") << "kolersky"
                                          << "timeout"
                                          << "-1"
                                          << "!";
        QTest::newRow("max polls") << "kolersky"
                                   << "max-polls"
                                   << "60"
                                   << "60";
        QTest::newRow("concurrency 0") << "kie"
                                       << "concurrency"
                                       << "0"
                                       << "!";
        QTest::newRow("unknown key") << "kie"
                                     << "colour"
                                     << "red"
                                     << "!";
    }

    void accountOptionsAreCheckedPerFamily()
    {
        QFETCH(QString, family);
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, stored);
        const Result<QString> checked = checkAccountOption(family, key, value);
        if (stored == QLatin1String("!")) {
            QVERIFY(!checked.ok());
            QVERIFY2(checked.error().message.contains(key), qPrintable(checked.error().message));
        } else {
            QVERIFY2(checked.ok(), qPrintable(checked ? QString() : checked.error().message));
            QCOMPARE(*checked, stored);
        }
    }
};

QTEST_GUILESS_MAIN(TstVendorJson)
#include "tst_vendorjson.moc"
