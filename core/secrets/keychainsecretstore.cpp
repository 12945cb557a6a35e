#include "keychainsecretstore.h"

#include <QCoreApplication>
#include <qt6keychain/keychain.h>

#include <memory>
#include <optional>

namespace tessera {

namespace {

// An entry name no account id takes (account ids are UUIDs, or "demo", which never has a key).
constexpr auto kProbeEntry = "tessera-keychain-probe";

QString tr(const char *text)
{
    return QCoreApplication::translate("KeychainSecretStore", text);
}

// Plain words first, then what the backend said (which may be technical, but is the truth).
Error keychainError(QKeychain::Error code, const QString &backendMessage)
{
    const auto unavailable = [&](const char *sentence) {
        const QString words = tr(sentence);
        const QString detail = backendMessage.trimmed();
        return Error::make(Error::Kind::Unsupported,
                           detail.isEmpty() ? words : words + QStringLiteral(": ") + detail);
    };
    switch (code) {
    case QKeychain::EntryNotFound:
        return Error::make(
            Error::Kind::NotFound,
            QCoreApplication::translate("SecretStore", "No API key is stored for this account"));
    case QKeychain::AccessDenied:
        // libsecret reports a locked collection as AccessDenied; KWallet a wallet it would not open.
        return unavailable(QT_TRANSLATE_NOOP("KeychainSecretStore", "The system keychain is locked"));
    case QKeychain::AccessDeniedByUser:
        return unavailable(
            QT_TRANSLATE_NOOP("KeychainSecretStore", "Access to the system keychain was denied"));
    case QKeychain::CouldNotDeleteEntry:
        return unavailable(
            QT_TRANSLATE_NOOP("KeychainSecretStore", "The system keychain could not delete the key"));
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
    case QKeychain::NoError:
        break;
    }
    // Without a Secret Service libsecret fails with a D-Bus error ("Object does not exist at path …"),
    // which QtKeychain calls OtherError: say what it means and what to do first, the backend's words last.
    const QString detail = backendMessage.trimmed();
    const QString words
        = tr("The system keychain is not available: no keyring service (such as GNOME Keyring "
             "or KWallet) answered. Start or unlock it and try again, or keep the key for "
             "this session only.");
    return Error::make(Error::Kind::Unsupported,
                       detail.isEmpty() ? words
                                        : words + QLatin1Char(' ') + tr("The keychain said: %1").arg(detail));
}

template<class Job> Job *newJob(const QString &service, const QString &accountId)
{
    auto *job = new Job(service);
    job->setKey(accountId);
    job->setInsecureFallback(false); // never a plain-text file, whatever the platform
    job->setAutoDelete(true);
    return job;
}

// Starts `job` and answers `done` once on `context`'s thread. The outcome is read where the job lives,
// as it finishes: an auto-deleting job may be gone before a queued call reaches another thread. The
// second connection is dropped by Qt when `context` is destroyed.
template<class R>
void run(QKeychain::Job *job, QObject *context, std::function<R(const QKeychain::Job &)> outcome,
         std::function<void(const R &)> done)
{
    auto result = std::make_shared<std::optional<R>>();
    QObject::connect(job, &QKeychain::Job::finished, job,
                     [result, outcome = std::move(outcome)](QKeychain::Job *finished) {
                         result->emplace(outcome(*finished));
                     });
    QObject::connect(job, &QKeychain::Job::finished, context, [result, done = std::move(done)] {
        if (*result)
            done(**result);
    });
    job->start(); // QtKeychain starts from the event loop, so `done` never runs inside this call
}

Status statusOf(const QKeychain::Job &job)
{
    if (job.error() == QKeychain::NoError)
        return Status();
    return keychainError(job.error(), job.errorString());
}

Error invalid(const char *sentence)
{
    return Error::make(Error::Kind::InvalidRequest, tr(sentence));
}

} // namespace

KeychainSecretStore::KeychainSecretStore(QString service)
    : m_service(std::move(service))
{ }

void KeychainSecretStore::readKey(const QString &accountId, QObject *context, KeyCallback done)
{
    if (accountId.isEmpty()) {
        answerLater(context, [done = std::move(done)] {
            done(invalid(QT_TRANSLATE_NOOP("KeychainSecretStore", "No account was given for the API key")));
        });
        return;
    }
    run<Result<QString>>(
        newJob<QKeychain::ReadPasswordJob>(m_service, accountId), context,
        [](const QKeychain::Job &job) -> Result<QString> {
            if (job.error() != QKeychain::NoError)
                return keychainError(job.error(), job.errorString());
            return static_cast<const QKeychain::ReadPasswordJob &>(job).textData();
        },
        std::move(done));
}

void KeychainSecretStore::writeKey(const QString &accountId, const QString &key, QObject *context,
                                   DoneCallback done)
{
    if (accountId.isEmpty() || key.isEmpty()) {
        answerLater(context, [done = std::move(done), noAccount = accountId.isEmpty()] {
            done(noAccount ? invalid(
                     QT_TRANSLATE_NOOP("KeychainSecretStore", "No account was given for the API key"))
                           : invalid(QT_TRANSLATE_NOOP("KeychainSecretStore", "The API key is empty")));
        });
        return;
    }
    auto *job = newJob<QKeychain::WritePasswordJob>(m_service, accountId);
    job->setTextData(key);
    run<Status>(job, context, statusOf, std::move(done));
}

void KeychainSecretStore::removeKey(const QString &accountId, QObject *context, DoneCallback done)
{
    if (accountId.isEmpty()) {
        answerLater(context, [done = std::move(done)] {
            done(invalid(QT_TRANSLATE_NOOP("KeychainSecretStore", "No account was given for the API key")));
        });
        return;
    }
    run<Status>(
        newJob<QKeychain::DeletePasswordJob>(m_service, accountId), context,
        [](const QKeychain::Job &job) {
            // Removing what is not there succeeds (SecretStore contract); some backends report it.
            return job.error() == QKeychain::EntryNotFound ? Status() : statusOf(job);
        },
        std::move(done));
}

void KeychainSecretStore::probe(QObject *context, DoneCallback done)
{
    run<Status>(
        newJob<QKeychain::ReadPasswordJob>(m_service, QString::fromLatin1(kProbeEntry)), context,
        [](const QKeychain::Job &job) {
            return job.error() == QKeychain::EntryNotFound ? Status() : statusOf(job);
        },
        std::move(done));
}

} // namespace tessera
