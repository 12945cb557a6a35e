#include "areajoiner.h"

#include "polygoncheck.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace tessera::mask::detail {

namespace {

// Nearest pairs of vertices tried for each hole's cut before giving up on free cuts.
constexpr std::size_t kCutTries = 12;
// Free cuts test every candidate against every edge of the area: past this many (holes × edges) the
// vertical cuts of the trace are used instead, which cost nothing to place.
constexpr double kMaxCutWork = 4e6;

bool before(Point a, Point b) // (y, x) order: top-most, then left-most first
{
    return a.y < b.y || (a.y == b.y && a.x < b.x);
}

} // namespace

AreaJoiner::AreaJoiner(const Contours &contours)
    : m_contours(contours)
    , m_local(contours.rings.size(), -1)
{ }

void AreaJoiner::join(std::span<const int> rings, double epsilon, std::vector<Point> &path)
{
    m_rings = rings;
    for (int local = 0; local < int(rings.size()); ++local)
        m_local[std::size_t(rings[std::size_t(local)])] = local;
    if (epsilon > 0) {
        traceWithoutCuts();
        simplify(Tolerance::forEpsilon(epsilon));
        if (attachHoles()) {
            writePath(path);
            if (holds(path))
                return;
        }
    }
    insertCutEnds();
    for (const double tolerance : {epsilon, epsilon / 2, epsilon / 4, 0.0}) {
        simplify(Tolerance::forEpsilon(tolerance));
        writePath(path);
        if (tolerance <= 0 || holds(path))
            return;
    }
}

// The traced rings as they are, nothing pinned but where each starts: for the outer ring its top-most,
// then left-most corner, which no simplification can pass.
void AreaJoiner::traceWithoutCuts()
{
    m_traced.clear();
    m_tracedSpans.assign(m_rings.size(), {});
    m_pins.clear();
    m_pinSpans.assign(m_rings.size(), {});
    for (int local = 0; local < int(m_rings.size()); ++local) {
        const Ring &r = ring(local);
        m_tracedSpans[std::size_t(local)] = {int(m_traced.size()), r.count};
        m_pinSpans[std::size_t(local)] = {int(m_pins.size()), 1};
        m_pins.push_back(0);
        for (int k = 0; k < r.count; ++k)
            m_traced.push_back(m_contours.points[std::size_t(r.first + k)]);
    }
    m_cutAt.assign(m_traced.size(), -1);
}

// The traced rings with every cut end that falls inside a run made a vertex, plus what to pin: the cut
// ends and each ring's first corner, so the cuts stay vertical.
void AreaJoiner::insertCutEnds()
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
        const Ring &hole = ring(local);
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
        const Ring &r = ring(local);
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
        m_tracedSpans[std::size_t(local)].count = int(m_traced.size()) - m_tracedSpans[std::size_t(local)].first;
        m_pinSpans[std::size_t(local)].count = int(m_pins.size()) - m_pinSpans[std::size_t(local)].first;
    }
}

