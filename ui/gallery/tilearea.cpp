#include "tilearea.h"

#include "tilewidget.h"

#include <QEvent>
#include <QLayout>

#include <algorithm>

namespace tessera::ui {

namespace {
constexpr int kBarGap = 8;
}

TileArea::TileArea(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void TileArea::setBar(QWidget *bar)
{
    m_bar = bar;
    m_bar->setParent(this);
    m_bar->installEventFilter(this);
    relayout();
}

bool TileArea::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_bar && event->type() == QEvent::LayoutRequest)
        relayout();
    return QWidget::eventFilter(watched, event);
}

void TileArea::setTiles(QList<TileWidget *> tiles, QSize imageSize)
{
    m_tiles = std::move(tiles);
    m_imageSize = imageSize.isValid() && !imageSize.isEmpty() ? imageSize : QSize(1, 1);
    relayout();
}

void TileArea::relayout()
{
    int barHeight = 0;
    if (m_bar && !m_bar->isHidden()) {
        const QLayout *layout = m_bar->layout();
        barHeight = (layout && layout->hasHeightForWidth() ? layout->totalHeightForWidth(width())
                                                           : m_bar->sizeHint().height())
            + kBarGap;
    }
    if (m_tiles.isEmpty()) {
        if (m_bar)
            m_bar->setGeometry(0, 0, width(), std::max(0, barHeight - kBarGap));
        return;
    }
    const int count = static_cast<int>(m_tiles.size());
    const int columns = count == 1 ? 1 : 2;
    const int rows = (count + columns - 1) / columns;
    const QSize cellArea(width() / columns, std::max(1, (height() - barHeight) / rows));
    const QSize cell = m_imageSize.scaled(cellArea, Qt::KeepAspectRatio);
    const int blockHeight = cell.height() * rows + barHeight;
    const QPoint origin((width() - cell.width() * columns) / 2, std::max(0, (height() - blockHeight) / 2));
    for (int i = 0; i < count; ++i) {
        const int row = i / columns;
        const int col = i % columns;
        m_tiles[i]->setGeometry(QRect(origin + QPoint(col * cell.width(), row * cell.height()), cell));
    }
    if (m_bar) {
        m_bar->setGeometry(0, origin.y() + cell.height() * rows + kBarGap, width(), barHeight - kBarGap);
        m_bar->raise();
    }
}

} // namespace tessera::ui
