#include "imagecache.h"

#include "futures.h"

#include <QFuture>
#include <QImageReader>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace tessera::ui {

namespace {
constexpr int kDecodeLimitMb = 512;
}

ImageCache::ImageCache(qint64 maxBytes, QObject *parent)
    : QObject(parent)
{
    // QCache counts cost in arbitrary units: we use kilobytes so that large caches fit in an int.
    m_cache.setMaxCost(static_cast<qsizetype>(maxBytes / 1024));
}

int ImageCache::bucket(QSize maxSize)
{
    // Sizes are rounded up to a few steps so that a tile resized by a few pixels reuses its decode.
    const int longest = std::max(maxSize.width(), maxSize.height());
    for (int step : {128, 256, 512, 1024, 2048, 4096}) {
        if (longest <= step)
            return step;
    }
    return 8192;
}

QString ImageCache::key(const QString &path, int bucket)
{
    return path + QLatin1Char('@') + QString::number(bucket);
}

QImage ImageCache::load(const QString &path, QSize maxSize)
{
    QImageReader reader(path);
    reader.setAutoTransform(true);
    reader.setAllocationLimit(kDecodeLimitMb);
    const QSize full = reader.size();
    if (full.isValid() && (full.width() > maxSize.width() || full.height() > maxSize.height()))
        reader.setScaledSize(full.scaled(maxSize, Qt::KeepAspectRatio));
    QImage image = reader.read();
    return image;
}

QPixmap ImageCache::pixmap(const QString &path, QSize maxSize)
{
    if (path.isEmpty() || maxSize.isEmpty())
        return {};
    const int b = bucket(maxSize);
    const QString k = key(path, b);
    if (QPixmap *hit = m_cache.object(k))
        return *hit;
    if (!m_pending.contains(k)) {
        m_pending.insert(k);
        whenReady(this, QtConcurrent::run(&ImageCache::load, path, QSize(b, b)),
                  [this, k, path](const QImage &image) {
                      m_pending.remove(k);
                      // A file that cannot be read is cached as an empty pixmap so that it is not retried
                      // forever.
                      auto *pm = new QPixmap(QPixmap::fromImage(image));
                      const qsizetype cost
                          = std::max<qsizetype>(1, qsizetype(pm->width()) * pm->height() * 4 / 1024);
                      m_cache.insert(k, pm, cost);
                      emit ready(path);
                  });
    }
    return {};
}

bool ImageCache::isLoading(const QString &path) const
{
    for (const QString &k : m_pending) {
        if (k.startsWith(path + QLatin1Char('@')))
            return true;
    }
    return false;
}

void ImageCache::forget(const QString &path)
{
    const QStringList keys = m_cache.keys();
    for (const QString &k : keys) {
        if (k.startsWith(path + QLatin1Char('@')))
            m_cache.remove(k);
    }
}

} // namespace tessera::ui
