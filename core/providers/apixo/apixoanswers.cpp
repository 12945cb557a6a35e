#include "apixoadapter.h"
#include "apixoprotocol.h"
#include "providers/common/vendorjson.h"

#include <QJsonArray>

// Reading apixo's answers: the {code, message, data} envelope, task states, the resultJson string and
// failCodes (PROVIDERS.md §2).
namespace tessera::apixo {

using namespace detail;

namespace {

// "Insufficient credits" arrives with code 400 (PROVIDERS.md §2); the words say what the code does not.
bool isCreditsMessage(const QString &message)
{
    const QString m = message.toLower();
    static const char *const phrases[]
        = {"insufficient credit", "insufficient balance", "insufficient fund", "not enough credit",
           "out of credits",      "credits exhausted",    "余额不足",          "积分不足"};
    for (const char *phrase : phrases) {
        if (m.contains(QString::fromUtf8(phrase)))
            return true;
    }
    return false;
}

bool isAuthMessage(const QString &message)
{
    const QString m = message.toLower();
    return m.contains(QLatin1String("unauthorized")) || m.contains(QLatin1String("api key"))
        || m.contains(QLatin1String("apikey")) || m.contains(QLatin1String("api_key"))
        || m.contains(QLatin1String("invalid token"));
}

Error::Kind refineKind(Error::Kind kind, const QString &message)
{
    if (isCreditsMessage(message))
        return Error::Kind::PaymentRequired;
    if ((kind == Error::Kind::InvalidRequest || kind == Error::Kind::BadResponse) && isAuthMessage(message))
        return Error::Kind::Unauthorized;
    return kind;
}

// The envelope {code, message, data} (PROVIDERS.md §2): the data object when code is 200 on a 2xx
// answer; otherwise an Error whose kind comes from the HTTP status (non-2xx) or the envelope code (2xx),
// with the vendor's message verbatim.
Result<QJsonObject> readEnvelope(const HttpResponse &response)
{
    const Result<QJsonObject> json = vendor::parseObject(response);
    if (!json) {
        if (!response.isSuccess())
            return vendor::httpError(response);
        return json.error();
    }
    const QJsonValue codeValue = json->value(wire::kCode);
    const std::optional<int> code = vendor::codeNumber(codeValue);
    const QString vendorCode = code ? QString::number(*code) : QString();
    QString message = json->value(wire::kMessage).toString();
    if (!response.isSuccess()) {
        // Without a message, httpError() says "HTTP 4xx" and quotes the body.
        Error e = vendor::httpError(response, message, vendorCode);
        e.kind = refineKind(e.kind, message);
        return e;
    }
    if (!code)
        return vendor::badShape(response,
                                codeValue.isUndefined() ? tr("no \"code\" in the answer")
                                                        : tr("\"code\" is not a number"));
    if (*code != wire::kCodeOk) {
        if (message.trimmed().isEmpty())
            message = tr("apixo answered code %1: %2").arg(*code).arg(http::excerpt(response.body));
        Error e = Error::make(refineKind(vendor::kindForStatus(*code), message), message, response.status,
                              vendorCode);
        if (e.kind == Error::Kind::RateLimited)
            e.retryAfter = http::retryAfter(response);
        return e;
    }
    const QJsonValue data = json->value(wire::kData);
    if (!data.isObject())
        return vendor::badShape(response, tr("\"data\" is not an object"));
    return data.toObject();
}

// resultJson is a JSON string to parse again: {"resultUrls": [...]}. Four URLs are the four images of a
// generation (Tile 1..4 in the vendor's order, row-major); one URL is an upscale (or a single image).
Result<QList<RemoteImage>> readResults(const QJsonObject &data, const HttpResponse &response)
{
    const QJsonValue raw = data.value(wire::kResultJson);
    QJsonObject result;
    if (raw.isString()) {
        const Result<QJsonObject> parsed = vendor::parseObjectText(raw.toString());
        if (!parsed)
            return vendor::badShape(
                response, tr("data.resultJson is not a JSON object: %1").arg(parsed.error().message));
        result = *parsed;
    } else if (raw.isObject()) {
        result = raw.toObject(); // already decoded by a proxy in between: take it as it is
    } else {
        return vendor::badShape(response, tr("data.resultJson is missing"));
    }
    const QJsonValue urls = result.value(wire::kResultUrls);
    if (!urls.isArray())
        return vendor::badShape(response, tr("resultJson.resultUrls is missing"));
    QStringList list;
    for (const QJsonValue &v : urls.toArray()) {
        if (!v.isString() || v.toString().trimmed().isEmpty())
            return vendor::badShape(response, tr("resultJson.resultUrls holds something that is not a URL"));
        list.append(v.toString().trimmed());
    }
    if (list.isEmpty())
        return vendor::badShape(response, tr("resultJson.resultUrls is empty"));
    if (list.size() > 4)
        return vendor::badShape(
            response, tr("resultJson.resultUrls lists %1 images, at most 4 expected").arg(list.size()));
    QList<RemoteImage> images;
    if (list.size() == 1) {
        images.append({ImageRole::Upscale, 0, list.front()});
        return images;
    }
    for (int i = 0; i < list.size(); ++i)
        images.append({ImageRole::Tile, i + 1, list.at(i)});
    return images;
}

// A task that failed at the vendor is a Failed snapshot, not an Error result (the envelope stays 200).
Error taskFailure(const QJsonObject &data)
{
    const QString failCode = vendor::idString(data.value(wire::kFailCode)).trimmed();
    QString message = data.value(wire::kFailMsg).toString();
    if (message.trimmed().isEmpty())
        message = failCode.isEmpty() ? tr("apixo reported the task as failed without a reason") : failCode;
    Error::Kind kind = Error::Kind::ServerError; // a generation that failed for a reason not documented
    if (failCode == wire::kFailContent)
        kind = Error::Kind::ContentRejected;
    else if (failCode == wire::kFailImageUrl)
        kind = Error::Kind::InvalidRequest;
    else if (failCode == wire::kFailTaskId)
        kind = Error::Kind::NotFound;
    else if (isCreditsMessage(message))
        kind = Error::Kind::PaymentRequired;
    return Error::make(kind, message, 0, failCode);
}

} // namespace

Result<SubmitOutcome> ApixoAdapter::parseSubmit(const Operation &, const HttpResponse &response) const
{
    const Result<QJsonObject> data = readEnvelope(response);
    if (!data)
        return data.error();
    SubmitOutcome outcome;
    outcome.remoteId = vendor::idString(data->value(wire::kTaskId));
    if (outcome.remoteId.isEmpty())
        return vendor::badShape(response, tr("data.taskId is missing"));
    return outcome;
}

Result<TaskSnapshot> ApixoAdapter::parseStatus(const HttpResponse &response) const
{
    const Result<QJsonObject> data = readEnvelope(response);
    if (!data)
        return data.error();
    const QJsonValue stateValue = data->value(wire::kState);
    if (!stateValue.isString())
        return vendor::badShape(response, tr("data.state is missing"));
    const QString state = stateValue.toString().trimmed().toLower();

    TaskSnapshot snap;
    if (state == wire::kStatePending) {
        snap.state = TaskState::Submitted;
    } else if (state == wire::kStateProcessing) {
        snap.state = TaskState::Running;
    } else if (state == wire::kStateSuccess) {
        const Result<QList<RemoteImage>> results = readResults(*data, response);
        if (!results)
            return results.error();
        snap.state = TaskState::Succeeded;
        snap.results = *results;
    } else if (state == wire::kStateFailed) {
        snap.state = TaskState::Failed;
        snap.error = taskFailure(*data);
    } else {
        return vendor::badShape(response, tr("unknown data.state \"%1\"").arg(stateValue.toString()));
    }
    return snap;
}

ConnectionReport ApixoAdapter::parseConnectionTest(const Result<HttpResponse> &response) const
{
    // The envelope may carry the verdict under HTTP 200 (code 401), so the default reading is not enough.
    using Verdict = ConnectionReport::Verdict;
    if (!response)
        return {Verdict::Unreachable, response.error().message};
    const HttpResponse &r = *response;
    const Result<QJsonObject> json = vendor::parseObject(r);
    const QString message = json ? json->value(wire::kMessage).toString() : QString();
    const QString said = message.trimmed().isEmpty() ? http::excerpt(r.body) : message;
    if (r.status == 401 || r.status == 403)
        return {Verdict::KeyRejected, said};
    if (!json)
        return {Verdict::NotThisApi, json.error().message};
    const std::optional<int> code = vendor::codeNumber(json->value(wire::kCode));
    if (!code)
        return {
            Verdict::NotThisApi,
            tr("The answer is JSON but not apixo's {code, message, data}: %1").arg(http::excerpt(r.body))};
    if (*code == 401 || *code == 403 || isAuthMessage(message))
        return {Verdict::KeyRejected, said};
    return {Verdict::KeyAccepted, message};
}

} // namespace tessera::apixo
