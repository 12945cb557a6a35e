#include "maskeditor.h"

#include "common/futures.h"
#include "mask/maskdocument.h"
#include "maskcanvas.h"
#include "storage/imagearchive.h"

#include <QAction>
#include <QActionGroup>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSlider>
#include <QStackedWidget>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

namespace tessera::ui {

namespace {

constexpr qint64 kMaxImageBytes = 256LL * 1024 * 1024;
constexpr int kDecodeLimitMb = 1024;

struct LoadedImage
{
    QImage image;
    std::vector<QImage> pyramid;
    QString error;
};

LoadedImage loadImage(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {{}, {}, MaskEditor::tr("Cannot open the image %1: %2").arg(path, file.errorString())};
    if (file.size() > kMaxImageBytes)
        return {{}, {}, MaskEditor::tr("The image %1 is too large to edit").arg(path)};
    const Result<QImage> image = ImageArchive::decode(file.readAll(), kDecodeLimitMb);
    if (!image)
        return {{}, {}, image.error().message};
    return {*image, MaskCanvas::buildPyramid(*image), {}};
}

// What "preview what will be sent" shows, computed on the pool from a snapshot of the mask.
} // namespace

MaskEditor::MaskEditor(MaskEditorSetup setup, QWidget *parent)
    : QDialog(parent)
    , m_setup(std::move(setup))
    , m_stack(new QStackedWidget(this))
    , m_loading(new QLabel(tr("Loading the image…"), this))
    , m_tools(new QToolBar(this))
    , m_toolGroup(new QActionGroup(this))
    , m_size(new QSlider(Qt::Horizontal, this))
    , m_sizeLabel(new QLabel(this))
    , m_zoomLabel(new QLabel(this))
    , m_coverage(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_sendsAs(new QLabel(this))
    , m_prompt(new QLineEdit(this))
    , m_submit(new QPushButton(tr("Submit"), this))
{
    setWindowTitle(tr("Vary Region — %1").arg(m_setup.title));
    m_loading->setAlignment(Qt::AlignCenter);
    m_stack->addWidget(m_loading);

    buildToolbar();

    m_coverage->setRange(0, 1000);
    m_coverage->setValue(0);
    m_coverage->setTextVisible(true);
    m_coverage->setFormat(tr("0 % selected"));
    m_coverage->setMinimumWidth(m_coverage->fontMetrics().horizontalAdvance(tr("> 99.9 % selected")) + 40);
    m_coverage->setAccessibleName(tr("Share of the image selected"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_prompt->setText(m_setup.prompt);
    m_prompt->setPlaceholderText(tr("optional — what to paint in the region"));
    m_prompt->setAccessibleName(tr("Prompt for the region"));
    m_sendsAs->setWordWrap(true);
    QString sends
        = tr("Will be sent as %1. White = regenerate, black = keep.").arg(m_setup.target.description);
    if (!m_setup.note.isEmpty())
        sends += QLatin1Char(' ') + m_setup.note;
    m_sendsAs->setText(sends);
    m_sendsAs->setStyleSheet(QStringLiteral("color: palette(placeholder-text)"));

    auto *meterRow = new QHBoxLayout;
    meterRow->addWidget(m_coverage);
    meterRow->addWidget(m_status, 1);
    meterRow->addWidget(m_zoomLabel);
    auto *promptLabel = new QLabel(tr("&Prompt for the region"), this);
    promptLabel->setBuddy(m_prompt);
    auto *promptRow = new QHBoxLayout;
    promptRow->addWidget(promptLabel);
    promptRow->addWidget(m_prompt, 1);
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_submit, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Cancel);
    m_submit->setToolTip(tr("Send the mask (Ctrl+Enter)"));
    m_submit->setEnabled(false);
    connect(m_submit, &QPushButton::clicked, this, &MaskEditor::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &MaskEditor::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tools);
    layout->addWidget(m_stack, 1);
    layout->addLayout(meterRow);
    layout->addLayout(promptRow);
    layout->addWidget(m_sendsAs);
    layout->addWidget(buttons);

    if (parent && parent->screen()) {
        const QRect screen = parent->screen()->availableGeometry();
        resize(screen.width() * 4 / 5, screen.height() * 4 / 5);
    } else {
        resize(1100, 800);
    }
    refreshActions();

    whenReady(this, QtConcurrent::run(&loadImage, m_setup.imagePath), [this](const LoadedImage &loaded) {
        if (!loaded.error.isEmpty()) {
            m_loading->setText(loaded.error);
            say(loaded.error, true);
            emit loadFailed(loaded.error);
            return;
        }
        onLoaded(loaded.image, loaded.pyramid);
    });
}

MaskEditor::~MaskEditor()
{
    // The canvas refers to the document: it goes first.
    delete m_canvas;
}

QList<QPair<QString, QString>> MaskEditor::shortcutRows()
{
    const auto keys = [](const QKeySequence &k) { return k.toString(QKeySequence::NativeText); };
    return {
        {tr("Brush, eraser, rectangle, lasso, polygon"), tr("B, E, R, L, P")},
        {tr("Smaller / larger brush"), tr("[ and ]")},
        {tr("Invert"), keys(QKeySequence(Qt::Key_I))},
        {tr("Clear"), keys(QKeySequence(Qt::Key_Delete))},
        {tr("Undo"), keys(QKeySequence::Undo)},
        {tr("Redo"),
         tr("%1 or %2")
             .arg(keys(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)),
                  keys(QKeySequence(Qt::CTRL | Qt::Key_Y)))},
        {tr("Zoom out / in, fit"), tr("- / + (or =), 0; Ctrl+wheel")},
        {tr("Pan the image"), tr("Space+drag or the middle button")},
        {tr("Polygon: close / remove the last point / cancel"), tr("Enter / Backspace / Esc")},
        {tr("Preview what will be sent"), keys(QKeySequence(Qt::CTRL | Qt::Key_P))},
        {tr("Import mask PNG"), keys(QKeySequence::Open)},
        {tr("Re-apply last mask"), keys(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R))},
        {tr("Save mask as PNG"), keys(QKeySequence::Save)},
        {tr("Copy as base64"), keys(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C))},
        {tr("Copy as polygons JSON"), keys(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C))},
        {tr("Submit"), keys(QKeySequence(Qt::CTRL | Qt::Key_Return))},
    };
}

