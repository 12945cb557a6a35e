#pragma once

#include "model/task.h"

#include <QList>
#include <QWidget>

class QHBoxLayout;

namespace tessera {
class ImageArchive;
} // namespace tessera

namespace tessera::ui {

class ImageCache;

// The path that led to the shown task, above the Gallery's images: imagine → U3 → Pan ← → Vary Region,
// each step a small thumbnail with its label, the shown one marked. A click opens that step; Ctrl+Up
// and Ctrl+Down walk the same path (GalleryView). Hidden for a task that was made from a prompt and has
// nothing made from it.
class LineageStrip : public QWidget
{
    Q_OBJECT
public:
    LineageStrip(const ImageArchive &archive, ImageCache &cache, QWidget *parent = nullptr);

    // `path`: from the first task (made from a prompt) to the shown one, which is last.
    void setPath(const QList<Task> &path);
    const QList<Task> &path() const { return m_path; }

signals:
    void openRequested(const QString &taskId);

private:
    void rebuild();

    const ImageArchive &m_archive;
    ImageCache &m_cache;
    QList<Task> m_path;
    QHBoxLayout *m_row;
};

} // namespace tessera::ui
