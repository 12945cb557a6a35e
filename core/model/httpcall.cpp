#include "httpcall.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QLocale>
#include <QTimeZone>

#include <utility>

namespace tessera {

HttpCall HttpCall::get(QString path, QUrlQuery query, Purpose purpose)
{
    HttpCall call;
    call.method = "GET";
    call.path = std::move(path);
    call.query = std::move(query);
    call.purpose = purpose;
    return call;
}

HttpCall HttpCall::post(QString path, const QJsonObject &body, Purpose purpose)
{
    HttpCall call;
    call.method = "POST";
    call.path = std::move(path);
    call.body = QJsonDocument(body);
    call.purpose = purpose;
    return call;
}

HttpCall HttpCall::custom(QByteArray method, QString path, std::optional<QJsonObject> body, Purpose purpose)
{
    HttpCall call;
    call.method = std::move(method);
    call.path = std::move(path);
    if (body)
        call.body = QJsonDocument(*body);
    call.purpose = purpose;
    return call;
}

QString HttpCall::describe() const
{
    QString text = QString::fromLatin1(method) + QLatin1Char(' ') + path;
    if (!query.isEmpty())
        text += QLatin1Char('?') + query.toString(QUrl::FullyEncoded);
    return text;
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

HttpResponse HttpResponse::json(int status, const QJsonObject &body)
{
    HttpResponse r;
    r.status = status;
    r.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    r.received = QDateTime::currentDateTimeUtc();
    return r;
}

namespace http {

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

QString excerpt(const QByteArray &body, int max)
{
    QString text = QString::fromUtf8(body.left(max * 4)).simplified();
    if (text.size() > max)
        text = text.left(max - 1) + QChar(0x2026);
    return text;
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

} // namespace http

} // namespace tessera
