// `tessera-populate` (tools/) end to end: the real binary, run with QProcess in a throwaway home per test
// case; tessera-cli reads the history back. The synthetic history must look like a real one to every reader
// (accounts, lineage, states, images that exist and decode with the hash recorded), be found by the full-text
// search, be the same for the same seed, and never be mixed into a history of the user's own without --force.
#include "processrun.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <memory>
#include <set>

using namespace tessera;

namespace {

constexpr int kProcessTimeoutMs = 120'000;

using Run = tessera::test::ProcessRun;

} // namespace

class TstPopulate : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void populatesAHistoryLikeARealOne();
    void searchFindsGeneratedPrompts();
    void sameSeedSameHistoryAndRunsAdd();
    void refusesAHistoryOfYourOwnWithoutForce();
    void badArguments_data();
    void badArguments();
    void helpPrintsUsage();
    void theShippedCliHasNoDevCommand();

private:
    Run populate(const QStringList &args, const QString &home = {});
    Run cli(const QStringList &args, const QString &home = {});
    Run run(const QString &program, const QStringList &args, const QString &home);
    QString dataDir(const QString &home = {}) const;
    std::unique_ptr<HistoryStore> openStore(const QString &home = {});
    QList<Task> allTasks(HistoryStore &store);
    QString newHome();

    std::unique_ptr<QTemporaryDir> m_tmp;
    QString m_home;
    int m_homes = 0;
};

void TstPopulate::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    m_home = newHome();
}

void TstPopulate::cleanup()
{
    m_tmp.reset();
}

QString TstPopulate::newHome()
{
    const QString home = m_tmp->filePath(QStringLiteral("home%1").arg(++m_homes));
    QDir().mkpath(home);
    return home;
}

QString TstPopulate::dataDir(const QString &home) const
{
    return (home.isEmpty() ? m_home : home) + QStringLiteral("/data/tessera");
}

Run TstPopulate::populate(const QStringList &args, const QString &home)
{
    return run(QStringLiteral(TESSERA_POPULATE_PATH), args, home);
}

Run TstPopulate::cli(const QStringList &args, const QString &home)
{
    return run(QStringLiteral(TESSERA_CLI_PATH), args, home);
}

