// The history browser's queries: the FTS5 match builder, prefix search and ranking, accents, hostile
// input, filters alone and combined, stable paging, and the query plans that keep them fast.
#include "storage/historyquery.h"
#include "storage/historystore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>

using namespace tessera;

namespace {

struct Spec
{
    QString account;
    OperationKind kind;
    TaskState state;
    bool favourite;
};

Task makeTask(const QString &id, qint64 createdMs, const QString &prompt, const Spec &spec = {})
{
    Task t;
    t.id = id;
    t.accountId = spec.account.isEmpty() ? QString::fromLatin1(Account::kDemoId) : spec.account;
    t.operation = spec.kind == OperationKind::Imagine
        ? Operation::imagine(prompt)
        : Operation::action(spec.kind, QStringLiteral("parent"), 1);
    t.prompt = prompt;
    t.state = spec.state;
    t.favourite = spec.favourite;
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

QString message(const Status &s)
{
    return s.ok() ? QString() : s.error().message;
}

} // namespace

class TstHistorySearch : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<HistoryStore> m_store;
    QList<Task> m_all; // what setup inserted, for brute-force expectations

    QStringList search(const QString &text, int limit = 100, int offset = 0)
    {
        HistoryQuery q;
        q.text = text;
        const auto found = m_store->queryTasks(q, limit, offset);
        if (!found.ok())
            qWarning() << found.error().message;
        return found.ok() ? ids(*found) : QStringList {QStringLiteral("<error>")};
    }

private slots:
    void initTestCase()
    {
        auto opened = HistoryStore::open(m_dir.filePath(QStringLiteral("h.sqlite")));
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
        m_store = std::move(*opened);
        const QStringList prompts {
            QStringLiteral("a red fox in the snow"),
            QStringLiteral("Café à Montréal, crème brûlée on a table"),
            QStringLiteral("castle at dusk --ar 16:9 --v 7"),
            QStringLiteral("cyberpunk city at night, neon rain"),
            QStringLiteral("portrait of an old sailor, harbour at night"),
            QStringLiteral("red fox"),
            QStringLiteral("watercolor forest with a red fox sleeping under a pale winter moon and stars"),
            QStringLiteral("blue heron"),
            QStringLiteral("blue heron"),
            QStringLiteral("blue heron"),
        };
        const QStringList accounts {QStringLiteral("acc-1"), QStringLiteral("acc-2"),
                                    QStringLiteral("acc-3")};
        const QList<OperationKind> kinds {OperationKind::Imagine, OperationKind::Upscale,
                                          OperationKind::Vary};
        const QList<TaskState> states {TaskState::Succeeded, TaskState::Failed, TaskState::Succeeded,
                                       TaskState::Unknown};
        // 40 tasks, inserted in creation order (as the engine does), with spread attributes.
        for (int i = 0; i < 40; ++i) {
            const Spec spec {accounts[i % 3], kinds[i % 3 == 0 ? 0 : (i % 5 == 0 ? 1 : 2)], states[i % 4],
                             i % 7 == 0};
            const Task t = makeTask(QStringLiteral("t%1").arg(i, 2, 10, QLatin1Char('0')), 1000 + i * 1000,
                                    prompts[i % prompts.size()], spec);
            const Status s = m_store->insertTask(t, {}, 0);
            QVERIFY2(s.ok(), qPrintable(message(s)));
            m_all.append(t);
        }
        std::sort(m_all.begin(), m_all.end(), [](const Task &a, const Task &b) {
            return a.created != b.created ? a.created > b.created : a.id > b.id;
        });
    }

