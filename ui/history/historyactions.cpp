// HistoryView's actions on the task shown in the details pane (PRODUCT.md "History"): open, reveal,
// copy prompt and image, reuse parameters, favourite, Vary Region…, delete to the trash.
#include "common/futures.h"
#include "common/hintlistview.h"
#include "historydetails.h"
#include "historymodel.h"
#include "historyview.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"
#include "thumbnailloader.h"

#include <QAction>
#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImageReader>
#include <QListView>
#include <QMenu>
#include <QMimeData>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

namespace tessera::ui {

namespace {

// How far up the lineage "reuse parameters" looks for the task that had the parameters: an upscale's
// parameters are its imagine's.
constexpr int kMaxLineage = 32;

// The image that stands for the task when one is wanted (copy, reveal).
const ImageRef *mainImage(const Task &task)
{
    return task.thumbnailImage();
}

} // namespace

QAction *HistoryView::action(const QString &name) const
{
    return m_actions.value(name);
}

void HistoryView::buildActions()
{
    const auto make = [this](const char *name, const QString &text, const QKeySequence &key, auto slot) {
        auto *a = new QAction(text, this);
        a->setObjectName(QLatin1String(name));
        if (!key.isEmpty()) {
            a->setShortcut(key);
            a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        m_actions.insert(QLatin1String(name), a);
        return a;
    };
    make("open", tr("Open"), QKeySequence(), [this] {
        openCurrent();
    })->setToolTip(tr("Show in the Gallery (Enter)"));
    make("reveal", tr("Reveal"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), [this] {
        revealCurrent();
    })->setToolTip(tr("Show the task's folder in the file manager"));
    make("copyPrompt", tr("Copy Prompt"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), [this] {
        copyPrompt();
    })->setToolTip(tr("Copy the task's prompt"));
    make("copyImage", tr("Copy Image"), QKeySequence::Copy, [this] {
        copyImage();
    })->setToolTip(tr("Copy the task's image"));
    make("reuse", tr("Reuse"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), [this] {
        reuseParameters();
    })->setToolTip(tr("Fill Compose with this task's prompt and every parameter"));
    QAction *fav
        = make("favourite", QStringLiteral("☆"), QKeySequence(Qt::Key_S), [this] { toggleFavourite(); });
    fav->setCheckable(true);
    fav->setToolTip(tr("Mark or unmark as a favourite"));
    fav->setText(tr("★ Favourite"));
    QAction *vary = make("varyRegion", tr("Vary Region…"), QKeySequence(Qt::CTRL | Qt::Key_E), [this] {
        const auto t = currentTask();
        if (!t)
            return;
        if (!t->isGrid()) {
            varyRegion(0);
            return;
        }
        // A grid: which of its four images, each offered as its family answers.
        QMenu menu(this);
        for (int i = 1; i <= 4; ++i) {
            QAction *image = menu.addAction(tr("Image %1").arg(i), this, [this, i] { varyRegion(i); });
            const Availability a = varyRegionAvailability(*t, i);
            image->setEnabled(a.enabled);
            image->setToolTip(a.reason);
        }
        menu.setToolTipsVisible(true);
        menu.exec(QCursor::pos());
    });
    vary->setToolTip(tr("Open the task in the Gallery and edit a mask for Vary Region"));
    make("delete", tr("Delete…"), QKeySequence::Delete, [this] {
        deleteCurrent();
    })->setToolTip(tr("Delete the task; its files go to the trash"));
    // Every tooltip names the action's key, in the platform's spelling.
    for (QAction *a : std::as_const(m_actions)) {
        if (!a->shortcut().isEmpty())
            a->setToolTip(QStringLiteral("%1 (%2)").arg(a->toolTip(),
                                                        a->shortcut().toString(QKeySequence::NativeText)));
    }
    m_varyTip = vary->toolTip();
}

void HistoryView::updateActions()
{
    const auto t = currentTask();
    const bool has = t.has_value();
    const bool local = has && mainImage(*t) != nullptr;
    for (QAction *a : std::as_const(m_actions))
        a->setEnabled(has);
    m_actions.value(QStringLiteral("copyImage"))->setEnabled(local);
    m_actions.value(QStringLiteral("reveal"))->setEnabled(local);
    m_actions.value(QStringLiteral("copyPrompt"))->setEnabled(has && !t->prompt.isEmpty());
    QAction *vary = m_actions.value(QStringLiteral("varyRegion"));
    Availability varyAvailable = Availability::no(tr("Select a finished task with an image"));
    if (local && t->state == TaskState::Succeeded) {
        // Offered when the family takes a vary region on at least one of the task's images.
        const QList<int> tiles = t->isGrid() ? QList<int> {1, 2, 3, 4} : QList<int> {0};
        varyAvailable = varyRegionAvailability(*t, tiles.first());
        for (const int tile : tiles) {
            if (const Availability a = varyRegionAvailability(*t, tile); a.enabled) {
                varyAvailable = a;
                break;
            }
        }
    }
    vary->setEnabled(varyAvailable.enabled);
    vary->setToolTip(varyAvailable.enabled
                         ? m_varyTip
                         : tr("%1 — not available: %2").arg(m_varyTip, varyAvailable.reason));
    m_actions.value(QStringLiteral("delete"))->setEnabled(has && !isActive(t->state));
    QAction *fav = m_actions.value(QStringLiteral("favourite"));
    fav->setChecked(has && t->favourite);
    fav->setText(has && t->favourite ? tr("★ Favourite") : tr("☆ Favourite"));
}

void HistoryView::contextMenu(const QPoint &pos)
{
    const QModelIndex index = m_list->indexAt(pos);
    if (!index.isValid())
        return;
    m_list->setCurrentIndex(index);
    QMenu menu(this);
    for (const char *name : {"open", "reveal", "copyPrompt", "copyImage", "reuse", "favourite", "varyRegion"})
        menu.addAction(m_actions.value(QLatin1String(name)));
    menu.addSeparator();
    menu.addAction(m_actions.value(QStringLiteral("delete")));
    menu.exec(m_list->viewport()->mapToGlobal(pos));
}

void HistoryView::openCurrent()
{
    if (const auto t = currentTask())
        emit openRequested(t->id);
}

void HistoryView::revealCurrent()
{
    const auto t = currentTask();
    const ImageRef *img = t ? mainImage(*t) : nullptr;
    if (!img)
        return;
    // Opening the folder is what every platform's file manager understands; selecting the file inside
    // it would need a different call on each.
    const QString folder = QFileInfo(m_archive.absolutePath(img->path)).absolutePath();
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(folder)))
        emit message(tr("Could not open %1").arg(QDir::toNativeSeparators(folder)), true);
}

