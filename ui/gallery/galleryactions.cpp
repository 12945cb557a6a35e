// What the Gallery sends: the selection turned into an Operation, the family's verdict on it, and the
// small dialogs that gather what some actions need (a zoom factor, a mask, a prompt for a video).
#include "actionbar.h"
#include "galleryview.h"
#include "maskeditor/maskeditor.h"
#include "maskeditor/masktarget.h"
#include "providers/providerregistry.h"

#include <QInputDialog>
#include <QMessageBox>
#include <QPointer>

namespace tessera::ui {

namespace {

Operation templateOf(OperationKind kind)
{
    Operation op;
    op.kind = kind;
    return op;
}

// "1.25" for 1.25, "2" for 2.0: the spelling adapters expect for a zoom factor (PROVIDERS.md §1, §4).
QString factorText(double value)
{
    QString text = QString::number(value, 'f', 2);
    while (text.endsWith(QLatin1Char('0')))
        text.chop(1);
    if (text.endsWith(QLatin1Char('.')))
        text.chop(1);
    return text;
}

} // namespace

Operation GalleryView::operationFor(const Operation &templ) const
{
    Operation op = templ;
    op.parentTaskId = m_task ? m_task->id : QString();
    op.tile = 0;
    // Reroll and seed belong to the whole grid (kolersky and midjourney-proxy ask by the task's id): they
    // never name a tile, whichever image is selected.
    const bool wholeGrid = templ.kind == OperationKind::Reroll || templ.kind == OperationKind::Seed;
    if (m_shape == Shape::Grid && !wholeGrid) {
        op.tile = m_selected;
    } else if (m_shape == Shape::Videos && templ.kind == OperationKind::VideoExtend) {
        const QList<const ImageRef *> files = videos();
        if (m_selected >= 1 && m_selected <= files.size())
            op.tile = files.at(m_selected - 1)->index > 0 ? files.at(m_selected - 1)->index : m_selected;
    }
    return op;
}

Availability GalleryView::availability(const Operation &templ) const
{
    if (!m_task)
        return Availability::no(tr("Select a task first"));
    return m_providers.availability(operationFor(templ), &*m_task, m_account);
}

Availability GalleryView::availability(OperationKind kind) const
{
    return availability(templateOf(kind));
}

void GalleryView::trigger(OperationKind kind)
{
    trigger(templateOf(kind));
}

void GalleryView::pan(const QString &direction)
{
    Operation op = templateOf(OperationKind::Pan);
    op.direction = direction;
    trigger(op);
}

void GalleryView::trigger(const Operation &templ)
{
    const bool customZoom = templ.kind == OperationKind::Zoom && templ.zoomFactor == ActionBar::kCustomZoom;
    Operation probe = templ;
    if (customZoom)
        probe.zoomFactor = QStringLiteral("1.25");
    const Availability a = availability(probe);
    if (!a.enabled) {
        emit message(tr("%1 is not available: %2").arg(operationFor(templ).label(), a.reason));
        return;
    }
    if (customZoom)
        return askCustomZoom();
    if (templ.kind == OperationKind::Inpaint && templ.mask.isEmpty())
        return askVaryRegion();
    if (templ.kind == OperationKind::VideoExtend && templ.variant == QLatin1String("manual")
        && templ.prompt.trimmed().isEmpty())
        return askVideoExtendPrompt();
    emitAction(templ);
}

void GalleryView::emitAction(const Operation &templ)
{
    const Availability a = availability(templ);
    const Operation op = operationFor(templ);
    if (!a.enabled) {
        emit message(tr("%1 is not available: %2").arg(op.label(), a.reason));
        return;
    }
    if (!a.caveat.isEmpty()) {
        // Something is charged before it is known whether the rest can follow: the user decides.
        const QString question = tr("%1\n\nSend it anyway?").arg(a.caveat);
        const bool go = m_confirm
            ? m_confirm(this, question)
            : QMessageBox::question(this, tr("%1 — before it is sent").arg(op.label()), question,
                                    QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
                == QMessageBox::Yes;
        if (!go) {
            emit message(tr("%1 was not sent").arg(op.label()));
            return;
        }
    }
    emit actionRequested(op, m_account.id);
}

void GalleryView::submitZoom(const QString &factor)
{
    Operation op = templateOf(OperationKind::Zoom);
    op.zoomFactor = factor;
    emitAction(op);
}

void GalleryView::submitVaryRegion(const QByteArray &maskPng, const QString &prompt)
{
    Operation op = templateOf(OperationKind::Inpaint);
    op.mask = maskPng;
    op.prompt = prompt;
    emitAction(op);
}

void GalleryView::submitVideoExtend(const QString &prompt)
{
    Operation op = templateOf(OperationKind::VideoExtend);
    op.variant = QStringLiteral("manual");
    op.prompt = prompt;
    emitAction(op);
}

void GalleryView::askCustomZoom()
{
    // Window-modal and asynchronous: the selection cannot change while it is open.
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Custom Zoom"));
    dialog->setLabelText(tr("Zoom out by a factor above 1 and at most 2:"));
    dialog->setInputMode(QInputDialog::DoubleInput);
    dialog->setDoubleRange(1.01, 2.0);
    dialog->setDoubleDecimals(2);
    dialog->setDoubleStep(0.05);
    dialog->setDoubleValue(1.5);
    connect(dialog, &QInputDialog::doubleValueSelected, this,
            [this](double value) { submitZoom(factorText(value)); });
    dialog->open();
}

void GalleryView::askVaryRegion()
{
    const QString path = selectedImagePath();
    if (path.isEmpty()) {
        emit message(tr("Vary Region needs the image in the archive; it has not been downloaded"));
        return;
    }
    const Operation op = operationFor(templateOf(OperationKind::Inpaint));
    MaskEditorSetup setup;
    setup.imagePath = path;
    setup.title = op.tile > 0 ? tr("image %1 of %2").arg(op.tile).arg(m_task->title()) : m_task->title();
    setup.target = maskTargetFor(m_providers, m_account);
    const ProviderAdapter *adapter = m_providers.adapter(m_account.family);
    if (op.tile > 0 && adapter && adapter->needsSingleImage(op))
        setup.note = tr("U%1 runs first (or its upscale is reused); the mask is fitted to the upscale's size "
                        "when sent.")
                         .arg(op.tile);
    // The mask this task was made with (a vary region's result), else the last one sent from here.
    setup.lastMask = m_task->operation.kind == OperationKind::Inpaint && !m_task->operation.mask.isEmpty()
        ? m_task->operation.mask
        : m_lastMask;
    auto *editor = new MaskEditor(setup, this);
    editor->setAttribute(Qt::WA_DeleteOnClose);
    editor->setObjectName(QStringLiteral("maskEditor"));
    // The editor is window-modal, so the selection (and the task) cannot change while it is open.
    connect(editor, &MaskEditor::submitted, this, [this](const QByteArray &png, const QString &prompt) {
        m_lastMask = png;
        submitVaryRegion(png, prompt);
    });
    editor->open();
    emit maskEditorOpened(editor);
}

void GalleryView::askVideoExtendPrompt()
{
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Extend Video"));
    dialog->setLabelText(tr("What happens next in the video:"));
    dialog->setOption(QInputDialog::UsePlainTextEditForTextInput);
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString &text) {
        if (text.trimmed().isEmpty()) {
            emit message(tr("Extend with a prompt needs a prompt; nothing was sent"));
            return;
        }
        submitVideoExtend(text.trimmed());
    });
    dialog->open();
}

void GalleryView::popupZoomMenu()
{
    if (m_shape != Shape::Text && m_bar->popupZoomMenu())
        return;
    Operation op = templateOf(OperationKind::Zoom);
    op.zoomFactor = QStringLiteral("2");
    emit message(tr("Zoom is not available: %1").arg(availability(op).reason));
}

} // namespace tessera::ui
