#pragma once

#include <QStyledItemDelegate>

namespace tessera::ui {

class ThumbnailLoader;

// One cell of the history grid: the task's thumbnail (from the ThumbnailLoader, never decoded here),
// a star when it is a favourite, its operation ("U3", "Pan ←") and a mark for tasks that did not
// succeed, and the start of its prompt below.
class HistoryDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    HistoryDelegate(ThumbnailLoader &thumbnails, int thumbnailSize, QObject *parent = nullptr);

    int thumbnailSize() const { return m_thumb; }
    // The thumbnail's long side in device pixels for a view of this pixel ratio.
    int devicePixels(qreal devicePixelRatio) const;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    ThumbnailLoader &m_thumbnails;
    int m_thumb;
};

} // namespace tessera::ui
