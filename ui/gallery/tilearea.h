#pragma once

#include <QList>
#include <QSize>
#include <QWidget>

namespace tessera::ui {

class TileWidget;

// Lays out one to four tiles (one alone, two side by side, four as 2×2) as large as fits while keeping
// the images' aspect ratio, with the action bar right below them so that the buttons stay next to the
// pictures they act on. The bar may wrap onto more rows: it gets the height it needs for the width.
class TileArea : public QWidget
{
public:
    explicit TileArea(QWidget *parent);

    void setBar(QWidget *bar);
    void setTiles(QList<TileWidget *> tiles, QSize imageSize);
    QSize sizeHint() const override { return {640, 680}; }
    void relayout();

protected:
    void resizeEvent(QResizeEvent *) override { relayout(); }
    // The bar's buttons change (shown, hidden, relabelled) and its groups settle their sizes later: then
    // it may need another row, which it only gets from here (issue 12: a row of buttons went missing).
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QList<TileWidget *> m_tiles;
    QSize m_imageSize {1, 1};
    QWidget *m_bar = nullptr;
};

} // namespace tessera::ui