void HistoryView::copyPrompt()
{
    if (const auto t = currentTask(); t && !t->prompt.isEmpty()) {
        QGuiApplication::clipboard()->setText(t->prompt);
        emit message(tr("Prompt copied"), false);
    }
}

void HistoryView::copyImage()
{
    const auto t = currentTask();
    const ImageRef *img = t ? mainImage(*t) : nullptr;
    if (!img)
        return;
    const QString path = m_archive.absolutePath(img->path);
    // Decoded on the pool: the GUI thread never decodes a full-size image.
    whenReady(this, QtConcurrent::run([path] {
                  QImageReader reader(path);
                  reader.setAutoTransform(true);
                  return reader.read();
              }),
              [this, path](const QImage &image) {
                  if (image.isNull()) {
                      emit message(tr("Could not read %1").arg(QDir::toNativeSeparators(path)), true);
                      return;
                  }
                  auto *mime = new QMimeData;
                  mime->setImageData(image);
                  mime->setUrls({QUrl::fromLocalFile(path)});
                  QGuiApplication::clipboard()->setMimeData(mime);
                  emit message(tr("Image copied"), false);
              });
}

void HistoryView::reuseParameters()
{
    auto t = currentTask();
    if (!t)
        return;
    // An action (U3, pan, vary region) has no parameters of its own: they are its imagine's.
    Task source = *t;
    for (int depth = 0; depth < kMaxLineage && isAction(source.operation.kind) && !source.parentId.isEmpty();
         ++depth) {
        const auto parent = m_store.task(source.parentId);
        if (!parent || !parent->has_value())
            break;
        source = **parent;
    }
    Operation op = source.operation;
    if (isAction(op.kind)) {
        // The imagine is gone (deleted): its prompt is still known.
        op = Operation::imagine(source.prompt);
    }
    if (op.prompt.isEmpty() && op.kind == OperationKind::Imagine)
        op.prompt = source.prompt;
    emit reuseRequested(op, source.accountId);
}

void HistoryView::toggleFavourite()
{
    const auto t = currentTask();
    if (!t)
        return;
    const bool favourite = !t->favourite;
    if (const Status s = m_store.setFavourite(t->id, favourite); !s) {
        emit message(s.error().message, true);
        updateActions();
        return;
    }
    Task updated = *t;
    updated.favourite = favourite;
    m_details->showTask(updated);
    m_model.setFavourite(t->id, favourite);
    // With "favourites only" on, an unmarked task leaves the list.
    if (!favourite && m_model.query().favouritesOnly)
        m_model.removeTask(t->id);
    updateActions();
}

void HistoryView::setAvailability(AvailabilityFn availability)
{
    m_availability = std::move(availability);
    updateActions();
}

Availability HistoryView::varyRegionAvailability(const Task &task, int tile) const
{
    if (!m_availability)
        return Availability::yes();
    Operation op;
    op.kind = OperationKind::Inpaint;
    op.parentTaskId = task.id;
    op.tile = tile;
    return m_availability(op, task);
}

void HistoryView::varyRegion(int tile)
{
    if (const auto t = currentTask())
        emit varyRegionRequested(t->id, tile);
}

void HistoryView::deleteCurrent()
{
    const auto t = currentTask();
    if (!t)
        return;
    if (isActive(t->state)) {
        emit message(tr("This task is still under way: cancel it first."), true);
        return;
    }
    const QString question
        = tr("Delete \u201C%1\u201D from the history?\n\nIts %n image file(s) will be moved to the trash.",
             nullptr, int(t->images.size()))
              .arg(t->title(60));
    if (!m_confirm(this, question))
        return;
    const auto files = m_store.deleteTask(t->id);
    if (!files) {
        emit message(files.error().message, true);
        return;
    }
    // The rows go first: a task whose files could not be moved must not stay listed with files half gone.
    const Result<int> trashed = m_archive.moveToTrash(*files);
    for (const ImageRef &img : t->images)
        m_thumbnails.forget(m_thumbnails.item(m_archive.absolutePath(img.path), img.hash, 0));
    m_model.removeTask(t->id);
    m_details->showTask(std::nullopt);
    updateActions();
    emit taskDeleted(t->id);
    if (trashed)
        emit message(tr("Task deleted; its files are in the trash"), false);
    else
        emit message(tr("Task deleted from the history, but its files stay in the archive: %1")
                         .arg(trashed.error().message),
                     true);
}

} // namespace tessera::ui
