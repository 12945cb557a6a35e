#include "imageviewer.h"

#include "common/futures.h"
#include "common/imagecache.h"
#include "common/screenfit.h"

#include <QFileInfo>
#include <QFuture>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace tessera::ui {

namespace {
constexpr double kMinZoom = 0.05;
constexpr double kMaxZoom = 16.0;
constexpr double kStep = 1.25;
} // namespace

ImageViewer::ImageViewer(const QString &path, const QString &title, QWidget *parent)
    : ImageViewer({Entry {path, QString()}}, 0, title, parent)
{ }

ImageViewer::ImageViewer(const QList<Entry> &images, int index, const QString &title, QWidget *parent)
    : QDialog(parent)
    , m_images(images)
    , m_index(std::clamp(index, 0, int(std::max<qsizetype>(1, images.size())) - 1))
    , m_title(title)
    , m_scroll(new QScrollArea(this))
    , m_label(new QLabel(this))
    , m_caption(new QLabel(this))
    , m_previous(new QToolButton(this))
    , m_next(new QToolButton(this))
{
    setAccessibleName(tr("Full-size image"));
    m_label->setAlignment(Qt::AlignCenter);
    m_scroll->setWidget(m_label);
    m_scroll->setAlignment(Qt::AlignCenter);
    m_scroll->setWidgetResizable(false);
    m_scroll->viewport()->installEventFilter(this);

    const auto button = [this](const QString &text, const QString &tip, auto slot) {
        auto *b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setAccessibleName(tip);
        b->setAutoRaise(true);
        connect(b, &QToolButton::clicked, this, slot);
        return b;
    };
    m_previous->setText(QStringLiteral("◀"));
    m_previous->setToolTip(tr("Previous image (←)"));
    m_previous->setAccessibleName(tr("Previous image"));
    m_previous->setAutoRaise(true);
    connect(m_previous, &QToolButton::clicked, this, [this] { showImage(m_index - 1); });
    m_next->setText(QStringLiteral("▶"));
    m_next->setToolTip(tr("Next image (→)"));
    m_next->setAccessibleName(tr("Next image"));
    m_next->setAutoRaise(true);
    connect(m_next, &QToolButton::clicked, this, [this] { showImage(m_index + 1); });
    m_caption->setAccessibleName(tr("Image, size and zoom"));
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(8, 4, 8, 4);
    bar->addWidget(m_previous);
    bar->addWidget(m_caption, 1);
    bar->addWidget(m_next);
    bar->addSpacing(12);
    bar->addWidget(button(QStringLiteral("−"), tr("Zoom out (−)"), [this] { setZoom(m_zoom / kStep); }));
    bar->addWidget(button(QStringLiteral("+"), tr("Zoom in (+)"), [this] { setZoom(m_zoom * kStep); }));
    bar->addWidget(button(tr("Fit"), tr("Fit the window (0)"), [this] { fit(); }));
    bar->addWidget(button(tr("100 %"), tr("Actual pixels (1)"), [this] { setZoom(1.0); }));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_scroll, 1);
    resizeWithinScreen(this, QSize(1000, 800), parent);
    load();
}

void ImageViewer::showImage(int index)
{
    if (index < 0 || index >= m_images.size() || index == m_index)
        return;
    m_index = index;
    load();
}

void ImageViewer::load()
{
    m_image = QImage();
    m_label->setPixmap(QPixmap());
    m_label->setText(tr("Loading…"));
    m_label->adjustSize();
    m_previous->setVisible(m_images.size() > 1);
    m_next->setVisible(m_images.size() > 1);
    m_previous->setEnabled(m_index > 0);
    m_next->setEnabled(m_index + 1 < m_images.size());
    render();
    const QString path = m_images.value(m_index).path;
    const int generation = ++m_loads;
    whenReady(this, QtConcurrent::run(&ImageCache::load, path, QSize(16384, 16384)),
              [this, path, generation](const QImage &image) {
                  if (generation != m_loads)
                      return;
                  m_image = image;
                  if (m_image.isNull()) {
                      m_label->setText(tr("Could not read %1").arg(path));
                      m_label->adjustSize();
                      return;
                  }
                  fit();
              });
}

QString ImageViewer::caption() const
{
    const Entry entry = m_images.value(m_index);
    QStringList parts;
    parts.append(entry.label.isEmpty() ? QFileInfo(entry.path).fileName() : entry.label);
    if (!m_image.isNull()) {
        parts.append(tr("%1 × %2").arg(m_image.width()).arg(m_image.height()));
        parts.append(tr("%1 %").arg(qRound(m_zoom * 100)));
    }
    return parts.join(QStringLiteral(" · "));
}

void ImageViewer::fit()
{
    if (m_image.isNull())
        return;
    const QSize area = m_scroll->viewport()->size() - QSize(4, 4);
    const double zx = double(area.width()) / m_image.width();
    const double zy = double(area.height()) / m_image.height();
    m_zoom = std::clamp(std::min({zx, zy, 1.0}), kMinZoom, kMaxZoom);
    m_fitting = true;
    render();
}

void ImageViewer::setZoom(double zoom)
{
    m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    m_fitting = false;
    render();
}

void ImageViewer::render()
{
    // The title names the image and the task ("Image 3 of 4 — “a harbour”"), the bar the rest.
    const Entry entry = m_images.value(m_index);
    const QString name = entry.label.isEmpty() ? QFileInfo(entry.path).fileName() : entry.label;
    setWindowTitle(m_title.isEmpty() ? name : tr("%1 — %2").arg(name, m_title));
    m_caption->setText(caption());
    if (m_image.isNull())
        return;
    const QSize size = (QSizeF(m_image.size()) * m_zoom).toSize().expandedTo(QSize(1, 1));
    const Qt::TransformationMode mode = m_zoom < 1.0 ? Qt::SmoothTransformation : Qt::FastTransformation;
    m_label->setPixmap(QPixmap::fromImage(m_image.scaled(size, Qt::KeepAspectRatio, mode)));
    m_label->resize(size);
}

void ImageViewer::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        setZoom(m_zoom * kStep);
        return;
    case Qt::Key_Minus:
        setZoom(m_zoom / kStep);
        return;
    case Qt::Key_0:
        fit();
        return;
    case Qt::Key_1:
        setZoom(1.0);
        return;
    case Qt::Key_Space:
        close();
        return;
    case Qt::Key_Left:
        showImage(m_index - 1);
        return;
    case Qt::Key_Right:
        showImage(m_index + 1);
        return;
    default:
        QDialog::keyPressEvent(event);
    }
}

bool ImageViewer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_scroll->viewport() && event->type() == QEvent::Wheel) {
        auto *wheel = static_cast<QWheelEvent *>(event);
        if (wheel->modifiers() & Qt::ControlModifier) {
            setZoom(wheel->angleDelta().y() > 0 ? m_zoom * kStep : m_zoom / kStep);
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void ImageViewer::resizeEvent(QResizeEvent *event)
{
    QDialog::resizeEvent(event);
    if (m_fitting)
        fit();
}

} // namespace tessera::ui
