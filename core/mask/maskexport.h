#pragma once

#include "model/result.h"

#include <QByteArray>
#include <QImage>
#include <QList>
#include <QPolygon>
#include <QSize>
#include <QString>

// What the provider adapters need from a vary-region mask (PROVIDERS.md "Mask PNGs everywhere", §2 masks
// for upload-paint, §4 maskBase64). Pure functions on values: safe on any thread; the mask editor and the
// engine run the heavy ones (fit, trace) on the pool for large images.
namespace tessera::mask {

// Decodes a mask PNG (any size, gray or colour, with or without alpha), fits it to `size` with
// nearest-neighbour scaling when the sizes differ (`scaled` then says so), and thresholds it to an
// opaque Format_Grayscale8 image with only 0 (keep) and 255 (regenerate). Alpha 0 counts as black.
// Errors (InvalidRequest, naming "mask"): not an image, or no white pixel at all.
Result<QImage> fit(const QByteArray &png, QSize size, bool *scaled = nullptr);

// The mask as sent: non-interlaced 8-bit grayscale PNG, opaque, exactly `mask.size()`.
QByteArray encodePng(const QImage &mask);

// Standard base64 with padding and no line breaks; the data URL adds "data:image/png;base64,".
QString base64(const QByteArray &png);
QString dataUrl(const QByteArray &png);

// Share of pixels selected (0..1).
double coverage(const QImage &mask);

// The white region as closed polygon areas (PROVIDERS.md §2 "Masks for upload-paint", the geometry apixo's
// `mask.areas` carry): traced along pixel edges (vertices on pixel corners), holes joined by keyholes,
// shoelace sum negative on y-down coordinates, each area starting at its top-most then left-most vertex.
// With `epsilon` 0 the areas give back the mask exactly; above 0 they are simplified so that the
// boundary between white and black pixel centres stays within `epsilon` pixels of them, with as few
// vertices as a close fit allows (ringsimplifier.h). Negative or NaN means exact.
QList<QPolygon> polygonAreas(const QImage &mask, double epsilon = 1.0);

} // namespace tessera::mask
