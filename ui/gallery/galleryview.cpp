#include "galleryview.h"

#include "actionbar.h"
#include "common/futures.h"
#include "common/imagecache.h"
#include "imageviewer.h"
#include "lineagestrip.h"
#include "providers/providerregistry.h"
#include "storage/imagearchive.h"
#include "taskdetails.h"
#include "textresults.h"
#include "tilearea.h"
#include "tilewidget.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QFuture>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMimeData>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace tessera::ui {

namespace {

// Operations whose result is a video: while they run, the Gallery shows one placeholder, not four.
bool makesVideo(const Operation &op)
{
    return op.kind == OperationKind::Animate || op.kind == OperationKind::VideoExtend
        || (op.kind == OperationKind::Imagine
            && (op.type == GenerateType::Video || op.type == GenerateType::VideoHd));
}

} // namespace

GalleryView::GalleryView(const ProviderRegistry &providers, const ImageArchive &archive, ImageCache &cache,
                         QWidget *parent)
    : QWidget(parent)
    , m_providers(providers)
    , m_archive(archive)
    , m_cache(cache)
{
    setFocusPolicy(Qt::StrongFocus);
    setAccessibleName(tr("Gallery"));

    m_stack = new QStackedWidget(this);
    auto *empty
        = new QLabel(tr("<h3>Nothing to show yet</h3><p>Write a prompt in Compose and press "
                        "<b>Ctrl+Enter</b>.<br>Pick a task in the Queue or the History to see it here.</p>"),
                     m_stack);
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    m_stack->addWidget(empty);

    auto *content = new QWidget(m_stack);
    m_centre = new QStackedWidget(content);
    m_area = new TileArea(m_centre);
    for (int i = 0; i < 4; ++i) {
        auto *tile = new TileWidget(i + 1, m_cache, m_area);
        m_tiles[static_cast<std::size_t>(i)] = tile;
        connect(tile, &TileWidget::clicked, this, [this](int index) {
            selectTile(index);
            setFocus(Qt::MouseFocusReason);
        });
        connect(tile, &TileWidget::activated, this, [this](int index) {
            selectTile(index);
            openViewer();
        });
        connect(tile, &TileWidget::offspringActivated, this, &GalleryView::openTaskRequested);
    }
    m_single = new TileWidget(0, m_cache, m_area);
    m_single->setShowBadge(false);
    connect(m_single, &TileWidget::clicked, this, [this] { setFocus(Qt::MouseFocusReason); });
    connect(m_single, &TileWidget::activated, this, [this] { openViewer(); });
    connect(m_single, &TileWidget::offspringActivated, this, &GalleryView::openTaskRequested);

    m_bar = new ActionBar(m_area);
    m_area->setBar(m_bar);
    connect(m_bar, &ActionBar::triggered, this, [this](const Operation &templ) { trigger(templ); });
    connect(m_bar, &ActionBar::viewRequested, this, &GalleryView::openViewer);
    connect(m_bar, &ActionBar::playRequested, this, &GalleryView::openViewer);

    m_text = new TextResultView(m_centre);
    connect(m_text, &TextResultView::usePromptRequested, this, &GalleryView::usePromptRequested);
    connect(m_text, &TextResultView::message, this, &GalleryView::message);
    m_centre->addWidget(m_area);
    m_centre->addWidget(m_text);

    m_details = new QTextBrowser(content);
    m_details->setFrameShape(QFrame::NoFrame);
    m_details->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_details->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_details->viewport()->setAutoFillBackground(false);
    m_details->setStyleSheet(QStringLiteral("QTextBrowser { background: transparent; }"));
    m_details->setAccessibleName(tr("Task details"));
    m_details->setFocusPolicy(Qt::NoFocus);
    m_details->setOpenLinks(false);
    connect(m_details, &QTextBrowser::anchorClicked, this, [this](const QUrl &link) {
        if (link.scheme() != QLatin1String("copy"))
            return;
        const QString value = QUrl::fromPercentEncoding(link.path().toLatin1());
        QGuiApplication::clipboard()->setText(value);
        emit message(tr("Copied %1").arg(value));
    });
    m_details->setFixedWidth(220);

    m_lineage = new LineageStrip(archive, cache, content);
    connect(m_lineage, &LineageStrip::openRequested, this, &GalleryView::openTaskRequested);
    auto *column = new QVBoxLayout(content);
    column->setContentsMargins(8, 8, 8, 8);
    column->setSpacing(0);
    column->addWidget(m_lineage);
    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_centre, 1);
    row->addWidget(m_details);
    column->addLayout(row, 1);
    m_stack->addWidget(content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    clear();
}

