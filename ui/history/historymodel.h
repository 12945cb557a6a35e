#pragma once

#include "model/task.h"
#include "storage/historyquery.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QStringList>

#include <atomic>
#include <memory>
#include <optional>

class QThread;

namespace tessera {
class HistoryStore;
class ImageArchive;
} // namespace tessera

namespace tessera::ui {

// Every task that matches the browser's query, newest first (or best match first when searching), as a
// random-access list over pages of the HistoryStore: rowCount() is countTasks(), and a row's page
// (kPageSize tasks, queryTasks with an offset) is read when the view first asks for that row. At most
// kMaxPages pages stay in memory, so 100,000 tasks never are.
//
// Offsets stay right while tasks are added: when the query is set, the model pins the moment ("body":
// tasks created before it, [from, pin)) and keeps the tasks created since in a small "head" read
// separately ([pin, to)). New tasks go into the head, at the top; the body's offsets never move.
// Deleting through removeTask() keeps the rows aligned with the database by dropping the cached pages.
//
// With readPagesFrom(path), data() never waits: a missing page is read on a HistoryPageReader thread and
// its rows are empty (painted blank) until it arrives (dataChanged). taskAt() still reads at once.
class HistoryModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        TaskRole = Qt::UserRole + 1, // the Task
        ThumbnailRole, // absolute path of the image that stands for the task, or empty
        ThumbnailHashRole, // its SHA-256, the thumbnail cache key
        AccountRole, // the account's display name
        IdRole,
        FavouriteRole, // bool
    };
    static constexpr int kPageSize = 100;
    static constexpr int kMaxPages = 24;

    HistoryModel(HistoryStore &store, const ImageArchive &archive, QObject *parent = nullptr);
    ~HistoryModel() override;

    // Pages for data() are read off the GUI thread through a second connection to `databasePath`.
    void readPagesFrom(const QString &databasePath);
    bool readsInBackground() const { return m_thread != nullptr; }

    void setQuery(const HistoryQuery &query); // re-pins and reloads
    HistoryQuery query() const { return m_query; }
    void setSearch(const QString &text); // the query's text, the filters kept
    QString search() const { return m_query.text; }
    void reload();
    // Brings in tasks created since the pin that match the query (the engine's or another process's),
    // at the top, and reloads when tasks were deleted elsewhere.
    void refresh();
    void taskAdded(const Task &task);
    // A task that changed (state, images): replaced where it is loaded. The favourite mark is the
    // database's, never the caller's copy (HistoryStore::saveTask does not write it either).
    void upsert(const Task &task);
    // A task deleted from the database: its row goes away and the rows below move up by one.
    void removeTask(const QString &id);
    void setFavourite(const QString &id, bool favourite);
    void setAccountNames(const QHash<QString, QString> &names);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override { return Qt::CopyAction; }

    // The task of a row (its page is read at once if needed); nullopt outside the rows or on failure.
    std::optional<Task> taskAt(int row) const;
    // The task of a row when its page is in memory; otherwise nullopt, and (in the background mode) the
    // page is asked for.
    std::optional<Task> peek(int row) const;
    int pendingPages() const { return int(m_pending.size()); }
    // The row of a task among those in memory (head and loaded pages), else -1.
    int rowOf(const QString &id) const;
    int loadedPages() const { return int(m_pages.size()); }
    int headCount() const { return int(m_head.size()); }
    QDateTime pinnedAt() const { return m_pin; }

signals:
    void loadFailed(const QString &message);
    void reloaded(); // the rows were replaced (a new query, or a reload)

private:
    HistoryQuery bodyQuery() const; // [from, pin)
    HistoryQuery headQuery() const; // [pin, to)
    const QList<Task> *page(int index) const; // loads it when missing
    const QList<Task> *cachedPage(int index) const;
    const QList<Task> *storePage(int index, const QList<Task> &tasks) const;
    void requestPage(int index) const;
    void pageRead(quint64 generation, int index, const QList<Task> &tasks, const QString &error);
    void pageSkipped(quint64 generation, int index);
    void dropPages();
    int bodyCountNow() const;

    HistoryStore &m_store;
    const ImageArchive &m_archive;
    HistoryQuery m_query;
    QDateTime m_pin;
    QList<Task> m_head; // tasks created at or after the pin, newest first
    int m_bodyCount = 0;
    mutable QHash<int, QList<Task>> m_pages; // page index → its tasks
    mutable QList<int> m_pageOrder; // least recently used first
    QHash<QString, QString> m_accountNames;

    QThread *m_thread = nullptr;
    QObject *m_reader = nullptr; // HistoryPageReader, in m_thread
    std::shared_ptr<std::atomic<quint64>> m_latestRequest = std::make_shared<std::atomic<quint64>>(0);
    quint64 m_generation = 0; // bumped whenever the rows' meaning changes: older answers are dropped
    mutable QHash<int, bool> m_pending; // pages asked for and not yet answered
};

} // namespace tessera::ui
