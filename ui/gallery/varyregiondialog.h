#pragma once

#include <QByteArray>
#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace tessera::ui {

// Vary Region until the mask editor exists (a later issue): the user picks a black/white mask PNG
// (white = regenerate) and may type a prompt for the region. The file is read and checked off the GUI
// thread (readMaskFile); OK is enabled once it is a usable PNG. Adapters fit the mask to the image.
class VaryRegionDialog : public QDialog
{
    Q_OBJECT
public:
    VaryRegionDialog(const QString &imageLabel, QWidget *parent = nullptr);

    QByteArray mask() const { return m_mask; }
    QString prompt() const;

    // Reads `path` on the pool (also what Browse… does); maskLoaded() or an error line follows.
    void loadMask(const QString &path);

signals:
    void maskLoaded();

private:
    QLineEdit *m_path;
    QLabel *m_preview;
    QLabel *m_status;
    QLineEdit *m_prompt;
    QDialogButtonBox *m_buttons;
    QByteArray m_mask;
    int m_generation = 0;
};

} // namespace tessera::ui
