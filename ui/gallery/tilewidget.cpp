#include "tilewidget.h"

#include "common/imagecache.h"

#include <QApplication>
#include <QDrag>
#include <QFileInfo>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QUrl>

namespace tessera::ui {

namespace {

// "U3 ✓", "V2 …", "Pan ← ✗": the label and the state.
QString offspringText(const TileWidget::Offspring &o)
{
    const QString mark = o.state == TileWidget::Offspring::State::Done ? QStringLiteral(" ✓")
        : o.state == TileWidget::Offspring::State::Failed              ? QStringLiteral(" ✗")
                                                                       : QStringLiteral(" …");
    return o.label + mark;
}
constexpr int kMargin = 6;
constexpr qreal kRadius = 6.0;
constexpr int kOutline = 3;
} // namespace

TileWidget::TileWidget(int index, ImageCache &cache, QWidget *parent)
    : QWidget(parent)
    , m_index(index)
    , m_cache(cache)
{
    setAttribute(Qt::WA_Hover);
    setMouseTracking(true);
    setFocusPolicy(Qt::NoFocus); // the Gallery keeps the keyboard focus and handles 1–4, U, V...
    QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
    connect(&m_cache, &ImageCache::ready, this, [this](const QString &path) {
        if (path == m_path)
            update();
    });
    updateAccessibleName();
}

void TileWidget::setImage(const QString &path, QSize imageSize)
{
    if (m_path == path && m_imageSize == imageSize && m_placeholder.isEmpty() && !m_video)
        return;
    m_video = false;
    m_path = path;
    m_imageSize = imageSize;
    m_placeholder.clear();
    m_progress = -1;
    updateGeometry();
    updateAccessibleName();
    update();
}

void TileWidget::setVideo(const QString &path, QSize videoSize, const QString &caption)
{
    m_video = true;
    m_path = path;
    m_imageSize = videoSize;
    m_placeholder = caption;
    m_progress = -1;
    updateGeometry();
    updateAccessibleName();
    update();
}

void TileWidget::setPlaceholder(const QString &text, int progress)
{
    m_video = false;
    m_path.clear();
    m_imageSize = QSize(); // the placeholder fills the cell the Gallery gives it
    m_placeholder = text;
    m_progress = progress;
    updateAccessibleName();
    update();
}

void TileWidget::setSelected(bool selected)
{
    if (m_selected == selected)
        return;
    m_selected = selected;
    updateAccessibleName();
    update();
}

void TileWidget::setShowBadge(bool show)
{
    m_showBadge = show;
    update();
}

void TileWidget::setHoverHint(const QString &hint)
{
    m_hoverHint = hint;
    setToolTip(hint);
    update();
}

QSize TileWidget::sizeHint() const
{
    return {320, heightForWidth(320)};
}

QSize TileWidget::minimumSizeHint() const
{
    return {96, 96};
}

int TileWidget::heightForWidth(int width) const
{
    if (!m_imageSize.isValid() || m_imageSize.isEmpty())
        return width;
    return static_cast<int>(qreal(width - 2 * kMargin) * m_imageSize.height() / m_imageSize.width())
        + 2 * kMargin;
}

QRectF TileWidget::imageRect() const
{
    const QRectF area = QRectF(rect()).adjusted(kMargin, kMargin, -kMargin, -kMargin);
    QSizeF size = m_imageSize.isValid() && !m_imageSize.isEmpty() ? QSizeF(m_imageSize) : area.size();
    size.scale(area.size(), Qt::KeepAspectRatio);
    return {area.center().x() - size.width() / 2, area.center().y() - size.height() / 2, size.width(),
            size.height()};
}

void TileWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    const QPalette &pal = palette();
    const QRectF target = imageRect();
    QPainterPath clip;
    clip.addRoundedRect(target, kRadius, kRadius);