void GalleryView::setDetailsWanted(bool wanted)
{
    m_detailsWanted = wanted;
    placeDetails();
}

bool GalleryView::detailsShown() const
{
    return m_detailsWanted && width() >= kRoomForDetails;
}

void GalleryView::placeDetails()
{
    m_details->setVisible(detailsShown());
}

void GalleryView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    placeDetails();
}

void GalleryView::clear()
{
    m_task.reset();
    m_stack->setCurrentIndex(0);
    refreshActions();
}

void GalleryView::showTask(const Task &task, const Account &account)
{
    const bool sameTask = m_task && m_task->id == task.id;
    m_task = task;
    m_account = account;
    if (!sameTask) {
        m_selected = 1;
        m_previousSelected = 0;
        m_waitingFor.clear();
        m_offspring.clear();
    }
    rebuild();
}

void GalleryView::updateTask(const Task &task)
{
    if (!m_task || m_task->id != task.id)
        return;
    m_task = task;
    rebuild();
}

void GalleryView::setWaitingFor(const QString &label)
{
    if (label == m_waitingFor)
        return;
    m_waitingFor = label;
    if (m_task)
        rebuild();
}

GalleryView::Shape GalleryView::shapeOf(const Task &t) const
{
    if (hasTextResult(t))
        return Shape::Text;
    if (!videos().isEmpty())
        return Shape::Videos;
    if (t.isGrid())
        return Shape::Grid;
    // A task that ended without images (failed, cancelled...) says why once, not on four empty tiles.
    if (t.image(0) != nullptr || t.operation.kind == OperationKind::Upscale || t.state == TaskState::Succeeded
        || makesVideo(t.operation) || (isTerminal(t.state) && t.images.isEmpty()))
        return Shape::Single;
    return Shape::Grid; // a grid still under way: four placeholders
}

QList<const ImageRef *> GalleryView::videos() const
{
    QList<const ImageRef *> found;
    if (!m_task)
        return found;
    for (const ImageRef &img : m_task->images) {
        if (img.role == ImageRole::Video)
            found.append(&img);
    }
    std::stable_sort(found.begin(), found.end(),
                     [](const ImageRef *a, const ImageRef *b) { return a->index < b->index; });
    return found.mid(0, 4);
}

QString GalleryView::placeholderText(int *progress) const
{
    const Task &t = *m_task;
    *progress = -1;
    switch (t.state) {
    case TaskState::Queued:
        return m_waitingFor.isEmpty() ? tr("Waiting for a free slot…")
                                      : tr("Waiting for %1 to finish…").arg(m_waitingFor);
    case TaskState::Submitting:
        return tr("Sending…");
    case TaskState::Submitted:
        *progress = 0;
        return tr("Queued at the provider…");
    case TaskState::Running:
        if (!t.progress)
            return tr("Generating…");
        *progress = *t.progress;
        return *progress >= 100 ? tr("Saving…") : tr("Generating… %1%").arg(*progress);
    case TaskState::Succeeded:
        return tr("This image could not be saved");
    default:
        return taskStateLabel(t.state) + (t.error ? QStringLiteral("\n") + t.error->userText() : QString());
    }
}

