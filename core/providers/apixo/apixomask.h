#pragma once

#include <QImage>
#include <QJsonArray>
#include <QJsonObject>

// apixo's upload-paint mask as polygon areas (PROVIDERS.md §2 "Masks for upload-paint"): the geometry
// of mask::polygonAreas in the vendor's JSON. Pure; used by the adapter, the mask editor's preview and
// `tessera-cli mask export --format polygons`.
namespace tessera::apixo {

// [{"width": W, "height": H, "points": [x1, y1, x2, y2, ...]}, ...], one entry per white area.
QJsonArray maskAreas(const QImage &mask, double epsilon = 1.0);

// What `mask export --format polygons` prints and upload-paint takes beside the prompt:
// {"mask": {"areas": [...]}, "canvas": {"width", "height"}, "imgPos": {"width", "height", "x": 0, "y": 0}}.
QJsonObject maskPayload(const QImage &mask, double epsilon = 1.0);

} // namespace tessera::apixo
