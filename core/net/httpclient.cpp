#include "httpclient.h"

#include "httpjob.h"
#include "logging.h"

#include <QJsonDocument>
#include <QUrlQuery>

#include <utility>

namespace tessera {

namespace {

const QByteArray kRedacted = QByteArrayLiteral("<redacted>");

bool isHttpScheme(const QString &scheme)
{
    return scheme == QLatin1String("https") || scheme == QLatin1String("http");
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const auto defaultPort
        = [](const QUrl &u) { return u.port(u.scheme() == QLatin1String("https") ? 443 : 80); };
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && defaultPort(a) == defaultPort(b);
}

// Percent-encodes every reserved character of keys and values ('+' included), so the server reads back
// exactly what the adapter put in.
QString encodeQuery(const QUrlQuery &query)
{
    QByteArray text;
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items) {
        if (!text.isEmpty())
            text += '&';
        text += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return QString::fromLatin1(text);
}

QString gateKeyOf(const Account &account)
{
    return account.id.isEmpty() ? account.baseUrl : account.id;
}

} // namespace

HttpClient::HttpClient(QNetworkAccessManager &network)
    : HttpClient(network, Config())
{ }

HttpClient::HttpClient(QNetworkAccessManager &network, Config config)
    : m_shared(std::make_shared<Shared>())
{
    m_shared->network = &network;
    m_shared->policy = RetryPolicy(config.retry, config.random);
    m_shared->config = std::move(config);
}

HttpClient::~HttpClient() = default;

TransportReply *HttpClient::send(const HttpCall &call, const Account &account, const QString &apiKey)
{
    // No request of a real family leaves without its key: the server would answer 401 to an anonymous
    // one (a cancel that then never happens, a test that says "rejected"). A missing key is MissingKey.
    if (apiKey.isEmpty() && call.auth != HttpCall::Auth::None) {
        qCDebug(lcNet).noquote() << "refused" << call.describe() << "for" << account.id << ": no API key";
        return TransportReply::finishedWith(Error::missingKey(account.displayName()));
    }
    Result<QUrl> url = callUrl(account.baseUrl, call);
    if (!url) {
        qCDebug(lcNet).noquote() << "refused" << call.describe() << "for" << account.id << ":"
                                 << url.error().message;
        return TransportReply::finishedWith(url.error());
    }
    Outgoing out;
    out.method = call.method.toUpper();
    out.url = *url;
    out.purpose = call.purpose;
    out.gateKey = gateKeyOf(account);
    out.maxBytes = m_shared->config.maxResponseBytes;
    out.apiKey = apiKey;
    out.headers.append({QByteArrayLiteral("User-Agent"), m_shared->config.userAgent});
    out.headers.append({QByteArrayLiteral("Accept"), QByteArrayLiteral("application/json")});
    if (!apiKey.isEmpty()) {
        const QByteArray key = apiKey.toUtf8();
        switch (call.auth) {
        case HttpCall::Auth::Bearer:
            out.headers.append({QByteArrayLiteral("Authorization"), "Bearer " + key});
            break;
        case HttpCall::Auth::Raw:
            out.headers.append({QByteArrayLiteral("Authorization"), key});
            break;
        case HttpCall::Auth::MjApiSecret:
            out.headers.append({QByteArrayLiteral("mj-api-secret"), key});
            break;
        case HttpCall::Auth::None:
            break;
        }
        out.carriesKey = call.auth != HttpCall::Auth::None;
    }
    // PROVIDERS.md "General rules": POST bodies are JSON with Content-Type: application/json. A POST
    // without a body says so too (Qt would otherwise guess a form encoding).
    if (call.body || out.method == "POST") {
        out.body = call.body ? call.body->toJson(QJsonDocument::Compact) : QByteArray();
        out.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    }
    auto *job = new HttpJob(m_shared, std::move(out));
    job->start();
    return job;
}

TransportReply *HttpClient::download(const QUrl &url, const Account &account, qint64 maxBytes)
{
    Result<QUrl> target = downloadUrl(url);
    if (!target) {
        qCDebug(lcNet).noquote() << "refused download" << url.scheme() << url.host() << ":"
                                 << target.error().message;
        return TransportReply::finishedWith(target.error());
    }
    Outgoing out;
    out.method = "GET";
    out.url = *target;
    out.purpose = HttpCall::Purpose::Status; // fetching a file is safe to repeat
    // Held by the account's Retry-After only when the file comes from the account's own API host
    // (a self-hosted proxy serving its images); a CDN has limits of its own.
    const QUrl base(account.baseUrl.trimmed());
    if (base.isValid() && sameOrigin(base, *target))
        out.gateKey = gateKeyOf(account);
    out.maxBytes = maxBytes > 0 ? maxBytes : m_shared->config.maxResponseBytes;
    out.headers.append({QByteArrayLiteral("User-Agent"), m_shared->config.userAgent});
    auto *job = new HttpJob(m_shared, std::move(out));
    job->start();
    return job;
}

QDateTime HttpClient::heldUntil(const Account &account) const
{
    const QDateTime until = m_shared->gates.value(gateKeyOf(account));
    return until.isValid() && until > QDateTime::currentDateTimeUtc() ? until : QDateTime();
}

Result<QUrl> HttpClient::callUrl(const QString &baseUrl, const HttpCall &call)
{
    QString base = baseUrl.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    if (base.isEmpty())
        return Error::make(Error::Kind::InvalidRequest, tr("The account has no base URL"));
    QString path = call.path;
    if (!path.isEmpty() && !path.startsWith(QLatin1Char('/')))
        path.prepend(QLatin1Char('/'));
    QUrl url(base + path);
    if (url.isValid() && !isHttpScheme(url.scheme().toLower()))
        return checkScheme(url).error();
    if (!url.isValid() || url.host().isEmpty())
        return Error::make(Error::Kind::InvalidRequest,
                           tr("The base URL \"%1\" is not a valid address").arg(baseUrl));
    if (!call.query.isEmpty())
        url.setQuery(encodeQuery(call.query), QUrl::StrictMode);
    if (const Status s = checkScheme(url); !s)
        return s.error();
    return url;
}

Result<QUrl> HttpClient::downloadUrl(const QUrl &url)
{
    if (url.isValid() && !isHttpScheme(url.scheme().toLower()))
        return checkScheme(url).error();
    if (!url.isValid() || url.host().isEmpty())
        return Error::make(Error::Kind::InvalidRequest, tr("The download address is not valid"));
    QUrl target = url;
    if (target.scheme() == QLatin1String("http") && !http::isLoopbackHost(target.host())) {
        target.setScheme(QStringLiteral("https"));
        if (target.port() == 80)
            target.setPort(-1);
    }
    if (const Status s = checkScheme(target); !s)
        return s.error();
    return target;
}

Status HttpClient::checkScheme(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return {};
    if (scheme == QLatin1String("http")) {
        if (http::isLoopbackHost(url.host()))
            return {};
        return Error::make(
            Error::Kind::Unsupported,
            tr("Tessera talks to %1 only over HTTPS; plain http:// is allowed only for this computer "
               "(localhost, 127.0.0.1, ::1). Change the base URL to https://%1")
                .arg(url.host()));
    }
    return Error::make(
        Error::Kind::Unsupported,
        tr("Tessera cannot use %1: addresses; only https:// (and http:// on this computer) is supported")
            .arg(scheme));
}

Status HttpClient::checkRedirect(const QUrl &from, const QUrl &to, bool carriesKey)
{
    const QString scheme = to.scheme().toLower();
    if (!to.isValid() || scheme.isEmpty())
        return Error::make(Error::Kind::Unsupported,
                           tr("The server redirected to an address Tessera cannot read"));
    if (!isHttpScheme(scheme))
        return Error::make(
            Error::Kind::Unsupported,
            tr("The server redirected to a %1: address, which Tessera does not follow").arg(scheme));
    if (from.scheme().toLower() == QLatin1String("https") && scheme == QLatin1String("http"))
        return Error::make(
            Error::Kind::Unsupported,
            tr("The server redirected from HTTPS to plain http:// (%1); Tessera does not follow a "
               "downgrade")
                .arg(to.host()));
    if (scheme == QLatin1String("http") && !http::isLoopbackHost(to.host()))
        return Error::make(
            Error::Kind::Unsupported,
            tr("The server redirected to plain http:// at %1; Tessera requires HTTPS there").arg(to.host()));
    if (carriesKey && !sameOrigin(from, to))
        return Error::make(
            Error::Kind::Unsupported,
            tr("The server redirected to another host (%1); Tessera does not send the API key there")
                .arg(to.host()));
    return {};
}

QString HttpClient::redactText(QString text, const QString &apiKey)
{
    if (!apiKey.isEmpty())
        text.replace(apiKey, QString::fromLatin1(kRedacted));
    return text;
}

HttpClient::Headers HttpClient::redactHeaders(const Headers &headers, const QString &apiKey)
{
    static const QList<QByteArray> secret {
        "authorization", "proxy-authorization", "mj-api-secret", "x-api-key", "cookie", "set-cookie"};
    const QByteArray key = apiKey.toUtf8();
    Headers out;
    out.reserve(headers.size());
    for (const auto &[name, value] : headers) {
        const bool hide = secret.contains(name.toLower()) || (!key.isEmpty() && value.contains(key));
        out.append({name, hide ? kRedacted : value});
    }
    return out;
}

} // namespace tessera
