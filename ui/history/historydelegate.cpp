#include "historydelegate.h"

#include "historymodel.h"
#include "thumbnailloader.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace tessera::ui {

namespace {

constexpr int kPad = 4;

QString stateMark(TaskState state)
{
    switch (state) {
    case TaskState::Succeeded:
        return {};
    case TaskState::Failed:
        return QStringLiteral("✗");
    case TaskState::Cancelled:
        return QStringLiteral("⊘");
    case TaskState::Unfinished:
    case TaskState::Unknown:
        return QStringLiteral("?");
    default:
        return QStringLiteral("…");
    }
}

void badge(QPainter *painter, const QRect &anchor, const QString &text, Qt::Alignment corner, QColor fill,
           QColor ink)
{
    const QFontMetrics fm(painter->font());
    const QSize size(fm.horizontalAdvance(text) + 8, fm.height() + 2);
    QRect r(QPoint(), size);
    r.moveLeft(corner & Qt::AlignRight ? anchor.right() - size.width() - 2 : anchor.left() + 2);
    r.moveTop(corner & Qt::AlignBottom ? anchor.bottom() - size.height() - 2 : anchor.top() + 2);
    QPainterPath path;
    path.addRoundedRect(r, 4, 4);
    painter->fillPath(path, fill);
    painter->setPen(ink);
    painter->drawText(r, Qt::AlignCenter, text);
}

} // namespace

HistoryDelegate::HistoryDelegate(ThumbnailLoader &thumbnails, int thumbnailSize, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_thumbnails(thumbnails)
    , m_thumb(thumbnailSize)
{ }

int HistoryDelegate::devicePixels(qreal devicePixelRatio) const
{
    return int(std::ceil(m_thumb * devicePixelRatio));
}

QSize HistoryDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    return {m_thumb + 2 * kPad, m_thumb + option.fontMetrics.height() + 3 * kPad};
}

void HistoryDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = QIcon();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);

    const QVariant taskValue = index.data(HistoryModel::TaskRole);
    if (!taskValue.isValid())
        return; // a row whose page could not be read: left blank rather than guessed
    const Task task = taskValue.value<Task>();
    const QRect cell = option.rect.adjusted(kPad, kPad, -kPad, -kPad);
    const QRect box(cell.topLeft(), QSize(m_thumb, m_thumb));

    painter->save();
    painter->setRenderHint(QPainter::SmoothPixmapTransform);
    const qreal dpr = widget ? widget->devicePixelRatioF() : 1.0;
    const QString path = index.data(HistoryModel::ThumbnailRole).toString();
    QPixmap pixmap;
    if (!path.isEmpty())
        pixmap = m_thumbnails.thumbnail(m_thumbnails.item(
            path, index.data(HistoryModel::ThumbnailHashRole).toString(), devicePixels(dpr)));
    if (!pixmap.isNull()) {
        const QSize shown = pixmap.size().scaled(box.size(), Qt::KeepAspectRatio);
        QRect target(QPoint(), shown);
        target.moveCenter(box.center());
        painter->drawPixmap(target, pixmap);
    } else {
        painter->fillRect(box, option.palette.color(QPalette::AlternateBase));
        if (path.isEmpty()) {
            painter->setPen(option.palette.color(QPalette::PlaceholderText));
            painter->drawText(box.adjusted(6, 6, -6, -6), Qt::AlignCenter | Qt::TextWordWrap,
                              task.images.isEmpty() ? taskStateLabel(task.state) : tr("No local image"));
        }
    }

    QFont small = painter->font();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.85));
    painter->setFont(small);
    const QColor shade(0, 0, 0, 150);
    if (task.operation.kind != OperationKind::Imagine)
        badge(painter, box, task.operation.label(), Qt::AlignBottom | Qt::AlignLeft, shade, Qt::white);
    if (const QString mark = stateMark(task.state); !mark.isEmpty())
        badge(painter, box, mark, Qt::AlignTop | Qt::AlignLeft,
              task.state == TaskState::Failed ? QColor(0xc0, 0x39, 0x2b) : shade, Qt::white);
    if (task.favourite)
        badge(painter, box, QStringLiteral("★"), Qt::AlignTop | Qt::AlignRight, shade,
              QColor(0xf5, 0xc5, 0x18));
    painter->restore();

    const QRect textRect(cell.left(), box.bottom() + kPad, cell.width(), option.fontMetrics.height());
    // The selection is outlined (PRODUCT.md: "the selected one is clearly outlined"), and the text keeps
    // the normal colour: an inactive view's highlight can be almost white.
    if (option.state & QStyle::State_Selected) {
        painter->save();
        painter->setPen(QPen(option.palette.color(QPalette::Active, QPalette::Highlight), 3));
        painter->drawRect(box.adjusted(-1, -1, 1, 1));
        painter->restore();
    }
    const QColor ink = option.palette.color(QPalette::Text);
    painter->save();
    painter->setPen(ink);
    const QString line = task.prompt.isEmpty() ? task.operation.label() : task.prompt.simplified();
    painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(line, Qt::ElideRight, textRect.width()));
    painter->restore();
}

} // namespace tessera::ui
