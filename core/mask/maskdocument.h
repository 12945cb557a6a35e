#pragma once

#include "model/result.h"

#include <QByteArray>
#include <QImage>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QPolygonF>
#include <QRect>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QUndoStack>

#include <cstddef>

namespace tessera {

struct MaskChanges;

// A vector shape the user drew; kept so the editor can show its outline and let its vertices be dragged.
struct MaskShape
{
    enum class Kind { Rectangle, Lasso, Polygon };
    Kind kind = Kind::Rectangle;
    QPolygonF points; // a rectangle as its four corners, clockwise from the top-left
    bool erase = false;

    friend bool operator==(const MaskShape &, const MaskShape &) = default;
};

// The vary-region mask being edited (PRODUCT.md "Mask editor", ARCHITECTURE.md "Masks"): an opaque
// Format_Grayscale8 raster at the source image's pixel size holding only 0 (keep) and 255 (regenerate),
// the vector shapes drawn, and an undo stack. Geometry follows the pixel-centre rule: a pixel belongs to a
// shape when its centre (x + ½, y + ½) lies inside it (on the edge for a brush; half-open for fills).
//
// Because the raster is binary, every command stores only which pixels it flipped, one bit per pixel in
// 64×64 tiles that hold at least one change (a long curved stroke keeps the tiles along its path, not its
// bounding box); undo and redo are the same flip and restore exactly. Invert stores no pixels at all.
class MaskDocument : public QObject
{
    Q_OBJECT

public:
    enum class Mode { Paint, Erase };

    explicit MaskDocument(QSize imageSize, QObject *parent = nullptr);
    ~MaskDocument() override;

    QSize size() const { return m_mask.size(); }
    const QImage &mask() const { return m_mask; }
    const QList<MaskShape> &shapes() const { return m_shapes; }
    QUndoStack *undoStack() { return &m_undo; }

    qint64 selectedPixels() const { return m_selected; }
    double coverage() const;
    // Bytes held by the undo history (the packed change bits of every command).
    std::size_t undoBytes() const;

    // Brush and eraser: a round brush of `diameter` pixels swept from `from` to `to`. Segments pushed with
    // the same stroke id (from beginStroke()) merge into one undo step.
    int beginStroke();
    void strokeSegment(int strokeId, QPointF from, QPointF to, double diameter, Mode mode = Mode::Paint);

    void rectangle(const QRectF &rect, Mode mode = Mode::Paint);
    void lasso(const QPolygonF &points, Mode mode = Mode::Paint);
    void polygon(const QPolygonF &vertices, Mode mode = Mode::Paint);
    // Moves the outline of shapes()[index] (a vertex dragged in the editor). The shape's own pixels move
    // with it: pixels inside the new outline take the shape's value (selected for a painted shape, kept
    // for an erased one), pixels that were only inside the old outline take the opposite value, and the
    // rest of the mask is untouched. One undo step.
    void reshape(int index, const QPolygonF &points);
    // Inverts the raster; the shapes swap paint and erase so they keep describing what the raster shows.
    void invert();
    void clear();

    // Replaces the mask (e.g. the last mask re-applied to a child image). `mask` must have this size; it
    // is thresholded at 128. `undoText` names the step ("Import mask").
    void replace(const QImage &mask, const QString &undoText = {});

    // Decodes a mask PNG of any size and fits it to the image (mask::fit). The value says whether it had to
    // be scaled; `notice()` then carries the words for the user.
    Result<bool> importPng(const QByteArray &png);

Q_SIGNALS:
    // The pixels inside `rect` (their tight bounding rectangle) changed: repaint only that.
    void changed(const QRect &rect);
    void shapesChanged();
    void notice(const QString &message);

private:
    friend class MaskCommand;

    void pushFill(MaskShape shape);
    void replaceWith(const QImage &next, const QString &text);
    // Flips the pixels whose bits are set; adjusts the coverage count and emits changed().
    void applyXor(const MaskChanges &changes);
    void applyInvert();

    QImage m_mask;
    QList<MaskShape> m_shapes;
    qint64 m_selected = 0;
    int m_nextStroke = 1;
    QUndoStack m_undo;
};

} // namespace tessera
