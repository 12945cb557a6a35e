// tessera-cli end to end: the real binary, run with QProcess, each test case in its own throwaway home
// (HOME and the XDG folders in a QTemporaryDir), against the built-in offline demo provider. The demo
// account is made fast through its own options in the shared database (as Settings would), so a whole
// imagine takes well under a second.
#include "model/account.h"
#include "processrun.h"
#include "storage/historystore.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

using namespace tessera;

namespace {

// Per process. A demo run takes well under a second; the margin is for sanitizer builds on busy machines.
constexpr int kProcessTimeoutMs = 60'000;

QString cliPath()
{
    return QStringLiteral(TESSERA_CLI_PATH);
}

using Run = tessera::test::ProcessRun;

QSet<QString> keysOf(const QJsonObject &o)
{
    const QStringList keys = o.keys();
    return QSet<QString>(keys.cbegin(), keys.cend());
}

QSet<QString> setOf(std::initializer_list<const char *> names)
{
    QSet<QString> set;
    for (const char *n : names)
        set.insert(QString::fromLatin1(n));
    return set;
}

QDateTime isoTime(const QJsonValue &v)
{
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
}

} // namespace

class TstCli : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void imagineWaitJson();
    void upscaleByIdPrefixAndRemoteId();
    void varyRerollAndUpscaleOfUpscale();
    void submitThenWaitInAnotherProcess();
    void sharedHistorySeesRunningTask();
    void statusAndHistory();
    void historyExport();
    void accountsList();
    void cancelRunning();
    void badInput_data();
    void badInput();
    void helpAndVersion();
    void interruptLeavesTaskForWait();

private:
    Run cli(const QStringList &args);
    std::unique_ptr<QProcess> start(const QStringList &args);
    Run finish(QProcess &process);
    // The single compact JSON object `run` printed on one line, or an empty object with a test failure.
    QJsonObject jsonObject(const Run &run);
    QString databasePath() const;
    std::unique_ptr<HistoryStore> openStore();
    // Sets demo account options (seconds): how long a job takes and how often it is polled.
    void setDemoTiming(const QString &duration);
    int taskCount();
    // A finished imagine, for the actions to start from; its JSON.
    QJsonObject imagineAndWait(const QString &prompt);
    void checkTaskJson(const QJsonObject &task);

    std::unique_ptr<QTemporaryDir> m_home;
    QProcessEnvironment m_env;
};

void TstCli::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    const QString root = m_home->path();
    m_env = QProcessEnvironment::systemEnvironment();
    m_env.insert(QStringLiteral("HOME"), root);
    m_env.insert(QStringLiteral("XDG_DATA_HOME"), root + QStringLiteral("/data"));
    m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), root + QStringLiteral("/config"));
    m_env.insert(QStringLiteral("XDG_CACHE_HOME"), root + QStringLiteral("/cache"));
    m_env.remove(QStringLiteral("TESSERA_API_KEY"));
    m_env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    setDemoTiming(QStringLiteral("0.3"));
}

void TstCli::cleanup()
{
    m_home.reset();
}

std::unique_ptr<QProcess> TstCli::start(const QStringList &args)
{
    auto process = std::make_unique<QProcess>();
    process->setProcessEnvironment(m_env);
    process->setWorkingDirectory(m_home->path());
    process->start(cliPath(), args);
    if (!process->waitForStarted(kProcessTimeoutMs))
        QTest::qFail(qPrintable(QStringLiteral("cannot start %1: %2").arg(cliPath(), process->errorString())),
                     __FILE__, __LINE__);
    process->closeWriteChannel();
    return process;
}

Run TstCli::finish(QProcess &process)
{
    return tessera::test::finishProcess(process, kProcessTimeoutMs);
}

Run TstCli::cli(const QStringList &args)
{
    const std::unique_ptr<QProcess> process = start(args);
    return finish(*process);
}

QJsonObject TstCli::jsonObject(const Run &run)
{
    // One compact object on one line.
    const QByteArray text = run.out;
    if (!text.endsWith('\n') || text.count('\n') != 1) {
        QTest::qFail(qPrintable(QStringLiteral("expected one line of JSON; ") + run.describe()), __FILE__,
                     __LINE__);
        return {};
    }
    QJsonParseError error {};
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        QTest::qFail(qPrintable(QStringLiteral("not a JSON object: ") + run.describe()), __FILE__, __LINE__);
        return {};
    }
    return doc.object();
}

QString TstCli::databasePath() const
{
    return m_home->path() + QStringLiteral("/data/tessera/history.sqlite");
}

std::unique_ptr<HistoryStore> TstCli::openStore()
{
    auto store = HistoryStore::open(databasePath());
    if (!store) {
        QTest::qFail(qPrintable(store.error().message), __FILE__, __LINE__);
        return nullptr;
    }
    return std::move(*store);
}

