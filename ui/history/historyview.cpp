#include "historyview.h"

#include "common/flowlayout.h"
#include "common/hintlistview.h"
#include "historydelegate.h"
#include "historydetails.h"
#include "historymodel.h"
#include "storage/historystore.h"
#include "thumbnailloader.h"

#include <QAction>
#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QScrollBar>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace tessera::ui {

namespace {

constexpr int kThumbnail = 112;
constexpr int kSearchDebounceMs = 150;
const QString kAll = QString();

enum DateRange { AnyTime, Today, Last7, Last30, ThisYear, Custom };

const char *const kEmptyHint
    = QT_TRANSLATE_NOOP("HistoryView", "Every task you run is kept here, newest first.");

} // namespace

HistoryView::HistoryView(HistoryModel &model, HistoryStore &store, const ImageArchive &archive,
                         ThumbnailLoader &thumbnails, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_store(store)
    , m_archive(archive)
    , m_thumbnails(thumbnails)
    , m_search(new QLineEdit(this))
    , m_list(new HintListView(this))
    , m_details(new HistoryDetails(store, archive, this))
    , m_debounce(new QTimer(this))
    , m_wantedTimer(new QTimer(this))
    , m_confirm([](QWidget *parent, const QString &question) {
        return QMessageBox::question(parent, tr("Delete Task"), question,
                                     QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
            == QMessageBox::Yes;
    })
{
    m_search->setPlaceholderText(tr("Search prompts…"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search history"));

    auto *delegate = new HistoryDelegate(thumbnails, kThumbnail, m_list);
    m_list->setModel(&m_model);
    m_list->setItemDelegate(delegate);
    m_list->setEmptyHint(tr(kEmptyHint));
    // A grid of equal cells: with uniform sizes and a fixed grid the view lays out 100,000 rows
    // without asking the model for any of them, and paints (so reads pages of) only what is visible.
    m_list->setViewMode(QListView::IconMode);
    m_list->setMovement(QListView::Static);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setUniformItemSizes(true);
    m_list->setLayoutMode(QListView::SinglePass);
    m_list->setGridSize(delegate->sizeHint(QStyleOptionViewItem(), {}) + QSize(6, 6));
    m_list->setWordWrap(false);
    m_list->setSpacing(0);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setDragEnabled(true);
    m_list->setDragDropMode(QAbstractItemView::DragOnly);
    m_list->setDefaultDropAction(Qt::CopyAction);
    m_list->setAccessibleName(tr("History"));
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->verticalScrollBar()->setSingleStep(24);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);

    m_count = new QLabel(this);
    m_count->setAccessibleName(tr("Number of tasks shown"));

    buildActions();
    // Flowing rows: the dock stays as narrow as the user makes it; buttons and filters wrap.
    auto *bar = new FlowLayout(nullptr, 2, 2);
    bar->setContentsMargins(0, 0, 0, 0);
    for (const char *name :
         {"open", "reveal", "copyPrompt", "copyImage", "reuse", "favourite", "varyRegion", "delete"}) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(m_actions.value(QLatin1String(name)));
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setAutoRaise(true);
        bar->addWidget(button);
    }
    // The buttons sit between the list and the details, outside the splitter: a splitter would give them
    // a fixed height, and a third row of buttons in a narrow dock would be cut off.
    auto *split = new QSplitter(Qt::Vertical, this);
    split->setChildrenCollapsible(false);
    auto *upper = new QWidget(this);
    auto *upperLayout = new QVBoxLayout(upper);
    upperLayout->setContentsMargins(0, 0, 0, 0);
    upperLayout->setSpacing(2);
    upperLayout->addWidget(m_list, 1);
    upperLayout->addLayout(bar);
    split->addWidget(upper);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_search);
    layout->addWidget(buildFilters());
    layout->addWidget(split, 1);

    // Search as you type, once typing pauses.
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kSearchDebounceMs);
    connect(m_search, &QLineEdit::textChanged, m_debounce, qOverload<>(&QTimer::start));
    connect(m_debounce, &QTimer::timeout, this, &HistoryView::applySearchNow);
    connect(m_search, &QLineEdit::returnPressed, this, &HistoryView::applySearchNow);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &index) {
                if (!index.isValid())
                    return;
                const QString id = index.data(HistoryModel::IdRole).toString();
                m_details->showTask(m_model.taskAt(index.row()));
                updateActions();
                emit showRequested(id);
            });
    connect(m_list, &QListView::activated, this, [this] { openCurrent(); });
    connect(m_list, &QWidget::customContextMenuRequested, this, &HistoryView::contextMenu);
    connect(m_details, &HistoryDetails::taskLinkActivated, this, [this](const QString &id) {
        selectTask(id);
        emit showRequested(id);
    });
    connect(&m_model, &HistoryModel::reloaded, this, [this] {
        updateCount();
        scheduleWanted();
    });
    connect(&m_model, &QAbstractItemModel::rowsInserted, this, &HistoryView::updateCount);
    connect(&m_model, &QAbstractItemModel::rowsRemoved, this, &HistoryView::updateCount);
    connect(&m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                // A page arrived or a task changed: its thumbnails may be wanted now, and the details
                // follow the task they show.
                scheduleWanted();
                const auto t = m_details->task();
                if (!t)
                    return;
                const int row = m_model.rowOf(t->id);
                if (row < topLeft.row() || row > bottomRight.row())
                    return;
                const auto now = m_model.peek(row);
                if (now
                    && (now->state != t->state || now->favourite != t->favourite || now->images != t->images
                        || now->updated != t->updated))
                    m_details->showTask(now);
                updateActions();
            });

    // Thumbnails: repaint when one is ready; after scrolling, say what is wanted now (visible first,
    // then a screen either side) so that work for rows scrolled far away is dropped.
    connect(&thumbnails, &ThumbnailLoader::ready, m_list->viewport(), qOverload<>(&QWidget::update));
    m_wantedTimer->setSingleShot(true);
    m_wantedTimer->setInterval(0);
    connect(m_wantedTimer, &QTimer::timeout, this, &HistoryView::requestWanted);
    connect(m_list->verticalScrollBar(), &QScrollBar::valueChanged, this, &HistoryView::scheduleWanted);
    connect(m_list->verticalScrollBar(), &QScrollBar::rangeChanged, this, &HistoryView::scheduleWanted);

    updateActions();
    updateCount();
}

