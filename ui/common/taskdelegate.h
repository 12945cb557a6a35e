#pragma once

#include "model/task.h"

#include <QStyledItemDelegate>

namespace tessera::ui {

class ImageCache;

// While the provider makes the task wait (a 429 or 503 on its submit): "Rate limited by work — retrying
// at 14:32:05 (in 8 s)"; empty when it does not wait, or no longer (`nowMs`: ms since the epoch).
QString waitText(const Task &task, const QString &accountName, qint64 nowMs);

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
