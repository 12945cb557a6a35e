#pragma once

#include <QDialog>
#include <QImage>
#include <QList>

class QLabel;
class QScrollArea;
class QToolButton;

namespace tessera::ui {

// A full-size view of an image with zoom: Ctrl+wheel or + / − zoom, 0 fits, 1 shows actual pixels,
// ← / → show the previous / next image of the same result, Esc closes. A bar names the image, its size
// and the zoom, with the same controls as buttons. Files are decoded on the pool, not on the GUI thread.
class ImageViewer : public QDialog
{
    Q_OBJECT
public:
    struct Entry
    {
        QString path;
        QString label; // "Image 3 of 4", "Upscale"
    };

    ImageViewer(const QString &path, const QString &title, QWidget *parent = nullptr);
    // The images of one result, showing `index` first; `title` names the task.
    ImageViewer(const QList<Entry> &images, int index, const QString &title, QWidget *parent = nullptr);

    int index() const { return m_index; }
    void showImage(int index);
    QString caption() const; // what the bar says: "Image 3 of 4 · 1024 × 1024 · 50 %"

    double zoom() const { return m_zoom; }
    void setZoom(double zoom);
    void fit();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void render();
    void load();

    QList<Entry> m_images;
    int m_index = 0;
    QString m_title;
    int m_loads = 0; // the newest load; older ones are dropped when they arrive
    QScrollArea *m_scroll;
    QLabel *m_label;
    QLabel *m_caption;
    QToolButton *m_previous;
    QToolButton *m_next;
    QImage m_image;
    double m_zoom = 1.0;
    bool m_fitting = true;
};

} // namespace tessera::ui
