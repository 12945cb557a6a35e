#pragma once

#include "common/tasklistmodel.h"

namespace tessera {
class HistoryStore;
}

namespace tessera::ui {

// Every task ever run, newest first, fetched from the HistoryStore a page at a time as the view
// scrolls (never all rows at once), optionally narrowed by a search over prompts.
class HistoryModel : public TaskListModel
{
    Q_OBJECT
public:
    HistoryModel(HistoryStore &store, const ImageArchive &archive, QObject *parent = nullptr);

    void setSearch(const QString &text);
    QString search() const { return m_search; }
    void reload();
    // A task the engine announced: shown at the top if it matches the search, else updated in place.
    void taskAdded(const Task &task);

    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

signals:
    void loadFailed(const QString &message);

private:
    HistoryStore &m_store;
    QString m_search;
    bool m_atEnd = false;
    static constexpr int kPage = 100;
};

} // namespace tessera::ui
