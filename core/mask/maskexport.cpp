#include "maskexport.h"

#include "contourtracer.h"
#include "polygonsimplifier.h"

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

// Joins each area's rings into one closed path (PROVIDERS.md §2 "Holes"): a hole is entered from the
// point where its keyhole cut meets the ring above it, walked once around, and left the same way, so the
// path reads ..., v, s, hole..., s, v, ... with the cut v–s walked down and back up. Rings are simplified
// one by one with the cut ends and each ring's first corner pinned, so the cuts stay vertical and the
// area still starts at its top-most, then left-most corner.
class AreaJoiner
{
public:
    explicit AreaJoiner(const detail::Contours &contours)
        : m_contours(contours)
        , m_local(contours.rings.size(), -1)
    { }

    void join(std::span<const int> rings, double epsilon, std::vector<Point> &path)
    {
        m_rings = rings;
        for (int local = 0; local < int(rings.size()); ++local)
            m_local[std::size_t(rings[std::size_t(local)])] = local;
        insertCutEnds();
        // Douglas–Peucker may make a thin part cross itself; the traced rings (epsilon 0) never do.
        for (const double tolerance : {epsilon, epsilon / 2, epsilon / 4, 0.0}) {
            simplify(tolerance);
            writePath(path);
            if (tolerance == 0
                || (cutsRunThroughWhite() && detail::doubledArea(path) < 0 && detail::isWeaklySimple(path)))
                return;
        }
    }

private:
    struct Span
    {
        int first = 0;
        int count = 0;
    };

    struct Frame
    {
        int ring;
        int vertex;
        bool back; // just returned from the hole hanging off `vertex`
    };

    // The traced rings with every cut end that falls inside a run made a vertex, plus what to pin.
    void insertCutEnds()
    {
        struct Cut
        {
            int parent;
            int corner;
            int offset;
            int hole;
        };
        std::vector<Cut> cuts;
        for (int local = 1; local < int(m_rings.size()); ++local) {
            const detail::Ring &hole = ring(local);
            cuts.push_back({m_local[std::size_t(hole.parent)], hole.parentCorner, hole.cutOffset, local});
        }
        std::sort(cuts.begin(), cuts.end(), [](const Cut &a, const Cut &b) {
            return a.parent != b.parent ? a.parent < b.parent
                                        : (a.corner != b.corner ? a.corner < b.corner : a.offset < b.offset);
        });
        m_traced.clear();
        m_tracedSpans.assign(m_rings.size(), {});
        m_pins.clear();
        m_pinSpans.assign(m_rings.size(), {});
        m_cutAt.clear();
        auto cut = cuts.cbegin();
        for (int local = 0; local < int(m_rings.size()); ++local) {
            const detail::Ring &r = ring(local);
            m_tracedSpans[std::size_t(local)].first = int(m_traced.size());
            m_pinSpans[std::size_t(local)].first = int(m_pins.size());
            for (int k = 0; k < r.count; ++k) {
                m_traced.push_back(m_contours.points[std::size_t(r.first + k)]);
                m_cutAt.push_back(-1);
                if (k == 0)
                    m_pins.push_back(0);
                for (; cut != cuts.cend() && cut->parent == local && cut->corner == k; ++cut) {
                    if (cut->offset > 0) {
                        m_traced.push_back(ring(cut->hole).cutEnd);
                        m_cutAt.push_back(-1);
                    }
                    const int at = int(m_traced.size()) - 1 - m_tracedSpans[std::size_t(local)].first;
                    m_cutAt.back() = cut->hole;
                    if (at != 0)
                        m_pins.push_back(at);
                }
            }
            m_tracedSpans[std::size_t(local)].count
                = int(m_traced.size()) - m_tracedSpans[std::size_t(local)].first;
            m_pinSpans[std::size_t(local)].count = int(m_pins.size()) - m_pinSpans[std::size_t(local)].first;
        }
    }

    void simplify(double epsilon)
    {
        m_kept.clear();
        m_keptCutAt.clear();
        m_keptSpans.assign(m_rings.size(), {});
        for (int local = 0; local < int(m_rings.size()); ++local) {
            const Span traced = m_tracedSpans[std::size_t(local)];
            const std::span<const Point> points(m_traced.data() + traced.first, std::size_t(traced.count));
            const Span pins = m_pinSpans[std::size_t(local)];
            Span &kept = m_keptSpans[std::size_t(local)];
            kept.first = int(m_kept.size());
            if (epsilon > 0) {
                detail::simplifyRing(points, std::span(m_pins.data() + pins.first, std::size_t(pins.count)),
                                     epsilon, m_keep);
                for (int k = 0; k < traced.count; ++k) {
                    if (m_keep[std::size_t(k)]) {
                        m_kept.push_back(points[std::size_t(k)]);
                        m_keptCutAt.push_back(m_cutAt[std::size_t(traced.first + k)]);
                    }
                }
                kept.count = int(m_kept.size()) - kept.first;
                const std::int64_t area
                    = detail::doubledArea(std::span(m_kept.data() + kept.first, std::size_t(kept.count)));
                const bool hole = local > 0;
                if (kept.count >= 3 && (hole ? area > 0 : area < 0))
                    continue;
                // Too small to simplify (or turned inside out): keep the traced ring.
                m_kept.resize(std::size_t(kept.first));
                m_keptCutAt.resize(std::size_t(kept.first));
            }
            m_kept.insert(m_kept.end(), points.begin(), points.end());
            m_keptCutAt.insert(m_keptCutAt.end(), m_cutAt.begin() + traced.first,
                               m_cutAt.begin() + traced.first + traced.count);
            kept.count = traced.count;
        }
    }

