#pragma once

// Shared by the canvas's input (maskcanvas.cpp) and painting (maskcanvaspaint.cpp).
#include <QColor>
#include <QPointF>
#include <QRectF>

namespace tessera::ui::canvas {

inline constexpr double kZoomStep = 1.25;
inline constexpr double kHandleRadius = 5.0; // widget pixels
inline constexpr double kHitRadius = 8.0;
inline const QColor kOverlay {255, 40, 120, 120}; // translucent magenta: visible on photos and on black
inline const QColor kGuide {255, 255, 255};
inline const QColor kGuideShadow {0, 0, 0, 160};
inline const QColor kPreviewLine {0, 220, 255};

inline QRectF normalizedRect(QPointF a, QPointF b)
{
    return QRectF(a, b).normalized();
}

} // namespace tessera::ui::canvas
