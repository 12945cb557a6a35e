#include "historyview.h"

#include "common/hintlistview.h"
#include "common/imagecache.h"
#include "common/taskdelegate.h"
#include "historymodel.h"

#include <QLineEdit>
#include <QListView>
#include <QTimer>
#include <QVBoxLayout>

namespace tessera::ui {

HistoryView::HistoryView(HistoryModel &model, ImageCache &cache, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_search(new QLineEdit(this))
    , m_list(new HintListView(this))
    , m_debounce(new QTimer(this))
{
    m_search->setPlaceholderText(tr("Search prompts…"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search history"));
    m_list->setModel(&m_model);
    m_list->setEmptyHint(tr("Every task you run is kept here, newest first."));
    m_list->setItemDelegate(new TaskDelegate(cache, 56, m_list));
    m_list->setUniformItemSizes(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setAccessibleName(tr("History"));
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);

    // Search as you type, once typing pauses.
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(200);
    connect(m_search, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, [this] {
        const QString text = m_search->text().trimmed();
        m_model.setSearch(text);
        m_list->setEmptyHint(text.isEmpty() ? tr("Every task you run is kept here, newest first.")
                                            : tr("No prompt contains \u201C%1\u201D.").arg(text));
    });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &index) {
                if (index.isValid())
                    emit showRequested(index.data(TaskListModel::IdRole).toString());
            });
    connect(m_list, &QListView::clicked, this, [this](const QModelIndex &index) {
        emit showRequested(index.data(TaskListModel::IdRole).toString());
    });
    connect(&cache, &ImageCache::ready, m_list->viewport(), qOverload<>(&QWidget::update));
}

void HistoryView::selectTask(const QString &id)
{
    const int row = m_model.rowOf(id);
    if (row < 0)
        return;
    const QSignalBlocker block(m_list->selectionModel());
    m_list->setCurrentIndex(m_model.index(row));
}

} // namespace tessera::ui
