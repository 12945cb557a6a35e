#include "vendorjson.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QTimeZone>

#include <algorithm>

namespace tessera::vendor {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Provider", text);
}

constexpr int kLongIntegerDigits = 16; // 2^53 has 16 digits: from there a double may round

bool looksLikeHtml(const QByteArray &body)
{
    const QByteArray head = body.left(256).trimmed().toLower();
    return head.startsWith("<!doctype html") || head.startsWith("<html") || head.startsWith("<head")
        || head.startsWith("<body") || (head.startsWith('<') && head.contains("<title"));
}

Result<QJsonDocument> parseDocument(const QByteArray &raw, const HttpResponse *response)
{
    const QByteArray body = raw.trimmed();
    auto fail = [&](const QString &what) {
        Error e = Error::make(Error::Kind::BadResponse, what, response ? response->status : 0);
        return e;
    };
    if (body.isEmpty())
        return fail(tr("The server sent an empty answer where JSON was expected"));
    if (looksLikeHtml(body))
        return fail(tr("The server sent a web page instead of JSON — is the base URL right? (%1)")
                        .arg(excerpt(body, 120)));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(quoteLongIntegers(body), &error);
    if (error.error != QJsonParseError::NoError)
        return fail(tr("The server sent broken JSON (%1 at offset %2): %3")
                        .arg(error.errorString())
                        .arg(error.offset)
                        .arg(excerpt(body, 120)));
    return doc;
}

} // namespace

QByteArray quoteLongIntegers(const QByteArray &body)
{
    QByteArray out;
    out.reserve(body.size() + 16);
    bool inString = false;
    qsizetype i = 0;
    const qsizetype n = body.size();
    while (i < n) {
        const char c = body[i];
        if (inString) {
            out.append(c);
            if (c == '\\' && i + 1 < n) {
                out.append(body[i + 1]);
                i += 2;
                continue;
            }
            if (c == '"')
                inString = false;
            ++i;
            continue;
        }
        if (c == '"') {
            inString = true;
            out.append(c);
            ++i;
            continue;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            // A number token: copy it whole; quote it when it is a long plain integer.
            qsizetype j = i + (c == '-' ? 1 : 0);
            qsizetype digits = 0;
            while (j < n && body[j] >= '0' && body[j] <= '9') {
                ++j;
                ++digits;
            }
            const bool fractionOrExponent = j < n && (body[j] == '.' || body[j] == 'e' || body[j] == 'E');
            if (!fractionOrExponent && digits >= kLongIntegerDigits) {
                out.append('"');
                out.append(body.mid(i, j - i));
                out.append('"');
                i = j;
                continue;
            }
            out.append(body.mid(i, j - i));
            i = j;
            continue;
        }
        out.append(c);
        ++i;
    }
    return out;
}

Result<QJsonObject> parseObject(const HttpResponse &response)
{
    const auto doc = parseDocument(response.body, &response);
    if (!doc)
        return doc.error();
    if (!doc->isObject())
        return Error::make(Error::Kind::BadResponse,
                           tr("The server's answer is not a JSON object: %1").arg(excerpt(response.body)),
                           response.status);
    return doc->object();
}

Result<QJsonArray> parseArray(const HttpResponse &response)
{
    const auto doc = parseDocument(response.body, &response);
    if (!doc)
        return doc.error();
    if (!doc->isArray())
        return Error::make(Error::Kind::BadResponse,
                           tr("The server's answer is not a JSON list: %1").arg(excerpt(response.body)),
                           response.status);
    return doc->array();
}

Result<QJsonObject> parseObjectText(const QString &text)
{
    const auto doc = parseDocument(text.toUtf8(), nullptr);
    if (!doc)
        return doc.error();
    if (!doc->isObject())
        return Error::make(Error::Kind::BadResponse, tr("Expected a JSON object: %1").arg(text.left(160)));
    return doc->object();
}

QString idString(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        // Qt keeps integers that fit 64 bits exactly; toInteger() reads them without a double.
        const QVariant v = value.toVariant();
        if (v.typeId() == QMetaType::LongLong || v.typeId() == QMetaType::Int)
            return QString::number(v.toLongLong());
        const double d = value.toDouble();
        if (d == static_cast<double>(static_cast<qint64>(d)))
            return QString::number(static_cast<qint64>(d));
        return QString::number(d, 'g', 17);
    }
    return {};
}

