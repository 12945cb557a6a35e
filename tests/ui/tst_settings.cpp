// The Settings dialog, offscreen, over an AppCore in a temporary folder with keys in memory: accounts of
// the four families added through the widgets (options normalised, key in the secret store, never shown
// again but as "••••1234"), refused input, "Test connection" against a fake server (key accepted, key
// rejected, unreachable, not this family's API), the keychain that cannot store a key (the user decides
// whether it lives in memory for this session), remove and the demo banner, and the dialog's part of the
// leak test (issue "Accounts and secrets").
#include "appcore.h"
#include "fakehttpserver.h"
#include "settings/appsettings.h"
#include "settings/settingsdialog.h"
#include "shell/mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QComboBox>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QMutex>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

using namespace tessera;
using namespace tessera::test;
using namespace tessera::ui;

namespace {

constexpr int kTimeoutMs = 10000;
const QString kLeakKey = QStringLiteral("sk-DIALOG-CANARY-8e2b41c7d9");

std::unique_ptr<AppCore> openCore(const QString &root)
{
    AppCore::Options options;
    options.paths = AppPaths::under(root);
    options.demoTileLongSide = 64;
    options.keychain = false; // MemorySecretStore under the LayeredSecretStore
    options.http.retry.baseMs = 10;
    options.http.retry.maxAttempts = 2;
    auto core = AppCore::open(options);
    if (!core)
        qFatal("cannot open core: %s", qPrintable(core.error().message));
    return std::move(*core);
}

// What the main window hands the dialog. The key hints live as long as the test program, like the main
// window's for a session: a reopened dialog shows "••••1234" for a key typed earlier.
AccountsPage::Services servicesOf(AppCore &core, LayeredSecretStore *secrets = nullptr)
{
    static KeyHints hints;
    return {core.store(), core.providers(), core.transport(), secrets ? *secrets : core.secrets(), hints};
}

// A keychain that is not there: reads find nothing, writes fail with the backend's words.
class FailingSecretStore final : public SecretStore
{
public:
    void readKey(const QString &, QObject *context, KeyCallback done) override
    {
        answerLater(context, [done = std::move(done)] {
            done(Error::make(Error::Kind::NotFound, QStringLiteral("No API key is stored for this account")));
        });
    }
    void writeKey(const QString &, const QString &, QObject *context, DoneCallback done) override
    {
        ++writes;
        answerLater(context, [done = std::move(done)] {
            done(Error::make(
                Error::Kind::Unsupported,
                QStringLiteral("The system keychain is not available: no secret service (test)")));
        });
    }
    void removeKey(const QString &, QObject *context, DoneCallback done) override
    {
        answerLater(context, [done = std::move(done)] { done(Status()); });
    }
    int writes = 0;
};

// The dialog's widgets, found by object name.
struct Editor
{
    explicit Editor(QWidget *dialog)
        : list(dialog->findChild<QListWidget *>(QStringLiteral("accountList")))
        , add(dialog->findChild<QPushButton *>(QStringLiteral("addButton")))
        , remove(dialog->findChild<QPushButton *>(QStringLiteral("removeButton")))
        , family(dialog->findChild<QComboBox *>(QStringLiteral("family")))
        , name(dialog->findChild<QLineEdit *>(QStringLiteral("name")))
        , baseUrl(dialog->findChild<QLineEdit *>(QStringLiteral("baseUrl")))
        , key(dialog->findChild<QLineEdit *>(QStringLiteral("key")))
        , keyState(dialog->findChild<QLabel *>(QStringLiteral("keyState")))
        , save(dialog->findChild<QPushButton *>(QStringLiteral("saveButton")))
        , test(dialog->findChild<QPushButton *>(QStringLiteral("testButton")))
        , testResult(dialog->findChild<QLabel *>(QStringLiteral("testResult")))
        , message(dialog->findChild<QLabel *>(QStringLiteral("message")))
        , m_dialog(dialog)
    { }
    bool complete() const
    {
        return list && add && remove && family && name && baseUrl && key && keyState && save && test
            && testResult && message;
    }
    QWidget *option(const QString &optionKey) const
    {
        return m_dialog->findChild<QWidget *>(QStringLiteral("option-") + optionKey);
    }
    // Types `value` into the option's line edit or picks it in its combo box; false when there is no
    // such field or no such choice.
    bool setOption(const QString &optionKey, const QString &value) const
    {
        if (auto *combo = qobject_cast<QComboBox *>(option(optionKey))) {
            const int index = combo->findText(value);
            combo->setCurrentIndex(index);
            return index >= 0;
        }
        if (auto *edit = qobject_cast<QLineEdit *>(option(optionKey))) {
            edit->clear();
            QTest::keyClicks(edit, value);
            return true;
        }
        return false;
    }
    QString optionText(const QString &optionKey) const
    {
        if (auto *combo = qobject_cast<QComboBox *>(option(optionKey)))
            return combo->currentText();
        if (auto *edit = qobject_cast<QLineEdit *>(option(optionKey)))
            return edit->text();
        return QStringLiteral("(no field)");
    }
    // Add…, then the family, name, base URL and key as a user types them.
    void fill(const QString &familyId, const QString &accountName, const QString &url,
              const QString &apiKey) const
    {
        QTest::mouseClick(add, Qt::LeftButton);
        family->setCurrentIndex(family->findData(familyId));
        QTest::keyClicks(name, accountName);
        QTest::keyClicks(baseUrl, url);
        if (!apiKey.isEmpty())
            QTest::keyClicks(key, apiKey);
    }
    bool select(const QString &accountId) const
    {
        for (int row = 0; row < list->count(); ++row) {
            if (list->item(row)->data(Qt::UserRole).toString() == accountId) {
                list->setCurrentRow(row);
                return true;
            }
        }
        return false;
    }

