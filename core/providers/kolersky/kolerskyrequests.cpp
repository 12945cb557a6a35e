// Building kolersky's requests (PROVIDERS.md §1): generate and the actions, status and cancel.
#include "kolerskyadapter.h"
#include "kolerskyprotocol.h"
#include "mask/maskexport.h"

#include <QImage>
#include <QJsonArray>

namespace tessera::kolersky {

namespace {

void insertIfSet(QJsonObject &body, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        body.insert(key, value);
}

void insertIfSet(QJsonObject &body, const QString &key, const std::optional<int> &value)
{
    if (value)
        body.insert(key, *value);
}

// POST /v1/midjourney/generate (§1): unset optional fields are omitted; callBackUrl never (Tessera polls).
QJsonObject generateBody(const Operation &op)
{
    QJsonObject body;
    body.insert(QStringLiteral("taskType"), taskTypeName(op.type));
    body.insert(QStringLiteral("prompt"), op.prompt);
    // fileUrl xor fileUrls: one reference goes alone, several as the list (video takes exactly one).
    if (op.references.size() == 1)
        body.insert(QStringLiteral("fileUrl"), op.references.constFirst());
    else if (op.references.size() > 1)
        body.insert(QStringLiteral("fileUrls"), QJsonArray::fromStringList(op.references));
    insertIfSet(body, QStringLiteral("aspectRatio"), op.aspectRatio);
    if (takesSpeed(op.type))
        insertIfSet(body, QStringLiteral("speed"), op.speed);
    insertIfSet(body, QStringLiteral("version"), op.version);
    insertIfSet(body, QStringLiteral("variety"), op.chaos);
    insertIfSet(body, QStringLiteral("stylization"), op.stylize);
    insertIfSet(body, QStringLiteral("weirdness"), op.weird);
    if (op.type == GenerateType::Omni)
        insertIfSet(body, QStringLiteral("ow"), op.omniWeight);
    insertIfSet(body, QStringLiteral("waterMark"), op.watermark);
    if (op.translate)
        body.insert(QStringLiteral("enableTranslation"), *op.translate);
    if (isVideo(op.type)) {
        insertIfSet(body, QStringLiteral("videoBatchSize"), op.videoBatch);
        // motion is "обязательно" for video (with "по умолчанию: high"): a required field, so the
        // documented default is sent when the user chose none rather than risking a 400.
        body.insert(QStringLiteral("motion"), op.motion.isEmpty() ? QString(kDefaultMotion) : op.motion);
    }
    return body;
}

Result<QString> maskBase64(const Operation &op, const Task &parent)
{
    // The mask must have the upscale's pixel size (PROVIDERS.md "Mask PNGs everywhere"); when the size
    // was never recorded, the mask's own size is the best guess.
    const ImageRef *source = parent.image(0);
    QSize size = source ? source->size : QSize();
    if (size.isEmpty())
        size = QImage::fromData(op.mask).size();
    const Result<QImage> fitted = mask::fit(op.mask, size);
    if (!fitted)
        return fitted.error();
    return mask::base64(mask::encodePng(*fitted));
}

Error invalid(const QString &message)
{
    return Error::make(Error::Kind::InvalidRequest, message);
}

} // namespace

Result<HttpCall> KolerskyAdapter::buildSubmit(const Operation &op, const SubmitContext &context) const
{
    if (op.kind == OperationKind::Imagine)
        return HttpCall::post(QStringLiteral("/v1/midjourney/generate"), generateBody(op));
    if (!isAction(op.kind) || !capabilities(context.account).supports(op.kind))
        return Error::make(Error::Kind::Unsupported,
                           tr("%1 has no %2").arg(familyName(), operationKindName(op.kind)));
    if (!context.parent || context.parent->remoteId.isEmpty())
        return invalid(tr("parent: the task has no %1 request id").arg(familyName()));
    const Task &parent = *context.parent;
    if (needsSingleImage(op) && (op.tile != 0 || shapeOf(parent) != ParentShape::Single))
        return invalid(tr("%1 acts on an upscaled image: upscale the tile first").arg(op.label()));

    QJsonObject body;
    body.insert(QStringLiteral("requestId"), parent.remoteId);
    QString path;
    switch (op.kind) {
    case OperationKind::Upscale:
    case OperationKind::Vary:
        // The vendor's index 1-4 is Tessera's tile, row-major from the top left.
        path = op.kind == OperationKind::Upscale ? QStringLiteral("/v1/midjourney/upscale")
                                                 : QStringLiteral("/v1/midjourney/variation");
        body.insert(QStringLiteral("index"), op.tile);
        insertIfSet(body, QStringLiteral("waterMark"), op.watermark);
        break;
    case OperationKind::Reroll:
        path = QStringLiteral("/v1/midjourney/reroll");
        break;
    case OperationKind::Pan: {
        path = QStringLiteral("/v1/midjourney/pan");
        // The vendor requires a prompt for pan. When the user typed none, the parent's prompt (the one
        // the image was made from, inherited by its upscale) keeps the picture what it was.
        const QString prompt = op.prompt.trimmed().isEmpty() ? parent.prompt : op.prompt;
        if (prompt.trimmed().isEmpty())
            return invalid(tr("prompt: pan needs a prompt and the image has none to reuse"));
        body.insert(QStringLiteral("prompt"), prompt);
        body.insert(QStringLiteral("direction"), op.direction);
        break;
    }
    case OperationKind::Zoom: {
        path = QStringLiteral("/v1/midjourney/outpaint");
        insertIfSet(body, QStringLiteral("prompt"), op.prompt);
        if (!op.zoomFactor.isEmpty()) {
            const std::optional<QString> ratio = zoomRatio(op.zoomFactor);
            if (!ratio)
                return invalid(tr("zoom: \"%1\" is not a factor above 1 and at most 2").arg(op.zoomFactor));
            body.insert(QStringLiteral("zoom_ratio"), *ratio);
        }
        insertIfSet(body, QStringLiteral("aspectRatio"), op.aspectRatio);
        break;
    }
    case OperationKind::Inpaint: {
        path = QStringLiteral("/v1/midjourney/inpaint");
        insertIfSet(body, QStringLiteral("prompt"), op.prompt);
        const Result<QString> mask = maskBase64(op, parent);
        if (!mask)
            return mask.error();
        body.insert(QStringLiteral("mask"), *mask);
        break;
    }
    case OperationKind::Seed:
        path = QStringLiteral("/v1/midjourney/seed");
        break;
    default:
        return Error::make(Error::Kind::Unsupported,
                           tr("%1 has no %2").arg(familyName(), operationKindName(op.kind)));
    }
    return HttpCall::post(path, body);
}

HttpCall KolerskyAdapter::buildStatus(const QString &remoteId, const Account &) const
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("requestId"), remoteId);
    return HttpCall::get(QStringLiteral("/v1/status"), query, HttpCall::Purpose::Status);
}

std::optional<HttpCall> KolerskyAdapter::buildCancel(const QString &remoteId, const Account &) const
{
    // DELETE with a JSON body (§1 Decisions: sendCustomRequest); honoured only while "accepted".
    QJsonObject body;
    body.insert(QStringLiteral("requestId"), remoteId);
    return HttpCall::custom("DELETE", QStringLiteral("/v1/midjourney/cancel"), body,
                            HttpCall::Purpose::Cancel);
}

} // namespace tessera::kolersky
