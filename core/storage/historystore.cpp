#include "historystore.h"

#include "historysql.h"
#include "logging.h"
#include "migrations.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUuid>

#include <algorithm>

namespace tessera {

using namespace historysql;

namespace {

constexpr int kBusyTimeoutMs = 5000;

} // namespace

HistoryStore::~HistoryStore()
{
    if (m_connection.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

Result<std::unique_ptr<HistoryStore>> HistoryStore::open(const QString &path)
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return Error::make(
            Error::Kind::Io,
            tr("Qt's SQLite driver is not installed (on Debian: the package libqt6sql6-sqlite)"));
    const QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath()))
        return Error::make(Error::Kind::Io, tr("Cannot create the folder %1").arg(info.absolutePath()));

    std::unique_ptr<HistoryStore> store(new HistoryStore);
    store->m_path = info.absoluteFilePath();
    store->m_connection
        = QStringLiteral("tessera-history-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), store->m_connection);
    db.setDatabaseName(store->m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs));
    if (!db.open())
        return sqlError(tr("Cannot open the history %1").arg(store->m_path), db.lastError());

    QSqlQuery q(db);
    // WAL lets the GUI read while the CLI writes; synchronous=FULL because this is the user's archive.
    for (const char *pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
        if (!q.exec(QString::fromLatin1(pragma)))
            return sqlError(tr("Cannot prepare the history"), q.lastError());
    }
    const Result<int> version = migrate(db);
    if (!version)
        return version.error();
    store->m_schemaVersion = *version;
    if (const Status s = store->ensureDemoAccount(); !s)
        return s.error();
    return store;
}

Status HistoryStore::insertTask(const Task &task, const QString &owner, qint64 leaseUntilMs)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("INSERT INTO tasks (") + kTaskColumns
              + QStringLiteral(", owner, lease_until) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    QJsonObject params = task.operation.toJson();
    params.remove(QStringLiteral("kind"));
    q.addBindValue(task.id);
    q.addBindValue(task.accountId);
    q.addBindValue(operationKindName(task.operation.kind));
    q.addBindValue(compact(params));
    q.addBindValue(text(task.prompt));
    q.addBindValue(taskStateName(task.state));
    q.addBindValue(task.progress ? QVariant(*task.progress) : QVariant(QMetaType(QMetaType::Int)));
    q.addBindValue(textOrNull(task.remoteId));
    q.addBindValue(textOrNull(task.parentId));
    q.addBindValue(task.tile);
    q.addBindValue(msOrNull(task.created));
    q.addBindValue(msOrNull(task.updated.isValid() ? task.updated : task.created));
    q.addBindValue(msOrNull(task.finished));
    q.addBindValue(task.error ? QVariant(compact(task.error->toJson()))
                              : QVariant(QMetaType(QMetaType::QString)));
    q.addBindValue(compact(task.remote));
    q.addBindValue(task.pollCount);
    q.addBindValue(task.favourite ? 1 : 0);
    q.addBindValue(textOrNull(owner));
    q.addBindValue(leaseUntilMs);
    if (!q.exec())
        return sqlError(tr("Cannot save the task"), q.lastError());
    return writeImages(task);
}

Status HistoryStore::saveTask(const Task &task)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(
        QStringLiteral("UPDATE tasks SET prompt=?, state=?, progress=?, remote_id=?, updated=?, finished=?, "
                       "error=?, remote=?, poll_count=? WHERE id=?"));
    q.addBindValue(text(task.prompt));
    q.addBindValue(taskStateName(task.state));
    q.addBindValue(task.progress ? QVariant(*task.progress) : QVariant(QMetaType(QMetaType::Int)));
    q.addBindValue(textOrNull(task.remoteId));
    q.addBindValue(msOrNull(task.updated));
    q.addBindValue(msOrNull(task.finished));
    q.addBindValue(task.error ? QVariant(compact(task.error->toJson()))
                              : QVariant(QMetaType(QMetaType::QString)));
    q.addBindValue(compact(task.remote));
    q.addBindValue(task.pollCount);
    q.addBindValue(task.id);
    if (!q.exec())
        return sqlError(tr("Cannot save the task"), q.lastError());
    if (q.numRowsAffected() != 1)
        return Error::make(Error::Kind::Io, tr("The task %1 is no longer in the history").arg(task.id));
    return {};
}

