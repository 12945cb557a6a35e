// The Queue's rows: percent only for families that report it, and "waiting for U3" for an action
// chained after an upscale that is still under way.
#include "common/imagecache.h"
#include "common/taskdelegate.h"
#include "common/tasklistmodel.h"
#include "queue/queueview.h"
#include "storage/imagearchive.h"

#include <QDateTime>
#include <QListView>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QToolButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace tessera;
using namespace tessera::ui;

namespace {

Task task(const QString &id, OperationKind kind, TaskState state, const QString &parent = {}, int tile = 0)
{
    Task t;
    t.id = id;
    t.accountId = QStringLiteral("acc");
    t.operation = kind == OperationKind::Imagine ? Operation::imagine(QStringLiteral("a fox"))
                                                 : Operation::action(kind, parent, tile);
    if (kind == OperationKind::Pan)
        t.operation.direction = QStringLiteral("left");
    t.parentId = parent;
    t.tile = tile;
    t.state = state;
    return t;
}

} // namespace

class TstQueue : public QObject
{
    Q_OBJECT
private slots:
    void chainedActionWaitsForItsUpscale()
    {
        QTemporaryDir dir;
        ImageArchive archive(dir.path());
        TaskListModel model(archive);
        const Task grid = task(QStringLiteral("g"), OperationKind::Imagine, TaskState::Succeeded);
        Task upscale = task(QStringLiteral("u"), OperationKind::Upscale, TaskState::Running, grid.id, 3);
        const Task pan = task(QStringLiteral("p"), OperationKind::Pan, TaskState::Queued, upscale.id);
        model.setTasks({pan, upscale, grid});
        const QModelIndex panRow = model.index(model.rowOf(pan.id));
        QCOMPARE(panRow.data(TaskListModel::WaitingForRole).toString(), QStringLiteral("U3"));
        QCOMPARE(model.waitingFor(grid), QString());

        // When the upscale is done the pan no longer waits for it, and its row is told so.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        upscale.state = TaskState::Succeeded;
        model.upsert(upscale, false);
        bool panRepainted = false;
        for (const auto &args : changed)
            panRepainted = panRepainted || args.at(0).toModelIndex().row() == panRow.row();
        QVERIFY(panRepainted);
        QCOMPARE(panRow.data(TaskListModel::WaitingForRole).toString(), QString());
    }

    void percentOnlyWhereTheFamilyReportsIt()
    {
        QTemporaryDir dir;
        ImageArchive archive(dir.path());
        TaskListModel model(archive);
        Task running = task(QStringLiteral("r"), OperationKind::Imagine, TaskState::Running);
        Task other = running;
        other.id = QStringLiteral("o");
        other.accountId = QStringLiteral("kie-account");
        model.setTasks({running, other});
        model.setProgressAccounts({QStringLiteral("acc")});
        QVERIFY(model.index(model.rowOf(running.id)).data(TaskListModel::ReportsProgressRole).toBool());
        QVERIFY(!model.index(model.rowOf(other.id)).data(TaskListModel::ReportsProgressRole).toBool());
    }

    // Issue 12: Retry and Check again are offered only when they can work, and say why not otherwise
    // (the window asks the family's availability on the same parent, and the engine's budget of checks).
    void retryAndCheckAgainAskFirst()
    {
        QTemporaryDir dir;
        ImageArchive archive(dir.path());
        TaskListModel model(archive);
        ImageCache cache;
        QueueView view(model, cache);
        Task failed = task(QStringLiteral("f"), OperationKind::Animate, TaskState::Failed, QStringLiteral("u"));
        Task spent = task(QStringLiteral("s"), OperationKind::Imagine, TaskState::Unfinished);
        spent.remoteId = QStringLiteral("remote-s");
        Task fresh = spent;
        fresh.id = QStringLiteral("n");
        model.setTasks({failed, spent, fresh});
        int retryAsked = 0;
        view.setRetryCheck([&](const Task &t) {
            ++retryAsked;
            return t.id == QLatin1String("f") ? Availability::no(QStringLiteral("This result has no Animate button"))
                                             : Availability::yes();
        });
        view.setCheckCheck([](const Task &t) {
            return t.id == QLatin1String("s") ? Availability::no(QStringLiteral("no more checks for it"))
                                             : Availability::yes();
        });
        QPushButton *retryButton = nullptr;
        QPushButton *checkButton = nullptr;
        for (QPushButton *b : view.findChildren<QPushButton *>()) {
            if (b->text() == QLatin1String("Retry"))
                retryButton = b;
            if (b->text() == QLatin1String("Check again"))
                checkButton = b;
        }
        QVERIFY(retryButton && checkButton);

        view.listView()->setCurrentIndex(model.index(model.rowOf(failed.id)));
        QVERIFY(!retryButton->isEnabled());
        QCOMPARE(retryButton->toolTip(), QStringLiteral("Retry cannot work: This result has no Animate button"));
        // Asked once per task and state, not at every repaint.
        const int asked = retryAsked;
        emit model.dataChanged(model.index(0), model.index(model.rowCount() - 1));
        QCOMPARE(retryAsked, asked);

        view.listView()->setCurrentIndex(model.index(model.rowOf(spent.id)));
        QVERIFY(!checkButton->isEnabled());
        QCOMPARE(checkButton->toolTip(), QStringLiteral("Cannot check again: no more checks for it"));
        view.listView()->setCurrentIndex(model.index(model.rowOf(fresh.id)));
        QVERIFY(checkButton->isEnabled());
    }

