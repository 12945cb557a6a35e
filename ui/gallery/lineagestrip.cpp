#include "lineagestrip.h"

#include "common/imagecache.h"
#include "storage/imagearchive.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

namespace tessera::ui {

namespace {

constexpr int kThumb = 36;

} // namespace

LineageStrip::LineageStrip(const ImageArchive &archive, ImageCache &cache, QWidget *parent)
    : QWidget(parent)
    , m_archive(archive)
    , m_cache(cache)
    , m_row(new QHBoxLayout(this))
{
    setAccessibleName(tr("Lineage"));
    m_row->setContentsMargins(0, 0, 0, 4);
    m_row->setSpacing(2);
    // Thumbnails arrive from the pool: draw them as they do.
    connect(&m_cache, &ImageCache::ready, this, [this](const QString &path) {
        for (const Task &t : std::as_const(m_path)) {
            const ImageRef *img = t.thumbnailImage();
            if (img && img->isLocal() && m_archive.absolutePath(img->path) == path) {
                rebuild();
                return;
            }
        }
    });
    hide();
}

void LineageStrip::setPath(const QList<Task> &path)
{
    m_path = path;
    rebuild();
}

void LineageStrip::rebuild()
{
    // Later, not now: the click that asked for another task may still be on its way out of a button.
    while (QLayoutItem *item = m_row->takeAt(0)) {
        if (QWidget *w = item->widget()) {
            w->hide();
            w->deleteLater();
        }
        delete item;
    }
    setVisible(m_path.size() > 1);
    if (m_path.size() <= 1)
        return;
    for (qsizetype i = 0; i < m_path.size(); ++i) {
        const Task &t = m_path.at(i);
        if (i > 0) {
            auto *arrow = new QLabel(QStringLiteral("→"), this);
            arrow->setForegroundRole(QPalette::PlaceholderText);
            m_row->addWidget(arrow);
        }
        auto *step = new QToolButton(this);
        step->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        step->setAutoRaise(true);
        step->setIconSize(QSize(kThumb, kThumb));
        const QString label
            = t.operation.kind == OperationKind::Imagine ? tr("Imagine") : t.operation.label();
        step->setText(label);
        step->setToolTip(t.title(80));
        step->setAccessibleName(tr("Step %1 of %2: %3").arg(i + 1).arg(m_path.size()).arg(label));
        if (const ImageRef *img = t.thumbnailImage(); img && img->isLocal()) {
            const QPixmap pm = m_cache.pixmap(m_archive.absolutePath(img->path),
                                              QSize(kThumb, kThumb) * devicePixelRatioF());
            if (!pm.isNull())
                step->setIcon(QIcon(pm));
        }
        const bool current = i == m_path.size() - 1;
        step->setCheckable(true);
        step->setChecked(current);
        if (current) {
            QFont bold = step->font();
            bold.setBold(true);
            step->setFont(bold);
        }
        const QString id = t.id;
        connect(step, &QToolButton::clicked, this, [this, id, current] {
            if (!current)
                emit openRequested(id);
        });
        m_row->addWidget(step);
    }
    m_row->addStretch(1);
}

} // namespace tessera::ui
