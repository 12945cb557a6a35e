#pragma once

// Inside the network layer only: HttpClient's replies. Not for use outside core/net/.

#include "httpclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <optional>

namespace tessera {

struct HttpClient::Shared
{
    QPointer<QNetworkAccessManager> network;
    Config config;
    RetryPolicy policy;
    QHash<QString, QDateTime> gates; // account → no request before this instant (Retry-After)

    qint64 gateWaitMs(const QString &key, const QDateTime &now)
    {
        const auto it = gates.constFind(key);
        if (key.isEmpty() || it == gates.constEnd())
            return 0;
        const qint64 wait = now.msecsTo(*it);
        if (wait <= 0)
            gates.remove(key);
        return std::max<qint64>(0, wait);
    }

    void closeGate(const QString &key, const QDateTime &until, const QDateTime &now)
    {
        if (key.isEmpty() || !until.isValid() || until <= now)
            return;
        const QDateTime bounded = std::min(until, now.addMSecs(config.maxGateMs));
        QDateTime &gate = gates[key];
        if (!gate.isValid() || gate < bounded)
            gate = bounded;
    }
};

// What one job sends on every attempt.
struct Outgoing
{
    QByteArray method;
    QUrl url;
    std::optional<QByteArray> body;
    HttpClient::Headers headers;
    HttpCall::Purpose purpose = HttpCall::Purpose::Other;
    QString gateKey; // empty: never held
    qint64 maxBytes = 0;
    QString apiKey; // for redaction only
    bool carriesKey = false;
};

// One request with its retries: owns at most one QNetworkReply at a time and deletes it (deleteLater) on
// every path, follows redirects itself, waits for backoff and Retry-After gates with its own timer, and
// finishes exactly once.
class HttpJob final : public TransportReply
{
public:
    HttpJob(std::shared_ptr<HttpClient::Shared> shared, Outgoing out)
        : m_shared(std::move(shared))
        , m_out(std::move(out))
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire before a Retry-After deadline
        connect(&m_timer, &QTimer::timeout, this, &HttpJob::attempt);
    }

    ~HttpJob() override { stopNetwork(); }

    void start() { attempt(); }

protected:
    void onAbort() override
    {
        m_timer.stop();
        stopNetwork();
    }

private:
    void attempt();
    void startHop();
    QNetworkReply *issue(QNetworkAccessManager &network, QNetworkRequest request) const;
    void onMetaData();
    void onReadyRead();
    void onFinished();
    bool followRedirect(int status, const QByteArray &location);
    Error tooLarge(qint64 announced) const;
    void conclude(Result<HttpResponse> result, const RetryPolicy::Outcome &outcome);
    void fail(const Error &error);
    QNetworkReply *detach();
    void stopNetwork();
    void wait(qint64 ms);
    void log(const Result<HttpResponse> &result) const;
    QString shown(const QUrl &url) const
    {
        return HttpClient::redactText(url.toDisplayString(), m_out.apiKey);
    }

    std::shared_ptr<HttpClient::Shared> m_shared;
    Outgoing m_out;
    QTimer m_timer;
    QPointer<QNetworkReply> m_reply;
    int m_attempt = 0;
    QElapsedTimer m_elapsed;
    // The current hop of this attempt: redirects change the URL, and 303 (or 301/302 after a POST) the
    // method to a GET without a body, as browsers do.
    QUrl m_current;
    QByteArray m_method;
    bool m_withBody = false;
    int m_redirects = 0;
    QByteArray m_body;
};

} // namespace tessera
