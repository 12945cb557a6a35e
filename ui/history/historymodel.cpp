#include "historymodel.h"

#include "storage/historystore.h"

namespace tessera::ui {

HistoryModel::HistoryModel(HistoryStore &store, const ImageArchive &archive, QObject *parent)
    : TaskListModel(archive, parent)
    , m_store(store)
{ }

void HistoryModel::setSearch(const QString &text)
{
    if (text == m_search)
        return;
    m_search = text;
    reload();
}

void HistoryModel::reload()
{
    m_atEnd = false;
    const auto page = m_store.recentTasks(kPage, 0, m_search);
    if (!page) {
        emit loadFailed(page.error().message);
        setTasks({});
        m_atEnd = true;
        return;
    }
    m_atEnd = page->size() < kPage;
    setTasks(*page);
}

void HistoryModel::taskAdded(const Task &task)
{
    const bool matches = m_search.isEmpty() || task.prompt.contains(m_search, Qt::CaseInsensitive);
    upsert(task, matches);
}

bool HistoryModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_atEnd;
}

void HistoryModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || m_atEnd)
        return;
    const auto page = m_store.recentTasks(kPage, rowCount(), m_search);
    if (!page) {
        emit loadFailed(page.error().message);
        m_atEnd = true;
        return;
    }
    m_atEnd = page->size() < kPage;
    appendTasks(*page);
}

} // namespace tessera::ui
