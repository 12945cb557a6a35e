#include "mjproxybuttons.h"
#include "mjproxyprotocol.h"
#include "providers/common/vendorjson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>

#include <memory>

namespace tessera::mjproxy {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MjproxyAdapter", text);
}

Error::Kind kindForCode(int code, Error::Kind otherwise)
{
    switch (code) {
    case 3:
        return Error::Kind::NotFound;
    case 4:
        return Error::Kind::InvalidRequest;
    case 9:
        return Error::Kind::ServerError;
    case 23:
        return Error::Kind::RateLimited; // queue full: nothing was created, try again later
    case 24:
        return Error::Kind::ContentRejected;
    default:
        return otherwise;
    }
}

// A refusal for want of credits, which gateways put in words rather than codes: new-api's Midjourney relay
// answers code 4 "quota_not_enough" (HTTP 400), its other routes 403 "user quota is not enough", Chinese
// gateways "用户额度不足" / "余额不足". The user must read "no credits", not "wrong key" or "invalid
// request" (PRODUCT.md "Bad input": no credits (402/403 ...)).
bool isCreditsMessage(const QString &message)
{
    static const QRegularExpression words(
        QStringLiteral(
            "quota[_ ]not[_ ]enough|quota is not enough|insufficient[_ ](user[_ ])?(quota|balance|credit)|"
            "not enough (credit|quota|balance)|out of credits|额度不足|余额不足|额度已用尽|积分不足"),
        QRegularExpression::CaseInsensitiveOption);
    return words.match(message).hasMatch();
}

Error envelopeError(const HttpResponse &response, const QJsonObject &body, int code, Error::Kind otherwise)
{
    QString message = vendorMessage(body);
    if (message.isEmpty())
        message = tr("midjourney-proxy answered with code %1").arg(code);
    if (code == 24) {
        const QString word = body.value(QLatin1String("properties"))
                                 .toObject()
                                 .value(QLatin1String("bannedWord"))
                                 .toString()
                                 .trimmed();
        if (!word.isEmpty())
            message = tr("%1 (banned word: \"%2\")").arg(message, word);
    }
    const Error::Kind kind
        = isCreditsMessage(message) ? Error::Kind::PaymentRequired : kindForCode(code, otherwise);
    Error e = Error::make(kind, message, response.status, QString::number(code));
    if (e.kind == Error::Kind::RateLimited)
        e.retryAfter = http::retryAfter(response);
    return e;
}

// A non-2xx answer: the kind from the HTTP status, the vendor's words when it sent some.
Error httpFailure(const HttpResponse &response)
{
    const auto json = vendor::parseObject(response);
    if (!json)
        return vendor::httpError(response);
    const auto code = vendor::codeNumber(json->value(QLatin1String("code")));
    Error e = vendor::httpError(response, vendorMessage(*json), code ? QString::number(*code) : QString());
    if (isCreditsMessage(e.message))
        e.kind = Error::Kind::PaymentRequired;
    return e;
}

// Failure reasons that mean the content policy refused the job (Midjourney's and the proxies' wording).
bool isContentPolicy(const QString &reason)
{
    static const QRegularExpression words(
        QStringLiteral("banned|moderat|prohibit|sensitive|violat|not allowed|community guidelines|"
                       "inappropriate|nsfw|flagged|restricted|image filter|敏感|违规|违禁|审核"),
        QRegularExpression::CaseInsensitiveOption);
    return words.match(reason).hasMatch();
}

Error::Kind failureKind(const QString &reason)
{
    if (isContentPolicy(reason))
        return Error::Kind::ContentRejected;
    static const QRegularExpression parameters(QStringLiteral("invalid param|unrecognized param|参数"),
                                               QRegularExpression::CaseInsensitiveOption);
    return parameters.match(reason).hasMatch() ? Error::Kind::InvalidRequest : Error::Kind::ServerError;
}

