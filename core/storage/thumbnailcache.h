#pragma once

#include "model/result.h"

#include <QImage>
#include <QSize>
#include <QString>

namespace tessera {

// Thumbnails of archive images, kept on disk under the cache folder (AppPaths::cacheDir/thumbnails) and
// keyed by the image's SHA-256 and a size bucket: an image whose hash changes (a re-download, a
// repaired file) gets a new key, so a stale thumbnail is never shown (ARCHITECTURE.md, "Thumbnails in a
// cache directory, keyed by image hash and size"). Everything here works on values and the file system
// only, so that it can run on the QtConcurrent pool; the GUI's memory cache sits on top (ui/history).
class ThumbnailCache
{
public:
    explicit ThumbnailCache(QString dir);

    QString dir() const { return m_dir; }

    // The long side a thumbnail is made at for a wanted long side: a few fixed steps, so that an item
    // resized by some pixels reuses what is on disk. Never more than kMaxBucket.
    static constexpr int kMaxBucket = 1024;
    static int bucketFor(int longestSide);

    // One thumbnail to make or fetch. `hash` may be empty (an image stored before hashes were kept):
    // the key then comes from the file's path, size and modification time.
    struct Request
    {
        QString dir; // the cache folder
        QString sourcePath; // absolute path of the archive image
        QString hash;
        int bucket = 256;
    };
    Request request(const QString &sourcePath, const QString &hash, int longestSide) const;

    enum class Origin { Disk, Decoded };
    struct Thumbnail
    {
        QImage image; // fits in bucket × bucket, premultiplied or opaque 32-bit: ready to paint
        Origin origin = Origin::Decoded;
    };

    // The thumbnail from disk when a readable one is there, else a scaled decode of the source
    // (QImageReader::setScaledSize, so the full image is never in memory), written to the cache with
    // QSaveFile. A cache file that does not decode is replaced. Errors: the source cannot be read; a
    // failed cache write is not one (the thumbnail is still returned).
    static Result<Thumbnail> load(const Request &request);

    // Where a request's thumbnail lives (it may not exist yet).
    static QString cachePath(const Request &request);
    // Removes every size of the thumbnails of `hash` (the image was deleted or replaced).
    void forget(const QString &hash) const;

private:
    static QString keyOf(const Request &request);

    QString m_dir;
};

} // namespace tessera
