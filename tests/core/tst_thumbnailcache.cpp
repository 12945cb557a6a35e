// Thumbnails on disk (core/storage/thumbnailcache): made by a scaled decode, found again by hash and
// size, made afresh when the hash changes or the cache file is damaged.
#include "storage/thumbnailcache.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>
#include <QTest>

using namespace tessera;

namespace {

QString writeImage(const QString &path, QSize size, QColor colour, const char *format = "PNG")
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(colour);
    if (!image.save(path, format))
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

const QString kHashA = QStringLiteral("aa11") + QString(60, QLatin1Char('0'));
const QString kHashB = QStringLiteral("bb22") + QString(60, QLatin1Char('0'));

} // namespace

class Tthumbnailcache : public QObject
{
    Q_OBJECT

private slots:
    void bucketsAreFewSteps_data()
    {
        QTest::addColumn<int>("side");
        QTest::addColumn<int>("bucket");
        QTest::newRow("tiny") << 10 << 128;
        QTest::newRow("128") << 128 << 128;
        QTest::newRow("129") << 129 << 256;
        QTest::newRow("300") << 300 << 512;
        QTest::newRow("huge") << 5000 << ThumbnailCache::kMaxBucket;
    }
    void bucketsAreFewSteps()
    {
        QFETCH(int, side);
        QFETCH(int, bucket);
        QCOMPARE(ThumbnailCache::bucketFor(side), bucket);
    }

    void missThenHit()
    {
        QTemporaryDir dir;
        const QString source = writeImage(dir.filePath(QStringLiteral("a.png")), {1600, 900}, Qt::red);
        ThumbnailCache cache(dir.filePath(QStringLiteral("thumbs")));
        const auto request = cache.request(source, kHashA, 200);
        QCOMPARE(request.bucket, 256);

        const auto first = ThumbnailCache::load(request);
        QVERIFY(first.ok());
        QCOMPARE(first->origin, ThumbnailCache::Origin::Decoded);
        QCOMPARE(first->image.size(), QSize(256, 144)); // aspect kept, long side = bucket
        QVERIFY(QFileInfo::exists(ThumbnailCache::cachePath(request)));

        const auto second = ThumbnailCache::load(request);
        QVERIFY(second.ok());
        QCOMPARE(second->origin, ThumbnailCache::Origin::Disk);
        QCOMPARE(second->image.size(), QSize(256, 144));
        QVERIFY(QColor(second->image.pixel(10, 10)).red() > 240); // still red after JPEG
        QVERIFY(QColor(second->image.pixel(10, 10)).green() < 16);

        // Another size is another entry; a smaller source is never scaled up.
        const auto big = ThumbnailCache::load(cache.request(source, kHashA, 400));
        QCOMPARE(big->origin, ThumbnailCache::Origin::Decoded);
        QCOMPARE(big->image.size(), QSize(512, 288));
        const QString small = writeImage(dir.filePath(QStringLiteral("s.png")), {40, 30}, Qt::blue);
        QCOMPARE(ThumbnailCache::load(cache.request(small, kHashB, 256))->image.size(), QSize(40, 30));
    }

    void aNewHashIsANewThumbnail()
    {
        QTemporaryDir dir;
        const QString source = writeImage(dir.filePath(QStringLiteral("a.png")), {300, 300}, Qt::red);
        ThumbnailCache cache(dir.filePath(QStringLiteral("thumbs")));
        QCOMPARE(ThumbnailCache::load(cache.request(source, kHashA, 128))->origin,
                 ThumbnailCache::Origin::Decoded);

        // The file is replaced (a repaired download): its hash changes, the red thumbnail must not come back.
        writeImage(source, {300, 300}, Qt::green);
        const auto fresh = ThumbnailCache::load(cache.request(source, kHashB, 128));
        QCOMPARE(fresh->origin, ThumbnailCache::Origin::Decoded);
        QVERIFY(QColor(fresh->image.pixel(5, 5)).green() > 200);
        QVERIFY(QColor(fresh->image.pixel(5, 5)).red() < 40);

        // forget() removes every size of a hash.
        QVERIFY(ThumbnailCache::load(cache.request(source, kHashB, 400)).ok());
        cache.forget(kHashB);
        QVERIFY(!QFileInfo::exists(ThumbnailCache::cachePath(cache.request(source, kHashB, 128))));
        QVERIFY(!QFileInfo::exists(ThumbnailCache::cachePath(cache.request(source, kHashB, 400))));
        QVERIFY(QFileInfo::exists(ThumbnailCache::cachePath(cache.request(source, kHashA, 128))));
    }

