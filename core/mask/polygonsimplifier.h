#pragma once

#include "contourtracer.h"

#include <cstdint>
#include <span>
#include <vector>

// Douglas–Peucker simplification of traced rings and the check that a simplified area still does not
// cross itself (PROVIDERS.md §2: "Rings must not cross themselves"). Private to core/mask.
namespace tessera::mask::detail {

// Twice the signed area, Σ(xᵢ·yᵢ₊₁ − xᵢ₊₁·yᵢ) on y-down coordinates: negative for an outer ring.
std::int64_t doubledArea(std::span<const Point> ring);

// Douglas–Peucker on a closed ring: sets keep[i] for the vertices that stay. Vertices listed in `pinned`
// (sorted, at least one) always stay; every chain between two of them is simplified on its own, so no
// new vertex is ever made and the kept ones are the traced integer corners. A ring with a single pin is
// first split at its vertex farthest from the pin.
void simplifyRing(std::span<const Point> ring, std::span<const int> pinned, double epsilon,
                  std::vector<char> &keep);

// Whether the segment from `corner` towards `towards` leaves the corner previous → corner → next strictly
// on its left as seen on screen, the white side of a traced ring.
bool leavesOnLeft(Point previous, Point corner, Point next, Point towards);

// True when the closed path is weakly simple: it may touch itself at shared vertices and run back along
// a segment it came by (a keyhole cut), but no two segments cross, no vertex lies inside another
// segment, no segments overlap otherwise, and where the path passes a point twice the two passes do not
// cross there. Linear in practice (segments are bucketed on a grid).
bool isWeaklySimple(std::span<const Point> path);

} // namespace tessera::mask::detail
