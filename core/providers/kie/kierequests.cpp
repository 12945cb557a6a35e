// The calls of the kie family (PROVIDERS.md §3). Optional fields the user did not set are omitted, never
// sent with a vendor default (PROVIDERS.md, general rules); callBackUrl is never sent: Tessera polls.

#include "kieadapter.h"
#include "kieprotocol.h"

#include <QJsonArray>
#include <QJsonObject>

namespace tessera::kie {

namespace {

void insertText(QJsonObject &body, const char *key, const QString &value)
{
    if (!value.isEmpty())
        body.insert(QLatin1String(key), value);
}

void insertInt(QJsonObject &body, const char *key, const std::optional<int> &value)
{
    if (value)
        body.insert(QLatin1String(key), *value);
}

// POST /api/v1/mj/generate. Only `fileUrls` is sent, never the deprecated single `fileUrl`, so the two can
// never arrive together. The doc calls `speed` "not required" only for mj_video, mj_video_hd and
// mj_omni_reference, so it is required for the other three types, and `motion` is required for video:
// both go with their documented defaults when unset (a strict server refuses their absence). Every
// optional field is sent only when set.
QJsonObject generateBody(const Operation &op)
{
    QJsonObject body;
    body.insert(QStringLiteral("taskType"), taskTypeFor(op.type));
    body.insert(QStringLiteral("prompt"), op.prompt);
    if (!op.speed.isEmpty())
        body.insert(QStringLiteral("speed"), op.speed);
    else if (requiresSpeed(op.type))
        body.insert(QStringLiteral("speed"), kDefaultSpeed);
    if (!op.references.isEmpty())
        body.insert(QStringLiteral("fileUrls"), QJsonArray::fromStringList(op.references));
    insertText(body, "aspectRatio", op.aspectRatio);
    if (!op.version.isEmpty())
        body.insert(QStringLiteral("version"), vendorVersion(op.version).value_or(op.version));
    insertInt(body, "variety", op.chaos);
    insertInt(body, "stylization", op.stylize);
    insertInt(body, "weirdness", op.weird);
    insertInt(body, "ow", op.omniWeight);
    insertText(body, "waterMark", op.watermark);
    if (op.translate)
        body.insert(QStringLiteral("enableTranslation"), *op.translate);
    insertInt(body, "videoBatchSize", op.videoBatch);
    if (isVideoType(op.type))
        body.insert(QStringLiteral("motion"), op.motion.isEmpty() ? QString(kDefaultMotion) : op.motion);
    return body;
}

} // namespace

Result<HttpCall> KieAdapter::buildSubmit(const Operation &op, const SubmitContext &context) const
{
    // The engine validated already; checking again keeps a call that kie would refuse from ever being built.
    if (Status s = validate(op, context.account); !s)
        return s.error();
    if (op.kind == OperationKind::Imagine)
        return HttpCall::post(kGeneratePath, generateBody(op), HttpCall::Purpose::Submit);

    if (!context.parent || context.parent->remoteId.isEmpty())
        return Error::make(Error::Kind::InvalidRequest, tr("parent: the task has no kie task id"));
    QJsonObject body;
    QString path;
    switch (op.kind) {
    case OperationKind::Upscale:
        // generateUpscale's imageIndex is 0-3 (vendor doc); Tessera's tiles are 1-4.
        path = kUpscalePath;
        body.insert(QStringLiteral("imageIndex"), op.tile - 1);
        break;
    case OperationKind::Vary:
        // generateVary's imageIndex is 1-4 in the vendor doc, 0-3 in a mirror of it: the account decides
        // (PROVIDERS.md §3 Decision, "vary-index-base", default 1).
        path = kVaryPath;
        body.insert(QStringLiteral("imageIndex"), op.tile - 1 + varyIndexBase(context.account).value_or(1));
        break;
    case OperationKind::VideoExtend: {
        // index is 0-based; Tessera's op.tile counts videos from 1, and 0 means "the single video".
        const QString taskType = extendTaskType(op);
        path = kVideoExtendPath;
        body.insert(QStringLiteral("taskType"), taskType);
        body.insert(QStringLiteral("index"), op.tile > 0 ? op.tile - 1 : 0);
        if (taskType == kExtendManual)
            body.insert(QStringLiteral("prompt"), op.prompt);
        break;
    }
    default:
        return Error::make(Error::Kind::Unsupported, missingOperation(op.kind).value_or(op.label()));
    }
    body.insert(QStringLiteral("taskId"), context.parent->remoteId);
    insertText(body, "waterMark", op.watermark);
    return HttpCall::post(path, body, HttpCall::Purpose::Submit);
}

HttpCall KieAdapter::buildStatus(const QString &remoteId, const Account &) const
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("taskId"), remoteId);
    return HttpCall::get(kStatusPath, query, HttpCall::Purpose::Status);
}

} // namespace tessera::kie
