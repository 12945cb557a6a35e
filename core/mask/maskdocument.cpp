#include "maskdocument.h"

#include "maskexport.h"

#include <QBuffer>
#include <QImageReader>
#include <QUndoCommand>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <utility>
#include <vector>

namespace tessera {

// The pixels one command flips: bits in 64×64 tiles keyed by (tile row << 16 | tile column), and the tight
// bounding rectangle of the flipped pixels for changed().
struct MaskChanges
{
    static constexpr int kTile = 64;
    static constexpr int kRowBytes = kTile / 8;
    using Tile = std::array<uchar, kTile * kRowBytes>;

    QRect rect;
    std::map<quint32, Tile> tiles;

    static quint32 key(int tileX, int tileY) { return (quint32(tileY) << 16) | quint32(tileX); }

    // Bytes held, counting a map node's bookkeeping.
    std::size_t bytes() const { return tiles.size() * (sizeof(Tile) + 48); }

    void merge(const MaskChanges &other)
    {
        rect |= other.rect;
        for (const auto &[key, bits] : other.tiles) {
            auto [it, inserted] = tiles.try_emplace(key, bits);
            if (!inserted) {
                for (std::size_t i = 0; i < bits.size(); ++i)
                    it->second[i] ^= bits[i];
            }
        }
    }
};

namespace {

// Collects the pixels an operation would change over a candidate area (clipped to the image), then packs
// them into tiles, so a command holds nothing but the changed region.
class DiffBuilder
{
public:
    DiffBuilder(const QImage &mask, const QRect &area, uchar target)
        : m_mask(mask)
        , m_area(area & mask.rect())
        , m_target(target)
        , m_flags(std::size_t(std::max(0, m_area.width()) * std::max(0, m_area.height())), 0)
    { }

    const QRect &area() const { return m_area; }

    // Marks pixel (x, y) when its value differs from the target; x and y lie inside area().
    void touch(int x, int y)
    {
        if (m_mask.constScanLine(y)[x] != m_target)
            mark(x, y);
    }

    // Marks pixel (x, y) as changed whatever its value.
    void mark(int x, int y)
    {
        m_flags[std::size_t((y - m_area.top()) * m_area.width() + (x - m_area.left()))] = 1;
        m_left = std::min(m_left, x);
        m_right = std::max(m_right, x);
        m_top = std::min(m_top, y);
        m_bottom = std::max(m_bottom, y);
    }

    // Pixels with centres x + ½ in [left, right) on row y.
    void touchSpan(int y, double left, double right)
    {
        const auto [from, to] = columns(m_area, left, right);
        for (int x = from; x <= to; ++x)
            touch(x, y);
    }

    // The columns of `area` whose pixel centres x + ½ lie in [left, right).
    static std::pair<int, int> columns(const QRect &area, double left, double right)
    {
        // Clamped in double first: a far-off vertex must not overflow int.
        const double low = area.left() - 1.0;
        const double high = area.right() + 2.0;
        return {std::max(area.left(), int(std::ceil(std::clamp(left - 0.5, low, high)))),
                std::min(area.right(), int(std::ceil(std::clamp(right - 0.5, low, high))) - 1)};
    }

    QRect tight() const
    {
        return m_left <= m_right ? QRect(QPoint(m_left, m_top), QPoint(m_right, m_bottom)) : QRect();
    }

