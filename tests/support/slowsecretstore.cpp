#include "slowsecretstore.h"

#include <QCoreApplication>
#include <QTimer>

namespace tessera::test {

void SlowSecretStore::readKey(const QString &accountId, QObject *context, KeyCallback done)
{
    QTimer::singleShot(m_delayMs, context, [this, accountId, done = std::move(done)] {
        ++reads;
        if (serverCount)
            serverCountAtAnswers.append(serverCount());
        if (failure) {
            done(*failure);
            return;
        }
        if (!keys.contains(accountId)) {
            done(Error::make(Error::Kind::NotFound, QStringLiteral("No API key is stored for this account")));
            return;
        }
        done(keys.value(accountId));
    });
}

void SlowSecretStore::writeKey(const QString &accountId, const QString &key, QObject *context,
                               DoneCallback done)
{
    keys.insert(accountId, key);
    answerLater(context, [done = std::move(done)] { done(Status()); });
}

void SlowSecretStore::removeKey(const QString &accountId, QObject *context, DoneCallback done)
{
    keys.remove(accountId);
    answerLater(context, [done = std::move(done)] { done(Status()); });
}

} // namespace tessera::test
