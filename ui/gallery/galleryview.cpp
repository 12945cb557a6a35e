#include "galleryview.h"

#include "common/imagecache.h"
#include "imageviewer.h"
#include "providers/providerregistry.h"
#include "storage/imagearchive.h"
#include "tilewidget.h"

#include <QClipboard>
#include <QFuture>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace tessera::ui {

// Lays out four tiles (2×2) or one, as large as fits while keeping the images' aspect ratio, with the
// action bar right below them so that the buttons stay next to the pictures they act on.
class TileArea : public QWidget
{
public:
    explicit TileArea(QWidget *parent)
        : QWidget(parent)
    {
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    }
    void setBar(QWidget *bar)
    {
        m_bar = bar;
        m_bar->setParent(this);
        relayout();
    }
    void setTiles(QList<TileWidget *> tiles, QSize imageSize)
    {
        m_tiles = std::move(tiles);
        m_imageSize = imageSize.isValid() && !imageSize.isEmpty() ? imageSize : QSize(1, 1);
        relayout();
    }
    QSize sizeHint() const override { return {640, 680}; }

protected:
    void resizeEvent(QResizeEvent *) override { relayout(); }

private:
    void relayout()
    {
        if (m_tiles.isEmpty())
            return;
        const int barHeight = m_bar ? m_bar->sizeHint().height() + 8 : 0;
        const int columns = m_tiles.size() == 4 ? 2 : 1;
        const QSize cellArea(width() / columns, std::max(1, (height() - barHeight) / columns));
        const QSize cell = m_imageSize.scaled(cellArea, Qt::KeepAspectRatio);
        const int blockHeight = cell.height() * columns + barHeight;
        const QPoint origin((width() - cell.width() * columns) / 2,
                            std::max(0, (height() - blockHeight) / 2));
        for (int i = 0; i < m_tiles.size(); ++i) {
            const int row = i / columns;
            const int col = i % columns;
            m_tiles[i]->setGeometry(QRect(origin + QPoint(col * cell.width(), row * cell.height()), cell));
        }
        if (m_bar) {
            m_bar->setGeometry(0, origin.y() + cell.height() * columns + 8, width(), barHeight - 8);
            m_bar->raise();
        }
    }

    QList<TileWidget *> m_tiles;
    QSize m_imageSize {1, 1};
    QWidget *m_bar = nullptr;
};

namespace {

QPushButton *actionButton(const QString &text, const QString &accessible, QWidget *parent)
{
    auto *b = new QPushButton(text, parent);
    b->setAccessibleName(accessible);
    b->setFocusPolicy(Qt::NoFocus); // keys go to the Gallery, which acts on the selection
    b->setMinimumWidth(64);
    return b;
}

QString escaped(const QString &s)
{
    return s.toHtmlEscaped();
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
    m_area = new TileArea(content);
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
    }
    m_single = new TileWidget(0, m_cache, m_area);
    m_single->setShowBadge(false);
    connect(m_single, &TileWidget::clicked, this, [this] { setFocus(Qt::MouseFocusReason); });
    connect(m_single, &TileWidget::activated, this, [this] { openViewer(); });

    m_upscale = actionButton(tr("U"), tr("Upscale"), content);
    m_vary = actionButton(tr("V"), tr("Vary"), content);
    m_reroll = actionButton(tr("↻ Reroll"), tr("Reroll"), content);
    m_view = actionButton(tr("View"), tr("View full size"), content);
    m_view->setToolTip(tr("Open the selected image at full size (Space)"));
    connect(m_upscale, &QPushButton::clicked, this, [this] { trigger(OperationKind::Upscale); });
    connect(m_vary, &QPushButton::clicked, this, [this] { trigger(OperationKind::Vary); });
    connect(m_reroll, &QPushButton::clicked, this, [this] { trigger(OperationKind::Reroll); });
    connect(m_view, &QPushButton::clicked, this, &GalleryView::openViewer);

    auto *barWidget = new QWidget(content);
    auto *bar = new QHBoxLayout(barWidget);
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addStretch();
    bar->addWidget(m_upscale);
    bar->addWidget(m_vary);
    bar->addWidget(m_reroll);
    bar->addSpacing(16);
    bar->addWidget(m_view);
    bar->addStretch();
    m_area->setBar(barWidget);

    auto *left = new QVBoxLayout;
    left->addWidget(m_area, 1);

    m_details = new QTextBrowser(content);
    m_details->setFrameShape(QFrame::NoFrame);
    m_details->setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    m_details->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_details->viewport()->setAutoFillBackground(false);
    m_details->setStyleSheet(QStringLiteral("QTextBrowser { background: transparent; }"));
    m_details->setAccessibleName(tr("Task details"));
    m_details->setFocusPolicy(Qt::NoFocus);
    m_details->setOpenLinks(false);
    m_details->setFixedWidth(230);

