// Reading kie's answers (PROVIDERS.md §3): the {code, msg, data} envelope, whose code may carry an error
// while HTTP says 200 (and the other way round), the submit's data.taskId and record-info's task record.

#include "kieadapter.h"
#include "kieprotocol.h"
#include "providers/common/vendorjson.h"

#include <QJsonArray>
#include <QUrl>

#include <algorithm>
#include <array>
#include <cmath>

namespace tessera::kie {

namespace {

constexpr int kOk = 200;
constexpr int kGenerationFailed = 501; // "Generation Failed - Image generation task failed"

// successFlag of record-info.
enum SuccessFlag { Generating = 0, Success = 1, Failed = 2, GenerationFailed = 3 };

// Words of a failure message that mean the prompt or image was refused, not that generation broke.
constexpr std::array kContentPolicyWords {"banned",   "moderat", "policy",        "violat",
                                          "prohibit", "nsfw",    "inappropriate", "sensitive"};

// Words of a 403 that mean "no credits left" rather than "wrong key": gateways in front of kie answer
// 403 for an empty balance (PRODUCT.md "Bad input": no credits is 402/403 "requests remaining").
constexpr std::array kCreditsWords {"credit", "balance", "requests remaining", "remaining requests"};

bool speaksOfCredits(const QString &message)
{
    const QString lower = message.toLower();
    return std::any_of(kCreditsWords.cbegin(), kCreditsWords.cend(),
                       [&](const char *word) { return lower.contains(QLatin1String(word)); });
}

struct Envelope
{
    std::optional<int> code;
    QString msg;
    QJsonObject json;
};

// The vendor's own words, verbatim (PROVIDERS.md §3 `msg`; gateways in front of kie may say `message`).
QString readMsg(const QJsonObject &json)
{
    const QJsonValue msg = json.value(QLatin1String("msg"));
    if (msg.isString() && !msg.toString().trimmed().isEmpty())
        return msg.toString();
    return vendor::firstString(json, {"message", "error"});
}

// An error code in the envelope is the more precise of the two (HTTP 200 with code 402, HTTP 500 with
// code 455); the HTTP status decides when the envelope carries none.
Error envelopeError(const HttpResponse &response, const std::optional<int> &code, const QString &msg)
{
    const bool coded = code && *code != kOk;
    QString message = msg;
    if (message.isEmpty()) {
        message = coded ? tr("kie answered code %1").arg(*code) : tr("HTTP %1").arg(response.status);
        const QString body = http::excerpt(response.body);
        if (!body.isEmpty())
            message += QStringLiteral(": ") + body;
    }
    const int status = coded ? *code : response.status;
    Error::Kind kind = vendor::kindForStatus(status);
    if (status == 403 && speaksOfCredits(msg))
        kind = Error::Kind::PaymentRequired;
    Error e = Error::make(kind, message, response.status, coded ? QString::number(*code) : QString());
    if (e.kind == Error::Kind::RateLimited || response.status == 503)
        e.retryAfter = http::retryAfter(response);
    return e;
}

// Every answer goes through here, whatever its HTTP status: a page that is not JSON, an HTTP error or an
// envelope error becomes an Error; a good envelope comes back whole.
Result<Envelope> readEnvelope(const HttpResponse &response)
{
    const Result<QJsonObject> json = vendor::parseObject(response);
    if (!json)
        return response.isSuccess() ? json.error() : vendor::httpError(response);
    Envelope envelope;
    envelope.code = vendor::codeNumber(json->value(QLatin1String("code")));
    envelope.msg = readMsg(*json);
    envelope.json = *json;
    if (!response.isSuccess() || (envelope.code && *envelope.code != kOk))
        return envelopeError(response, envelope.code, envelope.msg);
    if (!envelope.code)
        return vendor::badShape(response, tr("\"code\" is missing or not a number"));
    return envelope;
}

Result<QJsonObject> envelopeData(const HttpResponse &response, const Envelope &envelope)
{
    const QJsonValue data = envelope.json.value(QLatin1String("data"));
    if (data.isObject())
        return data.toObject();
    return vendor::badShape(response,
                            data.isUndefined() || data.isNull() ? tr("\"data\" is missing")
                                                                : tr("\"data\" is not an object"));
}

bool looksLikeVideo(const QString &url)
{
    static const QStringList suffixes {QStringLiteral(".mp4"), QStringLiteral(".webm"),
                                       QStringLiteral(".mov"), QStringLiteral(".m4v")};
    const QString path = QUrl(url).path().toLower();
    return std::any_of(suffixes.cbegin(), suffixes.cend(),
                       [&](const QString &s) { return path.endsWith(s); });
}

// resultInfoJson is an object in the vendor doc; like apixo's resultJson it may arrive as a JSON string.
// Its resultUrls are [{resultUrl}] objects (record-info) or plain strings (the callback's shape).
Result<QStringList> resultUrls(const HttpResponse &response, const QJsonObject &data)
{
    const QJsonValue info = data.value(QLatin1String("resultInfoJson"));
    QJsonObject infoObject;
    if (info.isObject()) {
        infoObject = info.toObject();
    } else if (info.isString()) {
        const Result<QJsonObject> parsed = vendor::parseObjectText(info.toString());
        if (!parsed)
            return vendor::badShape(
                response, tr("data.resultInfoJson is not readable: %1").arg(parsed.error().message));
        infoObject = *parsed;
    } else {
        return vendor::badShape(response, tr("data.resultInfoJson is missing on a finished task"));
    }
    const QJsonValue list = infoObject.value(QLatin1String("resultUrls"));
    if (!list.isArray())
        return vendor::badShape(response, tr("data.resultInfoJson.resultUrls is missing or not a list"));
    QStringList urls;
    const QJsonArray array = list.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue item = array.at(i);
        const QJsonValue url = item.isObject() ? item.toObject().value(QLatin1String("resultUrl")) : item;
        if (!url.isString() || url.toString().trimmed().isEmpty())
            return vendor::badShape(response, tr("result %1 has no resultUrl").arg(i + 1));
        urls.append(url.toString().trimmed());
    }
    if (urls.isEmpty())
        return vendor::badShape(response, tr("the task succeeded without any resultUrl"));
    return urls;
}

// Roles (PROVIDERS.md §3): videos → Video 1..n; one image (an upscale) → Upscale 0; four separate images →
// Tile 1..4 in the vendor's order, which is row-major.
Result<QList<RemoteImage>> results(const HttpResponse &response, const QJsonObject &data,
                                   const QString &taskType)
{
    const Result<QStringList> urls = resultUrls(response, data);
    if (!urls)
        return urls.error();
    const bool video = isVideoTaskType(taskType) || std::all_of(urls->cbegin(), urls->cend(), looksLikeVideo);
    if (!video && urls->size() > 4)
        return vendor::badShape(response, tr("%1 images where at most four were expected").arg(urls->size()));
    QList<RemoteImage> out;
    for (qsizetype i = 0; i < urls->size(); ++i) {
        RemoteImage image;
        image.url = urls->at(i);
        if (video) {
            image.role = ImageRole::Video;
            image.index = static_cast<int>(i) + 1;
        } else if (urls->size() == 1) {
            image.role = ImageRole::Upscale;
            image.index = 0;
        } else {
            image.role = ImageRole::Tile;
            image.index = static_cast<int>(i) + 1;
        }
        out.append(image);
    }
    return out;
}

// A task that failed at kie is a Failed snapshot, not an Error (the poll itself worked): errorMessage
// verbatim, errorCode as the vendor code.
Error taskFailure(const QJsonObject &data, int flag)
{
    const QJsonValue messageValue = data.value(QLatin1String("errorMessage"));
    QString message = messageValue.isString() ? messageValue.toString() : QString();
    const QString code = vendor::idString(data.value(QLatin1String("errorCode")));
    if (message.trimmed().isEmpty()) {
        message = flag == GenerationFailed ? tr("kie created the task but the generation failed")
                                           : tr("kie reports that the task failed");
        if (!code.isEmpty())
            message += tr(" (error code %1)").arg(code);
    }
    const QString lower = message.toLower();
    const bool refused = std::any_of(kContentPolicyWords.cbegin(), kContentPolicyWords.cend(),
                                     [&](const char *word) { return lower.contains(QLatin1String(word)); });
    return Error::make(refused ? Error::Kind::ContentRejected : Error::Kind::ServerError, message, 0, code);
}

} // namespace