    void withoutHashTheFileIdentityIsTheKey()
    {
        QTemporaryDir dir;
        const QString source = writeImage(dir.filePath(QStringLiteral("a.png")), {300, 200}, Qt::red);
        ThumbnailCache cache(dir.filePath(QStringLiteral("thumbs")));
        const auto request = cache.request(source, {}, 128);
        QCOMPARE(ThumbnailCache::load(request)->origin, ThumbnailCache::Origin::Decoded);
        QCOMPARE(ThumbnailCache::load(request)->origin, ThumbnailCache::Origin::Disk);
        writeImage(source, {600, 200}, Qt::blue); // another size on disk: another key
        QCOMPARE(ThumbnailCache::load(request)->origin, ThumbnailCache::Origin::Decoded);
        QCOMPARE(ThumbnailCache::load(request)->image.width(), 128);
    }

    void aCorruptCacheFileIsMadeAgain_data()
    {
        QTest::addColumn<QByteArray>("damage");
        QTest::newRow("garbage") << QByteArray("not an image at all");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("truncated jpeg") << QByteArray("\xFF\xD8\xFF\xE0\x00\x10JFIF", 10);
    }
    void aCorruptCacheFileIsMadeAgain()
    {
        QFETCH(QByteArray, damage);
        QTemporaryDir dir;
        const QString source = writeImage(dir.filePath(QStringLiteral("a.png")), {500, 500}, Qt::red);
        ThumbnailCache cache(dir.filePath(QStringLiteral("thumbs")));
        const auto request = cache.request(source, kHashA, 128);
        QVERIFY(ThumbnailCache::load(request).ok());
        QFile file(ThumbnailCache::cachePath(request));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(damage);
        file.close();

        const auto again = ThumbnailCache::load(request);
        QVERIFY(again.ok());
        QCOMPARE(again->origin, ThumbnailCache::Origin::Decoded);
        QCOMPARE(again->image.size(), QSize(128, 128));
        QCOMPARE(ThumbnailCache::load(request)->origin, ThumbnailCache::Origin::Disk); // repaired on disk
    }

    void anUnreadableSourceIsAnError()
    {
        QTemporaryDir dir;
        QFile bad(dir.filePath(QStringLiteral("bad.png")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("broken");
        bad.close();
        ThumbnailCache cache(dir.filePath(QStringLiteral("thumbs")));
        QVERIFY(!ThumbnailCache::load(cache.request(bad.fileName(), kHashA, 128)).ok());
        QVERIFY(
            !ThumbnailCache::load(cache.request(dir.filePath(QStringLiteral("gone.png")), kHashB, 128)).ok());
        QVERIFY(!QFileInfo::exists(ThumbnailCache::cachePath(cache.request(bad.fileName(), kHashA, 128))));
    }

    void transparencySurvives()
    {
        QTemporaryDir dir;
        QImage image(200, 200, QImage::Format_ARGB32);
        image.fill(Qt::transparent);
        const QString source = dir.filePath(QStringLiteral("t.png"));
        QVERIFY(image.save(source));
        ThumbnailCache cache(dir.filePath(QStringLiteral("thumbs")));
        const auto request = cache.request(source, kHashA, 128);
        QVERIFY(ThumbnailCache::load(request).ok());
        const auto hit = ThumbnailCache::load(request);
        QCOMPARE(hit->origin, ThumbnailCache::Origin::Disk);
        QVERIFY(hit->image.hasAlphaChannel());
        QCOMPARE(qAlpha(hit->image.pixel(3, 3)), 0);
    }
};

QTEST_GUILESS_MAIN(Tthumbnailcache)
#include "tst_thumbnailcache.moc"
