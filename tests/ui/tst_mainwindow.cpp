// The first screens end to end, offscreen: prompt → Ctrl+Enter → four tiles; 3 then U → an upscale in
// the Queue that completes and shows as a single image; errors reach the user next to what caused them;
// "Use this prompt" of a describe result fills Compose; layout and history survive a restart.
#include "appcore.h"
#include "common/tasklistmodel.h"
#include "compose/composepanel.h"
#include "compose/prompteditor.h"
#include "gallery/actionbar.h"
#include "gallery/comparedialog.h"
#include "gallery/galleryview.h"
#include "gallery/lineagestrip.h"
#include "gallery/tilewidget.h"
#include "history/historydetails.h"
#include "history/historymodel.h"
#include "history/historyview.h"
#include "queue/queueview.h"
#include "settings/appsettings.h"
#include "shell/mainwindow.h"
#include "shell/shortcutsdialog.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QDockWidget>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QPushButton>
#include <QScreen>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>

#include <algorithm>
#include <limits>

using namespace tessera;
using namespace tessera::ui;

namespace {

constexpr int kTimeoutMs = 20000;

std::unique_ptr<AppCore> openCore(const QString &root)
{
    AppCore::Options options;
    options.paths = AppPaths::under(root);
    options.demoTileLongSide = 64;
    auto core = AppCore::open(options);
    if (!core)
        qFatal("cannot open core: %s", qPrintable(core.error().message));
    // Fast demo tasks: 0.3 s instead of 4 s.
    Account demo = **(*core)->store().account(QString::fromLatin1(Account::kDemoId));
    demo.options.insert(QStringLiteral("duration"), QStringLiteral("0.3"));
    if (!(*core)->store().saveAccount(demo))
        qFatal("cannot configure the demo account");
    return std::move(*core);
}

QList<TileWidget *> visibleTiles(GalleryView *gallery)
{
    QList<TileWidget *> shown;
    for (TileWidget *t : gallery->findChildren<TileWidget *>()) {
        if (t->isVisible())
            shown.append(t);
    }
    return shown;
}

QAbstractButton *buttonNamed(QWidget *parent, const QString &accessibleName)
{
    for (QAbstractButton *b : parent->findChildren<QAbstractButton *>()) {
        if (b->accessibleName() == accessibleName)
            return b;
    }
    return nullptr;
}

// Tessera in a temporary folder: core, settings and the main window, shown offscreen.
struct Session
{
    explicit Session(const QString &root)
        : core(openCore(root))
        , settings(QDir(root).filePath(QStringLiteral("settings.ini")))
        , window(*core, settings)
    {
        window.show();
    }
    std::unique_ptr<AppCore> core;
    AppSettings settings;
    MainWindow window;
};

} // namespace

class TstMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void promptToGridToUpscale()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        auto &core = session.core;
        MainWindow &window = session.window;
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        // The demo is labelled as such.
        bool bannerShown = false;
        for (QLabel *l : window.findChildren<QLabel *>())
            bannerShown = bannerShown || (l->isVisible() && l->text().contains(QStringLiteral("Demo mode")));
        QVERIFY(bannerShown);
        QCOMPARE(window.compose()->currentAccountId(), QString::fromLatin1(Account::kDemoId));

        PromptEditor *prompt = window.compose()->promptEditor();
        prompt->setFocus();
        QTest::keyClicks(prompt, QStringLiteral("a red fox"));
        QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);

        GalleryView *gallery = window.gallery();
        QTRY_VERIFY_WITH_TIMEOUT(gallery->task().has_value(), kTimeoutMs);
        const QString imagineId = gallery->task()->id;
        QTRY_COMPARE_WITH_TIMEOUT(gallery->task()->state, TaskState::Succeeded, kTimeoutMs);
        QVERIFY(gallery->task()->isGrid());
        QTRY_COMPARE(visibleTiles(gallery).size(), 4);
        for (TileWidget *t : visibleTiles(gallery))
            QVERIFY(!t->imagePath().isEmpty());
        QCOMPARE(window.queueModel()->rowCount(), 1);

        // Select image 3 with the keyboard, then U.
        gallery->setFocus();
        QTest::keyClick(gallery, Qt::Key_3);
        QCOMPARE(gallery->selectedTile(), 3);
        QCOMPARE(buttonNamed(gallery, QStringLiteral("Upscale"))->text(), QStringLiteral("U3"));
        // Ctrl+C puts the selected image itself on the clipboard.
        QTest::keyClick(gallery, Qt::Key_C, Qt::ControlModifier);
        QTRY_COMPARE(QGuiApplication::clipboard()->image().size(), gallery->task()->image(3)->size);
        QTest::keyClick(gallery, Qt::Key_U);

        // The upscale shows in the Queue and runs; the Gallery stays on the grid with image 3 selected
        // (issue 14: U1…U4 in a row), and image 3 carries the upscale's badge until it is done.
        QTRY_COMPARE_WITH_TIMEOUT(window.queueModel()->rowCount(), 2, kTimeoutMs);
        const Task upscale = window.queueModel()->taskAt(0);
        QCOMPARE(upscale.operation.kind, OperationKind::Upscale);
        QCOMPARE(upscale.parentId, imagineId);
        QCOMPARE(upscale.tile, 3);
        QCOMPARE(gallery->task()->id, imagineId);
        QCOMPARE(gallery->selectedTile(), 3);
        TileWidget *third = nullptr;
        for (TileWidget *t : visibleTiles(gallery))
            third = t->index() == 3 ? t : third;
        QVERIFY(third);
        QCOMPARE(third->offspring().size(), 1);
        QCOMPARE(third->offspring().first().taskId, upscale.id);
        QCOMPARE(third->offspring().first().label, QStringLiteral("U3"));
        QTRY_COMPARE_WITH_TIMEOUT(third->offspring().first().state, TileWidget::Offspring::State::Done,
                                  kTimeoutMs);
        for (TileWidget *t : visibleTiles(gallery))
            QVERIFY(t == third || t->offspring().isEmpty());
        // A click on the badge opens the upscale; Ctrl+Up goes back to the grid, Ctrl+Down to it again.
        const QRectF badge = third->offspringRect(upscale.id);
        QVERIFY(!badge.isEmpty());
        QTest::mouseClick(third, Qt::LeftButton, {}, badge.center().toPoint());
        QCOMPARE(gallery->task()->id, upscale.id);
        // The lineage strip above the image: imagine → U3, the shown step marked; a click walks back.
        LineageStrip *strip = gallery->lineageStrip();
        QVERIFY(strip->isVisible());
        QCOMPARE(strip->path().size(), 2);
        QCOMPARE(strip->path().first().id, imagineId);
        QCOMPARE(strip->path().last().id, upscale.id);
        const auto visibleSteps = [strip] {
            QList<QToolButton *> shown;
            for (QToolButton *b : strip->findChildren<QToolButton *>())
                if (b->isVisible())
                    shown.append(b);
            return shown;
        };
        QTRY_COMPARE(visibleSteps().size(), 2); // laid out on the next turn of the event loop
        const QList<QToolButton *> steps = visibleSteps();
        QCOMPARE(steps.at(0)->text(), QStringLiteral("Imagine"));
        QCOMPARE(steps.at(1)->text(), QStringLiteral("U3"));
        QVERIFY(steps.at(1)->isChecked());
        QTest::mouseClick(steps.at(0), Qt::LeftButton);
        QCOMPARE(gallery->task()->id, imagineId);
        QVERIFY(!strip->isVisible()); // made from a prompt: no path to show
        gallery->selectTile(3);
        QTest::keyClick(gallery, Qt::Key_Down, Qt::ControlModifier);
        QCOMPARE(gallery->task()->id, upscale.id);
        QTest::keyClick(gallery, Qt::Key_Up, Qt::ControlModifier);
        QCOMPARE(gallery->task()->id, imagineId);
        gallery->selectTile(3);
        QTest::keyClick(gallery, Qt::Key_Down, Qt::ControlModifier);
        QCOMPARE(gallery->task()->id, upscale.id);
        QTRY_COMPARE_WITH_TIMEOUT(gallery->task()->state, TaskState::Succeeded, kTimeoutMs);

        // C compares the upscale with the image it was made from; F and Space flick between them.
        QVERIFY(gallery->compareAvailability().enabled);
        gallery->setFocus();
        QTest::keyClick(gallery, Qt::Key_C);
        CompareDialog *compare = nullptr;
        QTRY_VERIFY((compare = window.findChild<CompareDialog *>()) != nullptr);
        QCOMPARE(compare->windowTitle(), QStringLiteral("Compare: Image 3 it was made from and U3"));
        QVERIFY(!compare->flickering());
        QTest::keyClick(compare, Qt::Key_F);
        QVERIFY(compare->flickering());
        QCOMPARE(compare->shownSide(), 0);
        QTest::keyClick(compare, Qt::Key_Space);
        QCOMPARE(compare->shownSide(), 1);
        compare->close();
        QTRY_COMPARE(visibleTiles(gallery).size(), 1);
        QVERIFY(!visibleTiles(gallery).first()->imagePath().isEmpty());
        QVERIFY(gallery->task()->image(0));
        QCOMPARE(window.queueModel()->taskAt(0).state, TaskState::Succeeded);

        // On a single image U is disabled and says why.
        QAbstractButton *u = buttonNamed(gallery, QStringLiteral("Upscale"));
        QVERIFY(!u->isEnabled());
        QVERIFY(u->toolTip().contains(QStringLiteral("already")));
        const int before = *core->store().taskCount();
        QTest::keyClick(gallery, Qt::Key_U);
        QCOMPARE(*core->store().taskCount(), before);
    }

    // Issue 12: a grid opened from the History, from the Queue and through the details' Parent link shows
    // the same action row, every button of it inside the bar (none cut off below it), at 1440×900.
    void everyEntryPointShowsTheSameActionRow()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        MainWindow &window = session.window;
        window.resize(1440, 900);
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        TaskEngine &engine = session.core->engine();
        const Result<QString> grid = engine.submit(Operation::imagine(QStringLiteral("a lighthouse")),
                                                   QString::fromLatin1(Account::kDemoId));
        QVERIFY(grid);
        QTRY_COMPARE_WITH_TIMEOUT((*session.core->store().task(*grid))->state, TaskState::Succeeded,
                                  kTimeoutMs);
        const Result<QString> up = engine.submit(Operation::action(OperationKind::Upscale, *grid, 2),
                                                 QString::fromLatin1(Account::kDemoId));
        QVERIFY(up);
        QTRY_COMPARE_WITH_TIMEOUT((*session.core->store().task(*up))->state, TaskState::Succeeded,
                                  kTimeoutMs);
        window.historyModel()->refresh();
        QTRY_VERIFY(window.historyModel()->rowOf(*grid) >= 0);

        GalleryView *gallery = window.gallery();
        const auto actionRow = [&]() -> QStringList {
            ActionBar *bar = gallery->actionBar();
            QStringList shown;
            for (QAbstractButton *b : bar->findChildren<QAbstractButton *>()) {
                if (!b->isVisibleTo(bar))
                    continue;
                const QRect inBar(b->mapTo(bar, QPoint(0, 0)), b->size());
                if (!bar->rect().contains(inBar))
                    return {QStringLiteral("cut off: %1 at %2,%3 %4x%5 in bar %6x%7, area %8x%9")
                                .arg(b->accessibleName())
                                .arg(inBar.x())
                                .arg(inBar.y())
                                .arg(inBar.width())
                                .arg(inBar.height())
                                .arg(bar->width())
                                .arg(bar->height())
                                .arg(bar->parentWidget()->width())
                                .arg(bar->parentWidget()->height())};
                shown.append(b->accessibleName());
            }
            const QRect barInArea(bar->mapTo(bar->parentWidget(), QPoint(0, 0)), bar->size());
            if (!bar->parentWidget()->rect().contains(barInArea))
                return {QStringLiteral("bar cut off")};
            shown.sort();
            return shown;
        };
        const auto showsGrid = [&] { return gallery->task() && gallery->task()->id == *grid; };

        // From the History's list.
        window.showTask(*up);
        QTRY_VERIFY(gallery->task() && gallery->task()->id == *up);
        QListView *historyList = window.history()->listView();
        historyList->setCurrentIndex(window.historyModel()->index(window.historyModel()->rowOf(*grid)));
        QTRY_VERIFY(showsGrid());
        QTest::qWait(50);
        const QStringList fromHistory = actionRow();
        QVERIFY2(fromHistory.contains(QStringLiteral("Seed"))
                     && fromHistory.contains(QStringLiteral("View full size")),
                 qPrintable(fromHistory.join(QStringLiteral(", "))));

        // From the Queue.
        window.showTask(*up);
        QTRY_VERIFY(gallery->task() && gallery->task()->id == *up);
        QListView *queueList = window.queue()->listView();
        queueList->setCurrentIndex(window.queueModel()->index(window.queueModel()->rowOf(*grid)));
        QTRY_VERIFY(showsGrid());
        QTest::qWait(50);
        QCOMPARE(actionRow(), fromHistory);

        // Through the Parent link of the upscale's details.
        window.showTask(*up);
        QTRY_VERIFY(gallery->task() && gallery->task()->id == *up);
        emit window.history()->details()->taskLinkActivated(*grid);
        QTRY_VERIFY(showsGrid());
        QTest::qWait(50);
        QCOMPARE(actionRow(), fromHistory);
    }

    void emptyPromptIsExplainedAndNothingIsStored()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        auto &core = session.core;
        MainWindow &window = session.window;
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::keyClick(window.compose()->promptEditor(), Qt::Key_Return, Qt::ControlModifier);
        bool explained = false;
        for (QLabel *l : window.compose()->findChildren<QLabel *>())
            explained = explained || (l->isVisible() && l->text().contains(QStringLiteral("prompt")));
        QVERIFY(explained);
        QCOMPARE(*core->store().taskCount(), 0);
        QVERIFY(!window.gallery()->task());
    }

    void engineRefusalIsShownNextToGenerate()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        MainWindow &window = session.window;
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // The demo accepts 2000 characters: the engine refuses more and names the field.
        window.compose()->promptEditor()->setPlainText(QString(2100, QLatin1Char('a')));
        QTest::keyClick(window.compose()->promptEditor(), Qt::Key_Return, Qt::ControlModifier);
        bool inline_ = false;
        for (QLabel *l : window.compose()->findChildren<QLabel *>())
            inline_ = inline_ || (l->isVisible() && l->text().startsWith(QStringLiteral("prompt:")));
        QVERIFY(inline_);
        QCOMPARE(*session.core->store().taskCount(), 0);
    }

    void useThisPromptFillsCompose()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        MainWindow &window = session.window;
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        Task describe;
        describe.id = QStringLiteral("describe-1");
        describe.accountId = QString::fromLatin1(Account::kDemoId);
        describe.operation.kind = OperationKind::Describe;
        describe.operation.references = {QStringLiteral("https://example.com/fox.png")};
        describe.state = TaskState::Succeeded;
        describe.created = describe.updated = describe.finished = QDateTime::currentDateTimeUtc();
        describe.remote.insert(
            QStringLiteral("finalPrompt"),
            QStringLiteral("1️⃣ a red fox --ar 4:3\n\n2️⃣ a fox in watercolor --ar 4:3\n\n"
                           "3️⃣ fox portrait\n\n4️⃣ a winter animal"));
        QVERIFY(session.core->store().insertTask(describe, QString(), 0));
        window.showTask(describe.id);
        QAbstractButton *use = buttonNamed(window.gallery(), QStringLiteral("Use prompt 2"));
        QVERIFY(use && use->isVisible());
        QTest::mouseClick(use, Qt::LeftButton);
        QCOMPARE(window.compose()->promptEditor()->prompt(), QStringLiteral("a fox in watercolor --ar 4:3"));
        QVERIFY(window.compose()->promptEditor()->hasFocus() || !window.isActiveWindow());
    }

    void historyAndLayoutSurviveARestart()
    {
        QTemporaryDir dir;
        const QString ini = dir.filePath(QStringLiteral("settings.ini"));
        QString id;
        {
            auto core = openCore(dir.path());
            AppSettings settings(ini);
            MainWindow window(*core, settings);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            id = window.submit(Operation::imagine(QStringLiteral("harbour at night")),
                               QString::fromLatin1(Account::kDemoId));
            QVERIFY(!id.isEmpty());
            QTRY_COMPARE_WITH_TIMEOUT(window.gallery()->task()->state, TaskState::Succeeded, kTimeoutMs);
            window.findChild<QDockWidget *>(QStringLiteral("HistoryDock"))->hide();
            window.close();
        }
        auto core = openCore(dir.path());
        AppSettings settings(ini);
        MainWindow window(*core, settings);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(!window.findChild<QDockWidget *>(QStringLiteral("HistoryDock"))->isVisible());
        QVERIFY(window.findChild<QDockWidget *>(QStringLiteral("QueueDock"))->isVisible());
        // The newest task opens in the Gallery with its images from the archive.
        QVERIFY(window.gallery()->task());
        QCOMPARE(window.gallery()->task()->id, id);
        QTRY_COMPARE(visibleTiles(window.gallery()).size(), 4);
        QCOMPARE(window.history()->listView()->model()->rowCount(), 1);
    }

    // Issue 14: the Task menu, the action bar and the keys agree. An action the bar greys out is greyed
    // in the menu with the same reason; its key says why in the status bar and sends nothing.
    void menuBarAndKeysAgree()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        MainWindow &window = session.window;
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto menuAction = [&](const QString &text) -> QAction * {
            for (QAction *a : window.menuBar()->findChildren<QAction *>()) {
                if (a->text().remove(QLatin1Char('&')) == text)
                    return a;
            }
            return nullptr;
        };
        QAction *upscale = menuAction(QStringLiteral("Upscale Selected"));
        QVERIFY(upscale);
        QVERIFY(!upscale->isEnabled()); // nothing shown yet
        QCOMPARE(upscale->toolTip(), QStringLiteral("Select a task first"));
        QVERIFY(!menuAction(QStringLiteral("Cancel Task"))->isEnabled());

        TaskEngine &engine = session.core->engine();
        const QString demo = QString::fromLatin1(Account::kDemoId);
        const Result<QString> grid = engine.submit(Operation::imagine(QStringLiteral("a harbour")), demo);
        QVERIFY(grid);
        window.showTask(*grid);
        QVERIFY(menuAction(QStringLiteral("Cancel Task"))->isEnabled()); // running
        QTRY_COMPARE_WITH_TIMEOUT(window.gallery()->task()->state, TaskState::Succeeded, kTimeoutMs);
        QVERIFY(!menuAction(QStringLiteral("Cancel Task"))->isEnabled());
        QVERIFY(
            menuAction(QStringLiteral("Cancel Task"))->toolTip().contains(QStringLiteral("already ended")));

        ActionBar *bar = window.gallery()->actionBar();
        const QList<QPair<QString, QString>> pairs {
            {QStringLiteral("Upscale Selected"), QStringLiteral("Upscale")},
            {QStringLiteral("Vary Selected"), QStringLiteral("Vary")},
            {QStringLiteral("Reroll"), QStringLiteral("Reroll")},
            {QStringLiteral("Pan Left"), QStringLiteral("Pan left")},
            {QStringLiteral("Pan Right"), QStringLiteral("Pan right")},
            {QStringLiteral("Pan Up"), QStringLiteral("Pan up")},
            {QStringLiteral("Pan Down"), QStringLiteral("Pan down")},
            {QStringLiteral("Zoom Out…"), QStringLiteral("Zoom out")},
            {QStringLiteral("Vary Region…"), QStringLiteral("Vary region")},
            {QStringLiteral("Seed"), QStringLiteral("Seed")},
        };
        const auto agree = [&]() -> QString {
            for (const auto &[menuText, buttonName] : pairs) {
                QAction *m = menuAction(menuText);
                QAbstractButton *b = buttonNamed(bar, buttonName);
                if (!m || !b)
                    return QStringLiteral("missing: ") + menuText;
                if (m->isEnabled() != b->isEnabled())
                    return QStringLiteral("%1: menu %2, bar %3")
                        .arg(menuText)
                        .arg(m->isEnabled())
                        .arg(b->isEnabled());
                if (!m->isEnabled() && (m->toolTip().isEmpty() || !b->toolTip().contains(m->toolTip())))
                    return QStringLiteral("%1: menu says \"%2\", bar says \"%3\"")
                        .arg(menuText, m->toolTip(), b->toolTip());
            }
            return {};
        };
        QCOMPARE(agree(), QString());
        for (int tile = 1; tile <= 4; ++tile)
            QVERIFY(menuAction(QStringLiteral("Select Image %1").arg(tile))->isEnabled());

        const Result<QString> up = engine.submit(Operation::action(OperationKind::Upscale, *grid, 2), demo);
        QVERIFY(up);
        window.showTask(*up);
        QTRY_COMPARE_WITH_TIMEOUT(window.gallery()->task()->state, TaskState::Succeeded, kTimeoutMs);
        QCOMPARE(agree(), QString());
        QVERIFY(!upscale->isEnabled()); // a single image is upscaled already
        QAction *select = menuAction(QStringLiteral("Select Image 3"));
        QVERIFY(!select->isEnabled());
        QCOMPARE(select->toolTip(), QStringLiteral("This result is a single image"));

        // The keys of what is not offered say why, from the Gallery and from the History's list alike.
        const int before = *session.core->store().taskCount();
        window.gallery()->setFocus();
        QTest::keyClick(window.gallery(), Qt::Key_U);
        QVERIFY2(window.statusBar()->currentMessage().startsWith(
                     QStringLiteral("Upscale Selected is not available: ")),
                 qPrintable(window.statusBar()->currentMessage()));
        QVERIFY(window.statusBar()->currentMessage().endsWith(upscale->toolTip()));
        window.statusBar()->clearMessage();
        QListView *list = window.history()->findChild<QListView *>();
        QVERIFY(list);
        list->setFocus();
        QTest::keyClick(list, Qt::Key_3);
        QCOMPARE(window.statusBar()->currentMessage(),
                 QStringLiteral("Select Image 3 is not available: This result is a single image"));
        QCOMPARE(*session.core->store().taskCount(), before);
        // Keys sent to the prompt are text even while another widget holds the focus (a window that is
        // not active still gets keys: they must never be eaten as refused actions).
        window.compose()->promptEditor()->clear();
        list->setFocus();
        QTest::keyClicks(window.compose()->promptEditor(), QStringLiteral("a harbour at dusk"));
        QCOMPARE(window.compose()->promptEditor()->toPlainText(), QStringLiteral("a harbour at dusk"));
        window.compose()->promptEditor()->clear();
        // In the prompt the same keys are text.
        PromptEditor *prompt = window.compose()->promptEditor();
        prompt->setFocus();
        window.statusBar()->clearMessage();
        QTest::keyClicks(prompt, QStringLiteral("3u"));
        QVERIFY(prompt->toPlainText().endsWith(QStringLiteral("3u")));
        QVERIFY(window.statusBar()->currentMessage().isEmpty());
    }

    // Issue 14, the keyboard loop: Ctrl+Enter, and when the grid arrives (the prompt untouched) the
    // keyboard is on the images: 3 selects, U upscales, nothing lands in the prompt; Ctrl+L goes back,
    // Esc comes out again. A prompt edited while the task ran keeps the keyboard.
    void theKeyboardLoopNeedsNoMouse()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        MainWindow &window = session.window;
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        PromptEditor *prompt = window.compose()->promptEditor();
        GalleryView *gallery = window.gallery();
        prompt->setFocus();
        QTest::keyClicks(prompt, QStringLiteral("a quiet bay"));
        QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(gallery->task() && gallery->task()->state == TaskState::Succeeded,
                                 kTimeoutMs);
        QTRY_VERIFY(gallery->hasFocus());
        QVERIFY2(window.statusBar()->currentMessage().startsWith(QStringLiteral("Done — 1–4 pick an image")),
                 qPrintable(window.statusBar()->currentMessage()));
        const QString grid = gallery->task()->id;
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_3);
        QCOMPARE(gallery->selectedTile(), 3);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_U);
        QTRY_COMPARE_WITH_TIMEOUT(window.queueModel()->rowCount(), 2, kTimeoutMs);
        const Task upscale = window.queueModel()->taskAt(0);
        QCOMPARE(upscale.operation.kind, OperationKind::Upscale);
        QCOMPARE(upscale.parentId, grid);
        QCOMPARE(upscale.tile, 3);
        QCOMPARE(prompt->toPlainText(), QStringLiteral("a quiet bay")); // no "3u" in it
        // Still on the grid: 1 then U upscales the first image too.
        QCOMPARE(gallery->task()->id, grid);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_1);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_U);
        QTRY_COMPARE_WITH_TIMEOUT(window.queueModel()->rowCount(), 3, kTimeoutMs);
        QCOMPARE(window.queueModel()->taskAt(0).tile, 1);
        QCOMPARE(gallery->task()->id, grid);
        QCOMPARE(gallery->selectedTile(), 1);

        // Ctrl+L: back to the prompt; Esc: out to the images again, with the keys named.
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_L, Qt::ControlModifier);
        QTRY_VERIFY(prompt->hasFocus());
        QTest::keyClicks(prompt, QStringLiteral(" at dusk"));
        QTest::keyClick(prompt, Qt::Key_Escape);
        QVERIFY(gallery->hasFocus());
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("Ctrl+L back to the prompt")));
        QCOMPARE(prompt->toPlainText(), QStringLiteral("a quiet bay at dusk"));

        // Typing on while the task runs: the keyboard stays in the prompt when the result comes.
        prompt->setFocus();
        QTest::keyClick(prompt, Qt::Key_Return, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(window.queueModel()->rowCount(), 4, kTimeoutMs);
        const QString second = window.queueModel()->taskAt(0).id;
        QTest::keyClicks(prompt, QStringLiteral(", fog"));
        QTRY_VERIFY_WITH_TIMEOUT(session.core->store().task(second)->value().state == TaskState::Succeeded,
                                 kTimeoutMs);
        QTest::qWait(50);
        QVERIFY(prompt->hasFocus());
        QVERIFY(prompt->toPlainText().endsWith(QStringLiteral(", fog")));
    }

    // Issue 14: the first window fits the screen it opens on, and everything in it can shrink to a small
    // laptop's 1024 × 640 (less the frame): no dock or panel holds the window wider or taller.
    void theWindowFitsTheScreen()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        MainWindow &window = session.window;
        const QSize available = window.screen()->availableGeometry().size();
        QVERIFY2(window.width() <= available.width() && window.height() <= available.height(),
                 qPrintable(QStringLiteral("%1×%2 on %3×%4")
                                .arg(window.width())
                                .arg(window.height())
                                .arg(available.width())
                                .arg(available.height())));
        const QSize least = window.minimumSizeHint();
        QVERIFY2(least.width() <= 1024 - 16 && least.height() <= 640 - 48,
                 qPrintable(QStringLiteral("the window cannot be smaller than %1×%2")
                                .arg(least.width())
                                .arg(least.height())));

        // Images first: on a small screen the details column gives way and the tiles keep a usable size.
        QVERIFY(!window
                     .submit(Operation::imagine(QStringLiteral("a harbour")),
                             QString::fromLatin1(Account::kDemoId))
                     .isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(window.gallery()->task()->state, TaskState::Succeeded, kTimeoutMs);
        const auto smallestTile = [&] {
            int side = std::numeric_limits<int>::max();
            for (TileWidget *t : visibleTiles(window.gallery()))
                side = std::min({side, t->width(), t->height()});
            return side;
        };
        window.resize(1024 - 16, 640 - 48);
        QTRY_VERIFY(!window.gallery()->detailsShown());
        QTRY_VERIFY2(smallestTile() >= 150, qPrintable(QString::number(smallestTile())));
        window.resize(1440 - 16, 900 - 48);
        QTRY_VERIFY(window.gallery()->detailsShown());
        QTRY_VERIFY2(smallestTile() >= 230, qPrintable(QString::number(smallestTile())));
        // Hidden by the user: remembered.
        QAction *details = window.findChild<QAction *>(QStringLiteral("detailsAction"));
        QVERIFY(details && details->isChecked());
        details->trigger();
        QVERIFY(!window.gallery()->detailsShown());
        QVERIFY(!session.settings.galleryDetails());
        details->trigger();
        QVERIFY(window.gallery()->detailsShown());
    }

    // Issue 14: F1 is grouped by where the keys work and searchable; the new keys are on it.
    void theShortcutSheetIsGroupedAndSearchable()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        MainWindow &window = session.window;
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QStringList all;
        QStringList undo;
        QStringList lineage;
        QTimer::singleShot(0, &window, [&] {
            auto *sheet = qobject_cast<ShortcutsDialog *>(QApplication::activeModalWidget());
            if (!sheet)
                return;
            all = sheet->shownRows();
            sheet->searchField()->setText(QStringLiteral("undo"));
            undo = sheet->shownRows();
            sheet->searchField()->setText(QStringLiteral("ctrl+down"));
            lineage = sheet->shownRows();
            sheet->reject();
        });
        QTest::keyClick(&window, Qt::Key_F1);
        QVERIFY2(all.size() > 40, qPrintable(all.join(QLatin1Char('\n'))));
        for (const QString &area :
             {QStringLiteral("Task / "), QStringLiteral("View / "), QStringLiteral("Compose / "),
              QStringLiteral("Gallery / "), QStringLiteral("History / "),
              QStringLiteral("Mask editor (Vary Region) / ")})
            QVERIFY2(
                std::any_of(all.cbegin(), all.cend(), [&](const QString &r) { return r.startsWith(area); }),
                qPrintable(area));
        QVERIFY(all.contains(QStringLiteral("Compose / Leave the prompt for the images / Esc")));
        QVERIFY2(undo.contains(QStringLiteral("Mask editor (Vary Region) / Undo / Ctrl+Z")),
                 qPrintable(undo.join(QLatin1Char('\n'))));
        QVERIFY(undo.size() < 6);
        QVERIFY2(std::any_of(lineage.cbegin(), lineage.cend(),
                             [](const QString &r) {
                                 return r.startsWith(
                                     QStringLiteral("Task / Open Newest Made from the Image"));
                             }),
                 qPrintable(lineage.join(QLatin1Char('\n'))));
    }

    // Issue 14: at 1024×640, 1440×900 and 2560×1440 the grid gets the room: tiles of a usable size, every
    // button of the bar inside it, and no tile over another or over the bar.
    void theLayoutHoldsAtThreeSizes_data()
    {
        QTest::addColumn<QSize>("screen");
        QTest::addColumn<int>("leastTile");
        QTest::newRow("1024x640") << QSize(1024, 640) << 150;
        QTest::newRow("1440x900") << QSize(1440, 900) << 230;
        QTest::newRow("2560x1440") << QSize(2560, 1440) << 450;
    }
    void theLayoutHoldsAtThreeSizes()
    {
        QFETCH(QSize, screen);
        QFETCH(int, leastTile);
        QTemporaryDir dir;
        Session session(dir.path());
        MainWindow &window = session.window;
        QVERIFY(!window
                     .submit(Operation::imagine(QStringLiteral("a harbour")),
                             QString::fromLatin1(Account::kDemoId))
                     .isEmpty());
        GalleryView *gallery = window.gallery();
        QTRY_COMPARE_WITH_TIMEOUT(gallery->task()->state, TaskState::Succeeded, kTimeoutMs);
        window.resize(screen - QSize(16, 48));
        QTRY_COMPARE(visibleTiles(gallery).size(), 4);
        QTest::qWait(50); // the area lays out the tiles after the resize
        QList<QRect> rects;
        for (TileWidget *t : visibleTiles(gallery)) {
            QVERIFY2(std::min(t->width(), t->height()) >= leastTile,
                     qPrintable(QStringLiteral("tile %1×%2").arg(t->width()).arg(t->height())));
            rects.append(QRect(t->mapTo(gallery, QPoint(0, 0)), t->size()));
        }
        ActionBar *bar = gallery->actionBar();
        const QRect barRect(bar->mapTo(gallery, QPoint(0, 0)), bar->size());
        for (qsizetype i = 0; i < rects.size(); ++i) {
            QVERIFY2(!rects.at(i).intersects(barRect), "a tile lies over the action bar");
            for (qsizetype j = i + 1; j < rects.size(); ++j)
                QVERIFY2(!rects.at(i).intersects(rects.at(j)), "two tiles overlap");
            QVERIFY2(gallery->rect().contains(rects.at(i)), "a tile is cut off");
        }
        for (QAbstractButton *b : bar->findChildren<QAbstractButton *>()) {
            if (!b->isVisibleTo(bar))
                continue;
            const QRect inBar(b->mapTo(bar, QPoint(0, 0)), b->size());
            QVERIFY2(bar->rect().contains(inBar),
                     qPrintable(QStringLiteral("cut off: ") + b->accessibleName()));
        }
        QVERIFY2(gallery->rect().contains(barRect), "the bar is cut off");
    }

    void actionsKeepRunningWhileTheUserWorksOn()
    {
        QTemporaryDir dir;
        Session session(dir.path());
        auto &core = session.core;
        MainWindow &window = session.window;
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QString a = window.submit(Operation::imagine(QStringLiteral("first")),
                                        QString::fromLatin1(Account::kDemoId));
        const QString b = window.submit(Operation::imagine(QStringLiteral("second")),
                                        QString::fromLatin1(Account::kDemoId));
        QCOMPARE(window.gallery()->task()->id, b);
        // Looking at the first in the Queue while both run.
        window.showTask(a);
        QCOMPARE(window.gallery()->task()->id, a);
        QTRY_VERIFY_WITH_TIMEOUT(core->store().task(a)->value().state == TaskState::Succeeded
                                     && core->store().task(b)->value().state == TaskState::Succeeded,
                                 kTimeoutMs);
        QCOMPARE(window.gallery()->task()->id, a);
        QTRY_COMPARE(window.gallery()->task()->state, TaskState::Succeeded);
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
