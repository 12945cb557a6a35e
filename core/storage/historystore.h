#pragma once

#include "model/account.h"
#include "model/result.h"
#include "model/task.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

namespace tessera {

// The history database (SQLite, WAL). One instance owns one connection and must be used on the thread
// that opened it (ARCHITECTURE.md, "one connection per thread"). The GUI and the CLI may have the same
// file open at once; leases (owner + lease_until on a task) decide which process drives a running task.
//
// Every write returns a Status; a caller that cannot persist a step must not take the next one.
class HistoryStore
{
public:
    ~HistoryStore();
    HistoryStore(const HistoryStore &) = delete;
    HistoryStore &operator=(const HistoryStore &) = delete;

    // Opens (creating folders and file as needed) and migrates to the latest schema.
    static Result<std::unique_ptr<HistoryStore>> open(const QString &path);

    QString path() const { return m_path; }
    int schemaVersion() const { return m_schemaVersion; }

    // Accounts (no secrets here, ever). The demo account always exists.
    Result<QList<Account>> accounts();
    Result<std::optional<Account>> account(const QString &id);
    Result<std::optional<Account>> accountByName(const QString &name);
    Status saveAccount(const Account &account); // insert or update
    Status removeAccount(const QString &id); // the demo account cannot be removed
    // The account new tasks use: the one chosen by setDefaultAccount if it still exists, else the first
    // real account, else the demo.
    Result<Account> defaultAccount();
    Status setDefaultAccount(const QString &id);

    // Tasks. insertTask also takes the lease for `owner` until `leaseUntilMs`.
    Status insertTask(const Task &task, const QString &owner, qint64 leaseUntilMs);
    Status saveTask(const Task &task); // every column but the images and the lease
    Status saveTaskAndImages(const Task &task); // the task and its full image list, in one transaction
    Result<std::optional<Task>> task(const QString &id);
    // A task by Tessera id, by unique id prefix (at least 6 characters) or by remote id.
    Result<std::optional<Task>> findTask(const QString &idOrRemoteId);
    // Newest first; `search` matches prompts (case-insensitive substring) when not empty.
    Result<QList<Task>> recentTasks(int limit, int offset = 0, const QString &search = {});
    Result<QList<Task>> children(const QString &parentId);
    // Tasks in `state` last updated at or after `sinceMs` (ms since the epoch), oldest first.
    Result<QList<Task>> tasksInState(TaskState state, qint64 sinceMs);
    Result<int> taskCount();

    // Leases. Takes every task that is still under way and that no live process holds (owner empty or
    // lease expired), or just `onlyTaskId` when given, and returns them.
    Result<QList<Task>> claimOrphans(const QString &owner, qint64 nowMs, qint64 leaseUntilMs,
                                     const QString &onlyTaskId = {});
    Status renewLeases(const QString &owner, qint64 leaseUntilMs);
    Status releaseLease(const QString &taskId, const QString &owner);
    Status releaseAllLeases(const QString &owner);
    // Who holds a task now: empty when nobody (or the lease expired).
    Result<QString> leaseHolder(const QString &taskId, qint64 nowMs);

private:
    HistoryStore() = default;
    Result<QList<Task>> selectTasks(const QString &where, const QVariantList &bindings, const QString &tail);
    Status loadImages(QList<Task> &tasks);
    Status writeImages(const Task &task);
    Status ensureDemoAccount();

    QString m_connection;
    QString m_path;
    int m_schemaVersion = 0;
};

} // namespace tessera
