#include "maskcanvas.h"

#include "mask/maskdocument.h"
#include "maskcanvas_p.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace tessera::ui {

using namespace canvas;

std::vector<QImage> MaskCanvas::buildPyramid(const QImage &source)
{
    std::vector<QImage> levels;
    levels.push_back(source.convertToFormat(QImage::Format_ARGB32_Premultiplied));
    while (levels.back().width() > 256 && levels.back().height() > 256) {
        const QImage &last = levels.back();
        levels.push_back(last.scaled(std::max(1, last.width() / 2), std::max(1, last.height() / 2),
                                     Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
    }
    return levels;
}

MaskCanvas::MaskCanvas(MaskDocument &document, std::vector<QImage> pyramid, QWidget *parent)
    : QWidget(parent)
    , m_document(document)
    , m_pyramid(std::move(pyramid))
    , m_overlayColors(256, 0u)
{
    m_overlayColors[255] = qPremultiply(kOverlay.rgba());
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setMinimumSize(200, 160);
    setAccessibleName(tr("Mask canvas"));
    setAccessibleDescription(tr("Paint the region to regenerate"));
    connect(&m_document, &MaskDocument::changed, this, [this](const QRect &rect) {
        if (!rect.isEmpty())
            update(widgetRect(rect));
    });
    connect(&m_document, &MaskDocument::shapesChanged, this, [this] { update(); });
    updateCursor();
}

void MaskCanvas::setTool(Tool tool)
{
    if (tool == m_tool)
        return;
    cancelPolygon();
    m_tool = tool;
    updateCursor();
    update();
    emit toolChanged(tool);
}

void MaskCanvas::setBrushSize(int pixels)
{
    pixels = std::clamp(pixels, kMinBrush, kMaxBrush);
    if (pixels == m_brush)
        return;
    const QRect before = m_hovering ? brushCursorRect(m_hover) : QRect();
    m_brush = pixels;
    if (m_hovering)
        update(before | brushCursorRect(m_hover));
    emit brushSizeChanged(pixels);
}

// --- geometry ---------------------------------------------------------------------------------------

QPointF MaskCanvas::toImage(QPointF widgetPoint) const
{
    return (widgetPoint - m_origin) / m_zoom;
}

QPointF MaskCanvas::toWidget(QPointF imagePoint) const
{
    return imagePoint * m_zoom + m_origin;
}

QRect MaskCanvas::widgetRect(const QRect &imageRect) const
{
    const QRectF r(
        toWidget(QPointF(imageRect.topLeft())),
        toWidget(QPointF(imageRect.left() + imageRect.width(), imageRect.top() + imageRect.height())));
    return r.toAlignedRect().adjusted(-1, -1, 1, 1) & rect();
}

QRect MaskCanvas::imageArea(const QRect &widgetArea) const
{
    const QPointF a = toImage(QPointF(widgetArea.topLeft()));
    const QPointF b
        = toImage(QPointF(widgetArea.left() + widgetArea.width(), widgetArea.top() + widgetArea.height()));
    const QRect covering(QPoint(int(std::floor(a.x())), int(std::floor(a.y()))),
                         QPoint(int(std::ceil(b.x())) - 1, int(std::ceil(b.y())) - 1));
    return covering & QRect(QPoint(0, 0), m_document.size());
}

double MaskCanvas::fitZoom() const
{
    const QSize image = m_document.size();
    if (image.isEmpty() || width() <= 0 || height() <= 0)
        return 1.0;
    return std::min(width() / double(image.width()), height() / double(image.height()));
}

void MaskCanvas::center()
{
    const QSizeF shown = QSizeF(m_document.size()) * m_zoom;
    m_origin = QPointF((width() - shown.width()) / 2.0, (height() - shown.height()) / 2.0);
}

void MaskCanvas::fitToWindow()
{
    m_fitted = true;
    m_zoom = fitZoom();
    center();
    update();
    emit zoomChanged(m_zoom);
}

void MaskCanvas::zoomIn()
{
    zoomBy(kZoomStep, QPointF(width() / 2.0, height() / 2.0));
}

void MaskCanvas::zoomOut()
{
    zoomBy(1.0 / kZoomStep, QPointF(width() / 2.0, height() / 2.0));
}

void MaskCanvas::zoomBy(double factor, QPointF anchor)
{
    setZoomAt(m_zoom * factor, anchor);
}

void MaskCanvas::setZoomAt(double zoom, QPointF anchor)
{
    // Out to a tenth of the fitted size (or 5 %), in to 32 screen pixels per image pixel.
    const double lowest = std::min(0.05, fitZoom() / 10.0);
    zoom = std::clamp(zoom, lowest, kMaxZoom);
    if (std::abs(zoom - m_zoom) < 1e-9)
        return;
    const QPointF fixed = toImage(anchor);
    m_zoom = zoom;
    m_origin = anchor - fixed * m_zoom;
    m_fitted = false;
    update();
    emit zoomChanged(m_zoom);
}

void MaskCanvas::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_fitted)
        fitToWindow();
}

