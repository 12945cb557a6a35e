#include "taskdelegate.h"

#include "imagecache.h"
#include "tasklistmodel.h"

#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace tessera::ui {

namespace {

constexpr int kPad = 6;

QString elapsedText(qint64 secs)
{
    return QStringLiteral("%1:%2").arg(secs / 60).arg(secs % 60, 2, 10, QLatin1Char('0'));
}

QColor stateColor(TaskState state, const QPalette &pal)
{
    switch (state) {
    case TaskState::Succeeded:
        return QColor(0x27, 0xae, 0x60);
    case TaskState::Failed:
        return QColor(0xc0, 0x39, 0x2b);
    case TaskState::Unfinished:
    case TaskState::Unknown:
        return QColor(0xd6, 0x8a, 0x10);
    case TaskState::Cancelled:
        return pal.color(QPalette::PlaceholderText);
    default:
        return pal.color(QPalette::Highlight);
    }
}

QString stateSymbol(TaskState state)
{
    switch (state) {
    case TaskState::Succeeded:
        return QStringLiteral("✓");
    case TaskState::Failed:
        return QStringLiteral("✗");
    case TaskState::Cancelled:
        return QStringLiteral("⊘");
    case TaskState::Unfinished:
    case TaskState::Unknown:
        return QStringLiteral("?");
    default:
        return QStringLiteral("▣");
    }
}

} // namespace

QString waitText(const Task &task, const QString &accountName, qint64 nowMs)
{
    if (!isActive(task.state))
        return {};
    const qint64 until = task.remote.value(QLatin1String("waitUntil")).toInteger(0);
    if (until <= nowMs)
        return {};
    const QString at = QLocale().toString(QDateTime::fromMSecsSinceEpoch(until).time(), QLocale::LongFormat);
    const qint64 secs = (until - nowMs + 999) / 1000;
    const QString in = secs < 60 ? TaskDelegate::tr("in %1 s").arg(secs)
                                 : TaskDelegate::tr("in %1 min %2 s").arg(secs / 60).arg(secs % 60);
    const int status = task.remote.value(QLatin1String("waitStatus")).toInt();
    return status == 503 ? TaskDelegate::tr("%1 is unavailable — retrying at %2 (%3)").arg(accountName, at, in)
                         : TaskDelegate::tr("Rate limited by %1 — retrying at %2 (%3)").arg(accountName, at, in);
}

TaskDelegate::TaskDelegate(ImageCache &cache, int thumbnailSize, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_cache(cache)
    , m_thumb(thumbnailSize)
{ }

QSize TaskDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int lines = option.fontMetrics.lineSpacing() * 3 + 4;
    return {240, std::max(m_thumb, lines) + 2 * kPad};
}

void TaskDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);

    const Task task = index.data(TaskListModel::TaskRole).value<Task>();
    const QPalette &pal = option.palette;
    const bool selected = option.state & QStyle::State_Selected;
    const QColor text = pal.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QColor dim = selected ? text : pal.color(QPalette::PlaceholderText);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect r = option.rect.adjusted(kPad, kPad, -kPad, -kPad);
    const QRect thumb(r.left(), r.top() + (r.height() - m_thumb) / 2, m_thumb, m_thumb);
    QPainterPath clip;
    clip.addRoundedRect(thumb, 4, 4);
    const QString path = index.data(TaskListModel::ThumbnailRole).toString();
    const QPixmap pm = path.isEmpty()
        ? QPixmap()
        : m_cache.pixmap(path, thumb.size() * painter->device()->devicePixelRatioF());
    painter->fillPath(clip, pal.color(QPalette::AlternateBase));
    if (!pm.isNull()) {
        painter->save();
        painter->setClipPath(clip);
        QSizeF s = QSizeF(pm.size());
        s.scale(thumb.size(), Qt::KeepAspectRatioByExpanding);
        const QRectF target(thumb.center().x() - s.width() / 2, thumb.center().y() - s.height() / 2,
                            s.width(), s.height());
        painter->drawPixmap(target, pm, QRectF(pm.rect()));
        painter->restore();
    } else {
        painter->setPen(stateColor(task.state, pal));
        QFont big = option.font;
        big.setPointSizeF(big.pointSizeF() * 1.4);
        painter->setFont(big);
        painter->drawText(thumb, Qt::AlignCenter, stateSymbol(task.state));
    }

    const QRect textRect = r.adjusted(m_thumb + kPad + 2, 0, 0, 0);
    const int line = option.fontMetrics.lineSpacing();
    QFont bold = option.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(text);
    const QFontMetrics boldMetrics(bold);
    painter->drawText(QRect(textRect.left(), textRect.top(), textRect.width(), line),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      boldMetrics.elidedText(task.title(80), Qt::ElideRight, textRect.width()));

    painter->setFont(option.font);
    const bool percent = index.data(TaskListModel::ReportsProgressRole).toBool();
    const QString waitingFor = index.data(TaskListModel::WaitingForRole).toString();
    const bool moving = task.state == TaskState::Submitting || task.state == TaskState::Submitted
        || task.state == TaskState::Running;
    QString status = stateSymbol(task.state) + QLatin1Char(' ');
    if (!waitingFor.isEmpty())
        status += TaskDelegate::tr("waiting for %1").arg(waitingFor);
    else
        status += taskStateLabel(task.state);
    const qint64 elapsed
        = task.created.secsTo(isTerminal(task.state) ? task.finished : QDateTime::currentDateTimeUtc());
    if (isActive(task.state)) {
        // Percent where the family reports it (PRODUCT.md "Queue"), else the time it has taken so far.
        if (percent && moving)
            status += QStringLiteral(" · %1%").arg(task.progress.value_or(0));
        status += QStringLiteral(" · ") + elapsedText(std::max<qint64>(0, elapsed));
        // The user asked to cancel and the provider said no: the task runs on, and says so.
        if (task.remote.contains(QLatin1String("cancelRefused")))
            status += QStringLiteral(" · ") + TaskDelegate::tr("not cancelled");
    } else if (task.finished.isValid()) {
        status
            += QStringLiteral(" · ") + QLocale().toString(task.finished.toLocalTime(), QLocale::ShortFormat);
    }
    const QString account = index.data(TaskListModel::AccountRole).toString();
    // The provider makes it wait: that is its state now, with a countdown (the Queue repaints every second).
    QString wait = waitText(task, account, QDateTime::currentMSecsSinceEpoch());
    if (!wait.isEmpty())
        status = QStringLiteral("⏳ ") + wait;
    else if (isActive(task.state) && task.remote.contains(QLatin1String("remixPrompt")))
        status = wait = QStringLiteral("✎ ") + TaskDelegate::tr("waiting for your Remix prompt");
    const QRect second(textRect.left(), textRect.top() + line, textRect.width(), line);
    painter->setPen(selected ? text : stateColor(task.state, pal));
    painter->drawText(second, Qt::AlignLeft | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(wait.isEmpty() ? status + QStringLiteral("  ·  ") + account
                                                                   : status,
                                                    Qt::ElideRight, second.width()));

    const QRect third(textRect.left(), textRect.top() + 2 * line, textRect.width(), line);
    if (moving) {
        const QRect bar(third.left(), third.center().y() - 2, std::min(third.width(), 220), 5);
        painter->setPen(Qt::NoPen);
        painter->setBrush(pal.color(QPalette::Mid));
        painter->drawRoundedRect(bar, 2, 2);
        painter->setBrush(pal.color(selected ? QPalette::HighlightedText : QPalette::Highlight));
        if (percent) {
            const int done = std::clamp(task.progress.value_or(0), 0, 100);
            painter->drawRoundedRect(QRect(bar.left(), bar.top(), bar.width() * done / 100, bar.height()), 2,
                                     2);
        } else {
            // No percent from the family: a block that moves with the elapsed time.
            const int w = bar.width() / 4;
            const int x = bar.left() + int((elapsed % 8) * (bar.width() - w) / 7);
            painter->drawRoundedRect(QRect(x, bar.top(), w, bar.height()), 2, 2);
        }
    } else if (task.error) {
        painter->setPen(
            selected
                ? text
                : stateColor(task.state == TaskState::Succeeded ? TaskState::Unfinished : task.state, pal));
        painter->drawText(
            third, Qt::AlignLeft | Qt::AlignVCenter,
            option.fontMetrics.elidedText(task.error->userText(), Qt::ElideRight, third.width()));
    } else {
        painter->setPen(dim);
        painter->drawText(third, Qt::AlignLeft | Qt::AlignVCenter,
                          option.fontMetrics.elidedText(task.prompt, Qt::ElideRight, third.width()));
    }
    painter->restore();
}

} // namespace tessera::ui
