#include "secretstore.h"

#include <QCoreApplication>
#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>

#include <optional>

namespace tessera {

void SecretStore::answerLater(QObject *context, std::function<void()> fn)
{
    Q_ASSERT(context);
    // Queued even on the caller's own thread: callers never see re-entrancy, as with a real keychain.
    QMetaObject::invokeMethod(context, std::move(fn), Qt::QueuedConnection);
}

void SecretStore::probe(QObject *context, DoneCallback done)
{
    answerLater(context, [done = std::move(done)] { done(Status()); });
}

void MemorySecretStore::readKey(const QString &accountId, QObject *context, KeyCallback done)
{
    Result<QString> result = m_keys.contains(accountId)
        ? Result<QString>(m_keys.value(accountId))
        : Result<QString>(
            Error::make(Error::Kind::NotFound,
                        QCoreApplication::translate("SecretStore", "No API key is stored for this account")));
    answerLater(context, [done = std::move(done), result = std::move(result)] { done(result); });
}

void MemorySecretStore::writeKey(const QString &accountId, const QString &key, QObject *context,
                                 DoneCallback done)
{
    m_keys.insert(accountId, key);
    answerLater(context, [done = std::move(done)] { done(Status()); });
}

void MemorySecretStore::removeKey(const QString &accountId, QObject *context, DoneCallback done)
{
    m_keys.remove(accountId);
    answerLater(context, [done = std::move(done)] { done(Status()); });
}

struct LayeredSecretStore::Layers
{
    mutable QMutex mutex;
    QHash<QString, QString> session;
    QHash<QString, QString> overrides;

    // The override, else the session key, else nothing.
    std::optional<QString> inMemory(const QString &accountId) const
    {
        QMutexLocker lock(&mutex);
        if (auto it = overrides.constFind(accountId); it != overrides.constEnd())
            return *it;
        if (auto it = session.constFind(accountId); it != session.constEnd())
            return *it;
        return std::nullopt;
    }
};

LayeredSecretStore::LayeredSecretStore(std::unique_ptr<SecretStore> persistent)
    : m_persistent(std::move(persistent))
    , m_layers(std::make_shared<Layers>())
{
    Q_ASSERT(m_persistent);
}

void LayeredSecretStore::readKey(const QString &accountId, QObject *context, KeyCallback done)
{
    if (std::optional<QString> key = m_layers->inMemory(accountId)) {
        answerLater(context, [done = std::move(done), key = std::move(*key)] { done(key); });
        return;
    }
    m_persistent->readKey(accountId, context, std::move(done));
}

void LayeredSecretStore::writeKey(const QString &accountId, const QString &key, QObject *context,
                                  DoneCallback done)
{
    // Only the persistent store: falling back to memory is the user's decision (setSessionKey).
    m_persistent->writeKey(accountId, key, context,
                           [layers = m_layers, accountId, done = std::move(done)](const Status &status) {
                               if (status) {
                                   QMutexLocker lock(&layers->mutex);
                                   layers->session.remove(accountId);
                               }
                               done(status);
                           });
}

void LayeredSecretStore::removeKey(const QString &accountId, QObject *context, DoneCallback done)
{
    {
        QMutexLocker lock(&m_layers->mutex);
        m_layers->session.remove(accountId);
    }
    m_persistent->removeKey(accountId, context, std::move(done));
}

void LayeredSecretStore::probe(QObject *context, DoneCallback done)
{
    m_persistent->probe(context, std::move(done));
}

void LayeredSecretStore::setSessionKey(const QString &accountId, const QString &key)
{
    QMutexLocker lock(&m_layers->mutex);
    if (key.isEmpty())
        m_layers->session.remove(accountId);
    else
        m_layers->session.insert(accountId, key);
}

bool LayeredSecretStore::hasSessionKey(const QString &accountId) const
{
    QMutexLocker lock(&m_layers->mutex);
    return m_layers->session.contains(accountId);
}

void LayeredSecretStore::setOverride(const QString &accountId, const QString &key)
{
    QMutexLocker lock(&m_layers->mutex);
    if (key.isEmpty())
        m_layers->overrides.remove(accountId);
    else
        m_layers->overrides.insert(accountId, key);
}

bool LayeredSecretStore::hasOverride(const QString &accountId) const
{
    QMutexLocker lock(&m_layers->mutex);
    return m_layers->overrides.contains(accountId);
}

} // namespace tessera
