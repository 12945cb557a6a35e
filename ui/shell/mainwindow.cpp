#include "mainwindow.h"

#include "appcore.h"
#include "common/imagecache.h"
#include "common/tasklistmodel.h"
#include "compose/composepanel.h"
#include "compose/prompteditor.h"
#include "gallery/actionbar.h"
#include "gallery/galleryview.h"
#include "history/historymodel.h"
#include "history/historyview.h"
#include "history/thumbnailloader.h"
#include "queue/queueview.h"
#include "settings/appsettings.h"
#include "settings/settingsdialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>
#include <QScreen>
#include <QStatusBar>
#include <QVBoxLayout>

#include <algorithm>

namespace tessera::ui {

namespace {
constexpr int kQueueRows = 200;
constexpr int kMessageMs = 8000;
const QSize kFrameAllowance(16, 48); // a window manager's frame and title bar, roughly
} // namespace

MainWindow::MainWindow(AppCore &core, AppSettings &settings, QWidget *parent)
    : QMainWindow(parent)
    , m_core(core)
    , m_settings(settings)
    , m_cache(new ImageCache(96LL * 1024 * 1024, this))
    , m_queue(new TaskListModel(core.archive(), this))
    , m_historyModel(new HistoryModel(core.store(), core.archive(), this))
    , m_thumbnails(new ThumbnailLoader(QDir(core.paths().cacheDir).filePath(QStringLiteral("thumbnails")),
                                       128LL * 1024 * 1024, this))
{
    // Pages of the history are read on a thread of their own: scrolling never waits for SQLite.
    m_historyModel->readPagesFrom(core.store().path());
    setWindowTitle(tr("Tessera"));
    setObjectName(QStringLiteral("MainWindow"));
    setDockNestingEnabled(true);

    m_gallery = new GalleryView(core.providers(), core.archive(), *m_cache, this);
    // First run (issue "Accounts and secrets"): the demo is selected, and the banner offers the way out.
    m_banner = new QWidget(this);
    m_banner->setObjectName(QStringLiteral("demoBanner"));
    m_banner->setAccessibleName(tr("Demo mode notice"));
    m_banner->setAutoFillBackground(true);
    m_banner->setBackgroundRole(QPalette::AlternateBase);
    auto *bannerText
        = new QLabel(tr("<b>Demo mode</b> — images are generated offline. Add an account to use a "
                        "real provider."),
                     m_banner);
    bannerText->setWordWrap(true);
    auto *addAccount = new QPushButton(tr("Add account…"), m_banner);
    addAccount->setObjectName(QStringLiteral("addAccountButton"));
    connect(addAccount, &QPushButton::clicked, this, [this] { openSettings(true); });
    auto *bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(10, 6, 10, 6);
    bannerLayout->addWidget(bannerText, 1);
    bannerLayout->addWidget(addAccount);
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_banner);
    centralLayout->addWidget(m_gallery, 1);
    setCentralWidget(central);

    buildDocks();
    buildMenus();

