#pragma once

#include "storage/thumbnailcache.h"

#include <QCache>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPixmap>
#include <QString>
#include <QThreadPool>

namespace tessera::ui {

// Thumbnails for the history grid: ready ones in a byte-bounded memory cache (default 128 MB), the
// others made on a small thread pool of their own (disk cache or scaled decode, ThumbnailCache::load)
// so that the GUI thread never decodes. Requests wait in a queue, most wanted first: what the view
// paints goes to the front, and setWanted() — called by the view after every scroll — drops whatever
// is no longer near the visible area, so a fast fling through 100,000 tasks does not leave thousands of
// decodes behind it.
class ThumbnailLoader : public QObject
{
    Q_OBJECT
public:
    explicit ThumbnailLoader(const QString &cacheDir, qint64 maxBytes = 128LL * 1024 * 1024,
                             QObject *parent = nullptr);
    ~ThumbnailLoader() override;

    struct Item
    {
        QString path; // absolute path of the archive image
        QString hash;
        int bucket = 256; // ThumbnailCache::bucketFor

        QString key() const; // hash (or path) and bucket
    };
    Item item(const QString &path, const QString &hash, int longestSide) const;

    // The thumbnail when it is in memory; otherwise a null pixmap, and the item goes to the front of
    // the queue (ready(key) follows). An image that could not be read gives a null pixmap for good.
    QPixmap thumbnail(const Item &item);
    bool contains(const Item &item) const;
    // Everything the view wants now, most wanted first (visible, then the next screens). Queued work
    // for anything else is cancelled; work already running finishes and is cached.
    void setWanted(const QList<Item> &items);
    // Drops a thumbnail from memory and from disk (its image was deleted).
    void forget(const Item &item);

    qint64 bytesUsed() const { return m_memory.totalCost(); }
    qint64 maxBytes() const { return m_memory.maxCost(); }
    int queued() const { return int(m_queue.size()); }
    int running() const { return int(m_running.size()); }
    // Counters for tests and measurements: decodes started, and queued requests dropped unstarted.
    int started() const { return m_started; }
    int cancelled() const { return m_cancelled; }
    // Blocks until the pool is idle (tests and shutdown).
    void waitForIdle();

signals:
    void ready(const QString &key);

private:
    void enqueue(const Item &item, bool front);
    void pump();
    void finished(const QString &key, const QImage &image);

    ThumbnailCache m_disk;
    QThreadPool m_pool;
    QCache<QString, QPixmap> m_memory; // cost = bytes
    QHash<QString, bool> m_failed; // keys whose image could not be read
    QList<Item> m_queue; // front = most wanted
    QHash<QString, bool> m_queuedKeys;
    QHash<QString, bool> m_running;
    int m_started = 0;
    int m_cancelled = 0;
};

} // namespace tessera::ui
