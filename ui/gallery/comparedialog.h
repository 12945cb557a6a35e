#pragma once

#include <QDialog>
#include <QImage>
#include <QString>

class QLabel;
class QStackedWidget;

namespace tessera::ui {

// Two images side by side, or in one place in turn ("flicker": F switches the mode, Space shows the
// other one), each named: the image something was made from and what was made, or two tiles of a grid.
// Files are decoded on the pool.
class CompareDialog : public QDialog
{
    Q_OBJECT
public:
    struct Side
    {
        QString path;
        QString label; // "Image 3 of the grid", "U3"
    };

    CompareDialog(const Side &left, const Side &right, QWidget *parent = nullptr);

    bool flickering() const { return m_flicker; }
    void setFlicker(bool on);
    // In flicker mode: which image is shown (0 = left, 1 = right).
    int shownSide() const { return m_shown; }
    void showOther();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void render();

    Side m_sides[2];
    QImage m_images[2];
    QLabel *m_pictures[2];
    QLabel *m_names[2];
    QLabel *m_single;
    QLabel *m_singleName;
    QStackedWidget *m_modes;
    bool m_flicker = false;
    int m_shown = 0;
};

} // namespace tessera::ui
