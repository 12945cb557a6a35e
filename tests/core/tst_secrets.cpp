#include "secrets/keychainsecretstore.h"
#include "secrets/secretstore.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QUuid>

#include <memory>
#include <optional>

using namespace tessera;

// SecretStore semantics (issue "Accounts and secrets", ARCHITECTURE.md "Storage": keys only through a
// SecretStore) and the keychain store against a real Secret Service. The round trip needs the session of
// packaging/linux/with-test-session.sh (ctest runs inside it) and is skipped without one; the no-service
// test builds its own environment in a child process and runs everywhere.

namespace {

// Keys never touch the user's own "tessera" entries: the tests use their own service name.
const QString kTestService = QStringLiteral("tessera-test");
// Set in the child process of noService(): the key it tries to store.
constexpr auto kChildKeyVariable = "TESSERA_TST_SECRETS_CHILD_KEY";
constexpr int kAnswerTimeoutMs = 5000;

// A session bus with no service directories: nothing can be activated, so org.freedesktop.secrets is
// missing the way it is on a desktop without a keyring (the system's session.conf would start one).
constexpr auto kBusConfig
    = "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
      " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
      "<busconfig>\n"
      "  <type>session</type>\n"
      "  <listen>unix:dir=%1</listen>\n"
      "  <auth>EXTERNAL</auth>\n"
      "  <policy context=\"default\">\n"
      "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
      "    <allow eavesdrop=\"true\"/>\n"
      "    <allow own=\"*\"/>\n"
      "  </policy>\n"
      "</busconfig>\n";

template<class R> struct Answer
{
    std::optional<R> value;
    int calls = 0;
};

// Waits (without a fixed sleep) for the one answer of a store call.
template<class R> bool waitFor(const std::shared_ptr<Answer<R>> &answer, int timeoutMs = kAnswerTimeoutMs)
{
    return QTest::qWaitFor([&] { return answer->calls > 0; }, timeoutMs);
}

std::shared_ptr<Answer<Result<QString>>> read(SecretStore &store, const QString &id, QObject *context)
{
    auto answer = std::make_shared<Answer<Result<QString>>>();
    store.readKey(id, context, [answer](const Result<QString> &key) {
        answer->value.emplace(key);
        ++answer->calls;
    });
    return answer;
}

std::shared_ptr<Answer<Status>> done()
{
    return std::make_shared<Answer<Status>>();
}

SecretStore::DoneCallback recorder(const std::shared_ptr<Answer<Status>> &answer)
{
    return [answer](const Status &status) {
        answer->value.emplace(status);
        ++answer->calls;
    };
}

std::shared_ptr<Answer<Status>> write(SecretStore &store, const QString &id, const QString &key,
                                      QObject *context)
{
    auto answer = done();
    store.writeKey(id, key, context, recorder(answer));
    return answer;
}

std::shared_ptr<Answer<Status>> remove(SecretStore &store, const QString &id, QObject *context)
{
    auto answer = done();
    store.removeKey(id, context, recorder(answer));
    return answer;
}

std::shared_ptr<Answer<Status>> probe(SecretStore &store, QObject *context)
{
    auto answer = done();
    store.probe(context, recorder(answer));
    return answer;
}

QString describe(const Status &status)
{
    return status ? QStringLiteral("ok")
                  : Error::kindName(status.error().kind) + QStringLiteral(": ") + status.error().message;
}

// A keychain that is never there: every call fails as KeychainSecretStore does without a backend.
class MissingKeychain final : public SecretStore
{
public:
    int writes = 0;

    void readKey(const QString &, QObject *context, KeyCallback done) override
    {
        answerLater(context, [done = std::move(done)] { done(missing()); });
    }
    void writeKey(const QString &, const QString &, QObject *context, DoneCallback done) override
    {
        ++writes;
        answerLater(context, [done = std::move(done)] { done(missing()); });
    }
    void removeKey(const QString &, QObject *context, DoneCallback done) override
    {
        answerLater(context, [done = std::move(done)] { done(missing()); });
    }
    void probe(QObject *context, DoneCallback done) override
    {
        answerLater(context, [done = std::move(done)] { done(missing()); });
    }

private:
    static Error missing()
    {
        return Error::make(Error::Kind::Unsupported,
                           QStringLiteral("The system keychain is not available: no secret service"));
    }
};

// Files under `root` whose bytes contain `key` in any of the encodings a careless writer would use.
QStringList filesContaining(const QString &root, const QString &key)
{
    const QList<QByteArray> needles {
        key.toUtf8(),
        QByteArray(reinterpret_cast<const char *>(key.utf16()), key.size() * 2),
        key.toUtf8().toBase64(),
        key.toUtf8().toHex(),
    };
    QStringList hits;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue; // sockets, pipes
        const QByteArray bytes = file.readAll();
        for (const QByteArray &needle : needles) {
            if (bytes.contains(needle)) {
                hits << path;
                break;
            }
        }
    }
    return hits;
}