    const qreal dpr = devicePixelRatioF();
    const QPixmap pm
        = m_path.isEmpty() || m_video ? QPixmap() : m_cache.pixmap(m_path, (target.size() * dpr).toSize());
    if (m_video) {
        // No decoder for video frames here: a dark poster with a play symbol and the caption.
        p.fillPath(clip, QColor(0x20, 0x22, 0x28));
        const qreal r = std::min(target.width(), target.height()) / 6.0;
        const QPointF c = target.center();
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 60));
        p.drawEllipse(c, r * 1.4, r * 1.4);
        p.setBrush(Qt::white);
        const QPointF triangle[3]
            = {c + QPointF(-r * 0.5, -r * 0.75), c + QPointF(-r * 0.5, r * 0.75), c + QPointF(r * 0.85, 0)};
        p.drawPolygon(triangle, 3);
        p.setPen(QColor(230, 230, 230));
        p.drawText(target.adjusted(12, 12, -12, -12), Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap,
                   m_placeholder);
    } else if (!pm.isNull()) {
        p.save();
        p.setClipPath(clip);
        p.drawPixmap(target, pm, QRectF(pm.rect()));
        p.restore();
    } else {
        // Placeholder: a quiet panel with the state, and a progress line when known.
        p.fillPath(clip, pal.color(QPalette::AlternateBase));
        p.setPen(pal.color(QPalette::PlaceholderText));
        QString text = m_placeholder;
        if (text.isEmpty())
            text = m_path.isEmpty() ? tr("No image") : tr("Loading…");
        p.drawText(target.adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, text);
        if (m_progress >= 0) {
            const QRectF bar(target.left() + 16, target.bottom() - 22, target.width() - 32, 6);
            p.setPen(Qt::NoPen);
            p.setBrush(pal.color(QPalette::Mid));
            p.drawRoundedRect(bar, 3, 3);
            p.setBrush(pal.color(QPalette::Highlight));
            p.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * m_progress / 100.0, bar.height()),
                              3, 3);
        }
    }

    if (m_showBadge && m_index > 0) {
        const QRectF badge(target.left() + 8, target.top() + 8, 24, 24);
        p.setPen(Qt::NoPen);
        p.setBrush(m_selected ? pal.color(QPalette::Highlight) : QColor(0, 0, 0, 150));
        p.drawEllipse(badge);
        p.setPen(m_selected ? pal.color(QPalette::HighlightedText) : QColor(Qt::white));
        QFont f = font();
        f.setBold(true);
        p.setFont(f);
        p.drawText(badge, Qt::AlignCenter, QString::number(m_index));
    }

    // What was made from this image: a pill per task, its state after the label.
    if (!m_offspring.isEmpty()) {
        QFont f = font();
        f.setBold(true);
        p.setFont(f);
        for (const auto &[rect, i] : offspringLayout()) {
            const Offspring &o = m_offspring.at(i);
            const QColor fill = o.state == Offspring::State::Failed ? QColor(0xb0, 0x30, 0x30, 220)
                : o.state == Offspring::State::Done                 ? QColor(0x1e, 0x7a, 0x46, 220)
                                                                    : QColor(0, 0, 0, 170);
            p.setPen(Qt::NoPen);
            p.setBrush(fill);
            p.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2);
            p.setPen(Qt::white);
            p.drawText(rect, Qt::AlignCenter, offspringText(o));
        }
    }

    if (m_hovered && !m_hoverHint.isEmpty() && (!pm.isNull() || m_video)) {
        const QRectF strip(target.left(), target.bottom() - 28, target.width(), 28);
        QPainterPath stripPath;
        stripPath.addRect(strip);
        p.fillPath(stripPath.intersected(clip), QColor(0, 0, 0, 140));
        p.setPen(Qt::white);
        // Never wider than the tile: a small tile shows the start of the hint and an ellipsis.
        p.drawText(strip, Qt::AlignCenter,
                   p.fontMetrics().elidedText(m_hoverHint, Qt::ElideRight, int(strip.width()) - 12));
    }

    if (m_selected) {
        QPen pen(pal.color(QPalette::Highlight), kOutline);
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(
            target.adjusted(-kOutline / 2.0 - 1, -kOutline / 2.0 - 1, kOutline / 2.0 + 1, kOutline / 2.0 + 1),
            kRadius + 2, kRadius + 2);
    }
}

