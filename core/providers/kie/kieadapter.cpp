#include "kieadapter.h"

#include "kieprotocol.h"

#include <QUrl>

#include <array>

namespace tessera::kie {

namespace {

struct TypeName
{
    GenerateType type;
    const char *taskType;
};

// PROVIDERS.md §3 / §5: one kie taskType per generate type.
constexpr std::array kTaskTypes {
    TypeName {GenerateType::Text, "mj_txt2img"},          TypeName {GenerateType::Image, "mj_img2img"},
    TypeName {GenerateType::Style, "mj_style_reference"}, TypeName {GenerateType::Omni, "mj_omni_reference"},
    TypeName {GenerateType::Video, "mj_video"},           TypeName {GenerateType::VideoHd, "mj_video_hd"},
};

struct VersionName
{
    const char *tessera;
    const char *vendor;
};

// The version enum of the vendor doc ("7, 6.1, 6, 5.2, 5.1, niji6"): no niji7.
constexpr std::array kVersions {
    VersionName {"7", "7"},     VersionName {"6.1", "6.1"}, VersionName {"6", "6"},
    VersionName {"5.2", "5.2"}, VersionName {"5.1", "5.1"}, VersionName {"niji6", "niji6"},
};

} // namespace

bool isVideoType(GenerateType type)
{
    return type == GenerateType::Video || type == GenerateType::VideoHd;
}

bool requiresSpeed(GenerateType type)
{
    return type == GenerateType::Text || type == GenerateType::Image || type == GenerateType::Style;
}

QString taskTypeFor(GenerateType type)
{
    for (const auto &t : kTaskTypes) {
        if (t.type == type)
            return QLatin1String(t.taskType);
    }
    return QLatin1String(kTaskTypes.front().taskType);
}

bool isVideoTaskType(const QString &taskType)
{
    return taskType.startsWith(QLatin1String("mj_video"));
}

QStringList versions()
{
    QStringList list;
    for (const auto &v : kVersions)
        list.append(QLatin1String(v.tessera));
    return list;
}

std::optional<QString> vendorVersion(const QString &version)
{
    for (const auto &v : kVersions) {
        if (version == QLatin1String(v.tessera))
            return QString(QLatin1String(v.vendor));
    }
    return std::nullopt;
}

QStringList aspectRatios()
{
    return {QStringLiteral("1:2"), QStringLiteral("9:16"), QStringLiteral("2:3"), QStringLiteral("3:4"),
            QStringLiteral("5:6"), QStringLiteral("6:5"),  QStringLiteral("4:3"), QStringLiteral("3:2"),
            QStringLiteral("1:1"), QStringLiteral("16:9"), QStringLiteral("2:1")};
}

QStringList speeds()
{
    return {QStringLiteral("relaxed"), QStringLiteral("fast"), QStringLiteral("turbo")};
}

std::optional<int> varyIndexBase(const Account &account)
{
    const QString value = account.option(kVaryIndexBaseOption).trimmed();
    if (value.isEmpty() || value == QLatin1String("1"))
        return 1;
    if (value == QLatin1String("0"))
        return 0;
    return std::nullopt;
}

QString extendTaskType(const Operation &op)
{
    if (op.variant == QLatin1String("manual"))
        return kExtendManual;
    if (op.variant == QLatin1String("auto"))
        return kExtendAuto;
    if (!op.variant.isEmpty())
        return {};
    return op.prompt.trimmed().isEmpty() ? QString(kExtendAuto) : QString(kExtendManual);
}

std::optional<QString> missingOperation(OperationKind kind)
{
    switch (kind) {
    case OperationKind::Imagine:
    case OperationKind::Upscale:
    case OperationKind::Vary:
    case OperationKind::VideoExtend:
        return std::nullopt;
    case OperationKind::Inpaint:
        return tr("kie has no vary region (inpaint)");
    case OperationKind::Animate:
        return tr("kie has no animate; generate with the type video instead");
    default:
        return tr("kie has no %1").arg(operationKindName(kind));
    }
}

bool isVideoTask(const Task &task)
{
    if (videoCount(task) > 0 || isVideoTaskType(task.remote.value(kRemoteTaskType).toString()))
        return true;
    return task.operation.kind == OperationKind::VideoExtend
        || (task.operation.kind == OperationKind::Imagine && isVideoType(task.operation.type));
}

int videoCount(const Task &task)
{
    int count = 0;
    for (const ImageRef &img : task.images) {
        if (img.role == ImageRole::Video)
            ++count;
    }
    return count;
}

QString KieAdapter::family() const
{
    return QStringLiteral("kie");
}

QString KieAdapter::displayName() const
{
    return tr("kie.ai-style");
}

Capabilities KieAdapter::capabilities(const Account &) const
{
    Capabilities c;
    for (const auto &t : kTaskTypes)
        c.generateTypes.append(t.type);
    c.operations
        = {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary, OperationKind::VideoExtend};
    c.aspectRatios = aspectRatios();
    c.versions = versions();
    c.speeds = speeds();
    c.chaos = kChaos;
    c.stylize = kStylize;
    c.weird = kWeird;
    c.omniWeight = kOmniWeight;
    c.maxPromptLength = kMaxPromptLength;
    c.maxReferences = kMaxReferences;
    for (const GenerateType type : std::as_const(c.generateTypes)) {
        if (requiresSpeed(type))
            c.speedWhenUnset.insert(type, kDefaultSpeed);
        if (isVideoType(type))
            c.motionWhenUnset.insert(type, kDefaultMotion);
    }
    c.serverCancel = false; // PROVIDERS.md §5: cancel only stops polling
    c.reportsProgress = false; // record-info has successFlag only
    c.resultRetentionDays = 15; // PROVIDERS.md, "General rules"
    return c;
}

Availability KieAdapter::availability(const Operation &op, const Task *parent, const Account &) const
{
    if (const auto missing = missingOperation(op.kind))
        return Availability::no(*missing);
    if (!isAction(op.kind))
        return Availability::yes();
    if (const auto refused = parentNotReady(parent, tr("The task has no kie task id")))
        return *refused;
    const bool video = isVideoTask(*parent);
    if (op.kind == OperationKind::VideoExtend) {
        if (!video)
            return Availability::no(tr("kie extends videos; this task made images"));
        const int count = videoCount(*parent);
        if (count > 0 && op.tile > count)
            return Availability::no(tr("Choose a video from 1 to %1").arg(count));
        return Availability::yes();
    }
    if (!op.variant.isEmpty())
        return Availability::no(tr("kie has no %1 %2").arg(op.variant, operationKindName(op.kind)));
    if (video)
        return Availability::no(tr("kie offers %1 on images, not on videos").arg(op.label()));
    if (!parent->isGrid())
        return Availability::no(
            tr("kie offers %1 on the four images of a generation, not on a single image").arg(op.label()));
    if (op.tile < 1 || op.tile > 4)
        return Availability::no(tr("Select one of the four images (1-4)"));
    return Availability::yes();
}

PollPolicy KieAdapter::pollPolicy(const Operation &, const Account &account) const
{
    // PROVIDERS.md §6: first poll after 10 s, then every 5 s backing off to 15 s, for 10 minutes. (The
    // vendor suggests 30 s; results expire and users wait, so Tessera asks sooner.)
    PollPolicy p;
    p.firstPollMs = 10'000;
    p.intervalMs = 5'000;
    p.maxIntervalMs = 15'000;
    p.maxPolls = 0;
    p.timeoutMs = 10LL * 60 * 1000;
    return p.withOverrides(account);
}

} // namespace tessera::kie