// The child of noService(): tries the keychain where there is none and reports each answer on one line
// of stdout (never the key itself). Exit status 0 when every call answered, 2 when one did not.
int runNoServiceChild(const QString &key)
{
    QTextStream out(stdout);
    QObject context;
    KeychainSecretStore keychain(kTestService);
    const QString id = QStringLiteral("tst-secrets-") + QUuid::createUuid().toString(QUuid::WithoutBraces);

    const auto report = [&](const char *what, const auto &answer) {
        if (!waitFor(answer)) {
            out << what << ": no answer\n";
            return false;
        }
        out << what << ": " << describe(*answer->value) << "\n";
        return true;
    };

    bool answered = report("probe", probe(keychain, &context));
    answered = report("write", write(keychain, id, key, &context)) && answered;
    const auto readBack = read(keychain, id, &context);
    if (waitFor(readBack)) {
        const Result<QString> &value = *readBack->value;
        out << "read: " << (value ? QStringLiteral("a key") : describe(Status(value.error()))) << "\n";
    } else {
        out << "read: no answer\n";
        answered = false;
    }

    // What the settings dialog does next: the write fails, the user keeps the key for this run only.
    LayeredSecretStore layered(std::make_unique<KeychainSecretStore>(kTestService));
    answered = report("layered write", write(layered, id, key, &context)) && answered;
    layered.setSessionKey(id, key);
    const auto session = read(layered, id, &context);
    if (waitFor(session))
        out << "session read: " << (*session->value && session->value->value() == key ? "matches" : "differs")
            << "\n";
    else
        answered = false;
    out.flush();
    return answered ? 0 : 2;
}

} // namespace

class TestSecrets : public QObject
{
    Q_OBJECT

private slots:
    void memoryStore()
    {
        MemorySecretStore store;
        QObject context;

        auto missing = read(store, QStringLiteral("a"), &context);
        QCOMPARE(missing->calls, 0); // never answers from inside the call
        QVERIFY(waitFor(missing));
        QVERIFY(!*missing->value);
        QCOMPARE(missing->value->error().kind, Error::Kind::NotFound);

        auto written = write(store, QStringLiteral("a"), QStringLiteral("key-1"), &context);
        QCOMPARE(written->calls, 0);
        QVERIFY(waitFor(written));
        QVERIFY(*written->value);
        QVERIFY(store.contains(QStringLiteral("a")));
        auto first = read(store, QStringLiteral("a"), &context);
        QVERIFY(waitFor(first));
        QCOMPARE(first->value->value(), QStringLiteral("key-1"));

        QVERIFY(waitFor(write(store, QStringLiteral("a"), QStringLiteral("key-2"), &context)));
        auto second = read(store, QStringLiteral("a"), &context);
        QVERIFY(waitFor(second));
        QCOMPARE(second->value->value(), QStringLiteral("key-2"));

        auto removed = remove(store, QStringLiteral("a"), &context);
        QVERIFY(waitFor(removed));
        QVERIFY(*removed->value);
        auto gone = read(store, QStringLiteral("a"), &context);
        QVERIFY(waitFor(gone));
        QCOMPARE(gone->value->error().kind, Error::Kind::NotFound);
        auto removedAgain = remove(store, QStringLiteral("a"), &context);
        QVERIFY(waitFor(removedAgain));
        QVERIFY(*removedAgain->value); // removing what is not there succeeds

        auto available = probe(store, &context);
        QVERIFY(waitFor(available));
        QVERIFY(*available->value);

        QCoreApplication::processEvents();
        for (const auto &answer : {written, removed, removedAgain, available})
            QCOMPARE(answer->calls, 1);
        for (const auto &answer : {missing, first, second, gone})
            QCOMPARE(answer->calls, 1);
    }