    QListWidget *list;
    QPushButton *add;
    QPushButton *remove;
    QComboBox *family;
    QLineEdit *name;
    QLineEdit *baseUrl;
    QLineEdit *key;
    QLabel *keyState;
    QPushButton *save;
    QPushButton *test;
    QLabel *testResult;
    QLabel *message;

private:
    QWidget *m_dialog;
};

// Runs `step` once the application's active modal widget is a `W` (a dialog run with exec(), a message
// box): the way to answer a modal loop from the test. The poll stops by itself after the test's timeout.
template<typename W> void whenModal(std::function<void(W *)> step)
{
    auto *timer = new QTimer;
    timer->setInterval(10);
    auto started = std::make_shared<QElapsedTimer>();
    started->start();
    QObject::connect(timer, &QTimer::timeout, [timer, started, step = std::move(step)] {
        W *widget = qobject_cast<W *>(QApplication::activeModalWidget());
        if (!widget && started->elapsed() < kTimeoutMs)
            return;
        timer->stop();
        timer->deleteLater();
        if (widget)
            step(widget);
    });
    timer->start();
}

// Clicks `button` of the next message box and keeps its text in `text`.
void answerNextBox(QMessageBox::StandardButton button, QString *text = nullptr)
{
    whenModal<QMessageBox>([button, text](QMessageBox *box) {
        if (text)
            *text = box->text();
        if (QAbstractButton *b = box->button(button))
            b->click();
    });
}

Result<QString> readKey(SecretStore &store, const QString &accountId)
{
    std::optional<Result<QString>> answer;
    QObject context;
    store.readKey(accountId, &context, [&answer](const Result<QString> &key) { answer = key; });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, kTimeoutMs))
        return Error::make(Error::Kind::Timeout, QStringLiteral("no answer from the store"));
    return *answer;
}

std::optional<Account> accountNamed(AppCore &core, const QString &name)
{
    const auto found = core.store().accountByName(name);
    if (!found)
        return std::nullopt;
    return *found;
}

int accountCount(AppCore &core)
{
    const auto accounts = core.store().accounts();
    return accounts ? static_cast<int>(accounts->size()) : -1;
}

quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost))
        return 1;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

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

// Everything logged while the leak test runs, every category at debug.
QMutex g_logMutex;
QByteArray g_log;
QtMessageHandler g_previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log += QByteArray(context.category ? context.category : "default") + ": " + text.toUtf8() + '\n';
    }
    if (type != QtDebugMsg && type != QtInfoMsg && g_previousHandler)
        g_previousHandler(type, context, text);
}

} // namespace

class TstSettings : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void addEachFamily_data();
    void addEachFamily();
    void refusedInput_data();
    void refusedInput();
    void connectionTest_data();
    void connectionTest();
    void keychainFailureAsksTheUser_data();
    void keychainFailureAsksTheUser();
    void removeBringsBackTheDemoBanner();
    void keyNeverLeaks();
    void accountsPageWorksAlone();
    void dialogFitsTheScreen();
};

void TstSettings::initTestCase()
{
    // As the suite's QT_LOGGING_RULES, which main() took out so that the leak test can turn debug on.
    QLoggingCategory::setFilterRules(QStringLiteral("tessera.*.debug=false"));
}

