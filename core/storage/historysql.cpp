// SQL helpers of HistoryStore's files (historystore.cpp, historyaccounts.cpp, historyleases.cpp,
// historyquery.cpp): binding, reading rows back, and the one way an SQL failure becomes an Error.
#include "historysql.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

namespace tessera::historysql {

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

} // namespace tessera::historysql
