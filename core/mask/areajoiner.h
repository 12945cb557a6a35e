#pragma once

#include "contourtracer.h"
#include "ringsimplifier.h"

#include <span>
#include <vector>

// Turns the traced rings of one white area into the single closed path apixo takes (PROVIDERS.md §2
// "Holes"). Private to core/mask: maskexport.cpp calls it for each area.
namespace tessera::mask::detail {

// A hole is entered from a point of the ring around it along a zero-width cut, walked once around and
// left the same way, so the path reads ..., v, s, hole..., s, v, ... The area starts at its top-most,
// then left-most vertex, and runs as in the vendor's example (negative shoelace sum on y-down
// coordinates).
//
// Simplified (tolerance above 0), each ring is simplified whole and every hole is then joined to the
// nearest vertex it can see of a ring joined before it: no cut end splits a ring, and a cut costs only
// its two repeated points. If that fails (a cut would cross something, or the simplified area would
// not be weakly simple), the vertical cuts the tracer found are used, their ends kept while the rings
// are simplified, with the tolerance halved until the area holds (the exact trace, tolerance 0, always
// does).
class AreaJoiner
{
public:
    explicit AreaJoiner(const Contours &contours);

    // `rings`: the area's rings (indices into the contours), its outer ring first, each hole after its
    // parent.
    void join(std::span<const int> rings, double epsilon, std::vector<Point> &path);

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

    const Ring &ring(int local) const { return m_contours.rings[std::size_t(m_rings[std::size_t(local)])]; }
    void traceWithoutCuts();
    void insertCutEnds();
    void simplify(const Tolerance &tolerance);
    bool attachHoles();
    bool clear(Point s, Point p) const;
    void rotate(Span span, int start);
    bool cutsRunThroughWhite() const;
    bool holds(const std::vector<Point> &path) const;
    void writePath(std::vector<Point> &path);

    const Contours &m_contours;
    std::vector<int> m_local; // global ring index → index within the current area
    std::span<const int> m_rings; // the current area's rings, outer first

    std::vector<Point> m_traced;
    std::vector<int> m_cutAt; // per traced vertex: the hole whose cut ends there, or -1
    std::vector<Span> m_tracedSpans;
    std::vector<int> m_pins;
    std::vector<Span> m_pinSpans;

    std::vector<Point> m_kept;
    std::vector<int> m_keptCutAt; // per kept vertex: the hole joined there, or -1
    std::vector<Span> m_keptSpans;
    std::vector<int> m_from;
    std::vector<std::pair<Point, Point>> m_cuts; // the cuts chosen so far

    std::vector<Frame> m_stack;
    ChainSimplifier m_simplifier;
};

} // namespace tessera::mask::detail
