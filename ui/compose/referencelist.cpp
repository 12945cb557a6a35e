#include "referencelist.h"

#include "common/futures.h"
#include "tasks/references.h"

#include <QBuffer>
#include <QClipboard>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFuture>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QImageReader>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QPixmap>
#include <QPushButton>
#include <QStyle>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace tessera::ui {

namespace {

constexpr int kThumb = 32;
enum Role { ReferenceRole = Qt::UserRole + 1, PendingRole, IdRole, LabelRole };

bool isUrl(const QString &text)
{
    return text.startsWith(QLatin1String("http://"), Qt::CaseInsensitive)
        || text.startsWith(QLatin1String("https://"), Qt::CaseInsensitive)
        || text.startsWith(QLatin1String("data:"), Qt::CaseInsensitive);
}

// "1 image", "5 images": spelled out because no English translation file supplies %n plurals.
QString imageCount(int n)
{
    return n == 1 ? ReferenceList::tr("1 image") : ReferenceList::tr("%1 images").arg(n);
}

QString shortLabel(const QString &url)
{
    if (url.startsWith(QLatin1String("data:"), Qt::CaseInsensitive))
        return ReferenceList::tr("image data (%1 KB)").arg(url.size() * 3 / 4 / 1024);
    const QUrl parsed(url);
    const QString name = parsed.fileName();
    return parsed.host() + (name.isEmpty() ? QString() : QStringLiteral(" · ") + name);
}

// What the pool hands back for one entry: the reference to send and a thumbnail, or why not.
struct Resolved
{
    QString reference;
    QImage thumb;
    QString error;
};

Resolved readFile(const QString &path)
{
    const Result<QString> ref = resolveReference(path);
    if (!ref)
        return {{}, {}, ref.error().message};
    QImageReader reader(path);
    const QSize size = reader.size();
    if (size.isValid())
        reader.setScaledSize(size.scaled(kThumb, kThumb, Qt::KeepAspectRatio));
    return {*ref, reader.read(), {}};
}

Resolved encodeImage(const QImage &image)
{
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG"))
        return {{}, {}, ReferenceList::tr("references: the pasted image could not be encoded")};
    return {QStringLiteral("data:image/png;base64,") + QString::fromLatin1(png.toBase64()),
            image.scaled(kThumb, kThumb, Qt::KeepAspectRatio, Qt::SmoothTransformation),
            {}};
}

} // namespace

ReferenceList::ReferenceList(QWidget *parent)
    : QWidget(parent)
    , m_list(new QListWidget(this))
    , m_addFiles(new QPushButton(tr("Add files…"), this))
    , m_addUrl(new QPushButton(tr("URL…"), this))
    , m_remove(new QPushButton(tr("Remove"), this))
    , m_hint(new QLabel(this))
{
    setAcceptDrops(true);
    m_list->setAccessibleName(tr("Reference images"));
    m_list->setIconSize(QSize(kThumb, kThumb));
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setTextElideMode(Qt::ElideMiddle);
    m_list->setMaximumHeight(4 * (kThumb + 6) + 4);
    m_list->setMinimumHeight(kThumb + 12);
    m_list->installEventFilter(this);
    m_addFiles->setToolTip(tr("Choose image files (PNG, JPEG, WebP, GIF)"));
    m_addUrl->setToolTip(tr("Add an image by its https:// address"));
    m_remove->setToolTip(tr("Remove the selected images (Delete)"));
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(QStringLiteral("color: palette(placeholder-text);"));

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(4);
    buttons->addWidget(m_addFiles);
    buttons->addWidget(m_addUrl);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_list);
    layout->addLayout(buttons);
    layout->addWidget(m_hint);

    connect(m_addFiles, &QPushButton::clicked, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(
            this, tr("Add reference images"), QString(), tr("Images (*.png *.jpg *.jpeg *.webp *.gif)"));
        for (const QString &f : files)
            addReference(f);
    });
    connect(m_addUrl, &QPushButton::clicked, this, &ReferenceList::askUrl);
    connect(m_remove, &QPushButton::clicked, this, &ReferenceList::removeSelected);
    connect(m_list, &QListWidget::itemSelectionChanged, this,
            [this] { m_remove->setEnabled(!m_list->selectedItems().isEmpty()); });
    m_remove->setEnabled(false);
    refreshHint();
}

void ReferenceList::setLimits(int minimum, int maximum)
{
    m_min = minimum;
    m_max = maximum;
    refreshHint();
}

void ReferenceList::setLocalFilesAccepted(bool accepted, const QString &why)
{
    m_localAccepted = accepted;
    m_localRefusal = why;
    refreshHint();
}

void ReferenceList::refreshHint()
{
    QString limits;
    if (m_min == m_max)
        limits = imageCount(m_max);
    else if (m_min > 0)
        limits = tr("%1–%2 images").arg(m_min).arg(m_max);
    else
        limits = tr("up to %1").arg(imageCount(m_max));
    QString hint = m_localAccepted ? tr("Drop, paste or add images or links")
                                   : tr("Paste or drop image links (https://)");
    hint += QStringLiteral(" — ") + limits;
    if (count() > 0)
        hint += tr(", %1 added").arg(count());
    hint += QLatin1Char('.');
    m_hint->setText(hint);
    m_addFiles->setEnabled(m_localAccepted);
    m_addFiles->setToolTip(m_localAccepted ? tr("Choose image files (PNG, JPEG, WebP, GIF)")
                                           : m_localRefusal);
}

QStringList ReferenceList::references() const
{
    QStringList refs;
    for (int i = 0; i < m_list->count(); ++i) {
        const QString ref = m_list->item(i)->data(ReferenceRole).toString();
        if (!ref.isEmpty())
            refs.append(ref);
    }
    return refs;
}

