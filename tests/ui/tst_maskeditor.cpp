// The mask editor offscreen: drawing with mouse events through the canvas's own coordinate mapping, the
// keyboard shortcuts, undo/redo, invert, coverage, zoom and pan, polygon vertices dragged, "preview what
// will be sent", export/import, the discard question, and Vary Region from the Gallery end to end.
#include "common/imagecache.h"
#include "fakeprovider.h"
#include "gallery/galleryview.h"
#include "mask/maskdocument.h"
#include "mask/maskexport.h"
#include "maskeditor/maskcanvas.h"
#include "maskeditor/maskeditor.h"
#include "maskeditor/masktarget.h"
#include "providers/providerregistry.h"
#include "storage/imagearchive.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace tessera;
using namespace tessera::ui;

namespace {

constexpr QSize kImageSize(240, 180);

QString writeImage(const QTemporaryDir &dir, const QString &name, QSize size)
{
    QImage image(size, QImage::Format_RGB32);
    QPainter painter(&image);
    painter.fillRect(image.rect(), QColor(40, 90, 160));
    painter.fillRect(QRect(20, 20, size.width() / 2, size.height() / 2), QColor(230, 200, 60));
    painter.end();
    const QString path = dir.filePath(name);
    image.save(path, "PNG");
    return path;
}

QByteArray png(const QImage &image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

qint64 whitePixels(const QImage &mask)
{
    qint64 n = 0;
    for (int y = 0; y < mask.height(); ++y)
        for (int x = 0; x < mask.width(); ++x)
            n += mask.constScanLine(y)[x] ? 1 : 0;
    return n;
}

MaskEditorSetup setupFor(const QString &path, MaskTarget::Wire wire = MaskTarget::Wire::Base64Png)
{
    MaskEditorSetup setup;
    setup.imagePath = path;
    setup.title = QStringLiteral("image 2 of a fox");
    setup.target.wire = wire;
    setup.target.description = QStringLiteral("test format");
    return setup;
}

// An editor that has loaded its image and is shown at a fixed size.
struct Editor
{
    explicit Editor(MaskEditorSetup setup)
        : editor(std::move(setup))
    {
        editor.resize(900, 700);
        editor.show();
    }
    bool load()
    {
        QSignalSpy loaded(&editor, &MaskEditor::loaded);
        if (!loaded.wait(10'000))
            return false;
        return QTest::qWaitForWindowExposed(&editor);
    }
    MaskCanvas *canvas() const { return editor.canvas(); }
    MaskDocument *document() const { return editor.document(); }
    QPoint at(QPointF imagePoint) const { return canvas()->toWidget(imagePoint).toPoint(); }
    void key(int key, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        QTest::keyClick(canvas(), Qt::Key(key), modifiers);
    }
    void drag(QPointF from, QPointF to, Qt::MouseButton button = Qt::LeftButton, int steps = 8)
    {
        QTest::mousePress(canvas(), button, Qt::NoModifier, at(from));
        for (int i = 1; i <= steps; ++i) {
            const QPointF p = from + (to - from) * (double(i) / steps);
            QMouseEvent move(QEvent::MouseMove, QPointF(at(p)), canvas()->mapToGlobal(QPointF(at(p))),
                             Qt::NoButton, button, Qt::NoModifier);
            QApplication::sendEvent(canvas(), &move);
        }
        QTest::mouseRelease(canvas(), button, Qt::NoModifier, at(to));
    }
    uchar pixel(int x, int y) const { return document()->mask().constScanLine(y)[x]; }

    MaskEditor editor;
};

} // namespace

class TstMaskEditor : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_image;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_image = writeImage(m_dir, QStringLiteral("source.png"), kImageSize);
    }

    // Each family's wire format comes from its adapter (Capabilities::maskWire), apixo's from its option.
    void targetFollowsTheFamily_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<QString>("maskFormat");
        QTest::addColumn<int>("wire");
        QTest::newRow("kolersky") << "kolersky"
                                  << "" << int(MaskTarget::Wire::Base64Png);
        QTest::newRow("mjproxy") << "mjproxy"
                                 << "" << int(MaskTarget::Wire::DataUrlPng);
        QTest::newRow("apixo raster") << "apixo"
                                      << "" << int(MaskTarget::Wire::DataUrlPng);
        QTest::newRow("apixo polygons") << "apixo"
                                        << "polygons" << int(MaskTarget::Wire::Polygons);
        QTest::newRow("demo") << "demo"
                              << "" << int(MaskTarget::Wire::Base64Png);
    }
    void targetFollowsTheFamily()
    {
        QFETCH(QString, family);
        QFETCH(QString, maskFormat);
        QFETCH(int, wire);
        const auto registry = ProviderRegistry::createDefault();
        Account account;
        account.family = family;
        if (!maskFormat.isEmpty())
            account.options.insert(QStringLiteral("mask-format"), maskFormat);
        const MaskTarget target = maskTargetFor(*registry, account);
        QCOMPARE(int(target.wire), wire);
        QVERIFY(!target.description.isEmpty());
    }