    MaskChanges pack() const
    {
        MaskChanges changes;
        const QRect tightRect = tight();
        changes.rect = tightRect;
        if (tightRect.isEmpty())
            return changes;
        constexpr int kTile = MaskChanges::kTile;
        for (int ty = tightRect.top() / kTile; ty <= tightRect.bottom() / kTile; ++ty) {
            for (int tx = tightRect.left() / kTile; tx <= tightRect.right() / kTile; ++tx) {
                const QRect cell = QRect(tx * kTile, ty * kTile, kTile, kTile) & tightRect;
                MaskChanges::Tile *tile = nullptr;
                for (int y = cell.top(); y <= cell.bottom(); ++y) {
                    const uchar *flags = m_flags.data() + (y - m_area.top()) * m_area.width();
                    for (int x = cell.left(); x <= cell.right(); ++x) {
                        if (!flags[x - m_area.left()])
                            continue;
                        if (!tile)
                            tile = &changes.tiles.try_emplace(MaskChanges::key(tx, ty)).first->second;
                        const int c = x - tx * kTile;
                        (*tile)[std::size_t((y - ty * kTile) * MaskChanges::kRowBytes + c / 8)]
                            |= uchar(1u << (c % 8));
                    }
                }
            }
        }
        return changes;
    }

private:
    const QImage &m_mask;
    QRect m_area;
    uchar m_target;
    std::vector<uchar> m_flags;
    int m_left = std::numeric_limits<int>::max();
    int m_right = std::numeric_limits<int>::min();
    int m_top = std::numeric_limits<int>::max();
    int m_bottom = std::numeric_limits<int>::min();
};

// Calls span(y, left, right) for each row of `area` and each run of pixel centres x + ½ in [left, right)
// inside `points`. Non-zero winding, so a lasso that loops over itself fills every loop. Edges are
// half-open in y, which keeps shared vertices from being counted twice.
template<typename Span> void scanPolygon(const QRect &area, const QPolygonF &points, Span &&span)
{
    const int n = int(points.size());
    if (n < 3)
        return;
    std::vector<std::pair<double, int>> crossings;
    for (int y = area.top(); y <= area.bottom(); ++y) {
        const double cy = y + 0.5;
        crossings.clear();
        for (int i = 0; i < n; ++i) {
            const QPointF a = points[i];
            const QPointF b = points[(i + 1) % n];
            int direction = 0;
            if (a.y() <= cy && cy < b.y())
                direction = 1;
            else if (b.y() <= cy && cy < a.y())
                direction = -1;
            if (direction != 0)
                crossings.emplace_back(a.x() + (cy - a.y()) * (b.x() - a.x()) / (b.y() - a.y()), direction);
        }
        std::sort(crossings.begin(), crossings.end());
        int winding = 0;
        for (std::size_t i = 0; i + 1 < crossings.size(); ++i) {
            winding += crossings[i].second;
            if (winding != 0)
                span(y, crossings[i].first, crossings[i + 1].first);
        }
    }
}

void fillPolygon(DiffBuilder &diff, const QPolygonF &points)
{
    scanPolygon(diff.area(), points,
                [&diff](int y, double left, double right) { diff.touchSpan(y, left, right); });
}

// Whole pixels around a floating rectangle; far-off coordinates are clamped so they cannot overflow int
// (the area is clipped to the image afterwards anyway).
QRect pixelBounds(const QRectF &r)
{
    static constexpr double limit = 1 << 24;
    auto low = [](double v) { return int(std::clamp(std::floor(v), -limit, limit)); };
    auto high = [](double v) { return int(std::clamp(std::ceil(v), -limit, limit)); };
    return QRect(QPoint(low(r.left()), low(r.top())), QPoint(high(r.right()), high(r.bottom())));
}

QImage thresholded(const QImage &image)
{
    QImage gray = image.convertToFormat(QImage::Format_Grayscale8);
    for (int y = 0; y < gray.height(); ++y) {
        uchar *row = gray.scanLine(y);
        for (int x = 0; x < gray.width(); ++x)
            row[x] = row[x] >= 128 ? 255 : 0;
    }
    return gray;
}

} // namespace

// One user action: the pixels it flips (or a whole-image inversion, which needs none) and its effect on the
// shape list. Redo and undo are the same flip.
class MaskCommand : public QUndoCommand
{
public:
    MaskCommand(MaskDocument *document, const QString &text)
        : QUndoCommand(text)
        , m_document(document)
    { }

    MaskChanges changes;
    bool invert = false;
    int strokeId = 0;
    bool addsShape = false;
    MaskShape shape;
    bool clearsShapes = false;
    QList<MaskShape> shapesBefore;
    int reshapeIndex = -1; // a shape whose vertices moved: from `pointsBefore` to `shape.points`
    QPolygonF pointsBefore;

    std::size_t bytes() const
    {
        return sizeof(*this) + changes.bytes() + std::size_t(shapesBefore.size()) * sizeof(MaskShape);
    }

    int id() const override { return strokeId != 0 ? 1 : -1; }

    // Consecutive segments of one stroke: both are already applied, so the combined change is the XOR of
    // the two, tile by tile; the cost is the new segment's tiles, not the stroke's bounding box.
    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *next = static_cast<const MaskCommand *>(other);
        if (next->strokeId != strokeId)
            return false;
        changes.merge(next->changes);
        return true;
    }

    void redo() override { apply(true); }
    void undo() override { apply(false); }

private:
    void apply(bool forward)
    {
        bool shapes = false;
        if (invert) {
            m_document->applyInvert();
            // A painted shape now marks kept pixels and an erased one selected pixels: keep the shapes
            // meaning what the raster shows, so that dragging a vertex later moves the right edge.
            for (MaskShape &s : m_document->m_shapes)
                s.erase = !s.erase;
            shapes = !m_document->m_shapes.isEmpty();
        } else if (!changes.tiles.empty()) {
            m_document->applyXor(changes);
        }
        if (reshapeIndex >= 0 && reshapeIndex < m_document->m_shapes.size()) {
            m_document->m_shapes[reshapeIndex].points = forward ? shape.points : pointsBefore;
            shapes = true;
        }
        if (addsShape) {
            if (forward)
                m_document->m_shapes.append(shape);
            else
                m_document->m_shapes.removeLast();
            shapes = true;
        }
        if (clearsShapes) {
            m_document->m_shapes = forward ? QList<MaskShape>() : shapesBefore;
            shapes = shapes || !shapesBefore.isEmpty();
        }
        if (shapes)
            Q_EMIT m_document->shapesChanged();
    }

