#include "kolerskyadapter.h"

#include "kolerskyprotocol.h"
#include "mask/maskexport.h"

#include <QImage>
#include <QJsonArray>

#include <algorithm>

namespace tessera::kolersky {

namespace {

// What a stored parent holds: a grid (U, V, reroll act on its tiles), a single image (an upscale: pan,
// zoom, inpaint act on it) or videos.
enum class ParentShape { Grid, Single, Video };

ParentShape shapeOf(const Task &parent)
{
    bool grid = false;
    bool single = false;
    for (const ImageRef &img : parent.images) {
        if (img.role == ImageRole::Video)
            return ParentShape::Video;
        grid = grid || img.role == ImageRole::Grid || img.role == ImageRole::Tile;
        single = single || img.role == ImageRole::Upscale;
    }
    if (single && !grid)
        return ParentShape::Single;
    if (grid)
        return ParentShape::Grid;
    // No images recorded: judge by what produced the task.
    if (parent.operation.kind == OperationKind::Upscale)
        return ParentShape::Single;
    if (parent.operation.kind == OperationKind::Imagine && isVideo(parent.operation.type))
        return ParentShape::Video;
    return ParentShape::Grid;
}

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

QString KolerskyAdapter::family() const
{
    return familyName();
}

QString KolerskyAdapter::displayName() const
{
    return QStringLiteral("kolersky-style");
}

Capabilities KolerskyAdapter::capabilities(const Account &) const
{
    // PROVIDERS.md §5, column kolersky.
    Capabilities c;
    c.generateTypes = {GenerateType::Text, GenerateType::Image, GenerateType::Style,
                       GenerateType::Omni, GenerateType::Video, GenerateType::VideoHd};
    c.operations
        = {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary,    OperationKind::Reroll,
           OperationKind::Pan,     OperationKind::Zoom,    OperationKind::Inpaint, OperationKind::Seed};
    c.aspectRatios = aspectRatios();
    c.versions = versions();
    c.speeds = speeds();
    c.chaos = {0, 100, 5, true};
    c.stylize = {0, 1000, 50, true};
    c.weird = {0, 3000, 100, true};
    c.omniWeight = {1, 1000, 1, true};
    c.maxPromptLength = kMaxPromptLength;
    c.maxReferences = kMaxReferences;
    c.serverCancel = true;
    c.reportsProgress = true;
    // motion is required for video; its documented default goes when unset (generateBody).
    c.motionWhenUnset.insert(GenerateType::Video, kDefaultMotion);
    c.motionWhenUnset.insert(GenerateType::VideoHd, kDefaultMotion);
    c.resultRetentionDays = 15; // PROVIDERS.md, "General rules"
    c.maskWire = Capabilities::MaskWire::Base64Png; // /inpaint takes raw base64 (PROVIDERS.md §1)
    return c;
}

Availability KolerskyAdapter::availability(const Operation &op, const Task *parent,
                                           const Account &account) const
{
    if (!capabilities(account).supports(op.kind))
        return Availability::no(tr("%1 has no %2").arg(familyName(), operationKindName(op.kind)));
    if ((op.kind == OperationKind::Upscale || op.kind == OperationKind::Vary) && !op.variant.isEmpty())
        return Availability::no(
            tr("%1 has no %2 %3; use plain %3").arg(familyName(), op.variant, operationKindName(op.kind)));
    if (!isAction(op.kind))
        return Availability::yes();
    if (!parent)
        return Availability::no(tr("Select a finished task first"));
    if (parent->state != TaskState::Succeeded)
        return Availability::no(tr("The task has not finished yet"));
    if (parent->remoteId.isEmpty())
        return Availability::no(tr("The task has no %1 request id").arg(familyName()));

    const ParentShape shape = shapeOf(*parent);
    if (shape == ParentShape::Video && op.kind != OperationKind::Reroll)
        return Availability::no(tr("%1 offers no %2 on a video").arg(familyName(), op.label()));
    switch (op.kind) {
    case OperationKind::Upscale:
    case OperationKind::Vary:
        if (shape != ParentShape::Grid)
            return Availability::no(tr("%1 works on a grid of four; this is a single image").arg(op.label()));
        if (op.tile < 1 || op.tile > 4)
            return Availability::no(tr("Select one of the four images (1-4)"));
        return Availability::yes();
    case OperationKind::Reroll:
        if (shape == ParentShape::Single)
            return Availability::no(tr("Reroll runs on a grid or a video, not on an upscaled image"));
        return Availability::yes();
    case OperationKind::Pan:
    case OperationKind::Zoom:
    case OperationKind::Inpaint:
        // On a grid tile the planner runs (or reuses) that tile's U first (§1 Decisions).
        if (shape == ParentShape::Grid && (op.tile < 1 || op.tile > 4))
            return Availability::no(tr("Select one of the four images (1-4)"));
        return Availability::yes();
    default:
        return Availability::yes();
    }
}

bool KolerskyAdapter::needsSingleImage(const Operation &op) const
{
    // pan, outpaint and inpaint "carry no index": they take the requestId of an upscale (§1 Decisions).
    return op.kind == OperationKind::Pan || op.kind == OperationKind::Zoom
        || op.kind == OperationKind::Inpaint;
}

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

Availability KolerskyAdapter::cancelAvailability(const Task &task, const Account &) const
{
    // The vendor cancels only tasks still "accepted" (Submitted here); a processing one is refused with
    // 400 "only 'accepted' tasks can be cancelled" (issue 12).
    if (task.state == TaskState::Running)
        return Availability::maybe(tr("kolersky cancels only tasks that have not started; this one is "
                                      "processing, so kolersky will most likely refuse and it runs on"));
    return Availability::yes();
}

PollPolicy KolerskyAdapter::pollPolicy(const Operation &, const Account &account) const
{
    // PROVIDERS.md §1/§6: at most 60 status checks per task, 5 s apart — a hard vendor limit, counted over
    // the task's whole life (PollPolicy::pollBudget). They are spread over it: every 5 s for the first
    // minute, when most tasks end, then each interval a quarter longer, up to one a minute. The budget so
    // lasts about 40 minutes, far past the vendor's 5-minute operation timeout, and a task that outlives
    // Tessera's own 10 minutes keeps checks for "Check again".
    PollPolicy p;
    p.firstPollMs = kMinIntervalMs;
    p.intervalMs = kMinIntervalMs;
    p.steadyPolls = 12;
    p.growth = 1.25;
    p.maxIntervalMs = 60'000;
    p.maxPolls = 0;
    p.pollBudget = kMaxPolls;
    p.minIntervalMs = kMinIntervalMs;
    p.timeoutMs = 10LL * 60 * 1000;
    p = p.withOverrides(account);
    // Nothing overrides the vendor's limits (the account options refuse such values; an account stored
    // with one before is held to them here).
    p.intervalMs = std::max(p.intervalMs, kMinIntervalMs);
    p.maxIntervalMs = std::max(p.maxIntervalMs, p.intervalMs);
    if (p.maxPolls > kMaxPolls)
        p.maxPolls = kMaxPolls;
    return p;
}

} // namespace tessera::kolersky
