#pragma once

// Inside core/storage only: what HistoryStore's .cpp files share. Not part of the store's interface.

#include "model/account.h"
#include "model/error.h"
#include "model/task.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QVariant>

class QSqlError;
class QSqlQuery;

namespace tessera::historysql {

// States in which a task may still change on the server (SQL list for "state IN ...").
inline const QString kActiveStates = QStringLiteral("('queued','submitting','submitted','running')");
// The columns taskFromQuery() reads, in its order.
inline const QString kTaskColumns
    = QStringLiteral("id, account_id, operation, params, prompt, state, progress, "
                     "remote_id, parent_id, tile, created, updated, "
                     "finished, error, remote, poll_count, favourite");

QString tr(const char *text); // in the "HistoryStore" translation context
Error sqlError(const QString &what, const QSqlError &error);
QVariant msOrNull(const QDateTime &t);
QDateTime fromMs(const QVariant &v);
QString compact(const QJsonObject &o);
QJsonObject parseObject(const QVariant &v);
// Qt binds a null QString as SQL NULL; NOT NULL text columns get an empty string instead.
QString text(const QString &s);
QVariant textOrNull(const QString &s);
Account accountFromQuery(const QSqlQuery &q);
Task taskFromQuery(const QSqlQuery &q); // columns in the order of kTaskColumns

} // namespace tessera::historysql
