#include "historystore.h"

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

namespace {

constexpr int kBusyTimeoutMs = 5000;
const QString kActiveStates = QStringLiteral("('queued','submitting','submitted','running')");
const QString kTaskColumns = QStringLiteral("id, account_id, operation, params, prompt, state, progress, "
                                            "remote_id, parent_id, tile, created, updated, "
                                            "finished, error, remote, poll_count, favourite");

QString tr(const char *text)
{
    return QCoreApplication::translate("HistoryStore", text);
}

Error sqlError(const QString &what, const QSqlError &error)
{
    return Error::make(Error::Kind::Io, what + QStringLiteral(": ") + error.text());
}

QVariant msOrNull(const QDateTime &t)
{
    return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant(QMetaType(QMetaType::LongLong));
}

QDateTime fromMs(const QVariant &v)
{
    if (v.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
}

QString compact(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject parseObject(const QVariant &v)
{
    return QJsonDocument::fromJson(v.toString().toUtf8()).object();
}

// Qt binds a null QString as SQL NULL; NOT NULL text columns get an empty string instead.
QString text(const QString &s)
{
    return s.isNull() ? QStringLiteral("") : s;
}

QVariant textOrNull(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(s);
}

Account accountFromQuery(const QSqlQuery &q)
{
    Account a;
    a.id = q.value(0).toString();
    a.family = q.value(1).toString();
    a.name = q.value(2).toString();
    a.baseUrl = q.value(3).toString();
    a.options = parseObject(q.value(4));
    a.created = fromMs(q.value(5));
    a.lastUsed = fromMs(q.value(6));
    if (a.isDemo())
        a.name = Account::demo().name; // translated at run time
    return a;
}

// Columns in the order of kTaskColumns.
Task taskFromQuery(const QSqlQuery &q)
{
    Task t;
    t.id = q.value(0).toString();
    t.accountId = q.value(1).toString();
    QJsonObject params = parseObject(q.value(3));
    params.insert(QStringLiteral("kind"), q.value(2).toString());
    const Result<Operation> op = Operation::fromJson(params);
    if (op)
        t.operation = *op;
    t.prompt = q.value(4).toString();
    t.state = taskStateFromName(q.value(5).toString());
    if (!q.value(6).isNull())
        t.progress = q.value(6).toInt();
    t.remoteId = q.value(7).toString();
    t.parentId = q.value(8).toString();
    t.tile = q.value(9).toInt();
    t.created = fromMs(q.value(10));
    t.updated = fromMs(q.value(11));
    t.finished = fromMs(q.value(12));
    if (!q.value(13).isNull())
        t.error = Error::fromJson(parseObject(q.value(13)));
    t.remote = parseObject(q.value(14));
    t.pollCount = q.value(15).toInt();
    t.favourite = q.value(16).toBool();
    return t;
}

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

Status HistoryStore::ensureDemoAccount()
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral(
        "INSERT OR IGNORE INTO accounts (id, family, name, created) VALUES (?, 'demo', ?, ?)"));
    q.addBindValue(QString::fromLatin1(Account::kDemoId));
    q.addBindValue(QStringLiteral("Demo (offline)"));
    q.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!q.exec())
        return sqlError(tr("Cannot create the demo account"), q.lastError());
    return {};
}

Result<QList<Account>> HistoryStore::accounts()
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(QStringLiteral("SELECT id, family, name, base_url, options, created, last_used FROM accounts "
                               "ORDER BY family = 'demo', created, name")))
        return sqlError(tr("Cannot read accounts"), q.lastError());
    QList<Account> list;
    while (q.next())
        list.append(accountFromQuery(q));
    return list;
}

Result<std::optional<Account>> HistoryStore::account(const QString &id)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral(
        "SELECT id, family, name, base_url, options, created, last_used FROM accounts WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(tr("Cannot read the account"), q.lastError());
    if (!q.next())
        return std::optional<Account>();
    return std::optional<Account>(accountFromQuery(q));
}

Result<std::optional<Account>> HistoryStore::accountByName(const QString &name)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("SELECT id, family, name, base_url, options, created, last_used FROM accounts "
                             "WHERE name = ? OR id = ? ORDER BY name = ? DESC LIMIT 1"));
    q.addBindValue(name);
    q.addBindValue(name);
    q.addBindValue(name);
    if (!q.exec())
        return sqlError(tr("Cannot read the account"), q.lastError());
    if (q.next())
        return std::optional<Account>(accountFromQuery(q));
    // "demo" and "Demo (offline)" both name the built-in account.
    if (name.compare(QStringLiteral("demo"), Qt::CaseInsensitive) == 0 || name == Account::demo().name)
        return account(QString::fromLatin1(Account::kDemoId));
    return std::optional<Account>();
}

Status HistoryStore::saveAccount(const Account &account)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("INSERT INTO accounts (id, family, name, base_url, options, created, last_used) "
                             "VALUES (?,?,?,?,?,?,?) "
                             "ON CONFLICT(id) DO UPDATE SET family=excluded.family, name=excluded.name, "
                             "base_url=excluded.base_url, "
                             "options=excluded.options, last_used=excluded.last_used"));
    q.addBindValue(account.id);
    q.addBindValue(account.family);
    q.addBindValue(text(account.name));
    q.addBindValue(text(account.baseUrl));
    q.addBindValue(compact(account.options));
    q.addBindValue(account.created.isValid() ? account.created.toMSecsSinceEpoch()
                                             : QDateTime::currentMSecsSinceEpoch());
    q.addBindValue(msOrNull(account.lastUsed));
    if (!q.exec())
        return sqlError(tr("Cannot save the account"), q.lastError());
    return {};
}

Status HistoryStore::removeAccount(const QString &id)
{
    if (id == QLatin1String(Account::kDemoId))
        return Error::make(Error::Kind::InvalidRequest, tr("The demo account cannot be removed"));
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("DELETE FROM accounts WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(tr("Cannot remove the account"), q.lastError());
    return {};
}

Result<Account> HistoryStore::defaultAccount()
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (!q.exec(QStringLiteral("SELECT value FROM settings WHERE key = 'default_account'")))
        return sqlError(tr("Cannot read settings"), q.lastError());
    if (q.next()) {
        const auto chosen = account(q.value(0).toString());
        if (!chosen)
            return chosen.error();
        if (chosen->has_value())
            return **chosen;
    }
    const auto all = accounts();
    if (!all)
        return all.error();
    for (const Account &a : *all) {
        if (!a.isDemo())
            return a;
    }
    return Account::demo();
}

Status HistoryStore::setDefaultAccount(const QString &id)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("INSERT INTO settings (key, value) VALUES ('default_account', ?) "
                             "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(id);
    if (!q.exec())
        return sqlError(tr("Cannot save settings"), q.lastError());
    return {};
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
