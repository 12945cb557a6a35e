#include "httpjob.h"

#include "logging.h"

#include <QIODevice>
#include <QLocale>
#include <QNetworkRequest>

#include <array>
#include <cstring>
#include <limits>
#include <utility>

namespace tessera {

namespace {

constexpr int kLoggedExcerpt = 200;

QString headerText(const HttpClient::Headers &headers)
{
    QStringList parts;
    for (const auto &[name, value] : headers)
        parts.append(QString::fromLatin1(name) + QStringLiteral(": ") + QString::fromUtf8(value));
    return parts.join(QStringLiteral("; "));
}

bool isTextual(const QByteArray &contentType)
{
    const QByteArray type = contentType.toLower();
    return type.isEmpty() || type.contains("json") || type.startsWith("text/") || type.contains("xml");
}

// What a QNetworkReply error means for a retry. Errors 201-299 and 401-499 are HTTP statuses that Qt
// also reports as errors; those are answers, not failures, and are handled before this is asked.
RetryPolicy::Failure failureOf(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyNotFoundError:
        return RetryPolicy::Failure::NotConnected;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // Qt 6.4 aborts this way when the transfer timeout fires
    case QNetworkReply::ProxyTimeoutError:
        return RetryPolicy::Failure::Timeout;
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::ContentReSendError: // closed before the answer, and a OneShotBody cannot go again
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::UnknownNetworkError:
        return RetryPolicy::Failure::Dropped;
    default:
        return RetryPolicy::Failure::Fatal;
    }
}

// True when Qt's error means no complete HTTP answer arrived (network, proxy, protocol layer), as
// opposed to an HTTP error status that came with a full answer.
bool isTransportError(QNetworkReply::NetworkError error)
{
    const int code = static_cast<int>(error);
    return (code > 0 && code < 200) || error == QNetworkReply::ContentReSendError
        || error == QNetworkReply::ProtocolUnknownError || error == QNetworkReply::ProtocolFailure;
}

// A request body Qt can read once and never again. Qt's HTTP layer silently re-sends a request when the
// connection closes before the answer starts (QHttpNetworkConnectionChannel's reconnect attempts), which
// would submit a paid task twice (PROVIDERS.md §6). Given a sequential device that cannot be reset and
// told not to buffer it, Qt instead ends the reply with ContentReSendError, which Tessera reports as a
// dropped connection and does not retry for a submit.
class OneShotBody final : public QIODevice
{
public:
    OneShotBody(QByteArray data, QObject *parent)
        : QIODevice(parent)
        , m_data(std::move(data))
    {
        open(QIODevice::ReadOnly);
    }

    bool isSequential() const override { return true; }
    bool reset() override { return false; }
    qint64 bytesAvailable() const override { return m_data.size() - m_read + QIODevice::bytesAvailable(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_read >= m_data.size())
            return -1; // the end: a sequential device says so with -1
        const qint64 n = std::min<qint64>(maxSize, m_data.size() - m_read);
        std::memcpy(data, m_data.constData() + m_read, static_cast<size_t>(n));
        m_read += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_read = 0;
};

} // namespace

void HttpJob::attempt()
{
    if (isFinished())
        return;
    if (!m_shared->network) {
        finish(Error::make(Error::Kind::Network, HttpClient::tr("The network connection was shut down")));
        return;
    }
    // Checked before every attempt (and again when the timer fires): an account's gate may have closed
    // while this request was waiting for its own backoff.
    if (const qint64 held = m_shared->gateWaitMs(m_out.gateKey, QDateTime::currentDateTimeUtc()); held > 0) {
        qCDebug(lcNet).noquote() << m_out.method << shown(m_out.url) << "held" << held
                                 << "ms by the account's Retry-After";
        emit waiting(QDateTime::currentMSecsSinceEpoch() + held, 429);
        wait(held);
        return;
    }
    ++m_attempt;
    m_elapsed.start();
    m_current = m_out.url;
    m_method = m_out.method;
    m_withBody = m_out.body.has_value();
    m_redirects = 0;
    startHop();
}

void HttpJob::startHop()
{
    const HttpClient::Config &config = m_shared->config;
    QNetworkRequest request(m_current);
    for (const auto &[name, value] : std::as_const(m_out.headers)) {
        if (m_withBody || name != "Content-Type")
            request.setRawHeader(name, value);
    }
    // Redirects are followed here, not by Qt: Qt 6.4 copies every header (the API key too) to any target
    // and mixes up the headers of a reply that went through several redirects.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(config.transferTimeoutMs);
    // No cookie jar: an API call or a CDN download must not carry what another site set.
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);

