#pragma once

#include "contourtracer.h"

#include <cstdint>
#include <span>
#include <vector>

// The checks a simplified area must pass (PROVIDERS.md §2: "Rings must not cross themselves"): its
// orientation, how its keyhole cuts leave their rings, and that the joined path is weakly simple.
// Private to core/mask.
namespace tessera::mask::detail {

// Twice the signed area, Σ(xᵢ·yᵢ₊₁ − xᵢ₊₁·yᵢ) on y-down coordinates: negative for an outer ring.
std::int64_t doubledArea(std::span<const Point> ring);

// Whether the segment from `corner` towards `towards` leaves the corner previous → corner → next strictly
// on its left as seen on screen, the white side of a traced ring.
bool leavesOnLeft(Point previous, Point corner, Point next, Point towards);

// Whether the segments s–p and a–b meet anywhere but at an end they share: they cross, an end of one
// lies inside the other, or they overlap.
bool segmentsMeet(Point s, Point p, Point a, Point b);

// True when the closed path is weakly simple: it may touch itself at shared vertices and run back along
// a segment it came by (a keyhole cut), but no two segments cross, no vertex lies inside another
// segment, no segments overlap otherwise, and where the path passes a point twice the two passes do not
// cross there. Linear in practice (segments are bucketed on a grid).
bool isWeaklySimple(std::span<const Point> path);

} // namespace tessera::mask::detail