void GalleryView::rebuild()
{
    if (!m_task) {
        clear();
        return;
    }
    m_stack->setCurrentIndex(1);
    const Task &t = *m_task;
    m_shape = shapeOf(t);
    m_details->setHtml(taskDetailsHtml(t, m_account));
    if (m_shape == Shape::Text) {
        m_centre->setCurrentWidget(m_text);
        m_text->showTask(t);
        m_selected = 0;
        m_tileCount = 0;
        refreshActions();
        return;
    }
    m_centre->setCurrentWidget(m_area);
    int progress = -1;
    const QString placeholder = placeholderText(&progress);

    QList<TileWidget *> shown;
    QSize imageSize;
    if (m_shape == Shape::Videos) {
        const QList<const ImageRef *> files = videos();
        for (int i = 0; i < files.size(); ++i) {
            const ImageRef *video = files.at(i);
            TileWidget *tile = m_tiles[static_cast<std::size_t>(i)];
            if (video->isLocal()) {
                const QString size = QLocale().formattedDataSize(video->bytes);
                tile->setVideo(m_archive.absolutePath(video->path), video->size,
                               files.size() > 1 ? tr("Video %1 · %2").arg(i + 1).arg(size) : size);
            } else {
                tile->setPlaceholder(video->error.isEmpty() ? placeholder : video->error, progress);
            }
            shown.append(tile);
            if (!imageSize.isValid() && video->size.isValid())
                imageSize = video->size;
        }
        if (!imageSize.isValid())
            imageSize = QSize(16, 9);
    } else if (m_shape == Shape::Single) {
        const ImageRef *img = t.image(0);
        if (img && img->isLocal())
            m_single->setImage(m_archive.absolutePath(img->path), img->size);
        else
            m_single->setPlaceholder(img && !img->error.isEmpty() ? img->error : placeholder, progress);
        m_single->setSelected(false);
        if (img)
            imageSize = img->size;
        shown.append(m_single);
    } else {
        for (int i = 0; i < 4; ++i) {
            TileWidget *tile = m_tiles[static_cast<std::size_t>(i)];
            const ImageRef *img = t.image(i + 1);
            if (img && img->isLocal())
                tile->setImage(m_archive.absolutePath(img->path), img->size);
            else
                tile->setPlaceholder(img && !img->error.isEmpty() ? img->error : placeholder, progress);
            if (img && !imageSize.isValid())
                imageSize = img->size;
            shown.append(tile);
        }
    }
    m_tileCount = m_shape == Shape::Single ? 0 : static_cast<int>(shown.size());
    m_selected = m_shape == Shape::Single ? 0 : std::clamp(m_selected, 1, m_tileCount);
    m_single->setVisible(m_shape == Shape::Single);
    for (int i = 0; i < 4; ++i) {
        TileWidget *tile = m_tiles[static_cast<std::size_t>(i)];
        tile->setVisible(shown.contains(tile));
        tile->setSelected(i + 1 == m_selected);
    }
    m_area->setTiles(shown, imageSize);
    applyOffspring();
    refreshActions();
}

Availability GalleryView::selectAvailability(int tile) const
{
    if (!m_task)
        return Availability::no(tr("Select a task first"));
    if (m_shape == Shape::Text)
        return Availability::no(tr("This result is text, not images"));
    if (m_shape == Shape::Single)
        return Availability::no(tr("This result is a single image"));
    if (tile < 1 || tile > m_tileCount)
        return Availability::no(m_tileCount == 1 ? tr("This result has one image")
                                                 : tr("This result has %1 images").arg(m_tileCount));
    return Availability::yes();
}

Availability GalleryView::viewAvailability() const
{
    if (!m_task)
        return Availability::no(tr("Select a task first"));
    if (m_shape == Shape::Text)
        return Availability::no(tr("This result is text, not images"));
    if (selectedImagePath().isEmpty())
        return Availability::no(isActive(m_task->state) ? tr("The task has not finished yet")
                                                        : tr("This image is not in the archive"));
    return Availability::yes();
}

void GalleryView::selectTile(int tile)
{
    if (!selectAvailability(tile).enabled) {
        if (m_task)
            emit message(
                tr("Image %1 cannot be selected: %2").arg(tile).arg(selectAvailability(tile).reason));
        return;
    }
    if (tile != m_selected)
        m_previousSelected = m_selected;
    m_selected = tile;
    for (int i = 0; i < 4; ++i)
        m_tiles[static_cast<std::size_t>(i)]->setSelected(i + 1 == tile);
    refreshActions();
    emit selectionChanged();
}

void GalleryView::refreshActions()
{
    const ProviderAdapter *adapter = m_task ? m_providers.adapter(m_account.family) : nullptr;
    const Capabilities caps = adapter ? adapter->capabilities(m_account) : Capabilities();
    m_bar->refresh(caps, m_shape == Shape::Videos ? ActionBar::Mode::Video : ActionBar::Mode::Images,
                   m_selected, !selectedImagePath().isEmpty(),
                   [this](const Operation &templ) { return availability(templ); });
    for (TileWidget *tile : m_tiles) {
        tile->setHoverHint(m_shape == Shape::Videos
                               ? tr("%1 · Space to play").arg(tile->index())
                               : tr("%1 · U%1 · V%1 · Space to view").arg(tile->index()));
    }
    m_single->setHoverHint(tr("Space to view · Ctrl+C to copy"));
    m_area->relayout();
    emit actionsChanged();
}

