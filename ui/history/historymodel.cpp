#include "historymodel.h"

#include "common/tasklistmodel.h"
#include "historypagereader.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"

#include <QMimeData>
#include <QSet>
#include <QThread>
#include <QUrl>

#include <algorithm>

namespace tessera::ui {

namespace {

QDateTime later(const QDateTime &a, const QDateTime &b)
{
    if (!a.isValid())
        return b;
    if (!b.isValid())
        return a;
    return std::max(a, b);
}

QDateTime earlier(const QDateTime &a, const QDateTime &b)
{
    if (!a.isValid())
        return b;
    if (!b.isValid())
        return a;
    return std::min(a, b);
}

// The files a task stands for when dragged or copied: its tiles when it is a grid, else its images.
QList<QUrl> fileUrls(const Task &task, const ImageArchive &archive)
{
    QList<QUrl> urls;
    for (const ImageRef &img : task.images) {
        if (!img.isLocal() || (task.isGrid() && img.role == ImageRole::Grid))
            continue;
        urls.append(QUrl::fromLocalFile(archive.absolutePath(img.path)));
    }
    return urls;
}

} // namespace

HistoryModel::HistoryModel(HistoryStore &store, const ImageArchive &archive, QObject *parent)
    : QAbstractListModel(parent)
    , m_store(store)
    , m_archive(archive)
{ }

HistoryModel::~HistoryModel()
{
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

void HistoryModel::readPagesFrom(const QString &databasePath)
{
    if (m_thread)
        return;
    qRegisterMetaType<HistoryQuery>();
    qRegisterMetaType<QList<Task>>();
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("history pages"));
    auto *reader = new HistoryPageReader(databasePath, m_latestRequest);
    reader->moveToThread(m_thread);
    m_reader = reader;
    // Deleted in its own thread as it ends, so that its database connection closes there.
    connect(m_thread, &QThread::finished, reader, &QObject::deleteLater);
    connect(reader, &HistoryPageReader::pageRead, this, &HistoryModel::pageRead);
    connect(reader, &HistoryPageReader::pageSkipped, this, &HistoryModel::pageSkipped);
    m_thread->start(QThread::LowPriority);
}

void HistoryModel::setQuery(const HistoryQuery &query)
{
    m_query = query;
    reload();
}

void HistoryModel::setSearch(const QString &text)
{
    if (text == m_query.text)
        return;
    m_query.text = text;
    reload();
}

HistoryQuery HistoryModel::bodyQuery() const
{
    HistoryQuery q = m_query;
    q.to = earlier(m_query.to, m_pin);
    return q;
}

HistoryQuery HistoryModel::headQuery() const
{
    HistoryQuery q = m_query;
    q.from = later(m_query.from, m_pin);
    return q;
}

void HistoryModel::reload()
{
    beginResetModel();
    ++m_generation;
    m_pending.clear();
    m_pin = QDateTime::currentDateTimeUtc();
    m_pages.clear();
    m_pageOrder.clear();
    m_head.clear();
    m_bodyCount = 0;
    const auto count = m_store.countTasks(bodyQuery());
    if (!count) {
        emit loadFailed(count.error().message);
    } else {
        m_bodyCount = *count;
        // Tasks stamped in the same millisecond as the pin belong to the head: read them now too.
        const HistoryQuery head = headQuery();
        if (!head.to.isValid() || head.from < head.to) {
            if (const auto tasks = m_store.queryTasks(head, -1); tasks)
                m_head = *tasks;
        }
    }
    endResetModel();
    emit reloaded();
}

int HistoryModel::bodyCountNow() const
{
    return m_store.countTasks(bodyQuery()).valueOr(m_bodyCount);
}

void HistoryModel::refresh()
{
    // Deleted elsewhere (the CLI): the offsets moved, so start again from the database.
    if (bodyCountNow() != m_bodyCount) {
        reload();
        return;
    }
    const HistoryQuery head = headQuery();
    if (head.to.isValid() && head.from >= head.to)
        return;
    const auto tasks = m_store.queryTasks(head, -1);
    if (!tasks) {
        emit loadFailed(tasks.error().message);
        return;
    }
    QSet<QString> known;
    for (const Task &t : std::as_const(m_head))
        known.insert(t.id);
    QList<Task> fresh;
    for (const Task &t : *tasks) {
        if (!known.contains(t.id))
            fresh.append(t);
    }
    if (fresh.isEmpty())
        return;
    // New ones go on top, in the query's order; rows already shown keep their place.
    beginInsertRows({}, 0, int(fresh.size()) - 1);
    m_head = fresh + m_head;
    endInsertRows();
}

void HistoryModel::taskAdded(const Task &task)
{
    Q_UNUSED(task)
    refresh();
}

void HistoryModel::upsert(const Task &task)
{
    const int row = rowOf(task.id);
    if (row < 0)
        return;
    const auto replace = [&task](Task &shown) {
        const bool favourite = shown.favourite;
        shown = task;
        shown.favourite = favourite;
    };
    if (row < m_head.size()) {
        replace(m_head[row]);
    } else {
        const int offset = row - int(m_head.size());
        replace(m_pages[offset / kPageSize][offset % kPageSize]);
    }
    emit dataChanged(index(row), index(row));
}

void HistoryModel::removeTask(const QString &id)
{
    for (int i = 0; i < m_head.size(); ++i) {
        if (m_head.at(i).id == id) {
            beginRemoveRows({}, i, i);
            m_head.removeAt(i);
            endRemoveRows();
            return;
        }
    }
    const int row = rowOf(id);
    if (row < 0) {
        // Not in memory: it may still be counted in the body.
        if (const int now = bodyCountNow(); now != m_bodyCount)
            reload();
        return;
    }
    beginRemoveRows({}, row, row);
    --m_bodyCount;
    // Every cached page from this one on has moved by one row: read them again when asked.
    ++m_generation;
    m_pending.clear();
    dropPages();
    endRemoveRows();
}

void HistoryModel::setFavourite(const QString &id, bool favourite)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    if (row < m_head.size()) {
        m_head[row].favourite = favourite;
    } else {
        const int offset = row - int(m_head.size());
        m_pages[offset / kPageSize][offset % kPageSize].favourite = favourite;
    }
    emit dataChanged(index(row), index(row), {FavouriteRole, TaskRole});
}

