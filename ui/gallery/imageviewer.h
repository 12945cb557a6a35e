#pragma once

#include <QDialog>
#include <QImage>

class QLabel;
class QScrollArea;

namespace tessera::ui {

// A full-size view of one image with zoom: Ctrl+wheel or + / − zoom, 0 fits, 1 shows actual pixels,
// Esc closes. The file is decoded on the pool, not on the GUI thread.
class ImageViewer : public QDialog
{
    Q_OBJECT
public:
    ImageViewer(const QString &path, const QString &title, QWidget *parent = nullptr);

    double zoom() const { return m_zoom; }
    void setZoom(double zoom);
    void fit();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void render();

    QScrollArea *m_scroll;
    QLabel *m_label;
    QImage m_image;
    double m_zoom = 1.0;
    bool m_fitting = true;
};

} // namespace tessera::ui
