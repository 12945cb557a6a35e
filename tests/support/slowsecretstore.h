#pragma once

#include "secrets/secretstore.h"

#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace tessera::test {

// A keychain that takes its time (a locked or remote Secret Service): every read answers after
// `delayMs`, from the event loop. Keys live in memory; `failure`, when set, is the answer to every read
// instead (a keychain that cannot be read). `reads` counts the reads answered so far, and
// `requestsBeforeAnswer` is set by the test to a function that counts what the server has received, so
// a test can say "nothing was sent before the key was known".
class SlowSecretStore final : public SecretStore
{
public:
    explicit SlowSecretStore(int delayMs)
        : m_delayMs(delayMs)
    { }

    void readKey(const QString &accountId, QObject *context, KeyCallback done) override;
    void writeKey(const QString &accountId, const QString &key, QObject *context, DoneCallback done) override;
    void removeKey(const QString &accountId, QObject *context, DoneCallback done) override;

    QHash<QString, QString> keys;
    std::optional<Error> failure;
    int reads = 0;
    std::function<int()> serverCount; // what the server had received, sampled as each read answers
    QList<int> serverCountAtAnswers;

private:
    int m_delayMs;
};

} // namespace tessera::test
