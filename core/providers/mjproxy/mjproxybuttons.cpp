#include "mjproxybuttons.h"

#include <QCoreApplication>
#include <QJsonObject>

#include <cmath>
#include <functional>

namespace tessera::mjproxy {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MjproxyAdapter", text);
}

// A customId taken apart: `MJ::JOB::<name>::<index>::<hash>[::SOLO]`, `MJ::Inpaint::<index>::<hash>::SOLO`,
// `MJ::Outpaint::<50|75>::<index>::<hash>::SOLO`, `MJ::CustomZoom::<hash>` (PROVIDERS.md §4 table).
struct ButtonId
{
    QString kind; // "JOB", "Inpaint", "Outpaint", "CustomZoom", ...
    QString name; // JOB: "upsample", "pan_left", ...; Outpaint: "50" or "75"
    QString index; // JOB: "1".."4" or "0" (reroll)
};

std::optional<ButtonId> parseId(const QString &customId)
{
    const QStringList parts = customId.split(QStringLiteral("::"));
    if (parts.size() < 3 || parts[0] != QLatin1String("MJ"))
        return std::nullopt;
    ButtonId id;
    id.kind = parts[1];
    if (id.kind == QLatin1String("JOB") || id.kind == QLatin1String("Outpaint")) {
        if (parts.size() < 5)
            return std::nullopt;
        id.name = parts[2];
        id.index = parts[3];
    }
    return id;
}

using Predicate = std::function<bool(const ButtonId &)>;

QString findId(const QJsonArray &buttons, const Predicate &matches)
{
    for (const QJsonValue &value : buttons) {
        const QString customId = value.toObject().value(QLatin1String("customId")).toString();
        if (const auto id = parseId(customId); id && matches(*id))
            return customId;
    }
    return {};
}

Predicate job(const QString &name, const QString &index = {})
{
    return [name, index](const ButtonId &id) {
        return id.kind == QLatin1String("JOB") && id.name == name && (index.isEmpty() || id.index == index);
    };
}

// The upscale buttons differ per model version (upsample_v7_2x_subtle, upsample_v6r1_2x_creative,
// upsample_v5_2x, upsample_v5_4x): matched by their suffix so a new version needs no release.
Predicate upscaleVariant(const QString &suffix)
{
    return [suffix](const ButtonId &id) {
        return id.kind == QLatin1String("JOB") && id.name.startsWith(QLatin1String("upsample_"))
            && id.name.endsWith(suffix);
    };
}

Predicate outpaint(const char *scale)
{
    return [scale](const ButtonId &id) {
        return id.kind == QLatin1String("Outpaint") && id.name == QLatin1String(scale);
    };
}

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-9;
}

QString animateName(const Operation &op)
{
    // Midjourney's own default for Animate is low motion.
    return QStringLiteral("animate_") + (op.motion.isEmpty() ? QStringLiteral("low") : op.motion);
}

} // namespace

QJsonArray storedButtons(const Task &task)
{
    return task.remote.value(QLatin1String("buttons")).toArray();
}