QStringList ReferenceList::names() const
{
    QStringList names;
    for (int i = 0; i < m_list->count(); ++i) {
        const QListWidgetItem *item = m_list->item(i);
        const QString ref = item->data(ReferenceRole).toString();
        if (ref.isEmpty())
            continue;
        const QString label = item->data(LabelRole).toString();
        names.append(label.isEmpty() ? referenceName(ref) : label);
    }
    return names;
}

int ReferenceList::count() const
{
    return m_list->count();
}

int ReferenceList::pendingCount() const
{
    int pending = 0;
    for (int i = 0; i < m_list->count(); ++i)
        pending += m_list->item(i)->data(PendingRole).toBool() ? 1 : 0;
    return pending;
}

bool ReferenceList::roomForMore()
{
    if (count() < m_max)
        return true;
    emit problem(tr("references: at most %1 here").arg(imageCount(m_max)));
    return false;
}

int ReferenceList::addPending(const QString &label, const QString &source)
{
    static int nextId = 0;
    auto *item = new QListWidgetItem(tr("%1 — reading…").arg(label), m_list);
    item->setToolTip(source);
    item->setData(PendingRole, true);
    item->setData(IdRole, ++nextId);
    item->setData(LabelRole, label);
    refreshHint();
    emit changed();
    return nextId;
}

void ReferenceList::addReference(const QString &fileOrUrl)
{
    const QString text = fileOrUrl.trimmed();
    if (text.isEmpty() || !roomForMore())
        return;
    if (isUrl(text)) {
        auto *item = new QListWidgetItem(shortLabel(text), m_list);
        item->setToolTip(text.startsWith(QLatin1String("data:")) ? item->text() : text);
        item->setData(ReferenceRole, text);
        item->setIcon(style()->standardIcon(QStyle::SP_FileLinkIcon));
        refreshHint();
        emit changed();
        return;
    }
    if (!m_localAccepted) {
        emit problem(m_localRefusal);
        return;
    }
    const QString path = text.startsWith(QLatin1String("file:")) ? QUrl(text).toLocalFile() : text;
    const int id = addPending(QFileInfo(path).fileName(), path);
    whenReady(this, QtConcurrent::run(&readFile, path),
              [this, id](const Resolved &r) { finish(id, r.reference, r.thumb, r.error); });
}

void ReferenceList::addImage(const QImage &image)
{
    if (image.isNull() || !roomForMore())
        return;
    if (!m_localAccepted) {
        emit problem(m_localRefusal);
        return;
    }
    const int id = addPending(tr("pasted image %1×%2").arg(image.width()).arg(image.height()),
                              tr("An image from the clipboard"));
    whenReady(this, QtConcurrent::run(&encodeImage, image),
              [this, id](const Resolved &r) { finish(id, r.reference, r.thumb, r.error); });
}

void ReferenceList::finish(int id, const QString &reference, const QImage &thumb, const QString &error)
{
    QListWidgetItem *item = nullptr;
    for (int i = 0; i < m_list->count() && !item; ++i) {
        if (m_list->item(i)->data(IdRole).toInt() == id)
            item = m_list->item(i);
    }
    if (!item)
        return; // removed while it was being read
    if (!error.isEmpty()) {
        delete item;
        refreshHint();
        emit problem(error);
        emit changed();
        return;
    }
    item->setText(item->data(LabelRole).toString());
    item->setData(PendingRole, false);
    item->setData(ReferenceRole, reference);
    if (!thumb.isNull())
        item->setIcon(QPixmap::fromImage(thumb));
    emit changed();
}

bool ReferenceList::addMime(const QMimeData *mime)
{
    if (!mime)
        return false;
    if (mime->hasUrls()) {
        for (const QUrl &url : mime->urls())
            addReference(url.isLocalFile() ? url.toLocalFile() : url.toString());
        return !mime->urls().isEmpty();
    }
    if (mime->hasImage()) {
        addImage(qvariant_cast<QImage>(mime->imageData()));
        return true;
    }
    bool any = false;
    for (const QString &line : mime->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (isUrl(line.trimmed())) {
            addReference(line.trimmed());
            any = true;
        }
    }
    return any;
}

void ReferenceList::clear()
{
    m_list->clear();
    refreshHint();
    emit changed();
}

void ReferenceList::askUrl()
{
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Add an image URL"));
    dialog->setLabelText(tr("Image address (https://…):"));
    connect(dialog, &QInputDialog::textValueSelected, this, [this](const QString &text) {
        if (!isUrl(text.trimmed())) {
            emit problem(tr("references: \"%1\" is not an http(s) address").arg(text.trimmed()));
            return;
        }
        addReference(text);
    });
    dialog->open();
}

void ReferenceList::removeSelected()
{
    qDeleteAll(m_list->selectedItems());
    refreshHint();
    emit changed();
}

void ReferenceList::dragEnterEvent(QDragEnterEvent *event)
{
    const QMimeData *mime = event->mimeData();
    if (mime->hasUrls() || mime->hasImage() || mime->hasText())
        event->acceptProposedAction();
}

void ReferenceList::dropEvent(QDropEvent *event)
{
    if (addMime(event->mimeData()))
        event->acceptProposedAction();
}

bool ReferenceList::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_list && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Paste)) {
            if (!addMime(QGuiApplication::clipboard()->mimeData()))
                emit problem(tr("references: the clipboard holds no image and no link"));
            return true;
        }
        if (key->matches(QKeySequence::Delete) || key->key() == Qt::Key_Backspace) {
            removeSelected();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace tessera::ui