void TstCli::setDemoTiming(const QString &duration)
{
    const auto store = openStore();
    QVERIFY(store);
    const auto demo = store->account(QString::fromLatin1(Account::kDemoId));
    QVERIFY(demo && demo->has_value());
    Account account = **demo;
    account.options.insert(QStringLiteral("duration"), duration);
    account.options.insert(QStringLiteral("first-poll"), QStringLiteral("0.05"));
    account.options.insert(QStringLiteral("poll-interval"), QStringLiteral("0.1"));
    QVERIFY(store->saveAccount(account));
}

int TstCli::taskCount()
{
    const auto store = openStore();
    if (!store)
        return -1;
    const auto count = store->taskCount();
    return count ? *count : -1;
}

QJsonObject TstCli::imagineAndWait(const QString &prompt)
{
    const Run run
        = cli({QStringLiteral("imagine"), prompt, QStringLiteral("--wait"), QStringLiteral("--json")});
    if (run.exitCode != 0 || run.crashed) {
        QTest::qFail(qPrintable(run.describe()), __FILE__, __LINE__);
        return {};
    }
    const QJsonObject task = jsonObject(run);
    if (task.value(QStringLiteral("state")).toString() != QLatin1String("succeeded"))
        QTest::qFail(qPrintable(run.describe()), __FILE__, __LINE__);
    return task;
}

// The --json shape of PRODUCT.md: these keys and no others, null where a value is absent.
void TstCli::checkTaskJson(const QJsonObject &task)
{
    QCOMPARE(keysOf(task),
             setOf({"id", "remoteId", "account", "family", "operation", "state", "progress", "prompt",
                    "parent", "tile", "error", "images", "videos", "created", "finished"}));
    QVERIFY(task.value(QStringLiteral("id")).isString());
    QVERIFY(!task.value(QStringLiteral("id")).toString().isEmpty());
    QVERIFY(task.value(QStringLiteral("remoteId")).isString()
            || task.value(QStringLiteral("remoteId")).isNull());
    QVERIFY(task.value(QStringLiteral("account")).isString());
    QVERIFY(task.value(QStringLiteral("family")).isString());
    QVERIFY(task.value(QStringLiteral("operation")).isString());
    static const QStringList states {
        QStringLiteral("queued"),    QStringLiteral("submitting"), QStringLiteral("submitted"),
        QStringLiteral("running"),   QStringLiteral("succeeded"),  QStringLiteral("failed"),
        QStringLiteral("cancelled"), QStringLiteral("unfinished"), QStringLiteral("unknown")};
    QVERIFY2(states.contains(task.value(QStringLiteral("state")).toString()),
             qPrintable(task.value(QStringLiteral("state")).toString()));
    const QJsonValue progress = task.value(QStringLiteral("progress"));
    QVERIFY(progress.isNull() || (progress.isDouble() && progress.toInt() >= 0 && progress.toInt() <= 100));
    QVERIFY(task.value(QStringLiteral("prompt")).isString());
    QVERIFY(task.value(QStringLiteral("parent")).isString() || task.value(QStringLiteral("parent")).isNull());
    const QJsonValue tile = task.value(QStringLiteral("tile"));
    QVERIFY(tile.isNull() || (tile.isDouble() && tile.toInt() >= 1 && tile.toInt() <= 4));
    const QJsonValue error = task.value(QStringLiteral("error"));
    QVERIFY(error.isNull() || error.isObject());
    if (error.isObject()) {
        const QJsonObject e = error.toObject();
        QCOMPARE(keysOf(e), setOf({"kind", "httpStatus", "message"}));
        QVERIFY(e.value(QStringLiteral("kind")).isString());
        QVERIFY(e.value(QStringLiteral("httpStatus")).isDouble()
                || e.value(QStringLiteral("httpStatus")).isNull());
        QVERIFY(e.value(QStringLiteral("message")).isString());
    }
    QVERIFY(task.value(QStringLiteral("images")).isArray());
    for (const QJsonValue &v : task.value(QStringLiteral("images")).toArray()) {
        QVERIFY(v.isObject());
        const QJsonObject img = v.toObject();
        QCOMPARE(keysOf(img), setOf({"role", "index", "path", "width", "height", "url"}));
        QVERIFY(QStringList({QStringLiteral("grid"), QStringLiteral("tile"), QStringLiteral("upscale")})
                    .contains(img.value(QStringLiteral("role")).toString()));
        const QJsonValue index = img.value(QStringLiteral("index"));
        QVERIFY(index.isNull() || (index.isDouble() && index.toInt() >= 1 && index.toInt() <= 4));
        QVERIFY(img.value(QStringLiteral("path")).isString() || img.value(QStringLiteral("path")).isNull());
        if (img.value(QStringLiteral("path")).isString())
            QVERIFY(QFileInfo(img.value(QStringLiteral("path")).toString()).isAbsolute());
        QVERIFY(img.value(QStringLiteral("width")).isDouble());
        QVERIFY(img.value(QStringLiteral("height")).isDouble());
        QVERIFY(img.value(QStringLiteral("url")).isString() || img.value(QStringLiteral("url")).isNull());
    }
    QVERIFY(task.value(QStringLiteral("videos")).isArray());
    QVERIFY(task.value(QStringLiteral("created")).isString());
    QVERIFY2(isoTime(task.value(QStringLiteral("created"))).isValid(),
             qPrintable(task.value(QStringLiteral("created")).toString()));
    const QJsonValue finished = task.value(QStringLiteral("finished"));
    QVERIFY(finished.isNull() || finished.isString());
    if (finished.isString()) {
        QVERIFY2(isoTime(finished).isValid(), qPrintable(finished.toString()));
        QVERIFY(isoTime(finished) >= isoTime(task.value(QStringLiteral("created"))));
    }
}

