#pragma once

#include "model/result.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace tessera {

// Where API keys live: the system keychain in the product, memory in tests and for "this session only".
// Never QSettings, SQLite, logs or command lines. Asynchronous because keychains are; every call
// answers exactly once through its callback, on `context`'s thread, unless `context` is gone.
class SecretStore
{
public:
    virtual ~SecretStore() = default;
    using KeyCallback = std::function<void(const Result<QString> &)>;
    using DoneCallback = std::function<void(const Status &)>;

    // An account without a stored key answers with an Error of kind NotFound.
    virtual void readKey(const QString &accountId, QObject *context, KeyCallback done) = 0;
    virtual void writeKey(const QString &accountId, const QString &key, QObject *context, DoneCallback done)
        = 0;
    virtual void removeKey(const QString &accountId, QObject *context, DoneCallback done) = 0;
};

// Keys in process memory only: gone when the process ends.
class MemorySecretStore final : public SecretStore
{
public:
    void readKey(const QString &accountId, QObject *context, KeyCallback done) override;
    void writeKey(const QString &accountId, const QString &key, QObject *context, DoneCallback done) override;
    void removeKey(const QString &accountId, QObject *context, DoneCallback done) override;

private:
    QHash<QString, QString> m_keys;
};

} // namespace tessera