void TstSettings::addEachFamily_data()
{
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("savedUrl");
    QTest::addColumn<QJsonObject>("typed"); // option → what the user types or picks
    QTest::addColumn<QJsonObject>("saved"); // the options as stored
    QTest::newRow("kolersky") << QStringLiteral("kolersky")
                              << QStringLiteral("https://api.kolersky.example/v1/midjourney/generate")
                              << QStringLiteral("https://api.kolersky.example")
                              << QJsonObject {{QStringLiteral("first-poll"), QStringLiteral(" 2 ")},
                                              {QStringLiteral("max-polls"), QStringLiteral("60")}}
                              << QJsonObject {{QStringLiteral("first-poll"), QStringLiteral("2")},
                                              {QStringLiteral("max-polls"), QStringLiteral("60")}};
    QTest::newRow("apixo") << QStringLiteral("apixo") << QStringLiteral("HTTPS://API.apixo.example:443/")
                           << QStringLiteral("https://api.apixo.example")
                           << QJsonObject {{QStringLiteral("routing"), QStringLiteral("value")},
                                           {QStringLiteral("mask-format"), QStringLiteral("polygons")},
                                           {QStringLiteral("concurrency"), QStringLiteral("2")}}
                           << QJsonObject {{QStringLiteral("routing"), QStringLiteral("value")},
                                           {QStringLiteral("mask-format"), QStringLiteral("polygons")},
                                           {QStringLiteral("concurrency"), QStringLiteral("2")}};
    QTest::newRow("kie") << QStringLiteral("kie")
                         << QStringLiteral("https://api.kie.example/api/v1/mj/generate")
                         << QStringLiteral("https://api.kie.example")
                         << QJsonObject {{QStringLiteral("vary-index-base"), QStringLiteral("0")},
                                         {QStringLiteral("poll-interval"), QStringLiteral("0.5")}}
                         << QJsonObject {{QStringLiteral("vary-index-base"), QStringLiteral("0")},
                                         {QStringLiteral("poll-interval"), QStringLiteral("0.5")}};
    QTest::newRow("mjproxy") << QStringLiteral("mjproxy") << QStringLiteral("http://127.0.0.1:8080/")
                             << QStringLiteral("http://127.0.0.1:8080")
                             << QJsonObject {{QStringLiteral("prefix"), QStringLiteral("mj-fast")},
                                             {QStringLiteral("auth"), QStringLiteral("mj-api-secret")},
                                             {QStringLiteral("timeout"), QStringLiteral("300")}}
                             << QJsonObject {{QStringLiteral("prefix"), QStringLiteral("/mj-fast")},
                                             {QStringLiteral("auth"), QStringLiteral("mj-api-secret")},
                                             {QStringLiteral("timeout"), QStringLiteral("300")}};
}

void TstSettings::addEachFamily()
{
    QFETCH(QString, family);
    QFETCH(QString, url);
    QFETCH(QString, savedUrl);
    QFETCH(QJsonObject, typed);
    QFETCH(QJsonObject, saved);
    QTemporaryDir dir;
    auto core = openCore(dir.path());
    const QString name = QStringLiteral("My ") + family;
    const QString key = QStringLiteral("sk-") + family + QStringLiteral("-test-4321");
    QString id;
    {
        SettingsDialog dialog(servicesOf(*core), core->paths().archiveDir);
        dialog.show();
        const Editor e(&dialog);
        QVERIFY(e.complete());
        e.fill(family, name, url, key);
        for (auto it = typed.constBegin(); it != typed.constEnd(); ++it)
            QVERIFY2(e.setOption(it.key(), it.value().toString()), qPrintable(it.key()));
        QTest::mouseClick(e.save, Qt::LeftButton);
        // With a key: "Saved." once the keychain took it, never before.
        QCOMPARE(e.message->text(), QStringLiteral("Account saved; storing the key in the system keychain…"));
        QTRY_COMPARE(e.message->text(), QStringLiteral("Saved."));

        const std::optional<Account> account = accountNamed(*core, name);
        QVERIFY(account);
        id = account->id;
        QCOMPARE(account->family, family);
        QCOMPARE(account->baseUrl, savedUrl);
        QCOMPARE(account->options, saved);
        QCOMPARE(e.key->text(), QString()); // the typed key does not stay in the field
        const Result<QString> stored = readKey(core->secrets(), id);
        QVERIFY2(stored, qPrintable(stored ? QString() : stored.error().message));
        QCOMPARE(*stored, key);
        QVERIFY(!core->secrets().hasSessionKey(id));
        QTRY_VERIFY2(e.keyState->text().startsWith(QStringLiteral("••••4321")),
                     qPrintable(e.keyState->text()));
        QVERIFY(!e.keyState->text().contains(key));
    }
    // Reopened: the saved account shows what was saved, and the key only as stored.
    SettingsDialog dialog(servicesOf(*core), core->paths().archiveDir);
    dialog.show();
    const Editor e(&dialog);
    QVERIFY(e.select(id));
    QCOMPARE(e.family->currentData().toString(), family);
    QVERIFY(!e.family->isEnabled());
    QCOMPARE(e.name->text(), name);
    QCOMPARE(e.baseUrl->text(), savedUrl);
    QCOMPARE(e.key->text(), QString());
    for (auto it = saved.constBegin(); it != saved.constEnd(); ++it)
        QCOMPARE(e.optionText(it.key()), it.value().toString());
    QVERIFY(e.keyState->text().contains(QStringLiteral("4321"))
            || e.keyState->text().contains(QStringLiteral("stored")));

    // Saved again unchanged (no key typed): the options and the key stay as they were.
    QTest::mouseClick(e.save, Qt::LeftButton);
    QCOMPARE(accountNamed(*core, name)->options, saved);
    QCOMPARE(readKey(core->secrets(), id).valueOr(QString()), key);
}

