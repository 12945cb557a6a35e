#include "secretstore.h"

#include <QCoreApplication>
#include <QMetaObject>

namespace tessera {

void MemorySecretStore::readKey(const QString &accountId, QObject *context, KeyCallback done)
{
    Result<QString> result = m_keys.contains(accountId)
        ? Result<QString>(m_keys.value(accountId))
        : Result<QString>(
            Error::make(Error::Kind::NotFound,
                        QCoreApplication::translate("SecretStore", "No API key is stored for this account")));
    // Answer from the event loop, as a real keychain would, so callers never see re-entrancy.
    QMetaObject::invokeMethod(
        context, [done = std::move(done), result = std::move(result)] { done(result); },
        Qt::QueuedConnection);
}

void MemorySecretStore::writeKey(const QString &accountId, const QString &key, QObject *context,
                                 DoneCallback done)
{
    m_keys.insert(accountId, key);
    QMetaObject::invokeMethod(
        context, [done = std::move(done)] { done(Status()); }, Qt::QueuedConnection);
}

void MemorySecretStore::removeKey(const QString &accountId, QObject *context, DoneCallback done)
{
    m_keys.remove(accountId);
    QMetaObject::invokeMethod(
        context, [done = std::move(done)] { done(Status()); }, Qt::QueuedConnection);
}

} // namespace tessera
