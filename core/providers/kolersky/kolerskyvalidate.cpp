// KolerskyAdapter::validate: every value the vendor would refuse is refused here first, with a message
// that names the field (Tessera's name, then the vendor's in parentheses). Ranges and value sets are
// those of PROVIDERS.md §1 "generate fields" and the vendor doc's /outpaint and /inpaint sections.
#include "kolerskyadapter.h"
#include "kolerskyprotocol.h"
#include "providers/common/vendorjson.h"

#include <QUrl>

namespace tessera::kolersky {

namespace {

Error invalid(const QString &message)
{
    return Error::make(Error::Kind::InvalidRequest, message);
}

Error unsupported(const QString &what)
{
    return Error::make(Error::Kind::Unsupported, tr("%1 has no %2").arg(familyName(), what));
}

Status checkOneOf(const QString &field, const QString &value, const QStringList &allowed)
{
    if (value.isEmpty() || allowed.contains(value))
        return {};
    return invalid(tr("%1: \"%2\" is not one of %3").arg(field, value, allowed.join(QStringLiteral(", "))));
}

// The vendor fetches references itself: only http(s) URLs, no uploaded files (data: URLs) or paths.
Status checkReferences(const Operation &op)
{
    const QString type = taskTypeName(op.type);
    if (op.type == GenerateType::Text) {
        if (!op.references.isEmpty())
            return invalid(tr("references: text-to-image takes no reference image; choose the image, style "
                              "or omni type"));
        return {};
    }
    if (op.references.isEmpty())
        return invalid(tr("references (fileUrl): %1 needs a reference image URL").arg(type));
    if (isVideo(op.type) && op.references.size() != 1)
        return invalid(tr("references (fileUrl): %1 takes exactly one image, not %2")
                           .arg(type)
                           .arg(op.references.size()));
    if (op.references.size() > kMaxReferences)
        return invalid(tr("references (fileUrls): at most %1 images, not %2")
                           .arg(kMaxReferences)
                           .arg(op.references.size()));
    for (const QString &ref : op.references) {
        const QUrl url(ref, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (scheme == QLatin1String("data"))
            return invalid(tr("references (fileUrl/fileUrls): %1 takes image URLs only, not uploaded "
                              "files; put the image online and give its https:// address")
                               .arg(familyName()));
        if (!url.isValid() || url.host().isEmpty()
            || (scheme != QLatin1String("https") && scheme != QLatin1String("http")))
            return invalid(
                tr("references (fileUrl/fileUrls): \"%1\" is not an http(s) URL").arg(ref.left(80)));
    }
    return {};
}

Status validateGenerate(const Operation &op, const Capabilities &c)
{
    if (Status s = checkReferences(op); !s)
        return s;
    if (Status s = checkOneOf(tr("aspect ratio (aspectRatio)"), op.aspectRatio, c.aspectRatios); !s)
        return s;
    if (Status s = checkOneOf(tr("version"), op.version, c.versions); !s)
        return s;
    // speed is not used for video and omni-reference: it is left out of the request, not refused.
    if (Status s = checkOneOf(tr("speed"), op.speed, c.speeds); !s)
        return s;
    if (Status s = vendor::checkRange(tr("chaos (variety)"), op.chaos, c.chaos); !s)
        return s;
    if (Status s = vendor::checkRange(tr("stylize (stylization)"), op.stylize, c.stylize); !s)
        return s;
    if (Status s = vendor::checkRange(tr("weird (weirdness)"), op.weird, c.weird); !s)
        return s;
    if (op.omniWeight && op.type != GenerateType::Omni)
        return invalid(tr("omni weight (ow): only an omni-reference takes a weight"));
    if (Status s = vendor::checkRange(tr("omni weight (ow)"), op.omniWeight, c.omniWeight); !s)
        return s;
    if (op.seed)
        return invalid(tr("seed: %1 takes no seed when generating").arg(familyName()));
    if (!isVideo(op.type) && (!op.motion.isEmpty() || op.videoBatch))
        return invalid(tr("%1: only image-to-video takes it")
                           .arg(op.motion.isEmpty() ? tr("video batch (videoBatchSize)") : tr("motion")));
    if (Status s = checkOneOf(tr("motion"), op.motion, motions()); !s)
        return s;
    if (op.videoBatch && *op.videoBatch != 1 && *op.videoBatch != 2 && *op.videoBatch != 4)
        return invalid(tr("video batch (videoBatchSize): use 1, 2 or 4 (not %1)").arg(*op.videoBatch));
    return {};
}

} // namespace

Status KolerskyAdapter::validate(const Operation &op, const Account &account) const
{
    const Capabilities c = capabilities(account);
    if (!c.supports(op.kind))
        return unsupported(operationKindName(op.kind));
    if (op.prompt.size() > c.maxPromptLength)
        return invalid(tr("prompt: %1 characters, at most %2 are accepted")
                           .arg(op.prompt.size())
                           .arg(c.maxPromptLength));
    switch (op.kind) {
    case OperationKind::Imagine:
        return validateGenerate(op, c);
    case OperationKind::Upscale:
    case OperationKind::Vary:
        if (!op.variant.isEmpty())
            return unsupported(tr("%1 %2").arg(op.variant, operationKindName(op.kind)));
        if (op.tile < 1 || op.tile > 4)
            return invalid(tr("index: choose one of the four images (1-4)"));
        return {};
    case OperationKind::Zoom:
        if (!op.zoomFactor.isEmpty() && !zoomRatio(op.zoomFactor))
            return invalid(
                tr("zoom (zoom_ratio): \"%1\" is not a factor above 1 and at most 2 (e.g. 1.5 or 2)")
                    .arg(op.zoomFactor));
        return checkOneOf(tr("aspect ratio (aspectRatio)"), op.aspectRatio, c.aspectRatios);
    case OperationKind::Inpaint:
        if (op.mask.isEmpty())
            return invalid(tr("mask: draw the region to vary"));
        return {};
    default:
        // Reroll and seed take nothing but the parent; pan's direction is checked by Operation and its
        // prompt, when empty, comes from the parent at submit time.
        return {};
    }
}

} // namespace tessera::kolersky
