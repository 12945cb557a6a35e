#include "tasklistmodel.h"

#include "storage/imagearchive.h"

namespace tessera::ui {

TaskListModel::TaskListModel(const ImageArchive &archive, QObject *parent)
    : QAbstractListModel(parent)
    , m_archive(archive)
{ }

int TaskListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_tasks.size());
}

QString taskToolTip(const Task &task)
{
    QString tip = task.prompt;
    if (task.error)
        tip += QStringLiteral("\n\n") + task.error->userText();
    return tip;
}

QVariant TaskListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_tasks.size())
        return {};
    const Task &t = m_tasks.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return t.title(60);
    case Qt::ToolTipRole:
        return taskToolTip(t);
    case Qt::AccessibleTextRole:
        return tr("%1, %2").arg(t.title(60), taskStateLabel(t.state));
    case TaskRole:
        return QVariant::fromValue(t);
    case ThumbnailRole: {
        const ImageRef *img = t.thumbnailImage();
        return img ? m_archive.absolutePath(img->path) : QString();
    }
    case AccountRole:
        return m_accountNames.value(t.accountId, t.accountId);
    case IdRole:
        return t.id;
    case ReportsProgressRole:
        return m_progressAccounts.contains(t.accountId);
    case WaitingForRole:
        return waitingFor(t);
    default:
        return {};
    }
}

void TaskListModel::setAccountNames(const QHash<QString, QString> &names)
{
    m_accountNames = names;
    if (!m_tasks.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1), {AccountRole});
}

void TaskListModel::setProgressAccounts(const QSet<QString> &accountIds)
{
    m_progressAccounts = accountIds;
    if (!m_tasks.isEmpty())
        emit dataChanged(index(0), index(rowCount() - 1), {ReportsProgressRole});
}

QString TaskListModel::waitingFor(const Task &task) const
{
    if (task.state != TaskState::Queued || task.parentId.isEmpty())
        return {};
    const int row = rowOf(task.parentId);
    if (row < 0)
        return {};
    const Task &parent = m_tasks.at(row);
    return isActive(parent.state) ? parent.operation.label() : QString();
}

void TaskListModel::upsert(const Task &task, bool insertIfMissing)
{
    const int row = rowOf(task.id);
    if (row >= 0) {
        m_tasks[row] = task;
        emit dataChanged(index(row), index(row));
        // Actions chained after this task say whether they still wait for it.
        for (int i = 0; i < m_tasks.size(); ++i) {
            if (m_tasks.at(i).parentId == task.id)
                emit dataChanged(index(i), index(i), {WaitingForRole});
        }
        return;
    }
    if (!insertIfMissing)
        return;
    beginInsertRows({}, 0, 0);
    m_tasks.prepend(task);
    reindex(0);
    endInsertRows();
}

void TaskListModel::setTasks(const QList<Task> &tasks)
{
    beginResetModel();
    m_tasks = tasks;
    reindex(0);
    endResetModel();
}

void TaskListModel::appendTasks(const QList<Task> &tasks)
{
    QList<Task> fresh;
    for (const Task &t : tasks) {
        if (!m_rows.contains(t.id))
            fresh.append(t);
    }
    if (fresh.isEmpty())
        return;
    const int first = rowCount();
    beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
    m_tasks.append(fresh);
    reindex(first);
    endInsertRows();
}

void TaskListModel::removeTask(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_tasks.removeAt(row);
    m_rows.remove(id);
    reindex(row);
    endRemoveRows();
}

int TaskListModel::rowOf(const QString &id) const
{
    return m_rows.value(id, -1);
}

Task TaskListModel::taskAt(int row) const
{
    return row >= 0 && row < m_tasks.size() ? m_tasks.at(row) : Task();
}

void TaskListModel::trimTo(int maxRows)
{
    if (m_tasks.size() <= maxRows)
        return;
    beginRemoveRows({}, maxRows, static_cast<int>(m_tasks.size()) - 1);
    for (qsizetype i = maxRows; i < m_tasks.size(); ++i)
        m_rows.remove(m_tasks.at(i).id);
    m_tasks.resize(maxRows);
    endRemoveRows();
}

void TaskListModel::reindex(int from)
{
    for (int i = from; i < m_tasks.size(); ++i)
        m_rows.insert(m_tasks.at(i).id, i);
}

} // namespace tessera::ui
