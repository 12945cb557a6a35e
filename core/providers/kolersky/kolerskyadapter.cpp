#include "kolerskyadapter.h"

#include "kolerskyprotocol.h"

#include <QCoreApplication>

#include <algorithm>
#include <array>

// The adapter's identity, capabilities, availability and poll policy, and the vocabulary its other source
// files share (kolerskyprotocol.h). Requests, answers and validation have their own files.
namespace tessera::kolersky {

namespace {

struct TaskTypeName
{
    GenerateType type;
    const char *name;
};

constexpr std::array kTaskTypes {
    TaskTypeName {GenerateType::Text, "text-to-image"},
    TaskTypeName {GenerateType::Image, "image-to-image"},
    TaskTypeName {GenerateType::Style, "style-reference"},
    TaskTypeName {GenerateType::Omni, "omni-reference"},
    TaskTypeName {GenerateType::Video, "image-to-video"},
    TaskTypeName {GenerateType::VideoHd, "image-to-video-hd"},
};

} // namespace

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

QString tr(const char *text)
{
    return QCoreApplication::translate("KolerskyAdapter", text);
}

QString familyName()
{
    return QStringLiteral("kolersky");
}

const QStringList &aspectRatios()
{
    static const QStringList ratios {QStringLiteral("1:2"),  QStringLiteral("9:16"), QStringLiteral("2:3"),
                                     QStringLiteral("3:4"),  QStringLiteral("5:6"),  QStringLiteral("6:5"),
                                     QStringLiteral("4:3"),  QStringLiteral("3:2"),  QStringLiteral("1:1"),
                                     QStringLiteral("16:9"), QStringLiteral("2:1")};
    return ratios;
}

const QStringList &versions()
{
    static const QStringList list {QStringLiteral("7"),   QStringLiteral("6.1"), QStringLiteral("6"),
                                   QStringLiteral("5.2"), QStringLiteral("5.1"), QStringLiteral("niji6")};
    return list;
}

const QStringList &speeds()
{
    static const QStringList list {QStringLiteral("relaxed"), QStringLiteral("fast"),
                                   QStringLiteral("turbo")};
    return list;
}

const QStringList &motions()
{
    static const QStringList list {QStringLiteral("low"), QStringLiteral("high")};
    return list;
}

QString taskTypeName(GenerateType type)
{
    for (const auto &t : kTaskTypes) {
        if (t.type == type)
            return QString::fromLatin1(t.name);
    }
    return {};
}

bool isVideo(GenerateType type)
{
    return type == GenerateType::Video || type == GenerateType::VideoHd;
}

bool takesSpeed(GenerateType type)
{
    return !isVideo(type) && type != GenerateType::Omni;
}

std::optional<QString> zoomRatio(const QString &factor)
{
    bool ok = false;
    const double value = factor.trimmed().toDouble(&ok);
    if (!ok || !(value > 1.0 && value <= 2.0))
        return std::nullopt;
    // "2.0" and "2" mean the same; the vendor's examples spell it "2" and "1.5".
    return QString::number(value, 'g', 12);
}

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
    if (const auto refused = parentNotReady(parent, tr("The task has no %1 request id").arg(familyName())))
        return *refused;

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
