#pragma once

#include <QImage>
#include <QList>
#include <QPointF>
#include <QPolygonF>
#include <QRectF>
#include <QVector>
#include <QWidget>

#include <vector>

namespace tessera {
class MaskDocument;
}

namespace tessera::ui {

// The mask editor's canvas (PRODUCT.md "Mask editor"): the source image with the mask as a translucent
// overlay, painted with the document's tools. Left button paints, the right button subtracts (erases)
// with every tool. Zoom with Ctrl+wheel (about the cursor) or zoomIn/zoomOut/fitToWindow; pan with the
// wheel, Space+drag or the middle button. Polygon: click vertices, Enter, double-click or a click on the
// first vertex closes, Backspace removes the last vertex, Escape drops it; with the polygon tool the
// vertices of the polygons already drawn can be dragged (MaskDocument::reshape).
//
// Painting is proportional to what changed: a brush segment repaints the widget rectangle of the
// document's changed() rectangle only. The source image is drawn from a pyramid of halved copies (built
// off the GUI thread by buildPyramid) so a zoomed-out view never smooth-scales the full image, and the
// overlay is a zero-copy indexed view of the mask's own bytes, scaled down before it is converted.
class MaskCanvas : public QWidget
{
    Q_OBJECT
public:
    enum class Tool { Brush, Eraser, Rectangle, Lasso, Polygon };
    // What "preview what will be sent" shows instead of the overlay.
    enum class Preview { None, Png, Polygons };

    static constexpr int kMinBrush = 1;
    static constexpr int kMaxBrush = 512;
    static constexpr double kMaxZoom = 32.0;

    // Level 0 is the source (ARGB32_Premultiplied), each next level half the size. Pure; for the pool.
    static std::vector<QImage> buildPyramid(const QImage &source);

    MaskCanvas(MaskDocument &document, std::vector<QImage> pyramid, QWidget *parent = nullptr);

    Tool tool() const { return m_tool; }
    void setTool(Tool tool);
    int brushSize() const { return m_brush; } // diameter in image pixels
    void setBrushSize(int pixels);

    double zoom() const { return m_zoom; }
    bool isFitted() const { return m_fitted; }
    void zoomIn();
    void zoomOut();
    void zoomBy(double factor, QPointF anchor); // anchor in widget coordinates stays put
    void fitToWindow();
    QPointF toImage(QPointF widgetPoint) const;
    QPointF toWidget(QPointF imagePoint) const;
    QRect widgetRect(const QRect &imageRect) const; // covering rectangle, for repaints

    void showPngPreview(const QImage &png); // the decoded PNG that will be sent, drawn opaque
    void showPolygonPreview(const QList<QPolygonF> &rings);
    void clearPreview();
    Preview preview() const { return m_preview; }

    QPolygonF pendingPolygon() const { return m_pending; }
    void closePolygon();
    void cancelPolygon();

    // The widget area the last paint event covered (tests check that a brush segment repaints little).
    QRect lastPaintedRect() const { return m_lastPainted; }
    int paintCount() const { return m_paints; }

signals:
    void toolChanged(tessera::ui::MaskCanvas::Tool tool);
    void brushSizeChanged(int pixels);
    void zoomChanged(double zoom);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;

private:
    enum class Drag { None, Pan, Stroke, Rectangle, Lasso, Vertex };

    void paintImage(QPainter &painter, const QRect &area);
    void paintOverlay(QPainter &painter, const QRect &area);
    void paintSelectionEdge(QPainter &painter, const QImage &shown, QPoint origin);
    void paintGuides(QPainter &painter);
    QRect imageArea(const QRect &widgetArea) const; // image pixels under a widget rectangle
    QRect brushCursorRect(QPointF widgetPoint) const;
    QRect guidesRect() const; // widget area of the pending shape, rubber band and dragged outline
    void setZoomAt(double zoom, QPointF anchor);
    double fitZoom() const;
    void center();
    bool hitFirstVertex(QPointF widgetPoint) const;
    // The polygon shape and vertex under a widget point, for dragging.
    std::pair<int, int> vertexAt(QPointF widgetPoint) const;
    void updateCursor();
    bool erasing(Qt::MouseButton button) const;

    MaskDocument &m_document;
    std::vector<QImage> m_pyramid;
    QVector<QRgb> m_overlayColors;

    Tool m_tool = Tool::Brush;
    int m_brush = 48;
    double m_zoom = 1.0;
    QPointF m_origin; // widget position of the image's top-left corner
    bool m_fitted = true;

    Preview m_preview = Preview::None;
    QImage m_previewPng;
    QList<QPolygonF> m_previewRings;

    Drag m_drag = Drag::None;
    Qt::MouseButton m_dragButton = Qt::NoButton;
    bool m_spaceHeld = false;
    QPointF m_dragStart; // image coordinates (widget coordinates for a pan)
    QPointF m_lastPoint;
    int m_stroke = 0;
    QPolygonF m_lasso;
    QPolygonF m_pending; // polygon being clicked, image coordinates
    bool m_pendingErase = false;
    QPointF m_hover; // widget coordinates of the mouse, when it is over the canvas
    bool m_hovering = false;
    int m_dragShape = -1;
    int m_dragVertex = -1;
    QPolygonF m_dragOutline;
    QRect m_guides; // widget area of the guides painted last, to erase them
    QRect m_lastPainted;
    int m_paints = 0;
};

} // namespace tessera::ui