QListView *HistoryView::listView() const
{
    return m_list;
}

QWidget *HistoryView::buildFilters()
{
    auto *box = new QWidget(this);
    auto *row = new FlowLayout(box, 4, 4);
    row->setContentsMargins(0, 0, 0, 0);
    const auto combo = [box](const QString &accessible) {
        auto *c = new QComboBox(box);
        c->setAccessibleName(accessible);
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(9);
        return c;
    };

    m_favourites = new QToolButton(box);
    m_favourites->setText(QStringLiteral("★"));
    m_favourites->setCheckable(true);
    m_favourites->setToolTip(tr("Show favourites only"));
    m_favourites->setAccessibleName(tr("Favourites only"));

    m_account = combo(tr("Account filter"));
    m_account->addItem(tr("All accounts"), kAll);

    m_operation = combo(tr("Operation filter"));
    m_operation->addItem(tr("All operations"), kAll);
    for (OperationKind k :
         {OperationKind::Imagine, OperationKind::Upscale, OperationKind::Vary, OperationKind::Reroll,
          OperationKind::Pan, OperationKind::Zoom, OperationKind::Inpaint, OperationKind::Seed,
          OperationKind::Animate, OperationKind::Describe, OperationKind::Blend, OperationKind::Shorten,
          OperationKind::VideoExtend}) {
        QString label = operationKindName(k);
        label[0] = label[0].toUpper();
        m_operation->addItem(label, operationKindName(k));
    }

    m_state = combo(tr("State filter"));
    m_state->addItem(tr("Any state"), kAll);
    for (TaskState s : {TaskState::Succeeded, TaskState::Failed, TaskState::Running, TaskState::Queued,
                        TaskState::Cancelled, TaskState::Unfinished, TaskState::Unknown})
        m_state->addItem(taskStateLabel(s), taskStateName(s));

    m_date = combo(tr("Date filter"));
    m_date->addItem(tr("Any time"), AnyTime);
    m_date->addItem(tr("Today"), Today);
    m_date->addItem(tr("Last 7 days"), Last7);
    m_date->addItem(tr("Last 30 days"), Last30);
    m_date->addItem(tr("This year"), ThisYear);
    m_date->addItem(tr("Between…"), Custom);
    m_fromDate = new QDateEdit(QDate::currentDate().addMonths(-1), box);
    m_toDate = new QDateEdit(QDate::currentDate(), box);
    for (QDateEdit *edit : {m_fromDate, m_toDate}) {
        edit->setCalendarPopup(true);
        edit->hide();
        connect(edit, &QDateEdit::dateChanged, this, &HistoryView::applyFilters);
    }
    m_fromDate->setAccessibleName(tr("From date"));
    m_toDate->setAccessibleName(tr("To date (inclusive)"));

    row->addWidget(m_favourites);
    row->addWidget(m_account);
    row->addWidget(m_operation);
    row->addWidget(m_state);
    row->addWidget(m_date);
    row->addWidget(m_fromDate);
    row->addWidget(m_toDate);
    row->addWidget(m_count);

    connect(m_favourites, &QToolButton::toggled, this, &HistoryView::applyFilters);
    for (QComboBox *c : {m_account, m_operation, m_state, m_date})
        connect(c, &QComboBox::currentIndexChanged, this, &HistoryView::applyFilters);
    return box;
}

