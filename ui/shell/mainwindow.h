#pragma once

#include "model/account.h"
#include "model/task.h"
#include "settings/keyhints.h"

#include <QHash>
#include <QMainWindow>

class QAction;
class QDockWidget;
class QLabel;

namespace tessera {
class AppCore;
class AppSettings;
} // namespace tessera

namespace tessera::ui {

class ComposePanel;
class GalleryView;
class HistoryModel;
class HistoryView;
class ImageCache;
class QueueView;
class TaskListModel;
class ThumbnailLoader;

// The main window: Compose (left dock), Gallery (centre), Queue and History (right docks), menus with
// every action and its shortcut, and a status bar with the account, the running count and the last
// error. It wires the widgets to the core; it holds no state of its own beyond what is shown.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(AppCore &core, AppSettings &settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    GalleryView *gallery() const { return m_gallery; }
    ComposePanel *compose() const { return m_compose; }
    QueueView *queue() const { return m_queueView; }
    HistoryView *history() const { return m_historyView; }
    HistoryModel *historyModel() const { return m_historyModel; }
    TaskListModel *queueModel() const { return m_queue; }

    // Shows a task in the Gallery and selects it in the Queue and the History.
    void showTask(const QString &taskId);
    // Submits as if from Compose or the Gallery; shows the new task. Returns its id or empty.
    QString submit(const Operation &op, const QString &accountId);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildDocks();
    void buildMenus();
    void loadAccounts();
    // The settings dialog; with `addAccount` it opens on a new account (the demo banner's button).
    void openSettings(bool addAccount);
    void onTaskChanged(const Task &task);
    // Remix (midjourney-proxy): the parked task waits for its prompt; asked without blocking the window.
    void askRemixPrompt(const QString &taskId, const QString &suggested);
    void onTaskFinished(const Task &task);
    void updateStatus();
    void showMessage(const QString &text, bool error = false);
    void showShortcuts();
    Account accountFor(const QString &accountId) const;

    AppCore &m_core;
    AppSettings &m_settings;
    ImageCache *m_cache;
    TaskListModel *m_queue;
    HistoryModel *m_historyModel;
    ThumbnailLoader *m_thumbnails;
    ComposePanel *m_compose = nullptr;
    GalleryView *m_gallery = nullptr;
    QueueView *m_queueView = nullptr;
    HistoryView *m_historyView = nullptr;
    QDockWidget *m_composeDock = nullptr;
    QDockWidget *m_queueDock = nullptr;
    QDockWidget *m_historyDock = nullptr;
    QWidget *m_banner = nullptr;
    QLabel *m_accountLabel = nullptr;
    QLabel *m_runningLabel = nullptr;
    QLabel *m_lastLabel = nullptr;
    QHash<QString, Account> m_accounts;
    KeyHints m_keyHints; // "••••1234" of keys typed in this run, for Settings; memory only
    int m_knownTaskCount = -1;
};

} // namespace tessera::ui