    m_accountLabel = new QLabel(this);
    m_runningLabel = new QLabel(this);
    m_lastLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_accountLabel);
    statusBar()->addPermanentWidget(m_runningLabel);
    statusBar()->addPermanentWidget(m_lastLabel);

    TaskEngine &engine = core.engine();
    connect(&engine, &TaskEngine::taskAdded, this, [this](const Task &t) {
        m_queue->upsert(t, true);
        m_queue->trimTo(kQueueRows);
        m_historyModel->taskAdded(t);
        ++m_knownTaskCount;
        if (m_gallery->task() && t.parentId == m_gallery->task()->id)
            refreshOffspring();
        updateStatus();
    });
    connect(&engine, &TaskEngine::taskChanged, this, &MainWindow::onTaskChanged);
    connect(&engine, &TaskEngine::taskFinished, this, &MainWindow::onTaskFinished);
    // A refused cancel leaves the task running: say so, in the vendor's words.
    connect(&engine, &TaskEngine::cancelAnswered, this,
            [this](const QString &, bool cancelled, const Error &detail) {
                if (!cancelled)
                    showMessage(tr("Not cancelled: %1").arg(detail.message), true);
            });
    // The window can ask: an action parked for its Remix modal waits for the user's prompt.
    engine.setAsksRemixPrompts(true);
    connect(&engine, &TaskEngine::remixPromptNeeded, this, &MainWindow::askRemixPrompt);
    connect(&engine, &TaskEngine::storageFailed, this, [this](const Error &e) {
        showMessage(tr("Could not save to the history: %1").arg(e.message), true);
    });
    connect(m_compose, &ComposePanel::generateRequested, this,
            [this](const Operation &op, const QString &accountId) {
                const QString id = submit(op, accountId);
                if (id.isEmpty())
                    return;
                m_compose->accepted();
                m_loopTaskId = id;
                m_loopPrompt = m_compose->promptEditor()->toPlainText();
            });
    connect(m_compose->promptEditor(), &PromptEditor::leaveRequested, this,
            [this] { focusGallery(QString()); });
    connect(m_compose, &ComposePanel::accountChanged, this, [this](const QString &id) {
        m_settings.setLastAccountId(id);
        updateStatus();
    });
    connect(m_gallery, &GalleryView::actionRequested, this,
            [this](const Operation &op, const QString &accountId) { submit(op, accountId); });
    connect(m_gallery, &GalleryView::message, this, [this](const QString &text) { showMessage(text); });
    connect(m_gallery, &GalleryView::openTaskRequested, this, [this](const QString &id) {
        showTask(id);
        m_gallery->setFocus(Qt::OtherFocusReason);
    });
    connect(m_gallery, &GalleryView::usePromptRequested, this, [this](const QString &prompt) {
        m_composeDock->show();
        m_composeDock->raise();
        m_compose->usePrompt(prompt);
        showMessage(tr("Prompt placed in Compose — edit it and press Ctrl+Enter"));
    });
    connect(m_queueView, &QueueView::showRequested, this, &MainWindow::showTask);
    connect(m_historyView, &HistoryView::showRequested, this, &MainWindow::showTask);
    connect(m_historyView, &HistoryView::openRequested, this, [this](const QString &id) {
        showTask(id);
        m_gallery->setFocus();
    });
    connect(m_historyView, &HistoryView::reuseRequested, this,
            [this](const Operation &op, const QString &accountId) {
                m_composeDock->show();
                m_composeDock->raise();
                if (!m_compose->setOperation(op, accountId))
                    showMessage(tr("This account does not offer that task type; the prompt is in Compose"));
                else
                    showMessage(tr("Parameters placed in Compose — edit them and press Ctrl+Enter"));
                m_compose->promptEditor()->setFocus();
            });
    // The History offers an action exactly when the Gallery would (issue 12): the same question, asked
    // with the task's own account.
    m_historyView->setAvailability([this](const Operation &op, const Task &task) {
        return m_core.providers().availability(op, &task, accountFor(task.accountId));
    });
    // Retry is offered only when the same request can be accepted again (a chained action whose upscale
    // lacks the button can never work).
    m_queueView->setRetryCheck([this](const Task &task) {
        if (!isAction(task.operation.kind))
            return m_core.providers().availability(task.operation, nullptr, accountFor(task.accountId));
        const auto parent = m_core.store().task(task.operation.parentTaskId);
        if (!parent || !parent->has_value())
            return Availability::no(tr("the task it acted on is no longer in the history"));
        return m_core.providers().availability(task.operation, &**parent, accountFor(task.accountId));
    });
    m_queueView->setCheckCheck([this](const Task &task) { return m_core.engine().checkAvailability(task); });
    m_queueView->setCancelCheck([this](const Task &task) {
        const Account account = accountFor(task.accountId);
        const ProviderAdapter *adapter = m_core.providers().adapter(account.family);
        return adapter ? adapter->cancelAvailability(task, account) : Availability::yes();
    });
    connect(m_historyView, &HistoryView::varyRegionRequested, this, [this](const QString &id, int tile) {
        // The Gallery owns the mask editor: show the task there, select the image, open the editor.
        showTask(id);
        if (!m_gallery->task() || m_gallery->task()->id != id)
            return;
        if (tile > 0)
            m_gallery->selectTile(tile);
        m_gallery->trigger(OperationKind::Inpaint);
    });
    connect(m_historyView, &HistoryView::taskDeleted, this, [this](const QString &id) {
        if (m_gallery->task() && m_gallery->task()->id == id)
            m_gallery->clear();
        m_queue->removeTask(id);
        --m_knownTaskCount;
    });
    connect(m_historyView, &HistoryView::message, this,
            [this](const QString &text, bool error) { showMessage(text, error); });
    connect(m_historyModel, &HistoryModel::loadFailed, this,
            [this](const QString &m) { showMessage(tr("Could not read the history: %1").arg(m), true); });
    connect(m_queueView, &QueueView::cancelRequested, this, [this](const QString &id) {
        if (const Status s = m_core.engine().cancel(id); !s)
            showMessage(s.error().message, true);
    });
    connect(m_queueView, &QueueView::checkRequested, this, [this](const QString &id) {
        if (const Status s = m_core.engine().check(id); !s)
            showMessage(s.error().message, true);
    });
    connect(m_queueView, &QueueView::retryRequested, this, [this](const QString &id) {
        const auto t = m_core.store().task(id);
        if (t && t->has_value())
            submit((*t)->operation, (*t)->accountId);
    });

    loadAccounts();
    // What is still under way (this or another process) belongs in the Queue.
    if (const auto recent = core.store().recentTasks(50); recent) {
        QList<Task> active;
        for (const Task &t : *recent) {
            if (isActive(t.state) || t.state == TaskState::Unfinished || t.state == TaskState::Unknown)
                active.append(t);
        }
        m_queue->setTasks(active);
    }
    m_historyModel->reload();
    if (const auto prompts = core.store().recentTasks(100); prompts) {
        QStringList history;
        for (const Task &t : *prompts) {
            if (t.operation.kind == OperationKind::Imagine && !history.contains(t.prompt))
                history.append(t.prompt);
        }
        m_compose->setPromptHistory(history);
    }
    if (const auto newest = m_historyModel->taskAt(0))
        showTask(newest->id);

    fitToScreen();
    m_knownTaskCount = core.store().taskCount().valueOr(0);
    updateStatus();
    m_compose->promptEditor()->setFocus();
}

