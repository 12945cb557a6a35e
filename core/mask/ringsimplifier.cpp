#include "ringsimplifier.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace tessera::mask::detail {
namespace {

// Coordinates are doubled throughout: edge midpoints of the traced path are then integers.
struct P2
{
    double x = 0;
    double y = 0;
};

double cross(P2 a, P2 b)
{
    return a.x * b.y - a.y * b.x;
}

// The directions from an apex along which a line passes within a distance of every point added so far:
// the intersection of each point's cone, kept as its right and left edges (not normalised).
class Cone
{
public:
    Cone(P2 apex, double reach)
        : m_apex(apex)
        , m_reach(reach)
        , m_reach2(reach * reach)
    { }

    // Narrows the cone to the lines that pass within the reach of p; false (unchanged) when none would.
    bool add(P2 p)
    {
        const double wx = p.x - m_apex.x, wy = p.y - m_apex.y;
        const double r2 = wx * wx + wy * wy;
        if (r2 <= m_reach2)
            return true; // every line through the apex passes this point
        // w turned by ±asin(reach / r), both scaled by r: only their directions matter.
        const double c = std::sqrt(r2 - m_reach2), e = m_reach;
        const P2 right {wx * c + wy * e, -wx * e + wy * c};
        const P2 left {wx * c - wy * e, wx * e + wy * c};
        if (!m_bounded) {
            m_right = right;
            m_left = left;
            m_bounded = true;
            return true;
        }
        const P2 r = cross(m_right, right) > 0 ? right : m_right;
        const P2 l = cross(m_left, left) < 0 ? left : m_left;
        if (cross(r, l) < 0)
            return false;
        m_right = r;
        m_left = l;
        return true;
    }

    bool contains(P2 p) const
    {
        const P2 v {p.x - m_apex.x, p.y - m_apex.y};
        return !m_bounded || (cross(m_right, v) >= 0 && cross(v, m_left) >= 0);
    }

private:
    P2 m_apex;
    double m_reach;
    double m_reach2;
    bool m_bounded = false;
    P2 m_right;
    P2 m_left;
};

// Squared distance from p to the segment a–b.
double distance2(P2 p, P2 a, P2 b)
{
    const double vx = b.x - a.x, vy = b.y - a.y, wx = p.x - a.x, wy = p.y - a.y;
    const double length = vx * vx + vy * vy;
    const double t = length > 0 ? std::clamp((wx * vx + wy * vy) / length, 0.0, 1.0) : 0.0;
    const double dx = wx - t * vx, dy = wy - t * vy;
    return dx * dx + dy * dy;
}

} // namespace

// The chain's events in order, one array per field (the search reads only positions, kinds and costs):
// corners (candidate vertices off the boundary line), midpoints of the boundary (the line the tolerance
// is measured on), and lattice points one step into a run from a corner, which lie on that line and are
// candidates too.
void ChainSimplifier::build(std::span<const Point> ring, int from, int to)
{
    const int n = int(ring.size());
    m_x.clear();
    m_y.clear();
    m_line.clear();
    m_candidate.clear();
    m_corner.clear();
    m_lineX.clear();
    m_lineY.clear();
    const auto corner = [&](double x, double y, int index) {
        m_x.push_back(x);
        m_y.push_back(y);
        m_line.push_back(-1);
        m_candidate.push_back(1);
        m_corner.push_back(index);
    };
    const auto line = [&](double x, double y, bool candidate) {
        m_x.push_back(x);
        m_y.push_back(y);
        m_line.push_back(int(m_lineX.size()));
        m_candidate.push_back(candidate ? 1 : 0);
        m_corner.push_back(-1);
        m_lineX.push_back(x);
        m_lineY.push_back(y);
    };
    for (int k = from; k < to; ++k) {
        const Point a = ring[std::size_t(k % n)], b = ring[std::size_t((k + 1) % n)];
        const int length = std::abs(b.x - a.x) + std::abs(b.y - a.y);
        const double ux = (b.x > a.x) - (b.x < a.x), uy = (b.y > a.y) - (b.y < a.y);
        const double ax = 2.0 * a.x, ay = 2.0 * a.y, bx = 2.0 * b.x, by = 2.0 * b.y;
        corner(ax, ay, k % n);
        line(ax + ux, ay + uy, false); // the run's first midpoint
        if (length >= 2)
            line(ax + 2 * ux, ay + 2 * uy, true); // a step into the run
        if (length >= 3)
            line(bx - 2 * ux, by - 2 * uy, true); // a step before its end
        if (length >= 2)
            line(bx - ux, by - uy, false); // its last midpoint
    }
    const Point end = ring[std::size_t(to % n)];
    corner(2.0 * end.x, 2.0 * end.y, to % n);

    const std::size_t count = m_x.size();
    m_lineBefore.resize(count);
    m_lineAfter.resize(count);
    int before = -1;
    for (std::size_t e = 0; e < count; ++e) {
        if (m_line[e] >= 0)
            before = m_line[e];
        m_lineBefore[e] = before;
    }
    int after = -1;
    for (std::size_t e = count; e-- > 0;) {
        if (m_line[e] >= 0)
            after = m_line[e];
        m_lineAfter[e] = after;
    }
    // Prefix sums of cross products along the boundary line: the area between a chord and the line in
    // O(1).
    m_prefix.resize(m_lineX.size());
    if (!m_prefix.empty())
        m_prefix[0] = 0;
    for (std::size_t q = 1; q < m_lineX.size(); ++q)
        m_prefix[q] = m_prefix[q - 1] + (m_lineX[q - 1] * m_lineY[q] - m_lineY[q - 1] * m_lineX[q]);
}

