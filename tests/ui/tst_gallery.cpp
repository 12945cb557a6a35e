// The Gallery's action bar and results, offscreen, against the demo and a fake family that has pan,
// zoom, vary region, seed and upscale variants: what is enabled, what a disabled action says, which
// Operation a click or a key sends, text results (seed, describe) and videos.
#include "common/imagecache.h"
#include "fakeprovider.h"
#include "gallery/actionbar.h"
#include "gallery/galleryview.h"
#include "gallery/imageviewer.h"
#include "gallery/textresults.h"
#include "gallery/tilewidget.h"
#include "providers/demo/demoadapter.h"
#include "providers/providerregistry.h"
#include "storage/imagearchive.h"

#include <QAbstractButton>
#include <QBuffer>
#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>
#include <QUrl>

using namespace tessera;
using namespace tessera::ui;

namespace {

QAbstractButton *button(QWidget *parent, const QString &accessibleName)
{
    for (QAbstractButton *b : parent->findChildren<QAbstractButton *>()) {
        if (b->accessibleName() == accessibleName)
            return b;
    }
    return nullptr;
}

Task gridTask(TaskState state = TaskState::Succeeded)
{
    Task t;
    t.id = QStringLiteral("grid-1");
    t.accountId = QStringLiteral("acc");
    t.operation = Operation::imagine(QStringLiteral("a red fox"));
    t.prompt = t.operation.prompt;
    t.state = state;
    t.remoteId = QStringLiteral("remote-1");
    for (int i = 1; i <= 4; ++i) {
        ImageRef img;
        img.role = ImageRole::Tile;
        img.index = i;
        img.size = QSize(64, 64);
        t.images.append(img);
    }
    return t;
}

Task textTask(OperationKind kind, const QString &key, const QJsonValue &value)
{
    Task t;
    t.id = QStringLiteral("text-1");
    t.accountId = QStringLiteral("acc");
    t.operation.kind = kind;
    t.state = TaskState::Succeeded;
    t.remote.insert(key, value);
    return t;
}

const QString kDescribe
    = QStringLiteral("1️⃣ a red fox in the snow --ar 4:3\n\n2️⃣ an orange fox, watercolor "
                     "--ar 4:3\n\n3️⃣ fox portrait\n\n4️⃣ winter forest animal");

// A Gallery over a temporary archive with the demo and the fake family.
struct Fixture
{
    Fixture()
        : archive(dir.path())
        , view(registry, archive, cache)
    {
        registry.add(std::make_unique<test::FakeAdapter>());
        registry.add(std::make_unique<demo::DemoAdapter>());
        view.resize(1000, 760);
        view.show();
    }
    QTemporaryDir dir;
    ProviderRegistry registry;
    ImageArchive archive;
    ImageCache cache;
    GalleryView view;
};

} // namespace

