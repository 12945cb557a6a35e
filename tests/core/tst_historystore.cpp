// The history database: schema and migrations, WAL, accounts, tasks with images, search, leases.
#include "storage/historystore.h"
#include "storage/migrations.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace tessera;

namespace {

Task sampleTask(const QString &id, qint64 createdMs, const QString &prompt)
{
    Task t;
    t.id = id;
    t.accountId = QString::fromLatin1(Account::kDemoId);
    t.operation = Operation::imagine(prompt);
    t.operation.chaos = 20;
    t.prompt = prompt;
    t.created = QDateTime::fromMSecsSinceEpoch(createdMs, Qt::UTC);
    t.updated = t.created;
    return t;
}

} // namespace

class TstHistoryStore : public QObject
{
    Q_OBJECT
private slots:
    void createsSchemaInWalMode()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/folder/history.sqlite"));
        auto store = HistoryStore::open(path);
        QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().message));
        QCOMPARE((*store)->schemaVersion(), latestSchemaVersion());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
            QVERIFY(q.exec(QStringLiteral("SELECT version FROM schema_version")) && q.next());
            QCOMPARE(q.value(0).toInt(), latestSchemaVersion());
        }
        QSqlDatabase::removeDatabase(QStringLiteral("peek"));
        // Opening again does not migrate twice.
        store->reset();
        auto again = HistoryStore::open(path);
        QVERIFY(again.ok());
        QCOMPARE((*again)->schemaVersion(), latestSchemaVersion());
    }

    void refusesANewerSchemaWithoutTouchingIt()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.sqlite"));
        QVERIFY(HistoryStore::open(path).ok());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bump"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(QStringLiteral("UPDATE schema_version SET version = 999")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("bump"));
        const auto store = HistoryStore::open(path);
        QVERIFY(!store.ok());
        QVERIFY(store.error().message.contains(QStringLiteral("newer Tessera")));
    }

    void accountsAndDefault()
    {
        QTemporaryDir dir;
        auto store = std::move(*HistoryStore::open(dir.filePath(QStringLiteral("h.sqlite"))));
        // A fresh history has the demo account, which is the default.
        QCOMPARE(store->accounts()->size(), 1);
        QVERIFY(store->defaultAccount()->isDemo());
        QVERIFY(!store->removeAccount(QString::fromLatin1(Account::kDemoId)).ok());

        Account kie;
        kie.id = QStringLiteral("a-kie");
        kie.family = QStringLiteral("kie");
        kie.name = QStringLiteral("work");
        kie.baseUrl = QStringLiteral("https://api.kie.ai");
        kie.options.insert(QStringLiteral("vary-index-base"), QStringLiteral("0"));
        QVERIFY(store->saveAccount(kie).ok());
        // The first real account becomes the default until the user picks one.
        QCOMPARE(store->defaultAccount()->id, kie.id);
        const auto loaded = store->account(kie.id);
        QVERIFY(loaded.ok() && loaded->has_value());
        QCOMPARE((*loaded)->options.value(QStringLiteral("vary-index-base")).toString(), QStringLiteral("0"));
        QCOMPARE((*store->accountByName(QStringLiteral("work")))->id, kie.id);
        QVERIFY((*store->accountByName(QStringLiteral("demo")))->isDemo());

        QVERIFY(store->setDefaultAccount(QString::fromLatin1(Account::kDemoId)).ok());
        QVERIFY(store->defaultAccount()->isDemo());
        QVERIFY(store->removeAccount(kie.id).ok());
        QVERIFY(store->defaultAccount()->isDemo());
    }

    void tasksWithImagesRoundTrip()
    {
        QTemporaryDir dir;
        auto store = std::move(*HistoryStore::open(dir.filePath(QStringLiteral("h.sqlite"))));
        Task t = sampleTask(QStringLiteral("11111111-aaaa"), 1000, QStringLiteral("a red fox"));
        QVERIFY(store->insertTask(t, QStringLiteral("me"), 5000).ok());
        t.state = TaskState::Succeeded;
        t.remoteId = QStringLiteral("1234567890123456789"); // a Discord-size id stays exact
        t.progress = 100;
        t.remote.insert(QStringLiteral("seed"), QStringLiteral("42"));
        t.error = Error::make(Error::Kind::NotFound, QStringLiteral("1 image could not be saved"), 404);
        t.finished = QDateTime::fromMSecsSinceEpoch(9000, Qt::UTC);
        ImageRef grid;
        grid.role = ImageRole::Grid;
        grid.path = QStringLiteral("2026/11/x/grid.png");
        grid.size = QSize(1024, 1024);
        grid.remoteUrl = QStringLiteral("https://cdn.example/grid.png");
        grid.state = ImageState::Downloaded;
        grid.hash = QStringLiteral("abc");
        ImageRef tile;
        tile.role = ImageRole::Tile;
        tile.index = 2;
        tile.state = ImageState::Expired;
        tile.error = QStringLiteral("404");
        t.images = {grid, tile};
        const Status saved = store->saveTaskAndImages(t);
        QVERIFY2(saved.ok(), qPrintable(saved.ok() ? QString() : saved.error().message));

        const auto loaded = store->task(t.id);
        QVERIFY(loaded.ok() && loaded->has_value());
        const Task &l = **loaded;
        QCOMPARE(l.state, TaskState::Succeeded);
        QCOMPARE(l.remoteId, t.remoteId);
        QCOMPARE(l.progress, std::optional<int>(100));
        QCOMPARE(l.operation, t.operation);
        QCOMPARE(l.remote, t.remote);
        QCOMPARE(*l.error, *t.error);
        QCOMPARE(l.created, t.created);
        QCOMPARE(l.finished, t.finished);
        QCOMPARE(l.images.size(), 2);
        QCOMPARE(l.images[0], grid);
        QCOMPARE(l.images[1], tile);
        QCOMPARE((*store->findTask(t.remoteId))->id, t.id);
        QCOMPARE((*store->findTask(QStringLiteral("111111")))->id, t.id);
        QVERIFY(!store->findTask(QStringLiteral("nothing-like-it"))->has_value());
    }

    void recentTasksNewestFirstWithSearch()
    {
        QTemporaryDir dir;
        auto store = std::move(*HistoryStore::open(dir.filePath(QStringLiteral("h.sqlite"))));
        QVERIFY(store->insertTask(sampleTask(QStringLiteral("a"), 1000, QStringLiteral("a red fox")), {}, 0)
                    .ok());
        QVERIFY(store
                    ->insertTask(sampleTask(QStringLiteral("b"), 3000, QStringLiteral("harbour 100% night")),
                                 {}, 0)
                    .ok());
        QVERIFY(
            store->insertTask(sampleTask(QStringLiteral("c"), 2000, QStringLiteral("Red_Fox running")), {}, 0)
                .ok());
        const auto all = store->recentTasks(10);
        QCOMPARE(all->size(), 3);
        QCOMPARE(all->at(0).id, QStringLiteral("b"));
        QCOMPARE(all->at(1).id, QStringLiteral("c"));
        QCOMPARE(all->at(2).id, QStringLiteral("a"));
        QCOMPARE(store->recentTasks(10, 0, QStringLiteral("red"))->size(), 2);
        QCOMPARE(store->recentTasks(10, 0, QStringLiteral("100%"))->size(), 1); // % is literal
        QCOMPARE(store->recentTasks(10, 0, QStringLiteral("d_f"))->size(), 1); // _ is literal
        QCOMPARE(store->recentTasks(1, 1)->first().id, QStringLiteral("c"));
    }

    void leasesDecideWhoDrivesATask()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.sqlite"));
        auto gui = std::move(*HistoryStore::open(path));
        auto cli = std::move(*HistoryStore::open(path));
        Task t = sampleTask(QStringLiteral("t1"), 1000, QStringLiteral("x"));
        t.state = TaskState::Running;
        t.remoteId = QStringLiteral("r1");
        QVERIFY(gui->insertTask(t, QStringLiteral("gui"), 10'000).ok());
        Task done = sampleTask(QStringLiteral("t2"), 1000, QStringLiteral("y"));
        done.state = TaskState::Succeeded;
        QVERIFY(gui->insertTask(done, QString(), 0).ok());

        // While the GUI's lease runs, the CLI cannot take the task; finished tasks are never taken.
        QVERIFY(cli->claimOrphans(QStringLiteral("cli"), 5'000, 35'000)->isEmpty());
        QCOMPARE(*cli->leaseHolder(QStringLiteral("t1"), 5'000), QStringLiteral("gui"));
        // After it runs out (the GUI died), it can.
        const auto taken = cli->claimOrphans(QStringLiteral("cli"), 10'001, 40'000);
        QCOMPARE(taken->size(), 1);
        QCOMPARE(taken->first().id, QStringLiteral("t1"));
        QVERIFY(gui->claimOrphans(QStringLiteral("gui"), 20'000, 50'000)->isEmpty());
        QVERIFY(cli->renewLeases(QStringLiteral("cli"), 80'000).ok());
        QVERIFY(gui->claimOrphans(QStringLiteral("gui"), 60'000, 90'000)->isEmpty());
        // A clean exit releases at once.
        QVERIFY(cli->releaseAllLeases(QStringLiteral("cli")).ok());
        QCOMPARE(*gui->leaseHolder(QStringLiteral("t1"), 60'000), QString());
        QCOMPARE(gui->claimOrphans(QStringLiteral("gui"), 60'000, 90'000, QStringLiteral("t1"))->size(), 1);
    }
};

QTEST_GUILESS_MAIN(TstHistoryStore)
#include "tst_historystore.moc"
