#include "kieadapter.h"

#include "kieprotocol.h"
#include "providers/common/vendorjson.h"

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

// Ranges as kolersky (PROVIDERS.md §3): variety step 5, stylization step 50, weirdness step 100, ow 1-1000.
constexpr IntRange kChaos {0, 100, 5, true};
constexpr IntRange kStylize {0, 1000, 50, true};
constexpr IntRange kWeird {0, 3000, 100, true};
constexpr IntRange kOmniWeight {1, 1000, 1, true};

Error invalid(const QString &message)
{
    return Error::make(Error::Kind::InvalidRequest, message);
}

QString typeWords(GenerateType type)
{
    switch (type) {
    case GenerateType::Text:
        return tr("text-to-image");
    case GenerateType::Image:
        return tr("image-to-image");
    case GenerateType::Style:
        return tr("style reference");
    case GenerateType::Omni:
        return tr("omni reference");
    case GenerateType::Video:
    case GenerateType::VideoHd:
        return tr("video");
    }
    return generateTypeName(type);
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
        return invalid(tr("references: %1 needs at least one image URL").arg(typeWords(op.type)));
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
    if (!parent)
        return Availability::no(tr("Select a finished task first"));
    if (parent->state != TaskState::Succeeded)
        return Availability::no(tr("The task has not finished yet"));
    if (parent->remoteId.isEmpty())
        return Availability::no(tr("The task has no kie task id"));
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
