#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonDocument>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace tessera {

// What an adapter wants sent: a method, a path below the account's base URL, query items and an
// optional JSON body. Adapters build these; they never send them (ARCHITECTURE.md, "Adapters are pure").
struct HttpCall
{
    enum class Purpose {
        Submit, // creates a task: never re-sent once it may have reached the server
        Status, // safe to repeat
        Cancel, // safe to repeat
        Other,
    };

    // How the API key travels (PROVIDERS.md: Bearer for most, a raw Authorization header or
    // mj-api-secret for self-hosted midjourney-proxy). None sends no key.
    enum class Auth { Bearer, Raw, MjApiSecret, None };

    QByteArray method = "GET";
    QString path; // "/api/v1/mj/generate", below the base URL; adapters include any account prefix (mjproxy)
    QUrlQuery query;
    std::optional<QJsonDocument> body;
    Purpose purpose = Purpose::Other;
    Auth auth = Auth::Bearer;

    static HttpCall get(QString path, QUrlQuery query = {}, Purpose purpose = Purpose::Status);
    static HttpCall post(QString path, const QJsonObject &body, Purpose purpose = Purpose::Submit);
    // A call with a method other than GET/POST (kolersky's DELETE with a JSON body).
    static HttpCall custom(QByteArray method, QString path, std::optional<QJsonObject> body, Purpose purpose);

    // "POST /api/v1/mj/generate" for logs and tests (no body, no secrets).
    QString describe() const;
};

// What came back. `status` is the HTTP status; the transport reports failures without any answer
// (refused, dropped, timed out) as an Error instead of a response.
struct HttpResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QDateTime received; // when the answer arrived (UTC); Retry-After in seconds counts from here

    QByteArray header(const QByteArray &name) const; // case-insensitive; empty when absent
    bool isSuccess() const { return status >= 200 && status < 300; }

    static HttpResponse json(int status, const QJsonObject &body);
};

// Helpers on the wire values that every layer above shares (adapters, the HTTP client, base URLs).
namespace http {

// When a 429/503 answer lets us come back: Retry-After in seconds (from `response.received`) or as an
// HTTP date. Invalid when absent or unreadable.
QDateTime retryAfter(const HttpResponse &response);

// Up to `max` characters of the body, single-line, for messages (never includes request headers).
QString excerpt(const QByteArray &body, int max = 160);

// True for 127.0.0.0/8, ::1 and "localhost" (PROVIDERS.md: HTTPS is required except for these).
bool isLoopbackHost(const QString &host);

} // namespace http

} // namespace tessera
