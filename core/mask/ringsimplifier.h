#pragma once

#include "contourtracer.h"

#include <span>
#include <vector>

// Simplification of traced rings for the apixo polygon areas (PROVIDERS.md §2: "within the
// simplification tolerance"). Private to core/mask. docs/decisions.md, "Polygon areas", has the reasons.
namespace tessera::mask::detail {

// The tolerance is measured on the boundary between white and black pixel centres — the midpoints of
// the traced pixel edges, not the pixel corners: every midpoint stays within `epsilon` of the outline.
// Among the outlines that hold it, with vertices on the traced path (at its corners, or one step into a
// run from a corner), the one chosen is the cheapest when every vertex costs as much as
// `vertexWorth` square pixels of area between the outline and the boundary: a shortest path over the
// chords the tolerance allows. Fewer vertices than Douglas–Peucker needs, and a closer fit.
struct Tolerance
{
    double epsilon = 1;
    double vertexWorth = 4;

    // The worth of a vertex that gives, at `epsilon` 1, fewer vertices than OpenCV's approxPolyDP and a
    // closer fit on the masks of tests/bench/bench_mask: 4 square pixels, scaled with the tolerance's
    // square (a wider tolerance asks for fewer vertices).
    static Tolerance forEpsilon(double epsilon);
};

// Simplifies chains of traced rings; one object keeps its working memory from chain to chain.
class ChainSimplifier
{
public:
    // Simplifies the chain of `ring` (corners of axis-parallel edges) from corner `from` to corner `to`
    // (ring indices; `to` may exceed the ring's size to wrap, and equals `from` plus the size for the
    // whole closed ring). Both ends are kept where they are. Writes the vertices from `from` up to, but
    // without, `to`, each with the ring index it is or -1 for a point inside a run. Appends to both lists.
    void simplify(std::span<const Point> ring, int from, int to, const Tolerance &tolerance,
                  std::vector<Point> &kept, std::vector<int> &corner);

private:
    void build(std::span<const Point> ring, int from, int to);
    double area8(int i, int j) const;
    void cheapest(const Tolerance &tolerance);
    void repair(const Tolerance &tolerance);

    // Per event of the chain, in doubled coordinates (the edge midpoints are then integers).
    std::vector<double> m_x;
    std::vector<double> m_y;
    std::vector<int> m_line; // index on the boundary line, or -1 for a corner
    std::vector<unsigned char> m_candidate; // 1 where a vertex may go
    std::vector<int> m_corner; // the ring index of a corner, or -1
    // The first point of the line after each event, and the last one before it (the event itself when it
    // lies on the line): where a chord from, or to, it meets the line.
    std::vector<int> m_lineAfter;
    std::vector<int> m_lineBefore;
    // The boundary line itself, and prefix sums of cross products along it.
    std::vector<double> m_lineX;
    std::vector<double> m_lineY;
    std::vector<double> m_prefix;
    // The search.
    std::vector<double> m_cost;
    std::vector<int> m_previous;
    std::vector<int> m_path;
};

} // namespace tessera::mask::detail