void MaskEditor::buildToolbar()
{
    auto addAction = [this](const QString &name, const QString &text, const QList<QKeySequence> &keys,
                            auto slot) {
        auto *action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcuts(keys);
        if (!keys.isEmpty())
            action->setToolTip(QStringLiteral("%1 (%2)").arg(
                QString(text).remove(QLatin1Char('&')), keys.first().toString(QKeySequence::NativeText)));
        connect(action, &QAction::triggered, this, slot);
        QDialog::addAction(action); // shortcuts work wherever the focus is in the dialog
        return action;
    };

    const struct
    {
        const char *name;
        const char *text;
        Qt::Key key;
        MaskCanvas::Tool tool;
    } tools[] = {
        {"brush", QT_TR_NOOP("Brush"), Qt::Key_B, MaskCanvas::Tool::Brush},
        {"eraser", QT_TR_NOOP("Eraser"), Qt::Key_E, MaskCanvas::Tool::Eraser},
        {"rectangle", QT_TR_NOOP("Rectangle"), Qt::Key_R, MaskCanvas::Tool::Rectangle},
        {"lasso", QT_TR_NOOP("Lasso"), Qt::Key_L, MaskCanvas::Tool::Lasso},
        {"polygon", QT_TR_NOOP("Polygon"), Qt::Key_P, MaskCanvas::Tool::Polygon},
    };
    for (const auto &t : tools) {
        const int tool = int(t.tool);
        QAction *action = addAction(QLatin1String(t.name), tr(t.text), {QKeySequence(t.key)},
                                    [this, tool] { selectTool(tool); });
        action->setCheckable(true);
        action->setData(tool);
        action->setChecked(t.tool == MaskCanvas::Tool::Brush);
        m_toolGroup->addAction(action);
        m_tools->addAction(action);
    }
    m_toolGroup->actions().constLast()->setToolTip(
        tr("Polygon (P): click the vertices; Enter, a double-click or a click on the first vertex closes it. "
           "Drag a vertex to move it. The right button subtracts with every tool."));

    m_tools->addSeparator();
    m_size->setRange(MaskCanvas::kMinBrush, MaskCanvas::kMaxBrush);
    m_size->setValue(48);
    m_size->setMaximumWidth(160);
    m_size->setAccessibleName(tr("Brush size"));
    m_size->setToolTip(tr("Brush size in image pixels ([ and ])"));
    m_sizeLabel->setMinimumWidth(m_sizeLabel->fontMetrics().horizontalAdvance(QStringLiteral("512 px ")));
    m_sizeLabel->setText(tr("%1 px").arg(48));
    // The size belongs to the brush and the eraser only: the other tools hide it.
    m_sizeActions = {m_tools->addWidget(m_size), m_tools->addWidget(m_sizeLabel)};
    addAction(QStringLiteral("smaller"), tr("Smaller brush"), {QKeySequence(Qt::Key_BracketLeft)},
              [this] { stepBrush(-1); });
    addAction(QStringLiteral("larger"), tr("Larger brush"), {QKeySequence(Qt::Key_BracketRight)},
              [this] { stepBrush(1); });
    connect(m_size, &QSlider::valueChanged, this, [this](int value) {
        m_sizeLabel->setText(tr("%1 px").arg(value));
        if (m_canvas)
            m_canvas->setBrushSize(value);
    });

    m_tools->addSeparator();
    m_tools->addAction(addAction(QStringLiteral("invert"), tr("Invert"), {QKeySequence(Qt::Key_I)}, [this] {
        if (m_document)
            m_document->invert();
    }));
    m_tools->addAction(
        addAction(QStringLiteral("clear"), tr("Clear"), {QKeySequence(Qt::Key_Delete)}, [this] {
            if (m_document)
                m_document->clear();
        }));
    m_tools->addAction(addAction(QStringLiteral("undo"), tr("Undo"), {QKeySequence::Undo}, [this] {
        if (m_document)
            m_document->undoStack()->undo();
    }));
    m_tools->addAction(addAction(
        QStringLiteral("redo"), tr("Redo"),
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)}, [this] {
            if (m_document)
                m_document->undoStack()->redo();
        }));

    m_tools->addSeparator();
    m_tools->addAction(
        addAction(QStringLiteral("zoomOut"), tr("Zoom out"), {QKeySequence(Qt::Key_Minus)}, [this] {
            if (m_canvas)
                m_canvas->zoomOut();
        }));
    m_tools->addAction(addAction(QStringLiteral("zoomIn"), tr("Zoom in"),
                                 {QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_Equal)}, [this] {
                                     if (m_canvas)
                                         m_canvas->zoomIn();
                                 }));
    m_tools->addAction(addAction(QStringLiteral("fit"), tr("Fit"), {QKeySequence(Qt::Key_0)}, [this] {
        if (m_canvas)
            m_canvas->fitToWindow();
    }));

    m_tools->addSeparator();
    auto *preview = new QAction(tr("Preview what will be sent"), this);
    preview->setObjectName(QStringLiteral("preview"));
    preview->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    preview->setToolTip(
        tr("Show exactly what will be sent: the PNG, or the polygons over the image (Ctrl+P)"));
    preview->setCheckable(true);
    connect(preview, &QAction::toggled, this, &MaskEditor::setPreview);
    QDialog::addAction(preview);
    m_tools->addAction(preview);

    auto *maskMenu = new QMenu(this);
    maskMenu->addAction(
        addAction(QStringLiteral("import"), tr("Import mask PNG…"), {QKeySequence::Open}, [this] {
            const QString path
                = QFileDialog::getOpenFileName(this, tr("Import a mask"), {}, tr("PNG images (*.png)"));
            if (!path.isEmpty())
                importMask(path);
        }));
    maskMenu->addAction(addAction(QStringLiteral("reapply"), tr("Re-apply last mask"),
                                  {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R)},
                                  [this] { reapplyLastMask(); }));
    maskMenu->addSeparator();
    maskMenu->addAction(
        addAction(QStringLiteral("exportPng"), tr("Save mask as PNG…"), {QKeySequence::Save}, [this] {
            const QString path = QFileDialog::getSaveFileName(this, tr("Save the mask"), tr("mask.png"),
                                                              tr("PNG images (*.png)"));
            if (!path.isEmpty())
                exportPng(path);
        }));
    maskMenu->addAction(addAction(QStringLiteral("copyBase64"), tr("Copy as base64"),
                                  {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C)},
                                  [this] { copyBase64(); }));
    maskMenu->addAction(addAction(QStringLiteral("copyPolygons"), tr("Copy as polygons JSON"),
                                  {QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C)},
                                  [this] { copyPolygons(); }));
    auto *maskButton = new QToolButton(this);
    maskButton->setText(tr("Mask"));
    maskButton->setToolTip(tr("Import, re-apply and export the mask"));
    maskButton->setPopupMode(QToolButton::InstantPopup);
    maskButton->setMenu(maskMenu);
    m_tools->addWidget(maskButton);

    addAction(QStringLiteral("submit"), tr("Submit"), {QKeySequence(Qt::CTRL | Qt::Key_Return)},
              [this] { submit(); });
}