void TileWidget::setOffspring(const QList<Offspring> &offspring)
{
    m_offspring = offspring;
    updateAccessibleName();
    update();
}

QList<QPair<QRectF, int>> TileWidget::offspringLayout() const
{
    QList<QPair<QRectF, int>> placed;
    const QRectF target = imageRect();
    QFont f = font();
    f.setBold(true);
    const QFontMetricsF fm(f);
    const qreal height = fm.height() + 6;
    // Right to left from the image's top-right corner, newest first; the number badge keeps its corner.
    qreal right = target.right() - 8;
    const qreal left = target.left() + (m_showBadge && m_index > 0 ? 40 : 8);
    for (int i = int(m_offspring.size()) - 1; i >= 0; --i) {
        const qreal width = fm.horizontalAdvance(offspringText(m_offspring.at(i))) + 14;
        if (right - width < left)
            break;
        placed.prepend({QRectF(right - width, target.top() + 8, width, height), i});
        right -= width + 4;
    }
    return placed;
}

QRectF TileWidget::offspringRect(const QString &taskId) const
{
    for (const auto &[rect, i] : offspringLayout()) {
        if (m_offspring.at(i).taskId == taskId)
            return rect;
    }
    return {};
}

void TileWidget::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        for (const auto &[rect, i] : offspringLayout()) {
            if (rect.contains(event->position())) {
                const QString id = m_offspring.at(i).taskId; // a copy: opening it replaces the badges
                emit offspringActivated(id);
                return;
            }
        }
        m_pressPos = event->position().toPoint();
        emit clicked(m_index);
    }
    QWidget::mousePressEvent(event);
}

void TileWidget::mouseMoveEvent(QMouseEvent *event)
{
    if (!(event->buttons() & Qt::LeftButton) || m_path.isEmpty())
        return QWidget::mouseMoveEvent(event);
    if ((event->position().toPoint() - m_pressPos).manhattanLength() < QApplication::startDragDistance())
        return;
    // Drag the file itself out: file managers, browsers and editors take it as a copy.
    auto *mime = new QMimeData;
    mime->setUrls({QUrl::fromLocalFile(m_path)});
    auto *drag = new QDrag(this);
    drag->setMimeData(mime);
    const QPixmap pm = m_video ? QPixmap() : m_cache.pixmap(m_path, QSize(128, 128));
    if (!pm.isNull())
        drag->setPixmap(pm.scaled(96, 96, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    drag->exec(Qt::CopyAction);
}

void TileWidget::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        emit activated(m_index);
}

void TileWidget::enterEvent(QEnterEvent *event)
{
    m_hovered = true;
    update();
    QWidget::enterEvent(event);
}

void TileWidget::leaveEvent(QEvent *event)
{
    m_hovered = false;
    update();
    QWidget::leaveEvent(event);
}

void TileWidget::updateAccessibleName()
{
    QString name = m_video ? (m_index > 0 ? tr("Video %1").arg(m_index) : tr("Video"))
                           : (m_index > 0 ? tr("Image %1 of 4").arg(m_index) : tr("Image"));
    if (m_selected)
        name += tr(", selected");
    if ((m_path.isEmpty() || m_video) && !m_placeholder.isEmpty())
        name += QStringLiteral(", ") + m_placeholder;
    setAccessibleName(name);
    QStringList made;
    for (const Offspring &o : std::as_const(m_offspring))
        made.append(offspringText(o));
    setAccessibleDescription(made.isEmpty() ? QString()
                                            : tr("Made from it: %1").arg(made.join(QStringLiteral(", "))));
}

} // namespace tessera::ui
