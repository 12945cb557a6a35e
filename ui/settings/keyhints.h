#pragma once

#include <QHash>
#include <QString>

namespace tessera::ui {

// The last four characters of the keys typed in this run, by account id, so that Settings can show
// "••••1234" for them. Memory only, for the life of whoever owns it (the main window): never written
// anywhere, never the whole key.
class KeyHints
{
public:
    // Empty when no key was typed for `accountId` in this run.
    QString lastFour(const QString &accountId) const { return m_lastFour.value(accountId); }
    void remember(const QString &accountId, const QString &key)
    {
        m_lastFour.insert(accountId, key.right(4));
    }
    void forget(const QString &accountId) { m_lastFour.remove(accountId); }

private:
    QHash<QString, QString> m_lastFour;
};

} // namespace tessera::ui
