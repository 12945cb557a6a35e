#pragma once

#include <QImage>

#include <vector>

// Pixel-edge contour tracing for the apixo polygon areas (PROVIDERS.md §2 "Masks for upload-paint").
// Private to core/mask: maskexport.cpp turns the rings into areas.
namespace tessera::mask::detail {

// A pixel corner: pixel (x, y) covers the square [x, x+1] × [y, y+1]; y grows downwards.
struct Point
{
    int x = 0;
    int y = 0;
    friend bool operator==(const Point &, const Point &) = default;
};

// One closed boundary, as its corners only (no collinear vertex), walked with the white region on the
// left as seen on screen: outer boundaries have a negative shoelace sum on y-down coordinates, holes a
// positive one. The first corner of every ring is its top-most, then left-most corner; it is a corner
// the ring passes only once.
struct Ring
{
    int first = 0; // index of the first corner in Contours::points
    int count = 0;
    int area = 0; // the white component the ring bounds (outer ring and holes share it)
    bool hole = false;

    // Holes only: the keyhole cut runs straight up from this ring's first corner to `cutEnd`, a point on
    // ring `parent` (an earlier ring of the same area: its outer boundary or another hole). `cutEnd` lies
    // on the parent's segment from corner `parentCorner` to the next one, `cutOffset` units after that
    // corner (0: at the corner itself).
    int parent = -1;
    int parentCorner = 0;
    int cutOffset = 0;
    Point cutEnd;
};

struct Contours
{
    std::vector<Point> points;
    // In raster order of their first corners: an area's outer ring comes before its holes, and a hole's
    // parent before the hole.
    std::vector<Ring> rings;
    int areaCount = 0;
};

// Traces the white pixels (value >= 128) of a Format_Grayscale8 image. White pixels are 4-connected, so
// two white pixels that touch only at a corner belong to different areas; where a boundary passes such a
// corner it turns towards its own white pixel, so rings touch there but never cross. One linear scan
// over the image plus work proportional to the boundary length; a handful of allocations in all.
Contours traceContours(const QImage &mask);

} // namespace tessera::mask::detail