// --- input ------------------------------------------------------------------------------------------

bool MaskCanvas::erasing(Qt::MouseButton button) const
{
    return (m_tool == Tool::Eraser) != (button == Qt::RightButton);
}

bool MaskCanvas::hitFirstVertex(QPointF widgetPoint) const
{
    if (m_pending.size() < 3)
        return false;
    const QPointF d = toWidget(m_pending.first()) - widgetPoint;
    return std::hypot(d.x(), d.y()) <= kHitRadius;
}

std::pair<int, int> MaskCanvas::vertexAt(QPointF widgetPoint) const
{
    const QList<MaskShape> &shapes = m_document.shapes();
    for (int i = int(shapes.size()) - 1; i >= 0; --i) {
        if (shapes[i].kind != MaskShape::Kind::Polygon)
            continue;
        for (int v = 0; v < shapes[i].points.size(); ++v) {
            const QPointF d = toWidget(shapes[i].points[v]) - widgetPoint;
            if (std::hypot(d.x(), d.y()) <= kHitRadius)
                return {i, v};
        }
    }
    return {-1, -1};
}

void MaskCanvas::mousePressEvent(QMouseEvent *event)
{
    const QPointF at = event->position();
    m_hover = at;
    m_hovering = true;
    if (m_drag != Drag::None)
        return;
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceHeld)) {
        m_drag = Drag::Pan;
        m_dragButton = event->button();
        m_dragStart = at;
        updateCursor();
        return;
    }
    if (m_preview != Preview::None
        || (event->button() != Qt::LeftButton && event->button() != Qt::RightButton))
        return;
    const QPointF image = toImage(at);
    m_dragButton = event->button();
    switch (m_tool) {
    case Tool::Brush:
    case Tool::Eraser:
        m_drag = Drag::Stroke;
        m_stroke = m_document.beginStroke();
        m_lastPoint = image;
        m_document.strokeSegment(m_stroke, image, image, m_brush,
                                 erasing(event->button()) ? MaskDocument::Mode::Erase
                                                          : MaskDocument::Mode::Paint);
        break;
    case Tool::Rectangle:
        m_drag = Drag::Rectangle;
        m_dragStart = image;
        break;
    case Tool::Lasso:
        m_drag = Drag::Lasso;
        m_lasso = QPolygonF({image});
        break;
    case Tool::Polygon: {
        if (m_pending.isEmpty()) {
            if (const auto [shape, vertex] = vertexAt(at); shape >= 0 && event->button() == Qt::LeftButton) {
                m_drag = Drag::Vertex;
                m_dragShape = shape;
                m_dragVertex = vertex;
                m_dragOutline = m_document.shapes().at(shape).points;
                updateCursor();
                break;
            }
            m_pendingErase = event->button() == Qt::RightButton;
        }
        if (hitFirstVertex(at)) {
            closePolygon();
            break;
        }
        m_pending << image;
        break;
    }
    }
    update(m_guides | guidesRect());
}

void MaskCanvas::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF at = event->position();
    const QRect before = m_guides;
    m_hover = at;
    m_hovering = true;
    const QPointF image = toImage(at);
    switch (m_drag) {
    case Drag::Pan:
        m_origin += at - m_dragStart;
        m_dragStart = at;
        m_fitted = false;
        update();
        return;
    case Drag::Stroke:
        m_document.strokeSegment(m_stroke, m_lastPoint, image, m_brush,
                                 erasing(m_dragButton) ? MaskDocument::Mode::Erase
                                                       : MaskDocument::Mode::Paint);
        m_lastPoint = image;
        break;
    case Drag::Lasso: {
        // A point per screen pixel moved is plenty; the lasso stays small.
        const QPointF d = toWidget(m_lasso.last()) - at;
        if (std::abs(d.x()) + std::abs(d.y()) >= 1.0)
            m_lasso << image;
        break;
    }
    case Drag::Vertex:
        m_dragOutline[m_dragVertex] = image;
        break;
    case Drag::Rectangle:
    case Drag::None:
        break;
    }
    if (m_drag == Drag::None && m_tool == Tool::Polygon)
        updateCursor();
    const QRect after = guidesRect();
    if (!(before | after).isEmpty())
        update(before | after);
}

void MaskCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != m_dragButton || m_drag == Drag::None)
        return;
    const QPointF image = toImage(event->position());
    const QRect before = m_guides;
    const Drag drag = m_drag;
    m_drag = Drag::None;
    const auto mode = erasing(m_dragButton) ? MaskDocument::Mode::Erase : MaskDocument::Mode::Paint;
    switch (drag) {
    case Drag::Rectangle:
        if (normalizedRect(m_dragStart, image).isValid())
            m_document.rectangle(normalizedRect(m_dragStart, image), mode);
        break;
    case Drag::Lasso:
        m_lasso << image;
        m_document.lasso(m_lasso, mode);
        m_lasso.clear();
        break;
    case Drag::Vertex: {
        const QPolygonF outline = m_dragOutline;
        m_dragOutline.clear();
        m_document.reshape(m_dragShape, outline);
        m_dragShape = m_dragVertex = -1;
        break;
    }
    case Drag::Stroke:
    case Drag::Pan:
    case Drag::None:
        break;
    }
    m_dragButton = Qt::NoButton;
    updateCursor();
    update(before | guidesRect());
}

void MaskCanvas::mouseDoubleClickEvent(QMouseEvent *event)
{
    // The double-click's first press already added a vertex at this point.
    if (m_tool == Tool::Polygon && m_pending.size() >= 3) {
        closePolygon();
        return;
    }
    mousePressEvent(event);
}

void MaskCanvas::closePolygon()
{
    if (m_pending.size() >= 3)
        m_document.polygon(m_pending, m_pendingErase ? MaskDocument::Mode::Erase : MaskDocument::Mode::Paint);
    cancelPolygon();
}

void MaskCanvas::cancelPolygon()
{
    if (m_pending.isEmpty())
        return;
    m_pending.clear();
    update();
}

void MaskCanvas::wheelEvent(QWheelEvent *event)
{
    const QPoint steps = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        zoomBy(std::pow(kZoomStep, steps.y() / 120.0), event->position());
    } else {
        const QPoint delta = event->modifiers() & Qt::ShiftModifier ? QPoint(steps.y(), steps.x()) : steps;
        m_origin += QPointF(delta) / 2.0;
        m_fitted = false;
        update();
    }
    event->accept();
}

void MaskCanvas::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Space:
        if (!event->isAutoRepeat()) {
            m_spaceHeld = true;
            updateCursor();
            update(m_guides);
        }
        return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (!m_pending.isEmpty()) {
            closePolygon();
            return;
        }
        break;
    case Qt::Key_Escape:
        if (!m_pending.isEmpty()) {
            cancelPolygon();
            return;
        }
        break;
    case Qt::Key_Backspace:
        if (!m_pending.isEmpty()) {
            m_pending.removeLast();
            update();
            return;
        }
        break;
    default:
        break;
    }
    QWidget::keyPressEvent(event);
}

void MaskCanvas::keyReleaseEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceHeld = false;
        updateCursor();
        return;
    }
    QWidget::keyReleaseEvent(event);
}

void MaskCanvas::leaveEvent(QEvent *event)
{
    QWidget::leaveEvent(event);
    m_hovering = false;
    update(m_guides);
}

void MaskCanvas::focusOutEvent(QFocusEvent *event)
{
    QWidget::focusOutEvent(event);
    m_spaceHeld = false;
    updateCursor();
}

void MaskCanvas::updateCursor()
{
    if (m_drag == Drag::Pan)
        setCursor(Qt::ClosedHandCursor);
    else if (m_spaceHeld)
        setCursor(Qt::OpenHandCursor);
    else if (m_drag == Drag::Vertex
             || (m_tool == Tool::Polygon && m_pending.isEmpty() && m_hovering
                 && vertexAt(m_hover).first >= 0))
        setCursor(Qt::SizeAllCursor);
    else if (m_tool == Tool::Brush || m_tool == Tool::Eraser)
        setCursor(Qt::BlankCursor); // the brush outline is the cursor
    else
        setCursor(Qt::CrossCursor);
}

} // namespace tessera::ui
