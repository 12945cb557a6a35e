#include "maskexport.h"

#include "areajoiner.h"
#include "contourtracer.h"

#include <QBuffer>
#include <QImageReader>
#include <QImageWriter>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace tessera::mask {

namespace {

using detail::Point;

// Masks are the size of the source image (PROVIDERS.md "Mask PNGs everywhere"): 4x upscales reach about
// 6000 pixels a side, so 8192² is ample and keeps a decoded RGBA copy at 256 MB. The decoder's own
// allocation limit (QImageReader::allocationLimit(), process-wide) applies on top of this.
constexpr qint64 kMaxPixels = qint64(8192) * 8192;

Error maskError(const QString &message)
{
    return Error::make(Error::Kind::InvalidRequest, message);
}

// Only pure black and pure white (PROVIDERS.md "Mask PNGs everywhere"): fully transparent pixels are
// black whatever their colour, the others white when their luminance (Rec. 601 weights) is at least 128.
QImage binarized(const QImage &image)
{
    QImage out(image.size(), QImage::Format_Grayscale8);
    if (out.isNull())
        return out;
    if (image.format() == QImage::Format_Grayscale8) {
        for (int y = 0; y < image.height(); ++y) {
            const uchar *source = image.constScanLine(y);
            uchar *target = out.scanLine(y);
            for (int x = 0; x < image.width(); ++x)
                target[x] = source[x] >= 128 ? 255 : 0;
        }
        return out;
    }
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    if (argb.isNull())
        return {};
    for (int y = 0; y < argb.height(); ++y) {
        const auto *source = reinterpret_cast<const QRgb *>(argb.constScanLine(y));
        uchar *target = out.scanLine(y);
        for (int x = 0; x < argb.width(); ++x) {
            const QRgb p = source[x];
            const int luminance = (77 * qRed(p) + 150 * qGreen(p) + 29 * qBlue(p)) >> 8;
            target[x] = qAlpha(p) != 0 && luminance >= 128 ? 255 : 0;
        }
    }
    return out;
}

// Nearest neighbour: target pixel x samples the source pixel under its centre, floor((x + ½)·sw / tw).
QImage nearestScaled(const QImage &source, QSize size)
{
    QImage out(size, QImage::Format_Grayscale8);
    if (out.isNull())
        return out;
    std::vector<int> columns(std::size_t(size.width()));
    for (int x = 0; x < size.width(); ++x)
        columns[std::size_t(x)] = int((qint64(2 * x + 1) * source.width()) / (2 * qint64(size.width())));
    for (int y = 0; y < size.height(); ++y) {
        const int sy = int((qint64(2 * y + 1) * source.height()) / (2 * qint64(size.height())));
        const uchar *from = source.constScanLine(sy);
        uchar *to = out.scanLine(y);
        for (int x = 0; x < size.width(); ++x)
            to[x] = from[columns[std::size_t(x)]];
    }
    return out;
}

bool anyWhite(const QImage &mask)
{
    for (int y = 0; y < mask.height(); ++y) {
        const uchar *row = mask.constScanLine(y);
        if (std::any_of(row, row + mask.width(), [](uchar v) { return v != 0; }))
            return true;
    }
    return false;
}

} // namespace

Result<QImage> fit(const QByteArray &png, QSize size, bool *scaled)
{
    if (scaled)
        *scaled = false;
    if (size.isEmpty() || qint64(size.width()) * size.height() > kMaxPixels)
        return maskError(
            QStringLiteral("mask: cannot fit a mask to %1×%2 pixels").arg(size.width()).arg(size.height()));

    QBuffer buffer;
    buffer.setData(png);
    buffer.open(QIODevice::ReadOnly);
    QImageReader reader(&buffer);
    const QSize declared = reader.size();
    if (declared.isValid() && qint64(declared.width()) * declared.height() > kMaxPixels)
        return maskError(QStringLiteral("mask: the image is too large (%1×%2 pixels)")
                             .arg(declared.width())
                             .arg(declared.height()));
    const QImage decoded = reader.read();
    if (decoded.isNull())
        return maskError(QStringLiteral("mask: not a readable image (%1)").arg(reader.errorString()));

    QImage mask = binarized(decoded);
    if (!mask.isNull() && mask.size() != size) {
        mask = nearestScaled(mask, size);
        if (scaled)
            *scaled = true;
    }
    if (mask.isNull())
        return maskError(QStringLiteral("mask: out of memory"));
    if (!anyWhite(mask))
        return maskError(QStringLiteral("mask: no white pixel, so nothing would be regenerated"));
    return mask;
}

