#include "comparedialog.h"

#include "common/futures.h"
#include "common/imagecache.h"
#include "common/screenfit.h"

#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace tessera::ui {

CompareDialog::CompareDialog(const Side &left, const Side &right, QWidget *parent)
    : QDialog(parent)
    , m_sides {left, right}
    , m_single(new QLabel(this))
    , m_singleName(new QLabel(this))
    , m_modes(new QStackedWidget(this))
{
    setWindowTitle(tr("Compare: %1 and %2").arg(left.label, right.label));
    setAccessibleName(tr("Compare two images"));
    auto *sideBySide = new QWidget(m_modes);
    auto *grid = new QGridLayout(sideBySide);
    for (int i = 0; i < 2; ++i) {
        m_pictures[i] = new QLabel(tr("Loading…"), sideBySide);
        m_pictures[i]->setAlignment(Qt::AlignCenter);
        m_pictures[i]->setMinimumSize(120, 120);
        m_pictures[i]->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
        m_names[i] = new QLabel(m_sides[i].label, sideBySide);
        m_names[i]->setAlignment(Qt::AlignCenter);
        grid->addWidget(m_pictures[i], 0, i);
        grid->addWidget(m_names[i], 1, i);
    }
    grid->setRowStretch(0, 1);
    auto *flicker = new QWidget(m_modes);
    auto *column = new QVBoxLayout(flicker);
    m_single->setAlignment(Qt::AlignCenter);
    m_single->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    m_singleName->setAlignment(Qt::AlignCenter);
    column->addWidget(m_single, 1);
    column->addWidget(m_singleName);
    m_modes->addWidget(sideBySide);
    m_modes->addWidget(flicker);
    auto *hint = new QLabel(tr("F: side by side / in turn · Space: the other one · Esc: close"), this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_modes, 1);
    layout->addWidget(hint);
    resizeWithinScreen(this, QSize(1100, 700), parent);
    for (int i = 0; i < 2; ++i) {
        whenReady(this, QtConcurrent::run(&ImageCache::load, m_sides[i].path, QSize(4096, 4096)),
                  [this, i](const QImage &image) {
                      m_images[i] = image;
                      if (image.isNull())
                          m_pictures[i]->setText(tr("Could not read %1").arg(m_sides[i].path));
                      render();
                  });
    }
}

void CompareDialog::setFlicker(bool on)
{
    m_flicker = on;
    m_modes->setCurrentIndex(on ? 1 : 0);
    render();
}

void CompareDialog::showOther()
{
    m_shown = 1 - m_shown;
    render();
}

void CompareDialog::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_F) {
        setFlicker(!m_flicker);
        return;
    }
    if (event->key() == Qt::Key_Space) {
        if (!m_flicker)
            setFlicker(true);
        else
            showOther();
        return;
    }
    QDialog::keyPressEvent(event);
}

void CompareDialog::resizeEvent(QResizeEvent *event)
{
    QDialog::resizeEvent(event);
    render();
}

void CompareDialog::render()
{
    const auto scaled = [](const QImage &image, QSize room) {
        return image.isNull() || room.isEmpty()
            ? QPixmap()
            : QPixmap::fromImage(image.scaled(room, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    };
    if (m_flicker) {
        m_single->setPixmap(scaled(m_images[m_shown], m_single->size()));
        m_singleName->setText(tr("%1 (%2 of 2)").arg(m_sides[m_shown].label).arg(m_shown + 1));
        return;
    }
    for (int i = 0; i < 2; ++i) {
        if (!m_images[i].isNull())
            m_pictures[i]->setPixmap(scaled(m_images[i], m_pictures[i]->size()));
    }
}

} // namespace tessera::ui
