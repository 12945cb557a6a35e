#include "mjproxyforecast.h"

#include "mjproxybuttons.h"
#include "model/promptflags.h"

#include <QCoreApplication>

#include <optional>

namespace tessera::mjproxy {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MjproxyAdapter", text);
}

// The version as a number to compare: niji 5, 6 and 7 follow Midjourney 5.2, 6 and 7.
std::optional<double> level(const QString &version)
{
    if (version.isEmpty())
        return std::nullopt;
    if (version.startsWith(QLatin1String("niji"))) {
        bool ok = false;
        const int niji = version.mid(4).trimmed().toInt(&ok);
        if (!ok)
            return std::nullopt;
        return niji == 5 ? 5.2 : double(niji);
    }
    bool ok = false;
    const double number = version.toDouble(&ok);
    return ok ? std::optional<double>(number) : std::nullopt;
}

QString spelled(const QString &version)
{
    if (version.startsWith(QLatin1String("niji")))
        return QStringLiteral("niji ") + version.mid(4).trimmed();
    return version;
}

Forecast offered()
{
    return {};
}

Forecast notOffered(QString why)
{
    return {Forecast::Verdict::NotOffered, std::move(why)};
}

Forecast unsure(QString why)
{
    return {Forecast::Verdict::Unsure, std::move(why)};
}

} // namespace

QString gridVersion(const Task &grid)
{
    if (!grid.operation.version.isEmpty())
        return grid.operation.version;
    const QString prompt = grid.operation.prompt.isEmpty() ? grid.prompt : grid.operation.prompt;
    return PromptFlags::parse(prompt).version;
}

Forecast forecastOnUpscale(const Operation &op, const QString &version)
{
    const std::optional<double> v = level(version);
    const bool upscaleVariant = op.kind == OperationKind::Upscale && !op.variant.isEmpty();
    const bool versionFive = op.variant == QLatin1String("2x") || op.variant == QLatin1String("4x");
    if (op.kind == OperationKind::Animate) {
        // Video buttons come with the server, not with the model: several gateways never offer them.
        return unsure(tr("whether the upscale offers Animate depends on the server (several never do)"));
    }
    if (upscaleVariant && versionFive) {
        // upsample_v5_2x / upsample_v5_4x: version 5 upscales only (PROVIDERS.md §4 table).
        if (!v)
            return unsure(tr("%1 exists only on version 5 upscales, and the prompt names no version "
                             "(the server's default decides; most likely it is not offered)")
                              .arg(buttonLabel(op)));
        if (*v >= 5 && *v < 6)
            return offered();
        return notOffered(tr("%1 exists only on version 5 upscales; this grid is version %2")
                              .arg(buttonLabel(op), spelled(version)));
    }
    if (upscaleVariant) {
        // upsample_v6_2x_*, upsample_v6r1_2x_*, upsample_v7_2x_*: version 6 and later.
        if (!v || *v >= 6)
            return offered();
        return notOffered(tr("%1 exists on version 6 and later upscales; this grid is version %2")
                              .arg(buttonLabel(op), spelled(version)));
    }
    // Vary (Subtle/Strong), pan, zoom out and vary region came with version 5.2; every default since has them.
    if (!v || *v >= 5.2)
        return offered();
    return notOffered(tr("%1 needs version 5.2 or later; this grid is version %2")
                          .arg(buttonLabel(op), spelled(version)));
}

} // namespace tessera::mjproxy
