// MjproxyAdapter::validate: every value midjourney-proxy would refuse (or Midjourney would reject in the
// prompt), refused before anything is sent, with a message that names the field.

#include "mjproxyadapter.h"
#include "mjproxybuttons.h"
#include "mjproxyprompt.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace tessera::mjproxy {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MjproxyAdapter", text);
}

Error invalid(const QString &message)
{
    return Error::make(Error::Kind::InvalidRequest, message);
}

// A reference as shown in a message: data: URLs are cut short.
QString shown(const QString &reference)
{
    return reference.size() > 48 ? reference.left(47) + QChar(0x2026) : reference;
}

Status checkRange(const char *field, const std::optional<int> &value, const IntRange &range)
{
    if (value && !range.accepts(*value))
        return invalid(tr("%1: %2 is outside %3-%4")
                           .arg(QLatin1String(field))
                           .arg(*value)
                           .arg(range.min)
                           .arg(range.max));
    return {};
}

Status checkAccount(const Account &account)
{
    const QString auth = account.option(QStringLiteral("auth")).trimmed().toLower();
    if (!auth.isEmpty() && auth != QLatin1String("bearer") && auth != QLatin1String("raw")
        && auth != QLatin1String("mj-api-secret"))
        return invalid(tr("auth: \"%1\" is not one of bearer, raw, mj-api-secret").arg(auth));
    static const QRegularExpression badPrefix(QStringLiteral("[\\s?#]"));
    const QString prefix = account.option(QStringLiteral("prefix")).trimmed();
    if (prefix.contains(badPrefix))
        return invalid(tr("prefix: \"%1\" must be a path such as /mj-fast (no spaces, ? or #)").arg(prefix));
    return {};
}

// Blend and describe send the images themselves (PROVIDERS.md §4): only data: URLs (local files).
Status checkUploads(const Operation &op, qsizetype min, qsizetype max, const QString &what)
{
    if (op.references.size() < min || op.references.size() > max)
        return invalid(min == max ? tr("references: %1 takes exactly %2 image (%3 given)")
                                        .arg(what)
                                        .arg(min)
                                        .arg(op.references.size())
                                  : tr("references: %1 takes %2 to %3 images (%4 given)")
                                        .arg(what)
                                        .arg(min)
                                        .arg(max)
                                        .arg(op.references.size()));
    for (const QString &reference : op.references) {
        if (!isDataUrl(reference))
            return invalid(tr("references: %1 sends the image itself; use a local file instead of \"%2\"")
                               .arg(what, shown(reference)));
    }
    return {};
}

Status checkImagine(const Operation &op, const Capabilities &c)
{
    if (op.type == GenerateType::Video || op.type == GenerateType::VideoHd)
        return Error::make(Error::Kind::Unsupported,
                           tr("type: midjourney-proxy makes videos with Animate on an upscaled image"));
    if (op.references.size() > c.maxReferences)
        return invalid(
            tr("references: at most %1 images (%2 given)").arg(c.maxReferences).arg(op.references.size()));
    for (const QString &reference : op.references) {
        if (!isHttpUrl(reference) && !isDataUrl(reference))
            return invalid(
                tr("references: \"%1\" is neither an http(s) link nor a local file").arg(shown(reference)));
    }
    switch (op.type) {
    case GenerateType::Text:
        if (!op.references.isEmpty())
            return invalid(tr("references: text to image takes no reference images; choose the type image, "
                              "style or omni"));
        break;
    case GenerateType::Image:
        if (op.references.isEmpty())
            return invalid(tr("references: image to image needs at least one reference image"));
        break;
    case GenerateType::Style:
    case GenerateType::Omni: {
        const bool omni = op.type == GenerateType::Omni;
        if (op.references.isEmpty() || (omni && op.references.size() != 1))
            return invalid(omni ? tr("references: an omni reference takes exactly one image")
                                : tr("references: a style reference needs at least one image"));
        for (const QString &reference : op.references) {
            if (!isHttpUrl(reference))
                return invalid(
                    tr("references: %1 needs an http(s) link; midjourney-proxy cannot upload \"%2\"")
                        .arg(omni ? QStringLiteral("--oref") : QStringLiteral("--sref"), shown(reference)));
        }
        break;
    }
    default:
        break;
    }
    if (op.omniWeight && op.type != GenerateType::Omni)
        return invalid(tr("omni weight: only with an omni reference (--oref)"));

    static const QRegularExpression ratio(QStringLiteral("^([1-9]\\d*):([1-9]\\d*)$"));
    if (!op.aspectRatio.isEmpty() && !ratio.match(op.aspectRatio).hasMatch())
        return invalid(
            tr("aspect ratio: \"%1\" is not a ratio of whole numbers like 16:9").arg(op.aspectRatio));
    if (!op.version.isEmpty() && !c.versions.contains(op.version))
        return invalid(
            tr("version: \"%1\" is not one of %2").arg(op.version, c.versions.join(QStringLiteral(", "))));
    if (Status s = checkRange("chaos", op.chaos, c.chaos); !s)
        return s;
    if (Status s = checkRange("stylize", op.stylize, c.stylize); !s)
        return s;
    if (Status s = checkRange("weird", op.weird, c.weird); !s)
        return s;
    if (Status s = checkRange("omni weight", op.omniWeight, c.omniWeight); !s)
        return s;
    if (op.seed && (*op.seed < 0 || *op.seed > 4294967295LL))
        return invalid(tr("seed: %1 is outside 0-4294967295").arg(*op.seed));
    return checkTypedFlags(op);
}

