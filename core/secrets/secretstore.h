#pragma once

#include "model/result.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace tessera {

// Where API keys live: the system keychain in the product, memory in tests and for "this session only".
// Never QSettings, SQLite, logs or command lines. Asynchronous because keychains are; every call
// answers exactly once through its callback, on `context`'s thread, unless `context` is gone. No call
// answers from inside itself: the callback always runs later, from an event loop. Stores are used from
// one thread (the one that created them); `context` may live in another.
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
    // Removing a key that is not there succeeds.
    virtual void removeKey(const QString &accountId, QObject *context, DoneCallback done) = 0;

    // Whether the store can keep keys at all right now: ok, or the Error a write would most likely
    // meet, in plain words with the backend's own message. Stores that always work answer ok.
    virtual void probe(QObject *context, DoneCallback done);

protected:
    // Runs `fn` from `context`'s event loop (never synchronously), and not at all once `context` is gone.
    static void answerLater(QObject *context, std::function<void()> fn);
};

// Keys in process memory only: gone when the process ends.
class MemorySecretStore final : public SecretStore
{
public:
    void readKey(const QString &accountId, QObject *context, KeyCallback done) override;
    void writeKey(const QString &accountId, const QString &key, QObject *context, DoneCallback done) override;
    void removeKey(const QString &accountId, QObject *context, DoneCallback done) override;

    bool contains(const QString &accountId) const { return m_keys.contains(accountId); }

private:
    QHash<QString, QString> m_keys;
};

// What the application uses: a persistent store (the keychain) with two in-memory layers above it.
//
//   1. Overrides: a key from the environment (TESSERA_API_KEY for the account a CLI command uses).
//      Answers readKey() first; never written anywhere, not even to the session layer; removeKey() leaves
//      it alone because it was never stored.
//   2. Session keys: kept in memory until the process quits, only when the caller asks for it with
//      setSessionKey() — the user's explicit choice after the keychain failed (PRODUCT.md, Settings).
//      A write never falls back to memory by itself: a missing or locked keychain must not silently
//      downgrade where a key lives.
//   3. The persistent store, for everything else.
//
// writeKey() goes to the persistent store only; when it succeeds, a session key of that account is
// dropped so that the stored key is the one used from then on. removeKey() drops the session key at
// once and removes the stored one. probe() asks the persistent store.
class LayeredSecretStore final : public SecretStore
{
public:
    explicit LayeredSecretStore(std::unique_ptr<SecretStore> persistent);

    void readKey(const QString &accountId, QObject *context, KeyCallback done) override;
    void writeKey(const QString &accountId, const QString &key, QObject *context, DoneCallback done) override;
    void removeKey(const QString &accountId, QObject *context, DoneCallback done) override;
    void probe(QObject *context, DoneCallback done) override;

    // Keeps `key` in memory for this run only. An empty key removes the session key.
    void setSessionKey(const QString &accountId, const QString &key);
    bool hasSessionKey(const QString &accountId) const;

    // A key that is used for `accountId` in this process and never stored. An empty key clears it.
    void setOverride(const QString &accountId, const QString &key);
    bool hasOverride(const QString &accountId) const;

    SecretStore &persistent() { return *m_persistent; }

private:
    struct Layers;
    std::unique_ptr<SecretStore> m_persistent;
    // Shared with callbacks in flight, which drop a session key after a successful write on the
    // context's thread, possibly after this store is gone.
    std::shared_ptr<Layers> m_layers;
};

} // namespace tessera