Status HistoryStore::saveTaskAndImages(const Task &task)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    if (!db.transaction())
        return sqlError(tr("Cannot save the task"), db.lastError());
    Status s = saveTask(task);
    if (s)
        s = writeImages(task);
    if (!s) {
        db.rollback();
        return s;
    }
    if (!db.commit())
        return sqlError(tr("Cannot save the task"), db.lastError());
    return {};
}

Status HistoryStore::inTransaction(const std::function<Status()> &work)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    if (!db.transaction())
        return sqlError(tr("Cannot write the history"), db.lastError());
    const Status s = work();
    if (!s) {
        db.rollback();
        return s;
    }
    if (!db.commit())
        return sqlError(tr("Cannot write the history"), db.lastError());
    return {};
}

Result<QList<ImageRef>> HistoryStore::mergeTaskAndImages(const Task &task)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    // IMMEDIATE: no other process changes the rows between the read and the write.
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return sqlError(tr("Cannot save the task"), q.lastError());
    const auto fail = [&db](const Error &e) -> Result<QList<ImageRef>> {
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return e;
    };
    QList<Task> stored {task};
    stored.first().images.clear();
    if (const Status s = loadImages(stored); !s)
        return fail(s.error());
    Task merged = task;
    for (ImageRef &img : merged.images) {
        for (const ImageRef &old : std::as_const(stored.first().images)) {
            if (old.role != img.role || old.index != img.index || img.isLocal())
                continue;
            const bool retryable = img.state == ImageState::Pending || img.state == ImageState::Failed;
            if (old.isLocal()
                || (old.state == ImageState::Expired && retryable && old.remoteUrl == img.remoteUrl))
                img = old;
        }
    }
    Status s = saveTask(merged);
    if (s)
        s = writeImages(merged);
    if (!s)
        return fail(s.error());
    if (!q.exec(QStringLiteral("COMMIT")))
        return fail(sqlError(tr("Cannot save the task"), q.lastError()));
    return merged.images;
}

Status HistoryStore::writeImages(const Task &task)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("DELETE FROM images WHERE task_id = ?"));
    q.addBindValue(task.id);
    if (!q.exec())
        return sqlError(tr("Cannot save the images"), q.lastError());
    q.prepare(QStringLiteral(
        "INSERT INTO images (task_id, role, idx, path, width, height, bytes, hash, remote_url, "
        "state, error, expires) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
    for (const ImageRef &img : task.images) {
        q.addBindValue(task.id);
        q.addBindValue(imageRoleName(img.role));
        q.addBindValue(img.index);
        q.addBindValue(text(img.path));
        q.addBindValue(img.size.width());
        q.addBindValue(img.size.height());
        q.addBindValue(img.bytes);
        q.addBindValue(text(img.hash));
        q.addBindValue(text(img.remoteUrl));
        q.addBindValue(imageStateName(img.state));
        q.addBindValue(text(img.error));
        q.addBindValue(msOrNull(img.expires));
        if (!q.exec())
            return sqlError(tr("Cannot save the images"), q.lastError());
    }
    return {};
}

QString HistoryStore::taskColumns()
{
    return kTaskColumns;
}

Result<QList<Task>> HistoryStore::selectTasks(const QString &where, const QVariantList &bindings,
                                              const QString &tail)
{
    return runTaskSelect(
        QStringLiteral("SELECT ") + kTaskColumns + QStringLiteral(" FROM tasks") + where + tail, bindings);
}

Result<QList<Task>> HistoryStore::runTaskSelect(const QString &sql, const QVariantList &bindings)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return sqlError(tr("Cannot read the history"), q.lastError());
    for (const QVariant &v : bindings)
        q.addBindValue(v);
    if (!q.exec())
        return sqlError(tr("Cannot read the history"), q.lastError());
    QList<Task> tasks;
    while (q.next())
        tasks.append(taskFromQuery(q));
    if (const Status s = loadImages(tasks); !s)
        return s.error();
    return tasks;
}