Status checkAction(const Operation &op)
{
    switch (op.kind) {
    case OperationKind::Upscale:
        if (!op.variant.isEmpty()
            && !QStringList {QStringLiteral("subtle"), QStringLiteral("creative"), QStringLiteral("2x"),
                             QStringLiteral("4x")}
                    .contains(op.variant))
            return invalid(tr("variant: \"%1\" is not subtle, creative, 2x or 4x").arg(op.variant));
        break;
    case OperationKind::Vary:
        if (!op.variant.isEmpty() && op.variant != QLatin1String("subtle")
            && op.variant != QLatin1String("strong"))
            return invalid(tr("variant: \"%1\" is not subtle or strong").arg(op.variant));
        break;
    case OperationKind::Zoom:
        if (!zoomFactor(op.zoomFactor))
            return invalid(tr("zoom factor: \"%1\" is not a number above 1 and at most 2 (e.g. 1.5 or 2)")
                               .arg(op.zoomFactor));
        break;
    case OperationKind::Animate:
        if (!op.motion.isEmpty() && op.motion != QLatin1String("low") && op.motion != QLatin1String("high"))
            return invalid(tr("motion: \"%1\" is not low or high").arg(op.motion));
        break;
    case OperationKind::Inpaint:
        if (op.mask.isEmpty())
            return invalid(tr("mask: draw the region to vary first"));
        break;
    default:
        break;
    }
    return {};
}

} // namespace

Status MjproxyAdapter::validate(const Operation &op, const Account &account) const
{
    if (Status s = checkAccount(account); !s)
        return s;
    const Capabilities c = capabilities(account);
    if (op.kind == OperationKind::VideoExtend)
        return Error::make(Error::Kind::Unsupported, tr("midjourney-proxy has no video extend"));
    if (op.prompt.size() > c.maxPromptLength)
        return invalid(tr("prompt: %1 characters, at most %2 are accepted")
                           .arg(op.prompt.size())
                           .arg(c.maxPromptLength));
    if (!op.speed.isEmpty())
        return invalid(tr("speed: midjourney-proxy takes the speed from the account's path prefix (option "
                          "\"prefix\", e.g. /mj-fast or /mj-relax), not per task"));
    if (!op.watermark.isEmpty())
        return invalid(tr("watermark: midjourney-proxy has no watermark option"));
    if (op.translate)
        return invalid(tr("translate: midjourney-proxy has no translation switch"));
    if (op.videoBatch)
        return invalid(tr("video batch: midjourney-proxy has no video batch size"));

    switch (op.kind) {
    case OperationKind::Imagine:
        return checkImagine(op, c);
    case OperationKind::Blend:
        if (Status s = checkUploads(op, 2, 5, tr("blend")); !s)
            return s;
        if (!op.dimensions.isEmpty()
            && !QStringList {QStringLiteral("portrait"), QStringLiteral("square"),
                             QStringLiteral("landscape")}
                    .contains(op.dimensions.toLower()))
            return invalid(tr("dimensions: \"%1\" is not portrait, square or landscape").arg(op.dimensions));
        return {};
    case OperationKind::Describe:
        return checkUploads(op, 1, 1, tr("describe"));
    case OperationKind::Shorten:
        return {};
    default:
        return checkAction(op);
    }
}

} // namespace tessera::mjproxy