void HistoryModel::setAccountNames(const QHash<QString, QString> &names)
{
    m_accountNames = names;
    if (rowCount() > 0)
        emit dataChanged(index(0), index(rowCount() - 1), {AccountRole});
}

void HistoryModel::dropPages()
{
    m_pages.clear();
    m_pageOrder.clear();
}

const QList<Task> *HistoryModel::cachedPage(int pageIndex) const
{
    const auto it = m_pages.constFind(pageIndex);
    if (it == m_pages.constEnd())
        return nullptr;
    m_pageOrder.removeOne(pageIndex);
    m_pageOrder.append(pageIndex);
    return &*it;
}

const QList<Task> *HistoryModel::storePage(int pageIndex, const QList<Task> &tasks) const
{
    m_pageOrder.removeOne(pageIndex);
    while (m_pageOrder.size() >= kMaxPages)
        m_pages.remove(m_pageOrder.takeFirst());
    m_pageOrder.append(pageIndex);
    return &*m_pages.insert(pageIndex, tasks);
}

const QList<Task> *HistoryModel::page(int pageIndex) const
{
    if (const QList<Task> *hit = cachedPage(pageIndex))
        return hit;
    const auto tasks = m_store.queryTasks(bodyQuery(), kPageSize, pageIndex * kPageSize);
    if (!tasks) {
        // data() is const and may run while painting: report once the event loop is back.
        QMetaObject::invokeMethod(const_cast<HistoryModel *>(this), "loadFailed", Qt::QueuedConnection,
                                  Q_ARG(QString, tasks.error().message));
        return nullptr;
    }
    return storePage(pageIndex, *tasks);
}

void HistoryModel::requestPage(int pageIndex) const
{
    if (m_pending.contains(pageIndex))
        return;
    m_pending.insert(pageIndex, true);
    const quint64 sequence = ++*m_latestRequest;
    QMetaObject::invokeMethod(m_reader, "read", Qt::QueuedConnection, Q_ARG(quint64, m_generation),
                              Q_ARG(quint64, sequence), Q_ARG(tessera::HistoryQuery, bodyQuery()),
                              Q_ARG(int, pageIndex), Q_ARG(int, kPageSize), Q_ARG(int, pageIndex *kPageSize));
}

