// The Queue's rows: percent only for families that report it, and "waiting for U3" for an action
// chained after an upscale that is still under way.
#include "common/tasklistmodel.h"
#include "storage/imagearchive.h"

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
};

QTEST_MAIN(TstQueue)
#include "tst_queue.moc"