    MaskDocument *m_document;
};

MaskDocument::MaskDocument(QSize imageSize, QObject *parent)
    : QObject(parent)
    , m_mask(imageSize, QImage::Format_Grayscale8)
{
    m_mask.fill(0);
}

MaskDocument::~MaskDocument() = default;

double MaskDocument::coverage() const
{
    const qint64 total = qint64(m_mask.width()) * m_mask.height();
    return total > 0 ? double(m_selected) / double(total) : 0.0;
}

std::size_t MaskDocument::undoBytes() const
{
    std::size_t sum = 0;
    for (int i = 0; i < m_undo.count(); ++i)
        sum += static_cast<const MaskCommand *>(m_undo.command(i))->bytes();
    return sum;
}

int MaskDocument::beginStroke()
{
    return m_nextStroke++;
}

void MaskDocument::strokeSegment(int strokeId, QPointF from, QPointF to, double diameter, Mode mode)
{
    const double radius = std::max(diameter, 1.0) / 2.0;
    const QRectF reach = QRectF(from, to).normalized().adjusted(-radius, -radius, radius, radius);
    DiffBuilder diff(m_mask, pixelBounds(reach), mode == Mode::Paint ? 255 : 0);
    // Pixel centres within `radius` of the segment: a capsule, a disc when from == to.
    const double dx = to.x() - from.x();
    const double dy = to.y() - from.y();
    const double length2 = dx * dx + dy * dy;
    const double radius2 = radius * radius;
    for (int y = diff.area().top(); y <= diff.area().bottom(); ++y) {
        for (int x = diff.area().left(); x <= diff.area().right(); ++x) {
            const double px = x + 0.5 - from.x();
            const double py = y + 0.5 - from.y();
            const double t = length2 > 0 ? std::clamp((px * dx + py * dy) / length2, 0.0, 1.0) : 0.0;
            const double ex = px - t * dx;
            const double ey = py - t * dy;
            if (ex * ex + ey * ey <= radius2)
                diff.touch(x, y);
        }
    }
    if (diff.tight().isEmpty())
        return;
    auto *command = new MaskCommand(this, mode == Mode::Paint ? tr("Brush") : tr("Eraser"));
    command->changes = diff.pack();
    command->strokeId = strokeId;
    m_undo.push(command);
}

void MaskDocument::rectangle(const QRectF &rect, Mode mode)
{
    const QRectF r = rect.normalized();
    pushFill({MaskShape::Kind::Rectangle,
              QPolygonF({r.topLeft(), r.topRight(), r.bottomRight(), r.bottomLeft()}), mode == Mode::Erase});
}

void MaskDocument::lasso(const QPolygonF &points, Mode mode)
{
    pushFill({MaskShape::Kind::Lasso, points, mode == Mode::Erase});
}

void MaskDocument::polygon(const QPolygonF &vertices, Mode mode)
{
    pushFill({MaskShape::Kind::Polygon, vertices, mode == Mode::Erase});
}

void MaskDocument::reshape(int index, const QPolygonF &points)
{
    if (index < 0 || index >= m_shapes.size() || points.size() < 3)
        return;
    const MaskShape &old = m_shapes.at(index);
    if (old.points == points)
        return;
    // The shape's own pixels move with it: pixels inside the new outline take the shape's value, pixels
    // only inside the old outline take the opposite one; everything else stays as it is.
    const uchar value = old.erase ? 0 : 255;
    const QRect area = pixelBounds(old.points.boundingRect() | points.boundingRect()) & m_mask.rect();
    std::vector<uchar> inside(std::size_t(std::max(0, area.width()) * std::max(0, area.height())), 0);
    auto mark = [&](const QPolygonF &outline, uchar bit) {
        scanPolygon(area, outline, [&](int y, double left, double right) {
            const auto [from, to] = DiffBuilder::columns(area, left, right);
            uchar *row = inside.data() + std::size_t((y - area.top()) * area.width());
            for (int x = from; x <= to; ++x)
                row[x - area.left()] |= bit;
        });
    };
    mark(old.points, 1);
    mark(points, 2);
    DiffBuilder diff(m_mask, area, value);
    for (int y = area.top(); y <= area.bottom(); ++y) {
        const uchar *row = inside.data() + std::size_t((y - area.top()) * area.width());
        const uchar *pixels = m_mask.constScanLine(y);
        for (int x = area.left(); x <= area.right(); ++x) {
            const uchar in = row[x - area.left()];
            if (in & 2) {
                if (pixels[x] != value)
                    diff.mark(x, y);
            } else if (in == 1 && pixels[x] == value) {
                diff.mark(x, y);
            }
        }
    }
    auto *command = new MaskCommand(this, tr("Move vertex"));
    command->changes = diff.pack();
    command->reshapeIndex = int(index);
    command->pointsBefore = old.points;
    command->shape = old;
    command->shape.points = points;
    m_undo.push(command);
}

