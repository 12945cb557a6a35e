// The archive: grid split (odd sizes too), atomic writes, decode checks, file names of our own.
#include "storage/imagearchive.h"

#include <QBuffer>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QRegion>
#include <QTemporaryDir>
#include <QTest>

using namespace tessera;

namespace {

QByteArray encode(const QImage &img, const char *format)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    img.save(&buffer, format);
    return bytes;
}

// Every pixel a different colour, so any lost or duplicated row or column shows.
QImage numbered(QSize size)
{
    QImage img(size, QImage::Format_RGB32);
    for (int y = 0; y < size.height(); ++y) {
        for (int x = 0; x < size.width(); ++x)
            img.setPixel(x, y, qRgb(x % 256, y % 256, (x / 256) * 16 + (y / 256)));
    }
    return img;
}

} // namespace

class TstImageArchive : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_home; // HOME and XDG_DATA_HOME: QFile::moveToTrash uses $XDG_DATA_HOME/Trash here

    // A grid and its tiles stored for `taskId` under `archive`; their relative paths.
    static QStringList storeTask(const ImageArchive &archive, const QString &taskId)
    {
        ImageArchive::Ingest request;
        request.bytes = encode(numbered(QSize(8, 8)), "png");
        request.root = archive.root();
        request.folder = QStringLiteral("2026/11/") + taskId;
        request.splitGrid = true;
        const auto stored = ImageArchive::ingest(request);
        QStringList paths;
        for (const ImageRef &img : stored.value())
            paths.append(img.path);
        return paths;
    }

    QString trashFiles() const { return m_home.filePath(QStringLiteral("data/Trash/files")); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("HOME", QFile::encodeName(m_home.path()));
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_home.filePath(QStringLiteral("data"))));
    }

    void tileRectsCoverEveryPixelOnce_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::newRow("even") << QSize(1024, 1024);
        QTest::newRow("odd width") << QSize(1023, 1024);
        QTest::newRow("odd height") << QSize(1024, 1535);
        QTest::newRow("odd both") << QSize(683, 1025);
        QTest::newRow("tiny") << QSize(3, 3);
        QTest::newRow("minimal") << QSize(2, 2);
    }
    void tileRectsCoverEveryPixelOnce()
    {
        QFETCH(QSize, size);
        const auto rects = ImageArchive::tileRects(size);
        qint64 area = 0;
        QRegion united;
        for (const QRect &r : rects) {
            QVERIFY(!r.isEmpty());
            QVERIFY(QRect(QPoint(0, 0), size).contains(r));
            QVERIFY(!united.intersects(r));
            united += r;
            area += qint64(r.width()) * r.height();
        }
        QCOMPARE(area, qint64(size.width()) * size.height());
        QCOMPARE(united, QRegion(QRect(QPoint(0, 0), size)));
        // Row-major: 1 top-left, 2 top-right, 3 bottom-left, 4 bottom-right.
        QCOMPARE(rects[0].topLeft(), QPoint(0, 0));
        QVERIFY(rects[1].left() > 0 && rects[1].top() == 0);
        QVERIFY(rects[2].left() == 0 && rects[2].top() > 0);
        QCOMPARE(rects[3].bottomRight(), QPoint(size.width() - 1, size.height() - 1));
    }

    void splitKeepsEveryPixel()
    {
        const QImage grid = numbered(QSize(301, 199));
        const auto tiles = ImageArchive::splitGrid(grid);
        const auto rects = ImageArchive::tileRects(grid.size());
        for (std::size_t i = 0; i < 4; ++i) {
            QCOMPARE(tiles[i].size(), rects[i].size());
            QCOMPARE(tiles[i], grid.copy(rects[i]));
        }
        // Reassembled, the tiles are the grid again.
        QImage back(grid.size(), grid.format());
        QPainter p(&back);
        for (std::size_t i = 0; i < 4; ++i)
            p.drawImage(rects[i].topLeft(), tiles[i]);
        p.end();
        QCOMPARE(back, grid);
    }

    void ingestStoresGridAndTiles()
    {
        QTemporaryDir dir;
        const QImage grid = numbered(QSize(101, 77));
        ImageArchive::Ingest request;
        request.bytes = encode(grid, "PNG");
        request.root = dir.path();
        request.folder = ImageArchive::taskFolder(QStringLiteral("task-1"),
                                                  QDateTime(QDate(2026, 3, 9), QTime(23, 59), Qt::UTC));
        QCOMPARE(request.folder, QStringLiteral("2026/03/task-1"));
        request.role = ImageRole::Grid;
        request.remoteUrl = QStringLiteral("https://cdn.example/evil/../../name.exe?x=1");
        request.splitGrid = true;
        const auto stored = ImageArchive::ingest(request);
        QVERIFY2(stored.ok(), qPrintable(stored.ok() ? QString() : stored.error().message));
        QCOMPARE(stored->size(), 5);
        QCOMPARE(stored->at(0).path, QStringLiteral("2026/03/task-1/grid.png")); // our name, not the URL's
        QCOMPARE(stored->at(0).size, QSize(101, 77));
        QCOMPARE(stored->at(0).hash, ImageArchive::sha256(request.bytes));
        const ImageArchive archive(dir.path());
        const auto rects = ImageArchive::tileRects(grid.size());
        for (int i = 1; i <= 4; ++i) {
            const ImageRef &tile = stored->at(i);
            QCOMPARE(tile.role, ImageRole::Tile);
            QCOMPARE(tile.index, i);
            QCOMPARE(tile.path, QStringLiteral("2026/03/task-1/tile-%1.png").arg(i));
            const QImage onDisk(archive.absolutePath(tile.path));
            QCOMPARE(onDisk.convertToFormat(QImage::Format_RGB32), grid.copy(rects[std::size_t(i - 1)]));
        }
        QCOMPARE(QDir(dir.filePath(request.folder)).entryList(QDir::Files).size(), 5);
    }

    void formatComesFromTheBytes()
    {
        QTemporaryDir dir;
        ImageArchive::Ingest request;
        request.bytes = encode(numbered(QSize(40, 30)), "JPEG");
        request.root = dir.path();
        request.folder = QStringLiteral("f");
        request.role = ImageRole::Upscale;
        request.remoteUrl = QStringLiteral("https://cdn.example/image.png");
        const auto stored = ImageArchive::ingest(request);
        QVERIFY(stored.ok());
        QCOMPARE(stored->first().path, QStringLiteral("f/upscale.jpg"));
    }

    void badImagesAreRefusedAndLeaveNoFile_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("why");
        const QByteArray png = encode(numbered(QSize(64, 64)), "PNG");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
        QTest::newRow("html") << QByteArray("<!doctype html><title>502</title>")
                              << QStringLiteral("not an image");
        QTest::newRow("truncated") << png.left(png.size() / 2) << QStringLiteral("damaged");
        // A small, well-formed PNG that declares 30000×30000 pixels (3.6 GB once decoded).
        const QByteArray huge
            = QByteArray::fromHex("89504e470d0a1a0a0000000d49484452000075300000753008060000006627f8ba0000000c"
                                  "49444154789c6360a00c000000400001b7347cef0000000049454e44ae426082");
        QTest::newRow("30000x30000") << huge << QStringLiteral("declares");
    }
    void badImagesAreRefusedAndLeaveNoFile()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, why);
        QTemporaryDir dir;
        ImageArchive::Ingest request;
        request.bytes = bytes;
        request.root = dir.path();
        request.folder = QStringLiteral("t");
        request.splitGrid = true;
        const auto stored = ImageArchive::ingest(request);
        QVERIFY(!stored.ok());
        QVERIFY2(stored.error().message.contains(why), qPrintable(stored.error().message));
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("t"))));
    }

    void writeFileReplacesAtomically()
    {
        QTemporaryDir dir;
        QVERIFY(ImageArchive::writeFile(dir.path(), QStringLiteral("a/b/c.bin"), "first").ok());
        QVERIFY(ImageArchive::writeFile(dir.path(), QStringLiteral("a/b/c.bin"), "second").ok());
        QFile f(dir.filePath(QStringLiteral("a/b/c.bin")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("second"));
        QCOMPARE(QDir(dir.filePath(QStringLiteral("a/b"))).entryList(QDir::Files | QDir::Hidden).size(), 1);
    }

    void deleteMovesFilesToTheTrashAndRemovesEmptyFolders()
    {
        // The real freedesktop trash, in this test's own home ($XDG_DATA_HOME/Trash, created on demand).
        const ImageArchive archive(m_home.filePath(QStringLiteral("data/tessera/archive")));
        const QStringList a = storeTask(archive, QStringLiteral("task-a"));
        const QStringList b = storeTask(archive, QStringLiteral("task-b"));
        QCOMPARE(a.size(), 5);
        const int before = QDir(trashFiles()).entryList(QDir::Files).size();

        const Result<int> moved = archive.moveToTrash(a);
        QVERIFY2(moved.ok(), qPrintable(moved.ok() ? QString() : moved.error().message));
        QCOMPARE(*moved, 5);
        for (const QString &path : a)
            QVERIFY(!QFileInfo::exists(archive.absolutePath(path)));
        QCOMPARE(QDir(trashFiles()).entryList(QDir::Files).size(), before + 5);
        // The task's folder is gone; the month folder still holds the other task.
        QVERIFY(!QFileInfo::exists(archive.absolutePath(QStringLiteral("2026/11/task-a"))));
        QVERIFY(QFileInfo::exists(archive.absolutePath(b.first())));

        // Files already gone are skipped; the last task takes its empty month and year folders along.
        QVERIFY(QFile::remove(archive.absolutePath(b.last())));
        QCOMPARE(*archive.moveToTrash(b), 4);
        QVERIFY(!QFileInfo::exists(archive.absolutePath(QStringLiteral("2026"))));
        QVERIFY(QFileInfo::exists(archive.root()));
        QCOMPARE(*archive.moveToTrash(b), 0);
    }

    void deleteRefusesPathsOutsideTheArchive_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("parent") << QStringLiteral("../outside.png");
        QTest::newRow("absolute") << m_home.filePath(QStringLiteral("outside.png"));
        QTest::newRow("empty") << QString();
    }
    void deleteRefusesPathsOutsideTheArchive()
    {
        QFETCH(QString, path);
        const ImageArchive archive(m_home.filePath(QStringLiteral("data/tessera/refuse")));
        const QStringList mine = storeTask(archive, QStringLiteral("t"));
        QVERIFY(ImageArchive::writeFile(m_home.path(), QStringLiteral("outside.png"), "x").ok());
        const Result<int> moved = archive.moveToTrash(mine + QStringList {path});
        QVERIFY(!moved.ok());
        QCOMPARE(moved.error().kind, Error::Kind::InvalidRequest);
        // Nothing was moved, not even the valid paths listed first.
        for (const QString &p : mine)
            QVERIFY(QFileInfo::exists(archive.absolutePath(p)));
        QVERIFY(QFileInfo::exists(m_home.filePath(QStringLiteral("outside.png"))));
    }

    void withoutATrashNothingIsDeleted()
    {
        // A trash that cannot be created (its parent is a file): the error says so, the files stay.
        const QString blocked = m_home.filePath(QStringLiteral("blocked"));
        QVERIFY(ImageArchive::writeFile(m_home.path(), QStringLiteral("blocked"), "not a folder").ok());
        const ImageArchive archive(m_home.filePath(QStringLiteral("data/tessera/notrash")));
        const QStringList paths = storeTask(archive, QStringLiteral("t"));
        qputenv("XDG_DATA_HOME", QFile::encodeName(blocked));
        const Result<int> moved = archive.moveToTrash(paths);
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_home.filePath(QStringLiteral("data"))));
        QVERIFY(!moved.ok());
        QCOMPARE(moved.error().kind, Error::Kind::Io);
        QVERIFY2(moved.error().message.contains(QStringLiteral("trash")), qPrintable(moved.error().message));
        QVERIFY(moved.error().message.contains(QStringLiteral("never deletes")));
        for (const QString &p : paths)
            QVERIFY(QFileInfo::exists(archive.absolutePath(p)));
    }

    void aTrashThatFailsMidwayKeepsTheRest()
    {
        // The trash takes the first file, then refuses (full, say): the error names the file, counts the
        // one moved, and every file from the refused one on stays in the archive.
        ImageArchive archive(m_home.filePath(QStringLiteral("data/tessera/midway")));
        const QStringList paths = storeTask(archive, QStringLiteral("t"));
        QStringList asked;
        archive.setTrash([&asked](const QString &path, QString *why) {
            asked.append(path);
            if (asked.size() == 1)
                return QFile::remove(path); // "trashed"
            *why = QStringLiteral("the trash is full");
            return false;
        });
        const Result<int> moved = archive.moveToTrash(paths);
        QVERIFY(!moved.ok());
        QCOMPARE(moved.error().kind, Error::Kind::Io);
        QCOMPARE(asked.size(), 2);
        QCOMPARE(asked.first(), archive.absolutePath(paths.first()));
        QVERIFY(moved.error().message.contains(QStringLiteral("the trash is full")));
        QVERIFY(moved.error().message.contains(QDir::toNativeSeparators(archive.absolutePath(paths.at(1)))));
        QVERIFY(moved.error().message.contains(QStringLiteral("1 file(s) were moved")));
        for (int i = 1; i < paths.size(); ++i)
            QVERIFY(QFileInfo::exists(archive.absolutePath(paths.at(i))));
    }

    void leftoversOfAnInterruptedWriteAreRemoved()
    {
        QTemporaryDir dir;
        for (const char *name : {"t/grid.png", "t/grid.png.Ab12Cd", "t/tile-3.png.x9Y8z7",
                                 "t/video.mp4.QwErTy", "t/holiday.jpg.Ab12Cd", "t/upscale.webp"})
            QVERIFY(ImageArchive::writeFile(dir.path(), QString::fromLatin1(name), "bytes").ok());
        QCOMPARE(ImageArchive::removeLeftovers(dir.path(), QStringLiteral("t")), 3);
        QStringList left = QDir(dir.filePath(QStringLiteral("t"))).entryList(QDir::Files);
        left.sort();
        QCOMPARE(left,
                 (QStringList {QStringLiteral("grid.png"), QStringLiteral("holiday.jpg.Ab12Cd"),
                               QStringLiteral("upscale.webp")}));
        QCOMPARE(ImageArchive::removeLeftovers(dir.path(), QStringLiteral("missing")), 0);
    }
};

QTEST_GUILESS_MAIN(TstImageArchive)
#include "tst_imagearchive.moc"