QAction *MaskEditor::action(const QString &name) const
{
    return findChild<QAction *>(name, Qt::FindDirectChildrenOnly);
}

void MaskEditor::onLoaded(const QImage &image, std::vector<QImage> pyramid)
{
    m_document = std::make_unique<MaskDocument>(image.size());
    m_canvas = new MaskCanvas(*m_document, std::move(pyramid), this);
    m_canvas->setBrushSize(m_size->value());
    m_stack->addWidget(m_canvas);
    m_stack->setCurrentWidget(m_canvas);
    m_canvas->setFocus();
    connect(m_canvas, &MaskCanvas::zoomChanged, this,
            [this](double zoom) { m_zoomLabel->setText(tr("%1 %").arg(std::lround(zoom * 100))); });
    connect(m_canvas, &MaskCanvas::brushSizeChanged, m_size, &QSlider::setValue);
    connect(m_document.get(), &MaskDocument::changed, this, [this] {
        // What was previewed is no longer what would be sent.
        if (action(QStringLiteral("preview"))->isChecked())
            action(QStringLiteral("preview"))->setChecked(false);
        refreshCoverage();
    });
    connect(m_document.get(), &MaskDocument::notice, this, [this](const QString &text) { say(text); });
    connect(m_document->undoStack(), &QUndoStack::indexChanged, this, &MaskEditor::refreshActions);
    m_zoomLabel->setText(tr("%1 %").arg(std::lround(m_canvas->zoom() * 100)));
    refreshCoverage();
    refreshActions();
    say(m_setup.lastMask.isEmpty()
            ? tr("%1×%2 px. Paint the region to regenerate.").arg(image.width()).arg(image.height())
            : tr("%1×%2 px. Paint the region to regenerate, or use the last mask: Mask ▸ Re-apply last mask.")
                  .arg(image.width())
                  .arg(image.height()));
    emit loaded();
}

