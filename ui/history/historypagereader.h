#pragma once

#include "model/task.h"
#include "storage/historyquery.h"

#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

namespace tessera {
class HistoryStore;
}

namespace tessera::ui {

// Reads pages of the history on a thread of its own, through a connection of its own (ARCHITECTURE.md:
// one connection per thread), so that the GUI thread never waits for SQLite while scrolling: a page is
// read by OFFSET (a few ms deep in 100,000 tasks since the index of schema 3, far more on a cold disk or
// behind a filter that cannot use an index in order). HistoryModel
// asks with read() (queued) and gets pageRead(); a request that has fallen more than kKeep requests
// behind the newest (the user scrolled on) is skipped, not read.
class HistoryPageReader : public QObject
{
    Q_OBJECT
public:
    static constexpr int kKeep = 6;

    HistoryPageReader(QString databasePath, std::shared_ptr<std::atomic<quint64>> latest);
    ~HistoryPageReader() override;

public slots:
    void read(quint64 generation, quint64 sequence, const tessera::HistoryQuery &query, int page, int limit,
              int offset);

signals:
    void pageRead(quint64 generation, int page, const QList<tessera::Task> &tasks, const QString &error);
    void pageSkipped(quint64 generation, int page);

private:
    QString m_path;
    std::shared_ptr<std::atomic<quint64>> m_latest;
    std::unique_ptr<HistoryStore> m_store; // opened on first use, in the reader's thread
};

} // namespace tessera::ui