void TstCli::imagineWaitJson()
{
    const Run run = cli({QStringLiteral("imagine"), QStringLiteral("a red fox"), QStringLiteral("--wait"),
                         QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.describe()));
    QVERIFY2(!run.errText().contains(QLatin1String("tessera-cli:")), qPrintable(run.describe()));
    const QJsonObject task = jsonObject(run);
    checkTaskJson(task);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(task.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
    QCOMPARE(task.value(QStringLiteral("operation")).toString(), QStringLiteral("imagine"));
    QCOMPARE(task.value(QStringLiteral("account")).toString(), QStringLiteral("demo"));
    QCOMPARE(task.value(QStringLiteral("family")).toString(), QStringLiteral("demo"));
    QCOMPARE(task.value(QStringLiteral("prompt")).toString(), QStringLiteral("a red fox"));
    QCOMPARE(task.value(QStringLiteral("progress")).toInt(), 100);
    QVERIFY(task.value(QStringLiteral("remoteId")).isString());
    QVERIFY(task.value(QStringLiteral("parent")).isNull());
    QVERIFY(task.value(QStringLiteral("tile")).isNull());
    QVERIFY(task.value(QStringLiteral("error")).isNull());
    QVERIFY(task.value(QStringLiteral("finished")).isString());
    QCOMPARE(task.value(QStringLiteral("videos")).toArray().size(), 0);

    // One grid and its four tiles, all on disk below the data folder, at the size the JSON states.
    const QJsonArray images = task.value(QStringLiteral("images")).toArray();
    QCOMPARE(images.size(), 5);
    const QString archive = QDir(m_home->path()).filePath(QStringLiteral("data/tessera/archive/"));
    QSize grid;
    QList<int> tiles;
    QSize tileSize;
    for (const QJsonValue &v : images) {
        const QJsonObject img = v.toObject();
        const QString path = img.value(QStringLiteral("path")).toString();
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        QVERIFY2(path.startsWith(archive), qPrintable(path));
        const QSize size(img.value(QStringLiteral("width")).toInt(),
                         img.value(QStringLiteral("height")).toInt());
        QVERIFY(!size.isEmpty());
        QCOMPARE(QImageReader(path).size(), size);
        if (img.value(QStringLiteral("role")).toString() == QLatin1String("grid")) {
            grid = size;
            QVERIFY(img.value(QStringLiteral("index")).isNull());
            QVERIFY(img.value(QStringLiteral("url")).isString());
        } else {
            QCOMPARE(img.value(QStringLiteral("role")).toString(), QStringLiteral("tile"));
            tiles.append(img.value(QStringLiteral("index")).toInt());
            tileSize = size;
        }
    }
    QCOMPARE(tiles, QList<int>({1, 2, 3, 4}));
    QCOMPARE(grid, tileSize * 2);
}

void TstCli::upscaleByIdPrefixAndRemoteId()
{
    const QJsonObject grid = imagineAndWait(QStringLiteral("a lighthouse at dusk"));
    QVERIFY(!QTest::currentTestFailed());
    const QString id = grid.value(QStringLiteral("id")).toString();
    const QString remoteId = grid.value(QStringLiteral("remoteId")).toString();
    QSize tileSize;
    for (const QJsonValue &v : grid.value(QStringLiteral("images")).toArray()) {
        if (v.toObject().value(QStringLiteral("role")).toString() == QLatin1String("tile"))
            tileSize = QSize(v.toObject().value(QStringLiteral("width")).toInt(),
                             v.toObject().value(QStringLiteral("height")).toInt());
    }
    QVERIFY(!tileSize.isEmpty());

    const struct
    {
        QString key;
        int index;
    } cases[] = {{id, 2}, {id.left(8), 3}, {remoteId, 1}};
    for (const auto &c : cases) {
        const Run run = cli({QStringLiteral("upscale"), c.key, QStringLiteral("--index"),
                             QString::number(c.index), QStringLiteral("--wait"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.describe()));
        const QJsonObject task = jsonObject(run);
        checkTaskJson(task);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(task.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
        QCOMPARE(task.value(QStringLiteral("operation")).toString(), QStringLiteral("upscale"));
        QCOMPARE(task.value(QStringLiteral("parent")).toString(), id);
        QCOMPARE(task.value(QStringLiteral("tile")).toInt(), c.index);
        QCOMPARE(task.value(QStringLiteral("prompt")).toString(), QStringLiteral("a lighthouse at dusk"));
        const QJsonArray images = task.value(QStringLiteral("images")).toArray();
        QCOMPARE(images.size(), 1);
        const QJsonObject img = images.first().toObject();
        QCOMPARE(img.value(QStringLiteral("role")).toString(), QStringLiteral("upscale"));
        const QString path = img.value(QStringLiteral("path")).toString();
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
        const QSize size(img.value(QStringLiteral("width")).toInt(),
                         img.value(QStringLiteral("height")).toInt());
        QCOMPARE(size, tileSize * 2);
        QCOMPARE(QImageReader(path).size(), size);
    }
}

void TstCli::varyRerollAndUpscaleOfUpscale()
{
    const QJsonObject grid = imagineAndWait(QStringLiteral("a harbour in fog"));
    QVERIFY(!QTest::currentTestFailed());
    const QString id = grid.value(QStringLiteral("id")).toString();

    const auto checkGrid = [&](const Run &run, const char *operation, const QJsonValue &tile) {
        QVERIFY2(run.exitCode == 0 && !run.crashed, qPrintable(run.describe()));
        const QJsonObject task = jsonObject(run);
        checkTaskJson(task);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(task.value(QStringLiteral("operation")).toString(), QString::fromLatin1(operation));
        QCOMPARE(task.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
        QCOMPARE(task.value(QStringLiteral("parent")).toString(), id);
        QCOMPARE(task.value(QStringLiteral("tile")), tile);
        const QJsonArray images = task.value(QStringLiteral("images")).toArray();
        QCOMPARE(images.size(), 5);
        QCOMPARE(images.first().toObject().value(QStringLiteral("role")).toString(), QStringLiteral("grid"));
        for (const QJsonValue &v : images)
            QVERIFY(QFileInfo::exists(v.toObject().value(QStringLiteral("path")).toString()));
    };
    checkGrid(cli({QStringLiteral("vary"), id, QStringLiteral("--index"), QStringLiteral("1"),
                   QStringLiteral("--wait"), QStringLiteral("--json")}),
              "vary", QJsonValue(1));
    QVERIFY(!QTest::currentTestFailed());
    checkGrid(cli({QStringLiteral("reroll"), id, QStringLiteral("--wait"), QStringLiteral("--json")}),
              "reroll", QJsonValue(QJsonValue::Null));
    QVERIFY(!QTest::currentTestFailed());

    const Run upscaled = cli({QStringLiteral("upscale"), id, QStringLiteral("--index"), QStringLiteral("4"),
                              QStringLiteral("--wait"), QStringLiteral("--json")});
    QVERIFY2(upscaled.exitCode == 0, qPrintable(upscaled.describe()));
    const QString upscaleId = jsonObject(upscaled).value(QStringLiteral("id")).toString();
    QVERIFY(!upscaleId.isEmpty());

    // An upscale of an upscale is refused before anything is stored or sent.
    const int before = taskCount();
    const Run again = cli({QStringLiteral("upscale"), upscaleId, QStringLiteral("--index"),
                           QStringLiteral("1"), QStringLiteral("--wait"), QStringLiteral("--json")});
    QVERIFY2(again.exitCode != 0 && !again.crashed, qPrintable(again.describe()));
    QVERIFY2(again.out.isEmpty(), qPrintable(again.describe()));
    QVERIFY2(again.errText().contains(QLatin1String("already an upscaled")), qPrintable(again.describe()));
    QVERIFY2(again.errText().contains(upscaleId), qPrintable(again.describe()));
    QCOMPARE(taskCount(), before);
}

void TstCli::submitThenWaitInAnotherProcess()
{
    setDemoTiming(QStringLiteral("1"));
    const Run submitted
        = cli({QStringLiteral("imagine"), QStringLiteral("a quiet harbour"), QStringLiteral("--json")});
    QVERIFY2(submitted.exitCode == 0 && !submitted.crashed, qPrintable(submitted.describe()));
    const QJsonObject first = jsonObject(submitted);
    checkTaskJson(first);
    if (QTest::currentTestFailed())
        return;
    const QString id = first.value(QStringLiteral("id")).toString();
    QVERIFY2(QStringList({QStringLiteral("submitted"), QStringLiteral("running")})
                 .contains(first.value(QStringLiteral("state")).toString()),
             qPrintable(submitted.describe()));
    QVERIFY(first.value(QStringLiteral("remoteId")).isString());
    QVERIFY(first.value(QStringLiteral("finished")).isNull());
    QCOMPARE(first.value(QStringLiteral("images")).toArray().size(), 0);

    // The first process let go of the task on its way out: nobody holds it now.
    {
        const auto store = openStore();
        QVERIFY(store);
        const auto holder = store->leaseHolder(id, QDateTime::currentMSecsSinceEpoch());
        QVERIFY(holder);
        QVERIFY2(holder->isEmpty(), qPrintable(*holder));
    }

    // So a second process takes it over at once and brings it home.
    const Run waited = cli({QStringLiteral("wait"), id, QStringLiteral("--json")});
    QVERIFY2(waited.exitCode == 0 && !waited.crashed, qPrintable(waited.describe()));
    const QJsonObject done = jsonObject(waited);
    checkTaskJson(done);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(done.value(QStringLiteral("id")).toString(), id);
    QCOMPARE(done.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
    const QJsonArray images = done.value(QStringLiteral("images")).toArray();
    QCOMPARE(images.size(), 5);
    for (const QJsonValue &v : images)
        QVERIFY(QFileInfo::exists(v.toObject().value(QStringLiteral("path")).toString()));
}

void TstCli::sharedHistorySeesRunningTask()
{
    setDemoTiming(QStringLiteral("20"));
    const Run submitted
        = cli({QStringLiteral("imagine"), QStringLiteral("a slow glacier"), QStringLiteral("--json")});
    QVERIFY2(submitted.exitCode == 0, qPrintable(submitted.describe()));
    const QString id = jsonObject(submitted).value(QStringLiteral("id")).toString();
    QVERIFY(!id.isEmpty());

    // Another process (the GUI, here a second CLI) sees it in the shared database.
    const Run listed = cli({QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.describe()));
    const QJsonArray list = QJsonDocument::fromJson(listed.out).array();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().toObject().value(QStringLiteral("id")).toString(), id);
    QVERIFY(QStringList({QStringLiteral("submitted"), QStringLiteral("running")})
                .contains(list.first().toObject().value(QStringLiteral("state")).toString()));

    const Run status = cli({QStringLiteral("status"), id, QStringLiteral("--json")});
    QVERIFY2(status.exitCode == 0, qPrintable(status.describe()));
    QCOMPARE(jsonObject(status).value(QStringLiteral("id")).toString(), id);
}

void TstCli::statusAndHistory()
{
    const QJsonObject fox = imagineAndWait(QStringLiteral("a red fox"));
    QVERIFY(!QTest::currentTestFailed());
    const QString foxId = fox.value(QStringLiteral("id")).toString();
    const Run whale
        = cli({QStringLiteral("imagine"), QStringLiteral("a blue whale"), QStringLiteral("--json")});
    QVERIFY2(whale.exitCode == 0, qPrintable(whale.describe()));
    const QString whaleId = jsonObject(whale).value(QStringLiteral("id")).toString();
    QVERIFY(!whaleId.isEmpty());

    const auto list = [&](const QStringList &extra) {
        const Run run
            = cli(QStringList {QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--json")}
                  + extra);
        if (run.exitCode != 0 || !run.out.endsWith('\n') || run.out.count('\n') != 1)
            QTest::qFail(qPrintable(run.describe()), __FILE__, __LINE__);
        QJsonParseError error {};
        const QJsonDocument doc = QJsonDocument::fromJson(run.out, &error);
        if (!doc.isArray())
            QTest::qFail(qPrintable(QStringLiteral("not a JSON array: ") + run.describe()), __FILE__,
                         __LINE__);
        QStringList ids;
        for (const QJsonValue &v : doc.array()) {
            checkTaskJson(v.toObject());
            ids.append(v.toObject().value(QStringLiteral("id")).toString());
        }
        return ids;
    };
    QCOMPARE(list({}), QStringList({whaleId, foxId})); // newest first
    QCOMPARE(list({QStringLiteral("--limit"), QStringLiteral("1")}), QStringList({whaleId}));
    QCOMPARE(list({QStringLiteral("--search"), QStringLiteral("fox")}), QStringList({foxId}));
    QCOMPARE(list({QStringLiteral("--search"), QStringLiteral("WHALE")}), QStringList({whaleId}));
    QCOMPARE(list({QStringLiteral("--search"), QStringLiteral("unicorn")}), QStringList());

    const Run text = cli({QStringLiteral("history"), QStringLiteral("list")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains(foxId.left(8).toUtf8()));
    QVERIFY(text.out.contains("a blue whale"));

    const Run shown = cli({QStringLiteral("history"), QStringLiteral("show"), foxId.left(10)});
    QVERIFY2(shown.exitCode == 0, qPrintable(shown.describe()));
    QVERIFY(shown.out.contains(foxId.toUtf8()));
    QVERIFY(shown.out.contains("prompt: a red fox"));
    QVERIFY(shown.out.contains("succeeded"));
    const Run shownJson
        = cli({QStringLiteral("history"), QStringLiteral("show"), foxId, QStringLiteral("--json")});
    QCOMPARE(jsonObject(shownJson), fox);

    const Run status = cli({QStringLiteral("status"), fox.value(QStringLiteral("remoteId")).toString()});
    QVERIFY2(status.exitCode == 0, qPrintable(status.describe()));
    QVERIFY(status.out.contains(foxId.toUtf8()));
    QVERIFY(status.out.contains("grid"));
}

void TstCli::historyExport()
{
    const QJsonObject task = imagineAndWait(QStringLiteral("an orchard in spring"));
    QVERIFY(!QTest::currentTestFailed());
    const QString id = task.value(QStringLiteral("id")).toString();
    const QString target = m_home->filePath(QStringLiteral("export/here"));

    const Run run = cli({QStringLiteral("history"), QStringLiteral("export"), id, target});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const QStringList printed = QString::fromUtf8(run.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(printed.size(), 5);
    const QStringList files = QDir(target).entryList(QDir::Files, QDir::Name);
    QCOMPARE(files.size(), 5);
    // Our names: the task's id prefix and the image's role, never a remote file name.
    const QRegularExpression ours(QStringLiteral("^%1-(grid|tile-[1-4])\\.png$").arg(id.left(8)));
    for (const QString &name : files) {
        QVERIFY2(ours.match(name).hasMatch(), qPrintable(name));
        QVERIFY(printed.contains(QDir(target).filePath(name)));
        QVERIFY(!QImageReader(QDir(target).filePath(name)).size().isEmpty());
    }

    // A task without saved images (still running) has nothing to export.
    setDemoTiming(QStringLiteral("20"));
    const Run running
        = cli({QStringLiteral("imagine"), QStringLiteral("a slow river"), QStringLiteral("--json")});
    const QString runningId = jsonObject(running).value(QStringLiteral("id")).toString();
    const Run empty = cli({QStringLiteral("history"), QStringLiteral("export"), runningId,
                           m_home->filePath(QStringLiteral("export/none"))});
    QCOMPARE(empty.exitCode, 1);
    QVERIFY(empty.out.isEmpty());
    QVERIFY2(empty.errText().contains(QLatin1String("no saved images")), qPrintable(empty.describe()));
}

void TstCli::accountsList()
{
    const Run run = cli({QStringLiteral("accounts"), QStringLiteral("list"), QStringLiteral("--json")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QVERIFY(run.out.endsWith('\n') && run.out.count('\n') == 1);
    const QJsonDocument doc = QJsonDocument::fromJson(run.out);
    QVERIFY(doc.isArray());
    QJsonObject demo;
    for (const QJsonValue &v : doc.array()) {
        if (v.toObject().value(QStringLiteral("family")).toString() == QLatin1String("demo"))
            demo = v.toObject();
    }
    QCOMPARE(demo.value(QStringLiteral("name")).toString(), QStringLiteral("demo"));
    QCOMPARE(demo.value(QStringLiteral("default")).toBool(), true);

    const Run text = cli({QStringLiteral("accounts"), QStringLiteral("list")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.startsWith("* Demo"), text.out.constData());
}

void TstCli::cancelRunning()
{
    setDemoTiming(QStringLiteral("20"));
    const Run submitted
        = cli({QStringLiteral("imagine"), QStringLiteral("a field of wheat"), QStringLiteral("--json")});
    QVERIFY2(submitted.exitCode == 0, qPrintable(submitted.describe()));
    const QString id = jsonObject(submitted).value(QStringLiteral("id")).toString();
    QVERIFY(!id.isEmpty());

    const Run cancelled = cli({QStringLiteral("cancel"), id, QStringLiteral("--json")});
    QVERIFY2(cancelled.exitCode == 0 && !cancelled.crashed, qPrintable(cancelled.describe()));
    const QJsonObject task = jsonObject(cancelled);
    checkTaskJson(task);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(task.value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));
    QCOMPARE(task.value(QStringLiteral("error")).toObject().value(QStringLiteral("kind")).toString(),
             QStringLiteral("cancelled"));
    QVERIFY(task.value(QStringLiteral("finished")).isString());

    const Run status = cli({QStringLiteral("status"), id, QStringLiteral("--json")});
    QCOMPARE(jsonObject(status).value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));

    // Cancelling again says why not.
    const Run again = cli({QStringLiteral("cancel"), id});
    QCOMPARE(again.exitCode, 1);
    QVERIFY(again.out.isEmpty());
    QVERIFY2(again.errText().contains(QLatin1String("already ended")), qPrintable(again.describe()));
}

void TstCli::badInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QStringList>("mentions"); // stderr names the problem

    // %TASK% is replaced with a finished imagine of this test's home.
    const QString task = QStringLiteral("%TASK%");
    QTest::newRow("unknown command") << QStringList {QStringLiteral("frobnicate")} << 2
                                     << QStringList {QStringLiteral("unknown command"),
                                                     QStringLiteral("frobnicate")};
    QTest::newRow("missing prompt") << QStringList {QStringLiteral("imagine")} << 2
                                    << QStringList {QStringLiteral("prompt")};
    QTest::newRow("empty prompt") << QStringList {QStringLiteral("imagine"), QString()} << 2
                                  << QStringList {QStringLiteral("prompt")};
    QTest::newRow("two prompts") << QStringList {QStringLiteral("imagine"), QStringLiteral("a"),
                                                 QStringLiteral("b")}
                                 << 2 << QStringList {QStringLiteral("one prompt")};
    QTest::newRow("chaos not a number")
        << QStringList {QStringLiteral("imagine"), QStringLiteral("a fox"), QStringLiteral("--chaos"),
                        QStringLiteral("abc")}
        << 2 << QStringList {QStringLiteral("--chaos"), QStringLiteral("abc")};
    QTest::newRow("chaos out of range")
        << QStringList {QStringLiteral("imagine"), QStringLiteral("a fox"), QStringLiteral("--chaos"),
                        QStringLiteral("500")}
        << 2 << QStringList {QStringLiteral("chaos"), QStringLiteral("500"), QStringLiteral("0-100")};
    QTest::newRow("aspect ratio the family lacks")
        << QStringList {QStringLiteral("imagine"), QStringLiteral("a fox"), QStringLiteral("--ar"),
                        QStringLiteral("7:3")}
        << 2 << QStringList {QStringLiteral("aspect ratio"), QStringLiteral("7:3")};
    QTest::newRow("unknown option") << QStringList {QStringLiteral("imagine"), QStringLiteral("a fox"),
                                                    QStringLiteral("--colour"), QStringLiteral("red")}
                                    << 2 << QStringList {QStringLiteral("colour")};
    QTest::newRow("type the demo lacks") << QStringList {QStringLiteral("imagine"), QStringLiteral("a fox"),
                                                         QStringLiteral("--type"), QStringLiteral("video")}
                                         << 2 << QStringList {QStringLiteral("type")};
    QTest::newRow("unknown account") << QStringList {QStringLiteral("imagine"), QStringLiteral("a fox"),
                                                     QStringLiteral("--account"), QStringLiteral("nobody")}
                                     << 2
                                     << QStringList {QStringLiteral("account"), QStringLiteral("nobody")};
    QTest::newRow("unknown task") << QStringList {QStringLiteral("status"), QStringLiteral("no-such-task")}
                                  << 2 << QStringList {QStringLiteral("no-such-task")};
    QTest::newRow("wait for unknown task")
        << QStringList {QStringLiteral("wait"), QStringLiteral("0123456789ab")} << 2
        << QStringList {QStringLiteral("0123456789ab")};
    QTest::newRow("upscale unknown task")
        << QStringList {QStringLiteral("upscale"), QStringLiteral("no-such-task"), QStringLiteral("--index"),
                        QStringLiteral("1")}
        << 2 << QStringList {QStringLiteral("no-such-task")};
    QTest::newRow("upscale without index")
        << QStringList {QStringLiteral("upscale"), task} << 2 << QStringList {QStringLiteral("--index")};
    QTest::newRow("upscale index out of range")
        << QStringList {QStringLiteral("upscale"), task, QStringLiteral("--index"), QStringLiteral("9")} << 2
        << QStringList {QStringLiteral("index"), QStringLiteral("1"), QStringLiteral("4")};
    QTest::newRow("reroll with index")
        << QStringList {QStringLiteral("reroll"), task, QStringLiteral("--index"), QStringLiteral("2")} << 2
        << QStringList {QStringLiteral("index")};
    QTest::newRow("status without task")
        << QStringList {QStringLiteral("status")} << 2 << QStringList {QStringLiteral("status")};
    QTest::newRow("history without command")
        << QStringList {QStringLiteral("history")} << 2 << QStringList {QStringLiteral("history list")};
    QTest::newRow("history export without dir")
        << QStringList {QStringLiteral("history"), QStringLiteral("export"), task} << 2
        << QStringList {QStringLiteral("export TASK DIR")};
    QTest::newRow("history list negative limit")
        << QStringList {QStringLiteral("history"), QStringLiteral("list"), QStringLiteral("--limit"),
                        QStringLiteral("-1")}
        << 2 << QStringList {QStringLiteral("--limit")};
    QTest::newRow("accounts unknown command")
        << QStringList {QStringLiteral("accounts"), QStringLiteral("frob")} << 2
        << QStringList {QStringLiteral("frob")};
}

void TstCli::badInput()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QStringList, mentions);

    if (args.contains(QStringLiteral("%TASK%"))) {
        const QString id = imagineAndWait(QStringLiteral("a red fox")).value(QStringLiteral("id")).toString();
        QVERIFY(!id.isEmpty());
        args.replaceInStrings(QStringLiteral("%TASK%"), id);
    }
    const auto store = openStore();
    QVERIFY(store);
    const auto before = store->recentTasks(100);
    QVERIFY(before);

    const Run run = cli(args);
    QVERIFY2(!run.crashed, qPrintable(run.describe()));
    QVERIFY2(run.exitCode == exitCode, qPrintable(run.describe()));
    QVERIFY2(run.out.isEmpty(), qPrintable(run.describe())); // nothing that could pass for a result
    QVERIFY2(run.err.startsWith("tessera-cli: "), qPrintable(run.describe()));
    for (const QString &m : mentions)
        QVERIFY2(run.errText().contains(m, Qt::CaseInsensitive),
                 qPrintable(m + QStringLiteral(" in ") + run.describe()));

    // The history is as it was.
    const auto after = store->recentTasks(100);
    QVERIFY(after);
    QCOMPARE(after->size(), before->size());
    for (qsizetype i = 0; i < after->size(); ++i) {
        QCOMPARE(after->at(i).id, before->at(i).id);
        QCOMPARE(after->at(i).state, before->at(i).state);
    }
}

void TstCli::helpAndVersion()
{
    const Run help = cli({QStringLiteral("help")});
    QCOMPARE(help.exitCode, 0);
    QVERIFY(help.out.contains("imagine"));
    const Run imagineHelp = cli({QStringLiteral("imagine"), QStringLiteral("--help")});
    QCOMPARE(imagineHelp.exitCode, 0);
    QVERIFY(imagineHelp.out.contains("--chaos"));
    const Run statusHelp = cli({QStringLiteral("help"), QStringLiteral("status")});
    QVERIFY2(statusHelp.exitCode == 0, qPrintable(statusHelp.describe()));
    QVERIFY(statusHelp.out.contains("tessera-cli status TASK"));
    const Run version = cli({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.startsWith("tessera-cli "));
}

// Ctrl+C (SIGINT) or SIGTERM while waiting: exit 130 with a hint, the task keeps going, its lease is
// released, and `wait` in a new process takes it over at once and finishes it.
void TstCli::interruptLeavesTaskForWait()
{
#ifndef Q_OS_UNIX
    QSKIP("sends POSIX signals");
#else
    setDemoTiming(QStringLiteral("2.5"));
    const auto store = openStore();
    QVERIFY(store);
    const auto runningTask = [&]() -> QString {
        const auto tasks = store->recentTasks(1);
        if (!tasks || tasks->isEmpty() || tasks->first().state != TaskState::Running)
            return {};
        return tasks->first().id;
    };

    const std::unique_ptr<QProcess> imagine
        = start({QStringLiteral("imagine"), QStringLiteral("a storm at sea"), QStringLiteral("--wait"),
                 QStringLiteral("--json")});
    QTRY_VERIFY_WITH_TIMEOUT(!runningTask().isEmpty() || imagine->state() == QProcess::NotRunning, 20'000);
    const QString id = runningTask();
    QVERIFY2(!id.isEmpty(), imagine->readAllStandardError().constData());
    // Never kill(0, ...): that would signal this whole process group.
    const qint64 pid = imagine->processId();
    QVERIFY(pid > 0 && imagine->state() == QProcess::Running);
    QCOMPARE(::kill(static_cast<pid_t>(pid), SIGINT), 0);
    const Run interrupted = finish(*imagine);
    QVERIFY2(!interrupted.crashed && interrupted.exitCode == 130, qPrintable(interrupted.describe()));
    QVERIFY2(interrupted.out.isEmpty(), qPrintable(interrupted.describe()));
    QVERIFY2(interrupted.errText().contains(QLatin1String("interrupted")),
             qPrintable(interrupted.describe()));
    QVERIFY2(interrupted.errText().contains(QStringLiteral("tessera-cli wait ") + id),
             qPrintable(interrupted.describe()));
    const auto afterInt = store->task(id);
    QVERIFY(afterInt && afterInt->has_value());
    QVERIFY(isActive((*afterInt)->state));
    const auto holder = store->leaseHolder(id, QDateTime::currentMSecsSinceEpoch());
    QVERIFY(holder);
    QVERIFY2(holder->isEmpty(), qPrintable(*holder));

    // `wait` stopped with SIGTERM (QProcess::terminate) behaves the same.
    const std::unique_ptr<QProcess> waiting = start({QStringLiteral("wait"), id});
    QByteArray progress;
    QTRY_VERIFY_WITH_TIMEOUT((progress += waiting->readAllStandardError()).contains("Running")
                                 || waiting->state() == QProcess::NotRunning,
                             20'000);
    waiting->terminate();
    Run terminated = finish(*waiting);
    terminated.err.prepend(progress);
    if (terminated.exitCode == 0) {
        // The task finished before the signal came (a very slow machine): nothing left to check.
        QVERIFY2(!terminated.crashed, qPrintable(terminated.describe()));
    } else {
        QVERIFY2(!terminated.crashed && terminated.exitCode == 130, qPrintable(terminated.describe()));
        QVERIFY2(terminated.errText().contains(QStringLiteral("tessera-cli wait ") + id),
                 qPrintable(terminated.describe()));
    }

    const Run waited = cli({QStringLiteral("wait"), id.left(8), QStringLiteral("--json")});
    QVERIFY2(waited.exitCode == 0 && !waited.crashed, qPrintable(waited.describe()));
    const QJsonObject done = jsonObject(waited);
    QCOMPARE(done.value(QStringLiteral("id")).toString(), id);
    QCOMPARE(done.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
    QCOMPARE(done.value(QStringLiteral("images")).toArray().size(), 5);
#endif
}

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