std::optional<int> percent(const QJsonValue &value)
{
    double p = 0;
    if (value.isDouble()) {
        p = value.toDouble();
    } else if (value.isString()) {
        QString text = value.toString().trimmed();
        if (text.endsWith(QLatin1Char('%')))
            text.chop(1);
        bool ok = false;
        p = text.trimmed().toDouble(&ok);
        if (!ok)
            return std::nullopt;
    } else {
        return std::nullopt;
    }
    return std::clamp(static_cast<int>(p + 0.5), 0, 100);
}

QString firstString(const QJsonObject &object, std::initializer_list<const char *> keys)
{
    for (const char *key : keys) {
        const QJsonValue v = object.value(QLatin1String(key));
        if (v.isString() && !v.toString().trimmed().isEmpty())
            return v.toString().trimmed();
    }
    return {};
}

QDateTime retryAfter(const HttpResponse &response)
{
    const QByteArray value = response.header("Retry-After").trimmed();
    if (value.isEmpty())
        return {};
    bool ok = false;
    const double seconds = value.toDouble(&ok);
    if (ok) {
        const QDateTime base = response.received.isValid() ? response.received : QDateTime();
        if (!base.isValid() || seconds < 0)
            return {};
        return base.addMSecs(static_cast<qint64>(seconds * 1000));
    }
    // An HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 9110 IMF-fixdate).
    QString text = QString::fromLatin1(value);
    text.replace(QLatin1String(" GMT"), QString());
    QDateTime when = QLocale::c().toDateTime(text, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"));
    if (!when.isValid())
        return {};
    when.setTimeZone(QTimeZone::utc());
    return when;
}

Error::Kind kindForStatus(int status)
{
    switch (status) {
    case 400:
    case 422:
        return Error::Kind::InvalidRequest;
    case 401:
    case 403:
        return Error::Kind::Unauthorized;
    case 402:
        return Error::Kind::PaymentRequired;
    case 404:
    case 410:
        return Error::Kind::NotFound;
    case 408:
        return Error::Kind::Timeout;
    case 429:
        return Error::Kind::RateLimited;
    case 455:
    case 503:
        return Error::Kind::Maintenance;
    case 505:
        return Error::Kind::Unsupported;
    default:
        return status >= 500 && status < 600 ? Error::Kind::ServerError : Error::Kind::BadResponse;
    }
}

Error httpError(const HttpResponse &response, const QString &message, const QString &vendorCode)
{
    QString text = message;
    if (text.isEmpty()) {
        text = tr("HTTP %1").arg(response.status);
        const QString body = excerpt(response.body);
        if (!body.isEmpty())
            text += QStringLiteral(": ") + body;
    }
    Error e = Error::make(kindForStatus(response.status), text, response.status, vendorCode);
    if (response.status == 429 || response.status == 503)
        e.retryAfter = retryAfter(response);
    return e;
}

Error badShape(const HttpResponse &response, const QString &what)
{
    return Error::make(Error::Kind::BadResponse,
                       tr("Unexpected answer from the server (%1): %2").arg(what, excerpt(response.body)),
                       response.status);
}

QString excerpt(const QByteArray &body, int max)
{
    QString text = QString::fromUtf8(body.left(max * 4)).simplified();
    if (text.size() > max)
        text = text.left(max - 1) + QChar(0x2026);
    return text;
}

Status checkRange(const QString &field, const std::optional<int> &value, const IntRange &range)
{
    const auto invalid
        = [](const QString &message) { return Error::make(Error::Kind::InvalidRequest, message); };
    if (!value || range.accepts(*value))
        return {};
    if (range.step > 1)
        return invalid(tr("%1: use a multiple of %2 from %3 to %4 (not %5)")
                           .arg(field)
                           .arg(range.step)
                           .arg(range.min)
                           .arg(range.max)
                           .arg(*value));
    return invalid(tr("%1: use a whole number from %2 to %3 (not %4)")
                       .arg(field)
                       .arg(range.min)
                       .arg(range.max)
                       .arg(*value));
}

bool isLoopbackHost(const QString &host)
{
    const QString h = host.toLower();
    if (h == QLatin1String("localhost") || h.endsWith(QLatin1String(".localhost")))
        return true;
    QString bare = h;
    if (bare.startsWith(QLatin1Char('[')) && bare.endsWith(QLatin1Char(']')))
        bare = bare.mid(1, bare.size() - 2);
    const QHostAddress address(bare);
    return !address.isNull() && address.isLoopback();
}

} // namespace tessera::vendor
