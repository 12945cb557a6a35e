#include "thumbnailcache.h"

#include "model/error.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>
#include <QSaveFile>

#include <algorithm>

namespace tessera {

namespace {

constexpr int kDecodeLimitMb = 512;
constexpr int kJpegQuality = 88;
const QString kSuffix = QStringLiteral(".thumb");

// Painting an image in its native 32-bit premultiplied form needs no conversion per paint.
QImage paintable(QImage image)
{
    const QImage::Format format
        = image.hasAlphaChannel() ? QImage::Format_ARGB32_Premultiplied : QImage::Format_RGB32;
    if (image.format() != format)
        image.convertTo(format);
    return image;
}

bool fits(const QImage &image, int bucket)
{
    return !image.isNull() && image.width() <= bucket && image.height() <= bucket;
}

} // namespace

ThumbnailCache::ThumbnailCache(QString dir)
    : m_dir(std::move(dir))
{ }

int ThumbnailCache::bucketFor(int longestSide)
{
    for (int step : {128, 256, 512}) {
        if (longestSide <= step)
            return step;
    }
    return kMaxBucket;
}

ThumbnailCache::Request ThumbnailCache::request(const QString &sourcePath, const QString &hash,
                                                int longestSide) const
{
    return Request {m_dir, sourcePath, hash, bucketFor(longestSide)};
}

QString ThumbnailCache::keyOf(const Request &request)
{
    if (!request.hash.isEmpty())
        return request.hash.toLower();
    // No hash stored: the file's identity as the file system sees it, so that a replaced file (new size
    // or time) gets a new key too.
    const QFileInfo info(request.sourcePath);
    const QByteArray identity = request.sourcePath.toUtf8() + '|' + QByteArray::number(info.size()) + '|'
        + QByteArray::number(info.lastModified().toMSecsSinceEpoch());
    return QStringLiteral("p")
        + QString::fromLatin1(QCryptographicHash::hash(identity, QCryptographicHash::Sha256).toHex());
}

QString ThumbnailCache::cachePath(const Request &request)
{
    const QString key = keyOf(request);
    // Two-character folders keep any one folder small at 400,000 images.
    return QDir(request.dir)
        .filePath(key.left(2) + QLatin1Char('/') + key + QLatin1Char('-') + QString::number(request.bucket)
                  + kSuffix);
}

Result<ThumbnailCache::Thumbnail> ThumbnailCache::load(const Request &request)
{
    const QString cached = cachePath(request);
    if (QFileInfo::exists(cached)) {
        QImageReader reader(cached);
        reader.setDecideFormatFromContent(true);
        reader.setAllocationLimit(kDecodeLimitMb);
        QImage image = reader.read();
        if (fits(image, request.bucket))
            return Thumbnail {paintable(std::move(image)), Origin::Disk};
        // Unreadable (truncated, overwritten, not an image): made again below and replaced.
    }

    QImageReader reader(request.sourcePath);
    reader.setAutoTransform(true);
    reader.setDecideFormatFromContent(true);
    reader.setAllocationLimit(kDecodeLimitMb);
    const QSize full = reader.size();
    const QSize box(request.bucket, request.bucket);
    if (full.isValid() && (full.width() > box.width() || full.height() > box.height()))
        reader.setScaledSize(full.scaled(box, Qt::KeepAspectRatio).expandedTo(QSize(1, 1)));
    QImage image = reader.read();
    if (image.isNull())
        return Error::make(Error::Kind::Io,
                           QStringLiteral("Cannot read %1: %2")
                               .arg(QDir::toNativeSeparators(request.sourcePath), reader.errorString()));
    // Formats without scaled decoding (some plugins ignore it) are scaled here, off the GUI thread all
    // the same.
    if (!fits(image, request.bucket))
        image = image.scaled(box, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    image = paintable(std::move(image));

    if (!request.dir.isEmpty() && QDir().mkpath(QFileInfo(cached).absolutePath())) {
        QSaveFile file(cached);
        if (file.open(QIODevice::WriteOnly)) {
            QImageWriter writer(&file, image.hasAlphaChannel() ? QByteArrayLiteral("png") : "jpeg");
            writer.setQuality(kJpegQuality);
            if (writer.write(image))
                file.commit();
            else
                file.cancelWriting();
        }
    }
    return Thumbnail {std::move(image), Origin::Decoded};
}

void ThumbnailCache::forget(const QString &hash) const
{
    if (hash.isEmpty())
        return;
    const QString key = hash.toLower();
    QDir folder(QDir(m_dir).filePath(key.left(2)));
    const QStringList files = folder.entryList({key + QStringLiteral("-*") + kSuffix}, QDir::Files);
    for (const QString &name : files)
        folder.remove(name);
}

} // namespace tessera
