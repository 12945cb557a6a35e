#pragma once

#include "model/imageref.h"
#include "model/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QImage>
#include <QList>
#include <QRect>
#include <QString>

#include <array>
#include <functional>

namespace tessera {

// The user's image files: AppDataLocation/archive/YYYY/MM/<task-id>/. Every file name is chosen here,
// never taken from a URL or a header; every file is written with QSaveFile, so a crash never leaves a
// partial file at a final path. The static functions work on values only and are meant to run on the
// QtConcurrent pool.
class ImageArchive
{
public:
    explicit ImageArchive(QString root);

    QString root() const { return m_root; }
    // `relative` as stored in ImageRef::path → an absolute path under the root.
    QString absolutePath(const QString &relative) const;
    // "2026/11/<task-id>" for a task created at `created` (UTC).
    static QString taskFolder(const QString &taskId, const QDateTime &created);

    // What ingest() needs: downloaded bytes and where they belong.
    struct Ingest
    {
        QByteArray bytes;
        QString root;
        QString folder; // relative, from taskFolder()
        ImageRole role = ImageRole::Grid;
        int index = 0;
        QString remoteUrl;
        bool splitGrid = false; // a 2×2 grid: also store its four tiles
        int allocationLimitMb = 512; // QImageReader's decode limit (a 30000×30000 PNG is refused)
    };

    // Decodes (format from the bytes, not the name), writes the original bytes, and for a grid the four
    // tiles as PNG. A video (role Video) is checked by its container signature and stored as it came. Returns
    // the stored images: the original first, then tiles 1..4.
    static Result<QList<ImageRef>> ingest(const Ingest &request);

    // "mp4", "mov", "webm" or "gif" from a video file's first bytes; an Error for anything else.
    static Result<QString> videoExtension(const QByteArray &bytes);

    // Decodes `bytes` with an allocation limit; `format` receives "png", "jpeg", "webp"...
    static Result<QImage> decode(const QByteArray &bytes, int allocationLimitMb,
                                 QByteArray *format = nullptr);

    // The four tile rectangles of a grid of `size`, row-major. For odd sizes the left column and top
    // row get floor(n/2) pixels and the others the rest: every pixel belongs to exactly one tile.
    static std::array<QRect, 4> tileRects(QSize size);
    static std::array<QImage, 4> splitGrid(const QImage &grid);

    // Writes `bytes` to root/relative atomically (QSaveFile), creating folders.
    static Status writeFile(const QString &root, const QString &relative, const QByteArray &bytes);

    static QString sha256(const QByteArray &bytes);

    // Removes what an interrupted QSaveFile left in root/folder: temporary files beside the final names
    // ("grid.png.Ab12Cd"). Never touches a file at a final name. Call only when no write to the folder
    // is under way. Returns how many were removed.
    static int removeLeftovers(const QString &root, const QString &folder);

    // Moves the files at `relativePaths` (as HistoryStore::deleteTask returns them) to the system trash
    // (QFile::moveToTrash), then removes the folders left empty up to the archive root. Files already
    // gone are skipped. Returns how many were moved. Nothing is ever deleted permanently: when the
    // system has no trash, or a file cannot be moved, the Error says so and the files stay where they
    // are (those moved before the failure are in the trash). Paths that leave the root are refused.
    Result<int> moveToTrash(const QStringList &relativePaths) const;

    // How one file goes to the trash: true when it went; otherwise `why` (may stay empty) says what
    // stopped it and the file must still be where it was. The default is the system trash
    // (systemTrash); tests put a trash of their own, or none, so both outcomes are tested on any machine.
    using Trash = std::function<bool(const QString &absolutePath, QString *why)>;
    void setTrash(Trash trash) { m_trash = std::move(trash); }
    // QFile::moveToTrash, with Qt 6.4's fallback into ./files of the working directory (when no trash
    // folder can be set up on freedesktop systems) undone and reported as "no trash".
    static bool systemTrash(const QString &absolutePath, QString *why);

private:
    QString m_root;
    Trash m_trash = &ImageArchive::systemTrash;
};

} // namespace tessera
