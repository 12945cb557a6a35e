// The canvas's painting: the source from its pyramid, the mask overlay, the preview, and the guides
// (shapes' handles, rubber band, lasso, polygon being clicked, brush outline).
#include "mask/maskdocument.h"
#include "maskcanvas.h"
#include "maskcanvas_p.h"

#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>

namespace tessera::ui {

using namespace canvas;

namespace {

// A cosmetic two-tone line: visible on any image.
void strokeGuide(QPainter &painter, const QPainterPath &path, const QColor &colour = kGuide)
{
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(kGuideShadow, 3.0));
    painter.drawPath(path);
    painter.setPen(QPen(colour, 1.0));
    painter.drawPath(path);
}

} // namespace

// --- preview ----------------------------------------------------------------------------------------

void MaskCanvas::showPngPreview(const QImage &png)
{
    m_preview = Preview::Png;
    m_previewPng = png;
    m_previewRings.clear();
    update();
}

void MaskCanvas::showPolygonPreview(const QList<QPolygonF> &rings)
{
    m_preview = Preview::Polygons;
    m_previewRings = rings;
    m_previewPng = {};
    update();
}

void MaskCanvas::clearPreview()
{
    if (m_preview == Preview::None)
        return;
    m_preview = Preview::None;
    m_previewPng = {};
    m_previewRings.clear();
    update();
}

// --- painting ---------------------------------------------------------------------------------------

void MaskCanvas::paintEvent(QPaintEvent *event)
{
    QPainter painter(this);
    m_lastPainted = event->rect();
    ++m_paints;
    for (const QRect &area : event->region()) {
        painter.fillRect(area, palette().color(QPalette::Dark));
        paintImage(painter, area);
        if (m_preview == Preview::None)
            paintOverlay(painter, area);
    }
    paintGuides(painter);
}

void MaskCanvas::paintImage(QPainter &painter, const QRect &area)
{
    const QRect pixels = imageArea(area);
    if (pixels.isEmpty() || m_pyramid.empty())
        return;
    const QRectF target(toWidget(QPointF(pixels.topLeft())),
                        QSizeF(pixels.width() * m_zoom, pixels.height() * m_zoom));
    if (m_preview == Preview::Png && !m_previewPng.isNull()) {
        painter.drawImage(target, m_previewPng, QRectF(pixels));
        return;
    }
    // The level just larger than what the screen shows: never more than twice the pixels drawn.
    std::size_t level = 0;
    while (level + 1 < m_pyramid.size() && m_zoom * double(1 << (level + 1)) <= 1.0)
        ++level;
    const QImage &image = m_pyramid[level];
    const double scale = double(image.width()) / m_document.size().width();
    const double scaleY = double(image.height()) / m_document.size().height();
    const QRectF source(pixels.left() * scale, pixels.top() * scaleY, pixels.width() * scale,
                        pixels.height() * scaleY);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, m_zoom < 2.0);
    painter.drawImage(target, image, source);
}

