#pragma once

#include "model/result.h"

#include <QSqlDatabase>
#include <QStringList>

#include <vector>

namespace tessera {

// The schema's history: migration N takes the database from version N-1 to N. Each runs in its own
// transaction together with the schema_version update, so a crash leaves the previous version intact.
// Never edit a migration that has shipped; add the next one.
struct Migration
{
    int version;
    const char *description;
    QStringList statements;
};

const std::vector<Migration> &migrations();
int latestSchemaVersion();

// Brings `db` up to `targetVersion` (default: the latest). Refuses a database newer than this build.
Result<int> migrate(QSqlDatabase &db, int targetVersion = -1);

// Whether this SQLite has FTS5 (schema 2 and later need it); an Unsupported error that says so if not.
Status checkFts5(QSqlDatabase &db);

// The version recorded in the database; 0 for an empty one.
Result<int> schemaVersion(QSqlDatabase &db);

} // namespace tessera
