#include "taskdetails.h"

#include "common/taskdelegate.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QUrl>

namespace tessera::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("TaskDetails", text);
}

QString number(const std::optional<int> &value)
{
    return value ? QString::number(*value) : QString();
}

} // namespace

QString taskDetailsHtml(const Task &t, const Account &account)
{
    const Operation &op = t.operation;
    QString html = QStringLiteral("<h3>%1</h3>").arg(op.label().toHtmlEscaped());
    if (!t.prompt.isEmpty())
        html += QStringLiteral("<p>%1</p>").arg(t.prompt.toHtmlEscaped());
    const auto row = [&html](const QString &name, const QString &value) {
        if (!value.isEmpty())
            html += QStringLiteral(
                        "<tr><td style='padding-right:8px; color:palette(mid)'>%1</td><td>%2</td></tr>")
                        .arg(name.toHtmlEscaped(), value.toHtmlEscaped());
    };
    // Long ids and seeds: shortened where they stand, copied whole with a click ("copy:" links the Gallery
    // answers), instead of wrapping at any character.
    const auto copyRow = [&html](const QString &name, const QString &value) {
        if (value.isEmpty())
            return;
        const QString shown = value.size() > 14 ? value.left(12) + QStringLiteral("…") : value;
        html += QStringLiteral("<tr><td style='padding-right:8px; color:palette(mid)'>%1</td><td><a "
                               "href='copy:%2' title='%3'>%4</a> <a href='copy:%2'>⧉</a></td></tr>")
                    .arg(name.toHtmlEscaped(), QString::fromLatin1(QUrl::toPercentEncoding(value)),
                         tr("%1 — click to copy").arg(value).toHtmlEscaped(), shown.toHtmlEscaped());
    };
    html += QStringLiteral("<table cellspacing='2'>");
    row(tr("State"),
        taskStateLabel(t.state)
            + (t.progress && isActive(t.state) ? QStringLiteral(" %1%").arg(*t.progress) : QString()));
    row(tr("Waiting"), waitText(t, account.displayName(), QDateTime::currentMSecsSinceEpoch()));
    row(tr("Account"), account.displayName());
    if (op.kind == OperationKind::Inpaint)
        row(tr("Region prompt"), op.prompt);
    if (op.kind == OperationKind::Imagine && op.type != GenerateType::Text)
        row(tr("Type"), generateTypeName(op.type));
    row(tr("References"), op.references.isEmpty() ? QString() : QString::number(op.references.size()));
    row(tr("Aspect"), op.aspectRatio);
    row(tr("Version"), op.version);
    row(tr("Speed"), op.speed);
    row(tr("Chaos"), number(op.chaos));
    row(tr("Stylize"), number(op.stylize));
    row(tr("Weird"), number(op.weird));
    row(tr("Omni weight"), number(op.omniWeight));
    row(tr("Motion"), op.motion);
    row(tr("Videos"), number(op.videoBatch));
    row(tr("Dimensions"), op.dimensions);
    row(tr("Variant"), op.variant);
    row(tr("Watermark"), op.watermark);
    copyRow(tr("Seed"),
            op.seed ? QString::number(*op.seed) : t.remote.value(QStringLiteral("seed")).toString());
    row(tr("Created"), QLocale().toString(t.created.toLocalTime(), QLocale::ShortFormat));
    if (t.finished.isValid() && isTerminal(t.state)) {
        const qint64 secs = t.created.secsTo(t.finished);
        row(tr("Took"), secs < 60 ? tr("%1 s").arg(secs) : tr("%1 min %2 s").arg(secs / 60).arg(secs % 60));
    }
    copyRow(tr("Task id"), t.id);
    copyRow(tr("Provider id"), t.remoteId);
    html += QStringLiteral("</table>");
    if (t.error)
        html += QStringLiteral("<p style='color:#c0392b'>%1</p>").arg(t.error->userText().toHtmlEscaped());
    const QString refused = t.remote.value(QStringLiteral("cancelRefused")).toString();
    if (!refused.isEmpty() && (!t.error || t.error->message != refused))
        html += QStringLiteral("<p style='color:#c0392b'>%1</p>")
                    .arg(tr("Not cancelled: %1").arg(refused).toHtmlEscaped());
    for (const ImageRef &img : t.images) {
        if (!img.error.isEmpty())
            html += QStringLiteral("<p style='color:#c0392b'>%1</p>")
                        .arg(tr("Image %1: %2").arg(img.index).arg(img.error).toHtmlEscaped());
    }
    return html;
}

} // namespace tessera::ui