void AreaJoiner::simplify(const Tolerance &tolerance)
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
        if (tolerance.epsilon > 0) {
            // Each stretch between two pins on its own (a single pin: the whole ring, from it back to it).
            m_from.clear();
            for (int p = 0; p < pins.count; ++p) {
                const int from = m_pins[std::size_t(pins.first + p)];
                const int to = p + 1 < pins.count ? m_pins[std::size_t(pins.first + p + 1)] : m_pins[std::size_t(pins.first)] + traced.count;
                m_simplifier.simplify(points, from, to, tolerance, m_kept, m_from);
            }
            for (const int corner : m_from)
                m_keptCutAt.push_back(corner < 0 ? -1 : m_cutAt[std::size_t(traced.first + corner)]);
            kept.count = int(m_kept.size()) - kept.first;
            const std::int64_t area = doubledArea(std::span(m_kept.data() + kept.first, std::size_t(kept.count)));
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

// Joins every hole, from one of its vertices, to the nearest vertex of a ring joined before it (the outer
// ring or a hole) that a straight cut reaches without meeting any edge or earlier cut; the hole is turned
// to start at its end of the cut. False when a hole finds none among its nearest candidates, or when the
// search would cost too much.
bool AreaJoiner::attachHoles()
{
    m_cuts.clear();
    if (double(m_rings.size()) * double(m_kept.size()) > kMaxCutWork)
        return false;
    struct Pair
    {
        std::int64_t distance;
        int hole; // a vertex of the hole
        int other; // a vertex of a ring before it
        bool operator<(const Pair &p) const { return distance < p.distance; }
    };
    std::vector<Pair> pairs;
    for (int hole = 1; hole < int(m_rings.size()); ++hole) {
        const Span own = m_keptSpans[std::size_t(hole)];
        pairs.clear();
        for (int earlier = 0; earlier < hole; ++earlier) {
            const Span span = m_keptSpans[std::size_t(earlier)];
            for (int k = span.first; k < span.first + span.count; ++k) {
                if (m_keptCutAt[std::size_t(k)] >= 0)
                    continue; // one cut a vertex
                const Point p = m_kept[std::size_t(k)];
                for (int h = own.first; h < own.first + own.count; ++h) {
                    const Point s = m_kept[std::size_t(h)];
                    const std::int64_t dx = p.x - s.x, dy = p.y - s.y;
                    pairs.push_back({dx * dx + dy * dy, h, k});
                }
            }
        }
        const std::size_t tries = std::min(pairs.size(), kCutTries);
        std::partial_sort(pairs.begin(), pairs.begin() + std::ptrdiff_t(tries), pairs.end());
        bool joined = false;
        for (std::size_t c = 0; c < tries && !joined; ++c) {
            const Point s = m_kept[std::size_t(pairs[c].hole)], p = m_kept[std::size_t(pairs[c].other)];
            if (p == s || !clear(s, p))
                continue;
            rotate(own, pairs[c].hole); // the hole is entered, and left, at its end of the cut
            m_keptCutAt[std::size_t(pairs[c].other)] = hole;
            m_cuts.emplace_back(s, p);
            joined = true;
        }
        if (!joined)
            return false;
    }
    return true;
}

// Whether the segment s–p meets no edge of the simplified rings and no cut chosen so far, but at s and p.
bool AreaJoiner::clear(Point s, Point p) const
{
    for (const Span &span : m_keptSpans) {
        for (int k = 0; k < span.count; ++k) {
            const Point a = m_kept[std::size_t(span.first + k)];
            const Point b = m_kept[std::size_t(span.first + (k + 1) % span.count)];
            if (segmentsMeet(s, p, a, b))
                return false;
        }
    }
    return std::none_of(m_cuts.begin(), m_cuts.end(),
                        [&](const auto &cut) { return segmentsMeet(s, p, cut.first, cut.second); });
}

// Turns a simplified ring so that it starts at `start` (an index into the whole kept list).
void AreaJoiner::rotate(Span span, int start)
{
    const auto points = m_kept.begin() + span.first;
    std::rotate(points, m_kept.begin() + start, points + span.count);
    const auto cuts = m_keptCutAt.begin() + span.first;
    std::rotate(cuts, m_keptCutAt.begin() + start, cuts + span.count);
}

// Every cut must leave both of its rings on their white side; otherwise a simplified ring has moved
// past a hole, which no longer lies inside the area even though nothing crosses.
bool AreaJoiner::cutsRunThroughWhite() const
{
    const auto corner = [&](int ring, int k, Point towards) {
        const Span kept = m_keptSpans[std::size_t(ring)];
        const auto at = [&](int i) { return m_kept[std::size_t(kept.first + (i + kept.count) % kept.count)]; };
        return leavesOnLeft(at(k - 1), at(k), at(k + 1), towards);
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

// What PROVIDERS.md §2 asks of an area: it starts at its top-most, then left-most vertex, runs the
// vendor's way round, its cuts run through white, and it does not cross itself.
bool AreaJoiner::holds(const std::vector<Point> &path) const
{
    const bool startsTopLeft
        = std::none_of(path.begin() + 1, path.end(), [&](Point p) { return before(p, path.front()); });
    return startsTopLeft && doubledArea(path) < 0 && cutsRunThroughWhite() && isWeaklySimple(path);
}

// Depth first over the holes, with an explicit stack: holes may hang off holes many levels deep.
void AreaJoiner::writePath(std::vector<Point> &path)
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

} // namespace tessera::mask::detail