Status HistoryStore::loadImages(QList<Task> &tasks)
{
    // One query per chunk of tasks, never one per task; chunks stay far below SQLite's limit on bound
    // values (32766) whatever the caller asked for.
    constexpr qsizetype kChunk = 500;
    QHash<QString, qsizetype> byId;
    for (qsizetype i = 0; i < tasks.size(); ++i)
        byId.insert(tasks[i].id, i);
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.setForwardOnly(true);
    for (qsizetype first = 0; first < tasks.size(); first += kChunk) {
        const qsizetype count = std::min(kChunk, tasks.size() - first);
        QStringList marks(count, QStringLiteral("?"));
        q.prepare(QStringLiteral("SELECT task_id, role, idx, path, width, height, bytes, hash, remote_url, "
                                 "state, error, expires FROM images WHERE task_id IN (")
                  + marks.join(QLatin1Char(',')) + QStringLiteral(") ORDER BY task_id, role, idx"));
        for (qsizetype i = first; i < first + count; ++i)
            q.addBindValue(tasks[i].id);
        if (!q.exec())
            return sqlError(tr("Cannot read the images"), q.lastError());
        while (q.next()) {
            ImageRef img;
            img.role = imageRoleFromName(q.value(1).toString()).value_or(ImageRole::Tile);
            img.index = q.value(2).toInt();
            img.path = q.value(3).toString();
            img.size = QSize(q.value(4).toInt(), q.value(5).toInt());
            img.bytes = q.value(6).toLongLong();
            img.hash = q.value(7).toString();
            img.remoteUrl = q.value(8).toString();
            img.state = imageStateFromName(q.value(9).toString()).value_or(ImageState::Failed);
            img.error = q.value(10).toString();
            img.expires = fromMs(q.value(11));
            tasks[byId.value(q.value(0).toString())].images.append(img);
        }
    }
    return {};
}

Result<std::optional<Task>> HistoryStore::task(const QString &id)
{
    const auto found = selectTasks(QStringLiteral(" WHERE id = ?"), {id}, {});
    if (!found)
        return found.error();
    if (found->isEmpty())
        return std::optional<Task>();
    return std::optional<Task>(found->first());
}

Result<std::optional<Task>> HistoryStore::findTask(const QString &idOrRemoteId)
{
    const QString key = idOrRemoteId.trimmed();
    if (key.isEmpty())
        return std::optional<Task>();
    auto exact = task(key);
    if (!exact || exact->has_value())
        return exact;
    auto byRemote = selectTasks(QStringLiteral(" WHERE remote_id = ?"), {key}, QStringLiteral(" LIMIT 2"));
    if (!byRemote)
        return byRemote.error();
    if (byRemote->size() == 1)
        return std::optional<Task>(byRemote->first());
    if (key.size() >= 6) {
        // Like git: a unique prefix of Tessera's id is enough.
        auto byPrefix = selectTasks(QStringLiteral(" WHERE id >= ? AND id < ?"),
                                    {key, QVariant(key + QChar(0xFFFF))}, QStringLiteral(" LIMIT 2"));
        if (!byPrefix)
            return byPrefix.error();
        if (byPrefix->size() == 1)
            return std::optional<Task>(byPrefix->first());
        if (byPrefix->size() > 1)
            return Error::make(Error::Kind::InvalidRequest, tr("\"%1\" names more than one task").arg(key));
    }
    return std::optional<Task>();
}

Result<QList<Task>> HistoryStore::recentTasks(int limit, int offset, const QString &search)
{
    QString where;
    QVariantList bindings;
    if (!search.trimmed().isEmpty()) {
        QString pattern = search.trimmed();
        pattern.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
            .replace(QLatin1Char('%'), QStringLiteral("\\%"))
            .replace(QLatin1Char('_'), QStringLiteral("\\_"));
        where = QStringLiteral(" WHERE prompt LIKE ? ESCAPE '\\'");
        bindings.append(QString(QLatin1Char('%') + pattern + QLatin1Char('%')));
    }
    bindings.append(limit);
    bindings.append(offset);
    return selectTasks(where, bindings, QStringLiteral(" ORDER BY created DESC, id DESC LIMIT ? OFFSET ?"));
}

Result<QList<Task>> HistoryStore::children(const QString &parentId)
{
    return selectTasks(QStringLiteral(" WHERE parent_id = ?"), {parentId},
                       QStringLiteral(" ORDER BY created"));
}

Result<QList<Task>> HistoryStore::tasksInState(TaskState state, qint64 sinceMs)
{
    return selectTasks(QStringLiteral(" WHERE state = ? AND updated >= ?"), {taskStateName(state), sinceMs},
                       QStringLiteral(" ORDER BY updated"));
}

Result<int> HistoryStore::taskCount()
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM tasks")) || !q.next())
        return sqlError(tr("Cannot read the history"), q.lastError());
    return q.value(0).toInt();
}

} // namespace tessera