void TstSettings::refusedInput_data()
{
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("plain http") << QStringLiteral("kie") << QStringLiteral("http://example.com") << QString()
                                << QString() << QStringLiteral("https://");
    QTest::newRow("no url") << QStringLiteral("kie") << QString() << QString() << QString()
                            << QStringLiteral("Base URL");
    QTest::newRow("seconds") << QStringLiteral("kie") << QStringLiteral("https://api.kie.example")
                             << QStringLiteral("first-poll") << QStringLiteral("soon")
                             << QStringLiteral("first-poll");
    QTest::newRow("prefix") << QStringLiteral("mjproxy") << QStringLiteral("https://proxy.example")
                            << QStringLiteral("prefix") << QStringLiteral("mj fast!")
                            << QStringLiteral("prefix");
    QTest::newRow("concurrency") << QStringLiteral("apixo") << QStringLiteral("https://api.apixo.example")
                                 << QStringLiteral("concurrency") << QStringLiteral("0")
                                 << QStringLiteral("concurrency");
    QTest::newRow("max-polls") << QStringLiteral("kolersky") << QStringLiteral("https://api.kolersky.example")
                               << QStringLiteral("max-polls") << QStringLiteral("-1")
                               << QStringLiteral("max-polls");
    // kolersky's own limits (issue 12): refused with the vendor's reason.
    QTest::newRow("kolersky checks too often")
        << QStringLiteral("kolersky") << QStringLiteral("https://api.kolersky.example")
        << QStringLiteral("poll-interval") << QStringLiteral("0.5")
        << QStringLiteral("kolersky allows one status check every 5 seconds at most");
    QTest::newRow("kolersky checks too many")
        << QStringLiteral("kolersky") << QStringLiteral("https://api.kolersky.example")
        << QStringLiteral("max-polls") << QStringLiteral("61")
        << QStringLiteral("kolersky allows at most 60 status checks per task");
}

void TstSettings::refusedInput()
{
    QFETCH(QString, family);
    QFETCH(QString, url);
    QFETCH(QString, option);
    QFETCH(QString, value);
    QFETCH(QString, mentions);
    QTemporaryDir dir;
    auto core = openCore(dir.path());
    const int before = accountCount(*core);
    SettingsDialog dialog(servicesOf(*core), core->paths().archiveDir);
    dialog.show();
    const Editor e(&dialog);
    e.fill(family, QStringLiteral("refused"), url, QStringLiteral("sk-refused-1111"));
    if (!option.isEmpty())
        QVERIFY(e.setOption(option, value));
    QTest::mouseClick(e.save, Qt::LeftButton);
    QVERIFY2(e.message->text().contains(mentions), qPrintable(e.message->text()));
    QCOMPARE(accountCount(*core), before);
    QVERIFY(!accountNamed(*core, QStringLiteral("refused")));
    // Nothing is lost either: the user corrects the field and saves again.
    QCOMPARE(e.key->text(), QStringLiteral("sk-refused-1111"));
    QTest::qWait(0);
    QVERIFY(!e.keyState->text().contains(QStringLiteral("••••")));
}

