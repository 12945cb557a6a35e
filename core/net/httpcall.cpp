#include "httpcall.h"

#include <QJsonObject>

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

} // namespace tessera
