// HistoryStore: which process follows a running task (owner, lease_until). Liveness of an owner is
// Leases' business (core/tasks/leases.h); this file only records and claims atomically in SQLite.
#include "historysql.h"
#include "historystore.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace tessera {

using namespace historysql;

Result<QList<Task>> HistoryStore::claimOrphans(const QString &owner, qint64 nowMs, qint64 leaseUntilMs,
                                               const QString &onlyTaskId)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    // BEGIN IMMEDIATE takes the write lock first, so two processes cannot claim the same task.
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return sqlError(tr("Cannot read the history"), q.lastError());
    QString condition = QStringLiteral(" WHERE state IN ") + kActiveStates
        + QStringLiteral(" AND (owner IS NULL OR owner = ? OR lease_until < ?)");
    QVariantList bindings {owner, nowMs};
    if (!onlyTaskId.isEmpty()) {
        condition += QStringLiteral(" AND id = ?");
        bindings.append(onlyTaskId);
    }
    auto claimed = selectTasks(condition, bindings, QStringLiteral(" ORDER BY created"));
    if (!claimed) {
        q.exec(QStringLiteral("ROLLBACK"));
        return claimed.error();
    }
    q.prepare(QStringLiteral("UPDATE tasks SET owner = ?, lease_until = ? WHERE id = ?"));
    for (const Task &t : *claimed) {
        q.addBindValue(owner);
        q.addBindValue(leaseUntilMs);
        q.addBindValue(t.id);
        if (!q.exec()) {
            const Error e = sqlError(tr("Cannot update the history"), q.lastError());
            QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
            return e;
        }
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        return sqlError(tr("Cannot update the history"), q.lastError());
    return claimed;
}

Status HistoryStore::renewLeases(const QString &owner, qint64 leaseUntilMs)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("UPDATE tasks SET lease_until = ? WHERE owner = ? AND state IN ")
              + kActiveStates);
    q.addBindValue(leaseUntilMs);
    q.addBindValue(owner);
    if (!q.exec())
        return sqlError(tr("Cannot update the history"), q.lastError());
    return {};
}

Status HistoryStore::releaseLease(const QString &taskId, const QString &owner)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("UPDATE tasks SET owner = NULL, lease_until = 0 WHERE id = ? AND owner = ?"));
    q.addBindValue(taskId);
    q.addBindValue(owner);
    if (!q.exec())
        return sqlError(tr("Cannot update the history"), q.lastError());
    return {};
}

Status HistoryStore::releaseAllLeases(const QString &owner)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("UPDATE tasks SET owner = NULL, lease_until = 0 WHERE owner = ?"));
    q.addBindValue(owner);
    if (!q.exec())
        return sqlError(tr("Cannot update the history"), q.lastError());
    return {};
}

Result<QString> HistoryStore::leaseHolder(const QString &taskId, qint64 nowMs)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("SELECT owner, lease_until FROM tasks WHERE id = ?"));
    q.addBindValue(taskId);
    if (!q.exec())
        return sqlError(tr("Cannot read the history"), q.lastError());
    if (!q.next() || q.value(0).isNull() || q.value(1).toLongLong() < nowMs)
        return QString();
    return q.value(0).toString();
}

Result<bool> HistoryStore::claimTask(const QString &taskId, const QString &owner, qint64 nowMs,
                                     qint64 leaseUntilMs)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    // One statement: SQLite runs it atomically, so two processes cannot both take the task.
    q.prepare(QStringLiteral("UPDATE tasks SET owner = ?, lease_until = ? WHERE id = ? "
                             "AND (owner IS NULL OR owner = ? OR lease_until < ?)"));
    q.addBindValue(owner);
    q.addBindValue(leaseUntilMs);
    q.addBindValue(taskId);
    q.addBindValue(owner);
    q.addBindValue(nowMs);
    if (!q.exec())
        return sqlError(tr("Cannot update the history"), q.lastError());
    return q.numRowsAffected() == 1;
}

Result<QStringList> HistoryStore::leaseOwners(qint64 nowMs)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT DISTINCT owner FROM tasks WHERE state IN ") + kActiveStates
              + QStringLiteral(" AND lease_until >= ? AND owner IS NOT NULL"));
    q.addBindValue(nowMs);
    if (!q.exec())
        return sqlError(tr("Cannot read the history"), q.lastError());
    QStringList owners;
    while (q.next())
        owners.append(q.value(0).toString());
    return owners;
}

} // namespace tessera