    // Every cut must leave both of its rings on their white side; otherwise a simplified ring has moved
    // past a hole, which no longer lies inside the area even though nothing crosses.
    bool cutsRunThroughWhite() const
    {
        const auto corner = [&](int ring, int k, Point towards) {
            const Span kept = m_keptSpans[std::size_t(ring)];
            const auto at
                = [&](int i) { return m_kept[std::size_t(kept.first + (i + kept.count) % kept.count)]; };
            return detail::leavesOnLeft(at(k - 1), at(k), at(k + 1), towards);
        };
        for (int ring = 0; ring < int(m_keptSpans.size()); ++ring) {
            const Span kept = m_keptSpans[std::size_t(ring)];
            for (int k = 0; k < kept.count; ++k) {
                const int hole = m_keptCutAt[std::size_t(kept.first + k)];
                if (hole < 0)
                    continue;
                const Point v = m_kept[std::size_t(kept.first + k)];
                const Point s = m_kept[std::size_t(m_keptSpans[std::size_t(hole)].first)];
                if (!corner(ring, k, s) || !corner(hole, 0, v))
                    return false;
            }
        }
        return true;
    }

    // Depth first over the holes, with an explicit stack: holes may hang off holes many levels deep.
    void writePath(std::vector<Point> &path)
    {
        path.clear();
        m_stack.clear();
        m_stack.push_back({0, 0, false});
        while (!m_stack.empty()) {
            Frame &frame = m_stack.back();
            const Span kept = m_keptSpans[std::size_t(frame.ring)];
            if (frame.back) {
                path.push_back(m_kept[std::size_t(kept.first + frame.vertex)]);
                frame.back = false;
                ++frame.vertex;
                continue;
            }
            if (frame.vertex == kept.count) {
                if (frame.ring != 0)
                    path.push_back(m_kept[std::size_t(kept.first)]);
                m_stack.pop_back();
                if (!m_stack.empty())
                    m_stack.back().back = true;
                continue;
            }
            path.push_back(m_kept[std::size_t(kept.first + frame.vertex)]);
            const int hole = m_keptCutAt[std::size_t(kept.first + frame.vertex)];
            if (hole >= 0)
                m_stack.push_back({hole, 0, false});
            else
                ++frame.vertex;
        }
    }

    const detail::Ring &ring(int local) const
    {
        return m_contours.rings[std::size_t(m_rings[std::size_t(local)])];
    }

    const detail::Contours &m_contours;
    std::vector<int> m_local; // global ring index -> index within the current area
    std::span<const int> m_rings; // the current area's rings, outer first

    std::vector<Point> m_traced;
    std::vector<int> m_cutAt; // per traced vertex: the hole whose cut ends there, or -1
    std::vector<Span> m_tracedSpans;
    std::vector<int> m_pins;
    std::vector<Span> m_pinSpans;

    std::vector<Point> m_kept;
    std::vector<int> m_keptCutAt;
    std::vector<Span> m_keptSpans;
    std::vector<char> m_keep;

    std::vector<Frame> m_stack;
};

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

QJsonArray apixoAreas(const QImage &mask, double epsilon)
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
    AreaJoiner joiner(contours);
    std::vector<Point> path;
    QJsonArray areas;
    for (int a = 0; a < contours.areaCount; ++a) {
        const std::span<const int> rings(order.data() + starts[std::size_t(a)],
                                         std::size_t(starts[std::size_t(a) + 1] - starts[std::size_t(a)]));
        joiner.join(rings, tolerance, path);
        QJsonArray points;
        for (const Point &p : path) {
            points.append(p.x);
            points.append(p.y);
        }
        areas.append(QJsonObject {{QStringLiteral("width"), mask.width()},
                                  {QStringLiteral("height"), mask.height()},
                                  {QStringLiteral("points"), points}});
    }
    return areas;
}

QJsonObject apixoPayload(const QImage &mask, double epsilon)
{
    const QJsonObject size {{QStringLiteral("width"), mask.width()},
                            {QStringLiteral("height"), mask.height()}};
    QJsonObject position = size;
    position.insert(QStringLiteral("x"), 0);
    position.insert(QStringLiteral("y"), 0);
    return {{QStringLiteral("mask"), QJsonObject {{QStringLiteral("areas"), apixoAreas(mask, epsilon)}}},
            {QStringLiteral("canvas"), size},
            {QStringLiteral("imgPos"), position}};
}

} // namespace tessera::mask
