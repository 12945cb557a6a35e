#pragma once

#include "model/account.h"
#include "model/capabilities.h"
#include "model/task.h"
#include "settings/keyhints.h"

#include <QHash>
#include <QMainWindow>

#include <functional>
#include <vector>

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
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // A menu action that acts on the Gallery's task: enabled exactly when the Gallery's bar offers the
    // same thing, with the same reason in its tooltip and status tip when it does not; its key, pressed
    // then, says why in the status bar.
    struct TaskAction
    {
        QAction *action = nullptr;
        std::function<Availability()> availability;
    };

    void buildDocks();
    void buildMenus();
    void fitToScreen();
    void updateTaskActions();
    void refreshOffspring(); // the badges of what was made from the Gallery's task
    void refreshLineage(); // the path that led to the Gallery's task
    // The keyboard loop: from the prompt to the images (Esc, or the result of Ctrl+Enter arriving while
    // the prompt is as it was sent) with a hint of the keys that work there.
    void focusGallery(const QString &why);
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
    std::vector<TaskAction> m_taskActions;
    // The task Ctrl+Enter started and the prompt as it was sent: when its result arrives while the
    // prompt still has the keyboard and is unchanged, the keyboard moves to the images.
    QString m_loopTaskId;
    QString m_loopPrompt;
    QAction *m_copyImage = nullptr;
    QAction *m_viewFullSize = nullptr;
    int m_knownTaskCount = -1;
};

} // namespace tessera::ui
