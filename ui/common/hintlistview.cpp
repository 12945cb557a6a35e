#include "hintlistview.h"

#include <QPainter>

namespace tessera::ui {

HintListView::HintListView(QWidget *parent)
    : QListView(parent)
{ }

void HintListView::setEmptyHint(const QString &text)
{
    m_hint = text;
    viewport()->update();
}

void HintListView::paintEvent(QPaintEvent *event)
{
    QListView::paintEvent(event);
    if (m_hint.isEmpty() || (model() && model()->rowCount(rootIndex()) > 0))
        return;
    QPainter p(viewport());
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(viewport()->rect().adjusted(16, 16, -16, -16),
               Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, m_hint);
}

} // namespace tessera::ui
