// The mask editor's work on the pool: "preview what will be sent", export, import, re-applying the last
// mask and the submit. Each takes a snapshot of the mask (implicitly shared, so painting meanwhile costs
// one copy) and hands the result back to the GUI thread; a stale preview is dropped.
#include "common/futures.h"
#include "mask/maskdocument.h"
#include "mask/maskexport.h"
#include "maskcanvas.h"
#include "maskeditor.h"
#include "providers/apixo/apixomask.h"
#include "tasks/references.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>

namespace tessera::ui {

namespace {

struct PreviewResult
{
    QImage png; // the decoded PNG, for raster families
    QList<QPolygonF> rings; // for polygon areas
    qint64 bytes = 0;
    int vertices = 0;
};

PreviewResult computePreview(const QImage &mask, MaskTarget target)
{
    PreviewResult result;
    if (target.wire == MaskTarget::Wire::Polygons) {
        const QJsonArray areas = apixo::maskAreas(mask, target.epsilon);
        for (const QJsonValue &area : areas) {
            const QJsonArray points = area.toObject().value(QStringLiteral("points")).toArray();
            QPolygonF ring;
            for (qsizetype i = 0; i + 1 < points.size(); i += 2)
                ring << QPointF(points[i].toDouble(), points[i + 1].toDouble());
            result.vertices += int(ring.size());
            result.rings << ring;
        }
        result.bytes
            = QJsonDocument(apixo::maskPayload(mask, target.epsilon)).toJson(QJsonDocument::Compact).size();
        return result;
    }
    const QByteArray png = mask::encodePng(mask);
    result.png = QImage::fromData(png, "PNG");
    result.bytes
        = target.wire == MaskTarget::Wire::DataUrlPng ? mask::dataUrl(png).size() : mask::base64(png).size();
    return result;
}

struct FittedMask
{
    QImage mask;
    bool scaled = false;
    QSize original;
    QString error;
};

FittedMask fitMask(const QByteArray &png, QSize size)
{
    FittedMask fitted;
    fitted.original = QImage::fromData(png).size();
    Result<QImage> result = mask::fit(png, size, &fitted.scaled);
    if (!result)
        fitted.error = result.error().message;
    else
        fitted.mask = *result;
    return fitted;
}

QString kilobytes(qint64 bytes)
{
    return bytes < 10'000
        ? MaskEditor::tr("%1 bytes").arg(bytes)
        : MaskEditor::tr("%1 KB").arg(QString::number(bytes / 1024.0, 'f', bytes < 1'000'000 ? 0 : 1));
}

} // namespace
void MaskEditor::setPreview(bool on)
{
    QAction *preview = action(QStringLiteral("preview"));
    if (preview->isChecked() != on) {
        preview->setChecked(on); // comes back here through toggled()
        return;
    }
    if (!m_canvas)
        return;
    const int generation = ++m_generation;
    if (!on) {
        m_canvas->clearPreview();
        return;
    }
    if (m_document->selectedPixels() == 0) {
        say(tr("Nothing is selected yet: paint the region to regenerate."), true);
        preview->setChecked(false);
        return;
    }
    m_canvas->cancelPolygon();
    say(tr("Preparing the preview…"));
    const QImage snapshot = m_document->mask();
    whenReady(this, QtConcurrent::run(&computePreview, snapshot, m_setup.target),
              [this, generation](const PreviewResult &result) {
                  if (generation != m_generation)
                      return;
                  if (m_setup.target.wire == MaskTarget::Wire::Polygons) {
                      m_canvas->showPolygonPreview(result.rings);
                      const int areas = int(result.rings.size());
                      say(tr("Will be sent: %1 with %2 vertices (%3 of JSON), drawn over the image.")
                              .arg(areas == 1 ? tr("1 area") : tr("%1 areas").arg(areas))
                              .arg(result.vertices)
                              .arg(kilobytes(result.bytes)));
                  } else {
                      m_canvas->showPngPreview(result.png);
                      say(tr("Will be sent: this %1×%2 black-and-white PNG (%3 once encoded).")
                              .arg(result.png.width())
                              .arg(result.png.height())
                              .arg(kilobytes(result.bytes)));
                  }
                  emit previewReady();
              });
}

void MaskEditor::exportPng(const QString &path)
{
    if (!m_document)
        return;
    const QImage snapshot = m_document->mask();
    auto write = [snapshot, path]() -> QString {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return file.errorString();
        file.write(mask::encodePng(snapshot));
        return file.commit() ? QString() : file.errorString();
    };
    whenReady(this, QtConcurrent::run(write), [this, path](const QString &error) {
        if (!error.isEmpty())
            say(tr("Cannot save %1: %2").arg(path, error), true);
        else
            say(tr("Saved the mask to %1").arg(path));
        emit exported();
    });
}

void MaskEditor::copyBase64()
{
    if (!m_document)
        return;
    const QImage snapshot = m_document->mask();
    whenReady(this, QtConcurrent::run([snapshot] { return mask::base64(mask::encodePng(snapshot)); }),
              [this](const QString &text) {
                  QGuiApplication::clipboard()->setText(text);
                  say(tr("Copied the mask PNG as base64 (%1).").arg(kilobytes(text.size())));
                  emit exported();
              });
}

void MaskEditor::copyPolygons()
{
    if (!m_document)
        return;
    const QImage snapshot = m_document->mask();
    const double epsilon = m_setup.target.epsilon;
    whenReady(this, QtConcurrent::run([snapshot, epsilon] {
                  return QString::fromUtf8(
                      QJsonDocument(apixo::maskPayload(snapshot, epsilon)).toJson(QJsonDocument::Compact));
              }),
              [this](const QString &text) {
                  QGuiApplication::clipboard()->setText(text);
                  say(tr("Copied the polygon areas as JSON (%1).").arg(kilobytes(text.size())));
                  emit exported();
              });
}

void MaskEditor::importMask(const QString &path)
{
    if (!m_document)
        return;
    const QSize size = m_document->size();
    auto read = [path, size]() -> FittedMask {
        const Result<QByteArray> bytes = readMaskFile(path);
        if (!bytes)
            return {{}, false, {}, bytes.error().message};
        return fitMask(*bytes, size);
    };
    say(tr("Reading %1…").arg(path));
    whenReady(this, QtConcurrent::run(read), [this, path](const FittedMask &fitted) {
        if (!fitted.error.isEmpty()) {
            say(fitted.error, true);
            return;
        }
        m_document->replace(fitted.mask, tr("Import mask"));
        if (fitted.scaled) {
            say(tr("The mask was %1×%2 pixels; it was scaled to the image's %3×%4.")
                    .arg(fitted.original.width())
                    .arg(fitted.original.height())
                    .arg(m_document->size().width())
                    .arg(m_document->size().height()));
        } else {
            say(tr("Imported %1").arg(path));
        }
    });
}

void MaskEditor::reapplyLastMask()
{
    if (!m_document || m_setup.lastMask.isEmpty())
        return;
    replaceMask(m_setup.lastMask, tr("the last mask"));
}

void MaskEditor::replaceMask(const QByteArray &png, const QString &what)
{
    whenReady(this, QtConcurrent::run(&fitMask, png, m_document->size()),
              [this, what](const FittedMask &fitted) {
                  if (!fitted.error.isEmpty()) {
                      say(fitted.error, true);
                      return;
                  }
                  m_document->replace(fitted.mask, tr("Re-apply last mask"));
                  say(fitted.scaled ? tr("Re-applied %1, scaled from %2×%3 to this image's %4×%5.")
                                          .arg(what)
                                          .arg(fitted.original.width())
                                          .arg(fitted.original.height())
                                          .arg(m_document->size().width())
                                          .arg(m_document->size().height())
                                    : tr("Re-applied %1.").arg(what));
              });
}

void MaskEditor::submit()
{
    if (!m_document || m_submitting)
        return;
    m_canvas->closePolygon(); // a polygon still being clicked counts
    if (m_document->selectedPixels() == 0) {
        say(tr("Nothing is selected yet: paint the region to regenerate."), true);
        return;
    }
    m_submitting = true; // one submit per editor, however often the button is pressed
    m_submit->setEnabled(false);
    refreshActions();
    say(tr("Preparing the mask…"));
    const QImage snapshot = m_document->mask();
    whenReady(this, QtConcurrent::run([snapshot] { return mask::encodePng(snapshot); }),
              [this](const QByteArray &png) {
                  emit submitted(png, prompt());
                  accept();
              });
}

} // namespace tessera::ui
