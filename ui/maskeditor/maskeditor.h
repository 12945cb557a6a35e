#pragma once

#include "masktarget.h"

#include <QByteArray>
#include <QDialog>
#include <QImage>
#include <QString>

#include <memory>

class QAction;
class QActionGroup;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSlider;
class QStackedWidget;
class QToolBar;

namespace tessera {
class MaskDocument;
}

namespace tessera::ui {

class MaskCanvas;

// What the editor is opened on.
struct MaskEditorSetup
{
    QString imagePath; // the archived image the mask is painted on
    QString title; // "image 3 of “a red fox…”"
    MaskTarget target;
    QString note; // e.g. "U3 runs first; the mask is fitted to the upscale when sent"
    QByteArray lastMask; // a PNG to offer under "Re-apply last mask", or empty
    QString prompt; // the region prompt to start with
};

// The vary-region mask editor (PRODUCT.md "Mask editor"): a MaskCanvas with its tools, the coverage
// meter, the region prompt, "preview what will be sent", import and export, and Submit. The image is
// decoded on the pool; everything that encodes or traces the mask (preview, export, submit) runs on the
// pool too, so the GUI thread only paints. Submitting hands over the mask as an opaque black/white PNG
// (submitted()); the provider adapter sends it in its family's format.
class MaskEditor : public QDialog
{
    Q_OBJECT
public:
    explicit MaskEditor(MaskEditorSetup setup, QWidget *parent = nullptr);
    ~MaskEditor() override;

    // Every key of the editor as the F1 sheet lists it: (action, keys). tst_maskeditor checks that each
    // action's shortcut is listed, so the sheet cannot fall behind the editor.
    static QList<QPair<QString, QString>> shortcutRows();

    // Null until loaded() (or after the image failed to load).
    MaskDocument *document() const { return m_document.get(); }
    MaskCanvas *canvas() const { return m_canvas; }
    QString prompt() const;
    QString coverageText() const;
    QString statusText() const;
    QAction *action(const QString &name) const; // "brush", "invert", "undo", "preview", ... for tests

    // Export and import, also behind the toolbar's menus (file dialogs there).
    void exportPng(const QString &path);
    void copyBase64();
    void copyPolygons();
    void importMask(const QString &path);
    void reapplyLastMask();
    void setPreview(bool on);
    void submit();

    void reject() override; // asks before discarding a painted mask

signals:
    void loaded();
    void loadFailed(const QString &message);
    void submitted(const QByteArray &maskPng, const QString &prompt);
    void statusChanged(const QString &text); // a notice, an export's result, an error
    void previewReady();
    void exported();

private:
    void buildToolbar();
    void onLoaded(const QImage &image, std::vector<QImage> pyramid);
    void refreshCoverage();
    void refreshActions();
    void say(const QString &text, bool error = false);
    void selectTool(int tool);
    void stepBrush(int direction);
    void replaceMask(const QByteArray &png, const QString &what);

    MaskEditorSetup m_setup;
    std::unique_ptr<MaskDocument> m_document;
    MaskCanvas *m_canvas = nullptr;
    QStackedWidget *m_stack;
    QLabel *m_loading;
    QToolBar *m_tools;
    QActionGroup *m_toolGroup;
    QSlider *m_size;
    QList<QAction *> m_sizeActions; // the size slider and its label in the toolbar
    QLabel *m_sizeLabel;
    QLabel *m_zoomLabel;
    QProgressBar *m_coverage;
    QLabel *m_status;
    QLabel *m_sendsAs;
    QLineEdit *m_prompt;
    QPushButton *m_submit;
    int m_generation = 0; // preview/export results for an older mask are dropped
    bool m_submitting = false;
    bool m_discardConfirmed = false;
    QString m_statusText;
};

} // namespace tessera::ui
