#include "queueview.h"

#include "common/hintlistview.h"
#include "common/imagecache.h"
#include "common/taskdelegate.h"
#include "common/tasklistmodel.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QListView>
#include <QPushButton>
#include <QScrollBar>
#include <QTimer>
#include <QToolButton>
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
    , m_newHint(new QToolButton(this))
{
    m_list->setModel(&m_model);
    m_list->setEmptyHint(tr("Tasks you start appear here with their progress."));
    m_list->setItemDelegate(new TaskDelegate(cache, 48, m_list));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setUniformItemSizes(true);
    // Rows are as wide as the dock and elide their text; never a sideways scroll bar in a narrow dock.
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setAccessibleName(tr("Queue"));
    m_cancel->setShortcut(QKeySequence::Delete);
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

    // New tasks arrive at the top; scrolled down, the user would not see them (issue 12).
    m_newHint->setParent(m_list->viewport());
    m_newHint->setObjectName(QStringLiteral("newTasksHint"));
    m_newHint->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_newHint->setAutoRaise(false);
    m_newHint->setCursor(Qt::PointingHandCursor);
    m_newHint->hide();
    connect(m_newHint, &QToolButton::clicked, this, [this] {
        m_list->scrollToTop();
        m_newHint->hide();
        m_newCount = 0;
    });
    connect(
        &m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first, int last) {
            if (first != 0 || m_list->verticalScrollBar()->value() == 0)
                return;
            m_newCount += last - first + 1;
            m_newHint->setText(m_newCount == 1 ? tr("↑ 1 new task") : tr("↑ %1 new tasks").arg(m_newCount));
            m_newHint->setAccessibleName(m_newHint->text());
            m_newHint->adjustSize();
            placeNewHint();
            m_newHint->show();
            m_newHint->raise();
        });
    connect(m_list->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (value == 0) {
            m_newHint->hide();
            m_newCount = 0;
        }
    });
    m_list->viewport()->installEventFilter(this);
    refreshButtons();
}

bool QueueView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_list->viewport() && event->type() == QEvent::Resize)
        placeNewHint();
    return QWidget::eventFilter(watched, event);
}

void QueueView::placeNewHint()
{
    const QWidget *viewport = m_list->viewport();
    m_newHint->move((viewport->width() - m_newHint->width()) / 2, 4);
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
    const bool cancellable
        = has && (isActive(t.state) || t.state == TaskState::Unfinished || t.state == TaskState::Unknown);
    const Availability cancel = cancellable && m_cancelCheck ? m_cancelCheck(t) : Availability::yes();
    m_cancel->setEnabled(cancellable && cancel.enabled);
    m_cancel->setToolTip(cancel.caveat.isEmpty()
                             ? tr("Stop the selected task (Delete)")
                             : tr("Stop the selected task (Delete) — note: %1").arg(cancel.caveat));
    Availability check = Availability::no(QString());
    if (has && (t.state == TaskState::Unfinished || t.state == TaskState::Unknown) && !t.remoteId.isEmpty())
        check = m_checkCheck ? m_checkCheck(t) : Availability::yes();
    m_check->setEnabled(check.enabled);
    m_check->setToolTip(check.enabled || check.reason.isEmpty()
                            ? tr("Ask the provider again about a task that ran out of status checks")
                            : tr("Cannot check again: %1").arg(check.reason));
    Availability retry = Availability::no(QString());
    if (has && (t.state == TaskState::Failed || t.state == TaskState::Cancelled)) {
        retry = Availability::yes();
        if (m_retryCheck) {
            const QString key = t.id + QLatin1Char('/') + QString::number(int(t.state));
            if (key != m_retryAskedFor) {
                m_retryAskedFor = key;
                m_retryAnswer = m_retryCheck(t);
            }
            retry = m_retryAnswer;
        }
    }
    m_retry->setEnabled(retry.enabled);
    m_retry->setToolTip(retry.enabled || retry.reason.isEmpty()
                            ? tr("Send the same request again as a new task")
                            : tr("Retry cannot work: %1").arg(retry.reason));
}

void QueueView::setCancelCheck(RetryCheck check)
{
    m_cancelCheck = std::move(check);
    refreshButtons();
}

void QueueView::setCheckCheck(RetryCheck check)
{
    m_checkCheck = std::move(check);
    refreshButtons();
}

void QueueView::setRetryCheck(RetryCheck check)
{
    m_retryCheck = std::move(check);
    m_retryAskedFor.clear();
    refreshButtons();
}

} // namespace tessera::ui
