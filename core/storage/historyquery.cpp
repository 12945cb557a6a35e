// The history browser's side of HistoryStore: full-text search and filters, favourites, delete, and the
// expiry of remote copies (issue 6). The rest of HistoryStore is in historystore.cpp.
#include "historyquery.h"

#include "historysql.h"
#include "historystore.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

namespace tessera {

using historysql::sqlError;
using historysql::tr;

namespace {

bool hasLetterOrDigit(const QString &piece)
{
    for (const char32_t c : piece.toUcs4()) {
        if (QChar::isLetterOrNumber(c))
            return true;
    }
    return false;
}

QString marks(qsizetype n)
{
    return QStringList(n, QStringLiteral("?")).join(QLatin1Char(','));
}

// The ranked matches of the full-text index: task_id, score (bm25: lower is better) and fts_rowid (grows
// in the order tasks entered the history). The caller binds the match expression first.
const QString kMatches = QStringLiteral("SELECT task_id, bm25(tasks_fts) AS score, rowid AS fts_rowid "
                                        "FROM tasks_fts WHERE tasks_fts MATCH ?");
const QString kRankOrder = QStringLiteral(" ORDER BY m.score, m.fts_rowid DESC");
// The same columns, newest first and unranked: the index reads its rows backwards and stops at the page.
const QString kNewestMatches = QStringLiteral("SELECT task_id, 0 AS score, rowid AS fts_rowid "
                                              "FROM tasks_fts WHERE tasks_fts MATCH ?");

// A search of one-character words only ("c", "a b") matches about half of any history: ranking that is
// meaningless and costs ~50 ms at 100,000 tasks, so those results are listed newest first (~4 ms).
bool worthRanking(const QString &text)
{
    for (const QString &piece : text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        int letters = 0;
        for (const char32_t c : piece.toUcs4())
            letters += QChar::isLetterOrNumber(c) ? 1 : 0;
        if (letters >= 2)
            return true;
    }
    return false;
}

} // namespace

bool HistoryQuery::hasText() const
{
    return !ftsMatchExpression(text).isEmpty();
}

bool HistoryQuery::hasFilters() const
{
    return !accountIds.isEmpty() || !operations.isEmpty() || !states.isEmpty() || from.isValid()
        || to.isValid() || favouritesOnly;
}

QString ftsMatchExpression(const QString &text)
{
    // FTS5 reads the expression as a C string: a NUL (or any control character) would cut a quoted
    // string short and make a syntax error, so they separate pieces like white space.
    QString cleaned = text;
    for (QChar &c : cleaned) {
        if (c.category() == QChar::Other_Control)
            c = QLatin1Char(' ');
    }
    QStringList terms;
    for (const QString &piece : cleaned.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (!hasLetterOrDigit(piece))
            continue;
        QString quoted = piece;
        quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        terms.append(QLatin1Char('"') + quoted + QStringLiteral("\"*"));
    }
    return terms.join(QLatin1Char(' '));
}

SqlCondition historyFilterCondition(const HistoryQuery &query)
{
    QStringList parts;
    SqlCondition c;
    if (!query.accountIds.isEmpty()) {
        parts.append(QStringLiteral("account_id IN (") + marks(query.accountIds.size()) + QLatin1Char(')'));
        for (const QString &id : query.accountIds)
            c.bindings.append(id);
    }
    if (!query.operations.isEmpty()) {
        parts.append(QStringLiteral("operation IN (") + marks(query.operations.size()) + QLatin1Char(')'));
        for (const OperationKind kind : query.operations)
            c.bindings.append(operationKindName(kind));
    }
    if (!query.states.isEmpty()) {
        parts.append(QStringLiteral("state IN (") + marks(query.states.size()) + QLatin1Char(')'));
        for (const TaskState state : query.states)
            c.bindings.append(taskStateName(state));
    }
    if (query.from.isValid()) {
        parts.append(QStringLiteral("created >= ?"));
        c.bindings.append(query.from.toMSecsSinceEpoch());
    }
    if (query.to.isValid()) {
        parts.append(QStringLiteral("created < ?"));
        c.bindings.append(query.to.toMSecsSinceEpoch());
    }
    if (query.favouritesOnly)
        parts.append(QStringLiteral("favourite = 1"));
    c.sql = parts.join(QStringLiteral(" AND "));
    return c;
}

Result<QList<Task>> HistoryStore::queryTasks(const HistoryQuery &query, int limit, int offset)
{
    const QString match = ftsMatchExpression(query.text);
    const SqlCondition filter = historyFilterCondition(query);
    const QString columns = taskColumns();
    QVariantList bindings;
    QString sql;
    if (match.isEmpty()) {
        // A page of ids first, read from an index alone however deep the offset, then only those rows.
        sql = QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM (SELECT id AS page_id FROM tasks")
            + (filter.sql.isEmpty() ? QString() : QStringLiteral(" WHERE ") + filter.sql)
            + QStringLiteral(" ORDER BY created DESC, id DESC LIMIT ? OFFSET ?) AS p"
                             " CROSS JOIN tasks ON tasks.id = p.page_id ORDER BY created DESC, id DESC");
        bindings = filter.bindings;
    } else if (filter.sql.isEmpty()) {
        // Text alone: rank and page inside the index, then read just one page of tasks. Ordering by the
        // FTS rowid rather than tasks.created keeps the 40,000 matches of a common word out of the tasks
        // table, which halves the time of the first page at 100,000 tasks.
        const bool ranked = worthRanking(query.text);
        sql = QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM (")
            + (ranked ? kMatches : kNewestMatches)
            + (ranked ? QStringLiteral(" ORDER BY score, fts_rowid DESC")
                      : QStringLiteral(" ORDER BY rowid DESC"))
            + QStringLiteral(" LIMIT ? OFFSET ?) AS m CROSS JOIN tasks ON tasks.id = m.task_id") + kRankOrder;
        bindings = {match, limit, offset};
        return runTaskSelect(sql, bindings);
    } else {
        // CROSS JOIN keeps the index as the outer loop: with tasks outside, SQLite could run the whole
        // MATCH once per task of a filter's index.
        sql = QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM (") + kMatches
            + QStringLiteral(") AS m CROSS JOIN tasks ON tasks.id = m.task_id WHERE ") + filter.sql
            + kRankOrder + QStringLiteral(" LIMIT ? OFFSET ?");
        bindings = QVariantList {match} + filter.bindings;
    }
    bindings.append(limit);
    bindings.append(offset);
    return runTaskSelect(sql, bindings);
}

Result<int> HistoryStore::countTasks(const HistoryQuery &query)
{
    const QString match = ftsMatchExpression(query.text);
    const SqlCondition filter = historyFilterCondition(query);
    QString sql;
    QVariantList bindings;
    if (match.isEmpty()) {
        sql = QStringLiteral("SELECT COUNT(*) FROM tasks")
            + (filter.sql.isEmpty() ? QString() : QStringLiteral(" WHERE ") + filter.sql);
        bindings = filter.bindings;
    } else if (filter.sql.isEmpty()) {
        sql = QStringLiteral("SELECT COUNT(*) FROM tasks_fts WHERE tasks_fts MATCH ?");
        bindings = {match};
    } else {
        sql = QStringLiteral(
                  "SELECT COUNT(*) FROM tasks_fts CROSS JOIN tasks ON tasks.id = tasks_fts.task_id "
                  "WHERE tasks_fts MATCH ? AND ")
            + filter.sql;
        bindings = QVariantList {match} + filter.bindings;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return sqlError(tr("Cannot read the history"), q.lastError());
    for (const QVariant &v : std::as_const(bindings))
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return sqlError(tr("Cannot read the history"), q.lastError());
    return q.value(0).toInt();
}

Status HistoryStore::setFavourite(const QString &taskId, bool favourite)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("UPDATE tasks SET favourite = ? WHERE id = ?"));
    q.addBindValue(favourite ? 1 : 0);
    q.addBindValue(taskId);
    if (!q.exec())
        return sqlError(tr("Cannot save the task"), q.lastError());
    if (q.numRowsAffected() != 1)
        return Error::make(Error::Kind::NotFound, tr("The task %1 is no longer in the history").arg(taskId));
    return {};
}

Result<QStringList> HistoryStore::deleteTask(const QString &taskId)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    // BEGIN IMMEDIATE: the state checked below cannot change (another process taking the task) before
    // the delete.
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return sqlError(tr("Cannot delete the task"), q.lastError());
    const auto fail = [&db](const Error &e) -> Result<QStringList> {
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return e;
    };
    q.prepare(QStringLiteral("SELECT state FROM tasks WHERE id = ?"));
    q.addBindValue(taskId);
    if (!q.exec())
        return fail(sqlError(tr("Cannot delete the task"), q.lastError()));
    if (!q.next())
        return fail(
            Error::make(Error::Kind::NotFound, tr("The task %1 is no longer in the history").arg(taskId)));
    if (isActive(taskStateFromName(q.value(0).toString())))
        return fail(Error::make(Error::Kind::InvalidRequest,
                                tr("The task is still under way; cancel it before deleting it")));
    q.prepare(
        QStringLiteral("SELECT DISTINCT path FROM images WHERE task_id = ? AND path != '' ORDER BY path"));
    q.addBindValue(taskId);
    if (!q.exec())
        return fail(sqlError(tr("Cannot delete the task"), q.lastError()));
    QStringList paths;
    while (q.next())
        paths.append(q.value(0).toString());
    // Images explicitly, not only through ON DELETE CASCADE: foreign keys are a per-connection setting.
    for (const QString &statement : {QStringLiteral("DELETE FROM images WHERE task_id = ?"),
                                     QStringLiteral("DELETE FROM tasks WHERE id = ?")}) {
        q.prepare(statement);
        q.addBindValue(taskId);
        if (!q.exec())
            return fail(sqlError(tr("Cannot delete the task"), q.lastError()));
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        return fail(sqlError(tr("Cannot delete the task"), q.lastError()));
    return paths;
}

Result<int> HistoryStore::markExpiredImages(qint64 nowMs)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    // Written like the partial index images_undownloaded so that SQLite uses it.
    q.prepare(QStringLiteral("UPDATE images SET state = 'expired' WHERE state IN ('pending','failed') "
                             "AND expires IS NOT NULL AND expires <= ?"));
    q.addBindValue(nowMs);
    if (!q.exec())
        return sqlError(tr("Cannot update the images"), q.lastError());
    return q.numRowsAffected();
}

Result<QList<Task>> HistoryStore::tasksWithUndownloadedImages()
{
    return selectTasks(QStringLiteral(" WHERE state = 'succeeded' AND id IN (SELECT task_id FROM images "
                                      "WHERE state IN ('pending','failed'))"),
                       {}, QStringLiteral(" ORDER BY created, id"));
}

} // namespace tessera
