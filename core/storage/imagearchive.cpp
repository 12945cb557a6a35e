#include "imagearchive.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImageReader>
#include <QImageWriter>
#include <QRegularExpression>
#include <QSaveFile>

#include <utility>

namespace tessera {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ImageArchive", text);
}

QString extensionFor(const QByteArray &format)
{
    if (format == "jpeg" || format == "jpg")
        return QStringLiteral("jpg");
    if (format.isEmpty())
        return QStringLiteral("img");
    return QString::fromLatin1(format);
}

QString baseName(ImageRole role, int index)
{
    switch (role) {
    case ImageRole::Grid:
        return QStringLiteral("grid");
    case ImageRole::Tile:
        return QStringLiteral("tile-%1").arg(index);
    case ImageRole::Upscale:
        return index > 0 ? QStringLiteral("upscale-%1").arg(index) : QStringLiteral("upscale");
    case ImageRole::Video:
        return index > 0 ? QStringLiteral("video-%1").arg(index) : QStringLiteral("video");
    }
    return QStringLiteral("image");
}

Result<QByteArray> encodePng(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(image))
        return Error::make(Error::Kind::Io, tr("Cannot encode a tile: %1").arg(writer.errorString()));
    return bytes;
}

} // namespace

ImageArchive::ImageArchive(QString root)
    : m_root(std::move(root))
{ }

QString ImageArchive::absolutePath(const QString &relative) const
{
    if (relative.isEmpty())
        return {};
    return QDir::cleanPath(QDir(m_root).filePath(relative));
}

QString ImageArchive::taskFolder(const QString &taskId, const QDateTime &created)
{
    const QDate day = created.toUTC().date();
    return QStringLiteral("%1/%2/%3")
        .arg(day.year(), 4, 10, QLatin1Char('0'))
        .arg(day.month(), 2, 10, QLatin1Char('0'))
        .arg(taskId);
}

std::array<QRect, 4> ImageArchive::tileRects(QSize size)
{
    const int leftW = size.width() / 2;
    const int topH = size.height() / 2;
    const int rightW = size.width() - leftW;
    const int bottomH = size.height() - topH;
    return {QRect(0, 0, leftW, topH), QRect(leftW, 0, rightW, topH), QRect(0, topH, leftW, bottomH),
            QRect(leftW, topH, rightW, bottomH)};
}

std::array<QImage, 4> ImageArchive::splitGrid(const QImage &grid)
{
    std::array<QImage, 4> tiles;
    const auto rects = tileRects(grid.size());
    for (std::size_t i = 0; i < rects.size(); ++i)
        tiles[i] = grid.copy(rects[i]);
    return tiles;
}

Result<QImage> ImageArchive::decode(const QByteArray &bytes, int allocationLimitMb, QByteArray *format)
{
    if (bytes.isEmpty())
        return Error::make(Error::Kind::BadResponse, tr("The image is empty"));
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    reader.setDecideFormatFromContent(true);
    reader.setAllocationLimit(allocationLimitMb);
    const QByteArray detected = reader.format();
    if (detected.isEmpty())
        return Error::make(Error::Kind::BadResponse, tr("The file is not an image Tessera can read"));
    const QSize declared = reader.size();
    if (declared.isValid()
        && static_cast<qint64>(declared.width()) * declared.height() * 4
            > qint64(allocationLimitMb) * 1024 * 1024) {
        return Error::make(Error::Kind::BadResponse,
                           tr("The image declares %1×%2 pixels, more than Tessera accepts")
                               .arg(declared.width())
                               .arg(declared.height()));
    }
    QImage image;
    if (!reader.read(&image) || image.isNull())
        return Error::make(Error::Kind::BadResponse,
                           tr("The image is damaged or truncated: %1").arg(reader.errorString()));
    if (format)
        *format = detected;
    return image;
}

