#pragma once

#include "historyquery.h"
#include "model/account.h"
#include "model/result.h"
#include "model/task.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <functional>
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
    // saveTaskAndImages for an engine whose copy of the images may be older than the database: a row
    // stored as Downloaded is kept over a not-downloaded image of the same role and index (another run
    // saved it), and an Expired row over a Pending or Failed one with the same remote URL
    // (markExpiredImages ran meanwhile). Returns the images as they now are in the database.
    Result<QList<ImageRef>> mergeTaskAndImages(const Task &task);
    // Runs `work` (calls to insertTask and friends, which must not open a transaction themselves) in one
    // transaction: committed when it succeeds, rolled back when it fails. For bulk writes (tessera-cli dev
    // populate): one commit, so one sync to disk, for thousands of rows.
    Status inTransaction(const std::function<Status()> &work);
    Result<std::optional<Task>> task(const QString &id);
    // A task by Tessera id, by unique id prefix (at least 6 characters) or by remote id.
    Result<std::optional<Task>> findTask(const QString &idOrRemoteId);
    // Newest first; `search` matches prompts (case-insensitive substring) when not empty. The CLI's
    // `history list --search` keeps this meaning; the history browser uses queryTasks.
    Result<QList<Task>> recentTasks(int limit, int offset = 0, const QString &search = {});
    Result<QList<Task>> children(const QString &parentId);
    // Tasks in `state` last updated at or after `sinceMs` (ms since the epoch), oldest first.
    Result<QList<Task>> tasksInState(TaskState state, qint64 sinceMs);
    Result<int> taskCount();
    // Saves `favourite` (insertTask stores it too; saveTask never does). Fails if the task is gone.
    Status setFavourite(const QString &taskId, bool favourite);

    // The history browser (historyquery.h). With text: best bm25 rank first; equally ranked tasks
    // newest first (the order in which they entered the history). Without: newest first (created DESC,
    // id DESC). Images are loaded as by every other select. `limit` < 0 = no limit.
    Result<QList<Task>> queryTasks(const HistoryQuery &query, int limit, int offset = 0);
    Result<int> countTasks(const HistoryQuery &query);

    // Deletes a task and its image rows in one transaction and returns the paths of its image files
    // (as stored: relative to the archive root; each once, none empty) for the caller to move to the
    // trash; the files themselves are not touched. Children keep their parent_id, so lineage shows a
    // deleted parent. A task still under way (isActive) is refused: cancel it first, or the engine
    // would lose the task it is driving.
    Result<QStringList> deleteTask(const QString &taskId);

    // Images not downloaded (pending or failed) whose `expires` is at or before `nowMs` become Expired;
    // downloaded images are never touched and nothing is deleted. Returns how many changed.
    Result<int> markExpiredImages(qint64 nowMs);
    // Succeeded tasks that still have a pending or failed image (not expired), oldest first: the
    // downloads to retry at the next start. Call markExpiredImages first so that none past its expiry is
    // retried.
    Result<QList<Task>> tasksWithUndownloadedImages();

    // Leases. Takes every task that is still under way and that no live process holds (owner empty or
    // lease expired), or just `onlyTaskId` when given, and returns them.
    Result<QList<Task>> claimOrphans(const QString &owner, qint64 nowMs, qint64 leaseUntilMs,
                                     const QString &onlyTaskId = {});
    Status renewLeases(const QString &owner, qint64 leaseUntilMs);
    Status releaseLease(const QString &taskId, const QString &owner);
    Status releaseAllLeases(const QString &owner);
    // Who holds a task now: empty when nobody (or the lease expired).
    Result<QString> leaseHolder(const QString &taskId, qint64 nowMs);
    // Takes (or renews) the lease of one task in any state, for `owner`, when nobody else holds a live
    // one; false when another owner does. For work on ended tasks, such as retried downloads.
    Result<bool> claimTask(const QString &taskId, const QString &owner, qint64 nowMs, qint64 leaseUntilMs);
    // The owners of live leases on tasks still under way.
    Result<QStringList> leaseOwners(qint64 nowMs);

private:
    HistoryStore() = default;
    Result<QList<Task>> selectTasks(const QString &where, const QVariantList &bindings, const QString &tail);
    // Runs `sql`, whose result columns start with taskColumns(), and loads the images of the tasks.
    Result<QList<Task>> runTaskSelect(const QString &sql, const QVariantList &bindings);
    static QString taskColumns(); // the column list every task select starts with, for `tasks`
    Status loadImages(QList<Task> &tasks);
    Status writeImages(const Task &task);
    Status ensureDemoAccount();

    QString m_connection;
    QString m_path;
    int m_schemaVersion = 0;
};

} // namespace tessera
