// Reading kolersky answers (PROVIDERS.md §1): the submit envelope, GET /v1/status, cancel and the
// connection test. Every shape is handled: errors in the envelope with HTTP 200 or not, HTML pages,
// broken JSON and wrong types (BadResponse saying what was wrong).
#include "kolerskyadapter.h"
#include "kolerskyprotocol.h"
#include "providers/common/vendorjson.h"

#include <QJsonArray>

#include <array>

namespace tessera::kolersky {

namespace {

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

// The answer as a JSON object, or the Error it stands for. A non-2xx answer that is not JSON (a proxy's
// 502 page) is an HTTP error of its status, not a BadResponse, so that 429/503/5xx keep their meaning.
Result<QJsonObject> readAnswer(const HttpResponse &response)
{
    Result<QJsonObject> body = vendor::parseObject(response);
    if (!body)
        return response.isSuccess() ? body.error() : vendor::httpError(response);
    if (std::optional<Error> e = envelopeError(response, *body))
        return *e;
    return body;
}

// The seed of a /seed task. The vendor doc shows no seed answer: Tessera reads `output.seed`, else a
// top-level `seed`, as a string or a number (read as a string, never through double).
QString seedOf(const QJsonObject &body)
{
    const QString inOutput
        = vendor::idString(body.value(QStringLiteral("output")).toObject().value(QStringLiteral("seed")));
    return inOutput.isEmpty() ? vendor::idString(body.value(QStringLiteral("seed"))) : inOutput;
}

std::optional<int> progressOf(const QJsonObject &body)
{
    const QJsonValue inOutput
        = body.value(QStringLiteral("output")).toObject().value(QStringLiteral("progress"));
    if (const auto p = vendor::percent(inOutput))
        return p;
    return vendor::percent(body.value(QStringLiteral("progress")));
}

// A task the vendor ended with status "error": not an Error of the poll but a Failed snapshot carrying
// the vendor's reason verbatim (failReason, else message).
Error taskFailure(const HttpResponse &response, const QJsonObject &body)
{
    const QJsonObject output = body.value(QStringLiteral("output")).toObject();
    QString reason = vendor::firstString(output, {"failReason", "message", "err"});
    if (reason.isEmpty())
        reason = vendor::firstString(body, {"failReason", "message", "err"});
    if (reason.isEmpty())
        reason = tr("The server reported an error without a reason");
    const std::optional<int> code = envelopeCode(body);
    Error::Kind kind = Error::Kind::ServerError;
    if (isContentPolicy(reason))
        kind = Error::Kind::ContentRejected;
    else if (code && *code >= 400)
        kind = kindFor(*code, reason);
    else if (kindFor(0, reason) == Error::Kind::PaymentRequired)
        kind = Error::Kind::PaymentRequired;
    return Error::make(kind, reason, response.status, code ? QString::number(*code) : QString());
}

// output.collage.actions: [{index, requestId}], 1-4 = V1-V4, 5-8 = U1-U4. Kept (ids as strings) for the
// details view; U and V are still sent as parent id + index (§1 Decisions).
Result<QJsonArray> readActions(const HttpResponse &response, const QJsonValue &value, bool *offersUV)
{
    *offersUV = false;
    if (value.isUndefined() || value.isNull())
        return QJsonArray();
    if (!value.isArray())
        return vendor::badShape(response, tr("output.collage.actions is not a list"));
    QJsonArray actions;
    for (const QJsonValue v : value.toArray()) {
        const QJsonObject a = v.toObject();
        const QJsonValue index = a.value(QStringLiteral("index"));
        if (!v.isObject() || !index.isDouble())
            return vendor::badShape(response, tr("an entry of output.collage.actions has no numeric index"));
        QJsonObject kept;
        kept.insert(QStringLiteral("index"), index.toInt());
        kept.insert(QStringLiteral("requestId"), vendor::idString(a.value(QStringLiteral("requestId"))));
        actions.append(kept);
        *offersUV = *offersUV || (index.toInt() >= 1 && index.toInt() <= 8);
    }
    return actions;
}

Status readVideos(const HttpResponse &response, const QJsonValue &value, TaskSnapshot &snap)
{
    if (value.isUndefined() || value.isNull())
        return {};
    if (!value.isArray())
        return vendor::badShape(response, tr("output.video_urls is not a list"));
    int index = 0;
    for (const QJsonValue v : value.toArray()) {
        if (!v.isString() || v.toString().trimmed().isEmpty())
            return vendor::badShape(response, tr("output.video_urls holds something that is not a URL"));
        snap.results.append({ImageRole::Video, ++index, v.toString().trimmed()});
    }
    return {};
}

// A string URL at `value`, or empty when absent; a BadResponse naming `field` when of another type.
Result<QString> urlAt(const HttpResponse &response, const QJsonValue &value, const QString &field)
{
    if (value.isUndefined() || value.isNull())
        return QString();
    if (!value.isString())
        return vendor::badShape(response, tr("%1 is not a URL").arg(field));
    return value.toString().trimmed();
}

// The results of a "success". The vendor doc shows two: an image task's output.collage (image_url, one
// 2x2 grid, and actions) and a video's output.video_urls. It shows no upscale (nor pan, outpaint or
// inpaint) answer. Decision: the shape decides, since a status answer does not say which operation it
// belongs to — a collage whose actions offer U/V (indexes 1-8) is a grid; a collage without them, or an
// `output.image_url`, is a single image (an upscale has no U/V of its own). Midjourney's pan, zoom out
// and vary region produce grids, which then come with their U/V actions.
Status readOutput(const HttpResponse &response, const QJsonObject &body, TaskSnapshot &snap)
{
    const QJsonValue outputValue = body.value(QStringLiteral("output"));
    if (!outputValue.isObject())
        return vendor::badShape(response, tr("a finished task without an output object"));
    const QJsonObject output = outputValue.toObject();
    if (Status s = readVideos(response, output.value(QStringLiteral("video_urls")), snap); !s)
        return s;

    const QJsonValue collageValue = output.value(QStringLiteral("collage"));
    if (!collageValue.isUndefined() && !collageValue.isNull() && !collageValue.isObject())
        return vendor::badShape(response, tr("output.collage is not an object"));
    const QJsonObject collage = collageValue.toObject();
    bool offersUV = false;
    const Result<QJsonArray> actions
        = readActions(response, collage.value(QStringLiteral("actions")), &offersUV);
    if (!actions)
        return actions.error();
    if (!actions->isEmpty())
        snap.remote.insert(QStringLiteral("actions"), *actions);

    const Result<QString> collageUrl = urlAt(response, collage.value(QStringLiteral("image_url")),
                                             QStringLiteral("output.collage.image_url"));
    if (!collageUrl)
        return collageUrl.error();
    const Result<QString> singleUrl
        = urlAt(response, output.value(QStringLiteral("image_url")), QStringLiteral("output.image_url"));
    if (!singleUrl)
        return singleUrl.error();
    if (!collageUrl->isEmpty())
        snap.results.append({offersUV ? ImageRole::Grid : ImageRole::Upscale, 0, *collageUrl});
    else if (!singleUrl->isEmpty())
        snap.results.append({ImageRole::Upscale, 0, *singleUrl});

    const QString seed = seedOf(body);
    if (!seed.isEmpty())
        snap.remote.insert(QStringLiteral("seed"), seed);
    if (snap.results.isEmpty() && seed.isEmpty())
        return vendor::badShape(response,
                                tr("a finished task without output.collage.image_url, output.image_url, "
                                   "output.video_urls or a seed"));
    return {};
}

} // namespace

Result<SubmitOutcome> KolerskyAdapter::parseSubmit(const Operation &op, const HttpResponse &response) const
{
    const Result<QJsonObject> body = readAnswer(response);
    if (!body)
        return body.error();
    if (body->value(QStringLiteral("status")).toString() == QLatin1String("error"))
        return taskFailure(response, *body);

    SubmitOutcome outcome;
    outcome.remoteId = vendor::idString(body->value(QStringLiteral("requestId")));
    // A seed may come back at once instead of through the status endpoint: then there is nothing to poll.
    if (op.kind == OperationKind::Seed) {
        if (const QString seed = seedOf(*body); !seed.isEmpty()) {
            auto snap = std::make_shared<TaskSnapshot>();
            snap->state = TaskState::Succeeded;
            snap->remote.insert(QStringLiteral("seed"), seed);
            outcome.immediate = snap;
            return outcome;
        }
    }
    if (outcome.remoteId.isEmpty())
        return vendor::badShape(response, tr("requestId is missing"));
    return outcome;
}

Result<TaskSnapshot> KolerskyAdapter::parseStatus(const HttpResponse &response) const
{
    const Result<QJsonObject> parsed = vendor::parseObject(response);
    if (!parsed)
        return response.isSuccess() ? parsed.error() : vendor::httpError(response);
    const QJsonObject &body = *parsed;
    const QJsonValue statusValue = body.value(QStringLiteral("status"));
    const QString status = statusValue.toString().trimmed().toLower();
    // A task that failed at the vendor is a Failed snapshot; a refused poll (a non-2xx answer, a rate
    // limit, an envelope without a task status: bad key, unknown id) is an Error of the poll itself.
    const bool refusedPoll = !response.isSuccess() || envelopeCode(body) == 429;
    if (!refusedPoll && (status == QLatin1String("error") || status == QLatin1String("failed"))) {
        TaskSnapshot snap;
        snap.state = TaskState::Failed;
        snap.error = taskFailure(response, body);
        return snap;
    }
    if (std::optional<Error> e = envelopeError(response, body))
        return *e;
    if (!statusValue.isString())
        return vendor::badShape(response, tr("status is missing"));

    TaskSnapshot snap;
    if (status == QLatin1String("accepted")) {
        snap.state = TaskState::Submitted;
    } else if (status == QLatin1String("processing")) {
        snap.state = TaskState::Running;
    } else if (status == QLatin1String("success")) {
        snap.state = TaskState::Succeeded;
        if (Status s = readOutput(response, body, snap); !s)
            return s.error();
        snap.progress = 100;
        return snap;
    } else if (status == QLatin1String("cancelled") || status == QLatin1String("canceled")) {
        snap.state = TaskState::Cancelled;
        return snap;
    } else {
        return vendor::badShape(response, tr("unknown status \"%1\"").arg(statusValue.toString()));
    }
    snap.progress = progressOf(body);
    return snap;
}

Status KolerskyAdapter::parseCancel(const HttpResponse &response) const
{
    const Result<QJsonObject> body = vendor::parseObject(response);
    if (!body)
        return response.isSuccess() ? Status() : Status(vendor::httpError(response));
    if (std::optional<Error> e = envelopeError(response, *body))
        return *e;
    return {};
}

ConnectionReport KolerskyAdapter::parseConnectionTest(const Result<HttpResponse> &response) const
{
    using Verdict = ConnectionReport::Verdict;
    if (!response)
        return {Verdict::Unreachable, response.error().message};
    const HttpResponse &r = *response;
    const Result<QJsonObject> body = vendor::parseObject(r);
    if (!body) {
        if (r.status == 401 || r.status == 403)
            return {Verdict::KeyRejected, http::excerpt(r.body)};
        return {Verdict::NotThisApi, body.error().message};
    }
    const bool looksLikeKolersky = body->contains(QStringLiteral("status"))
        || body->contains(QStringLiteral("err")) || body->contains(QStringLiteral("code"))
        || body->contains(QStringLiteral("requestId"));
    const std::optional<Error> e = envelopeError(r, *body);
    if (!e)
        return looksLikeKolersky ? ConnectionReport {Verdict::KeyAccepted, {}}
                                 : ConnectionReport {Verdict::NotThisApi, http::excerpt(r.body)};
    switch (e->kind) {
    case Error::Kind::Unauthorized:
        // The envelope may say 401/403 with HTTP 200 (§1 Errors).
        return {Verdict::KeyRejected, e->message};
    case Error::Kind::PaymentRequired:
        // The key works; the account has no requests left (status checks cost none).
        return {Verdict::KeyAccepted, e->message};
    case Error::Kind::ServerError:
    case Error::Kind::Maintenance:
    case Error::Kind::RateLimited:
    case Error::Kind::Timeout:
        return {Verdict::Unreachable, e->message};
    default:
        // "Not found" for the made-up id: the key was accepted.
        return {looksLikeKolersky ? Verdict::KeyAccepted : Verdict::NotThisApi, e->message};
    }
}

std::optional<int> envelopeCode(const QJsonObject &body)
{
    return vendor::codeNumber(body.value(QStringLiteral("code")));
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
        if (const QString said = http::excerpt(response.body); !said.isEmpty())
            text += QStringLiteral(": ") + said;
    }
    Error e = Error::make(kind, text, response.status, code ? QString::number(*code) : QString());
    if (kind == Error::Kind::RateLimited || response.status == 503)
        e.retryAfter = http::retryAfter(response);
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
