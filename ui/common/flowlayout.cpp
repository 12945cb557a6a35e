#include "flowlayout.h"

#include <QWidget>

#include <algorithm>

namespace tessera::ui {

FlowLayout::FlowLayout(QWidget *parent, int spacing, int rowSpacing)
    : QLayout(parent)
    , m_spacing(spacing)
    , m_rowSpacing(rowSpacing)
{
    setContentsMargins(0, 0, 0, 0);
}

FlowLayout::~FlowLayout()
{
    while (QLayoutItem *item = takeAt(0))
        delete item;
}

void FlowLayout::addItem(QLayoutItem *item)
{
    m_items.append(item);
}

QLayoutItem *FlowLayout::itemAt(int index) const
{
    return index >= 0 && index < m_items.size() ? m_items.at(index) : nullptr;
}

QLayoutItem *FlowLayout::takeAt(int index)
{
    return index >= 0 && index < m_items.size() ? m_items.takeAt(index) : nullptr;
}

int FlowLayout::heightForWidth(int width) const
{
    return arrange(QRect(0, 0, width, 0), true);
}

QSize FlowLayout::minimumSize() const
{
    QSize size;
    for (const QLayoutItem *item : m_items)
        size = size.expandedTo(item->minimumSize());
    const QMargins m = contentsMargins();
    return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

QSize FlowLayout::sizeHint() const
{
    // One row with everything in it: the width this bar would like.
    int width = 0;
    int height = 0;
    for (const QLayoutItem *item : m_items) {
        if (item->isEmpty())
            continue;
        width += item->sizeHint().width() + (width > 0 ? m_spacing : 0);
        height = std::max(height, item->sizeHint().height());
    }
    const QMargins m = contentsMargins();
    return {width + m.left() + m.right(), height + m.top() + m.bottom()};
}

void FlowLayout::setGeometry(const QRect &rect)
{
    QLayout::setGeometry(rect);
    arrange(rect, false);
}

int FlowLayout::arrange(const QRect &rect, bool dryRun) const
{
    const QRect area = rect.marginsRemoved(contentsMargins());
    struct Row
    {
        QList<QLayoutItem *> items;
        int width = 0;
        int height = 0;
    };
    QList<Row> rows(1);
    for (QLayoutItem *item : m_items) {
        if (item->isEmpty())
            continue;
        const QSize hint = item->sizeHint();
        Row *row = &rows.last();
        const int needed = row->width + (row->items.isEmpty() ? 0 : m_spacing) + hint.width();
        if (!row->items.isEmpty() && needed > area.width()) {
            rows.append(Row());
            row = &rows.last();
        }
        row->width += (row->items.isEmpty() ? 0 : m_spacing) + hint.width();
        row->height = std::max(row->height, hint.height());
        row->items.append(item);
    }
    int y = area.top();
    for (const Row &row : std::as_const(rows)) {
        if (row.items.isEmpty())
            continue;
        int x = area.left() + std::max(0, (area.width() - row.width) / 2);
        for (QLayoutItem *item : row.items) {
            const QSize hint = item->sizeHint();
            if (!dryRun)
                item->setGeometry(QRect(QPoint(x, y + (row.height - hint.height()) / 2), hint));
            x += hint.width() + m_spacing;
        }
        y += row.height + m_rowSpacing;
    }
    const QMargins m = contentsMargins();
    return std::max(0, y - m_rowSpacing - area.top()) + m.top() + m.bottom();
}

} // namespace tessera::ui
