// KieAdapter::validate: every value kie would refuse is refused here first, with a message that names the
// field (PROVIDERS.md §3: ranges as kolersky, fileUrls as URLs only, video takes exactly one image).
#include "kieadapter.h"
#include "kieprotocol.h"
#include "providers/common/vendorjson.h"

#include <QUrl>

namespace tessera::kie {

namespace {

Error invalid(const QString &message)
{
    return Error::make(Error::Kind::InvalidRequest, message);
}

Status checkChoice(const QString &field, const QString &value, const QStringList &accepted)
{
    if (value.isEmpty() || accepted.contains(value))
        return {};
    return invalid(tr("%1: kie takes %2, not \"%3\"").arg(field, accepted.join(QStringLiteral(", ")), value));
}

// kie fetches every reference itself (fileUrls): only http(s) URLs, never data: URLs or local paths.
Status checkReferences(const Operation &op)
{
    const qsizetype count = op.references.size();
    if (op.type == GenerateType::Text) {
        if (count > 0)
            return invalid(tr("references: text-to-image takes no images; choose the type image, style, "
                              "omni or video to use them"));
        return {};
    }
    if (isVideoType(op.type) && count != 1)
        return invalid(tr("references: a kie video starts from exactly one image URL (%1 given)").arg(count));
    if (count == 0)
        return invalid(tr("references: %1 needs at least one image URL").arg(generateTypeWords(op.type)));
    if (count > kMaxReferences)
        return invalid(tr("references: at most %1 image URLs (%2 given)").arg(kMaxReferences).arg(count));
    for (const QString &ref : op.references) {
        if (ref.startsWith(QLatin1String("data:"), Qt::CaseInsensitive))
            return invalid(tr("references: kie needs image URLs it can download (http or https); upload the "
                              "local image somewhere first — embedded data: URLs are not accepted"));
        const QUrl url(ref);
        const QString scheme = url.scheme().toLower();
        if ((scheme != QLatin1String("http") && scheme != QLatin1String("https")) || url.host().isEmpty())
            return invalid(tr("references: \"%1\" is not an http(s) image URL").arg(ref.left(80)));
    }
    return {};
}

Status validateImagine(const Operation &op)
{
    if (Status s = checkReferences(op); !s)
        return s;
    if (Status s = checkChoice(tr("aspect ratio"), op.aspectRatio, aspectRatios()); !s)
        return s;
    if (Status s = checkChoice(tr("version"), op.version, versions()); !s)
        return s;
    if (Status s = checkChoice(tr("speed"), op.speed, speeds()); !s)
        return s;
    if (Status s = vendor::checkRange(QStringLiteral("chaos"), op.chaos, kChaos); !s)
        return s;
    if (Status s = vendor::checkRange(QStringLiteral("stylize"), op.stylize, kStylize); !s)
        return s;
    if (Status s = vendor::checkRange(QStringLiteral("weird"), op.weird, kWeird); !s)
        return s;
    if (op.omniWeight && op.type != GenerateType::Omni)
        return invalid(tr("ow: the omni weight applies only to the type omni reference"));
    if (Status s = vendor::checkRange(QStringLiteral("ow"), op.omniWeight, kOmniWeight); !s)
        return s;
    if (op.seed)
        return invalid(tr("seed: kie takes no seed"));
    if (op.videoBatch && !isVideoType(op.type))
        return invalid(tr("video batch: only for the types video and video-hd"));
    if (op.videoBatch && *op.videoBatch != 1 && *op.videoBatch != 2 && *op.videoBatch != 4)
        return invalid(tr("video batch: use 1, 2 or 4 (not %1)").arg(*op.videoBatch));
    if (!op.motion.isEmpty() && !isVideoType(op.type))
        return invalid(tr("motion: only for the types video and video-hd"));
    return checkChoice(tr("motion"), op.motion, {QStringLiteral("low"), QStringLiteral("high")});
}

Status validateAction(const Operation &op, const Account &account)
{
    switch (op.kind) {
    case OperationKind::Upscale:
    case OperationKind::Vary:
        if (!op.variant.isEmpty())
            return Error::make(Error::Kind::Unsupported,
                               tr("variant: kie has no %1 %2, only the plain one of each image")
                                   .arg(op.variant, operationKindName(op.kind)));
        if (op.tile < 1 || op.tile > 4)
            return invalid(tr("index: choose one of the four images (1-4)"));
        if (!op.prompt.isEmpty())
            return invalid(tr("prompt: kie's %1 takes no prompt").arg(operationKindName(op.kind)));
        if (op.kind == OperationKind::Vary && !varyIndexBase(account))
            return invalid(tr("vary-index-base: the account option must be 0 or 1, not \"%1\"")
                               .arg(account.option(kVaryIndexBaseOption)));
        return {};
    case OperationKind::VideoExtend: {
        const QString mode = extendTaskType(op);
        if (mode.isEmpty())
            return invalid(tr("variant: a video extension is manual or auto, not \"%1\"").arg(op.variant));
        if (mode == kExtendManual && op.prompt.trimmed().isEmpty())
            return invalid(tr("prompt: a manual video extension needs a prompt (or choose auto)"));
        if (mode == kExtendAuto && !op.prompt.isEmpty())
            return invalid(tr("prompt: an automatic video extension takes no prompt (choose manual)"));
        return {};
    }
    default:
        return {};
    }
}

} // namespace

Status KieAdapter::validate(const Operation &op, const Account &account) const
{
    if (const auto missing = missingOperation(op.kind))
        return Error::make(Error::Kind::Unsupported, *missing);
    if (op.prompt.size() > kMaxPromptLength)
        return invalid(
            tr("prompt: %1 characters; kie accepts at most %2").arg(op.prompt.size()).arg(kMaxPromptLength));
    if (op.kind == OperationKind::Imagine)
        return validateImagine(op);
    return validateAction(op, account);
}

} // namespace tessera::kie
