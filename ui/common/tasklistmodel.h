#pragma once

#include "model/task.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>
#include <QSet>

namespace tessera {
class ImageArchive;
}

namespace tessera::ui {

// What a list row shows as its tooltip: the prompt, and the provider's message when the task failed.
QString taskToolTip(const Task &task);

// A list of tasks for the Queue and the History: rows keep Task values, updated in place by id.
class TaskListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        TaskRole = Qt::UserRole + 1, // the Task
        ThumbnailRole, // absolute path of the image that stands for the task, or empty
        AccountRole, // the account's display name
        IdRole,
        ReportsProgressRole, // bool: the task's family reports a percentage (Capabilities::reportsProgress)
        WaitingForRole, // "U3" when a queued action waits for its parent task, else empty
    };

    explicit TaskListModel(const ImageArchive &archive, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;

    void setAccountNames(const QHash<QString, QString> &names);
    // The accounts whose family reports progress in percent; the others show elapsed time.
    void setProgressAccounts(const QSet<QString> &accountIds);
    // What a queued task waits for: its parent's label ("U3") while that task is still under way.
    QString waitingFor(const Task &task) const;
    // Replaces the row of the same task, or inserts it at the top when `insertIfMissing`.
    void upsert(const Task &task, bool insertIfMissing);
    void setTasks(const QList<Task> &tasks);
    void appendTasks(const QList<Task> &tasks);
    void removeTask(const QString &id);
    int rowOf(const QString &id) const;
    Task taskAt(int row) const;
    QList<Task> tasks() const { return m_tasks; }

    // Drops rows beyond `maxRows` (the oldest, at the bottom).
    void trimTo(int maxRows);

private:
    void reindex(int from);

    const ImageArchive &m_archive;
    QList<Task> m_tasks;
    QHash<QString, int> m_rows;
    QHash<QString, QString> m_accountNames;
    QSet<QString> m_progressAccounts;
};

} // namespace tessera::ui