    void noAnswerOnceTheContextIsGone()
    {
        MemorySecretStore store;
        auto context = std::make_unique<QObject>();
        auto orphan = read(store, QStringLiteral("a"), context.get());
        context.reset();
        QObject living;
        auto later = read(store, QStringLiteral("a"), &living);
        QVERIFY(waitFor(later)); // queued after the orphan, so the orphan's turn has passed
        QCOMPARE(orphan->calls, 0);
    }

    void layeredOverrideComesFirstAndIsNeverStored()
    {
        auto persistent = std::make_unique<MemorySecretStore>();
        MemorySecretStore *stored = persistent.get();
        LayeredSecretStore store(std::move(persistent));
        QObject context;
        const QString id = QStringLiteral("acc");

        QVERIFY(waitFor(write(store, id, QStringLiteral("stored-key"), &context)));
        store.setOverride(id, QStringLiteral("env-key"));
        QVERIFY(store.hasOverride(id));
        auto fromEnv = read(store, id, &context);
        QCOMPARE(fromEnv->calls, 0);
        QVERIFY(waitFor(fromEnv));
        QCOMPARE(fromEnv->value->value(), QStringLiteral("env-key"));

        // Reading the override wrote nothing below it.
        auto below = read(*stored, id, &context);
        QVERIFY(waitFor(below));
        QCOMPARE(below->value->value(), QStringLiteral("stored-key"));

        // Removing the stored key leaves the environment's key in force; clearing it leaves nothing.
        QVERIFY(waitFor(remove(store, id, &context)));
        QVERIFY(!stored->contains(id));
        auto stillEnv = read(store, id, &context);
        QVERIFY(waitFor(stillEnv));
        QCOMPARE(stillEnv->value->value(), QStringLiteral("env-key"));
        store.setOverride(id, QString());
        QVERIFY(!store.hasOverride(id));
        auto none = read(store, id, &context);
        QVERIFY(waitFor(none));
        QCOMPARE(none->value->error().kind, Error::Kind::NotFound);
    }

    void layeredNeverFallsBackToMemoryByItself()
    {
        auto persistent = std::make_unique<MissingKeychain>();
        MissingKeychain *keychain = persistent.get();
        LayeredSecretStore store(std::move(persistent));
        QObject context;
        const QString id = QStringLiteral("acc");

        auto available = probe(store, &context);
        QVERIFY(waitFor(available));
        QVERIFY(!*available->value);
        QVERIFY(available->value->error().message.contains(QLatin1String("keychain")));

        auto written = write(store, id, QStringLiteral("key"), &context);
        QVERIFY(waitFor(written));
        QVERIFY(!*written->value);
        QCOMPARE(written->value->error().kind, Error::Kind::Unsupported);
        QVERIFY(written->value->error().message.contains(QLatin1String("keychain")));
        QCOMPARE(keychain->writes, 1);
        QVERIFY(!store.hasSessionKey(id));
        auto notKept = read(store, id, &context);
        QVERIFY(waitFor(notKept));
        QVERIFY(!*notKept->value); // the keychain's error, not a silent copy in memory
        QCOMPARE(notKept->value->error().kind, Error::Kind::Unsupported);

        // The user chose "keep for this session only".
        store.setSessionKey(id, QStringLiteral("key"));
        QVERIFY(store.hasSessionKey(id));
        auto kept = read(store, id, &context);
        QVERIFY(waitFor(kept));
        QCOMPARE(kept->value->value(), QStringLiteral("key"));
        QCOMPARE(keychain->writes, 1);

        // Removing the account's key forgets the session copy even though the keychain fails.
        auto removed = remove(store, id, &context);
        QVERIFY(waitFor(removed));
        QVERIFY(!*removed->value);
        QVERIFY(!store.hasSessionKey(id));
    }

    void layeredStoredKeyReplacesTheSessionKey()
    {
        LayeredSecretStore store(std::make_unique<MemorySecretStore>());
        QObject context;
        const QString id = QStringLiteral("acc");

        store.setSessionKey(id, QStringLiteral("session-key"));
        auto written = write(store, id, QStringLiteral("stored-key"), &context);
        QVERIFY(store.hasSessionKey(id)); // until the keychain said yes
        QVERIFY(waitFor(written));
        QVERIFY(*written->value);
        QVERIFY(!store.hasSessionKey(id));
        auto now = read(store, id, &context);
        QVERIFY(waitFor(now));
        QCOMPARE(now->value->value(), QStringLiteral("stored-key"));

        store.setSessionKey(id, QStringLiteral("session-key"));
        store.setSessionKey(id, QString());
        QVERIFY(!store.hasSessionKey(id));
    }