    auto *row = new QHBoxLayout(content);
    row->setContentsMargins(8, 8, 8, 8);
    row->addLayout(left, 1);
    row->addWidget(m_details);
    m_stack->addWidget(content);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    clear();
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
    if (!sameTask)
        m_selected = task.tile > 0 && !task.isGrid() ? 0 : 1;
    rebuild();
}

void GalleryView::updateTask(const Task &task)
{
    if (!m_task || m_task->id != task.id)
        return;
    m_task = task;
    rebuild();
}

void GalleryView::rebuild()
{
    if (!m_task) {
        clear();
        return;
    }
    m_stack->setCurrentIndex(1);
    const Task &t = *m_task;
    // A grid shows four tiles; an upscale (or a task still under way for one) shows one image.
    const bool single = !t.isGrid()
        && (t.image(0) != nullptr || t.operation.kind == OperationKind::Upscale
            || t.state == TaskState::Succeeded);
    QString placeholder;
    int progress = -1;
    switch (t.state) {
    case TaskState::Queued:
        placeholder = tr("Waiting for a free slot…");
        break;
    case TaskState::Submitting:
        placeholder = tr("Sending…");
        break;
    case TaskState::Submitted:
        placeholder = tr("Queued at the provider…");
        progress = 0;
        break;
    case TaskState::Running:
        progress = t.progress.value_or(0);
        placeholder = progress >= 100 ? tr("Saving images…") : tr("Generating… %1%").arg(progress);
        break;
    case TaskState::Succeeded:
        placeholder = tr("This image could not be saved");
        break;
    default:
        placeholder
            = taskStateLabel(t.state) + (t.error ? QStringLiteral("\n") + t.error->userText() : QString());
        break;
    }

    QSize imageSize;
    for (const ImageRef &img : t.images) {
        if ((single && img.role == ImageRole::Upscale) || (!single && img.role == ImageRole::Tile)) {
            imageSize = img.size;
            break;
        }
    }
    if (single) {
        const ImageRef *img = t.image(0);
        if (img && img->isLocal())
            m_single->setImage(m_archive.absolutePath(img->path), img->size);
        else
            m_single->setPlaceholder(img && !img->error.isEmpty() ? img->error : placeholder, progress);
        m_single->setSelected(false);
        m_single->show();
        for (TileWidget *tile : m_tiles)
            tile->hide();
        m_area->setTiles({m_single}, imageSize);
        m_selected = 0;
    } else {
        m_single->hide();
        for (int i = 0; i < 4; ++i) {
            TileWidget *tile = m_tiles[static_cast<std::size_t>(i)];
            const ImageRef *img = t.image(i + 1);
            if (img && img->isLocal())
                tile->setImage(m_archive.absolutePath(img->path), img->size);
            else
                tile->setPlaceholder(img && !img->error.isEmpty() ? img->error : placeholder, progress);
            tile->setSelected(i + 1 == m_selected);
            tile->show();
        }
        m_area->setTiles({m_tiles.begin(), m_tiles.end()}, imageSize);
        if (m_selected < 1)
            m_selected = 1;
    }
    refreshActions();
    refreshDetails();
}

void GalleryView::selectTile(int tile)
{
    if (!m_task || !m_task->isGrid() || tile < 1 || tile > 4)
        return;
    m_selected = tile;
    for (int i = 0; i < 4; ++i)
        m_tiles[static_cast<std::size_t>(i)]->setSelected(i + 1 == tile);
    refreshActions();
    emit selectionChanged();
}

Operation GalleryView::operationFor(OperationKind kind) const
{
    Operation op = Operation::action(kind, m_task ? m_task->id : QString(),
                                     kind == OperationKind::Reroll ? 0 : m_selected);
    return op;
}

Availability GalleryView::availability(OperationKind kind) const
{
    if (!m_task)
        return Availability::no(tr("Select a task first"));
    const ProviderAdapter *adapter = m_providers.adapter(m_account.family);
    if (!adapter)
        return Availability::no(tr("This build has no \"%1\" provider").arg(m_account.family));
    return adapter->availability(operationFor(kind), &*m_task, m_account);
}

void GalleryView::trigger(OperationKind kind)
{
    const Availability a = availability(kind);
    const Operation op = operationFor(kind);
    if (!a.enabled) {
        emit message(tr("%1 is not available: %2").arg(op.label(), a.reason));
        return;
    }
    emit actionRequested(op, m_account.id);
}

