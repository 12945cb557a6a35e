#include "e2ehelpers.h"

#include <QColor>
#include <QCryptographicHash>
#include <QFile>
#include <QHash>
#include <QLocale>

namespace tessera::test::e2e {

namespace {

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xFFFFFFFFu;
    for (const char byte : data) {
        crc ^= static_cast<quint8>(byte);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray pngChunk(const char *type, const QByteArray &data)
{
    QByteArray chunk;
    const auto be32 = [&chunk](quint32 v) {
        for (int shift = 24; shift >= 0; shift -= 8)
            chunk.append(static_cast<char>((v >> shift) & 0xFF));
    };
    be32(static_cast<quint32>(data.size()));
    const QByteArray typed = QByteArray(type) + data;
    chunk.append(typed);
    be32(crc32(typed));
    return chunk;
}

} // namespace

QByteArray bearer()
{
    return QByteArrayLiteral("Bearer ") + E2EEnv::kKey;
}

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray hugePng(quint32 side)
{
    QByteArray ihdr;
    for (int i = 0; i < 2; ++i) {
        for (int shift = 24; shift >= 0; shift -= 8)
            ihdr.append(static_cast<char>((side >> shift) & 0xFF));
    }
    ihdr.append("\x08\x02\x00\x00\x00", 5); // 8-bit RGB, deflate, no filter, no interlace
    const QByteArray zlib = qCompress(QByteArray(4096, '\0')).mid(4);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + pngChunk("IHDR", ihdr) + pngChunk("IDAT", zlib)
        + pngChunk("IEND", {});
}

QByteArray cachedPng(QSize size, int shade)
{
    static QHash<QString, QByteArray> cache;
    const QString key = QStringLiteral("%1x%2/%3").arg(size.width()).arg(size.height()).arg(shade);
    auto it = cache.find(key);
    if (it == cache.end())
        it = cache.insert(key, E2EEnv::png(size, QColor::fromHsv((shade * 47) % 360, 160, 200)));
    return *it;
}

QList<ImageRef> imagesOf(const Task &task, ImageRole role)
{
    QList<ImageRef> out;
    for (const ImageRef &img : task.images) {
        if (img.role == role)
            out.append(img);
    }
    return out;
}

QByteArray httpDate(const QDateTime &when)
{
    return QLocale::c().toString(when.toUTC(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1();
}

Task baseline(E2EEnv &env)
{
    const Task t = env.run(Operation::imagine(QStringLiteral("a quiet harbour at dawn")));
    if (t.state != TaskState::Succeeded || t.images.size() != 4)
        qWarning("baseline imagine did not succeed: %s", qPrintable(taskStateName(t.state)));
    return t;
}

void verifyKept(E2EEnv &env, const Task &before)
{
    QCOMPARE(before.state, TaskState::Succeeded);
    const Task now = env.task(before.id);
    QCOMPARE(now.state, TaskState::Succeeded);
    QCOMPARE(now.images, before.images);
    for (const ImageRef &img : now.images) {
        QVERIFY(img.isLocal());
        QCOMPARE(sha256(readAll(env.pathOf(img))), img.hash);
    }
}

void verifyBearerOnApiOnly(const FakeHttpServer &server)
{
    for (const RecordedRequest &r : server.requests()) {
        if (r.path.startsWith(QLatin1String("/files/")))
            QVERIFY2(!r.hasHeader("Authorization"), qPrintable(r.path));
        else
            QCOMPARE(r.header("Authorization"), bearer());
    }
}

} // namespace tessera::test::e2e