    void keychainRefusesEmptyInput()
    {
        // Answered before any backend is asked, so this runs with or without a keychain.
        KeychainSecretStore store(kTestService);
        QObject context;
        auto noKey = write(store, QStringLiteral("acc"), QString(), &context);
        auto noAccount = read(store, QString(), &context);
        QCOMPARE(noKey->calls, 0);
        QVERIFY(waitFor(noKey));
        QVERIFY(waitFor(noAccount));
        QCOMPARE(noKey->value->error().kind, Error::Kind::InvalidRequest);
        QCOMPARE(noAccount->value->error().kind, Error::Kind::InvalidRequest);
        QCOMPARE(KeychainSecretStore().service(), QStringLiteral("tessera"));
    }

    void keychainRoundTrip()
    {
        if (qEnvironmentVariableIntValue("TESSERA_TEST_NO_KEYCHAIN") == 1)
            QSKIP("TESSERA_TEST_NO_KEYCHAIN=1: no secret service in this environment");
        KeychainSecretStore store(kTestService);
        QObject context;
        auto available = probe(store, &context);
        if (!waitFor(available))
            QSKIP("The keychain did not answer; run inside packaging/linux/with-test-session.sh");
        if (!*available->value)
            QSKIP(qPrintable(QStringLiteral("No usable secret service (run inside "
                                            "packaging/linux/with-test-session.sh): ")
                             + available->value->error().message));

        const QString id
            = QStringLiteral("tst-secrets-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString first = QStringLiteral("tst-key-one-") + QUuid::createUuid().toString(QUuid::Id128);
        const QString second = QStringLiteral("tst-key-two-") + QUuid::createUuid().toString(QUuid::Id128);

        auto before = read(store, id, &context);
        QVERIFY(waitFor(before));
        QCOMPARE(before->value->error().kind, Error::Kind::NotFound);

        auto written = write(store, id, first, &context);
        QVERIFY(waitFor(written));
        QVERIFY2(*written->value, qPrintable(describe(*written->value)));
        auto readFirst = read(store, id, &context);
        QVERIFY(waitFor(readFirst));
        QVERIFY(*readFirst->value);
        QVERIFY(readFirst->value->value() == first); // QCOMPARE would print the key on failure

        auto overwritten = write(store, id, second, &context);
        QVERIFY(waitFor(overwritten));
        QVERIFY2(*overwritten->value, qPrintable(describe(*overwritten->value)));
        auto readSecond = read(store, id, &context);
        QVERIFY(waitFor(readSecond));
        QVERIFY(*readSecond->value);
        QVERIFY(readSecond->value->value() == second);

        // A call whose context is gone is never answered; QtKeychain runs jobs in order, so when the
        // next call answers, the orphan's job has finished.
        auto context2 = std::make_unique<QObject>();
        auto orphan = read(store, id, context2.get());
        context2.reset();

        auto removed = remove(store, id, &context);
        QVERIFY(waitFor(removed));
        QVERIFY2(*removed->value, qPrintable(describe(*removed->value)));
        QCOMPARE(orphan->calls, 0);
        auto after = read(store, id, &context);
        QVERIFY(waitFor(after));
        QVERIFY(!*after->value);
        QCOMPARE(after->value->error().kind, Error::Kind::NotFound);
        auto removedAgain = remove(store, id, &context);
        QVERIFY(waitFor(removedAgain));
        QVERIFY(*removedAgain->value);

        // QtKeychain's plain-text fallback (a QSettings file named after the service) stayed off.
        const QString config = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
        QVERIFY(!QFile::exists(config + QStringLiteral("/tessera-test.conf")));
        QVERIFY(!QFile::exists(config + QStringLiteral("/tessera-test")));

        QCoreApplication::processEvents();
        for (const auto &answer : {written, overwritten, removed, removedAgain})
            QCOMPARE(answer->calls, 1);
        for (const auto &answer : {before, readFirst, readSecond, after})
            QCOMPARE(answer->calls, 1);
    }

    void noService_data()
    {
        QTest::addColumn<bool>("privateBus");
        QTest::newRow("no session bus") << false;
        QTest::newRow("bus without a secret service") << true;
    }

    // Where there is no Secret Service, the error reaches the caller in plain words and the key is
    // written nowhere: not in the throwaway HOME, not in the output.
    void noService()
    {
        QFETCH(bool, privateBus);
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const QString home = root.filePath(QStringLiteral("home"));
        const QString runtime = root.filePath(QStringLiteral("runtime"));
        QVERIFY(QDir().mkpath(home));
        QVERIFY(QDir().mkpath(runtime));
        QVERIFY(QFile::setPermissions(runtime, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));

        QString busAddress = QStringLiteral("unix:path=") + runtime + QStringLiteral("/no-bus-here");
        QProcess bus; // its destructor stops the daemon on every path out of this test
        if (privateBus) {
            const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
            if (daemon.isEmpty())
                QSKIP("dbus-daemon is not installed");
            QFile config(root.filePath(QStringLiteral("bus.conf")));
            QVERIFY(config.open(QIODevice::WriteOnly));
            config.write(QString::fromLatin1(kBusConfig).arg(runtime).toUtf8());
            config.close();
            bus.start(daemon,
                      {QStringLiteral("--config-file=") + config.fileName(), QStringLiteral("--nofork"),
                       QStringLiteral("--print-address=1")});
            QVERIFY2(bus.waitForStarted(kAnswerTimeoutMs), qPrintable(bus.errorString()));
            QVERIFY(QTest::qWaitFor([&] { return bus.canReadLine() || bus.state() != QProcess::Running; },
                                    kAnswerTimeoutMs));
            busAddress = QString::fromUtf8(bus.readLine()).trimmed();
            QVERIFY2(busAddress.startsWith(QLatin1String("unix:")),
                     qPrintable(QString::fromUtf8(bus.readAllStandardError())));
        }

        const QString key = QStringLiteral("tst-leak-") + QUuid::createUuid().toString(QUuid::Id128);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name :
             {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP",
              "DESKTOP_SESSION", "GNOME_DESKTOP_SESSION_ID", "KDE_FULL_SESSION", "KDE_SESSION_VERSION",
              "GNOME_KEYRING_CONTROL", "SSH_AUTH_SOCK"})
            env.remove(QString::fromLatin1(name));
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), busAddress);
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime);
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/.cache"));
        env.insert(QString::fromLatin1(kChildKeyVariable), key);

        QProcess child;
        child.setProcessEnvironment(env);
        child.setWorkingDirectory(home);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY2(child.waitForFinished(4 * kAnswerTimeoutMs), "the child process did not finish");
        const QString out = QString::fromUtf8(child.readAllStandardOutput());
        const QString err = QString::fromUtf8(child.readAllStandardError());
        QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, qPrintable(out + err));

        const auto line = [&](const QString &prefix) {
            for (const QString &l : out.split(QLatin1Char('\n'))) {
                if (l.startsWith(prefix + QStringLiteral(": ")))
                    return l.mid(prefix.size() + 2);
            }
            return QString();
        };
        const QString unavailable = QStringLiteral("unsupported: The system keychain is not available");
        QVERIFY2(line(QStringLiteral("probe")).startsWith(unavailable), qPrintable(out));
        QVERIFY2(line(QStringLiteral("write")).startsWith(unavailable), qPrintable(out));
        QVERIFY2(line(QStringLiteral("read")).startsWith(unavailable), qPrintable(out));
        QVERIFY2(line(QStringLiteral("layered write")).startsWith(unavailable), qPrintable(out));
        QCOMPARE(line(QStringLiteral("session read")), QStringLiteral("matches"));

        QVERIFY2(!out.contains(key) && !err.contains(key), "the key appeared in the output");
        const QStringList leaks = filesContaining(root.path(), key);
        QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(QLatin1Char(' '))));

        if (privateBus) {
            bus.terminate();
            QVERIFY(bus.waitForFinished(kAnswerTimeoutMs));
        }
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // noService() runs this executable again as a keychain client in an environment without a service.
    if (qEnvironmentVariableIsSet(kChildKeyVariable))
        return runNoServiceChild(qEnvironmentVariable(kChildKeyVariable));
    TestSecrets test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_secrets.moc"