// imageUrls / videoUrls: a list of strings or of {url} objects; absent or null is an empty list.
Result<QStringList> urlList(const QJsonObject &task, const char *key, const HttpResponse &response)
{
    const QJsonValue value = task.value(QLatin1String(key));
    QStringList urls;
    if (value.isUndefined() || value.isNull())
        return urls;
    if (!value.isArray())
        return vendor::badShape(response, tr("\"%1\" is not a list").arg(QLatin1String(key)));
    for (const QJsonValue &item : value.toArray()) {
        const QString url
            = item.isObject() ? item.toObject().value(QLatin1String("url")).toString() : item.toString();
        if (url.isEmpty())
            return vendor::badShape(response,
                                    tr("\"%1\" has an entry without a URL").arg(QLatin1String(key)));
        urls.append(url);
    }
    return urls;
}

Result<QString> optionalString(const QJsonObject &task, const char *key, const HttpResponse &response)
{
    const QJsonValue value = task.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return QString();
    if (!value.isString())
        return vendor::badShape(response, tr("\"%1\" is not text").arg(QLatin1String(key)));
    return value.toString().trimmed();
}

// Whether a finished task's one image is an upscale rather than a 2x2 grid. Grids carry the plain U/V
// buttons; an upscaled image carries others (subtle/creative, pan, zoom, vary region). Pan, zoom, vary
// region and vary subtle/strong all produce a new grid in Midjourney, so the button set decides, and the
// action only when there are no buttons at all (trueai reports most button jobs as "ACTION").
bool isSingleImage(const QString &action, const QJsonArray &buttons)
{
    if (hasGridButtons(buttons))
        return false;
    if (action == QLatin1String("UPSCALE"))
        return true;
    return !buttons.isEmpty();
}

Status readResults(const QJsonObject &task, const QString &action, const QJsonArray &buttons,
                   const HttpResponse &response, TaskSnapshot &snap)
{
    Result<QStringList> videos = urlList(task, "videoUrls", response);
    if (!videos)
        return videos.error();
    const Result<QString> video = optionalString(task, "videoUrl", response);
    if (!video)
        return video.error();
    if (videos->isEmpty() && !video->isEmpty())
        videos->append(*video);
    if (!videos->isEmpty()) {
        for (qsizetype i = 0; i < videos->size(); ++i)
            snap.results.append({ImageRole::Video, static_cast<int>(i + 1), videos->at(i)});
        return {};
    }
    // describe and shorten answer text (properties.finalPrompt); their imageUrl is the uploaded source.
    if (action == QLatin1String("DESCRIBE") || action == QLatin1String("SHORTEN"))
        return {};

    const bool single = isSingleImage(action, buttons);
    const Result<QStringList> tiles = urlList(task, "imageUrls", response);
    if (!tiles)
        return tiles.error();
    if (!single && tiles->size() == 4) {
        for (int i = 0; i < 4; ++i)
            snap.results.append({ImageRole::Tile, i + 1, tiles->at(i)});
        return {};
    }
    const Result<QString> imageUrl = optionalString(task, "imageUrl", response);
    if (!imageUrl)
        return imageUrl.error();
    const QString url = !imageUrl->isEmpty() ? *imageUrl : tiles->value(0);
    if (url.isEmpty())
        return vendor::badShape(response, tr("the finished task has no \"imageUrl\""));
    snap.results.append({single ? ImageRole::Upscale : ImageRole::Grid, 0, url});
    return {};
}

} // namespace