Run TstPopulate::run(const QString &program, const QStringList &args, const QString &home)
{
    const QString root = home.isEmpty() ? m_home : home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), root);
    env.insert(QStringLiteral("XDG_DATA_HOME"), root + QStringLiteral("/data"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/config"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), root + QStringLiteral("/cache"));
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    return tessera::test::runProcess(program, args, env, root, {}, kProcessTimeoutMs);
}

std::unique_ptr<HistoryStore> TstPopulate::openStore(const QString &home)
{
    auto store = HistoryStore::open(dataDir(home) + QStringLiteral("/history.sqlite"));
    if (!store) {
        QTest::qFail(qPrintable(store.error().message), __FILE__, __LINE__);
        return {};
    }
    return std::move(*store);
}

QList<Task> TstPopulate::allTasks(HistoryStore &store)
{
    const auto tasks = store.queryTasks({}, -1, 0);
    if (!tasks) {
        QTest::qFail(qPrintable(tasks.error().message), __FILE__, __LINE__);
        return {};
    }
    return *tasks;
}

void TstPopulate::populatesAHistoryLikeARealOne()
{
    const Run run = populate({QStringLiteral("--tasks"), QStringLiteral("200"), QStringLiteral("--seed"),
                              QStringLiteral("7"), QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QVERIFY2(run.err.contains("200/200 tasks"), qPrintable(run.describe())); // progress on stderr
    const QJsonObject summary = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(summary.value(QStringLiteral("tasks")).toInt(), 200);
    QCOMPARE(summary.value(QStringLiteral("dataDir")).toString(), dataDir());

    auto store = openStore();
    QVERIFY(store);
    QCOMPARE(*store->taskCount(), 200);
    const QList<Task> tasks = allTasks(*store);
    QCOMPARE(tasks.size(), 200);

    // Accounts of four families besides the demo, without keys (nothing but the database is touched).
    const auto accounts = store->accounts();
    QVERIFY(accounts);
    QSet<QString> families;
    for (const Account &a : *accounts)
        families.insert(a.family);
    QCOMPARE(families,
             QSet<QString>({QStringLiteral("demo"), QStringLiteral("kolersky"), QStringLiteral("apixo"),
                            QStringLiteral("kie"), QStringLiteral("mjproxy")}));

    QHash<QString, Task> byId;
    for (const Task &t : tasks)
        byId.insert(t.id, t);
    std::map<TaskState, int> states;
    std::set<OperationKind> actions;
    QSet<QString> prompts;
    int images = 0;
    QDateTime oldest = QDateTime::currentDateTimeUtc();
    QDateTime newest;
    const ImageArchive archive(summary.value(QStringLiteral("archive")).toString());
    for (const Task &t : tasks) {
        ++states[t.state];
        prompts.insert(t.prompt);
        oldest = std::min(oldest, t.created);
        newest = std::max(newest, t.created);
        QVERIFY(t.accountId.startsWith(QLatin1String("populate-")));
        QVERIFY(!t.prompt.isEmpty());
        QVERIFY(!t.remoteId.isEmpty());
        if (t.state == TaskState::Failed) {
            QVERIFY(t.error);
            QVERIFY(!t.error->message.isEmpty());
        }
        // Lineage: the parent is an older result of the same account, and the tile is one it has.
        if (!t.parentId.isEmpty()) {
            actions.insert(t.operation.kind);
            QVERIFY2(byId.contains(t.parentId), qPrintable(t.id));
            const Task &parent = byId[t.parentId];
            QCOMPARE(parent.state, TaskState::Succeeded);
            QCOMPARE(t.accountId, parent.accountId);
            QCOMPARE(t.operation.parentTaskId, t.parentId);
            QVERIFY(parent.created < t.created);
            QVERIFY(t.tile >= 0 && t.tile <= 4);
            if (t.tile > 0)
                QVERIFY(parent.isGrid());
            else
                QVERIFY(!parent.isGrid() || t.operation.kind == OperationKind::Reroll);
        }
        QCOMPARE(t.state == TaskState::Succeeded, !t.images.isEmpty());
        for (const ImageRef &img : t.images) {
            ++images;
            QCOMPARE(img.state, ImageState::Downloaded);
            QVERIFY(img.path.startsWith(ImageArchive::taskFolder(t.id, t.created) + QLatin1Char('/')));
            QFile file(archive.absolutePath(img.path));
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
            const QByteArray bytes = file.readAll();
            QCOMPARE(qint64(bytes.size()), img.bytes);
            QCOMPARE(ImageArchive::sha256(bytes), img.hash);
            const auto decoded = ImageArchive::decode(bytes, 64);
            QVERIFY2(decoded, qPrintable(file.fileName()));
            QCOMPARE(decoded->size(), img.size);
        }
    }
    QCOMPARE(images, summary.value(QStringLiteral("images")).toInt());
    QVERIFY(images > 3 * 200); // about four per task
    QVERIFY(states[TaskState::Succeeded] > 150);
    QVERIFY(states[TaskState::Failed] > 0);
    QVERIFY(actions.count(OperationKind::Upscale) == 1);
    QVERIFY(actions.count(OperationKind::Vary) == 1);
    QVERIFY(prompts.size() > 100);
    QVERIFY(oldest.daysTo(newest) > 600); // spread over two years
}

void TstPopulate::searchFindsGeneratedPrompts()
{
    const Run run = populate({QStringLiteral("--tasks"), QStringLiteral("200")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QVERIFY(run.out.startsWith("populated 200 tasks"));
    auto store = openStore();
    QVERIFY(store);
    // A word of the newest prompt: the search must find every prompt with a word that starts so.
    const QList<Task> tasks = allTasks(*store);
    const QString word = tasks.first().prompt.section(QLatin1Char(' '), 0, 0);
    const QRegularExpression wordStart(QStringLiteral("\\b") + QRegularExpression::escape(word),
                                       QRegularExpression::CaseInsensitiveOption);
    QSet<QString> expected;
    for (const Task &t : tasks) {
        if (wordStart.match(t.prompt).hasMatch())
            expected.insert(t.id);
    }
    QVERIFY(expected.contains(tasks.first().id));
    const Run search
        = cli({QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--search"), word.toUpper(),
               QStringLiteral("--limit"), QStringLiteral("1000"), QStringLiteral("--json")});
    QVERIFY2(search.exitCode == 0, qPrintable(search.describe()));
    QSet<QString> found;
    for (const QJsonValue &v : QJsonDocument::fromJson(search.out).array())
        found.insert(v.toObject().value(QStringLiteral("id")).toString());
    QCOMPARE(found, expected);
}

void TstPopulate::sameSeedSameHistoryAndRunsAdd()
{
    const QString other = newHome();
    const QStringList args {QStringLiteral("--tasks"), QStringLiteral("60"), QStringLiteral("--seed"),
                            QStringLiteral("3")};
    QCOMPARE(populate(args).exitCode, 0);
    QCOMPARE(populate(args, other).exitCode, 0);
    auto a = openStore();
    auto b = openStore(other);
    QVERIFY(a && b);
    const QList<Task> first = allTasks(*a);
    const QList<Task> second = allTasks(*b);
    QCOMPARE(first.size(), second.size());
    for (qsizetype i = 0; i < first.size(); ++i) {
        QCOMPARE(first[i].id, second[i].id);
        QCOMPARE(first[i].prompt, second[i].prompt);
        QCOMPARE(first[i].parentId, second[i].parentId);
    }
    a.reset();
    // A second run adds to a generated history (no --force: nothing there is the user's).
    const Run again = populate(args);
    QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
    a = openStore();
    QCOMPARE(*a->taskCount(), 120);
}

void TstPopulate::refusesAHistoryOfYourOwnWithoutForce()
{
    {
        auto store = openStore();
        QVERIFY(store);
        Task own;
        own.id = QStringLiteral("00000000-0000-4000-8000-000000000001");
        own.accountId = QString::fromLatin1(Account::kDemoId);
        own.operation = Operation::imagine(QStringLiteral("my own red fox"));
        own.prompt = own.operation.prompt;
        own.state = TaskState::Succeeded;
        own.created = QDateTime::currentDateTimeUtc();
        QVERIFY(store->insertTask(own, {}, 0));
    }
    const QStringList args {QStringLiteral("--tasks"), QStringLiteral("10")};
    const Run refused = populate(args);
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains("--force"), qPrintable(refused.describe()));
    QVERIFY(refused.out.isEmpty());
    QCOMPARE(*openStore()->taskCount(), 1);

    const Run forced = populate(args + QStringList {QStringLiteral("--force")});
    QVERIFY2(forced.exitCode == 0, qPrintable(forced.describe()));
    QCOMPARE(*openStore()->taskCount(), 11);
}

void TstPopulate::badArguments_data()
{
    QTest::addColumn<QStringList>("args");
    const QString tasks = QStringLiteral("--tasks");
    QTest::newRow("no arguments") << QStringList {};
    QTest::newRow("a stray word") << QStringList {QStringLiteral("frobnicate")};
    QTest::newRow("no --tasks") << QStringList {QStringLiteral("--seed"), QStringLiteral("3")};
    QTest::newRow("--tasks without a value") << QStringList {tasks};
    QTest::newRow("zero") << QStringList {tasks, QStringLiteral("0")};
    QTest::newRow("negative") << QStringList {tasks, QStringLiteral("-3")};
    QTest::newRow("not a number") << QStringList {tasks, QStringLiteral("many")};
    QTest::newRow("too many") << QStringList {tasks, QStringLiteral("20000000")};
    QTest::newRow("bad seed") << QStringList {tasks, QStringLiteral("5"), QStringLiteral("--seed"),
                                              QStringLiteral("x")};
    QTest::newRow("positional") << QStringList {tasks, QStringLiteral("5"), QStringLiteral("extra")};
    QTest::newRow("unknown option") << QStringList {tasks, QStringLiteral("5"), QStringLiteral("--bogus")};
}

void TstPopulate::badArguments()
{
    QFETCH(QStringList, args);
    const Run run = populate(args);
    QVERIFY2(run.exitCode == 2, qPrintable(run.describe()));
    QVERIFY(run.out.isEmpty());
    QVERIFY(!run.err.isEmpty());
    QVERIFY(!QFile::exists(dataDir() + QStringLiteral("/history.sqlite"))); // nothing was created
}

void TstPopulate::helpPrintsUsage()
{
    const Run run = populate({QStringLiteral("--help")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QVERIFY(run.out.contains("--tasks N"));
    QVERIFY(!QFile::exists(dataDir() + QStringLiteral("/history.sqlite")));
}

void TstPopulate::theShippedCliHasNoDevCommand()
{
    // A developer tool is not part of what users get: the CLI names no `dev` command.
    const Run run = cli(
        {QStringLiteral("dev"), QStringLiteral("populate"), QStringLiteral("--tasks"), QStringLiteral("5")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.err.contains("unknown command"));
    QVERIFY(!QFile::exists(dataDir() + QStringLiteral("/history.sqlite")));
}

QTEST_GUILESS_MAIN(TstPopulate)
#include "tst_populate.moc"
