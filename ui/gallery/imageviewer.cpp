#include "imageviewer.h"

#include "common/futures.h"
#include "common/imagecache.h"

#include <QFileInfo>
#include <QFuture>
#include <QKeyEvent>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
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
    : QDialog(parent)
    , m_scroll(new QScrollArea(this))
    , m_label(new QLabel(this))
{
    setWindowTitle(title.isEmpty() ? QFileInfo(path).fileName() : title);
    setAccessibleName(tr("Full-size image"));
    m_label->setAlignment(Qt::AlignCenter);
    m_label->setText(tr("Loading…"));
    m_scroll->setWidget(m_label);
    m_scroll->setAlignment(Qt::AlignCenter);
    m_scroll->setWidgetResizable(false);
    m_scroll->viewport()->installEventFilter(this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_scroll);
    resize(1000, 800);

    whenReady(this, QtConcurrent::run(&ImageCache::load, path, QSize(16384, 16384)),
              [this, path](const QImage &image) {
                  m_image = image;
                  if (m_image.isNull()) {
                      m_label->setText(tr("Could not read %1").arg(path));
                      m_label->adjustSize();
                      return;
                  }
                  fit();
              });
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
    if (m_image.isNull())
        return;
    const QSize size = (QSizeF(m_image.size()) * m_zoom).toSize().expandedTo(QSize(1, 1));
    const Qt::TransformationMode mode = m_zoom < 1.0 ? Qt::SmoothTransformation : Qt::FastTransformation;
    m_label->setPixmap(QPixmap::fromImage(m_image.scaled(size, Qt::KeepAspectRatio, mode)));
    m_label->resize(size);
    setWindowTitle(windowTitle().section(QStringLiteral(" — "), 0, 0)
                   + QStringLiteral(" — %1%").arg(qRound(m_zoom * 100)));
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
