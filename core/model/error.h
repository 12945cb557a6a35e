#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace tessera {

// An error as data: what kind of failure, the HTTP status and vendor code when there were any, and the
// message the user sees. `message` keeps the vendor's own words whenever a vendor sent some.
struct Error
{
    enum class Kind {
        Network,
        Timeout,
        Unauthorized,
        PaymentRequired,
        RateLimited,
        InvalidRequest,
        ServerError,
        Maintenance,
        BadResponse,
        ContentRejected,
        Cancelled,
        Io,
        Unsupported,
        NotFound,
        MissingKey, // no API key for the account (none stored, or the keychain could not be read)
        // The provider answered every status check, and the task was still running when Tessera stopped
        // asking (its time, its cap of checks, or the vendor's budget of checks ran out): Unfinished.
        StillRunning,
    };

    Kind kind = Kind::BadResponse;
    int httpStatus = 0; // 0 when no HTTP answer was involved
    QString vendorCode; // the vendor's own code ("CONTENT_VIOLATION", "24", ...), empty when none
    QString message;
    QDateTime retryAfter; // set for RateLimited when the server said when to come back

    static Error make(Kind kind, QString message, int httpStatus = 0, QString vendorCode = {});
    // MissingKey for the account named `accountName`, with the keychain's own words (`why`) when
    // reading it failed rather than finding nothing. Nothing is ever sent without the key.
    static Error missingKey(const QString &accountName, const QString &why = {});

    // Transient failures are worth another attempt of a request that is safe to repeat.
    bool isTransient() const;

    // "rate-limited", "payment-required", ...: stable names used in JSON and the database.
    static QString kindName(Kind kind);
    static Kind kindFromName(const QString &name, bool *ok = nullptr);

    // A sentence for people: the kind in plain words, then the message.
    QString userText() const;

    QJsonObject toJson() const;
    static Error fromJson(const QJsonObject &json);

    friend bool operator==(const Error &, const Error &) = default;
};

} // namespace tessera

Q_DECLARE_METATYPE(tessera::Error)