    m_body.clear();
    m_reply = issue(*m_shared->network, request);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &HttpJob::onMetaData);
    connect(m_reply, &QNetworkReply::readyRead, this, &HttpJob::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &HttpJob::onFinished);
    // The manager deletes its replies when it goes away, without a finished() signal.
    connect(m_reply, &QObject::destroyed, this, [this] {
        finish(Error::make(Error::Kind::Network, HttpClient::tr("The network connection was shut down")));
    });
}

QNetworkReply *HttpJob::issue(QNetworkAccessManager &network, QNetworkRequest request) const
{
    const QByteArray body = m_withBody ? m_out.body.value_or(QByteArray()) : QByteArray();
    if (m_withBody && !RetryPolicy::isRepeatable(m_out.purpose)) {
        request.setHeader(QNetworkRequest::ContentLengthHeader, body.size());
        request.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false); // the path proven by the tests
        auto *device = new OneShotBody(body, nullptr);
        QNetworkReply *reply = m_method == "POST" ? network.post(request, device)
            : m_method == "PUT"                   ? network.put(request, device)
                                                  : network.sendCustomRequest(request, m_method, device);
        device->setParent(reply);
        return reply;
    }
    if (m_method == "GET" && !m_withBody)
        return network.get(request);
    if (m_method == "HEAD")
        return network.head(request);
    if (m_method == "POST")
        return network.post(request, body);
    if (m_method == "PUT")
        return network.put(request, body);
    if (m_method == "DELETE" && !m_withBody)
        return network.deleteResource(request);
    return network.sendCustomRequest(request, m_method, body);
}

Error HttpJob::tooLarge(qint64 announced) const
{
    const QLocale c = QLocale::c();
    const QString limit = c.formattedDataSize(m_out.maxBytes);
    return Error::make(Error::Kind::BadResponse,
                       announced > 0 ? HttpClient::tr("Answer too large: %1 announced, the limit is %2")
                                           .arg(c.formattedDataSize(announced), limit)
                                     : HttpClient::tr("Answer too large: more than %1").arg(limit));
}

void HttpJob::onMetaData()
{
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 300 && status < 400)
        return; // a redirect's own body is thrown away
    bool ok = false;
    const qint64 length = m_reply->header(QNetworkRequest::ContentLengthHeader).toLongLong(&ok);
    if (ok && length > m_out.maxBytes)
        fail(tooLarge(length)); // before a byte of the body is read
}

void HttpJob::onReadyRead()
{
    m_body += m_reply->readAll();
    if (m_body.size() > m_out.maxBytes)
        fail(tooLarge(0));
}

void HttpJob::onFinished()
{
    QNetworkReply *reply = detach();
    if (!reply)
        return;
    if (reply->isOpen())
        m_body += reply->readAll();
    if (m_body.size() > m_out.maxBytes) {
        fail(tooLarge(0));
        return;
    }
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const QNetworkReply::NetworkError error = reply->error();
    // On a 307/308 Qt rewinds the body in case it follows the redirect itself; a OneShotBody refuses and
    // Qt reports ContentReSendError, although the whole answer (status, Location) did arrive.
    const bool redirected
        = error == QNetworkReply::ContentReSendError && (status.toInt() == 307 || status.toInt() == 308);
    if ((isTransportError(error) && !redirected) || !status.isValid()) {
        const RetryPolicy::Failure failure = failureOf(error);
        Error e;
        if (failure == RetryPolicy::Failure::Timeout)
            e = Error::make(Error::Kind::Timeout,
                            HttpClient::tr("No answer from %1 within %2 s")
                                .arg(m_current.host())
                                .arg(m_shared->config.transferTimeoutMs / 1000.0));
        else if (error == QNetworkReply::ContentReSendError)
            e = Error::make(
                Error::Kind::Network,
                HttpClient::tr("The connection to %1 closed before an answer came; the request may "
                               "have reached the server, so it was not sent again")
                    .arg(m_current.host()));
        else
            e = Error::make(Error::Kind::Network, reply->errorString());
        conclude(e, RetryPolicy::Outcome::failed(failure));
        return;
    }
    HttpResponse response;
    response.status = status.toInt();
    response.headers = reply->rawHeaderPairs();
    response.body = std::exchange(m_body, {});
    response.received = QDateTime::currentDateTimeUtc();
    if (followRedirect(response.status, response.header("Location")))
        return;
    QDateTime retryAfter;
    if (response.status == 429 || response.status == 503) {
        retryAfter = http::retryAfter(response);
        m_shared->closeGate(m_out.gateKey, retryAfter, response.received);
    }
    conclude(response, RetryPolicy::Outcome::answer(response.status, retryAfter));
}