namespace {

quint32 crc32(const char *data, qsizetype size, quint32 crc = 0xFFFFFFFFu)
{
    static const auto table = [] {
        std::array<quint32, 256> t {};
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    for (qsizetype i = 0; i < size; ++i)
        crc = table[(crc ^ static_cast<quint8>(data[i])) & 0xFF] ^ (crc >> 8);
    return crc;
}

void appendBigEndian(QByteArray &out, quint32 value)
{
    out.append(static_cast<char>(value >> 24)).append(static_cast<char>(value >> 16));
    out.append(static_cast<char>(value >> 8)).append(static_cast<char>(value));
}

void appendChunk(QByteArray &out, const char type[4], const QByteArray &data)
{
    appendBigEndian(out, static_cast<quint32>(data.size()));
    const qsizetype start = out.size();
    out.append(type, 4).append(data);
    appendBigEndian(out, crc32(out.constData() + start, out.size() - start) ^ 0xFFFFFFFFu);
}

} // namespace

QByteArray encodePng(const QImage &mask)
{
    // Written here rather than through QImageWriter: libpng's adaptive row filters cost most of the time
    // and buy nothing on a black and white mask. Rows use filter 0 and zlib's fastest level, which still
    // compresses long runs of 0 and 255 well (export targets: 20 ms at 2048², 60 ms at 4096²).
    // Re-thresholding also drops any colour space or text the caller's image carried.
    const QImage gray = mask.format() == QImage::Format_Grayscale8 ? mask : binarized(mask);
    if (gray.isNull())
        return {};
    const int width = gray.width();
    const int height = gray.height();
    QByteArray raw(static_cast<qsizetype>(height) * (width + 1), Qt::Uninitialized);
    for (int y = 0; y < height; ++y) {
        char *row = raw.data() + static_cast<qsizetype>(y) * (width + 1);
        row[0] = 0; // filter: none
        const uchar *source = gray.constScanLine(y);
        for (int x = 0; x < width; ++x)
            row[x + 1] = static_cast<char>(source[x] >= 128 ? 255 : 0);
    }
    const QByteArray compressed = qCompress(raw, 1);
    if (compressed.size() <= 4)
        return {};
    QByteArray header;
    appendBigEndian(header, static_cast<quint32>(width));
    appendBigEndian(header, static_cast<quint32>(height));
    header.append(char(8)).append(char(0)).append(char(0)).append(char(0)).append(char(0)); // 8-bit gray
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png.reserve(compressed.size() + 64);
    appendChunk(png, "IHDR", header);
    appendChunk(png, "IDAT", compressed.mid(4)); // qCompress puts the length first, then a zlib stream
    appendChunk(png, "IEND", {});
    return png;
}

QString base64(const QByteArray &png)
{
    return QString::fromLatin1(png.toBase64());
}

QString dataUrl(const QByteArray &png)
{
    return QStringLiteral("data:image/png;base64,") + base64(png);
}

double coverage(const QImage &mask)
{
    if (mask.isNull())
        return 0;
    const QImage gray = mask.format() == QImage::Format_Grayscale8 ? mask : binarized(mask);
    qint64 selected = 0;
    for (int y = 0; y < gray.height(); ++y) {
        const uchar *row = gray.constScanLine(y);
        selected += std::count_if(row, row + gray.width(), [](uchar v) { return v >= 128; });
    }
    return double(selected) / (double(gray.width()) * double(gray.height()));
}

QList<QPolygon> polygonAreas(const QImage &mask, double epsilon)
{
    if (mask.isNull())
        return {};
    const QImage gray = mask.format() == QImage::Format_Grayscale8 ? mask : binarized(mask);
    const detail::Contours contours = detail::traceContours(gray);

    // Rings grouped by area, outer ring first (a counting sort keeps raster order within an area).
    std::vector<int> starts(std::size_t(contours.areaCount) + 1, 0);
    for (const detail::Ring &ring : contours.rings)
        ++starts[std::size_t(ring.area) + 1];
    for (std::size_t a = 1; a < starts.size(); ++a)
        starts[a] += starts[a - 1];
    std::vector<int> order(contours.rings.size());
    std::vector<int> fill(starts.begin(), starts.end() - 1);
    for (int r = 0; r < int(contours.rings.size()); ++r)
        order[std::size_t(fill[std::size_t(contours.rings[std::size_t(r)].area)]++)] = r;

    const double tolerance = epsilon > 0 ? epsilon : 0.0; // also turns NaN into "exact"
    detail::AreaJoiner joiner(contours);
    std::vector<Point> path;
    QList<QPolygon> areas;
    areas.reserve(contours.areaCount);
    for (int a = 0; a < contours.areaCount; ++a) {
        const std::span<const int> rings(order.data() + starts[std::size_t(a)],
                                         std::size_t(starts[std::size_t(a) + 1] - starts[std::size_t(a)]));
        joiner.join(rings, tolerance, path);
        QPolygon polygon;
        polygon.reserve(qsizetype(path.size()));
        for (const Point &p : path)
            polygon.append(QPoint(p.x, p.y));
        areas.append(std::move(polygon));
    }
    return areas;
}

} // namespace tessera::mask
