#pragma once

#include <QStyledItemDelegate>

namespace tessera::ui {

class ImageCache;

// Paints one task row: thumbnail, title, account and state (progress bar with percent, or elapsed
// time when the family reports none), and the vendor's message on failure.
class TaskDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    TaskDelegate(ImageCache &cache, int thumbnailSize, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    ImageCache &m_cache;
    int m_thumb;
};

} // namespace tessera::ui