std::optional<ButtonChoice> findButton(const Operation &op, const QJsonArray &buttons)
{
    const auto plain = [&](const QString &customId) -> std::optional<ButtonChoice> {
        if (customId.isEmpty())
            return std::nullopt;
        return ButtonChoice {customId, false};
    };
    const QString tile = QString::number(op.tile);
    switch (op.kind) {
    case OperationKind::Upscale:
        if (op.variant.isEmpty())
            return plain(findId(buttons, job(QStringLiteral("upsample"), tile)));
        if (op.variant == QLatin1String("subtle"))
            return plain(findId(buttons, upscaleVariant(QStringLiteral("_2x_subtle"))));
        if (op.variant == QLatin1String("creative"))
            return plain(findId(buttons, upscaleVariant(QStringLiteral("_2x_creative"))));
        if (op.variant == QLatin1String("2x"))
            return plain(findId(buttons, upscaleVariant(QStringLiteral("_2x"))));
        if (op.variant == QLatin1String("4x"))
            return plain(findId(buttons, upscaleVariant(QStringLiteral("_4x"))));
        return std::nullopt;
    case OperationKind::Vary:
        if (op.variant.isEmpty())
            return plain(findId(buttons, job(QStringLiteral("variation"), tile)));
        if (op.variant == QLatin1String("subtle"))
            return plain(findId(buttons, job(QStringLiteral("low_variation"))));
        if (op.variant == QLatin1String("strong"))
            return plain(findId(buttons, job(QStringLiteral("high_variation"))));
        return std::nullopt;
    case OperationKind::Reroll:
        return plain(findId(buttons, job(QStringLiteral("reroll"))));
    case OperationKind::Pan:
        return plain(findId(buttons, job(QStringLiteral("pan_") + op.direction)));
    case OperationKind::Animate:
        return plain(findId(buttons, job(animateName(op))));
    case OperationKind::Inpaint:
        return plain(findId(buttons, [](const ButtonId &id) { return id.kind == QLatin1String("Inpaint"); }));
    case OperationKind::Zoom: {
        const auto factor = zoomFactor(op.zoomFactor);
        if (!factor)
            return std::nullopt;
        QString fixed;
        if (near(*factor, 2.0))
            fixed = findId(buttons, outpaint("50"));
        else if (near(*factor, 1.5))
            fixed = findId(buttons, outpaint("75"));
        if (!fixed.isEmpty())
            return ButtonChoice {fixed, false};
        const QString custom
            = findId(buttons, [](const ButtonId &id) { return id.kind == QLatin1String("CustomZoom"); });
        if (custom.isEmpty())
            return std::nullopt;
        return ButtonChoice {custom, true};
    }
    default:
        return std::nullopt;
    }
}

bool hasUpscaleButton(const QJsonArray &buttons, int tile)
{
    return !findId(buttons, job(QStringLiteral("upsample"), QString::number(tile))).isEmpty();
}

bool hasGridButtons(const QJsonArray &buttons)
{
    return !findId(buttons, [](const ButtonId &id) {
                return id.kind == QLatin1String("JOB")
                    && (id.name == QLatin1String("upsample") || id.name == QLatin1String("variation"));
            }).isEmpty();
}

QString buttonLabel(const Operation &op)
{
    switch (op.kind) {
    case OperationKind::Upscale:
        if (op.variant.isEmpty())
            return QStringLiteral("U%1").arg(op.tile);
        if (op.variant == QLatin1String("subtle"))
            return tr("Upscale (Subtle)");
        if (op.variant == QLatin1String("creative"))
            return tr("Upscale (Creative)");
        return tr("Upscale (%1)").arg(op.variant);
    case OperationKind::Vary:
        if (op.variant.isEmpty())
            return QStringLiteral("V%1").arg(op.tile);
        return op.variant == QLatin1String("strong") ? tr("Vary (Strong)") : tr("Vary (Subtle)");
    case OperationKind::Reroll:
        return tr("Reroll");
    case OperationKind::Inpaint:
        return tr("Vary (Region)");
    case OperationKind::Animate:
        return op.motion == QLatin1String("high") ? tr("Animate (High motion)") : tr("Animate (Low motion)");
    case OperationKind::Zoom: {
        const auto factor = zoomFactor(op.zoomFactor);
        if (factor && (near(*factor, 2.0) || near(*factor, 1.5)))
            return tr("Zoom Out %1x").arg(zoomText(*factor));
        return tr("Custom Zoom");
    }
    default:
        return op.label();
    }
}

std::optional<double> zoomFactor(const QString &text)
{
    bool ok = false;
    const double factor = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(factor) || factor <= 1.0 || factor > 2.0)
        return std::nullopt;
    return factor;
}

QString zoomText(double factor)
{
    return QString::number(factor, 'g', 10);
}

} // namespace tessera::mjproxy