    void matchExpression_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("blank") << QStringLiteral(" \t\n ") << QString();
        QTest::newRow("punctuation only") << QStringLiteral("-- : () \"") << QString();
        QTest::newRow("words") << QStringLiteral("red  fox") << QStringLiteral("\"red\"* \"fox\"*");
        QTest::newRow("quote doubled") << QStringLiteral("a\"b") << QStringLiteral("\"a\"\"b\"*");
        QTest::newRow("operators are text")
            << QStringLiteral("fox AND NEAR(cat)") << QStringLiteral("\"fox\"* \"AND\"* \"NEAR(cat)\"*");
        QTest::newRow("flags") << QStringLiteral("--ar 16:9") << QStringLiteral("\"--ar\"* \"16:9\"*");
        QTest::newRow("nul separates") << QStringLiteral("fox") + QChar(0) + QStringLiteral("cat")
                                       << QStringLiteral("\"fox\"* \"cat\"*");
    }

    void matchExpression()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(ftsMatchExpression(text), expected);
        HistoryQuery q;
        q.text = text;
        QCOMPARE(q.hasText(), !expected.isEmpty());
    }

    void prefixSearch()
    {
        // Every word is a prefix; words combine with AND in any order.
        QCOMPARE(search(QStringLiteral("cyber")).size(), 4);
        QCOMPARE(search(QStringLiteral("fo re")).size(), search(QStringLiteral("fox red")).size());
        QCOMPARE(search(QStringLiteral("heron blue")).size(), 12);
        QVERIFY(search(QStringLiteral("heron zebra")).isEmpty());
        // A flag typed as in the prompt finds it: `16:9` is the phrase "16 9".
        QCOMPARE(search(QStringLiteral("--ar 16:9")).size(), 4);
        QVERIFY(search(QStringLiteral("9:16")).isEmpty());
    }

    void accentsAndCaseDoNotMatter()
    {
        QCOMPARE(search(QStringLiteral("cafe montreal")).size(), 4);
        QCOMPARE(search(QStringLiteral("CRÈME brul")).size(), 4);
        QCOMPARE(search(QStringLiteral("Montréal")).size(), 4);
    }

    void rankingBestFirstTiesNewestFirst()
    {
        // "red fox" alone is the best match for "red fox"; the long prompt that mentions it in passing last.
        const QStringList found = search(QStringLiteral("red fox"));
        QCOMPARE(found.size(), 12);
        const auto prompt = [this](const QString &id) {
            return std::find_if(m_all.begin(), m_all.end(), [&](const Task &t) { return t.id == id; })
                ->prompt;
        };
        QCOMPARE(prompt(found.first()), QStringLiteral("red fox"));
        QVERIFY(prompt(found.last()).startsWith(QStringLiteral("watercolor")));
        // Equal prompts rank equally: newest first.
        const QStringList herons = search(QStringLiteral("heron"));
        QStringList newestFirst = herons;
        std::sort(newestFirst.begin(), newestFirst.end(), std::greater<QString>()); // ids grow with time
        QCOMPARE(herons, newestFirst);
    }

    void oneLetterWordsListNewestFirst()
    {
        // Every word a single character: matches are listed newest first, unranked, and page correctly.
        const QStringList found = search(QStringLiteral("r"));
        QVERIFY(found.size() > 2);
        QStringList newestFirst = found;
        std::sort(newestFirst.begin(), newestFirst.end(), std::greater<QString>()); // ids grow with time
        QCOMPARE(found, newestFirst);
        QVERIFY(found.contains(search(QStringLiteral("red fox")).first()));
    }

    void hostileInputNeverFails_data()
    {
        QTest::addColumn<QString>("text");
        for (const char *s : {"\"",
                              "\"\"",
                              "\"unbalanced",
                              "AND",
                              "OR",
                              "NOT",
                              "NEAR",
                              "fox AND",
                              "OR fox",
                              "NOT fox",
                              "fox NOT",
                              "NEAR(fox cat)",
                              "NEAR(fox, 2)",
                              "-fox",
                              "--ar 16:9",
                              "prompt:fox",
                              "task_id:t01",
                              "{prompt}: fox",
                              "(fox",
                              "fox)",
                              "*",
                              "fox*",
                              "*fox",
                              "^fox",
                              "+fox",
                              ":",
                              "'",
                              "';DROP TABLE tasks;--",
                              "%_\\",
                              "a\"b\"c",
                              "\"fox\" \"cat\"",
                              "fox OR OR cat",
                              "rank:",
                              "bm25(tasks_fts)",
                              "::16:9::",
                              "🦊 fox 🦊"}) {
            QTest::newRow(s) << QString::fromUtf8(s);
        }
        QTest::newRow("nul") << QStringLiteral("fox") + QChar(0) + QStringLiteral("\"");
        QTest::newRow("lone surrogate") << QString(QChar(0xD800)) + QStringLiteral("fox");
        QStringList many;
        for (int i = 0; i < 2000; ++i)
            many.append(QStringLiteral("w%1").arg(i));
        QTest::newRow("2000 words") << many.join(QLatin1Char(' '));
    }

    void hostileInputNeverFails()
    {
        QFETCH(QString, text);
        HistoryQuery q;
        q.text = text;
        const auto found = m_store->queryTasks(q, 50, 0);
        QVERIFY2(found.ok(), qPrintable(found.ok() ? QString() : found.error().message));
        const auto count = m_store->countTasks(q);
        QVERIFY2(count.ok(), qPrintable(count.ok() ? QString() : count.error().message));
        QCOMPARE(*count, int(found->size()));
        q.favouritesOnly = true; // the joined form too
        QVERIFY(m_store->queryTasks(q, 50, 0).ok());
        QVERIFY(m_store->countTasks(q).ok());
    }

    void filters_data()
    {
        QTest::addColumn<HistoryQuery>("query");
        const auto with = [](const std::function<void(HistoryQuery &)> &set) {
            HistoryQuery q;
            set(q);
            return q;
        };
        QTest::newRow("none") << HistoryQuery {};
        QTest::newRow("account") << with([](HistoryQuery &q) { q.accountIds = {QStringLiteral("acc-2")}; });
        QTest::newRow("accounts") << with([](HistoryQuery &q) {
            q.accountIds = {QStringLiteral("acc-1"), QStringLiteral("acc-3")};
        });
        QTest::newRow("operation") << with([](HistoryQuery &q) { q.operations = {OperationKind::Upscale}; });
        QTest::newRow("state") << with([](HistoryQuery &q) {
            q.states = {TaskState::Failed, TaskState::Unknown};
        });
        QTest::newRow("favourites") << with([](HistoryQuery &q) { q.favouritesOnly = true; });
        QTest::newRow("from") << with(
            [](HistoryQuery &q) { q.from = QDateTime::fromMSecsSinceEpoch(20000, Qt::UTC); });
        QTest::newRow("to") << with(
            [](HistoryQuery &q) { q.to = QDateTime::fromMSecsSinceEpoch(20000, Qt::UTC); });
        QTest::newRow("combined") << with([](HistoryQuery &q) {
            q.accountIds = {QStringLiteral("acc-1"), QStringLiteral("acc-2")};
            q.operations = {OperationKind::Imagine, OperationKind::Vary};
            q.states = {TaskState::Succeeded};
            q.from = QDateTime::fromMSecsSinceEpoch(5000, Qt::UTC);
            q.to = QDateTime::fromMSecsSinceEpoch(35000, Qt::UTC);
        });
        QTest::newRow("text") << with([](HistoryQuery &q) { q.text = QStringLiteral("heron"); });
        QTest::newRow("text and filters") << with([](HistoryQuery &q) {
            q.text = QStringLiteral("fox");
            q.accountIds = {QStringLiteral("acc-1"), QStringLiteral("acc-3")};
            q.states = {TaskState::Succeeded};
        });
        QTest::newRow("text and favourites") << with([](HistoryQuery &q) {
            q.text = QStringLiteral("blue");
            q.favouritesOnly = true;
        });
    }

    void filters()
    {
        QFETCH(HistoryQuery, query);
        const auto holds = [&query](const Task &t) {
            return (query.accountIds.isEmpty() || query.accountIds.contains(t.accountId))
                && (query.operations.isEmpty() || query.operations.contains(t.operation.kind))
                && (query.states.isEmpty() || query.states.contains(t.state))
                && (!query.from.isValid() || t.created >= query.from)
                && (!query.to.isValid() || t.created < query.to) && (!query.favouritesOnly || t.favourite);
        };
        // Expected: the text's own ranking (or newest first without text), restricted to the filters.
        QList<Task> base = m_all;
        if (query.hasText()) {
            HistoryQuery textOnly;
            textOnly.text = query.text;
            base = *m_store->queryTasks(textOnly, -1, 0);
        }
        QStringList expected;
        for (const Task &t : base) {
            if (holds(t))
                expected.append(t.id);
        }
        QVERIFY(!expected.isEmpty());
        const auto found = m_store->queryTasks(query, 100, 0);
        QVERIFY2(found.ok(), qPrintable(found.ok() ? QString() : found.error().message));
        QCOMPARE(ids(*found), expected);
        QCOMPARE(*m_store->countTasks(query), int(expected.size()));
        for (const Task &t : *found)
            QCOMPARE(t.favourite, std::find_if(m_all.begin(), m_all.end(), [&](const Task &a) {
                                      return a.id == t.id;
                                  })->favourite);
    }

    void pagingIsStableWhileTasksAreAdded()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.sqlite"));
        auto browser = std::move(*HistoryStore::open(path));
        auto engine = std::move(*HistoryStore::open(path));
        for (int i = 0; i < 25; ++i)
            QVERIFY(engine
                        ->insertTask(makeTask(QStringLiteral("p%1").arg(i, 2, 10, QLatin1Char('0')),
                                              1000 + i * 10, QStringLiteral("lantern %1").arg(i)),
                                     {}, 0)
                        .ok());
        for (const QString &text : {QString(), QStringLiteral("lantern")}) {
            HistoryQuery q;
            q.text = text;
            q.to = QDateTime::fromMSecsSinceEpoch(50'000, Qt::UTC); // the time of the first page
            const QStringList everything = ids(*browser->queryTasks(q, -1, 0));
            QCOMPARE(everything.size(), 25);
            QStringList paged;
            for (int offset = 0; offset < 25; offset += 10) {
                paged += ids(*browser->queryTasks(q, 10, offset));
                // Meanwhile the engine adds newer tasks that would match too.
                QVERIFY(engine
                            ->insertTask(makeTask(QStringLiteral("n%1-%2").arg(text).arg(offset),
                                                  60'000 + offset, QStringLiteral("lantern new")),
                                         {}, 0)
                            .ok());
            }
            QCOMPARE(paged, everything);
        }
    }

    void queryPlansUseIndexes_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QString>("index");
        const QString order = QStringLiteral(" ORDER BY created DESC, id DESC LIMIT 50");
        QTest::newRow("newest") << QStringLiteral("SELECT id FROM tasks") + order
                                << QStringLiteral("tasks_newest");
        QTest::newRow("account") << QStringLiteral("SELECT id FROM tasks WHERE account_id IN (?)") + order
                                 << QStringLiteral("tasks_by_account");
        QTest::newRow("operation") << QStringLiteral("SELECT id FROM tasks WHERE operation IN (?)") + order
                                   << QStringLiteral("tasks_by_operation");
        QTest::newRow("state") << QStringLiteral("SELECT id FROM tasks WHERE state IN (?)") + order
                               << QStringLiteral("tasks_by_state");
        QTest::newRow("favourites") << QStringLiteral("SELECT id FROM tasks WHERE favourite = 1") + order
                                    << QStringLiteral("tasks_favourites");
        QTest::newRow("dates") << QStringLiteral("SELECT id FROM tasks WHERE created >= ? AND created < ?")
                + order << QStringLiteral("tasks_newest");
        QTest::newRow("count favourites") << QStringLiteral("SELECT COUNT(*) FROM tasks WHERE favourite = 1")
                                          << QStringLiteral("tasks_favourites");
        QTest::newRow("text and filter") << QStringLiteral(
            "SELECT COUNT(*) FROM tasks_fts CROSS JOIN tasks ON tasks.id = tasks_fts.task_id "
            "WHERE tasks_fts MATCH ? AND favourite = 1")
                                         << QStringLiteral("sqlite_autoindex_tasks_1");
        QTest::newRow("expiry") << QStringLiteral(
            "UPDATE images SET state = 'expired' WHERE state IN "
            "('pending','failed') AND expires IS NOT NULL AND expires <= ?")
                                << QStringLiteral("images_undownloaded");
        QTest::newRow("undownloaded")
            << QStringLiteral("SELECT id FROM tasks WHERE state = 'succeeded' AND id IN "
                              "(SELECT task_id FROM images WHERE state IN "
                              "('pending','failed'))")
            << QStringLiteral("images_undownloaded");
        QTest::newRow("fts delete") << QStringLiteral(
            "DELETE FROM tasks_fts WHERE rowid = (SELECT fts_rowid FROM "
            "tasks_fts_rowid WHERE task_id = ?)")
                                    << QStringLiteral("PRIMARY KEY");
    }

    void queryPlansUseIndexes()
    {
        QFETCH(QString, sql);
        QFETCH(QString, index);
        QString plan;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("plan"));
            db.setDatabaseName(m_store->path());
            QVERIFY(db.open());
            QSqlQuery q(db);
            // Literal values where the store binds them: EXPLAIN runs the text as it is.
            QString literal = sql;
            literal.replace(QLatin1Char('?'), QStringLiteral("'x'"));
            QVERIFY(q.exec(QStringLiteral("EXPLAIN QUERY PLAN ") + literal));
            while (q.next())
                plan += q.value(3).toString() + QLatin1Char('\n');
        }
        QSqlDatabase::removeDatabase(QStringLiteral("plan"));
        QVERIFY2(plan.contains(index), qPrintable(plan));
        QVERIFY2(!plan.contains(QStringLiteral("SCAN tasks\n"))
                     && !plan.contains(QStringLiteral("SCAN images\n")),
                 qPrintable(plan));
    }
};

QTEST_GUILESS_MAIN(TstHistorySearch)
#include "tst_historysearch.moc"
