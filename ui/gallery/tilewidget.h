#pragma once

#include <QList>
#include <QPixmap>
#include <QPoint>
#include <QRectF>
#include <QString>
#include <QWidget>

namespace tessera::ui {

class ImageCache;

// One image of the Gallery: the picture at its own aspect ratio, its number badge (1–4 for a grid),
// a clear outline when selected, the action keys on hover, and a placeholder while there is no image
// yet. Badges along its top edge name what was made from it ("U3 ✓", "V3 …"); a click on one opens that
// task. Dragging it out drops the file; double-click opens the full-size viewer.
class TileWidget : public QWidget
{
    Q_OBJECT
public:
    // A task made from this image, as its badge shows it.
    struct Offspring
    {
        QString taskId;
        QString label; // "U3", "Pan ←", "Vary Region"
        enum class State { Running, Done, Failed } state = State::Running;
    };

    TileWidget(int index, ImageCache &cache, QWidget *parent = nullptr);

    int index() const { return m_index; }
    void setImage(const QString &path, QSize imageSize); // empty path: placeholder
    // A video file: a poster panel with a play symbol and `caption`; double-click or Space plays it.
    void setVideo(const QString &path, QSize videoSize, const QString &caption);
    bool isVideo() const { return m_video; }
    QString imagePath() const { return m_path; }
    void setPlaceholder(const QString &text, int progress = -1); // progress 0-100, or -1 for none
    void setSelected(bool selected);
    bool isSelected() const { return m_selected; }
    void setShowBadge(bool show);
    void setHoverHint(const QString &hint); // e.g. "U3 · V3 · Space"
    void setOffspring(const QList<Offspring> &offspring); // oldest first
    const QList<Offspring> &offspring() const { return m_offspring; }
    // Where the badge of `taskId` is drawn (empty when it is not, e.g. not enough room).
    QRectF offspringRect(const QString &taskId) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

signals:
    void clicked(int index);
    void activated(int index);
    void offspringActivated(const QString &taskId);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void enterEvent(QEnterEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    QRectF imageRect() const;
    void updateAccessibleName();
    // The badges' rectangles, newest on the right; those that do not fit in the image's width are left
    // out (the oldest first), so the newest stay reachable.
    QList<QPair<QRectF, int>> offspringLayout() const;

    int m_index;
    ImageCache &m_cache;
    QString m_path;
    QSize m_imageSize;
    QString m_placeholder;
    int m_progress = -1;
    bool m_selected = false;
    bool m_video = false;
    bool m_showBadge = true;
    bool m_hovered = false;
    QString m_hoverHint;
    QPoint m_pressPos;
    QList<Offspring> m_offspring;
};

} // namespace tessera::ui
