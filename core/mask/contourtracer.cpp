#include "contourtracer.h"

#include <algorithm>
#include <bit>
#include <array>
#include <cstdint>
#include <cstring>

namespace tessera::mask::detail {

namespace {

// Directions on screen (y down), numbered so that a left turn is (d + 3) % 4.
constexpr int kEast = 0;
constexpr int kSouth = 1;
constexpr int kWest = 2;
constexpr int kNorth = 3;

constexpr int leftOf(int direction)
{
    return (direction + 3) & 3;
}

// The edge leaving a corner, from its four pixels (bit 0 top-left, 1 top-right, 2 bottom-left,
// 3 bottom-right). A boundary edge keeps white on its left: it runs north between a white top-left and
// a black top-right pixel, south between a black bottom-left and a white bottom-right one, and so on.
// -1 where two edges leave: the two saddles (white pixels touching only at the corner), where the walk
// turns left, i.e. around its own white pixel, which makes white 4-connected and keeps rings uncrossed.
constexpr std::array<signed char, 16> kLeaving = [] {
    std::array<signed char, 16> table {};
    for (int code = 0; code < 16; ++code) {
        const bool tl = code & 1, tr = code & 2, bl = code & 4, br = code & 8;
        int count = 0;
        int direction = -1;
        const auto leave = [&](bool edge, int d) {
            if (edge) {
                ++count;
                direction = d;
            }
        };
        leave(tl && !tr, kNorth);
        leave(br && !bl, kSouth);
        leave(tr && !br, kEast);
        leave(bl && !tl, kWest);
        table[code] = static_cast<signed char>(count == 1 ? direction : -1);
    }
    return table;
}();

// A horizontal run of a ring with white below it (walked westwards): what a keyhole cut reaches.
struct TopRun
{
    int y;
    int xMin;
    int xMax;
    int ring;
    int corner; // the run goes from this corner (at xMax) to the next one (at xMin)
};

class Tracer
{
public:
    explicit Tracer(const QImage &mask)
        : m_bits(mask.constBits())
        , m_stride(mask.bytesPerLine())
        , m_width(mask.width())
        , m_height(mask.height())
        , m_visited((std::size_t(m_height + 1) * std::size_t(m_width) + 63) / 64, 0)
    { }

    Contours run()
    {
        scan();
        connectHoles();
        return std::move(m_out);
    }

private:
    // Pixel (x, y) of the mask: 1 for white (>= 128), 0 for black and outside the image.
    int pixel(int x, int y) const
    {
        if (unsigned(x) >= unsigned(m_width) || unsigned(y) >= unsigned(m_height))
            return 0;
        return m_bits[qsizetype(y) * m_stride + x] >> 7;
    }

    // The four pixels around corner (x, y): bit 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right.
    int cornerCode(int x, int y) const
    {
        if (x >= 1 && y >= 1 && x < m_width && y < m_height) {
            const uchar *above = m_bits + qsizetype(y - 1) * m_stride + (x - 1);
            const uchar *below = above + m_stride;
            return (above[0] >> 7) | (above[1] >> 7) << 1 | (below[0] >> 7) << 2 | (below[1] >> 7) << 3;
        }
        return pixel(x - 1, y - 1) | pixel(x, y - 1) << 1 | pixel(x - 1, y) << 2 | pixel(x, y) << 3;
    }

    bool visited(int line, int column) const
    {
        const std::size_t bit = std::size_t(line) * std::size_t(m_width) + std::size_t(column);
        return (m_visited[bit >> 6] >> (bit & 63)) & 1U;
    }

    void markVisited(int line, int column)
    {
        const std::size_t bit = std::size_t(line) * std::size_t(m_width) + std::size_t(column);
        m_visited[bit >> 6] |= std::uint64_t(1) << (bit & 63);
    }

    // Every ring has horizontal edges, and the first one met in raster order is the left-most on the
    // ring's top line; white below it means an outer boundary, white above it a hole. The rows are read
    // where they are, eight pixels a word: only words where the two rows differ are looked into.
    void scan()
    {
        // Outside the image is black: the line above the first row and below the last one read zeros.
        const std::vector<uchar> black(std::size_t(m_width) + 16, 0);
        for (int line = 0; line <= m_height; ++line) {
            const uchar *above = line > 0 ? m_bits + qsizetype(line - 1) * m_stride : black.data();
            const uchar *below = line < m_height ? m_bits + qsizetype(line) * m_stride : black.data();
            scanLine(line, above, below);
        }
    }

    void scanLine(int line, const uchar *above, const uchar *below)
    {
        constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
        int column = 0;
        for (; column + 16 <= m_width; column += 16) {
            std::uint64_t a0, a1, b0, b1;
            std::memcpy(&a0, above + column, 8);
            std::memcpy(&a1, above + column + 8, 8);
            std::memcpy(&b0, below + column, 8);
            std::memcpy(&b1, below + column + 8, 8);
            const std::uint64_t d0 = a0 ^ b0, d1 = a1 ^ b1;
            if (((d0 | d1) & kHigh) == 0) [[likely]]
                continue;
            edges(line, column, d0 & kHigh, below);
            edges(line, column + 8, d1 & kHigh, below);
        }
        for (; column < m_width; ++column) {
            if (((above[column] ^ below[column]) & 0x80) && !visited(line, column))
                visit(line, column, below[column] >> 7);
        }
    }