    // Issue 12: a submit the provider makes wait says so, with the time and a countdown, while it waits.
    void rateLimitWaitIsShown()
    {
        Task t = task(QStringLiteral("w"), OperationKind::Imagine, TaskState::Submitting);
        const qint64 now = QDateTime(QDate(2026, 12, 6), QTime(14, 31, 57)).toMSecsSinceEpoch();
        QCOMPARE(waitText(t, QStringLiteral("work"), now), QString());
        t.remote.insert(QStringLiteral("waitUntil"), now + 8000);
        t.remote.insert(QStringLiteral("waitStatus"), 429);
        const QString at = QLocale().toString(QTime(14, 32, 5), QLocale::LongFormat);
        QCOMPARE(waitText(t, QStringLiteral("work"), now),
                 QStringLiteral("Rate limited by work — retrying at %1 (in 8 s)").arg(at));
        QCOMPARE(waitText(t, QStringLiteral("work"), now + 5000),
                 QStringLiteral("Rate limited by work — retrying at %1 (in 3 s)").arg(at));
        t.remote.insert(QStringLiteral("waitStatus"), 503);
        QVERIFY(waitText(t, QStringLiteral("work"), now).startsWith(QLatin1String("work is unavailable")));
        // Past the deadline, or ended: nothing.
        QCOMPARE(waitText(t, QStringLiteral("work"), now + 8000), QString());
        t.state = TaskState::Succeeded;
        QCOMPARE(waitText(t, QStringLiteral("work"), now), QString());
    }

    // Issue 12: scrolled down, tasks added at the top would stay out of sight: a hint over the list says
    // so and takes the user up to them.
    void newTasksAboveAreAnnounced()
    {
        QTemporaryDir dir;
        ImageArchive archive(dir.path());
        TaskListModel model(archive);
        ImageCache cache;
        QueueView view(model, cache);
        QList<Task> many;
        for (int i = 0; i < 40; ++i)
            many.append(task(QStringLiteral("t%1").arg(i), OperationKind::Imagine, TaskState::Succeeded));
        model.setTasks(many);
        view.resize(360, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QToolButton *hint = view.newTasksHint();
        // At the top, a new task is simply seen.
        model.upsert(task(QStringLiteral("a"), OperationKind::Imagine, TaskState::Running), true);
        QVERIFY(!hint->isVisible());
        view.listView()->scrollToBottom();
        QTRY_VERIFY(view.listView()->verticalScrollBar()->value() > 0);
        model.upsert(task(QStringLiteral("b"), OperationKind::Imagine, TaskState::Running), true);
        QVERIFY(hint->isVisible());
        QCOMPARE(hint->text(), QStringLiteral("↑ 1 new task"));
        model.upsert(task(QStringLiteral("c"), OperationKind::Imagine, TaskState::Failed), true);
        QCOMPARE(hint->text(), QStringLiteral("↑ 2 new tasks"));
        QTest::mouseClick(hint, Qt::LeftButton);
        QTRY_COMPARE(view.listView()->verticalScrollBar()->value(), 0);
        QVERIFY(!hint->isVisible());
        QVERIFY(view.listView()->visualRect(model.index(model.rowOf(QStringLiteral("c")))).intersects(
            view.listView()->viewport()->rect()));
    }
};

QTEST_MAIN(TstQueue)
#include "tst_queue.moc"
