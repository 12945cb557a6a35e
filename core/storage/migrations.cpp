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
        {2,
         "favourites, image expiry, full-text search over prompts, indexes for the history browser",
         {
             QStringLiteral("ALTER TABLE tasks ADD COLUMN favourite INTEGER NOT NULL DEFAULT 0"),
             // When the remote URL stops working; NULL = unknown or never.
             QStringLiteral("ALTER TABLE images ADD COLUMN expires INTEGER"),
             // A plain FTS5 table, not external content: tasks has a TEXT primary key, so its implicit
             // rowid may be renumbered by VACUUM and cannot key the index. The FTS rowid is stable (its
             // shadow tables have INTEGER PRIMARY KEYs) and grows in insertion order, which search uses
             // to put the newest of equally ranked tasks first.
             QStringLiteral("CREATE VIRTUAL TABLE tasks_fts USING fts5(task_id UNINDEXED, prompt, "
                            "tokenize = 'unicode61 remove_diacritics 2')"),
             // task id -> FTS rowid, so that the triggers find a task's row without scanning the FTS
             // table (task_id UNINDEXED cannot be searched; a scan costs ~25 ms at 100,000 tasks).
             QStringLiteral("CREATE TABLE tasks_fts_rowid ("
                            " task_id TEXT PRIMARY KEY,"
                            " fts_rowid INTEGER NOT NULL) WITHOUT ROWID"),
             QStringLiteral("INSERT INTO tasks_fts (task_id, prompt) SELECT id, prompt FROM tasks "
                            "ORDER BY created, id"),
             QStringLiteral("INSERT INTO tasks_fts_rowid (task_id, fts_rowid) SELECT task_id, rowid "
                            "FROM tasks_fts"),
             QStringLiteral("CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN"
                            " INSERT INTO tasks_fts (task_id, prompt) VALUES (new.id, new.prompt);"
                            " INSERT INTO tasks_fts_rowid (task_id, fts_rowid)"
                            " VALUES (new.id, last_insert_rowid());"
                            " END"),
             // saveTask writes the prompt on every poll: only a real change touches the index. Task ids
             // never change, so the row keeps its rowid (and its place among equally ranked results).
             QStringLiteral("CREATE TRIGGER tasks_fts_update AFTER UPDATE OF prompt ON tasks"
                            " WHEN old.prompt IS NOT new.prompt BEGIN"
                            " UPDATE tasks_fts SET prompt = new.prompt WHERE rowid ="
                            " (SELECT fts_rowid FROM tasks_fts_rowid WHERE task_id = new.id);"
                            " END"),
             QStringLiteral("CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN"
                            " DELETE FROM tasks_fts WHERE rowid ="
                            " (SELECT fts_rowid FROM tasks_fts_rowid WHERE task_id = old.id);"
                            " DELETE FROM tasks_fts_rowid WHERE task_id = old.id;"
                            " END"),
             // The browser's filters, each newest first (tasks_by_created serves the unfiltered list; v3
             // replaces it).
             QStringLiteral("CREATE INDEX tasks_by_account ON tasks(account_id, created DESC, id DESC)"),
             QStringLiteral("CREATE INDEX tasks_by_operation ON tasks(operation, created DESC, id DESC)"),
             QStringLiteral("CREATE INDEX tasks_by_state ON tasks(state, created DESC, id DESC)"),
             // Partial: queries must say `favourite = 1` literally (not a bound value) to use it.
             QStringLiteral(
                 "CREATE INDEX tasks_favourites ON tasks(created DESC, id DESC) WHERE favourite = 1"),
             // Small: only images still to download, which the retry at start and the expiry scan read.
             QStringLiteral("CREATE INDEX images_undownloaded ON images(state, expires) "
                            "WHERE state IN ('pending','failed')"),
         }},
        {3,
         "newest-first index in the browser's own order",
         {
             // tasks_by_created sorted ties by id ascending while every list sorts them descending, so SQLite
             // added a sort step and a deep page cost 120 ms at 100,000 tasks; in the list's own order a page
             // of ids is read from the index alone (6 ms at offset 90,000).
             QStringLiteral("CREATE INDEX tasks_newest ON tasks(created DESC, id DESC)"),
             QStringLiteral("DROP INDEX tasks_by_created"),
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

Status checkFts5(QSqlDatabase &db)
{
    // A temporary table: the probe never touches the history file.
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("CREATE VIRTUAL TABLE temp.tessera_fts5_probe USING fts5(x)"))) {
        return Error::make(Error::Kind::Unsupported,
                           tr("The SQLite library that Qt uses here was built without full-text search "
                              "(FTS5), which the history needs: %1")
                               .arg(q.lastError().text()));
    }
    q.exec(QStringLiteral("DROP TABLE temp.tessera_fts5_probe"));
    return {};
}

Result<int> migrate(QSqlDatabase &db, int targetVersion)
{
    if (targetVersion < 0)
        targetVersion = latestSchemaVersion();
    // Schema 2 needs FTS5, and so does every write to tasks once its triggers exist.
    if (targetVersion >= 2) {
        if (const Status s = checkFts5(db); !s)
            return s.error();
    }
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