void GalleryView::refreshActions()
{
    const auto setup
        = [this](QPushButton *button, OperationKind kind, const QString &what, const QString &key) {
              const Availability a = availability(kind);
              button->setEnabled(a.enabled);
              button->setToolTip(a.enabled ? tr("%1 (%2)").arg(what, key)
                                           : tr("%1 (%2) — %3").arg(what, key, a.reason));
          };
    const QString n = m_selected > 0 ? QString::number(m_selected) : QString();
    m_upscale->setText(tr("U%1").arg(n));
    m_vary->setText(tr("V%1").arg(n));
    setup(m_upscale, OperationKind::Upscale, tr("Upscale image %1").arg(n), QStringLiteral("U"));
    setup(m_vary, OperationKind::Vary, tr("Make variations of image %1").arg(n), QStringLiteral("V"));
    setup(m_reroll, OperationKind::Reroll, tr("Run the prompt again"), QStringLiteral("R"));
    m_view->setEnabled(!selectedImagePath().isEmpty());
    for (TileWidget *tile : m_tiles)
        tile->setHoverHint(tr("%1 · U%2 · V%2 · Space to view").arg(tile->index()).arg(tile->index()));
    m_single->setHoverHint(tr("Space to view · Ctrl+C to copy"));
}

void GalleryView::refreshDetails()
{
    if (!m_task) {
        m_details->clear();
        return;
    }
    const Task &t = *m_task;
    const Operation &op = t.operation;
    QLocale locale;
    QString html = QStringLiteral("<h3>%1</h3>").arg(escaped(op.label()));
    html += QStringLiteral("<p>%1</p>").arg(escaped(t.prompt));
    const auto row = [&html](const QString &name, const QString &value) {
        if (!value.isEmpty())
            html += QStringLiteral(
                        "<tr><td style='padding-right:8px; color:palette(mid)'>%1</td><td>%2</td></tr>")
                        .arg(name.toHtmlEscaped(), value.toHtmlEscaped());
    };
    html += QStringLiteral("<table cellspacing='2'>");
    row(tr("State"),
        taskStateLabel(t.state)
            + (t.progress && isActive(t.state) ? QStringLiteral(" %1%").arg(*t.progress) : QString()));
    row(tr("Account"), m_account.displayName());
    row(tr("Aspect"), op.aspectRatio);
    row(tr("Version"), op.version);
    row(tr("Speed"), op.speed);
    row(tr("Chaos"), op.chaos ? QString::number(*op.chaos) : QString());
    row(tr("Stylize"), op.stylize ? QString::number(*op.stylize) : QString());
    row(tr("Weird"), op.weird ? QString::number(*op.weird) : QString());
    row(tr("Seed"), op.seed ? QString::number(*op.seed) : t.remote.value(QStringLiteral("seed")).toString());
    row(tr("Created"), locale.toString(t.created.toLocalTime(), QLocale::ShortFormat));
    if (t.finished.isValid() && isTerminal(t.state)) {
        const qint64 secs = t.created.secsTo(t.finished);
        row(tr("Took"), secs < 60 ? tr("%1 s").arg(secs) : tr("%1 min %2 s").arg(secs / 60).arg(secs % 60));
    }
    row(tr("Task id"), t.id);
    row(tr("Provider id"), t.remoteId);
    html += QStringLiteral("</table>");
    if (t.error)
        html += QStringLiteral("<p style='color:#c0392b'>%1</p>").arg(escaped(t.error->userText()));
    m_details->setHtml(html);
}

QString GalleryView::selectedImagePath() const
{
    if (!m_task)
        return {};
    const ImageRef *img = m_task->image(m_task->isGrid() ? m_selected : 0);
    return img && img->isLocal() ? m_archive.absolutePath(img->path) : QString();
}

void GalleryView::openViewer()
{
    const QString path = selectedImagePath();
    if (path.isEmpty())
        return;
    auto *viewer = new ImageViewer(path, m_task ? m_task->title(60) : QString(), window());
    viewer->setAttribute(Qt::WA_DeleteOnClose);
    viewer->show();
}

void GalleryView::copyImage()
{
    const QString path = selectedImagePath();
    if (path.isEmpty())
        return;
    // Decoded on the pool (an upscale can be large); the clipboard is set back on this thread.
    QtConcurrent::run(&ImageCache::load, path, QSize(16384, 16384))
        .then(this, [this, path](const QImage &image) {
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
    const bool plain = (event->modifiers() & ~Qt::KeypadModifier) == Qt::NoModifier;
    if (plain && key >= Qt::Key_1 && key <= Qt::Key_4) {
        selectTile(key - Qt::Key_0);
        return;
    }
    if (plain && m_task && m_task->isGrid()
        && (key == Qt::Key_Left || key == Qt::Key_Right || key == Qt::Key_Up || key == Qt::Key_Down)) {
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
    if (plain && (key == Qt::Key_Space || key == Qt::Key_Return || key == Qt::Key_Enter))
        return openViewer();
    if (event->matches(QKeySequence::Copy))
        return copyImage();
    QWidget::keyPressEvent(event);
}

} // namespace tessera::ui