    // The horizontal edges of `line` at the bytes of `differ` (high bits set) from `column` on.
    void edges(int line, int column, std::uint64_t differ, const uchar *below)
    {
        while (differ) {
            // The first byte in memory is the lowest on little-endian machines, the highest on big-endian.
            const int bit = std::endian::native == std::endian::little ? std::countr_zero(differ)
                                                                       : std::countl_zero(differ);
            const int k = column + bit / 8;
            if constexpr (std::endian::native == std::endian::little)
                differ &= differ - 1;
            else
                differ &= ~(std::uint64_t(0x80) << (56 - bit));
            if (!visited(line, k))
                visit(line, k, below[k] >> 7);
        }
    }

    void visit(int line, int column, bool whiteBelow)
    {
        Ring ring;
        ring.first = int(m_out.points.size());
        if (whiteBelow) {
            ring.area = m_out.areaCount++;
            m_cutColumns.push_back(-1);
            trace(column, line, kSouth);
        } else {
            ring.hole = true;
            findCut(column, line, ring);
            trace(column, line, kEast);
        }
        ring.count = int(m_out.points.size()) - ring.first;
        m_out.rings.push_back(ring);
    }

    // A ring starts at its top-left corner, which it passes only once (around it only the bottom-right
    // pixel is white for an outer ring, all but the bottom-right one for a hole): the walk ends there.
    void trace(int startX, int startY, int direction)
    {
        m_out.points.push_back({startX, startY});
        int x = startX;
        int y = startY;
        for (;;) {
            switch (direction) {
            case kEast:
                markVisited(y, x);
                ++x;
                break;
            case kWest:
                --x;
                markVisited(y, x);
                break;
            case kSouth:
                ++y;
                break;
            default:
                --y;
                break;
            }
            if (x == startX && y == startY)
                return;
            int next = kLeaving[std::size_t(cornerCode(x, y))];
            if (next < 0)
                next = leftOf(direction);
            if (next != direction) {
                m_out.points.push_back({x, y});
                direction = next;
            }
        }
    }

    // The cut runs up from the hole's top-left corner between two columns of white pixels until one of
    // the two pixels above is black: that corner lies on a boundary of the same white component (the
    // pixels beside the cut are white and 4-connected), on a run with white below, met earlier in the
    // scan. No other boundary or cut touches the cut on its way up.
    void findCut(int x, int y, Ring &ring)
    {
        int top = y;
        while (pixel(x - 1, top - 1) && pixel(x, top - 1))
            --top;
        ring.cutEnd = {x, top};
        // The top edge beside the cut's end: right of it when the pixel above-right is black.
        m_cutColumns.push_back(pixel(x, top - 1) ? x - 1 : x);
    }

    void connectHoles()
    {
        const bool anyHole
            = std::any_of(m_out.rings.begin(), m_out.rings.end(), [](const Ring &r) { return r.hole; });
        if (!anyHole)
            return;
        std::vector<TopRun> runs;
        for (int r = 0; r < int(m_out.rings.size()); ++r) {
            const Ring &ring = m_out.rings[std::size_t(r)];
            for (int k = 0; k < ring.count; ++k) {
                const Point a = m_out.points[std::size_t(ring.first + k)];
                const Point b = m_out.points[std::size_t(ring.first + (k + 1) % ring.count)];
                if (a.y == b.y && b.x < a.x)
                    runs.push_back({a.y, b.x, a.x, r, k});
            }
        }
        std::sort(runs.begin(), runs.end(),
                  [](const TopRun &a, const TopRun &b) { return a.y != b.y ? a.y < b.y : a.xMin < b.xMin; });

        for (std::size_t r = 0; r < m_out.rings.size(); ++r) {
            Ring &ring = m_out.rings[r];
            if (!ring.hole)
                continue;
            const int edge = m_cutColumns[r];
            const auto after
                = std::upper_bound(runs.begin(), runs.end(), std::pair(ring.cutEnd.y, edge),
                                   [](const std::pair<int, int> &key, const TopRun &run) {
                                       return key.first != run.y ? key.first < run.y : key.second < run.xMin;
                                   });
            // The run holding that edge exists by construction (see findCut).
            Q_ASSERT(after != runs.begin());
            const TopRun &run = *(after - 1);
            Q_ASSERT(run.y == ring.cutEnd.y && run.xMin <= edge && edge < run.xMax);
            const Ring &parent = m_out.rings[std::size_t(run.ring)];
            ring.parent = run.ring;
            ring.area = parent.area;
            if (ring.cutEnd.x == run.xMin) {
                ring.parentCorner = (run.corner + 1) % parent.count;
                ring.cutOffset = 0;
            } else {
                ring.parentCorner = run.corner;
                ring.cutOffset = run.xMax - ring.cutEnd.x;
            }
        }
    }

    const uchar *m_bits;
    qsizetype m_stride;
    int m_width;
    int m_height;
    std::vector<std::uint64_t> m_visited; // horizontal edges already traced, one bit per (line, column)
    std::vector<int> m_cutColumns; // per ring: the column of the edge a hole's cut ends beside, or -1
    Contours m_out;
};

} // namespace

Contours traceContours(const QImage &mask)
{
    Q_ASSERT(mask.format() == QImage::Format_Grayscale8);
    if (mask.isNull())
        return {};
    return Tracer(mask).run();
}

} // namespace tessera::mask::detail