MainWindow::~MainWindow() = default;

void MainWindow::fitToScreen()
{
    // First launch: 1440 × 900 where the screen allows it, never larger than its free area (less room
    // for the window's frame and title); a window saved on a larger screen is brought back inside.
    const QRect available = screen()->availableGeometry();
    const QSize room = (available.size() - kFrameAllowance).expandedTo(QSize(640, 400));
    resize(QSize(1440, 900).boundedTo(room));
    restoreGeometry(m_settings.windowGeometry());
    if (!restoreState(m_settings.windowState())) {
        // The docks' first widths follow the window's, so that a small screen leaves the images room.
        const int w = width();
        resizeDocks({m_composeDock, m_queueDock},
                    {std::clamp(w * 21 / 100, 240, 300), std::clamp(w * 23 / 100, 250, 330)}, Qt::Horizontal);
        // The Queue shows several rows under way (over four at 900 px), the History the rest; a short
        // window keeps the History's list, buttons and details their room.
        const int h = height();
        const int queueShare = h >= 800 ? 42 : 30;
        resizeDocks({m_queueDock, m_historyDock}, {h * queueShare / 100, h * (100 - queueShare) / 100},
                    Qt::Vertical);
    }
    if (width() > room.width() || height() > room.height())
        resize(size().boundedTo(room));
    if (!available.intersects(geometry()) || !available.contains(geometry().topLeft()))
        move(available.topLeft());
}

void MainWindow::buildDocks()
{
    m_compose = new ComposePanel(m_core.providers(), this);
    m_composeDock = new QDockWidget(tr("Compose"), this);
    m_composeDock->setObjectName(QStringLiteral("ComposeDock"));
    m_composeDock->setWidget(m_compose);
    addDockWidget(Qt::LeftDockWidgetArea, m_composeDock);

    m_queueView = new QueueView(*m_queue, *m_cache, this);
    m_queueDock = new QDockWidget(tr("Queue"), this);
    m_queueDock->setObjectName(QStringLiteral("QueueDock"));
    m_queueDock->setWidget(m_queueView);
    addDockWidget(Qt::RightDockWidgetArea, m_queueDock);

    m_historyView = new HistoryView(*m_historyModel, m_core.store(), m_core.archive(), *m_thumbnails, this);
    m_historyDock = new QDockWidget(tr("History"), this);
    m_historyDock->setObjectName(QStringLiteral("HistoryDock"));
    m_historyDock->setWidget(m_historyView);
    addDockWidget(Qt::RightDockWidgetArea, m_historyDock);
    splitDockWidget(m_queueDock, m_historyDock, Qt::Vertical);
}

