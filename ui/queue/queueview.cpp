#include "queueview.h"

#include "common/hintlistview.h"
#include "common/imagecache.h"
#include "common/taskdelegate.h"
#include "common/tasklistmodel.h"

#include <QHBoxLayout>
#include <QListView>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace tessera::ui {

QueueView::QueueView(TaskListModel &model, ImageCache &cache, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_list(new HintListView(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_check(new QPushButton(tr("Check again"), this))
    , m_retry(new QPushButton(tr("Retry"), this))
    , m_tick(new QTimer(this))
{
    m_list->setModel(&m_model);
    m_list->setEmptyHint(tr("Tasks you start appear here with their progress."));
    m_list->setItemDelegate(new TaskDelegate(cache, 48, m_list));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setUniformItemSizes(true);
    m_list->setAccessibleName(tr("Queue"));
    m_cancel->setToolTip(tr("Stop the selected task (Delete)"));
    m_cancel->setShortcut(QKeySequence::Delete);
    m_check->setToolTip(tr("Ask the provider again about a task that ran out of status checks"));
    m_retry->setToolTip(tr("Send the same request again as a new task"));
    for (QPushButton *b : {m_cancel, m_check, m_retry})
        b->setAccessibleName(b->text());

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_check);
    buttons->addWidget(m_retry);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        refreshButtons();
        if (const QString id = currentTaskId(); !id.isEmpty())
            emit showRequested(id);
    });
    connect(m_list, &QListView::clicked, this, [this](const QModelIndex &index) {
        emit showRequested(index.data(TaskListModel::IdRole).toString());
    });
    connect(&m_model, &QAbstractItemModel::dataChanged, this, &QueueView::refreshButtons);
    connect(m_cancel, &QPushButton::clicked, this, [this] { emit cancelRequested(currentTaskId()); });
    connect(m_check, &QPushButton::clicked, this, [this] { emit checkRequested(currentTaskId()); });
    connect(m_retry, &QPushButton::clicked, this, [this] { emit retryRequested(currentTaskId()); });
    connect(&cache, &ImageCache::ready, m_list->viewport(), qOverload<>(&QWidget::update));

    // Elapsed times and moving bars of running tasks: repaint once a second while any task runs.
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, [this] {
        bool busy = false;
        for (const Task &t : m_model.tasks())
            busy = busy || isActive(t.state);
        if (busy)
            m_list->viewport()->update();
    });
    m_tick->start();
    refreshButtons();
}

QString QueueView::currentTaskId() const
{
    return m_list->currentIndex().data(TaskListModel::IdRole).toString();
}

void QueueView::selectTask(const QString &id)
{
    const int row = m_model.rowOf(id);
    if (row < 0)
        return;
    const QSignalBlocker block(m_list->selectionModel());
    m_list->setCurrentIndex(m_model.index(row));
    refreshButtons();
}

void QueueView::refreshButtons()
{
    const int row = m_list->currentIndex().row();
    const Task t = m_model.taskAt(row);
    const bool has = row >= 0;
    m_cancel->setEnabled(
        has && (isActive(t.state) || t.state == TaskState::Unfinished || t.state == TaskState::Unknown));
    m_check->setEnabled(has && (t.state == TaskState::Unfinished || t.state == TaskState::Unknown)
                        && !t.remoteId.isEmpty());
    m_retry->setEnabled(has && (t.state == TaskState::Failed || t.state == TaskState::Cancelled));
}

} // namespace tessera::ui