QString GalleryView::selectedImagePath() const
{
    if (!m_task)
        return {};
    const ImageRef *img = nullptr;
    if (m_shape == Shape::Videos) {
        const QList<const ImageRef *> files = videos();
        img = m_selected >= 1 && m_selected <= files.size() ? files.at(m_selected - 1) : nullptr;
    } else if (m_shape == Shape::Grid || m_shape == Shape::Single) {
        img = m_task->image(m_shape == Shape::Grid ? m_selected : 0);
    }
    return img && img->isLocal() ? m_archive.absolutePath(img->path) : QString();
}

void GalleryView::openViewer()
{
    const QString path = selectedImagePath();
    if (path.isEmpty())
        return;
    if (m_shape == Shape::Videos) {
        // The system's player: Tessera has no video decoder of its own.
        if (!QDesktopServices::openUrl(QUrl::fromLocalFile(path)))
            emit message(tr("No application to play %1").arg(path));
        return;
    }
    // The images of this result, so that ← and → step through the grid; the selected one first.
    QList<ImageViewer::Entry> images;
    int index = 0;
    if (m_shape == Shape::Grid) {
        for (int tile = 1; tile <= m_tileCount; ++tile) {
            const ImageRef *img = m_task->image(tile);
            if (!img || !img->isLocal())
                continue;
            if (tile == m_selected)
                index = int(images.size());
            images.append(
                {m_archive.absolutePath(img->path), tr("Image %1 of %2").arg(tile).arg(m_tileCount)});
        }
    } else {
        images.append({path, m_task ? m_task->operation.label() : QString()});
    }
    auto *viewer = new ImageViewer(images, index, m_task ? m_task->title(60) : QString(), window());
    viewer->setAttribute(Qt::WA_DeleteOnClose);
    viewer->show();
}

void GalleryView::copyImage()
{
    const QString path = selectedImagePath();
    if (path.isEmpty())
        return;
    if (m_shape == Shape::Videos) {
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(path)});
        QGuiApplication::clipboard()->setMimeData(mime);
        emit message(tr("Video file copied"));
        return;
    }
    // Decoded on the pool (an upscale can be large); the clipboard is set back on this thread.
    whenReady(this, QtConcurrent::run(&ImageCache::load, path, QSize(16384, 16384)),
              [this, path](const QImage &image) {
                  if (image.isNull()) {
                      emit message(tr("Could not read %1").arg(path));
                      return;
                  }
                  QGuiApplication::clipboard()->setImage(image);
                  emit message(tr("Image copied"));
              });
}

void GalleryView::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    const Qt::KeyboardModifiers mods = event->modifiers() & ~Qt::KeypadModifier;
    const bool plain = mods == Qt::NoModifier;
    const bool arrow
        = key == Qt::Key_Left || key == Qt::Key_Right || key == Qt::Key_Up || key == Qt::Key_Down;
    if (plain && key >= Qt::Key_1 && key <= Qt::Key_4) {
        selectTile(key - Qt::Key_0);
        return;
    }
    if (mods == Qt::ControlModifier && key == Qt::Key_Down)
        return openNewestOffspring();
    if (mods == Qt::ControlModifier && key == Qt::Key_Up)
        return openParent();
    if (mods == Qt::AltModifier && arrow) {
        pan(key == Qt::Key_Left        ? QStringLiteral("left")
                : key == Qt::Key_Right ? QStringLiteral("right")
                : key == Qt::Key_Up    ? QStringLiteral("up")
                                       : QStringLiteral("down"));
        return;
    }
    if (plain && arrow && m_tileCount > 1) {
        int row = (m_selected - 1) / 2;
        int col = (m_selected - 1) % 2;
        if (key == Qt::Key_Left || key == Qt::Key_Right)
            col = 1 - col;
        else
            row = 1 - row;
        selectTile(row * 2 + col + 1);
        return;
    }
    if (plain && key == Qt::Key_U)
        return trigger(OperationKind::Upscale);
    if (plain && key == Qt::Key_V)
        return trigger(OperationKind::Vary);
    if (plain && key == Qt::Key_R)
        return trigger(OperationKind::Reroll);
    if (plain && key == Qt::Key_Z)
        return popupZoomMenu();
    if (plain && key == Qt::Key_E)
        return trigger(OperationKind::Inpaint);
    if (plain && key == Qt::Key_C)
        return compare();
    if (plain && (key == Qt::Key_Space || key == Qt::Key_Return || key == Qt::Key_Enter))
        return openViewer();
    if (event->matches(QKeySequence::Copy))
        return copyImage();
    QWidget::keyPressEvent(event);
}

} // namespace tessera::ui