QString vendorMessage(const QJsonObject &body)
{
    // Gateways put a machine word ("quota_not_enough") in one field and the words for people ("用户额度不足")
    // in another (issue 12): the words are the message, the machine word a detail after them.
    QStringList found;
    for (const char *key : {"description", "message", "msg"})
        found.append(body.value(QLatin1String(key)).toString().trimmed());
    const QJsonValue error = body.value(QLatin1String("error"));
    if (error.isString()) {
        found.append(error.toString().trimmed());
    } else {
        const QJsonObject inner = error.toObject();
        for (const char *key : {"message", "msg"})
            found.append(inner.value(QLatin1String(key)).toString().trimmed());
        const QJsonValue code = inner.value(QLatin1String("code"));
        if (code.isString())
            found.append(code.toString().trimmed());
    }
    static const QRegularExpression machineWord(QStringLiteral("^[A-Za-z0-9]+(_[A-Za-z0-9]+)+$"));
    QString words;
    QString machine;
    for (const QString &text : std::as_const(found)) {
        if (text.isEmpty())
            continue;
        if (machineWord.match(text).hasMatch()) {
            if (machine.isEmpty())
                machine = text;
        } else if (words.isEmpty()) {
            words = text;
        }
    }
    if (words.isEmpty())
        return machine;
    if (machine.isEmpty() || words.contains(machine))
        return words;
    return QStringLiteral("%1 (%2)").arg(words, machine);
}

Result<SubmitOutcome> readSubmit(const Operation &op, const HttpResponse &response)
{
    if (!response.isSuccess())
        return httpFailure(response);
    const auto json = vendor::parseObject(response);
    if (!json)
        return json.error();
    const auto code = vendor::codeNumber(json->value(QLatin1String("code")));
    if (!code)
        return vendor::badShape(response, tr("\"code\" is missing"));
    const bool seed = op.kind == OperationKind::Seed;
    const bool accepted = *code == 1 || (!seed && (*code == 21 || *code == 22));
    if (!accepted)
        return envelopeError(response, *json, *code, Error::Kind::BadResponse);

    const QString result = vendor::idString(json->value(QLatin1String("result")));
    if (result.isEmpty())
        return vendor::badShape(response,
                                seed ? tr("\"result\" (the seed) is missing")
                                     : tr("\"result\" (the task id) is missing"));
    SubmitOutcome outcome;
    if (seed) {
        // image-seed answers at once: nothing to poll (PROVIDERS.md §4).
        TaskSnapshot snap;
        snap.state = TaskState::Succeeded;
        snap.progress = 100;
        snap.remote.insert(QStringLiteral("seed"), result);
        outcome.remote = snap.remote;
        outcome.immediate = std::make_shared<const TaskSnapshot>(snap);
        return outcome;
    }
    outcome.remoteId = result;
    outcome.needsModal = *code == 21;
    return outcome;
}

Result<TaskSnapshot> readStatus(const HttpResponse &response)
{
    if (!response.isSuccess())
        return httpFailure(response);
    const QByteArray body = response.body.trimmed();
    if (body.isEmpty() || body == "null")
        return Error::make(Error::Kind::NotFound,
                           tr("midjourney-proxy does not know this task (it answered with nothing)"),
                           response.status);
    const auto json = vendor::parseObject(response);
    if (!json)
        return json.error();
    if (!json->contains(QLatin1String("status")) && json->contains(QLatin1String("code"))) {
        // An envelope instead of a task object: some servers answer "not found" this way.
        const auto code = vendor::codeNumber(json->value(QLatin1String("code")));
        if (code && *code != 1)
            return envelopeError(response, *json, *code, Error::Kind::BadResponse);
    }
    return readTask(*json, response);
}