void MaskDocument::pushFill(MaskShape shape)
{
    if (shape.points.size() < 3)
        return;
    DiffBuilder diff(m_mask, pixelBounds(shape.points.boundingRect()), shape.erase ? 0 : 255);
    fillPolygon(diff, shape.points);
    static const char *const names[] = {QT_TR_NOOP("Rectangle"), QT_TR_NOOP("Lasso"), QT_TR_NOOP("Polygon")};
    auto *command = new MaskCommand(this, tr(names[int(shape.kind)]));
    command->changes = diff.pack();
    command->addsShape = true;
    command->shape = std::move(shape);
    m_undo.push(command);
}

void MaskDocument::invert()
{
    if (m_mask.isNull())
        return;
    auto *command = new MaskCommand(this, tr("Invert"));
    command->invert = true;
    m_undo.push(command);
}

void MaskDocument::clear()
{
    QImage empty(m_mask.size(), QImage::Format_Grayscale8);
    empty.fill(0);
    replaceWith(empty, tr("Clear"));
}

void MaskDocument::replace(const QImage &mask, const QString &undoText)
{
    if (mask.size() == m_mask.size())
        replaceWith(thresholded(mask), undoText.isEmpty() ? tr("Replace mask") : undoText);
}

// Whole-image changes (clear, import, replace) still store only the tiles holding a flipped pixel.
void MaskDocument::replaceWith(const QImage &next, const QString &text)
{
    DiffBuilder diff(m_mask, m_mask.rect(), 0);
    for (int y = 0; y < m_mask.height(); ++y) {
        const uchar *now = m_mask.constScanLine(y);
        const uchar *then = next.constScanLine(y);
        for (int x = 0; x < m_mask.width(); ++x) {
            if (now[x] != then[x])
                diff.mark(x, y);
        }
    }
    if (diff.tight().isEmpty() && m_shapes.isEmpty())
        return;
    auto *command = new MaskCommand(this, text);
    command->changes = diff.pack();
    command->clearsShapes = true;
    command->shapesBefore = m_shapes;
    m_undo.push(command);
}

Result<bool> MaskDocument::importPng(const QByteArray &png)
{
    QByteArray data = png;
    QBuffer buffer(&data);
    const QSize original = QImageReader(&buffer).size();
    bool scaled = false;
    Result<QImage> fitted = mask::fit(png, m_mask.size(), &scaled);
    if (!fitted)
        return fitted.error();
    replaceWith(*fitted, tr("Import mask"));
    if (scaled) {
        Q_EMIT notice(tr("The mask was %1×%2 pixels; it was scaled to the image's %3×%4.")
                          .arg(original.width())
                          .arg(original.height())
                          .arg(m_mask.width())
                          .arg(m_mask.height()));
    }
    return scaled;
}

void MaskDocument::applyXor(const MaskChanges &changes)
{
    constexpr int kTile = MaskChanges::kTile;
    for (const auto &[key, bits] : changes.tiles) {
        const int left = int(key & 0xffff) * kTile;
        const int top = int(key >> 16) * kTile;
        const int rows = std::min(kTile, m_mask.height() - top);
        for (int r = 0; r < rows; ++r) {
            uchar *pixels = m_mask.scanLine(top + r) + left;
            for (int b = 0; b < MaskChanges::kRowBytes; ++b) {
                const uchar byte = bits[std::size_t(r * MaskChanges::kRowBytes + b)];
                if (byte == 0)
                    continue;
                for (int k = 0; k < 8; ++k) {
                    if ((byte >> k) & 1) {
                        uchar &p = pixels[b * 8 + k];
                        m_selected += p ? -1 : 1;
                        p = p ? 0 : 255;
                    }
                }
            }
        }
    }
    Q_EMIT changed(changes.rect);
}

void MaskDocument::applyInvert()
{
    for (int y = 0; y < m_mask.height(); ++y) {
        uchar *row = m_mask.scanLine(y);
        for (int x = 0; x < m_mask.width(); ++x)
            row[x] = uchar(255 - row[x]);
    }
    m_selected = qint64(m_mask.width()) * m_mask.height() - m_selected;
    Q_EMIT changed(m_mask.rect());
}

} // namespace tessera
