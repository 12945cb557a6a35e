#include "vendorjson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

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
                        .arg(http::excerpt(body, 120)));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(quoteLongIntegers(body), &error);
    if (error.error != QJsonParseError::NoError)
        return fail(tr("The server sent broken JSON (%1 at offset %2): %3")
                        .arg(error.errorString())
                        .arg(error.offset)
                        .arg(http::excerpt(body, 120)));
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
        return Error::make(
            Error::Kind::BadResponse,
            tr("The server's answer is not a JSON object: %1").arg(http::excerpt(response.body)),
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
                           tr("The server's answer is not a JSON list: %1").arg(http::excerpt(response.body)),
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

std::optional<int> codeNumber(const QJsonValue &value)
{
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 1e9)
            return static_cast<int>(d);
        return std::nullopt;
    }
    if (value.isString()) {
        bool ok = false;
        const int n = value.toString().trimmed().toInt(&ok);
        if (ok)
            return n;
    }
    return std::nullopt;
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
        const QString body = http::excerpt(response.body);
        if (!body.isEmpty())
            text += QStringLiteral(": ") + body;
    }
    Error e = Error::make(kindForStatus(response.status), text, response.status, vendorCode);
    if (response.status == 429 || response.status == 503)
        e.retryAfter = http::retryAfter(response);
    return e;
}

Error badShape(const HttpResponse &response, const QString &what)
{
    return Error::make(
        Error::Kind::BadResponse,
        tr("Unexpected answer from the server (%1): %2").arg(what, http::excerpt(response.body)),
        response.status);
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

} // namespace tessera::vendor