Result<TaskSnapshot> readTask(const QJsonObject &task, const HttpResponse &response)
{
    const QJsonValue statusValue = task.value(QLatin1String("status"));
    if (!statusValue.isString())
        return vendor::badShape(response, tr("\"status\" is missing or not text"));
    const QString status = statusValue.toString().trimmed().toUpper();

    TaskSnapshot snap;
    const QString action = task.value(QLatin1String("action")).toString().trimmed().toUpper();
    if (!action.isEmpty())
        snap.remote.insert(QStringLiteral("action"), action);
    const QJsonValue buttonsValue = task.value(QLatin1String("buttons"));
    if (!buttonsValue.isUndefined() && !buttonsValue.isNull() && !buttonsValue.isArray())
        return vendor::badShape(response, tr("\"buttons\" is not a list"));
    const QJsonArray buttons = buttonsValue.toArray();
    if (!buttons.isEmpty())
        snap.remote.insert(QStringLiteral("buttons"), buttons);
    const QJsonObject properties = task.value(QLatin1String("properties")).toObject();
    const QString finalPrompt = properties.value(QLatin1String("finalPrompt")).toString();
    if (!finalPrompt.trimmed().isEmpty())
        snap.remote.insert(QStringLiteral("finalPrompt"), finalPrompt);
    const QString promptEn = task.value(QLatin1String("promptEn")).toString();
    if (!promptEn.trimmed().isEmpty())
        snap.remote.insert(QStringLiteral("promptEn"), promptEn);
    QString seed = vendor::idString(task.value(QLatin1String("seed")));
    if (seed.isEmpty())
        seed = vendor::idString(properties.value(QLatin1String("seed")));
    if (!seed.isEmpty())
        snap.remote.insert(QStringLiteral("seed"), seed);
    snap.progress = vendor::percent(task.value(QLatin1String("progress")));

    if (status == QLatin1String("SUCCESS")) {
        snap.state = TaskState::Succeeded;
        snap.progress = 100;
        if (Status s = readResults(task, action, buttons, response, snap); !s)
            return s.error();
    } else if (status == QLatin1String("IN_PROGRESS")) {
        snap.state = TaskState::Running;
        const QString preview = task.value(QLatin1String("imageUrl")).toString();
        if (!preview.isEmpty())
            snap.remote.insert(QStringLiteral("preview"), preview);
    } else if (status == QLatin1String("FAILURE")) {
        snap.state = TaskState::Failed;
        QString reason = task.value(QLatin1String("failReason")).toString().trimmed();
        if (reason.isEmpty())
            reason = tr("midjourney-proxy reported the task as failed without giving a reason");
        snap.error = Error::make(failureKind(reason), reason);
    } else if (status == QLatin1String("CANCEL")) {
        snap.state = TaskState::Cancelled;
    } else if (status.isEmpty() || status == QLatin1String("NOT_START")
               || status == QLatin1String("SUBMITTED") || status == QLatin1String("MODAL")) {
        // MODAL: the task waits for /submit/modal, which the engine sends right after the submit.
        snap.state = TaskState::Submitted;
    } else {
        return vendor::badShape(response, tr("unknown task status \"%1\"").arg(status));
    }
    return snap;
}

Result<QMap<QString, TaskSnapshot>> readBatch(const HttpResponse &response)
{
    if (!response.isSuccess())
        return httpFailure(response);
    const auto list = vendor::parseArray(response);
    if (!list)
        return list.error();
    QMap<QString, TaskSnapshot> snapshots;
    for (const QJsonValue &item : *list) {
        const QJsonObject task = item.toObject();
        const QString id = vendor::idString(task.value(QLatin1String("id")));
        if (id.isEmpty())
            continue;
        if (auto snap = readTask(task, response))
            snapshots.insert(id, std::move(*snap));
    }
    return snapshots;
}

Status readCancel(const HttpResponse &response)
{
    const auto refused = [](Error e) {
        e.message = tr("The server did not cancel the task: %1").arg(e.message);
        return e;
    };
    if (!response.isSuccess())
        return refused(httpFailure(response));
    if (response.body.trimmed().isEmpty())
        return {};
    const auto json = vendor::parseObject(response);
    if (!json)
        return json.error();
    const QJsonValue codeValue = json->value(QLatin1String("code"));
    if (codeValue.isUndefined() || codeValue.isNull())
        return {};
    const auto code = vendor::codeNumber(codeValue);
    if (code && *code == 1)
        return {};
    return refused(envelopeError(response, *json, code.value_or(0), Error::Kind::InvalidRequest));
}

} // namespace tessera::mjproxy