void TstSettings::connectionTest_data()
{
    QTest::addColumn<QString>("family");
    QTest::addColumn<QString>("path"); // where the family's status query goes
    QTest::addColumn<int>("status"); // 0: nobody listens on the port
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<QString>("message");

    const QByteArray json = "application/json";
    const QByteArray html = "<!DOCTYPE html><html><head><title>Welcome to nginx</title></head></html>";
    // kie (PROVIDERS.md §3): {code, msg, data}; a made-up task id is "not found" with HTTP 200.
    const QString kie = QStringLiteral("/api/v1/mj/record-info");
    QTest::newRow("kie accepted") << QStringLiteral("kie") << kie << 200
                                  << QByteArray(R"({"code":404,"msg":"record not found","data":null})")
                                  << json << QStringLiteral("Key accepted") << QString();
    QTest::newRow("kie rejected") << QStringLiteral("kie") << kie << 401
                                  << QByteArray(R"({"code":401,"msg":"You do not have access permissions"})")
                                  << json << QStringLiteral("Key rejected")
                                  << QStringLiteral("You do not have access permissions");
    QTest::newRow("kie unreachable") << QStringLiteral("kie") << kie << 0 << QByteArray() << QByteArray()
                                     << QStringLiteral("unreachable") << QString();
    QTest::newRow("kie html") << QStringLiteral("kie") << kie << 200 << html << QByteArray("text/html")
                              << QStringLiteral("Not this family's API") << QString();
    // kolersky (§1): {err, code, message}.
    const QString kolersky = QStringLiteral("/v1/status");
    QTest::newRow("kolersky accepted")
        << QStringLiteral("kolersky") << kolersky << 200
        << QByteArray(R"({"err":"Not found","code":404,"message":"Task not found"})") << json
        << QStringLiteral("Key accepted") << QString();
    QTest::newRow("kolersky rejected")
        << QStringLiteral("kolersky") << kolersky << 401
        << QByteArray(R"({"err":"Unauthorized","code":401,"message":"Invalid API key provided"})") << json
        << QStringLiteral("Key rejected") << QStringLiteral("Invalid API key provided");
    QTest::newRow("kolersky unreachable") << QStringLiteral("kolersky") << kolersky << 0 << QByteArray()
                                          << QByteArray() << QStringLiteral("unreachable") << QString();
    QTest::newRow("kolersky html") << QStringLiteral("kolersky") << kolersky << 200 << html
                                   << QByteArray("text/html") << QStringLiteral("Not this family's API")
                                   << QString();
}

