#include "migrations.h"

#include "logging.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

namespace tessera {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Migrations", text);
}

Error sqlError(const QString &what, const QSqlError &error)
{
    return Error::make(Error::Kind::Io, what + QStringLiteral(": ") + error.text());
}

} // namespace

const std::vector<Migration> &migrations()
{
    // Timestamps are milliseconds since the epoch, UTC. JSON columns hold compact JSON objects.
    static const std::vector<Migration> all {
        {1,
         "accounts, tasks and images",
         {
             QStringLiteral("CREATE TABLE accounts ("
                            " id TEXT PRIMARY KEY,"
                            " family TEXT NOT NULL,"
                            " name TEXT NOT NULL,"
                            " base_url TEXT NOT NULL DEFAULT '',"
                            " options TEXT NOT NULL DEFAULT '{}',"
                            " created INTEGER NOT NULL,"
                            " last_used INTEGER)"),
             QStringLiteral("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE tasks ("
                            " id TEXT PRIMARY KEY,"
                            " account_id TEXT NOT NULL,"
                            " operation TEXT NOT NULL,"
                            " params TEXT NOT NULL,"
                            " prompt TEXT NOT NULL DEFAULT '',"
                            " state TEXT NOT NULL,"
                            " progress INTEGER,"
                            " remote_id TEXT,"
                            " parent_id TEXT,"
                            " tile INTEGER NOT NULL DEFAULT 0,"
                            " created INTEGER NOT NULL,"
                            " updated INTEGER NOT NULL,"
                            " finished INTEGER,"
                            " error TEXT,"
                            " remote TEXT NOT NULL DEFAULT '{}',"
                            " poll_count INTEGER NOT NULL DEFAULT 0,"
                            " owner TEXT,"
                            " lease_until INTEGER NOT NULL DEFAULT 0)"),
             QStringLiteral("CREATE INDEX tasks_by_created ON tasks(created DESC, id)"),
             QStringLiteral("CREATE INDEX tasks_by_parent ON tasks(parent_id)"),
             QStringLiteral("CREATE INDEX tasks_by_remote ON tasks(remote_id)"),
             // Small: only tasks that are still under way, which is what resume() scans.
             QStringLiteral("CREATE INDEX tasks_active ON tasks(state, lease_until) WHERE state IN "
                            "('queued','submitting','submitted','running')"),
             QStringLiteral("CREATE TABLE images ("
                            " task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
                            " role TEXT NOT NULL,"
                            " idx INTEGER NOT NULL DEFAULT 0,"
                            " path TEXT NOT NULL DEFAULT '',"
                            " width INTEGER NOT NULL DEFAULT 0,"
                            " height INTEGER NOT NULL DEFAULT 0,"
                            " bytes INTEGER NOT NULL DEFAULT 0,"
                            " hash TEXT NOT NULL DEFAULT '',"
                            " remote_url TEXT NOT NULL DEFAULT '',"
                            " state TEXT NOT NULL,"
                            " error TEXT NOT NULL DEFAULT '',"
                            " PRIMARY KEY (task_id, role, idx))"),
         }},
    };
    return all;
}

int latestSchemaVersion()
{
    return migrations().back().version;
}

Result<int> schemaVersion(QSqlDatabase &db)
{
    QSqlQuery q(db);
    if (!q.exec(
            QStringLiteral("SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'")))
        return sqlError(tr("Cannot read the database"), q.lastError());
    if (!q.next())
        return 0;
    if (!q.exec(QStringLiteral("SELECT version FROM schema_version")))
        return sqlError(tr("Cannot read the schema version"), q.lastError());
    return q.next() ? q.value(0).toInt() : 0;
}

Result<int> migrate(QSqlDatabase &db, int targetVersion)
{
    if (targetVersion < 0)
        targetVersion = latestSchemaVersion();
    const Result<int> current = schemaVersion(db);
    if (!current)
        return current.error();
    int version = *current;
    if (version > latestSchemaVersion()) {
        return Error::make(
            Error::Kind::Io,
            tr("This history was written by a newer Tessera (schema %1; this version knows up to %2). "
               "Update Tessera to open it; nothing was changed.")
                .arg(version)
                .arg(latestSchemaVersion()));
    }
    for (const Migration &m : migrations()) {
        if (m.version <= version || m.version > targetVersion)
            continue;
        if (!db.transaction())
            return sqlError(tr("Cannot start a migration"), db.lastError());
        QSqlQuery q(db);
        for (const QString &statement : m.statements) {
            if (!q.exec(statement)) {
                const Error e = sqlError(tr("Migration to schema %1 failed").arg(m.version), q.lastError());
                db.rollback();
                return e;
            }
        }
        const bool ok = version == 0
            ? q.exec(QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)"))
                && q.exec(QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(m.version))
            : q.exec(QStringLiteral("UPDATE schema_version SET version = %1").arg(m.version));
        if (!ok) {
            const Error e = sqlError(tr("Cannot record schema %1").arg(m.version), q.lastError());
            db.rollback();
            return e;
        }
        if (!db.commit())
            return sqlError(tr("Cannot commit migration %1").arg(m.version), db.lastError());
        qCInfo(lcStorage) << "migrated history to schema" << m.version << m.description;
        version = m.version;
    }
    return version;
}

} // namespace tessera