    // Issue 14: the F1 sheet lists every key of the editor (its actions' own shortcuts, checked here, so
    // the sheet cannot fall behind), and the canvas keys of the polygon tool.
    void everyKeyIsOnTheSheet()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        const QList<QPair<QString, QString>> rows = MaskEditor::shortcutRows();
        QStringList listed;
        for (const auto &[action, keys] : rows)
            listed.append(keys);
        int checked = 0;
        for (QAction *a : e.editor.actions()) {
            for (const QKeySequence &k : a->shortcuts()) {
                const QString text = k.toString(QKeySequence::NativeText);
                bool found = false;
                for (const QString &keys : std::as_const(listed))
                    found = found || keys.contains(text);
                QVERIFY2(found,
                         qPrintable(QStringLiteral("%1 (%2) is not on the sheet").arg(a->text(), text)));
                ++checked;
            }
        }
        QVERIFY(checked >= 15);
        QVERIFY(listed.join(QLatin1Char(' ')).contains(QStringLiteral("Enter / Backspace / Esc")));
    }

    // Issue 14: the selection is outlined (black and white dots) so it shows on any picture; the brush
    // size is offered only with the brush and the eraser; nothing says "Sent" before a send.
    void selectionIsOutlinedAndSizeBelongsToTheBrush()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        const auto contrasting = [&] {
            const QImage shot = e.canvas()->grab().toImage().convertToFormat(QImage::Format_RGB32);
            int n = 0;
            for (int y = 0; y < shot.height(); ++y)
                for (int x = 0; x < shot.width(); ++x) {
                    const QRgb p = shot.pixel(x, y);
                    n += (p == qRgb(0, 0, 0) || p == qRgb(255, 255, 255)) ? 1 : 0;
                }
            return n;
        };
        const int before = contrasting();
        e.canvas()->setBrushSize(30);
        e.drag(QPointF(60, 60), QPointF(160, 60));
        QVERIFY2(contrasting() > before + 100,
                 qPrintable(QStringLiteral("%1 → %2").arg(before).arg(contrasting())));

        QSlider *size = nullptr;
        for (QSlider *sl : e.editor.findChildren<QSlider *>())
            size = sl->accessibleName() == QStringLiteral("Brush size") ? sl : size;
        QVERIFY(size);
        QVERIFY(size->isVisible());
        e.editor.findChild<QAction *>(QStringLiteral("rectangle"))->trigger();
        QCOMPARE(e.canvas()->tool(), MaskCanvas::Tool::Rectangle);
        QTRY_VERIFY(!size->isVisible()); // the toolbar lays itself out on the next turn
        e.editor.findChild<QAction *>(QStringLiteral("eraser"))->trigger();
        QTRY_VERIFY(size->isVisible());
        for (QLabel *l : e.editor.findChildren<QLabel *>())
            QVERIFY2(!l->text().startsWith(QStringLiteral("Sent")), qPrintable(l->text()));
    }

    void brushStrokeWithTheMouseAndUndo()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        QCOMPARE(e.document()->size(), kImageSize);
        QCOMPARE(e.canvas()->tool(), MaskCanvas::Tool::Brush);
        QVERIFY(e.editor.coverageText().startsWith(QLatin1String("0.0 %")));
        e.canvas()->setBrushSize(10);
        e.drag(QPointF(40, 90), QPointF(200, 90));
        // A 10 px brush along y = 90 from x = 40 to 200: every centre within 5 px of the segment.
        QCOMPARE(e.pixel(120, 90), uchar(255));
        QCOMPARE(e.pixel(120, 86), uchar(255));
        QCOMPARE(e.pixel(120, 80), uchar(0));
        QCOMPARE(e.pixel(20, 90), uchar(0));
        QCOMPARE(e.document()->undoStack()->count(), 1); // one stroke, one step
        const QImage painted = e.document()->mask().copy();
        QVERIFY(e.editor.coverageText().contains(QLatin1String("% selected")));
        QVERIFY(!e.editor.coverageText().startsWith(QLatin1String("0.0")));

        e.key(Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(e.document()->selectedPixels(), 0);
        QVERIFY(e.editor.coverageText().startsWith(QLatin1String("0.0 %")));
        e.key(Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(e.document()->mask(), painted);
        e.key(Qt::Key_Z, Qt::ControlModifier);
        e.key(Qt::Key_Y, Qt::ControlModifier);
        QCOMPARE(e.document()->mask(), painted);
    }

    void rightButtonAndEraserSubtract()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        e.key(Qt::Key_R);
        e.drag(QPointF(10, 10), QPointF(110, 110));
        QCOMPARE(e.pixel(60, 60), uchar(255));
        e.canvas()->setBrushSize(6);
        e.key(Qt::Key_B);
        e.drag(QPointF(60, 20), QPointF(60, 100), Qt::RightButton);
        QCOMPARE(e.pixel(60, 60), uchar(0));
        QCOMPARE(e.pixel(70, 60), uchar(255));
        e.key(Qt::Key_E);
        QCOMPARE(e.canvas()->tool(), MaskCanvas::Tool::Eraser);
        e.drag(QPointF(80, 20), QPointF(80, 100));
        QCOMPARE(e.pixel(80, 60), uchar(0));
        QCOMPARE(e.document()->selectedPixels(), whitePixels(e.document()->mask()));
    }

    void toolKeysAndBrushSize()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        const std::pair<int, MaskCanvas::Tool> keys[] = {{Qt::Key_E, MaskCanvas::Tool::Eraser},
                                                         {Qt::Key_R, MaskCanvas::Tool::Rectangle},
                                                         {Qt::Key_L, MaskCanvas::Tool::Lasso},
                                                         {Qt::Key_P, MaskCanvas::Tool::Polygon},
                                                         {Qt::Key_B, MaskCanvas::Tool::Brush}};
        for (const auto &[key, tool] : keys) {
            e.key(key);
            QCOMPARE(e.canvas()->tool(), tool);
            QVERIFY(e.editor.action(QStringLiteral("polygon"))->isChecked()
                    == (tool == MaskCanvas::Tool::Polygon));
        }
        const int size = e.canvas()->brushSize();
        e.key(Qt::Key_BracketRight);
        QVERIFY(e.canvas()->brushSize() > size);
        e.key(Qt::Key_BracketLeft);
        e.key(Qt::Key_BracketLeft);
        QVERIFY(e.canvas()->brushSize() < size);
        for (int i = 0; i < 60; ++i)
            e.key(Qt::Key_BracketLeft);
        QCOMPARE(e.canvas()->brushSize(), MaskCanvas::kMinBrush);
    }

    void rectangleAndLassoFollowTheMouse()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        e.key(Qt::Key_R);
        e.drag(QPointF(30.2, 40.2), QPointF(90.2, 70.2));
        QCOMPARE(e.document()->shapes().size(), 1);
        const QRectF r = e.document()->shapes().first().points.boundingRect();
        // Within a screen pixel of where the mouse went, whatever the zoom.
        const double slack = 1.0 / e.canvas()->zoom() + 0.01;
        QVERIFY2(std::abs(r.left() - 30.2) <= slack && std::abs(r.bottom() - 70.2) <= slack,
                 qPrintable(QStringLiteral("%1,%2").arg(r.left()).arg(r.bottom())));
        QCOMPARE(e.pixel(60, 55), uchar(255));
        QCOMPARE(e.pixel(100, 55), uchar(0));

        e.key(Qt::Key_L);
        e.drag(QPointF(150, 20), QPointF(220, 20), Qt::LeftButton, 4);
        // The lasso above is a line only: nothing inside. A triangle next.
        QTest::mousePress(e.canvas(), Qt::LeftButton, Qt::NoModifier, e.at({150, 100}));
        for (const QPointF p : {QPointF(230, 100), QPointF(230, 170)}) {
            QMouseEvent move(QEvent::MouseMove, QPointF(e.at(p)), e.canvas()->mapToGlobal(QPointF(e.at(p))),
                             Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(e.canvas(), &move);
        }
        QTest::mouseRelease(e.canvas(), Qt::LeftButton, Qt::NoModifier, e.at({230, 170}));
        QCOMPARE(e.pixel(220, 110), uchar(255));
        QCOMPARE(e.pixel(160, 160), uchar(0));
    }

    void polygonClicksEnterAndDraggableVertices()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        e.key(Qt::Key_P);
        for (const QPointF p : {QPointF(20, 20), QPointF(120, 20), QPointF(120, 120)})
            QTest::mouseClick(e.canvas(), Qt::LeftButton, Qt::NoModifier, e.at(p));
        QCOMPARE(e.canvas()->pendingPolygon().size(), 3);
        QCOMPARE(e.document()->selectedPixels(), 0); // nothing until it is closed
        e.key(Qt::Key_Backspace);
        QCOMPARE(e.canvas()->pendingPolygon().size(), 2);
        QTest::mouseClick(e.canvas(), Qt::LeftButton, Qt::NoModifier, e.at({120, 120}));
        e.key(Qt::Key_Return);
        QCOMPARE(e.document()->shapes().size(), 1);
        QVERIFY(e.canvas()->pendingPolygon().isEmpty());
        QCOMPARE(e.pixel(100, 40), uchar(255));
        QCOMPARE(e.pixel(40, 100), uchar(0));

        // Drag the vertex at (20, 20) down to (20, 120): the square's lower-left half fills in.
        const QPoint from = e.at({20, 20});
        const QPoint to = e.at({20, 120});
        QTest::mousePress(e.canvas(), Qt::LeftButton, Qt::NoModifier, from);
        QMouseEvent move(QEvent::MouseMove, QPointF(to), e.canvas()->mapToGlobal(QPointF(to)), Qt::NoButton,
                         Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(e.canvas(), &move);
        QTest::mouseRelease(e.canvas(), Qt::LeftButton, Qt::NoModifier, to);
        QCOMPARE(e.document()->shapes().size(), 1);
        QCOMPARE(e.document()->undoStack()->count(), 2);
        QCOMPARE(e.pixel(40, 100), uchar(255));
        e.key(Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(e.pixel(40, 100), uchar(0));

        // Escape drops a polygon being clicked; a click on the first vertex closes one.
        for (const QPointF p : {QPointF(150, 20), QPointF(200, 20), QPointF(200, 60)})
            QTest::mouseClick(e.canvas(), Qt::LeftButton, Qt::NoModifier, e.at(p));
        e.key(Qt::Key_Escape);
        QVERIFY(e.canvas()->pendingPolygon().isEmpty());
        QVERIFY(e.editor.isVisible());
        for (const QPointF p : {QPointF(150, 20), QPointF(200, 20), QPointF(200, 60), QPointF(150, 20)})
            QTest::mouseClick(e.canvas(), Qt::LeftButton, Qt::NoModifier, e.at(p));
        QCOMPARE(e.document()->shapes().size(), 2);
    }

    void invertClearAndCoverage()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        e.key(Qt::Key_R);
        e.drag(QPointF(0, 0), QPointF(120, 180)); // exactly the left half
        QCOMPARE(e.document()->coverage(), 0.5);
        QVERIFY(e.editor.coverageText().startsWith(QLatin1String("50.0 %")));
        const QImage half = e.document()->mask().copy();
        e.key(Qt::Key_I);
        QCOMPARE(e.pixel(10, 10), uchar(0));
        QCOMPARE(e.pixel(200, 10), uchar(255));
        e.key(Qt::Key_I);
        QCOMPARE(e.document()->mask(), half);
        e.key(Qt::Key_Delete);
        QCOMPARE(e.document()->selectedPixels(), 0);
        QVERIFY(!e.editor.action(QStringLiteral("submit"))->isEnabled()
                || e.document()->selectedPixels() == 0);
        e.key(Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(e.document()->mask(), half);

        // A single pixel is "< 0.1 %", never "0.0 %".
        e.key(Qt::Key_Delete);
        e.key(Qt::Key_B);
        e.canvas()->setBrushSize(1);
        e.drag(QPointF(5.5, 5.5), QPointF(5.5, 5.5), Qt::LeftButton, 1);
        QCOMPARE(e.document()->selectedPixels(), 1);
        QVERIFY2(e.editor.coverageText().startsWith(QLatin1String("< 0.1 %")),
                 qPrintable(e.editor.coverageText()));
    }

    void zoomAndPan()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        QVERIFY(e.canvas()->isFitted());
        const double fitted = e.canvas()->zoom();
        e.key(Qt::Key_Plus);
        QVERIFY(e.canvas()->zoom() > fitted);
        QVERIFY(!e.canvas()->isFitted());
        e.key(Qt::Key_Minus);
        e.key(Qt::Key_Minus);
        QVERIFY(e.canvas()->zoom() < fitted);
        e.key(Qt::Key_0);
        QVERIFY(e.canvas()->isFitted());
        QCOMPARE(e.canvas()->zoom(), fitted);

        // Ctrl+wheel zooms about the cursor: the image point under it stays under it.
        const QPointF cursor(200, 150);
        const QPointF before = e.canvas()->toImage(cursor);
        QWheelEvent wheel(cursor, e.canvas()->mapToGlobal(cursor), {}, QPoint(0, 240), Qt::NoButton,
                          Qt::ControlModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(e.canvas(), &wheel);
        QVERIFY(e.canvas()->zoom() > fitted * 1.5);
        const QPointF after = e.canvas()->toImage(cursor);
        QVERIFY(std::abs(after.x() - before.x()) < 1e-6 && std::abs(after.y() - before.y()) < 1e-6);

        // Middle-button drag pans by exactly the mouse movement and paints nothing.
        const QPointF origin = e.canvas()->toWidget({0, 0});
        QTest::mousePress(e.canvas(), Qt::MiddleButton, Qt::NoModifier, QPoint(300, 300));
        QMouseEvent move(QEvent::MouseMove, QPointF(340, 270), e.canvas()->mapToGlobal(QPointF(340, 270)),
                         Qt::NoButton, Qt::MiddleButton, Qt::NoModifier);
        QApplication::sendEvent(e.canvas(), &move);
        QTest::mouseRelease(e.canvas(), Qt::MiddleButton, Qt::NoModifier, QPoint(340, 270));
        QCOMPARE(e.canvas()->toWidget({0, 0}), origin + QPointF(40, -30));
        // Space + left drag pans too.
        QTest::keyPress(e.canvas(), Qt::Key_Space);
        QTest::mousePress(e.canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(300, 300));
        QMouseEvent move2(QEvent::MouseMove, QPointF(290, 300), e.canvas()->mapToGlobal(QPointF(290, 300)),
                          Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(e.canvas(), &move2);
        QTest::mouseRelease(e.canvas(), Qt::LeftButton, Qt::NoModifier, QPoint(290, 300));
        QTest::keyRelease(e.canvas(), Qt::Key_Space);
        QCOMPARE(e.canvas()->toWidget({0, 0}), origin + QPointF(30, -30));
        QCOMPARE(e.document()->selectedPixels(), 0);
    }

    void brushRepaintsOnlyWhatChanged()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        QTRY_VERIFY(e.canvas()->paintCount() > 0);
        QTest::qWait(100); // whatever the first show scheduled is painted by now
        const int paints = e.canvas()->paintCount();
        e.canvas()->setBrushSize(4);
        const int stroke = e.document()->beginStroke();
        e.document()->strokeSegment(stroke, {100, 100}, {104, 100}, 4);
        QTRY_VERIFY(e.canvas()->paintCount() > paints);
        const QRect painted = e.canvas()->lastPaintedRect();
        const QRect expected = e.canvas()->widgetRect(QRect(97, 97, 11, 6));
        QVERIFY2(painted.width() <= expected.width() + 4 && painted.height() <= expected.height() + 4,
                 qPrintable(QStringLiteral("%1×%2").arg(painted.width()).arg(painted.height())));
    }

    void previewShowsWhatWillBeSent_data()
    {
        QTest::addColumn<int>("wire");
        QTest::newRow("base64") << int(MaskTarget::Wire::Base64Png);
        QTest::newRow("data url") << int(MaskTarget::Wire::DataUrlPng);
        QTest::newRow("polygons") << int(MaskTarget::Wire::Polygons);
    }
    void previewShowsWhatWillBeSent()
    {
        QFETCH(int, wire);
        Editor e(setupFor(m_image, MaskTarget::Wire(wire)));
        QVERIFY(e.load());
        e.key(Qt::Key_R);
        e.drag(QPointF(20, 20), QPointF(100, 80));
        e.drag(QPointF(140, 100), QPointF(200, 160));
        QSignalSpy ready(&e.editor, &MaskEditor::previewReady);
        e.editor.action(QStringLiteral("preview"))->trigger();
        QVERIFY(ready.wait(10'000));
        if (MaskTarget::Wire(wire) == MaskTarget::Wire::Polygons) {
            QCOMPARE(e.canvas()->preview(), MaskCanvas::Preview::Polygons);
            QVERIFY2(e.editor.statusText().contains(QLatin1String("2 areas")),
                     qPrintable(e.editor.statusText()));
        } else {
            QCOMPARE(e.canvas()->preview(), MaskCanvas::Preview::Png);
            QVERIFY2(e.editor.statusText().contains(QStringLiteral("240×180")),
                     qPrintable(e.editor.statusText()));
        }
        // Editing while the preview shows ends the preview: what it showed is no longer what is sent.
        e.key(Qt::Key_I);
        QVERIFY(!e.editor.action(QStringLiteral("preview"))->isChecked());
        QCOMPARE(e.canvas()->preview(), MaskCanvas::Preview::None);
    }

    void submitHandsOverTheExactPngOnce()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        QSignalSpy submitted(&e.editor, &MaskEditor::submitted);
        e.editor.submit(); // nothing painted yet
        QVERIFY(e.editor.statusText().contains(QLatin1String("Nothing is selected")));
        QCOMPARE(submitted.size(), 0);
        e.key(Qt::Key_R);
        e.drag(QPointF(10, 10), QPointF(50, 60));
        QTest::keyClicks(e.editor.findChild<QLineEdit *>(), QStringLiteral("a straw hat"));
        e.editor.submit();
        e.editor.submit();
        QVERIFY(submitted.wait(10'000));
        QCOMPARE(submitted.size(), 1);
        const QByteArray sent = submitted.first().at(0).toByteArray();
        QCOMPARE(submitted.first().at(1).toString(), QStringLiteral("a straw hat"));
        const QImage decoded = QImage::fromData(sent, "PNG");
        QCOMPARE(decoded.size(), kImageSize);
        QCOMPARE(decoded.convertToFormat(QImage::Format_Grayscale8), e.document()->mask());
        QVERIFY(!e.editor.isVisible());
        QTest::qWait(50);
        QCOMPARE(submitted.size(), 1);
    }

    void exportsAndImport()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        e.key(Qt::Key_R);
        e.drag(QPointF(30, 30), QPointF(90, 120));
        QSignalSpy exported(&e.editor, &MaskEditor::exported);

        const QString file = m_dir.filePath(QStringLiteral("exported.png"));
        e.editor.exportPng(file);
        QVERIFY(exported.wait(10'000));
        QImage saved(file);
        QCOMPARE(saved.size(), kImageSize);
        QCOMPARE(saved.convertToFormat(QImage::Format_Grayscale8), e.document()->mask());

        e.editor.copyBase64();
        QVERIFY(exported.wait(10'000));
        const QByteArray fromClipboard = QByteArray::fromBase64(QApplication::clipboard()->text().toLatin1());
        QCOMPARE(QImage::fromData(fromClipboard, "PNG").convertToFormat(QImage::Format_Grayscale8),
                 e.document()->mask());

        e.editor.copyPolygons();
        QVERIFY(exported.wait(10'000));
        const QJsonObject payload
            = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8()).object();
        QCOMPARE(payload.value(QStringLiteral("canvas")).toObject().value(QStringLiteral("width")).toInt(),
                 240);
        QCOMPARE(
            payload.value(QStringLiteral("mask")).toObject().value(QStringLiteral("areas")).toArray().size(),
            1);

        // A mask of another size is scaled, with a notice; undo brings back what was there.
        const QImage before = e.document()->mask().copy();
        QImage other(120, 90, QImage::Format_Grayscale8);
        other.fill(0);
        for (int y = 0; y < 45; ++y)
            std::fill_n(other.scanLine(y), 60, uchar(255));
        const QString otherPath = m_dir.filePath(QStringLiteral("small.png"));
        QVERIFY(other.save(otherPath, "PNG"));
        QSignalSpy status(&e.editor, &MaskEditor::statusChanged);
        e.editor.importMask(otherPath);
        QTRY_VERIFY(e.editor.statusText().contains(QLatin1String("scaled")));
        QCOMPARE(e.document()->coverage(), 0.25);
        QCOMPARE(e.pixel(119, 89), uchar(255));
        QCOMPARE(e.pixel(120, 90), uchar(0));
        e.key(Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(e.document()->mask(), before);

        // A file that is not an image says so and changes nothing.
        const QString bad = m_dir.filePath(QStringLiteral("bad.png"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a png");
        f.close();
        e.editor.importMask(bad);
        QTRY_VERIFY(e.editor.statusText().contains(QLatin1String("mask")));
        QCOMPARE(e.document()->mask(), before);
    }

    void lastMaskIsReappliedScaled()
    {
        MaskEditorSetup setup = setupFor(m_image);
        QImage last(480, 360, QImage::Format_Grayscale8); // twice the size: a mask made on an upscale
        last.fill(0);
        for (int y = 0; y < 180; ++y)
            std::fill_n(last.scanLine(y), 480, uchar(255));
        setup.lastMask = png(last);
        Editor e(setup);
        QVERIFY(e.load());
        QVERIFY(e.editor.action(QStringLiteral("reapply"))->isEnabled());
        e.editor.reapplyLastMask();
        QTRY_COMPARE(e.document()->coverage(), 0.5);
        QVERIFY(e.editor.statusText().contains(QLatin1String("scaled")));

        Editor without(setupFor(m_image));
        QVERIFY(without.load());
        QVERIFY(!without.editor.action(QStringLiteral("reapply"))->isEnabled());
    }

    void cancelAsksBeforeDiscardingAMask()
    {
        Editor e(setupFor(m_image));
        QVERIFY(e.load());
        e.key(Qt::Key_R);
        e.drag(QPointF(30, 30), QPointF(90, 120));
        e.editor.reject();
        QMessageBox *ask = nullptr;
        QTRY_VERIFY((ask = e.editor.findChild<QMessageBox *>(QStringLiteral("discardQuestion"))));
        ask->button(QMessageBox::Cancel)->click();
        QVERIFY(e.editor.isVisible());
        QCOMPARE(e.document()->undoStack()->count(), 1);
        e.editor.reject();
        QTRY_VERIFY((ask = e.editor.findChild<QMessageBox *>(QStringLiteral("discardQuestion"))));
        ask->button(QMessageBox::Discard)->click();
        QTRY_VERIFY(!e.editor.isVisible());

        Editor untouched(setupFor(m_image));
        QVERIFY(untouched.load());
        untouched.editor.reject();
        QVERIFY(!untouched.editor.isVisible());
    }

    void unreadableImageSaysWhy()
    {
        const QString bad = m_dir.filePath(QStringLiteral("broken.png"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x89PNG\r\n\x1a\n truncated");
        f.close();
        MaskEditor editor(setupFor(bad));
        QSignalSpy failed(&editor, &MaskEditor::loadFailed);
        QVERIFY(failed.wait(10'000));
        QVERIFY(!failed.first().at(0).toString().isEmpty());
        QVERIFY(!editor.document());
        QVERIFY(!editor.action(QStringLiteral("submit"))->isEnabled());
    }

    // Vary Region on a grid tile of a family that needs an upscale first: the editor opens on the tile,
    // says that U2 runs first, and Submit sends an inpaint on tile 2 with the painted mask.
    void varyRegionFromTheGallery()
    {
        QTemporaryDir dir;
        ImageArchive archive(dir.path());
        ProviderRegistry registry;
        registry.add(std::make_unique<test::FakeAdapter>());
        ImageCache cache;
        GalleryView view(registry, archive, cache);
        view.resize(900, 700);
        view.show();
        Task task;
        task.id = QStringLiteral("grid-1");
        task.operation = Operation::imagine(QStringLiteral("a red fox"));
        task.prompt = task.operation.prompt;
        task.state = TaskState::Succeeded;
        for (int i = 1; i <= 4; ++i) {
            ImageRef img;
            img.role = ImageRole::Tile;
            img.index = i;
            img.size = kImageSize;
            img.state = ImageState::Downloaded;
            img.path = QStringLiteral("tile%1.png").arg(i);
            writeImage(dir, img.path, kImageSize);
            task.images.append(img);
        }
        view.showTask(task, test::fakeAccount());
        view.selectTile(2);
        QSignalSpy opened(&view, &GalleryView::maskEditorOpened);
        QSignalSpy requested(&view, &GalleryView::actionRequested);
        view.trigger(OperationKind::Inpaint);
        QCOMPARE(opened.size(), 1);
        auto *editor = qobject_cast<MaskEditor *>(opened.first().at(0).value<QWidget *>());
        QVERIFY(editor);
        QVERIFY(editor->windowTitle().contains(QLatin1String("image 2")));
        QSignalSpy loaded(editor, &MaskEditor::loaded);
        QVERIFY(loaded.wait(10'000));
        QVERIFY(editor->findChild<QLabel *>() != nullptr);
        editor->document()->rectangle(QRectF(10, 10, 40, 40));
        editor->submit();
        QTRY_COMPARE(requested.size(), 1);
        const auto op = requested.first().at(0).value<Operation>();
        QCOMPARE(op.kind, OperationKind::Inpaint);
        QCOMPARE(op.tile, 2);
        const QImage sent = QImage::fromData(op.mask, "PNG").convertToFormat(QImage::Format_Grayscale8);
        QCOMPARE(sent.size(), kImageSize);
        QCOMPARE(whitePixels(sent), 1600);

        // The next editor offers that mask again.
        view.trigger(OperationKind::Inpaint);
        QCOMPARE(opened.size(), 2);
        auto *second = qobject_cast<MaskEditor *>(opened.last().at(0).value<QWidget *>());
        QSignalSpy loaded2(second, &MaskEditor::loaded);
        QVERIFY(loaded2.wait(10'000));
        QVERIFY(second->action(QStringLiteral("reapply"))->isEnabled());
        second->reject();
    }
};

QTEST_MAIN(TstMaskEditor)
#include "tst_maskeditor.moc"