QString MaskEditor::prompt() const
{
    return m_prompt->text().trimmed();
}

QString MaskEditor::coverageText() const
{
    return m_coverage->text();
}

QString MaskEditor::statusText() const
{
    return m_statusText;
}

void MaskEditor::say(const QString &text, bool error)
{
    m_statusText = text;
    m_status->setText(error
                          ? QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(text.toHtmlEscaped())
                          : text.toHtmlEscaped());
    emit statusChanged(text);
}

void MaskEditor::refreshCoverage()
{
    const double share = m_document ? m_document->coverage() : 0.0;
    m_coverage->setValue(int(std::lround(share * 1000)));
    // One decimal, but never "0.0 %" for a few pixels or "100.0 %" for all but a few.
    const qint64 selected = m_document ? m_document->selectedPixels() : 0;
    const qint64 total = m_document ? qint64(m_document->size().width()) * m_document->size().height() : 0;
    QString figure = QString::number(share * 100, 'f', 1);
    if (selected > 0 && figure == QLatin1String("0.0"))
        figure = QStringLiteral("< 0.1");
    else if (selected < total && figure == QLatin1String("100.0"))
        figure = QStringLiteral("> 99.9");
    m_coverage->setFormat(tr("%1 % selected").arg(figure));
    m_submit->setEnabled(!m_submitting && selected > 0);
}