Result<SubmitOutcome> KieAdapter::parseSubmit(const Operation &op, const HttpResponse &response) const
{
    const Result<Envelope> envelope = readEnvelope(response);
    if (!envelope)
        return envelope.error();
    const Result<QJsonObject> data = envelopeData(response, *envelope);
    if (!data)
        return data.error();
    SubmitOutcome outcome;
    outcome.remoteId = vendor::idString(data->value(QLatin1String("taskId")));
    if (outcome.remoteId.isEmpty())
        return vendor::badShape(response, tr("data.taskId is missing"));
    // What the task is, known before the first poll: a later extend needs to know it made videos.
    if (op.kind == OperationKind::Imagine)
        outcome.remote.insert(kRemoteTaskType, taskTypeFor(op.type));
    else if (op.kind == OperationKind::VideoExtend)
        outcome.remote.insert(kRemoteTaskType, extendTaskType(op));
    return outcome;
}

Result<TaskSnapshot> KieAdapter::parseStatus(const HttpResponse &response) const
{
    TaskSnapshot snapshot;
    const Result<Envelope> envelope = readEnvelope(response);
    if (!envelope) {
        // Code 501 "Generation Failed" on record-info speaks of the task, not of the poll: the task is over.
        if (envelope.error().vendorCode == QString::number(kGenerationFailed)) {
            snapshot.state = TaskState::Failed;
            snapshot.error = envelope.error();
            return snapshot;
        }
        return envelope.error();
    }
    const Result<QJsonObject> data = envelopeData(response, *envelope);
    if (!data)
        return data.error();

    const QJsonValue taskTypeValue = data->value(QLatin1String("taskType"));
    const QString taskType = taskTypeValue.isString() ? taskTypeValue.toString() : QString();
    if (!taskType.isEmpty())
        snapshot.remote.insert(kRemoteTaskType, taskType);

    const QJsonValue flagValue = data->value(QLatin1String("successFlag"));
    const std::optional<int> flag = vendor::codeNumber(flagValue);
    if (!flag)
        return vendor::badShape(response,
                                flagValue.isUndefined() || flagValue.isNull()
                                    ? tr("data.successFlag is missing")
                                    : tr("data.successFlag is not a number"));
    switch (*flag) {
    case Generating:
        snapshot.state = TaskState::Running;
        return snapshot;
    case Success: {
        const Result<QList<RemoteImage>> found = results(response, *data, taskType);
        if (!found)
            return found.error();
        snapshot.state = TaskState::Succeeded;
        snapshot.results = *found;
        return snapshot;
    }
    case Failed:
    case GenerationFailed:
        snapshot.state = TaskState::Failed;
        snapshot.error = taskFailure(*data, *flag);
        return snapshot;
    default:
        return vendor::badShape(response, tr("unknown data.successFlag %1").arg(*flag));
    }
}