void MainWindow::openSettings(bool addAccount)
{
    SettingsDialog dialog(
        {m_core.store(), m_core.providers(), m_core.transport(), m_core.secrets(), m_keyHints},
        m_core.paths().archiveDir, this);
    connect(&dialog, &SettingsDialog::accountsChanged, this, &MainWindow::loadAccounts);
    if (addAccount)
        dialog.startAdding();
    dialog.exec();
    loadAccounts();
}

void MainWindow::loadAccounts()
{
    const auto accounts = m_core.store().accounts();
    if (!accounts) {
        showMessage(accounts.error().message, true);
        return;
    }
    m_accounts.clear();
    QHash<QString, QString> names;
    bool onlyDemo = true;
    for (const Account &a : *accounts) {
        m_accounts.insert(a.id, a);
        names.insert(a.id, a.displayName());
        onlyDemo = onlyDemo && a.isDemo();
    }
    m_queue->setAccountNames(names);
    QSet<QString> reportsProgress;
    for (const Account &a : *accounts) {
        const ProviderAdapter *adapter = m_core.providers().adapter(a.family);
        if (adapter && adapter->capabilities(a).reportsProgress)
            reportsProgress.insert(a.id);
    }
    m_queue->setProgressAccounts(reportsProgress);
    m_historyModel->setAccountNames(names);
    QHash<QString, QString> families;
    for (const Account &a : *accounts)
        families.insert(a.id, a.family);
    m_historyView->setAccounts(names, families);
    QString current = m_settings.lastAccountId();
    if (!m_accounts.contains(current))
        current = m_core.store().defaultAccount().valueOr(Account::demo()).id;
    m_compose->setAccounts(*accounts, current);
    m_banner->setVisible(onlyDemo);
}

