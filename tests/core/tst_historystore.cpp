// The history database: schema and migrations, WAL, accounts, tasks with images, search, leases.
#include "storage/historystore.h"
#include "storage/migrations.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

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

QStringList ids(const QList<Task> &tasks)
{
    QStringList out;
    for (const Task &t : tasks)
        out.append(t.id);
    return out;
}

QStringList search(HistoryStore &store, const QString &text)
{
    HistoryQuery q;
    q.text = text;
    const auto found = store.queryTasks(q, 100, 0);
    return found.ok() ? ids(*found) : QStringList {QStringLiteral("<error>")};
}

// Runs `body` on a raw connection to `path` (no HistoryStore, no migration beyond what it does itself).
void withRawDatabase(const QString &path, const std::function<void(QSqlDatabase &)> &body)
{
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        body(db);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
}

// A history as the foundation (schema 1) wrote it, with rows.
void writeSchema1(const QString &path)
{
    withRawDatabase(path, [](QSqlDatabase &db) {
        QCOMPARE(*migrate(db, 1), 1);
        QSqlQuery q(db);
        const QStringList prompts {QStringLiteral("Café à Montréal"), QStringLiteral("a red fox"),
                                   QStringLiteral("crème brûlée, still life")};
        for (int i = 0; i < prompts.size(); ++i) {
            q.prepare(QStringLiteral(
                "INSERT INTO tasks (id, account_id, operation, params, prompt, state, "
                "created, updated) VALUES (?, 'demo', 'imagine', '{}', ?, 'succeeded', ?, ?)"));
            q.addBindValue(QStringLiteral("old-%1").arg(i));
            q.addBindValue(prompts[i]);
            q.addBindValue(1000 * (3 - i)); // inserted newest first: rowids do not follow time
            q.addBindValue(1000 * (3 - i));
            QVERIFY(q.exec());
        }
        QVERIFY(q.exec(QStringLiteral("INSERT INTO images (task_id, role, idx, path, state) VALUES "
                                      "('old-1', 'grid', 0, '2025/01/old-1/grid.png', 'downloaded')")));
    });
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

    void migratesSchema1WithRows()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.sqlite"));
        writeSchema1(path);
        auto opened = HistoryStore::open(path);
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        auto store = std::move(*opened);
        QCOMPARE(store->schemaVersion(), 3);
        QCOMPARE(latestSchemaVersion(), 3);
        // Old rows are in the index, accents or not; old tasks are not favourites; old images do not expire.
        QCOMPARE(search(*store, QStringLiteral("cafe")), QStringList {QStringLiteral("old-0")});
        QCOMPARE(search(*store, QStringLiteral("MONTREAL")), QStringList {QStringLiteral("old-0")});
        QCOMPARE(search(*store, QStringLiteral("creme brulee")), QStringList {QStringLiteral("old-2")});
        const Task fox = **store->task(QStringLiteral("old-1"));
        QVERIFY(!fox.favourite);
        QCOMPARE(fox.images.size(), 1);
        QVERIFY(!fox.images[0].expires.isValid());
        // The index follows later writes of migrated rows (the rowid map was filled by the migration).
        QVERIFY(store->deleteTask(QStringLiteral("old-0")).ok());
        QVERIFY(search(*store, QStringLiteral("cafe")).isEmpty());
        QCOMPARE(search(*store, QStringLiteral("fox")), QStringList {QStringLiteral("old-1")});
        // Opening again changes nothing.
        store.reset();
        auto again = HistoryStore::open(path);
        QVERIFY(again.ok());
        QCOMPARE((*again)->schemaVersion(), 3);
        QCOMPARE(*(*again)->countTasks({}), 2);
        QCOMPARE(search(**again, QStringLiteral("brulee")), QStringList {QStringLiteral("old-2")});
    }

    void aFailedMigrationLeavesThePreviousVersion()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.sqlite"));
        writeSchema1(path);
        // An object in the way makes migration 2 fail half-way, after its ALTER TABLEs.
        withRawDatabase(path, [](QSqlDatabase &db) {
            QVERIFY(QSqlQuery(db).exec(QStringLiteral("CREATE TABLE tasks_fts_rowid (x)")));
        });
        const auto failed = HistoryStore::open(path);
        QVERIFY(!failed.ok());
        QVERIFY(failed.error().message.contains(QStringLiteral("schema 2")));
        withRawDatabase(path, [](QSqlDatabase &db) {
            QCOMPARE(*schemaVersion(db), 1);
            QSqlQuery q(db);
            QVERIFY(!q.exec(QStringLiteral("SELECT favourite FROM tasks"))); // the ALTER was rolled back
            QVERIFY(!q.exec(QStringLiteral("SELECT * FROM tasks_fts")));
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM tasks")) && q.next());
            QCOMPARE(q.value(0).toInt(), 3);
            QVERIFY(q.exec(QStringLiteral("DROP TABLE tasks_fts_rowid")));
        });
        QCOMPARE((*HistoryStore::open(path))->schemaVersion(), 3);
    }

    // Schema 2 as it was released in between: its newest-first index sorted ties the other way.
    void migratesSchema2()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.sqlite"));
        writeSchema1(path);
        QVERIFY(HistoryStore::open(path).ok());
        withRawDatabase(path, [](QSqlDatabase &db) {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("DROP INDEX tasks_newest")));
            QVERIFY(q.exec(QStringLiteral("CREATE INDEX tasks_by_created ON tasks(created DESC, id)")));
            QVERIFY(q.exec(QStringLiteral("UPDATE schema_version SET version = 2")));
        });
        auto store = HistoryStore::open(path);
        QVERIFY(store.ok());
        QCOMPARE((*store)->schemaVersion(), 3);
        const auto page = (*store)->queryTasks({}, 2, 1);
        QVERIFY(page.ok());
        QCOMPARE(page->size(), 2);
        QCOMPARE(*(*store)->countTasks({}), 3);
        store->reset();
        withRawDatabase(path, [](QSqlDatabase &db) {
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE "
                                          "'tasks_%' ORDER BY name")));
            QStringList names;
            while (q.next())
                names << q.value(0).toString();
            QVERIFY(names.contains(QStringLiteral("tasks_newest")));
            QVERIFY(!names.contains(QStringLiteral("tasks_by_created")));
        });
    }

    void searchIndexFollowsPromptChangesAndDeletes()
    {
        QTemporaryDir dir;
        auto store = std::move(*HistoryStore::open(dir.filePath(QStringLiteral("h.sqlite"))));
        Task t = sampleTask(QStringLiteral("a"), 1000, QStringLiteral("lighthouse in a storm"));
        QVERIFY(store->insertTask(t, {}, 0).ok());
        QVERIFY(
            store->insertTask(sampleTask(QStringLiteral("b"), 2000, QStringLiteral("storm")), {}, 0).ok());
        QCOMPARE(search(*store, QStringLiteral("lighthouse")), QStringList {QStringLiteral("a")});
        // saveTask without a prompt change (every poll) and with one.
        t.state = TaskState::Running;
        QVERIFY(store->saveTask(t).ok());
        QCOMPARE(search(*store, QStringLiteral("lighthouse")), QStringList {QStringLiteral("a")});
        t.prompt = QStringLiteral("windmill in a storm");
        QVERIFY(store->saveTask(t).ok());
        QVERIFY(search(*store, QStringLiteral("lighthouse")).isEmpty());
        QCOMPARE(search(*store, QStringLiteral("windmill")), QStringList {QStringLiteral("a")});
        t.state = TaskState::Succeeded;
        QVERIFY(store->saveTask(t).ok());
        QVERIFY(store->deleteTask(QStringLiteral("a")).ok());
        QVERIFY(search(*store, QStringLiteral("windmill")).isEmpty());
        QCOMPARE(search(*store, QStringLiteral("storm")), QStringList {QStringLiteral("b")});
        HistoryQuery q;
        q.text = QStringLiteral("storm");
        QCOMPARE(*store->countTasks(q), 1);
    }

    void favourites()
    {
        QTemporaryDir dir;
        auto store = std::move(*HistoryStore::open(dir.filePath(QStringLiteral("h.sqlite"))));
        Task t = sampleTask(QStringLiteral("a"), 1000, QStringLiteral("x"));
        QVERIFY(store->insertTask(t, {}, 0).ok());
        Task starred = sampleTask(QStringLiteral("b"), 2000, QStringLiteral("y"));
        starred.favourite = true;
        QVERIFY(store->insertTask(starred, {}, 0).ok());
        HistoryQuery onlyFavourites;
        onlyFavourites.favouritesOnly = true;
        QCOMPARE(ids(*store->queryTasks(onlyFavourites, 10)), QStringList {QStringLiteral("b")});
        QVERIFY(store->setFavourite(QStringLiteral("a"), true).ok());
        // An engine holding an older copy saves it: the favourite stays.
        t.state = TaskState::Succeeded;
        QVERIFY(store->saveTask(t).ok());
        QVERIFY(store->saveTaskAndImages(t).ok());
        QVERIFY((*store->task(QStringLiteral("a")))->favourite);
        QCOMPARE(*store->countTasks(onlyFavourites), 2);
        QVERIFY(store->setFavourite(QStringLiteral("b"), false).ok());
        QCOMPARE(ids(*store->queryTasks(onlyFavourites, 10)), QStringList {QStringLiteral("a")});
        QCOMPARE(store->setFavourite(QStringLiteral("gone"), true).error().kind, Error::Kind::NotFound);
    }

    void deleteReturnsFilesAndKeepsChildren()
    {
        QTemporaryDir dir;
        auto store = std::move(*HistoryStore::open(dir.filePath(QStringLiteral("h.sqlite"))));
        Task parent = sampleTask(QStringLiteral("parent"), 1000, QStringLiteral("fox"));
        parent.state = TaskState::Succeeded;
        for (int i = 1; i <= 4; ++i) {
            ImageRef tile;
            tile.index = i;
            tile.path = QStringLiteral("2026/01/parent/tile-%1.png").arg(i);
            tile.state = i == 4 ? ImageState::Failed : ImageState::Downloaded;
            if (i == 4)
                tile.path.clear(); // never downloaded: no file
            parent.images.append(tile);
        }
        ImageRef grid;
        grid.role = ImageRole::Grid;
        grid.path = QStringLiteral("2026/01/parent/grid.png");
        grid.state = ImageState::Downloaded;
        parent.images.append(grid);
        QVERIFY(store->insertTask(parent, {}, 0).ok());
        Task child = sampleTask(QStringLiteral("child"), 2000, QStringLiteral("fox"));
        child.operation = Operation::action(OperationKind::Upscale, parent.id, 2);
        child.parentId = parent.id;
        child.tile = 2;
        QVERIFY(store->insertTask(child, {}, 0).ok());

        // Still under way: refused, nothing changed.
        const auto refused = store->deleteTask(child.id);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().kind, Error::Kind::InvalidRequest);
        QVERIFY(store->task(child.id)->has_value());

        const auto paths = store->deleteTask(parent.id);
        QVERIFY2(paths.ok(), qPrintable(paths.ok() ? QString() : paths.error().message));
        QCOMPARE(*paths,
                 (QStringList {QStringLiteral("2026/01/parent/grid.png"),
                               QStringLiteral("2026/01/parent/tile-1.png"),
                               QStringLiteral("2026/01/parent/tile-2.png"),
                               QStringLiteral("2026/01/parent/tile-3.png")}));
        QVERIFY(!store->task(parent.id)->has_value());
        const Task kept = **store->task(child.id);
        QCOMPARE(kept.parentId, parent.id); // lineage shows "deleted"
        QCOMPARE(*store->taskCount(), 1);
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
            db.setDatabaseName(store->path());
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM images WHERE task_id = 'parent'"))
                    && q.next());
            QCOMPARE(q.value(0).toInt(), 0);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("peek"));
        QCOMPARE(store->deleteTask(parent.id).error().kind, Error::Kind::NotFound);
    }

    void expiryAndUndownloadedImages()
    {
        QTemporaryDir dir;
        auto store = std::move(*HistoryStore::open(dir.filePath(QStringLiteral("h.sqlite"))));
        const auto image = [](int index, ImageState state, qint64 expiresMs) {
            ImageRef img;
            img.index = index;
            img.state = state;
            img.remoteUrl = QStringLiteral("https://cdn.example/%1.png").arg(index);
            if (expiresMs > 0)
                img.expires = QDateTime::fromMSecsSinceEpoch(expiresMs, Qt::UTC);
            return img;
        };
        Task t = sampleTask(QStringLiteral("t"), 1000, QStringLiteral("x"));
        t.state = TaskState::Succeeded;
        t.images = {image(1, ImageState::Downloaded, 5000), image(2, ImageState::Pending, 5000),
                    image(3, ImageState::Failed, 5000), image(4, ImageState::Pending, 0)};
        QVERIFY(store->insertTask(t, {}, 0).ok());
        Task later = sampleTask(QStringLiteral("later"), 2000, QStringLiteral("y"));
        later.state = TaskState::Succeeded;
        later.images = {image(1, ImageState::Failed, 90'000)};
        QVERIFY(store->insertTask(later, {}, 0).ok());
        Task running = sampleTask(QStringLiteral("running"), 3000, QStringLiteral("z"));
        running.state = TaskState::Running;
        running.images = {image(1, ImageState::Pending, 0)};
        QVERIFY(store->insertTask(running, {}, 0).ok());

        // Expiry round-trips, and an unknown one stays unknown.
        const Task loaded = **store->task(t.id);
        QCOMPARE(loaded.images[1].expires, QDateTime::fromMSecsSinceEpoch(5000, Qt::UTC));
        QVERIFY(!loaded.images[3].expires.isValid());
        QCOMPARE(loaded.images, t.images);

        QCOMPARE(ids(*store->tasksWithUndownloadedImages()), (QStringList {t.id, later.id}));
        QCOMPARE(*store->markExpiredImages(4999), 0);
        QCOMPARE(*store->markExpiredImages(5000), 2);
        const Task after = **store->task(t.id);
        QCOMPARE(after.images[0].state, ImageState::Downloaded); // downloaded: never touched
        QCOMPARE(after.images[1].state, ImageState::Expired);
        QCOMPARE(after.images[2].state, ImageState::Expired);
        QCOMPARE(after.images[3].state, ImageState::Pending); // no known expiry
        QCOMPARE(*store->markExpiredImages(5000), 0);
        // Image 4 of `t` still waits; `later` fails until its own expiry.
        QCOMPARE(ids(*store->tasksWithUndownloadedImages()), (QStringList {t.id, later.id}));
        QCOMPARE(*store->markExpiredImages(100'000), 1);
        QCOMPARE(ids(*store->tasksWithUndownloadedImages()), QStringList {t.id});
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
