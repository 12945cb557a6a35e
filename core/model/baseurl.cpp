#include "baseurl.h"

#include "httpcall.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>
#include <QUrl>

#include <array>

namespace tessera {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("BaseUrl", text);
}

// Messages never repeat what was typed: a key pasted into the wrong field must not be shown or logged.
Error problem(const char *sentence)
{
    return Error::make(Error::Kind::InvalidRequest, tr(sentence));
}

struct ApiPath
{
    std::array<const char *, 3> segments; // nullptr-terminated when shorter
    bool onlyAtEnd; // a bare version root, cut only when nothing follows it
};

// Where the families' own paths begin (PROVIDERS.md §1–§4); see baseurl.h.
constexpr std::array kApiPaths {
    ApiPath {{"api", "v1", "mj"}, false}, // kie
    ApiPath {{"api", "v1", "generateTask"}, false}, // apixo
    ApiPath {{"api", "v1", "statusTask"}, false},
    ApiPath {{"v1", "midjourney", nullptr}, false}, // kolersky
    ApiPath {{"v1", "status", nullptr}, false},
    ApiPath {{"mj", "submit", nullptr}, false}, // midjourney-proxy
    ApiPath {{"mj", "task", nullptr}, false},
    ApiPath {{"api", "v1", nullptr}, true},
    ApiPath {{"v1", nullptr, nullptr}, true},
    ApiPath {{"mj", nullptr, nullptr}, true},
};

bool matchesAt(const QStringList &segments, qsizetype at, const ApiPath &api)
{
    qsizetype i = at;
    for (const char *expected : api.segments) {
        if (!expected)
            break;
        if (i >= segments.size() || segments.at(i).compare(QLatin1String(expected), Qt::CaseInsensitive) != 0)
            return false;
        ++i;
    }
    return !api.onlyAtEnd || i == segments.size();
}

// The index of the first segment of a pasted API path, or -1.
qsizetype apiPathStart(const QStringList &segments)
{
    for (qsizetype at = 0; at < segments.size(); ++at) {
        for (const ApiPath &api : kApiPaths) {
            if (matchesAt(segments, at, api))
                return at;
        }
    }
    return -1;
}

// Path segments without empty ones (doubled and trailing slashes) and with "." and ".." resolved.
QStringList cleanSegments(const QString &path)
{
    QStringList out;
    for (const QString &segment : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (segment == QLatin1String("."))
            continue;
        if (segment == QLatin1String("..")) {
            if (!out.isEmpty())
                out.removeLast();
            continue;
        }
        out.append(segment);
    }
    return out;
}

} // namespace

Result<QString> normalizeBaseUrl(const QString &input)
{
    QString text = input.trimmed();
    if (text.isEmpty())
        return problem(QT_TRANSLATE_NOOP(
            "BaseUrl", "Base URL: enter the address of the API, for example https://api.example.com"));
    for (const QChar c : text) {
        if (c.isSpace())
            return problem(QT_TRANSLATE_NOOP("BaseUrl", "Base URL: remove the spaces inside the address"));
    }

    static const QRegularExpression schemePattern(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]*://"));
    if (!schemePattern.match(text).hasMatch()) {
        // Typed without a scheme ("api.kie.ai", "localhost:8080"): https, or http for this computer.
        const QUrl guess(QStringLiteral("https://") + text, QUrl::StrictMode);
        const bool local = guess.isValid() && http::isLoopbackHost(guess.host());
        text.prepend(local ? QStringLiteral("http://") : QStringLiteral("https://"));
    }

    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return problem(QT_TRANSLATE_NOOP("BaseUrl", "Base URL: this is not a valid web address"));
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("https") && scheme != QLatin1String("http"))
        return problem(QT_TRANSLATE_NOOP("BaseUrl", "Base URL: use an https:// address"));
    if (url.host().isEmpty())
        return problem(QT_TRANSLATE_NOOP("BaseUrl", "Base URL: the address has no server name"));
    if (!url.userInfo().isEmpty())
        return problem(QT_TRANSLATE_NOOP(
            "BaseUrl", "Base URL: remove the user name and password — the API key has its own field"));
    if (scheme == QLatin1String("http") && !http::isLoopbackHost(url.host()))
        return problem(QT_TRANSLATE_NOOP(
            "BaseUrl", "Base URL: use https:// — plain http is only allowed for this computer (localhost)"));

    QStringList segments = cleanSegments(url.path(QUrl::FullyEncoded));
    const qsizetype apiStart = apiPathStart(segments);
    if (apiStart >= 0) {
        // A pasted request URL: its query and fragment belong to that request and go with its path.
        segments = segments.mid(0, apiStart);
    } else {
        if (!url.query().isEmpty())
            return problem(QT_TRANSLATE_NOOP(
                "BaseUrl",
                "Base URL: remove the query (the part from “?”) — only the server address is needed"));
        if (!url.fragment().isEmpty())
            return problem(QT_TRANSLATE_NOOP(
                "BaseUrl", "Base URL: remove the part from “#” — only the server address is needed"));
    }

    QUrl out;
    out.setScheme(scheme);
    out.setHost(url.host(QUrl::FullyEncoded), QUrl::StrictMode);
    const int defaultPort = scheme == QLatin1String("https") ? 443 : 80;
    if (url.port() != -1 && url.port() != defaultPort)
        out.setPort(url.port());
    if (!segments.isEmpty())
        out.setPath(QLatin1Char('/') + segments.join(QLatin1Char('/')), QUrl::StrictMode);
    if (!out.isValid())
        return problem(QT_TRANSLATE_NOOP("BaseUrl", "Base URL: this is not a valid web address"));
    return out.toString(QUrl::FullyEncoded);
}

} // namespace tessera
