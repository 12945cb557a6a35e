#include "polygoncheck.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <utility>

namespace tessera::mask::detail {

namespace {

using i64 = std::int64_t;

struct Vec
{
    i64 x;
    i64 y;
};

Vec operator-(Point a, Point b)
{
    return {i64(a.x) - b.x, i64(a.y) - b.y};
}
i64 cross(Vec a, Vec b)
{
    return a.x * b.y - a.y * b.x;
}
i64 dot(Vec a, Vec b)
{
    return a.x * b.x + a.y * b.y;
}
int sign(i64 v)
{
    return (v > 0) - (v < 0);
}

// Directions compared by angle, without trigonometry: the upper half-plane first, then by cross product.
int halfPlane(Vec v)
{
    return (v.y < 0 || (v.y == 0 && v.x < 0)) ? 1 : 0;
}
bool angleLess(Vec a, Vec b)
{
    const int ha = halfPlane(a), hb = halfPlane(b);
    return ha != hb ? ha < hb : cross(a, b) > 0;
}
bool sameDirection(Vec a, Vec b)
{
    return cross(a, b) == 0 && dot(a, b) > 0;
}

// Whether c lies strictly inside the angle swept from a to b in increasing angle.
bool insideArc(Vec a, Vec b, Vec c)
{
    return angleLess(a, b) ? angleLess(a, c) && angleLess(c, b) : angleLess(a, c) || angleLess(c, b);
}

bool onSegment(Point p, Point a, Point b)
{
    return cross(b - a, p - a) == 0 && std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x)
        && std::min(a.y, b.y) <= p.y && p.y <= std::max(a.y, b.y);
}

class SimplicityCheck
{
public:
    explicit SimplicityCheck(std::span<const Point> path)
        : m_path(path)
        , m_n(int(path.size()))
    { }

    bool run()
    {
        if (m_n < 3)
            return false;
        for (int i = 0; i < m_n; ++i) {
            if (start(i) == end(i))
                return false;
        }
        return segmentsOk() && passesOk();
    }

private:
    Point start(int i) const { return m_path[std::size_t(i)]; }
    Point end(int i) const { return m_path[std::size_t((i + 1) % m_n)]; }

    bool pairOk(int i, int j) const
    {
        if (i > j)
            std::swap(i, j);
        const Point a = start(i), b = end(i), c = start(j), d = end(j);
        if (j == i + 1 || (i == 0 && j == m_n - 1)) {
            // Neighbours share one vertex; they must not fold back onto each other.
            const Point shared = j == i + 1 ? b : a;
            const Point p = j == i + 1 ? a : b;
            const Point q = j == i + 1 ? d : c;
            return !sameDirection(p - shared, q - shared);
        }
        if (a == d && b == c)
            return true; // a keyhole cut, walked down and back up
        if (a == c && b == d)
            return false;
        const int o1 = sign(cross(b - a, c - a)), o2 = sign(cross(b - a, d - a));
        const int o3 = sign(cross(d - c, a - c)), o4 = sign(cross(d - c, b - c));
        if (o1 * o2 < 0 && o3 * o4 < 0)
            return false;
        // Touching is allowed only vertex to vertex; passesOk() then looks at how the path goes on there.
        const auto endpointOf = [](Point p, Point s, Point t) { return p == s || p == t; };
        if (onSegment(c, a, b) && !endpointOf(c, a, b))
            return false;
        if (onSegment(d, a, b) && !endpointOf(d, a, b))
            return false;
        if (onSegment(a, c, d) && !endpointOf(a, c, d))
            return false;
        if (onSegment(b, c, d) && !endpointOf(b, c, d))
            return false;
        return true;
    }

    bool segmentsOk()
    {
        if (m_n <= 48) {
            for (int i = 0; i < m_n; ++i) {
                for (int j = i + 1; j < m_n; ++j) {
                    if (!pairOk(i, j))
                        return false;
                }
            }
            return true;
        }
        // Bucket the segments' bounding boxes on a grid of about one cell per segment and test each pair in
        // the one cell that holds the corner of their boxes' overlap.
        int x0 = start(0).x, x1 = x0, y0 = start(0).y, y1 = y0;
        for (const Point &p : m_path) {
            x0 = std::min(x0, p.x);
            x1 = std::max(x1, p.x);
            y0 = std::min(y0, p.y);
            y1 = std::max(y1, p.y);
        }
        const double spanX = double(x1 - x0) + 1, spanY = double(y1 - y0) + 1;
        const int cell = std::max(1, int(std::ceil(std::sqrt(spanX * spanY / m_n))));
        const int columns = (x1 - x0) / cell + 1, rows = (y1 - y0) / cell + 1;
        const auto box = [&](int i) {
            const Point a = start(i), b = end(i);
            return std::array<int, 4> {std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x),
                                       std::max(a.y, b.y)};
        };
        std::vector<int> offsets(std::size_t(columns) * std::size_t(rows) + 1, 0);
        const auto forCells = [&](int i, auto &&f) {
            const auto [bx0, by0, bx1, by1] = box(i);
            for (int cy = (by0 - y0) / cell; cy <= (by1 - y0) / cell; ++cy) {
                for (int cx = (bx0 - x0) / cell; cx <= (bx1 - x0) / cell; ++cx)
                    f(std::size_t(cy) * std::size_t(columns) + std::size_t(cx));
            }
        };
        for (int i = 0; i < m_n; ++i)
            forCells(i, [&](std::size_t c) { ++offsets[c + 1]; });
        for (std::size_t c = 1; c < offsets.size(); ++c)
            offsets[c] += offsets[c - 1];
        std::vector<int> members(std::size_t(offsets.back()));
        std::vector<int> fill(offsets.begin(), offsets.end() - 1);
        for (int i = 0; i < m_n; ++i)
            forCells(i, [&](std::size_t c) { members[std::size_t(fill[c]++)] = i; });