// Twice the doubled area (8× the area in pixels) between the chord from event i to event j and the line
// between them.
double ChainSimplifier::area8(int i, int j) const
{
    const int first = m_lineAfter[std::size_t(i)], last = m_lineBefore[std::size_t(j)];
    if (first < 0 || last < first)
        return 0;
    const double ax = m_x[std::size_t(i)], ay = m_y[std::size_t(i)];
    const double bx = m_x[std::size_t(j)], by = m_y[std::size_t(j)];
    const double fx = m_lineX[std::size_t(first)], fy = m_lineY[std::size_t(first)];
    const double lx = m_lineX[std::size_t(last)], ly = m_lineY[std::size_t(last)];
    const double sum = (ax * fy - ay * fx) + m_prefix[std::size_t(last)] - m_prefix[std::size_t(first)]
        + (lx * by - ly * bx) + (bx * ay - by * ax);
    return std::abs(sum);
}

// The cheapest chords from the chain's start to its end (see Tolerance), as event indices in m_path.
// A start already a whole vertex behind the best way to some later point stops walking there: the
// earlier starts that got there cheaper reach on at least as well (a heuristic that keeps the result
// of the full search on every mask of the benchmark, at a third of its work).
void ChainSimplifier::cheapest(const Tolerance &tolerance)
{
    const int last = int(m_x.size()) - 1;
    const double reach = 2 * tolerance.epsilon;
    const double perArea = 1 / (8 * tolerance.vertexWorth);
    constexpr double kUnreached = std::numeric_limits<double>::infinity();
    constexpr double kBehind = 1.0;
    m_cost.assign(m_x.size(), kUnreached);
    m_previous.assign(m_x.size(), -1);
    m_cost[0] = 0;
    const double *x = m_x.data();
    const double *y = m_y.data();
    const unsigned char *candidate = m_candidate.data();
    double *cost = m_cost.data();
    for (int i = 0; i < last; ++i) {
        if (!candidate[i] || cost[i] == kUnreached)
            continue;
        Cone cone({x[i], y[i]}, reach);
        const double base = cost[i] + 1;
        for (int j = i + 1; j <= last; ++j) {
            // Only the line's own points narrow the cone: a step into a run lies on the line between the
            // run's first and last midpoints, and narrows nothing those two do not.
            if (!candidate[j]) {
                if (!cone.add({x[j], y[j]}))
                    break;
                continue;
            }
            if (base >= cost[j] + kBehind)
                break;
            if (base >= cost[j] || !cone.contains({x[j], y[j]}))
                continue;
            const double total = base + area8(i, j) * perArea;
            if (total < cost[j]) {
                cost[j] = total;
                m_previous[std::size_t(j)] = i;
            }
        }
    }
    m_path.clear();
    if (cost[last] == kUnreached) {
        // Cannot happen (neighbouring candidates always connect); the traced path is the safe answer.
        for (int j = 0; j <= last; ++j) {
            if (candidate[j])
                m_path.push_back(j);
        }
        return;
    }
    for (int j = last; j >= 0; j = m_previous[std::size_t(j)])
        m_path.push_back(j);
    std::reverse(m_path.begin(), m_path.end());
}

// The cones bound distances to lines; a chord's own ends are what the tolerance is about. A chord that
// leaves a point of the line too far (the boundary turned back beyond an end) is split at the candidate
// nearest that point, until every chord holds (the traced path itself always does).
void ChainSimplifier::repair(const Tolerance &tolerance)
{
    const double limit = 4 * tolerance.epsilon * tolerance.epsilon + 1e-9;
    for (std::size_t t = 0; t + 1 < m_path.size();) {
        const int i = m_path[t], j = m_path[t + 1];
        const P2 a {m_x[std::size_t(i)], m_y[std::size_t(i)]}, b {m_x[std::size_t(j)], m_y[std::size_t(j)]};
        int worst = -1;
        double far = limit;
        for (int k = i + 1; k < j; ++k) {
            if (m_line[std::size_t(k)] < 0)
                continue;
            const double d = distance2({m_x[std::size_t(k)], m_y[std::size_t(k)]}, a, b);
            if (d > far) {
                far = d;
                worst = k;
            }
        }
        if (worst < 0) {
            ++t;
            continue;
        }
        int split = -1;
        for (int d = 0; split < 0; ++d) {
            if (worst - d > i && m_candidate[std::size_t(worst - d)])
                split = worst - d;
            else if (worst + d < j && m_candidate[std::size_t(worst + d)])
                split = worst + d;
        }
        m_path.insert(m_path.begin() + std::ptrdiff_t(t) + 1, split);
    }
}

Tolerance Tolerance::forEpsilon(double epsilon)
{
    return {epsilon, 4 * epsilon * epsilon};
}

void ChainSimplifier::simplify(std::span<const Point> ring, int from, int to, const Tolerance &tolerance,
                               std::vector<Point> &kept, std::vector<int> &corner)
{
    const int n = int(ring.size());
    if (tolerance.epsilon <= 0) {
        for (int k = from; k < to; ++k) {
            kept.push_back(ring[std::size_t(k % n)]);
            corner.push_back(k % n);
        }
        return;
    }
    build(ring, from, to);
    cheapest(tolerance);
    repair(tolerance);
    for (std::size_t t = 0; t + 1 < m_path.size(); ++t) {
        const std::size_t e = std::size_t(m_path[t]);
        kept.push_back({int(std::lround(m_x[e] / 2)), int(std::lround(m_y[e] / 2))});
        corner.push_back(m_corner[e]);
    }
}

} // namespace tessera::mask::detail