void HistoryModel::pageRead(quint64 generation, int pageIndex, const QList<Task> &tasks, const QString &error)
{
    if (generation != m_generation)
        return; // asked for rows that have since moved
    m_pending.remove(pageIndex);
    if (!error.isEmpty()) {
        emit loadFailed(error);
        return;
    }
    storePage(pageIndex, tasks);
    const int first = int(m_head.size()) + pageIndex * kPageSize;
    const int last = std::min(rowCount() - 1, first + kPageSize - 1);
    if (first <= last)
        emit dataChanged(index(first), index(last));
}

void HistoryModel::pageSkipped(quint64 generation, int pageIndex)
{
    if (generation != m_generation)
        return;
    m_pending.remove(pageIndex);
    // Still on screen? Then the repaint asks for it again.
    const int first = int(m_head.size()) + pageIndex * kPageSize;
    const int last = std::min(rowCount() - 1, first + kPageSize - 1);
    if (first <= last)
        emit dataChanged(index(first), index(last));
}

std::optional<Task> HistoryModel::peek(int row) const
{
    if (!m_thread)
        return taskAt(row);
    if (row < 0 || row >= rowCount())
        return std::nullopt;
    if (row < m_head.size())
        return m_head.at(row);
    const int offset = row - int(m_head.size());
    const QList<Task> *tasks = cachedPage(offset / kPageSize);
    if (!tasks) {
        requestPage(offset / kPageSize);
        return std::nullopt;
    }
    if (offset % kPageSize >= tasks->size())
        return std::nullopt;
    return tasks->at(offset % kPageSize);
}

std::optional<Task> HistoryModel::taskAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return std::nullopt;
    if (row < m_head.size())
        return m_head.at(row);
    const int offset = row - int(m_head.size());
    const QList<Task> *tasks = page(offset / kPageSize);
    if (!tasks || offset % kPageSize >= tasks->size())
        return std::nullopt;
    return tasks->at(offset % kPageSize);
}

int HistoryModel::rowOf(const QString &id) const
{
    for (int i = 0; i < m_head.size(); ++i) {
        if (m_head.at(i).id == id)
            return i;
    }
    for (auto it = m_pages.constBegin(); it != m_pages.constEnd(); ++it) {
        for (int i = 0; i < it->size(); ++i) {
            if (it->at(i).id == id)
                return int(m_head.size()) + it.key() * kPageSize + i;
        }
    }
    return -1;
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_head.size()) + m_bodyCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const std::optional<Task> found = peek(index.row());
    if (!found)
        return {};
    const Task &t = *found;
    switch (role) {
    case Qt::DisplayRole:
        return t.title(60);
    case Qt::ToolTipRole:
        return taskToolTip(t);
    case Qt::AccessibleTextRole:
        return tr("%1, %2%3")
            .arg(t.title(60), taskStateLabel(t.state), t.favourite ? tr(", favourite") : QString());
    case TaskRole:
        return QVariant::fromValue(t);
    case ThumbnailRole: {
        const ImageRef *img = t.thumbnailImage();
        return img ? m_archive.absolutePath(img->path) : QString();
    }
    case ThumbnailHashRole: {
        const ImageRef *img = t.thumbnailImage();
        return img ? img->hash : QString();
    }
    case AccountRole:
        return m_accountNames.value(t.accountId, t.accountId);
    case IdRole:
        return t.id;
    case FavouriteRole:
        return t.favourite;
    default:
        return {};
    }
}

Qt::ItemFlags HistoryModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractListModel::flags(index);
    if (index.isValid())
        f |= Qt::ItemIsDragEnabled;
    return f;
}

QStringList HistoryModel::mimeTypes() const
{
    return {QStringLiteral("text/uri-list")};
}

QMimeData *HistoryModel::mimeData(const QModelIndexList &indexes) const
{
    QList<QUrl> urls;
    for (const QModelIndex &i : indexes) {
        if (const auto t = taskAt(i.row()))
            urls += fileUrls(*t, m_archive);
    }
    if (urls.isEmpty())
        return nullptr;
    auto *mime = new QMimeData;
    mime->setUrls(urls);
    return mime;
}

} // namespace tessera::ui