void MainWindow::askRemixPrompt(const QString &taskId, const QString &suggested)
{
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("remixPrompt"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Remix"));
    QString what = tr("this action");
    if (const auto t = m_core.store().task(taskId); t && t->has_value())
        what = (*t)->operation.label();
    dialog->setLabelText(
        tr("%1 waits for its prompt (Remix is on at the server). Change it, or press Enter to "
           "send it as it is. Cancel sends nothing.")
            .arg(what));
    dialog->setTextValue(suggested);
    dialog->setOkButtonText(tr("Send"));
    dialog->setCancelButtonText(tr("Cancel the action"));
    dialog->resize(std::max(dialog->sizeHint().width(), 560), dialog->sizeHint().height());
    connect(dialog, &QInputDialog::textValueSelected, this, [this, taskId](const QString &prompt) {
        if (const Status s = m_core.engine().answerRemixPrompt(taskId, prompt); !s)
            showMessage(s.error().message, true);
    });
    connect(dialog, &QDialog::rejected, this, [this, taskId] {
        if (const Status s = m_core.engine().cancel(taskId); !s)
            showMessage(s.error().message, true);
    });
    dialog->open();
}

Account MainWindow::accountFor(const QString &accountId) const
{
    return m_accounts.value(accountId, Account::demo());
}

QString MainWindow::submit(const Operation &op, const QString &accountId)
{
    const Result<QString> id = m_core.engine().submit(op, accountId);
    if (!id) {
        // What Compose asked for is explained next to its Generate button, naming the field.
        if (!isAction(op.kind))
            m_compose->showError(id.error().message);
        showMessage(id.error().message, true);
        return {};
    }
    // An action on an image keeps the Gallery on that image (U1…U4 in a row); its badge on the image
    // leads on. A new prompt, a reroll (a new grid) and a seed (text) are shown at once.
    const bool stay = isAction(op.kind) && op.kind != OperationKind::Reroll && op.kind != OperationKind::Seed
        && m_gallery->task() && m_gallery->task()->id == op.parentTaskId;
    if (stay)
        refreshOffspring();
    else
        showTask(*id);
    return *id;
}

void MainWindow::refreshLineage()
{
    if (!m_gallery->task())
        return m_gallery->setLineage({});
    // From the shown task up to the one made from a prompt (a damaged history stops the walk).
    QList<Task> path {*m_gallery->task()};
    for (int guard = 0; guard < 32 && !path.first().parentId.isEmpty(); ++guard) {
        const auto parent = m_core.store().task(path.first().parentId);
        if (!parent || !parent->has_value())
            break;
        path.prepend(**parent);
    }
    m_gallery->setLineage(path);
}

void MainWindow::refreshOffspring()
{
    if (!m_gallery->task())
        return;
    const auto children = m_core.store().children(m_gallery->task()->id);
    m_gallery->setOffspring(children ? *children : QList<Task>());
}

void MainWindow::showTask(const QString &taskId)
{
    if (taskId.isEmpty())
        return;
    auto found = m_core.store().task(taskId);
    if (!found || !found->has_value())
        return;
    const Task &task = **found;
    m_gallery->showTask(task, accountFor(task.accountId));
    m_gallery->setWaitingFor(m_queue->waitingFor(task));
    refreshOffspring();
    refreshLineage();
    m_queueView->selectTask(taskId);
    m_historyView->selectTask(taskId);
}

void MainWindow::onTaskChanged(const Task &task)
{
    m_queue->upsert(task, true);
    m_historyModel->upsert(task);
    if (isTerminal(task.state)) {
        // A check or resume may have rewritten the files: decode them afresh.
        for (const ImageRef &img : task.images)
            m_cache->forget(m_core.archive().absolutePath(img.path));
    }
    m_gallery->updateTask(task);
    if (m_gallery->task())
        m_gallery->setWaitingFor(m_queue->waitingFor(*m_gallery->task()));
    if (m_gallery->task() && task.parentId == m_gallery->task()->id)
        refreshOffspring(); // a badge on the image it was made from changes state
    if (m_gallery->task() && task.id == m_gallery->task()->id && isTerminal(task.state))
        refreshLineage(); // its own step now has a picture
    updateStatus();
}

void MainWindow::onTaskFinished(const Task &task)
{
    if (task.id == m_loopTaskId) {
        m_loopTaskId.clear();
        PromptEditor *prompt = m_compose->promptEditor();
        if (task.state == TaskState::Succeeded && m_gallery->task() && m_gallery->task()->id == task.id
            && focusWidget() == prompt && prompt->toPlainText() == m_loopPrompt)
            focusGallery(tr("Done"));
    }
    const QString title = task.title(40);
    switch (task.state) {
    case TaskState::Succeeded:
        m_lastLabel->setText(task.error ? tr("last: done, with problems") : tr("last: ok"));
        if (task.error)
            showMessage(tr("%1: %2").arg(title, task.error->userText()), true);
        break;
    case TaskState::Failed:
    case TaskState::Unknown:
    case TaskState::Unfinished:
        m_lastLabel->setText(tr("last: %1").arg(taskStateLabel(task.state)));
        showMessage(tr("%1: %2").arg(title, task.error ? task.error->userText() : taskStateLabel(task.state)),
                    true);
        break;
    default:
        break;
    }
    if (!isActiveWindow())
        QApplication::alert(this); // the task bar entry asks for attention
    updateStatus();
}

void MainWindow::updateStatus()
{
    int running = 0;
    for (const Task &t : m_queue->tasks())
        running += isActive(t.state) ? 1 : 0;
    m_runningLabel->setText(running == 0 ? tr("idle") : tr("%1 running").arg(running));
    m_accountLabel->setText(accountFor(m_compose->currentAccountId()).displayName());
}

void MainWindow::showMessage(const QString &text, bool error)
{
    statusBar()->showMessage(text, error ? 2 * kMessageMs : kMessageMs);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(saveState());
    m_settings.sync();
    QMainWindow::closeEvent(event);
}

void MainWindow::changeEvent(QEvent *event)
{
    // Tasks started from tessera-cli while this window was in the background: show them on return.
    if (event->type() == QEvent::ActivationChange && isActiveWindow()) {
        const int count = m_core.store().taskCount().valueOr(m_knownTaskCount);
        if (count != m_knownTaskCount) {
            m_knownTaskCount = count;
            m_historyModel->refresh(); // new tasks on top; the list and its scroll position stay
            m_core.engine().resume();
        }
    }
    QMainWindow::changeEvent(event);
}

} // namespace tessera::ui