ConnectionReport KieAdapter::parseConnectionTest(const Result<HttpResponse> &response) const
{
    using Verdict = ConnectionReport::Verdict;
    if (!response)
        return {Verdict::Unreachable, response.error().message};
    const HttpResponse &r = *response;
    const bool httpRejected = r.status == 401 || r.status == 403;
    const Result<QJsonObject> json = vendor::parseObject(r);
    if (!json)
        return {httpRejected ? Verdict::KeyRejected : Verdict::NotThisApi,
                httpRejected ? http::excerpt(r.body) : json.error().message};
    const std::optional<int> code = vendor::codeNumber(json->value(QLatin1String("code")));
    const QString msg = readMsg(*json);
    // kie may answer HTTP 200 with envelope code 401 for a bad key. A 403 for an empty balance means the
    // key itself got through.
    if ((r.status == 403 || code == 403) && speaksOfCredits(msg))
        return {Verdict::KeyAccepted, msg};
    if (httpRejected || code == 401 || code == 403)
        return {Verdict::KeyRejected, msg.isEmpty() ? http::excerpt(r.body) : msg};
    if (!code)
        return {Verdict::NotThisApi,
                tr("The answer is JSON but not kie's {code, msg, data}: %1").arg(http::excerpt(r.body))};
    // 455: kie is under maintenance, so nothing can be said about the key yet.
    if (code == 455 || r.status == 503)
        return {Verdict::Unreachable, msg.isEmpty() ? http::excerpt(r.body) : msg};
    // Any other envelope (success, "record not found", no credits...) means the key got through.
    return {Verdict::KeyAccepted, msg};
}

} // namespace tessera::kie
