#pragma once

#include "secretstore.h"

#include <QString>

namespace tessera {

// API keys in the operating system's keychain through QtKeychain (Secret Service on Linux, Keychain on
// macOS, Credential Manager on Windows): one entry per account id under the service "tessera".
//
// The insecure fallback of QtKeychain (a plain-text QSettings file) is off: when no keychain works,
// every call answers with an Error of kind Unsupported whose message says so in plain words with the
// backend's own message ("The system keychain is not available: …", "… is locked: …", "Access to the
// system keychain was denied: …"), and nothing is written anywhere. The caller may then keep the key
// for this run only (LayeredSecretStore::setSessionKey). A missing entry answers NotFound.
//
// Use from a thread with an event loop (the GUI or CLI main thread); jobs outlive the store safely.
class KeychainSecretStore final : public SecretStore
{
public:
    static constexpr const char *kDefaultService = "tessera";

    // `service` is the keychain's service name; tests use their own so they never touch real keys.
    explicit KeychainSecretStore(QString service = QString::fromLatin1(kDefaultService));

    void readKey(const QString &accountId, QObject *context, KeyCallback done) override;
    void writeKey(const QString &accountId, const QString &key, QObject *context, DoneCallback done) override;
    void removeKey(const QString &accountId, QObject *context, DoneCallback done) override;

    // Reads an entry that never exists: "not found" means a backend answered, so the keychain is
    // available; anything else is the Error the user should see. A locked collection is only found out
    // by a write (reading nothing needs no unlocking), and a keychain that asks the user to unlock it
    // answers when the user has.
    void probe(QObject *context, DoneCallback done) override;

    const QString &service() const { return m_service; }

private:
    QString m_service;
};

} // namespace tessera