void MaskEditor::refreshActions()
{
    const bool ready = m_document != nullptr;
    for (QAction *a : actions())
        a->setEnabled(ready);
    if (!ready)
        return;
    action(QStringLiteral("undo"))->setEnabled(m_document->undoStack()->canUndo());
    action(QStringLiteral("redo"))->setEnabled(m_document->undoStack()->canRedo());
    action(QStringLiteral("reapply"))->setEnabled(!m_setup.lastMask.isEmpty());
    action(QStringLiteral("submit"))->setEnabled(!m_submitting);
    const QString undoText = m_document->undoStack()->undoText();
    action(QStringLiteral("undo"))
        ->setToolTip(undoText.isEmpty() ? tr("Undo (Ctrl+Z)") : tr("Undo %1 (Ctrl+Z)").arg(undoText));
}

void MaskEditor::selectTool(int tool)
{
    if (!m_canvas)
        return;
    action(QStringLiteral("preview"))->setChecked(false);
    m_canvas->setTool(MaskCanvas::Tool(tool));
    for (QAction *a : m_toolGroup->actions())
        a->setChecked(a->data().toInt() == tool);
    const bool sized = tool == int(MaskCanvas::Tool::Brush) || tool == int(MaskCanvas::Tool::Eraser);
    for (QAction *a : std::as_const(m_sizeActions))
        a->setVisible(sized);
}

void MaskEditor::stepBrush(int direction)
{
    // Steps of about 20 %, at least one pixel, so both a 2 px and a 400 px brush change visibly.
    const int size = m_size->value();
    const int step = std::max(1, int(std::lround(size * 0.2)));
    m_size->setValue(size + direction * step);
}

void MaskEditor::reject()
{
    // Escape or Cancel must not throw away a mask painted with care: ask first.
    if (!m_document || m_submitting || m_discardConfirmed || m_document->undoStack()->count() == 0) {
        QDialog::reject();
        return;
    }
    auto *ask = new QMessageBox(QMessageBox::Question, tr("Discard the mask?"),
                                tr("The mask you painted has not been sent. Discard it?"),
                                QMessageBox::Discard | QMessageBox::Cancel, this);
    ask->setObjectName(QStringLiteral("discardQuestion"));
    ask->setAttribute(Qt::WA_DeleteOnClose);
    ask->setDefaultButton(QMessageBox::Cancel);
    connect(ask, &QMessageBox::finished, this, [this](int result) {
        if (result == QMessageBox::Discard) {
            m_discardConfirmed = true;
            QDialog::reject();
        }
    });
    ask->open();
}

} // namespace tessera::ui
