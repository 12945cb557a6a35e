// HistoryStore: the accounts table (no secrets: keys live in the SecretStore) and the default account.
#include "historysql.h"
#include "historystore.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace tessera {

using namespace historysql;

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

} // namespace tessera