class TstGallery : public QObject
{
    Q_OBJECT
private slots:
    void disabledActionsSayWhy_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("control");
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<QString>("why");
        const int done = static_cast<int>(TaskState::Succeeded);
        const int running = static_cast<int>(TaskState::Running);
        QTest::newRow("fake pan") << "fake" << done << "Pan left" << true << "";
        QTest::newRow("fake zoom") << "fake" << done << "Zoom out" << true << "";
        QTest::newRow("fake region") << "fake" << done << "Vary region" << true << "";
        QTest::newRow("fake seed") << "fake" << done << "Seed" << true << "";
        QTest::newRow("fake animate") << "fake" << done << "Animate" << false << "fake has no animate";
        QTest::newRow("fake running") << "fake" << running << "Upscale" << false << "not finished";
        QTest::newRow("demo pan") << "demo" << done << "Pan up" << true << "";
        QTest::newRow("demo zoom") << "demo" << done << "Zoom out" << true << "";
        QTest::newRow("demo seed") << "demo" << done << "Seed" << true << "";
        QTest::newRow("demo animate") << "demo" << done << "Animate" << false << "needs a real provider";
        QTest::newRow("demo region") << "demo" << done << "Vary region" << true << "";
        QTest::newRow("demo upscale") << "demo" << done << "Upscale" << true << "";
    }
    void disabledActionsSayWhy()
    {
        QFETCH(QString, family);
        QFETCH(int, state);
        QFETCH(QString, control);
        QFETCH(bool, enabled);
        QFETCH(QString, why);
        Fixture f;
        f.view.showTask(gridTask(static_cast<TaskState>(state)), test::fakeAccount(family));
        QAbstractButton *b = button(&f.view, control);
        QVERIFY2(b, qPrintable(control));
        QVERIFY(b->isVisible());
        QCOMPARE(b->isEnabled(), enabled);
        if (!enabled)
            QVERIFY2(b->toolTip().contains(why), qPrintable(b->toolTip()));
    }

    // Issue 14: the full-size viewer names the image, its size and the zoom, steps through the result's
    // images with ← / → (and its buttons), and has zoom controls.
    void viewerNamesTheImageAndSteps()
    {
        QTemporaryDir dir;
        QList<ImageViewer::Entry> images;
        for (int i = 1; i <= 4; ++i) {
            QImage image(64 + i, 48, QImage::Format_RGB32);
            image.fill(QColor::fromHsv(i * 60, 200, 200));
            const QString path = dir.filePath(QStringLiteral("tile-%1.png").arg(i));
            QVERIFY(image.save(path));
            images.append({path, QStringLiteral("Image %1 of 4").arg(i)});
        }
        ImageViewer viewer(images, 2, QStringLiteral("\u201Ca fox\u201D"));
        viewer.show();
        QTRY_VERIFY2(viewer.caption().startsWith(QStringLiteral("Image 3 of 4 · 67 × 48 · ")),
                     qPrintable(viewer.caption()));
        QCOMPARE(viewer.windowTitle(), QStringLiteral("Image 3 of 4 — \u201Ca fox\u201D"));
        QTest::keyClick(&viewer, Qt::Key_Right);
        QTRY_VERIFY(viewer.caption().startsWith(QStringLiteral("Image 4 of 4 · 68 × 48")));
        QTest::keyClick(&viewer, Qt::Key_Right); // the last stays
        QCOMPARE(viewer.index(), 3);
        QAbstractButton *next = button(&viewer, QStringLiteral("Next image"));
        QAbstractButton *previous = button(&viewer, QStringLiteral("Previous image"));
        QVERIFY(next && previous);
        QVERIFY(!next->isEnabled());
        QTest::mouseClick(previous, Qt::LeftButton);
        QTest::keyClick(&viewer, Qt::Key_Left);
        QTest::keyClick(&viewer, Qt::Key_Left);
        QTRY_VERIFY(viewer.caption().startsWith(QStringLiteral("Image 1 of 4 · 65 × 48")));
        QVERIFY(!previous->isEnabled());
        QTest::keyClick(&viewer, Qt::Key_1);
        QVERIFY2(viewer.caption().endsWith(QStringLiteral("100 %")), qPrintable(viewer.caption()));
        QTest::mouseClick(button(&viewer, QStringLiteral("Zoom in (+)")), Qt::LeftButton);
        QVERIFY2(viewer.caption().endsWith(QStringLiteral("125 %")), qPrintable(viewer.caption()));
    }

    // Issue 14: ids and seeds are shortened in the details and copied whole with a click.
    void idsAndSeedsCopyWhole()
    {
        Fixture f;
        Task t = gridTask();
        t.remoteId = QStringLiteral("1320098173412546789-abcdef");
        t.remote.insert(QStringLiteral("seed"), QStringLiteral("3664664220654206493"));
        f.view.showTask(t, test::fakeAccount());
        QTextBrowser *details = nullptr;
        for (QTextBrowser *b : f.view.findChildren<QTextBrowser *>())
            details = b->accessibleName() == QStringLiteral("Task details") ? b : details;
        QVERIFY(details);
        const QString text = details->toPlainText();
        QVERIFY2(text.contains(QStringLiteral("366466422065…")), qPrintable(text));
        QVERIFY(!text.contains(QStringLiteral("3664664220654206493")));
        QVERIFY(details->toHtml().contains(QStringLiteral("copy:3664664220654206493")));
        QSignalSpy messages(&f.view, &GalleryView::message);
        details->anchorClicked(QUrl(QStringLiteral("copy:1320098173412546789-abcdef")));
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("1320098173412546789-abcdef"));
        QCOMPARE(messages.size(), 1);
    }

    void panOnATileSendsThePan()
    {
        Fixture f;
        f.view.showTask(gridTask(), test::fakeAccount());
        QSignalSpy spy(&f.view, &GalleryView::actionRequested);
        f.view.selectTile(3);
        QTest::mouseClick(button(&f.view, QStringLiteral("Pan left")), Qt::LeftButton);
        QCOMPARE(spy.size(), 1);
        auto op = spy.at(0).at(0).value<Operation>();
        QCOMPARE(op.kind, OperationKind::Pan);
        QCOMPARE(op.parentTaskId, QStringLiteral("grid-1"));
        QCOMPARE(op.tile, 3); // on the grid tile: the engine runs U3 first
        QCOMPARE(op.direction, QStringLiteral("left"));
        QCOMPARE(spy.at(0).at(1).toString(), QStringLiteral("acc"));

        // Alt+arrow does the same from the keyboard.
        f.view.setFocus();
        QTest::keyClick(&f.view, Qt::Key_2);
        QTest::keyClick(&f.view, Qt::Key_Down, Qt::AltModifier);
        QCOMPARE(spy.size(), 2);
        op = spy.at(1).at(0).value<Operation>();
        QCOMPARE(op.direction, QStringLiteral("down"));
        QCOMPARE(op.tile, 2);
    }

    // Issue 12: the seed belongs to the whole grid (kolersky and midjourney-proxy ask by the task id), so it
    // is never recorded "from image 3", whichever image is selected; nor is reroll.
    void seedAndRerollNameNoTile()
    {
        Fixture f;
        f.view.showTask(gridTask(), test::fakeAccount());
        f.view.selectTile(3);
        Operation seed;
        seed.kind = OperationKind::Seed;
        QCOMPARE(f.view.operationFor(seed).tile, 0);
        Operation reroll;
        reroll.kind = OperationKind::Reroll;
        QCOMPARE(f.view.operationFor(reroll).tile, 0);
        Operation vary;
        vary.kind = OperationKind::Vary;
        QCOMPARE(f.view.operationFor(vary).tile, 3);
    }

    void refusedKeysSendNothing()
    {
        Fixture f;
        f.view.showTask(gridTask(TaskState::Running), test::fakeAccount(QStringLiteral("demo")));
        QSignalSpy spy(&f.view, &GalleryView::actionRequested);
        QSignalSpy messages(&f.view, &GalleryView::message);
        f.view.setFocus();
        QTest::keyClick(&f.view, Qt::Key_Left, Qt::AltModifier);
        QCOMPARE(spy.size(), 0);
        QCOMPARE(messages.size(), 1);
        QVERIFY2(messages.at(0).at(0).toString().contains(QStringLiteral("not finished")),
                 qPrintable(messages.at(0).at(0).toString()));
    }

    void upscaleVariantsAreOfferedWhereTheFamilyHasThem()
    {
        Fixture f;
        f.view.showTask(gridTask(), test::fakeAccount());
        auto *u = qobject_cast<QToolButton *>(button(&f.view, QStringLiteral("Upscale")));
        QVERIFY(u && u->menu());
        QStringList entries;
        for (QAction *a : u->menu()->actions())
            entries << a->text();
        QCOMPARE(entries,
                 QStringList({QStringLiteral("Upscale (Subtle)"), QStringLiteral("Upscale (Creative)")}));
        QSignalSpy spy(&f.view, &GalleryView::actionRequested);
        f.view.selectTile(4);
        u->menu()->actions().at(1)->trigger();
        QCOMPARE(spy.size(), 1);
        const auto op = spy.at(0).at(0).value<Operation>();
        QCOMPARE(op.kind, OperationKind::Upscale);
        QCOMPARE(op.variant, QStringLiteral("creative"));
        QCOMPARE(op.tile, 4);

        // The demo has none: a plain U button (on the tile still selected).
        f.view.showTask(gridTask(), test::fakeAccount(QStringLiteral("demo")));
        QVERIFY(!u->menu());
        QCOMPARE(u->text(), QStringLiteral("U4"));
    }

    void zoomAndVaryRegionCarryTheirInputs()
    {
        Fixture f;
        f.view.showTask(gridTask(), test::fakeAccount());
        QSignalSpy spy(&f.view, &GalleryView::actionRequested);
        f.view.selectTile(2);
        auto *zoom = qobject_cast<QToolButton *>(button(&f.view, QStringLiteral("Zoom out")));
        QVERIFY(zoom && zoom->menu());
        QCOMPARE(zoom->menu()->actions().size(), 3);
        zoom->menu()->actions().at(0)->trigger(); // 1.5x
        f.view.submitZoom(QStringLiteral("1.25")); // what "Custom…" sends
        QImage mask(8, 8, QImage::Format_Grayscale8);
        mask.fill(Qt::white);
        QByteArray png;
        {
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            mask.save(&buffer, "PNG");
        }
        f.view.submitVaryRegion(png, QStringLiteral("a hat"));
        QCOMPARE(spy.size(), 3);
        const auto zoom15 = spy.at(0).at(0).value<Operation>();
        QCOMPARE(zoom15.kind, OperationKind::Zoom);
        QCOMPARE(zoom15.zoomFactor, QStringLiteral("1.5"));
        QCOMPARE(zoom15.tile, 2);
        QCOMPARE(spy.at(1).at(0).value<Operation>().zoomFactor, QStringLiteral("1.25"));
        const auto region = spy.at(2).at(0).value<Operation>();
        QCOMPARE(region.kind, OperationKind::Inpaint);
        QCOMPARE(region.mask, png);
        QCOMPARE(region.prompt, QStringLiteral("a hat"));
        QCOMPARE(region.tile, 2);
    }

    void splitPrompts_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("prompts");
        QTest::newRow("describe") << kDescribe
                                  << QStringList {QStringLiteral("a red fox in the snow --ar 4:3"),
                                                  QStringLiteral("an orange fox, watercolor --ar 4:3"),
                                                  QStringLiteral("fox portrait"),
                                                  QStringLiteral("winter forest animal")};
        QTest::newRow("no selector") << QStringLiteral("1\u20E3 one 2\u20E3 two")
                                     << QStringList {QStringLiteral("one"), QStringLiteral("two")};
        QTest::newRow("plain") << QStringLiteral("  a short prompt \n")
                               << QStringList {QStringLiteral("a short prompt")};
        QTest::newRow("empty") << QString() << QStringList();
        // Issue 12: shorten's "## Important tokens" section is a note, not suggestion 1.
        QTest::newRow("shorten with its tokens")
            << QStringLiteral(
                   "## Important tokens\nA **red** fox sitting in **fresh snow**, soft morning light\n\n"
                   "## Shortened prompts\n1\uFE0F\u20E3 red fox, fresh snow\n\n"
                   "2\uFE0F\u20E3 red fox sitting, snow, morning\n\n3\uFE0F\u20E3 red fox\n\n"
                   "4\uFE0F\u20E3 fox, snow, light\n\n5\uFE0F\u20E3 red fox in snow")
            << QStringList {QStringLiteral("red fox, fresh snow"),
                            QStringLiteral("red fox sitting, snow, morning"), QStringLiteral("red fox"),
                            QStringLiteral("fox, snow, light"), QStringLiteral("red fox in snow")};
    }
    void splitPrompts()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, prompts);
        QCOMPARE(ui::splitPrompts(text), prompts);
        if (qstrcmp(QTest::currentDataTag(), "shorten with its tokens") == 0)
            QCOMPARE(
                ui::parsePrompts(text).note,
                QStringLiteral("Important tokens:\nA red fox sitting in fresh snow, soft morning light"));
        else
            QCOMPARE(ui::parsePrompts(text).note, QString());
    }

    void describeOffersEachPrompt()
    {
        Fixture f;
        f.view.showTask(textTask(OperationKind::Describe, QStringLiteral("finalPrompt"), kDescribe),
                        test::fakeAccount());
        QCOMPARE(f.view.textResult()->prompts().size(), 4);
        QSignalSpy spy(&f.view, &GalleryView::usePromptRequested);
        QAbstractButton *use = button(&f.view, QStringLiteral("Use prompt 2"));
        QVERIFY(use && use->isVisible());
        QTest::mouseClick(use, Qt::LeftButton);
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("an orange fox, watercolor --ar 4:3"));
        QVERIFY(!button(&f.view, QStringLiteral("Upscale"))->isVisible());
    }

    // Issue 12: shorten's important tokens are a note above the suggestions, which are numbered 1-5.
    void shortenShowsItsTokensAsANote()
    {
        Fixture f;
        const QString answer = QStringLiteral(
            "## Important tokens\nA **red** fox in **snow**\n\n## Shortened prompts\n1\uFE0F\u20E3 red fox, "
            "snow\n\n"
            "2\uFE0F\u20E3 fox in snow\n\n3\uFE0F\u20E3 red fox\n\n4\uFE0F\u20E3 snowy fox\n\n"
            "5\uFE0F\u20E3 fox");
        f.view.showTask(textTask(OperationKind::Shorten, QStringLiteral("finalPrompt"), answer),
                        test::fakeAccount());
        QCOMPARE(f.view.textResult()->prompts().size(), 5);
        QCOMPARE(f.view.textResult()->note(), QStringLiteral("Important tokens:\nA red fox in snow"));
        auto *note = f.view.findChild<QLabel *>(QStringLiteral("promptNote"));
        QVERIFY(note && note->isVisible());
        QSignalSpy spy(&f.view, &GalleryView::usePromptRequested);
        QAbstractButton *use = button(&f.view, QStringLiteral("Use prompt 1"));
        QVERIFY(use && use->isVisible());
        QTest::mouseClick(use, Qt::LeftButton);
        QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("red fox, snow"));
        QVERIFY(button(&f.view, QStringLiteral("Use prompt 5")));
        QVERIFY(!button(&f.view, QStringLiteral("Use prompt 6")));
    }

    void seedIsShownToCopy()
    {
        Fixture f;
        // Seeds beyond 2^53 stay exact: they travel as strings.
        f.view.showTask(
            textTask(OperationKind::Seed, QStringLiteral("seed"), QStringLiteral("9007199254740993")),
            test::fakeAccount());
        QCOMPARE(f.view.textResult()->seed(), QStringLiteral("9007199254740993"));
        bool shown = false;
        for (QLabel *l : f.view.findChildren<QLabel *>())
            shown = shown || (l->isVisible() && l->text() == QStringLiteral("9007199254740993"));
        QVERIFY(shown);
        QVERIFY(button(&f.view, QStringLiteral("Copy seed"))->isVisible());
    }

    void videosShowAPlayButton()
    {
        Fixture f;
        QFile file(f.archive.absolutePath(QStringLiteral("v1.mp4")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\x00\x00\x00\x18"
                   "ftypmp42",
                   12);
        file.close();
        Task t;
        t.id = QStringLiteral("video-1");
        t.accountId = QStringLiteral("acc");
        t.operation = Operation::imagine(QStringLiteral("waves"));
        t.operation.type = GenerateType::Video;
        t.state = TaskState::Succeeded;
        t.remoteId = QStringLiteral("r");
        for (int i = 1; i <= 2; ++i) {
            ImageRef v;
            v.role = ImageRole::Video;
            v.index = i;
            v.path = i == 1 ? QStringLiteral("v1.mp4") : QString();
            v.state = i == 1 ? ImageState::Downloaded : ImageState::Failed;
            v.error = i == 1 ? QString() : QStringLiteral("expired");
            t.images.append(v);
        }
        f.view.showTask(t, test::fakeAccount());
        QAbstractButton *play = button(&f.view, QStringLiteral("Play video"));
        QVERIFY(play && play->isVisible());
        QVERIFY(play->isEnabled());
        QVERIFY(!button(&f.view, QStringLiteral("Upscale"))->isVisible());
        QVERIFY(button(&f.view, QStringLiteral("Extend video"))->isVisible());
        QCOMPARE(f.view.selectedImagePath(), file.fileName());
        int videos = 0;
        for (TileWidget *tile : f.view.findChildren<TileWidget *>())
            videos += tile->isVisible() && tile->isVideo() ? 1 : 0;
        QCOMPARE(videos, 1); // the second one failed and shows its error instead
        f.view.selectTile(2);
        QVERIFY(!play->isEnabled());
    }
};

QTEST_MAIN(TstGallery)
#include "tst_gallery.moc"
