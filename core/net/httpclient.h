#pragma once

#include "retrypolicy.h"
#include "transport.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QPair>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

namespace tessera {

// The Transport of every real family: adapter calls and result downloads over the application's one
// QNetworkAccessManager (owned by the composition root; it must outlive the client's replies, or they
// finish with a Network error).
//
// Contracts (PROVIDERS.md "General rules" and §6):
// - Only https:// is spoken, except http:// to loopback hosts; anything else is refused before a byte
//   leaves. A download URL of plain http:// to another host is upgraded to https:// (result files sit on
//   CDNs that all serve HTTPS; the upgrade keeps the file from being altered on the way).
// - Every HTTP answer, whatever its status, is a HttpResponse; only failures without an answer are
//   Errors: Network (refused, dropped, host not found; Qt's message), Timeout (no data for
//   transferTimeoutMs), Cancelled (abort), BadResponse (answer too large, too many redirects),
//   Unsupported (refused scheme or redirect).
// - Retries follow RetryPolicy inside the client; the returned reply finishes once, after the last
//   attempt. After a 429 or 503 with Retry-After, no request of that account leaves before the deadline.
// - A Submit (or Other) body is sent at most once per attempt: Qt's own silent re-send after a closed
//   connection is blocked (see OneShotBody in the .cpp), so "dropped" never means "sent twice".
// - Redirects (at most maxRedirects) are followed by the client itself: to http(s) only, never from
//   https to http, never to plain http off this computer, and never to another host while the request
//   carries the API key (the headers go along). 303, and 301/302 after a POST, become a GET.
// - A call that carries a key (auth other than None) is refused with MissingKey, unsent, when the key
//   is empty: no anonymous request of a real family ever leaves.
// - The API key never goes to a download URL; downloads are held by the account's Retry-After only when
//   they come from the account's own host.
class HttpClient final : public Transport
{
    Q_DECLARE_TR_FUNCTIONS(HttpClient)
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    struct Config
    {
        QByteArray userAgent = QByteArrayLiteral("Tessera/" TESSERA_VERSION);
        int transferTimeoutMs = 60'000; // a request with no data moving for this long ends as Timeout
        qint64 maxResponseBytes = 8 * 1024 * 1024; // API answers; downloads pass their own cap
        int maxRedirects = 5;
        qint64 maxGateMs = 10 * 60 * 1000; // an account's Retry-After gate never closes longer than this
        RetryPolicy::Config retry;
        RetryPolicy::Random random; // for the backoff jitter; empty: QRandomGenerator
    };

    explicit HttpClient(QNetworkAccessManager &network);
    HttpClient(QNetworkAccessManager &network, Config config);
    ~HttpClient() override;
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    TransportReply *send(const HttpCall &call, const Account &account, const QString &apiKey) override;
    // `maxBytes` ≤ 0 means the API answer cap (Config::maxResponseBytes).
    TransportReply *download(const QUrl &url, const Account &account, qint64 maxBytes) override;

    // Until when the account's requests are held after a Retry-After; invalid when they are not.
    QDateTime heldUntil(const Account &account) const;

    // The base URL (trailing slashes trimmed) + path + query, or why it cannot be used. A '+' in a query
    // value is sent as %2B, never as a bare '+' that servers read as a space.
    static Result<QUrl> callUrl(const QString &baseUrl, const HttpCall &call);
    // The download URL after the http→https upgrade, or why it cannot be fetched.
    static Result<QUrl> downloadUrl(const QUrl &url);
    // https, or http to a loopback host (PROVIDERS.md: HTTPS is required except for loopback hosts).
    static Status checkScheme(const QUrl &url);
    // Whether a redirect from `from` to `to` may be followed; `carriesKey` when the request has the key.
    static Status checkRedirect(const QUrl &from, const QUrl &to, bool carriesKey);
    // The headers as they may be logged: Authorization, Proxy-Authorization, mj-api-secret, X-Api-Key,
    // Cookie, Set-Cookie and any header whose value contains `apiKey` read "<redacted>".
    static Headers redactHeaders(const Headers &headers, const QString &apiKey);
    // `text` with every occurrence of `apiKey` read "<redacted>" (URLs and answer excerpts in the log).
    static QString redactText(QString text, const QString &apiKey);

    // Configuration, retry policy and Retry-After gates, shared with the replies in flight so that they
    // may outlive the client (declared here so that the .cpp's reply class can name it).
    struct Shared;

private:
    std::shared_ptr<Shared> m_shared;
};

} // namespace tessera