void TstSettings::connectionTest()
{
    QFETCH(QString, family);
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(QString, verdict);
    QFETCH(QString, message);
    QTemporaryDir dir;
    auto core = openCore(dir.path());
    FakeHttpServer server;
    server.on("*", path, Answer::text(status, body, contentType));
    const QString url
        = status == 0 ? QStringLiteral("http://127.0.0.1:%1").arg(closedPort()) : server.baseUrl();
    const QString key = QStringLiteral("sk-test-connection-7777");

    SettingsDialog dialog(servicesOf(*core), core->paths().archiveDir);
    dialog.show();
    const Editor e(&dialog);
    e.fill(family, QStringLiteral("t"), url, key);
    QTest::mouseClick(e.save, Qt::LeftButton);
    QTRY_COMPARE(e.message->text(), QStringLiteral("Saved."));
    QCOMPARE(e.key->text(), QString());
    QTRY_VERIFY(e.keyState->text().startsWith(QStringLiteral("••••")));
    // The stored key is the one the test sends.
    QTest::mouseClick(e.test, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(e.testResult->text().contains(verdict), kTimeoutMs);
    QVERIFY2(e.testResult->text().contains(message), qPrintable(e.testResult->text()));
    if (verdict == QLatin1String("Key accepted")) // not the vendor's "task not found" that proved it
        QCOMPARE(e.testResult->text(), QStringLiteral("✓ Key accepted"));
    QVERIFY(e.test->isEnabled());
    if (status != 0) {
        QCOMPARE(server.count(), 1); // one cheap request
        bool keySent = false;
        for (const auto &header : server.requests().constFirst().headers)
            keySent = keySent || header.second.contains(key.toUtf8());
        QVERIFY(keySent);
    }
}

void TstSettings::keychainFailureAsksTheUser_data()
{
    QTest::addColumn<bool>("keep");
    QTest::newRow("yes: this session only") << true;
    QTest::newRow("no: nowhere") << false;
}

void TstSettings::keychainFailureAsksTheUser()
{
    QFETCH(bool, keep);
    QTemporaryDir dir;
    auto core = openCore(dir.path());
    auto failing = std::make_unique<FailingSecretStore>();
    FailingSecretStore *keychain = failing.get();
    LayeredSecretStore secrets(std::move(failing));
    const QString key = QStringLiteral("sk-no-keychain-9876");

    SettingsDialog dialog(servicesOf(*core, &secrets), core->paths().archiveDir);
    dialog.show();
    const Editor e(&dialog);
    e.fill(QStringLiteral("kie"), QStringLiteral("nokeychain"), QStringLiteral("https://api.kie.example"),
           key);
    QString question;
    answerNextBox(keep ? QMessageBox::Yes : QMessageBox::No, &question);
    QTest::mouseClick(e.save, Qt::LeftButton);
    // The account itself is saved; the key waits for the user's answer.
    const std::optional<Account> account = accountNamed(*core, QStringLiteral("nokeychain"));
    QVERIFY(account);
    QTRY_VERIFY_WITH_TIMEOUT(!question.isEmpty(), kTimeoutMs);
    QVERIFY2(question.contains(QStringLiteral("no secret service (test)")), qPrintable(question));
    QCOMPARE(keychain->writes, 1);
    QCOMPARE(e.key->text(), QString());
    QVERIFY(e.message->text() != QStringLiteral("Saved.")); // never "Saved." beside "the key was not saved"
    if (keep) {
        QTRY_COMPARE(e.message->text(),
                     QStringLiteral("Account saved; its key is kept for this session only."));
        QTRY_VERIFY(secrets.hasSessionKey(account->id));
        QCOMPARE(readKey(secrets, account->id).valueOr(QString()), key);
        QTRY_VERIFY2(e.keyState->text().contains(QStringLiteral("this session only")),
                     qPrintable(e.keyState->text()));
        QVERIFY(e.keyState->text().startsWith(QStringLiteral("••••9876")));
    } else {
        QTRY_COMPARE(e.message->text(), QStringLiteral("Account saved; its key was not stored."));
        QTRY_VERIFY2(e.keyState->text().contains(QStringLiteral("No key stored")),
                     qPrintable(e.keyState->text()));
        QCOMPARE(e.key->placeholderText(),
                 QStringLiteral("Paste the account's API key")); // nothing to replace
        QVERIFY(!secrets.hasSessionKey(account->id));
        const Result<QString> none = readKey(secrets, account->id);
        QVERIFY(!none);
        QCOMPARE(none.error().kind, Error::Kind::NotFound);
    }
    // The core's own store never saw the key.
    QVERIFY(!readKey(core->secrets(), account->id));
}

// The Accounts page needs only the services it is given (no dialog, no AppCore): it saves an account,
// says so, and shows the key through the KeyHints it was handed — and only those.
void TstSettings::accountsPageWorksAlone()
{
    QTemporaryDir dir;
    auto core = openCore(dir.path());
    KeyHints hints;
    AccountsPage page({core->store(), core->providers(), core->transport(), core->secrets(), hints});
    page.show();
    QSignalSpy changed(&page, &AccountsPage::accountsChanged);
    page.startAdding(QStringLiteral("kie"));
    const Editor e(&page);
    QVERIFY(e.complete());
    e.fill(QStringLiteral("kie"), QStringLiteral("Alone"), QStringLiteral("https://api.kie.example"),
           QStringLiteral("sk-alone-5678"));
    QTest::mouseClick(e.save, Qt::LeftButton);
    QTRY_COMPARE(e.message->text(), QStringLiteral("Saved."));
    const std::optional<Account> account = accountNamed(*core, QStringLiteral("Alone"));
    QVERIFY(account);
    QVERIFY(changed.count() >= 1);
    QTRY_COMPARE(hints.lastFour(account->id), QStringLiteral("5678"));
    QTRY_VERIFY2(e.keyState->text().startsWith(QStringLiteral("••••5678")), qPrintable(e.keyState->text()));
    // The only real account is the default: "Make default" is greyed and says so; the demo's is not.
    auto *makeDefault = page.findChild<QPushButton *>(QStringLiteral("makeDefaultButton"));
    QVERIFY(makeDefault);
    QVERIFY(!makeDefault->isEnabled());
    QVERIFY2(makeDefault->toolTip().contains(QStringLiteral("already the default")),
             qPrintable(makeDefault->toolTip()));
    page.selectAccount(QString::fromLatin1(Account::kDemoId));
    QVERIFY(makeDefault->isEnabled());

    // Another owner's hints know nothing of it: a second page shows what the keychain says.
    KeyHints otherHints;
    AccountsPage other({core->store(), core->providers(), core->transport(), core->secrets(), otherHints});
    const Editor o(&other);
    other.selectAccount(account->id);
    QTRY_COMPARE(o.keyState->text(), QStringLiteral("A key is stored in the system keychain."));
}

// On a small screen (1024 × 640; the offscreen platform's is 800 × 600) the dialog is not larger than the
// screen, so Close and Save stay reachable.
void TstSettings::dialogFitsTheScreen()
{
    QTemporaryDir dir;
    auto core = openCore(dir.path());
    SettingsDialog dialog(servicesOf(*core), core->paths().archiveDir);
    const QSize available = dialog.screen()->availableGeometry().size();
    QVERIFY2(dialog.width() <= available.width() && dialog.height() <= available.height(),
             qPrintable(QStringLiteral("%1×%2 on %3×%4")
                            .arg(dialog.width())
                            .arg(dialog.height())
                            .arg(available.width())
                            .arg(available.height())));
}

void TstSettings::removeBringsBackTheDemoBanner()
{
    QTemporaryDir dir;
    auto core = openCore(dir.path());
    AppSettings settings(dir.filePath(QStringLiteral("settings.ini")));
    MainWindow window(*core, settings);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QWidget *banner = window.findChild<QWidget *>(QStringLiteral("demoBanner"));
    auto *addAccount = window.findChild<QPushButton *>(QStringLiteral("addAccountButton"));
    QVERIFY(banner && addAccount);
    QVERIFY(banner->isVisible());
    const QString key = QStringLiteral("sk-remove-me-2468");

    // The banner's button opens the dialog on a new account.
    bool adding = false;
    bool keyStored = false;
    bool bannerWhileOpen = true;
    whenModal<SettingsDialog>([&](SettingsDialog *dialog) {
        const Editor e(dialog);
        adding = e.name->text().isEmpty() && e.family->isEnabled();
        // Typed into the fields of the new account directly (Add… is what the banner pressed).
        QTest::keyClicks(e.name, QStringLiteral("real"));
        QTest::keyClicks(e.baseUrl, QStringLiteral("https://api.kie.example"));
        QTest::keyClicks(e.key, key);
        QTest::mouseClick(e.save, Qt::LeftButton);
        keyStored = QTest::qWaitFor([&e] { return e.keyState->text().startsWith(QStringLiteral("••••")); },
                                    kTimeoutMs);
        bannerWhileOpen = banner->isVisible(); // the main window follows at once
        dialog->reject();
    });
    QTest::mouseClick(addAccount, Qt::LeftButton);
    QVERIFY(adding);
    QVERIFY(keyStored);
    QVERIFY(!bannerWhileOpen);
    QVERIFY(!banner->isVisible());
    const std::optional<Account> account = accountNamed(*core, QStringLiteral("real"));
    QVERIFY(account);
    QCOMPARE(readKey(core->secrets(), account->id).valueOr(QString()), key);

    // File > Settings, select it, Remove, confirm.
    QString confirmation;
    int accountsAfter = -1;
    bool bannerAfterRemove = false;
    whenModal<SettingsDialog>([&](SettingsDialog *dialog) {
        const Editor e(dialog);
        if (!e.select(account->id)) {
            dialog->reject();
            return;
        }
        answerNextBox(QMessageBox::Yes, &confirmation);
        QTest::mouseClick(e.remove, Qt::LeftButton);
        accountsAfter = accountCount(*core);
        bannerAfterRemove = banner->isVisible();
        dialog->reject();
    });
    auto *settingsAction = window.findChild<QAction *>(QStringLiteral("settingsAction"));
    QVERIFY(settingsAction);
    settingsAction->trigger();
    QVERIFY2(confirmation.contains(QStringLiteral("real")), qPrintable(confirmation));
    QCOMPARE(accountsAfter, 1); // the demo only
    QVERIFY(bannerAfterRemove);
    QVERIFY(banner->isVisible());
    QVERIFY(!accountNamed(*core, QStringLiteral("real")));
    QTRY_VERIFY(!readKey(core->secrets(), account->id));
    QCOMPARE(readKey(core->secrets(), account->id).error().kind, Error::Kind::NotFound);
}

void TstSettings::keyNeverLeaks()
{
    QTemporaryDir home;
    FakeHttpServer server;
    int taskCounter = 0;
    const QByteArray bearer = "Bearer " + kLeakKey.toUtf8();
    // kie's protocol (PROVIDERS.md §3), just enough: generate → id; record-info → four images at once;
    // an id it never issued → "not found" (the connection test).
    server.on("POST", QStringLiteral("/api/v1/mj/generate"), [&](const RecordedRequest &r) {
        if (r.header("Authorization") != bearer)
            return Answer::json(
                401,
                {{QStringLiteral("code"), 401}, {QStringLiteral("msg"), QStringLiteral("Invalid API key")}});
        return Answer::json(
            200,
            {{QStringLiteral("code"), 200},
             {QStringLiteral("msg"), QStringLiteral("success")},
             {QStringLiteral("data"),
              QJsonObject {{QStringLiteral("taskId"), QStringLiteral("kie-%1").arg(++taskCounter)}}}});
    });
    server.on("GET", QStringLiteral("/api/v1/mj/record-info"), [&](const RecordedRequest &r) {
        const QString id = r.queryItems().queryItemValue(QStringLiteral("taskId"));
        if (!id.startsWith(QLatin1String("kie-")))
            return Answer::json(
                200,
                {{QStringLiteral("code"), 404}, {QStringLiteral("msg"), QStringLiteral("task not found")}});
        QJsonArray urls;
        for (int i = 1; i <= 4; ++i)
            urls.append(QJsonObject {{QStringLiteral("resultUrl"),
                                      server.url(QStringLiteral("/files/%1.png").arg(i)).toString()}});
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
    server.on("GET", QStringLiteral("/files/*"), Answer::bytes(png(), "image/png"));

    {
        QMutexLocker lock(&g_logMutex);
        g_log.clear();
    }
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=true"));
    g_previousHandler = qInstallMessageHandler(captureMessage);
    struct Restore
    {
        ~Restore()
        {
            qInstallMessageHandler(g_previousHandler);
            QLoggingCategory::setFilterRules(QStringLiteral("tessera.*.debug=false"));
        }
    } restore;

    QStringList titles;
    const auto collectTitles = [&titles] {
        for (QWidget *w : QApplication::topLevelWidgets())
            titles.append(w->windowTitle());
    };
    QString accountId;
    QString taskId;
    {
        auto core = openCore(home.path());
        AppSettings settings(home.filePath(QStringLiteral("config/settings.ini")));
        MainWindow window(*core, settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        QString testResult;
        whenModal<SettingsDialog>([&](SettingsDialog *dialog) {
            const Editor e(dialog);
            e.fill(QStringLiteral("kie"), QStringLiteral("leak"), server.baseUrl(), kLeakKey);
            e.setOption(QStringLiteral("first-poll"), QStringLiteral("0.05"));
            e.setOption(QStringLiteral("poll-interval"), QStringLiteral("0.05"));
            collectTitles(); // while the key is typed
            QTest::mouseClick(e.save, Qt::LeftButton);
            if (QTest::qWaitFor([&e] { return e.keyState->text().startsWith(QStringLiteral("••••")); },
                                kTimeoutMs)) {
                QTest::mouseClick(e.test, Qt::LeftButton);
                if (!QTest::qWaitFor([&e] { return e.testResult->text().contains(QStringLiteral("Key")); },
                                     kTimeoutMs))
                    testResult = QStringLiteral("no verdict: ") + e.testResult->text();
                else
                    testResult = e.testResult->text();
            } else {
                testResult = QStringLiteral("the key was not stored: ") + e.keyState->text();
            }
            collectTitles();
            dialog->reject();
        });
        window.findChild<QAction *>(QStringLiteral("settingsAction"))->trigger();
        QVERIFY2(testResult.contains(QStringLiteral("Key accepted")), qPrintable(testResult));
        const std::optional<Account> account = accountNamed(*core, QStringLiteral("leak"));
        QVERIFY(account);
        accountId = account->id;

        const Result<QString> submitted
            = core->engine().submit(Operation::imagine(QStringLiteral("a lighthouse")), accountId);
        QVERIFY2(submitted, qPrintable(submitted ? QString() : submitted.error().message));
        taskId = *submitted;
        QTRY_COMPARE_WITH_TIMEOUT(core->store().task(taskId)->value().state, TaskState::Succeeded,
                                  kTimeoutMs);
        QCOMPARE(server.last("POST", QStringLiteral("/api/v1/mj/generate"))->header("Authorization"), bearer);
        collectTitles();
        window.close();
    }
    qInstallMessageHandler(g_previousHandler);

    QByteArray log;
    {
        QMutexLocker lock(&g_logMutex);
        log = g_log;
    }
    QVERIFY(log.contains("tessera.net")); // debug logging really was on
    const QByteArray raw = kLeakKey.toUtf8();
    const QList<QByteArray> forms {
        raw, raw.toBase64(), raw.toHex(), raw.toHex().toUpper(),
        QByteArray(reinterpret_cast<const char *>(kLeakKey.utf16()), kLeakKey.size() * 2)};
    for (const QByteArray &form : forms)
        QVERIFY2(!log.contains(form), "the key appeared in the log");
    for (const QString &title : std::as_const(titles))
        QVERIFY2(!title.contains(kLeakKey), "the key appeared in a window title");
    QVERIFY(!titles.isEmpty());

    QDirIterator files(home.path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
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
    QVERIFY(searched >= 4); // the database, the settings, the images
}

// As QTEST_MAIN, but without the suite's QT_LOGGING_RULES: Qt reads that variable once, when the
// application starts, and it overrides setFilterRules(), so the leak test could not turn tessera.* debug on.
int main(int argc, char **argv)
{
    qunsetenv("QT_LOGGING_RULES");
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    TstSettings test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_settings.moc"