        for (int cy = 0; cy < rows; ++cy) {
            for (int cx = 0; cx < columns; ++cx) {
                const std::size_t c = std::size_t(cy) * std::size_t(columns) + std::size_t(cx);
                for (int u = offsets[c]; u < offsets[c + 1]; ++u) {
                    const int i = members[std::size_t(u)];
                    const auto bi = box(i);
                    for (int v = u + 1; v < offsets[c + 1]; ++v) {
                        const int j = members[std::size_t(v)];
                        const auto bj = box(j);
                        const int ox = std::max(bi[0], bj[0]), oy = std::max(bi[1], bj[1]);
                        if (ox > std::min(bi[2], bj[2]) || oy > std::min(bi[3], bj[3]))
                            continue;
                        if ((ox - x0) / cell != cx || (oy - y0) / cell != cy)
                            continue;
                        if (!pairOk(i, j))
                            return false;
                    }
                }
            }
        }
        return true;
    }

    // Where the path passes one point several times (a pinch between diagonal pixels, both ends of a
    // keyhole cut), each pass must keep to one side of every other pass.
    bool passesOk() const
    {
        std::vector<int> order(static_cast<std::size_t>(m_n));
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            const Point p = start(a), q = start(b);
            return p.y != q.y ? p.y < q.y : p.x < q.x;
        });
        for (std::size_t g = 0; g < order.size();) {
            std::size_t h = g + 1;
            while (h < order.size() && start(order[h]) == start(order[g]))
                ++h;
            for (std::size_t u = g; u < h; ++u) {
                for (std::size_t v = u + 1; v < h; ++v) {
                    if (passesCross(order[u], order[v]))
                        return false;
                }
            }
            g = h;
        }
        return true;
    }

    bool passesCross(int i, int j) const
    {
        const Point p = start(i);
        const Vec a1 = start((i + m_n - 1) % m_n) - p, a2 = end(i) - p;
        const Vec b1 = start((j + m_n - 1) % m_n) - p, b2 = end(j) - p;
        for (const Vec &b : {b1, b2}) {
            if (sameDirection(b, a1) || sameDirection(b, a2))
                return false;
        }
        return insideArc(a1, a2, b1) != insideArc(a1, a2, b2);
    }

    std::span<const Point> m_path;
    int m_n;
};

} // namespace

std::int64_t doubledArea(std::span<const Point> ring)
{
    i64 sum = 0;
    const std::size_t n = ring.size();
    for (std::size_t i = 0; i < n; ++i) {
        const Point a = ring[i], b = ring[(i + 1) % n];
        sum += i64(a.x) * b.y - i64(b.x) * a.y;
    }
    return sum;
}

bool leavesOnLeft(Point previous, Point corner, Point next, Point towards)
{
    // On y-down coordinates increasing angle turns clockwise on screen, so the left of the path is what
    // lies between the way back and the way on.
    const Vec back = previous - corner, on = next - corner, out = towards - corner;
    if (sameDirection(out, back) || sameDirection(out, on))
        return false;
    return insideArc(back, on, out);
}

bool segmentsMeet(Point s, Point p, Point a, Point b)
{
    const int o1 = sign(cross(p - s, a - s)), o2 = sign(cross(p - s, b - s));
    const int o3 = sign(cross(b - a, s - a)), o4 = sign(cross(b - a, p - a));
    if (o1 * o2 < 0 && o3 * o4 < 0)
        return true;
    // Touching: an end of one inside the other.
    const auto inside = [](Point q, Point from, Point to) { return onSegment(q, from, to) && !(q == from || q == to); };
    if (inside(a, s, p) || inside(b, s, p) || inside(s, a, b) || inside(p, a, b))
        return true;
    // Collinear, sharing an end, and leaving it the same way: they overlap.
    if (o1 == 0 && o2 == 0) {
        for (const Point q : {s, p}) {
            const Point other = q == s ? p : s;
            if ((q == a && sameDirection(other - q, b - q)) || (q == b && sameDirection(other - q, a - q)))
                return true;
        }
    }
    return false;
}

bool isWeaklySimple(std::span<const Point> path)
{
    return SimplicityCheck(path).run();
}

} // namespace tessera::mask::detail