void MaskCanvas::paintOverlay(QPainter &painter, const QRect &area)
{
    const QRect pixels = imageArea(area);
    if (pixels.isEmpty())
        return;
    const QImage &mask = m_document.mask();
    // A view of the mask's own bytes as an indexed image: 0 is transparent, 255 the overlay colour.
    QImage view(mask.constScanLine(pixels.top()) + pixels.left(), pixels.width(), pixels.height(),
                mask.bytesPerLine(), QImage::Format_Indexed8);
    view.setColorTable(m_overlayColors);
    const QRectF target(toWidget(QPointF(pixels.topLeft())),
                        QSizeF(pixels.width() * m_zoom, pixels.height() * m_zoom));
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    // At screen resolution (still indexed, one byte per pixel), so only the pixels shown are converted
    // and the edge below is one screen pixel wide at any zoom.
    const QSize shown = target.size().toSize().expandedTo(QSize(1, 1));
    const QImage onScreen = view.scaled(shown, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    painter.drawImage(target, onScreen);
    paintSelectionEdge(painter, onScreen, target.topLeft().toPoint());
}

void MaskCanvas::paintSelectionEdge(QPainter &painter, const QImage &shown, QPoint origin)
{
    // A dotted black-and-white line along the selection's edge, so that it shows on any picture (the
    // translucent overlay alone vanishes on a magenta or a busy image).
    static const QVector<QRgb> colours {0u, qRgb(0, 0, 0), qRgb(255, 255, 255)};
    const int w = shown.width();
    const int h = shown.height();
    QImage edge(w, h, QImage::Format_Indexed8);
    edge.setColorTable(colours);
    bool any = false;
    for (int y = 0; y < h; ++y) {
        const uchar *row = shown.constScanLine(y);
        const uchar *above = y > 0 ? shown.constScanLine(y - 1) : nullptr;
        const uchar *below = y + 1 < h ? shown.constScanLine(y + 1) : nullptr;
        uchar *out = edge.scanLine(y);
        for (int x = 0; x < w; ++x) {
            const uchar v = row[x];
            const bool border = v != 0
                && ((x > 0 && row[x - 1] == 0) || (x + 1 < w && row[x + 1] == 0) || (above && above[x] == 0)
                    || (below && below[x] == 0));
            out[x] = border ? uchar(((origin.x() + x + origin.y() + y) / 3) % 2 + 1) : uchar(0);
            any = any || border;
        }
    }
    if (any)
        painter.drawImage(origin, edge);
}

QRect MaskCanvas::guidesRect() const
{
    QRectF r;
    auto add = [&](const QPolygonF &points) {
        for (const QPointF &p : points)
            r |= QRectF(toWidget(p), QSizeF(0.01, 0.01));
    };
    if (m_drag == Drag::Rectangle) {
        const QRectF band = normalizedRect(m_dragStart, toImage(m_hover));
        add(QPolygonF(band));
    }
    if (m_drag == Drag::Lasso)
        add(m_lasso);
    if (!m_pending.isEmpty()) {
        add(m_pending);
        if (m_hovering)
            r |= QRectF(m_hover, QSizeF(0.01, 0.01));
    }
    if (m_drag == Drag::Vertex)
        add(m_dragOutline);
    QRect guides = r.isNull() ? QRect() : r.toAlignedRect().adjusted(-8, -8, 8, 8);
    if (m_hovering && (m_tool == Tool::Brush || m_tool == Tool::Eraser))
        guides |= brushCursorRect(m_hover);
    return guides;
}

void MaskCanvas::paintGuides(QPainter &painter)
{
    painter.setRenderHint(QPainter::Antialiasing, true);
    if (m_preview == Preview::Polygons) {
        QPainterPath path;
        for (const QPolygonF &ring : m_previewRings) {
            QPolygonF shown;
            for (const QPointF &p : ring)
                shown << toWidget(p);
            path.addPolygon(shown);
            path.closeSubpath();
        }
        path.setFillRule(Qt::OddEvenFill);
        painter.fillPath(path, QColor(0, 220, 255, 60));
        strokeGuide(painter, path, kPreviewLine);
        painter.setPen(Qt::NoPen);
        painter.setBrush(kPreviewLine);
        for (const QPolygonF &ring : m_previewRings) {
            for (const QPointF &p : ring)
                painter.drawEllipse(toWidget(p), 2.0, 2.0);
        }
    }
    if (m_preview == Preview::None && m_tool == Tool::Polygon) {
        // The polygons drawn so far, with handles: their vertices can be dragged.
        const QList<MaskShape> &shapes = m_document.shapes();
        for (int i = 0; i < shapes.size(); ++i) {
            if (shapes[i].kind != MaskShape::Kind::Polygon)
                continue;
            const QPolygonF &points
                = (m_drag == Drag::Vertex && i == m_dragShape) ? m_dragOutline : shapes[i].points;
            QPolygonF shown;
            for (const QPointF &p : points)
                shown << toWidget(p);
            QPainterPath path;
            path.addPolygon(shown);
            path.closeSubpath();
            strokeGuide(painter, path);
            for (const QPointF &p : shown) {
                painter.setPen(QPen(kGuideShadow, 1.0));
                painter.setBrush(shapes[i].erase ? QColor(Qt::black) : kGuide);
                painter.drawRect(QRectF(p.x() - kHandleRadius / 1.5, p.y() - kHandleRadius / 1.5,
                                        kHandleRadius * 4 / 3, kHandleRadius * 4 / 3));
            }
        }
    }
    if (m_drag == Drag::Rectangle) {
        QPainterPath path;
        path.addRect(QRectF(toWidget(normalizedRect(m_dragStart, toImage(m_hover)).topLeft()),
                            toWidget(normalizedRect(m_dragStart, toImage(m_hover)).bottomRight())));
        strokeGuide(painter, path);
    }
    if (m_drag == Drag::Lasso && m_lasso.size() > 1) {
        QPainterPath path;
        QPolygonF shown;
        for (const QPointF &p : m_lasso)
            shown << toWidget(p);
        path.addPolygon(shown);
        strokeGuide(painter, path);
    }
    if (!m_pending.isEmpty()) {
        QPolygonF shown;
        for (const QPointF &p : m_pending)
            shown << toWidget(p);
        if (m_hovering)
            shown << m_hover;
        QPainterPath path;
        path.addPolygon(shown);
        strokeGuide(painter, path);
        painter.setPen(QPen(kGuideShadow, 1.0));
        painter.setBrush(kGuide);
        for (int i = 0; i < m_pending.size(); ++i) {
            const double r = i == 0 ? kHandleRadius : kHandleRadius / 1.5;
            painter.drawEllipse(toWidget(m_pending[i]), r, r);
        }
    }
    if (m_hovering && m_drag != Drag::Pan && (m_tool == Tool::Brush || m_tool == Tool::Eraser)
        && m_preview == Preview::None && !m_spaceHeld) {
        const double r = m_brush * m_zoom / 2.0;
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(kGuideShadow, 3.0));
        painter.drawEllipse(m_hover, r, r);
        painter.setPen(QPen(m_tool == Tool::Eraser ? QColor(Qt::black) : kGuide, 1.0));
        painter.drawEllipse(m_hover, r, r);
    }
    m_guides = guidesRect();
}

QRect MaskCanvas::brushCursorRect(QPointF widgetPoint) const
{
    const double r = m_brush * m_zoom / 2.0 + 3.0;
    return QRectF(widgetPoint.x() - r, widgetPoint.y() - r, 2 * r, 2 * r).toAlignedRect();
}

} // namespace tessera::ui
