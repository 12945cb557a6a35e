#include "apixoadapter.h"

#include "apixoprotocol.h"

#include <QCoreApplication>

#include <array>

// The adapter's identity, capabilities and availability, poll policy and status call; the helpers its
// other source files share (apixoprotocol.h). Validation, requests and answers have their own files.
namespace tessera::apixo {

namespace detail {

QString tr(const char *text)
{
    return QCoreApplication::translate("ApixoAdapter", text);
}

Error invalid(const QString &message)
{
    return Error::make(Error::Kind::InvalidRequest, message);
}

namespace {

template<std::size_t N>
std::optional<int> typeFor(const std::array<wire::VariantType, N> &table, const QString &variant)
{
    for (const auto &entry : table) {
        if (variant == QLatin1String(entry.variant))
            return entry.type;
    }
    return std::nullopt;
}

template<std::size_t N> QStringList namedVariants(const std::array<wire::VariantType, N> &table)
{
    QStringList names;
    for (const auto &entry : table) {
        if (*entry.variant)
            names.append(QString::fromLatin1(entry.variant));
    }
    return names;
}

template<std::size_t N>
Result<QString> choice(const Account &account, QLatin1String key, const std::array<const char *, N> &values)
{
    const QString chosen = account.option(key).trimmed().toLower();
    if (chosen.isEmpty())
        return QString::fromLatin1(values.front());
    QStringList names;
    for (const char *value : values) {
        if (chosen == QLatin1String(value))
            return chosen;
        names.append(QString::fromLatin1(value));
    }
    return invalid(
        tr("%1: \"%2\" is not one of %3").arg(key, account.option(key), names.join(QStringLiteral(", "))));
}

} // namespace

const QStringList &aspectRatios()
{
    static const QStringList ratios {QStringLiteral("1:2"),  QStringLiteral("9:16"), QStringLiteral("2:3"),
                                     QStringLiteral("3:4"),  QStringLiteral("5:6"),  QStringLiteral("1:1"),
                                     QStringLiteral("6:5"),  QStringLiteral("4:3"),  QStringLiteral("3:2"),
                                     QStringLiteral("16:9"), QStringLiteral("2:1")};
    return ratios;
}

QString vendorVersion(const QString &version)
{
    for (const auto &v : wire::kVersions) {
        if (version == QLatin1String(v.tessera))
            return QString::fromLatin1(v.vendor);
    }
    return {};
}

std::optional<int> variantType(OperationKind kind, const QString &variant)
{
    if (kind == OperationKind::Vary)
        return typeFor(wire::kVaryTypes, variant);
    if (kind == OperationKind::Upscale)
        return typeFor(wire::kUpscaleTypes, variant);
    return std::nullopt;
}

QStringList variantsOffered(OperationKind kind)
{
    if (kind == OperationKind::Vary)
        return namedVariants(wire::kVaryTypes);
    if (kind == OperationKind::Upscale)
        return namedVariants(wire::kUpscaleTypes);
    return {};
}

Result<QString> routing(const Account &account)
{
    return choice(account, wire::kRoutingOption, wire::kRoutings);
}

Result<QString> maskFormat(const Account &account)
{
    return choice(account, wire::kMaskFormatOption, wire::kMaskFormats);
}

// What apixo does not offer at all, as the user calls it (PROVIDERS.md §2 "Not offered", §5); empty when
// the operation exists.
QString missingFeature(const Operation &op)
{
    switch (op.kind) {
    case OperationKind::Imagine:
        switch (op.type) {
        case GenerateType::Text:
        case GenerateType::Image:
            return {};
        case GenerateType::Style:
        case GenerateType::Omni:
        case GenerateType::Video:
        case GenerateType::VideoHd:
            return generateTypeWords(op.type);
        }
        return generateTypeName(op.type);
    case OperationKind::Upscale:
    case OperationKind::Vary:
    case OperationKind::Inpaint:
        return {};
    case OperationKind::Reroll:
        return tr("reroll");
    case OperationKind::Pan:
        return tr("pan");
    case OperationKind::Zoom:
        return tr("zoom");
    case OperationKind::Seed:
        return tr("seed");
    case OperationKind::Animate:
        return tr("animate");
    case OperationKind::Describe:
        return tr("describe");
    case OperationKind::Blend:
        return tr("blend");
    case OperationKind::Shorten:
        return tr("shorten");
    case OperationKind::VideoExtend:
        return tr("video extend");
    }
    return operationKindName(op.kind);
}

} // namespace detail

using namespace detail;

QString ApixoAdapter::family() const
{
    return QStringLiteral("apixo");
}

QString ApixoAdapter::displayName() const
{
    return QStringLiteral("apixo-style");
}

Capabilities ApixoAdapter::capabilities(const Account &account) const
{
    Capabilities c;
    c.generateTypes = {GenerateType::Text, GenerateType::Image};
    c.operations
        = {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary, OperationKind::Inpaint};
    c.aspectRatios = aspectRatios();
    for (const auto &v : wire::kVersions)
        c.versions.append(QString::fromLatin1(v.tessera));
    // No relaxed mode at apixo (vendor doc: speed "fast" or "turbo").
    for (const char *speed : wire::kSpeeds)
        c.speeds.append(QString::fromLatin1(speed));
    // Required in every generating mode, so the defaults are sent (PROVIDERS.md §2 Decision).
    for (const GenerateType type : c.generateTypes) {
        c.versionWhenUnset.insert(type, vendorVersion(wire::kDefaultVersion));
        c.speedWhenUnset.insert(type, QString(wire::kDefaultSpeed));
    }
    // The vendor documents ranges without steps (PROVIDERS.md §2), unlike kie's and kolersky's.
    c.chaos = {0, 100, 1, true};
    c.stylize = {0, 1000, 1, true};
    c.weird = {0, 3000, 1, true};
    c.maxPromptLength = 2000;
    c.maxReferences = 5;
    c.upscaleVariants = variantsOffered(OperationKind::Upscale);
    c.varyVariants = variantsOffered(OperationKind::Vary);
    c.serverCancel = false;
    c.reportsProgress = false;
    c.resultRetentionDays = 15; // PROVIDERS.md, "General rules"
    // mask.url (a data URL) or mask.areas, per the account's mask-format (PROVIDERS.md §2).
    c.maskWire = maskFormat(account).valueOr(QString()) == QLatin1String("polygons")
        ? Capabilities::MaskWire::Polygons
        : Capabilities::MaskWire::DataUrlPng;
    return c;
}

Availability ApixoAdapter::availability(const Operation &op, const Task *parent, const Account &) const
{
    if (const QString missing = missingFeature(op); !missing.isEmpty())
        return Availability::no(tr("apixo has no %1").arg(missing));
    if (!isAction(op.kind))
        return Availability::yes();
    if (const auto refused = parentNotReady(parent, tr("The task has no apixo id")))
        return *refused;
    const bool upscaleOrVary = op.kind == OperationKind::Upscale || op.kind == OperationKind::Vary;
    if (upscaleOrVary && !variantType(op.kind, op.variant))
        return Availability::no(
            tr("apixo's %1 has no \"%2\" variant").arg(operationKindName(op.kind), op.variant));
    // apixo's upscale and vary take a task id and imageIndex 0-3: they act on a four-image result only.
    // Sent for an upscale, the server accepts (and charges) and then fails the task (INVALID_TASK_ID).
    if (upscaleOrVary && !parent->isGrid())
        return Availability::no(tr("apixo upscales and varies only a four-image result, not an upscale; "
                                   "use Vary Region or start from the four images"));
    if (op.tile == 0) {
        if (parent->isGrid())
            return Availability::no(tr("Select one of the four images (1-4)"));
        if (!parent->image(0))
            return Availability::no(tr("The task has no image to work on"));
    } else if (!parent->image(op.tile)) {
        return Availability::no(tr("The task has no image %1").arg(op.tile));
    }
    if (op.kind == OperationKind::Inpaint && parent->image(op.tile)->remoteUrl.isEmpty())
        return Availability::no(tr("The image has no remote URL left for apixo to fetch"));
    return Availability::yes();
}

HttpCall ApixoAdapter::buildStatus(const QString &remoteId, const Account &) const
{
    QUrlQuery query;
    query.addQueryItem(QString(wire::kStatusQueryId), remoteId);
    return HttpCall::get(QString(wire::kStatusPath), query, HttpCall::Purpose::Status);
}

PollPolicy ApixoAdapter::pollPolicy(const Operation &op, const Account &account) const
{
    // PROVIDERS.md §6 and the vendor's guidance: wait 20 s after submit (turbo ≈15–25 s: 10 s), then
    // every 3 s; after 10 minutes the task is Unfinished.
    PollPolicy p;
    p.firstPollMs = op.speed == QLatin1String("turbo") ? 10'000 : 20'000;
    p.intervalMs = 3000;
    p.maxIntervalMs = 3000;
    p.maxPolls = 0;
    p.timeoutMs = 10LL * 60 * 1000;
    return p.withOverrides(account);
}

bool ApixoAdapter::needsSingleImage(const Operation &) const
{
    return false;
}

} // namespace tessera::apixo