void HistoryView::setAccounts(const QHash<QString, QString> &names, const QHash<QString, QString> &families)
{
    m_details->setAccounts(names, families);
    const QSignalBlocker block(m_account);
    const QString previous = m_account->currentData().toString();
    m_account->clear();
    m_account->addItem(tr("All accounts"), kAll);
    QList<QPair<QString, QString>> sorted;
    for (auto it = names.begin(); it != names.end(); ++it)
        sorted.append({it.value(), it.key()});
    std::sort(sorted.begin(), sorted.end());
    for (const auto &[name, id] : sorted)
        m_account->addItem(name, id);
    const int keep = m_account->findData(previous);
    m_account->setCurrentIndex(keep >= 0 ? keep : 0);
}

void HistoryView::applySearchNow()
{
    m_debounce->stop();
    const QString text = m_search->text().trimmed();
    if (text == m_model.search())
        return;
    m_model.setSearch(text);
    m_list->setEmptyHint(text.isEmpty() ? tr(kEmptyHint) : tr("No prompt matches \u201C%1\u201D.").arg(text));
}

void HistoryView::applyFilters()
{
    HistoryQuery q = m_model.query();
    q.text = m_search->text().trimmed();
    q.favouritesOnly = m_favourites->isChecked();
    q.accountIds.clear();
    if (const QString id = m_account->currentData().toString(); !id.isEmpty())
        q.accountIds.append(id);
    q.operations.clear();
    if (const auto kind = operationKindFromName(m_operation->currentData().toString()))
        q.operations.append(*kind);
    q.states.clear();
    if (const QString s = m_state->currentData().toString(); !s.isEmpty()) {
        const TaskState state = taskStateFromName(s);
        q.states.append(state);
        // "Running" means under way: the states a task passes through before it runs count too.
        if (state == TaskState::Running)
            q.states += {TaskState::Submitting, TaskState::Submitted};
    }
    const int range = m_date->currentData().toInt();
    const QDate today = QDate::currentDate();
    const auto startOf = [](QDate d) { return d.startOfDay(); };
    q.from = QDateTime();
    q.to = QDateTime();
    switch (range) {
    case Today:
        q.from = startOf(today);
        break;
    case Last7:
        q.from = startOf(today.addDays(-6));
        break;
    case Last30:
        q.from = startOf(today.addDays(-29));
        break;
    case ThisYear:
        q.from = startOf(QDate(today.year(), 1, 1));
        break;
    case Custom:
        q.from = startOf(m_fromDate->date());
        q.to = startOf(m_toDate->date().addDays(1)); // the end date is included: [from, to)
        break;
    default:
        break;
    }
    m_fromDate->setVisible(range == Custom);
    m_toDate->setVisible(range == Custom);
    m_model.setQuery(q);
}

void HistoryView::updateCount()
{
    const int n = m_model.rowCount();
    m_count->setText(n == 1 ? tr("1 task") : tr("%1 tasks").arg(QLocale().toString(n)));
}

void HistoryView::selectTask(const QString &id)
{
    const int row = m_model.rowOf(id);
    if (row >= 0) {
        const QSignalBlocker block(m_list->selectionModel());
        m_list->setCurrentIndex(m_model.index(row));
        m_list->scrollTo(m_model.index(row));
    } else {
        const QSignalBlocker block(m_list->selectionModel());
        m_list->clearSelection();
    }
    showDetailsOf(id);
}

void HistoryView::showDetailsOf(const QString &id)
{
    if (const auto t = m_details->task(); t && t->id == id) {
        updateActions();
        return;
    }
    const auto found = m_store.task(id);
    m_details->showTask(found && found->has_value() ? **found : std::optional<Task>());
    updateActions();
}

std::optional<Task> HistoryView::currentTask() const
{
    return m_details->task();
}

void HistoryView::scheduleWanted()
{
    m_wantedTimer->start();
}

void HistoryView::requestWanted()
{
    // The visible rows, then one screen below and one above: in that order of importance.
    const QRect view = m_list->viewport()->rect();
    const QModelIndex first = m_list->indexAt(view.topLeft() + QPoint(2, 2));
    if (!first.isValid())
        return;
    const QSize grid = m_list->gridSize();
    const int perRow = std::max(1, view.width() / std::max(1, grid.width()));
    const int rowsShown = view.height() / std::max(1, grid.height()) + 2;
    const int visible = perRow * rowsShown;
    const int start = first.row();
    const int total = m_model.rowCount();
    auto *delegate = static_cast<HistoryDelegate *>(m_list->itemDelegate());
    const int side = delegate->devicePixels(m_list->devicePixelRatioF());
    QList<ThumbnailLoader::Item> wanted;
    const auto want = [&](int from, int to) {
        for (int r = std::max(0, from); r < std::min(total, to); ++r) {
            const QModelIndex i = m_model.index(r);
            const QString path = i.data(HistoryModel::ThumbnailRole).toString();
            if (!path.isEmpty())
                wanted.append(
                    m_thumbnails.item(path, i.data(HistoryModel::ThumbnailHashRole).toString(), side));
        }
    };
    want(start, start + visible);
    want(start + visible, start + 2 * visible);
    want(start - visible, start);
    m_thumbnails.setWanted(wanted);
}

} // namespace tessera::ui
