#include "varyregiondialog.h"

#include "common/futures.h"
#include "tasks/references.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QFuture>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPixmap>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace tessera::ui {

namespace {

constexpr int kPreviewSide = 160;

// What the pool hands back: the mask bytes and a small preview, or why the file cannot be used.
struct LoadedMask
{
    QByteArray bytes;
    QImage preview;
    QSize size;
    QString error;
};

LoadedMask readMask(const QString &path)
{
    const Result<QByteArray> bytes = readMaskFile(path);
    if (!bytes)
        return {{}, {}, {}, bytes.error().message};
    QImage image = QImage::fromData(*bytes);
    if (image.isNull())
        return {{}, {}, {}, VaryRegionDialog::tr("mask: \"%1\" is not an image").arg(path)};
    return {*bytes,
            image.scaled(kPreviewSide, kPreviewSide, Qt::KeepAspectRatio, Qt::SmoothTransformation),
            image.size(),
            {}};
}

} // namespace

VaryRegionDialog::VaryRegionDialog(const QString &imageLabel, QWidget *parent)
    : QDialog(parent)
    , m_path(new QLineEdit(this))
    , m_preview(new QLabel(this))
    , m_status(new QLabel(this))
    , m_prompt(new QLineEdit(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Vary Region — %1").arg(imageLabel));
    setMinimumWidth(460);
    auto *intro = new QLabel(tr("Mask PNG: <b>white</b> = regenerate, black = keep. "
                                "<span style='color:palette(placeholder-text)'>(A mask editor is on "
                                "its way; for now pick a file.)</span>"),
                             this);
    intro->setWordWrap(true);
    m_path->setPlaceholderText(tr("mask.png"));
    m_path->setAccessibleName(tr("Mask file"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(browse);
    m_preview->setFixedSize(kPreviewSide, kPreviewSide);
    m_preview->setAlignment(Qt::AlignCenter);
    m_preview->setStyleSheet(QStringLiteral("QLabel { background: palette(alternate-base); }"));
    m_status->setWordWrap(true);
    m_prompt->setPlaceholderText(tr("optional — what to paint in the region"));
    m_prompt->setAccessibleName(tr("Prompt for the region"));

    auto *maskLabel = new QLabel(tr("&Mask"), this);
    maskLabel->setBuddy(m_path);
    auto *form = new QFormLayout;
    form->addRow(maskLabel, fileRow);
    form->addRow(QString(), m_preview);
    form->addRow(QString(), m_status);
    form->addRow(tr("&Prompt"), m_prompt);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Vary Region"));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Choose a mask"), m_path->text(),
                                                          tr("PNG images (*.png)"));
        if (!path.isEmpty())
            loadMask(path);
    });
    connect(m_path, &QLineEdit::editingFinished, this, [this] {
        if (!m_path->text().trimmed().isEmpty())
            loadMask(m_path->text().trimmed());
    });
}

QString VaryRegionDialog::prompt() const
{
    return m_prompt->text().trimmed();
}

void VaryRegionDialog::loadMask(const QString &path)
{
    m_path->setText(path);
    m_mask.clear();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_status->setText(tr("Reading…"));
    const int generation = ++m_generation;
    // Decoding a large PNG takes a moment: the pool does it, this dialog only shows the result.
    whenReady(this, QtConcurrent::run(&readMask, path), [this, generation](const LoadedMask &loaded) {
        if (generation != m_generation)
            return; // another file was chosen meanwhile
        if (!loaded.error.isEmpty()) {
            m_preview->clear();
            m_status->setText(
                QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(loaded.error.toHtmlEscaped()));
            return;
        }
        m_mask = loaded.bytes;
        m_preview->setPixmap(QPixmap::fromImage(loaded.preview));
        m_status->setText(tr("%1×%2 px; fitted to the image's size when sent.")
                              .arg(loaded.size.width())
                              .arg(loaded.size.height()));
        m_buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
        emit maskLoaded();
    });
}

} // namespace tessera::ui
