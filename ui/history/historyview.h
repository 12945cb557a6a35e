#pragma once

#include "model/capabilities.h"
#include "model/operation.h"
#include "model/task.h"

#include <QHash>
#include <QWidget>

#include <functional>
#include <optional>

class QAction;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QListView;
class QTimer;
class QToolButton;

namespace tessera {
class HistoryStore;
class ImageArchive;
} // namespace tessera

namespace tessera::ui {

class HintListView;
class HistoryDetails;
class HistoryModel;
class ThumbnailLoader;

// The History dock (PRODUCT.md "History"): every task, newest first, as a virtualised thumbnail grid
// (a QListView in icon mode over HistoryModel's pages); a search box that searches prompts as you type;
// filters for account, operation, date, favourites and state; the details pane with the lineage; and
// the actions — open in the Gallery, reveal in the file manager, copy prompt, copy image, drag out,
// reuse all parameters, favourite, Vary Region…, delete (after confirmation, files to the trash).
class HistoryView : public QWidget
{
    Q_OBJECT
public:
    HistoryView(HistoryModel &model, HistoryStore &store, const ImageArchive &archive,
                ThumbnailLoader &thumbnails, QWidget *parent = nullptr);

    QLineEdit *searchField() const { return m_search; }
    QListView *listView() const;
    HistoryDetails *details() const { return m_details; }
    QComboBox *accountFilter() const { return m_account; }
    QComboBox *operationFilter() const { return m_operation; }
    QComboBox *stateFilter() const { return m_state; }
    QComboBox *dateFilter() const { return m_date; }
    QToolButton *favouritesFilter() const { return m_favourites; }
    QAction *action(const QString &name) const; // "open", "reveal", "copyPrompt", "copyImage", "reuse",
                                                // "favourite", "varyRegion", "delete"

    void setAccounts(const QHash<QString, QString> &names, const QHash<QString, QString> &families);
    // Selects the task when it is in the list, and shows it in the details pane in any case.
    void selectTask(const QString &id);
    std::optional<Task> currentTask() const;
    void applySearchNow(); // the debounced search, at once (tests, Enter)

    // Actions on the current task.
    void openCurrent();
    void revealCurrent();
    void copyPrompt();
    void copyImage();
    void reuseParameters();
    void toggleFavourite();
    void varyRegion(int tile); // tile 1..4 of a grid, 0 for a single image
    void deleteCurrent();

    // Asked before deleting; the default shows a question box. Tests replace it.
    using Confirm = std::function<bool(QWidget *parent, const QString &question)>;
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    // Whether the task's family accepts an action on it (ProviderRegistry::availability, with the task's
    // account): Vary Region… is offered exactly as in the Gallery. Without it every action is offered.
    using AvailabilityFn = std::function<Availability(const Operation &op, const Task &task)>;
    void setAvailability(AvailabilityFn availability);

signals:
    void showRequested(const QString &taskId); // the selection moved: show it in the Gallery
    void openRequested(const QString &taskId); // "Open in Gallery": show it and bring the Gallery forward
    void reuseRequested(const tessera::Operation &op, const QString &accountId);
    void varyRegionRequested(const QString &taskId, int tile);
    void taskDeleted(const QString &taskId);
    void message(const QString &text, bool error);

private:
    void buildActions();
    QWidget *buildFilters();
    void applyFilters();
    void updateActions();
    // Vary Region on image `tile` of `task` (0: its single image), as its family answers.
    Availability varyRegionAvailability(const Task &task, int tile) const;
    void updateCount();
    void showDetailsOf(const QString &id);
    void scheduleWanted();
    void requestWanted();
    void contextMenu(const QPoint &pos);

    HistoryModel &m_model;
    HistoryStore &m_store;
    const ImageArchive &m_archive;
    ThumbnailLoader &m_thumbnails;
    QLineEdit *m_search;
    HintListView *m_list;
    HistoryDetails *m_details;
    QTimer *m_debounce;
    QTimer *m_wantedTimer;
    QComboBox *m_account = nullptr;
    QComboBox *m_operation = nullptr;
    QComboBox *m_state = nullptr;
    QComboBox *m_date = nullptr;
    QDateEdit *m_fromDate = nullptr;
    QDateEdit *m_toDate = nullptr;
    QToolButton *m_favourites = nullptr;
    QLabel *m_count = nullptr;
    QHash<QString, QAction *> m_actions;
    Confirm m_confirm;
    AvailabilityFn m_availability;
    QString m_varyTip; // Vary Region…'s own tooltip, with its key
};

} // namespace tessera::ui
