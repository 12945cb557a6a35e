#include "historypagereader.h"

#include "storage/historystore.h"

namespace tessera::ui {

HistoryPageReader::HistoryPageReader(QString databasePath, std::shared_ptr<std::atomic<quint64>> latest)
    : m_path(std::move(databasePath))
    , m_latest(std::move(latest))
{ }

HistoryPageReader::~HistoryPageReader() = default;

void HistoryPageReader::read(quint64 generation, quint64 sequence, const HistoryQuery &query, int page,
                             int limit, int offset)
{
    if (m_latest->load() > sequence + kKeep) {
        emit pageSkipped(generation, page);
        return;
    }
    if (!m_store) {
        auto opened = HistoryStore::open(m_path);
        if (!opened) {
            emit pageRead(generation, page, {}, opened.error().message);
            return;
        }
        m_store = std::move(*opened);
    }
    const auto tasks = m_store->queryTasks(query, limit, offset);
    if (!tasks)
        emit pageRead(generation, page, {}, tasks.error().message);
    else
        emit pageRead(generation, page, *tasks, {});
}

} // namespace tessera::ui
