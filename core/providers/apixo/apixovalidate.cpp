#include "apixoadapter.h"
#include "apixoprotocol.h"

#include <QUrl>

// ApixoAdapter::validate(): every value apixo would refuse, refused before anything is sent, with a
// message that names the field (PROVIDERS.md §2, adapter rules).
namespace tessera::apixo {

using namespace detail;

namespace {

Status checkRange(const char *name, const std::optional<int> &value, const IntRange &range)
{
    if (value && !range.accepts(*value))
        return invalid(
            tr("%1: %2 is outside %3-%4").arg(QLatin1String(name)).arg(*value).arg(range.min).arg(range.max));
    return {};
}

// The parameters of a generating mode (text-to-image, image-to-image, upload-paint).
Status checkGenerationFields(const Operation &op, const Capabilities &c)
{
    if (!op.aspectRatio.isEmpty() && !c.aspectRatios.contains(op.aspectRatio))
        return invalid(tr("aspect ratio: \"%1\" is not one of %2")
                           .arg(op.aspectRatio, c.aspectRatios.join(QStringLiteral(", "))));
    if (!op.version.isEmpty() && vendorVersion(op.version).isEmpty())
        return invalid(tr("version: \"%1\" is not one of %2 at apixo")
                           .arg(op.version, c.versions.join(QStringLiteral(", "))));
    if (Status s = checkRange("chaos", op.chaos, c.chaos); !s)
        return s;
    if (Status s = checkRange("stylize", op.stylize, c.stylize); !s)
        return s;
    return checkRange("weird", op.weird, c.weird);
}

Status checkReferences(const Operation &op, const Capabilities &c)
{
    if (op.type == GenerateType::Text) {
        if (!op.references.isEmpty())
            return invalid(tr("references: text → image takes no images; choose image → image"));
        return {};
    }
    if (op.references.isEmpty())
        return invalid(tr("references: image → image needs at least one image URL"));
    if (op.references.size() > c.maxReferences)
        return invalid(tr("references: %1 images, at most %2 are accepted")
                           .arg(op.references.size())
                           .arg(c.maxReferences));
    for (const QString &ref : op.references) {
        const QUrl url(ref);
        const QString scheme = url.scheme().toLower();
        if (scheme == QLatin1String("data"))
            return invalid(tr("references: apixo takes image URLs only (image_urls), not a local file or "
                              "data: URL; upload the image and give its http(s) address"));
        if ((scheme != QLatin1String("http") && scheme != QLatin1String("https")) || url.host().isEmpty())
            return invalid(tr("references: \"%1\" is not an http(s) URL (apixo's image_urls takes URLs only)")
                               .arg(ref.left(80)));
    }
    return {};
}

// vary and upscale carry only their documented fields and `speed` (a universal input field): a
// parameter the vendor would ignore is refused rather than silently dropped.
Status checkActionFields(const Operation &op)
{
    const QString what = op.kind == OperationKind::Vary ? tr("vary") : tr("upscale");
    const auto refuse = [&](const QString &field) {
        return invalid(
            tr("%1: apixo's %2 keeps the parameters of the image it starts from").arg(field, what));
    };
    if (!op.aspectRatio.isEmpty())
        return refuse(tr("aspect ratio"));
    if (!op.version.isEmpty())
        return refuse(tr("version"));
    if (op.chaos)
        return refuse(QStringLiteral("chaos"));
    if (op.stylize)
        return refuse(QStringLiteral("stylize"));
    if (op.weird)
        return refuse(QStringLiteral("weird"));
    if (op.translate)
        return refuse(tr("translate"));
    if (!op.references.isEmpty())
        return refuse(tr("references"));
    if (op.kind == OperationKind::Upscale && !op.prompt.isEmpty())
        return invalid(tr("prompt: apixo's upscale takes no prompt"));
    if (!variantType(op.kind, op.variant)) {
        const QStringList offered = variantsOffered(op.kind);
        return invalid(tr("variant: apixo's %1 has no \"%2\"; it offers %3")
                           .arg(what, op.variant, offered.join(QStringLiteral(", "))));
    }
    return {};
}

} // namespace

Status ApixoAdapter::validate(const Operation &op, const Account &account) const
{
    if (const Result<QString> r = routing(account); !r)
        return r.error();
    if (const QString missing = missingFeature(op); !missing.isEmpty())
        return Error::make(Error::Kind::Unsupported, tr("apixo has no %1").arg(missing));
    const Capabilities c = capabilities(account);
    if (op.prompt.size() > c.maxPromptLength)
        return invalid(tr("prompt: %1 characters, at most %2 are accepted")
                           .arg(op.prompt.size())
                           .arg(c.maxPromptLength));
    if (!op.speed.isEmpty() && !c.speeds.contains(op.speed))
        return invalid(op.speed == QLatin1String("relaxed")
                           ? tr("speed: apixo has no relaxed mode; use fast or turbo")
                           : tr("speed: \"%1\" is not one of fast, turbo").arg(op.speed));
    if (op.seed)
        return invalid(tr("seed: apixo takes no seed"));
    if (op.omniWeight)
        return invalid(tr("omni weight: apixo has no omni reference"));
    if (!op.watermark.isEmpty())
        return invalid(tr("watermark: apixo takes no watermark"));
    if (!op.motion.isEmpty())
        return invalid(tr("motion: apixo has no video"));
    if (op.videoBatch)
        return invalid(tr("video batch: apixo has no video"));

    switch (op.kind) {
    case OperationKind::Imagine:
        if (Status s = checkReferences(op, c); !s)
            return s;
        return checkGenerationFields(op, c);
    case OperationKind::Inpaint:
        if (const Result<QString> m = maskFormat(account); !m)
            return m.error();
        if (op.mask.isEmpty())
            return invalid(tr("mask: paint the region to regenerate"));
        if (!op.aspectRatio.isEmpty())
            return invalid(tr("aspect ratio: vary region keeps the size of the image it repaints"));
        if (!op.references.isEmpty())
            return invalid(tr("references: apixo's vary region takes only the image it repaints"));
        return checkGenerationFields(op, c);
    case OperationKind::Vary:
    case OperationKind::Upscale:
        return checkActionFields(op);
    default:
        return Error::make(Error::Kind::Unsupported, tr("apixo has no %1").arg(operationKindName(op.kind)));
    }
}

} // namespace tessera::apixo
