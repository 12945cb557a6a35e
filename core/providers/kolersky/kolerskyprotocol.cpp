#include "kolerskyprotocol.h"

#include "providers/common/vendorjson.h"

#include <QCoreApplication>

#include <array>

namespace tessera::kolersky {

namespace {

struct TaskTypeName
{
    GenerateType type;
    const char *name;
};

constexpr std::array kTaskTypes {
    TaskTypeName {GenerateType::Text, "text-to-image"},
    TaskTypeName {GenerateType::Image, "image-to-image"},
    TaskTypeName {GenerateType::Style, "style-reference"},
    TaskTypeName {GenerateType::Omni, "omni-reference"},
    TaskTypeName {GenerateType::Video, "image-to-video"},
    TaskTypeName {GenerateType::VideoHd, "image-to-video-hd"},
};

// Words of content-policy refusals: Midjourney's own ("Banned prompt detected", "our AI moderator thinks
// this prompt is probably against our community standards", "image filters") and the vendor's Russian.
// Not "forbidden": a reference URL answering "403 Forbidden" is no content refusal.
constexpr std::array kPolicyWords {
    "banned",
    "moderat",
    "community standards",
    "community guidelines",
    "content policy",
    "policy violation",
    "violat",
    "prohibited",
    "nsfw",
    "inappropriate",
    "image filter",
    "запрещ",
    "модерац",
    "нарушени",
    "нарушает",
};

bool isSuccessCode(int code)
{
    return code >= 200 && code < 300;
}

} // namespace

QString tr(const char *text)
{
    return QCoreApplication::translate("KolerskyAdapter", text);
}

QString familyName()
{
    return QStringLiteral("kolersky");
}

const QStringList &aspectRatios()
{
    static const QStringList ratios {QStringLiteral("1:2"),  QStringLiteral("9:16"), QStringLiteral("2:3"),
                                     QStringLiteral("3:4"),  QStringLiteral("5:6"),  QStringLiteral("6:5"),
                                     QStringLiteral("4:3"),  QStringLiteral("3:2"),  QStringLiteral("1:1"),
                                     QStringLiteral("16:9"), QStringLiteral("2:1")};
    return ratios;
}

const QStringList &versions()
{
    static const QStringList list {QStringLiteral("7"),   QStringLiteral("6.1"), QStringLiteral("6"),
                                   QStringLiteral("5.2"), QStringLiteral("5.1"), QStringLiteral("niji6")};
    return list;
}

const QStringList &speeds()
{
    static const QStringList list {QStringLiteral("relaxed"), QStringLiteral("fast"),
                                   QStringLiteral("turbo")};
    return list;
}

const QStringList &motions()
{
    static const QStringList list {QStringLiteral("low"), QStringLiteral("high")};
    return list;
}

QString taskTypeName(GenerateType type)
{
    for (const auto &t : kTaskTypes) {
        if (t.type == type)
            return QString::fromLatin1(t.name);
    }
    return {};
}

bool isVideo(GenerateType type)
{
    return type == GenerateType::Video || type == GenerateType::VideoHd;
}

bool takesSpeed(GenerateType type)
{
    return !isVideo(type) && type != GenerateType::Omni;
}

std::optional<QString> zoomRatio(const QString &factor)
{
    bool ok = false;
    const double value = factor.trimmed().toDouble(&ok);
    if (!ok || !(value > 1.0 && value <= 2.0))
        return std::nullopt;
    // "2.0" and "2" mean the same; the vendor's examples spell it "2" and "1.5".
    return QString::number(value, 'g', 12);
}

std::optional<int> envelopeCode(const QJsonObject &body)
{
    const QJsonValue v = body.value(QStringLiteral("code"));
    if (v.isDouble())
        return v.toInt();
    if (v.isString()) {
        bool ok = false;
        const int code = v.toString().trimmed().toInt(&ok);
        if (ok)
            return code;
    }
    return std::nullopt;
}

Error::Kind kindFor(int code, const QString &words)
{
    const QString w = words.toLower();
    if (w.contains(QLatin1String("insufficient")) || w.contains(QLatin1String("requests remaining"))
        || w.contains(QLatin1String("remaining requests")))
        return Error::Kind::PaymentRequired;
    return vendor::kindForStatus(code);
}

std::optional<Error> envelopeError(const HttpResponse &response, const QJsonObject &body)
{
    const std::optional<int> code = envelopeCode(body);
    const QString err = vendor::firstString(body, {"err"});
    const bool httpFailed = !response.isSuccess();
    const bool envelopeFailed = (code && !isSuccessCode(*code)) || (!code && !err.isEmpty());
    if (!httpFailed && !envelopeFailed)
        return std::nullopt;

    const QString message = vendor::firstString(body, {"message", "err"});
    // The envelope's own code says more than a 200 around it; when both fail, the envelope's is the
    // vendor's more specific word (a 400 page around "code": 403 "Insufficient requests").
    int effective = response.status;
    if (code && *code >= 400)
        effective = *code;
    const QString words = err + QLatin1Char(' ') + message;
    Error::Kind kind = !httpFailed && !code ? Error::Kind::InvalidRequest : kindFor(effective, words);
    // A prompt refused at submit ("Banned prompt") is a content-policy refusal, not a malformed request.
    const bool plainRefusal = kind == Error::Kind::InvalidRequest || kind == Error::Kind::BadResponse
        || kind == Error::Kind::ServerError;
    if (plainRefusal && isContentPolicy(words))
        kind = Error::Kind::ContentRejected;
    QString text = message;
    if (text.isEmpty()) {
        text = tr("The server answered %1").arg(effective);
        if (const QString said = vendor::excerpt(response.body); !said.isEmpty())
            text += QStringLiteral(": ") + said;
    }
    Error e = Error::make(kind, text, response.status, code ? QString::number(*code) : QString());
    if (kind == Error::Kind::RateLimited || response.status == 503)
        e.retryAfter = vendor::retryAfter(response);
    return e;
}

bool isContentPolicy(const QString &text)
{
    const QString t = text.toLower();
    for (const char *word : kPolicyWords) {
        if (t.contains(QString::fromUtf8(word)))
            return true;
    }
    return false;
}

} // namespace tessera::kolersky
