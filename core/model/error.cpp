#include "error.h"

#include <QCoreApplication>

#include <array>
#include <utility>

namespace tessera {

namespace {

struct KindInfo
{
    Error::Kind kind;
    const char *name;
    const char *words;
};

constexpr std::array kKinds {
    KindInfo {Error::Kind::Network, "network", "Network error"},
    KindInfo {Error::Kind::Timeout, "timeout", "The server did not answer in time"},
    KindInfo {Error::Kind::Unauthorized, "unauthorized", "The API key was rejected"},
    KindInfo {Error::Kind::PaymentRequired, "payment-required", "No credits left on this account"},
    KindInfo {Error::Kind::RateLimited, "rate-limited", "Rate limited"},
    KindInfo {Error::Kind::InvalidRequest, "invalid-request", "Invalid parameters"},
    KindInfo {Error::Kind::ServerError, "server-error", "The server failed"},
    KindInfo {Error::Kind::Maintenance, "maintenance", "The service is under maintenance"},
    KindInfo {Error::Kind::BadResponse, "bad-response", "The server sent an answer Tessera cannot read"},
    KindInfo {Error::Kind::ContentRejected, "content-rejected", "Generation refused by the content policy"},
    KindInfo {Error::Kind::Cancelled, "cancelled", "Cancelled"},
    KindInfo {Error::Kind::Io, "io", "Could not read or write a file"},
    KindInfo {Error::Kind::Unsupported, "unsupported", "Not supported"},
    KindInfo {Error::Kind::NotFound, "not-found", "Not found"},
    KindInfo {Error::Kind::MissingKey, "missing-key", "No API key"},
    KindInfo {Error::Kind::StillRunning, "still-running", "Still running at the provider"},
};

const KindInfo &info(Error::Kind kind)
{
    for (const auto &k : kKinds) {
        if (k.kind == kind)
            return k;
    }
    return kKinds[static_cast<std::size_t>(Error::Kind::BadResponse)];
}

} // namespace

Error Error::make(Kind kind, QString message, int httpStatus, QString vendorCode)
{
    Error e;
    e.kind = kind;
    e.message = std::move(message);
    e.httpStatus = httpStatus;
    e.vendorCode = std::move(vendorCode);
    return e;
}

Error Error::missingKey(const QString &accountName, const QString &why)
{
    const QString detail = why.isEmpty() ? QString() : QStringLiteral(" (") + why + QStringLiteral(")");
    return make(Kind::MissingKey,
                QCoreApplication::translate("Error",
                                            "There is no API key for %1%2. Add it in Settings → Accounts (or "
                                            "set TESSERA_API_KEY for the command line).")
                    .arg(accountName, detail));
}

bool Error::isTransient() const
{
    switch (kind) {
    case Kind::Network:
    case Kind::Timeout:
    case Kind::RateLimited:
    case Kind::ServerError:
    case Kind::Maintenance:
        return true;
    default:
        return false;
    }
}

QString Error::kindName(Kind kind)
{
    return QString::fromLatin1(info(kind).name);
}

Error::Kind Error::kindFromName(const QString &name, bool *ok)
{
    for (const auto &k : kKinds) {
        if (name == QLatin1String(k.name)) {
            if (ok)
                *ok = true;
            return k.kind;
        }
    }
    if (ok)
        *ok = false;
    return Kind::BadResponse;
}

QString Error::userText() const
{
    QString words = QString::fromLatin1(info(kind).words);
    if (message.isEmpty() || message == words)
        return words;
    if (message.contains(words, Qt::CaseInsensitive))
        return message; // it says so already ("There is no API key for…")
    return words + QStringLiteral(": ") + message;
}

QJsonObject Error::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("kind"), kindName(kind));
    if (httpStatus != 0)
        o.insert(QStringLiteral("httpStatus"), httpStatus);
    else
        o.insert(QStringLiteral("httpStatus"), QJsonValue::Null);
    if (!vendorCode.isEmpty())
        o.insert(QStringLiteral("vendorCode"), vendorCode);
    o.insert(QStringLiteral("message"), message);
    if (retryAfter.isValid())
        o.insert(QStringLiteral("retryAfter"), retryAfter.toUTC().toString(Qt::ISODateWithMs));
    return o;
}

Error Error::fromJson(const QJsonObject &json)
{
    Error e;
    e.kind = kindFromName(json.value(QStringLiteral("kind")).toString());
    e.httpStatus = json.value(QStringLiteral("httpStatus")).toInt();
    e.vendorCode = json.value(QStringLiteral("vendorCode")).toString();
    e.message = json.value(QStringLiteral("message")).toString();
    const QString retry = json.value(QStringLiteral("retryAfter")).toString();
    if (!retry.isEmpty())
        e.retryAfter = QDateTime::fromString(retry, Qt::ISODateWithMs);
    return e;
}

} // namespace tessera