Status ImageArchive::writeFile(const QString &root, const QString &relative, const QByteArray &bytes)
{
    const QString path = QDir(root).filePath(relative);
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder))
        return Error::make(Error::Kind::Io, tr("Cannot create the folder %1").arg(folder));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error::make(Error::Kind::Io, tr("Cannot write %1: %2").arg(path, file.errorString()));
    if (file.write(bytes) != bytes.size() || !file.commit())
        return Error::make(Error::Kind::Io, tr("Cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

QString ImageArchive::sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

Result<QString> ImageArchive::videoExtension(const QByteArray &bytes)
{
    // Container signatures (the format comes from the bytes, never from the URL).
    if (bytes.size() >= 12 && bytes.mid(4, 4) == "ftyp")
        return bytes.mid(8, 2) == "qt" ? QStringLiteral("mov") : QStringLiteral("mp4");
    if (bytes.startsWith("\x1A\x45\xDF\xA3"))
        return QStringLiteral("webm");
    if (bytes.startsWith("GIF87a") || bytes.startsWith("GIF89a"))
        return QStringLiteral("gif");
    return Error::make(Error::Kind::BadResponse,
                       tr("The video file is not in a format Tessera knows (MP4, MOV, WebM or GIF)"));
}

Result<QList<ImageRef>> ImageArchive::ingest(const Ingest &request)
{
    if (request.role == ImageRole::Video) {
        // Videos are kept as the vendor sent them, after a check of their container signature.
        const Result<QString> extension = videoExtension(request.bytes);
        if (!extension)
            return extension.error();
        ImageRef video;
        video.role = ImageRole::Video;
        video.index = request.index;
        video.path = request.folder + QLatin1Char('/') + baseName(request.role, request.index)
            + QLatin1Char('.') + *extension;
        video.bytes = request.bytes.size();
        video.hash = sha256(request.bytes);
        video.remoteUrl = request.remoteUrl;
        video.state = ImageState::Downloaded;
        if (const Status s = writeFile(request.root, video.path, request.bytes); !s)
            return s.error();
        return QList<ImageRef> {video};
    }
    QByteArray format;
    const Result<QImage> image = decode(request.bytes, request.allocationLimitMb, &format);
    if (!image)
        return image.error();

    QList<ImageRef> stored;
    ImageRef original;
    original.role = request.role;
    original.index = request.index;
    original.path = request.folder + QLatin1Char('/') + baseName(request.role, request.index)
        + QLatin1Char('.') + extensionFor(format);
    original.size = image->size();
    original.bytes = request.bytes.size();
    original.hash = sha256(request.bytes);
    original.remoteUrl = request.remoteUrl;
    original.state = ImageState::Downloaded;
    if (const Status s = writeFile(request.root, original.path, request.bytes); !s)
        return s.error();
    stored.append(original);

    if (request.splitGrid) {
        if (image->width() < 2 || image->height() < 2)
            return Error::make(Error::Kind::BadResponse, tr("The grid image is too small to split"));
        const auto tiles = splitGrid(*image);
        for (std::size_t i = 0; i < tiles.size(); ++i) {
            const Result<QByteArray> png = encodePng(tiles[i]);
            if (!png)
                return png.error();
            ImageRef tile;
            tile.role = ImageRole::Tile;
            tile.index = static_cast<int>(i) + 1;
            tile.path = request.folder + QLatin1Char('/') + baseName(ImageRole::Tile, tile.index)
                + QStringLiteral(".png");
            tile.size = tiles[i].size();
            tile.bytes = png->size();
            tile.hash = sha256(*png);
            tile.state = ImageState::Downloaded;
            if (const Status s = writeFile(request.root, tile.path, *png); !s)
                return s.error();
            stored.append(tile);
        }
    }
    return stored;
}

int ImageArchive::removeLeftovers(const QString &root, const QString &folder)
{
    // QSaveFile writes to "<final name>.XXXXXX" and renames on commit; a kill before the rename leaves
    // that temporary file. Final names come from baseName() and an extension (see ingest()).
    static const QRegularExpression temporary(
        QStringLiteral(R"(^(grid|tile-\d+|upscale(-\d+)?|video(-\d+)?|image)\.[a-z0-9]+\.[A-Za-z0-9]{6}$)"));
    const QDir dir(QDir(root).filePath(folder));
    int removed = 0;
    for (const QString &name : dir.entryList(QDir::Files | QDir::Hidden)) {
        if (temporary.match(name).hasMatch() && QFile::remove(dir.filePath(name)))
            ++removed;
    }
    return removed;
}

namespace {

// Qt 6.4 on freedesktop systems: when no trash folder can be set up, QFile::moveToTrash "trashes" into
// ./files of the working directory and reports success with a relative name. Puts the file back; true
// when it is back where it was.
bool undoStrayTrash(const QString &stray, const QString &original)
{
    const bool back = QFile::rename(stray, original);
    QFile::remove(QStringLiteral("info/") + QFileInfo(stray).fileName() + QStringLiteral(".trashinfo"));
    QDir().rmdir(QStringLiteral("files"));
    QDir().rmdir(QStringLiteral("info"));
    return back;
}

} // namespace

bool ImageArchive::systemTrash(const QString &absolutePath, QString *why)
{
    QFile file(absolutePath);
    if (!file.moveToTrash()) {
        *why = file.errorString();
        return false;
    }
    if (!QDir::isRelativePath(file.fileName()))
        return true;
    // No trash after all; `why` stays empty ("no trash") unless the file could not even be put back.
    if (!undoStrayTrash(file.fileName(), absolutePath))
        *why = tr("it was left in %1").arg(QDir::toNativeSeparators(QFileInfo(file.fileName()).absoluteFilePath()));
    return false;
}

Result<int> ImageArchive::moveToTrash(const QStringList &relativePaths) const
{
    const QString root = QDir::cleanPath(QDir(m_root).absolutePath());
    QStringList files;
    for (const QString &relative : relativePaths) {
        const QString path = absolutePath(relative);
        if (relative.isEmpty() || QDir::isAbsolutePath(relative) || !path.startsWith(root + QLatin1Char('/')))
            return Error::make(Error::Kind::InvalidRequest,
                               tr("%1 is not a file of the archive; nothing was moved").arg(relative));
        files.append(path);
    }
    int moved = 0;
    QStringList folders;
    for (const QString &path : std::as_const(files)) {
        const QFileInfo info(path);
        if (!info.exists() && !info.isSymLink())
            continue; // already gone (removed by hand): nothing to keep
        QString why;
        const bool trashed = m_trash(path, &why);
        if (!trashed) {
            if (why.isEmpty() || why == QLatin1String("Unknown error") || why == QLatin1String("No error"))
                why = tr("this system has no trash, or none that can take this folder");
            QString message = tr("Could not move %1 to the trash (%2). Tessera never deletes images "
                                 "permanently, so it and the files after it are still in the archive.")
                                  .arg(QDir::toNativeSeparators(path), why);
            if (moved > 0)
                message += QLatin1Char(' ')
                    + QCoreApplication::translate("ImageArchive",
                                                  "%n file(s) were moved to the trash before it.", nullptr,
                                                  moved);
            return Error::make(Error::Kind::Io, message);
        }
        ++moved;
        if (!folders.contains(info.absolutePath()))
            folders.append(info.absolutePath());
    }
    // The task's folder, then its month and year folders, when nothing else is in them. rmdir() never
    // removes a folder that still holds anything.
    for (QString folder : std::as_const(folders)) {
        while (folder.startsWith(root + QLatin1Char('/')) && QDir().rmdir(folder))
            folder = QFileInfo(folder).absolutePath();
    }
    return moved;
}

} // namespace tessera