// True when the answer was a redirect this job dealt with: followed, or refused (which finishes it).
bool HttpJob::followRedirect(int status, const QByteArray &location)
{
    static constexpr std::array kRedirects {301, 302, 303, 307, 308};
    if (location.isEmpty() || std::find(kRedirects.begin(), kRedirects.end(), status) == kRedirects.end())
        return false;
    const QUrl to = m_current.resolved(QUrl(QString::fromUtf8(location.trimmed())));
    if (const Status allowed = HttpClient::checkRedirect(m_current, to, m_out.carriesKey); !allowed) {
        Error e = allowed.error();
        e.httpStatus = status;
        fail(e);
        return true;
    }
    if (m_redirects >= m_shared->config.maxRedirects) {
        fail(Error::make(
            Error::Kind::BadResponse,
            HttpClient::tr("Too many redirects (more than %1)").arg(m_shared->config.maxRedirects), status));
        return true;
    }
    ++m_redirects;
    qCDebug(lcNet).noquote() << status << "redirect" << shown(m_current) << "→" << shown(to);
    if (status == 303 || ((status == 301 || status == 302) && m_method == "POST")) {
        if (m_method != "HEAD")
            m_method = "GET";
        m_withBody = false;
    }
    m_current = to;
    startHop();
    return true;
}

void HttpJob::conclude(Result<HttpResponse> result, const RetryPolicy::Outcome &outcome)
{
    log(result);
    const RetryPolicy::Decision decision
        = m_shared->policy.decide(m_out.purpose, m_attempt, outcome, QDateTime::currentDateTimeUtc());
    if (!decision.retry) {
        finish(std::move(result));
        return;
    }
    qCDebug(lcNet).noquote() << m_out.method << shown(m_out.url) << "retry in" << decision.delayMs << "ms";
    if (outcome.failure == RetryPolicy::Failure::None && (outcome.status == 429 || outcome.status == 503))
        emit waiting(QDateTime::currentMSecsSinceEpoch() + decision.delayMs, outcome.status);
    wait(decision.delayMs);
}

// An attempt that ends on Tessera's side (too large, refused redirect): never retried.
void HttpJob::fail(const Error &error)
{
    if (QNetworkReply *reply = detach())
        reply->abort();
    log(error);
    finish(error);
}

QNetworkReply *HttpJob::detach()
{
    QNetworkReply *reply = m_reply.data();
    m_reply.clear();
    if (reply) {
        disconnect(reply, nullptr, this, nullptr);
        reply->deleteLater();
    }
    return reply;
}

void HttpJob::stopNetwork()
{
    if (QNetworkReply *reply = detach())
        reply->abort();
}

void HttpJob::wait(qint64 ms)
{
    m_timer.start(static_cast<int>(std::clamp<qint64>(ms, 0, std::numeric_limits<int>::max())));
}

// The one place that logs traffic (STYLE.md): headers only through redactHeaders(), never a request
// body (it may hold masks), at most a short excerpt of a textual answer.
void HttpJob::log(const Result<HttpResponse> &result) const
{
    if (!lcNet().isDebugEnabled())
        return;
    QString line = QStringLiteral("%1 %2 attempt %3 → ")
                       .arg(QString::fromLatin1(m_method), shown(m_current))
                       .arg(m_attempt);
    if (result)
        line += QStringLiteral("%1, sent %2 B, received %3 B")
                    .arg(result->status)
                    .arg(m_withBody ? m_out.body.value_or(QByteArray()).size() : 0)
                    .arg(result->body.size());
    else
        line += Error::kindName(result.error().kind) + QStringLiteral(": ") + result.error().message;
    line += QStringLiteral(" in %1 ms | request: ").arg(m_elapsed.isValid() ? m_elapsed.elapsed() : 0)
        + headerText(HttpClient::redactHeaders(m_out.headers, m_out.apiKey));
    if (result) {
        line += QStringLiteral(" | answer: ")
            + headerText(HttpClient::redactHeaders(result->headers, m_out.apiKey));
        if (isTextual(result->header("Content-Type")) && !result->body.isEmpty())
            line += QStringLiteral(" | ")
                + HttpClient::redactText(http::excerpt(result->body, kLoggedExcerpt), m_out.apiKey);
    }
    qCDebug(lcNet).noquote() << line;
}

} // namespace tessera
