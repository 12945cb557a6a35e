#include "thumbnailloader.h"

#include "common/futures.h"

#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace tessera::ui {

namespace {
// Two decoders: enough to keep up with scrolling (a disk hit takes about a millisecond), and the
// QtConcurrent global pool stays free for the Gallery's decodes and the engine's grid splits.
constexpr int kThreads = 2;
// Queued requests beyond this are dropped from the back: nobody scrolls back that far before they
// would be asked for again.
constexpr int kMaxQueued = 2000;
} // namespace

ThumbnailLoader::ThumbnailLoader(const QString &cacheDir, qint64 maxBytes, QObject *parent)
    : QObject(parent)
    , m_disk(cacheDir)
{
    m_pool.setMaxThreadCount(kThreads);
    m_memory.setMaxCost(static_cast<qsizetype>(maxBytes));
}

ThumbnailLoader::~ThumbnailLoader()
{
    m_queue.clear();
    m_pool.waitForDone();
}

QString ThumbnailLoader::Item::key() const
{
    return (hash.isEmpty() ? path : hash) + QLatin1Char('@') + QString::number(bucket);
}

ThumbnailLoader::Item ThumbnailLoader::item(const QString &path, const QString &hash, int longestSide) const
{
    return Item {path, hash, ThumbnailCache::bucketFor(longestSide)};
}

bool ThumbnailLoader::contains(const Item &item) const
{
    return m_memory.contains(item.key());
}

QPixmap ThumbnailLoader::thumbnail(const Item &item)
{
    if (item.path.isEmpty())
        return {};
    const QString key = item.key();
    if (const QPixmap *hit = m_memory.object(key))
        return *hit;
    if (!m_failed.contains(key))
        enqueue(item, true);
    return {};
}

void ThumbnailLoader::enqueue(const Item &item, bool front)
{
    const QString key = item.key();
    if (m_running.contains(key) || m_memory.contains(key) || m_failed.contains(key))
        return;
    if (m_queuedKeys.contains(key)) {
        if (!front)
            return;
        // Asked again by a paint: move it to the front.
        const auto it = std::find_if(m_queue.begin(), m_queue.end(),
                                     [&key](const Item &queued) { return queued.key() == key; });
        if (it != m_queue.end())
            m_queue.erase(it);
    }
    m_queuedKeys.insert(key, true);
    if (front)
        m_queue.prepend(item);
    else
        m_queue.append(item);
    while (m_queue.size() > kMaxQueued) {
        m_queuedKeys.remove(m_queue.takeLast().key());
        ++m_cancelled;
    }
    pump();
}

void ThumbnailLoader::setWanted(const QList<Item> &items)
{
    QHash<QString, bool> wanted;
    wanted.reserve(items.size());
    for (const Item &i : items)
        wanted.insert(i.key(), true);
    for (const Item &queued : std::as_const(m_queue)) {
        if (!wanted.contains(queued.key()))
            ++m_cancelled;
    }
    m_queue.clear();
    m_queuedKeys.clear();
    for (const Item &i : items)
        enqueue(i, false);
    pump();
}

void ThumbnailLoader::pump()
{
    while (!m_queue.isEmpty() && m_running.size() < kThreads) {
        const Item next = m_queue.takeFirst();
        const QString key = next.key();
        m_queuedKeys.remove(key);
        m_running.insert(key, true);
        ++m_started;
        ThumbnailCache::Request request = m_disk.request(next.path, next.hash, next.bucket);
        request.bucket = next.bucket;
        whenReady(this,
                  QtConcurrent::run(&m_pool,
                                    [request] {
                                        const auto made = ThumbnailCache::load(request);
                                        return made ? made->image : QImage();
                                    }),
                  [this, key](const QImage &image) { finished(key, image); });
    }
}

void ThumbnailLoader::finished(const QString &key, const QImage &image)
{
    m_running.remove(key);
    if (image.isNull()) {
        m_failed.insert(key, true);
    } else {
        // fromImage of a 32-bit premultiplied image shares or copies its bits without converting.
        auto *pixmap = new QPixmap(QPixmap::fromImage(image, Qt::NoFormatConversion));
        const qsizetype cost = std::max<qsizetype>(1, qsizetype(image.sizeInBytes()));
        m_memory.insert(key, pixmap, cost);
    }
    emit ready(key);
    pump();
}

void ThumbnailLoader::forget(const Item &item)
{
    for (int bucket : {128, 256, 512, ThumbnailCache::kMaxBucket}) {
        Item other = item;
        other.bucket = bucket;
        m_memory.remove(other.key());
        m_failed.remove(other.key());
    }
    m_disk.forget(item.hash);
}

void ThumbnailLoader::waitForIdle()
{
    m_pool.waitForDone();
}

} // namespace tessera::ui
