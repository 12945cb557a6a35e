// The main window's menus: every action with its key, the Task menu following the Gallery's bar (an entry
// is enabled exactly when the bar offers it, with the same reason), the key of an action not offered now
// saying why, the keyboard loop's move to the images, and the shortcut sheet.
#include "appcore.h"
#include "compose/composepanel.h"
#include "compose/prompteditor.h"
#include "gallery/actionbar.h"
#include "gallery/galleryview.h"
#include "history/historyview.h"
#include "mainwindow.h"
#include "maskeditor/maskeditor.h"
#include "settings/appsettings.h"
#include "shortcutsdialog.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>

#include <functional>
#include <tuple>

namespace tessera::ui {

void MainWindow::buildMenus()
{
    const auto add = [this](QMenu *menu, const QString &text, const QKeySequence &key, auto slot) {
        QAction *a = menu->addAction(text);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WindowShortcut);
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        return a;
    };

    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *settings = file->addAction(tr("&Settings…"), this, [this] { openSettings(false); });
    settings->setShortcut(QKeySequence::Preferences);
    if (settings->shortcut().isEmpty())
        settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    settings->setObjectName(QStringLiteral("settingsAction"));
    file->addSeparator();
    add(file, tr("&Quit"), QKeySequence::Quit, [this] { close(); });

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->setToolTipsVisible(true);
    m_copyImage = add(edit, tr("&Copy Image"), QKeySequence(), [this] { m_gallery->copyImage(); });
    add(edit, tr("&Find in History"), QKeySequence::Find, [this] {
        m_historyDock->show();
        m_historyDock->raise();
        m_historyView->searchField()->setFocus();
        m_historyView->searchField()->selectAll();
    });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : {m_composeDock, m_queueDock, m_historyDock})
        view->addAction(dock->toggleViewAction());
    view->addSeparator();
    add(view, tr("Focus &Prompt"), QKeySequence(Qt::CTRL | Qt::Key_L), [this] {
        m_composeDock->show();
        m_compose->promptEditor()->setFocus();
    });
    add(view, tr("Focus &Gallery"), QKeySequence(Qt::CTRL | Qt::Key_G), [this] { m_gallery->setFocus(); });
    view->setToolTipsVisible(true);
    // The details column beside the images: remembered; it gives way by itself when the Gallery is narrow.
    QAction *details = view->addAction(tr("Task &Details beside the Images"));
    details->setCheckable(true);
    details->setChecked(m_settings.galleryDetails());
    details->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    details->setShortcutContext(Qt::WindowShortcut);
    details->setObjectName(QStringLiteral("detailsAction"));
    details->setToolTip(tr("The prompt, parameters, seed and ids beside the images; hidden while the Gallery "
                           "is too narrow for both (the History's pane shows them too)"));
    connect(details, &QAction::toggled, this, [this](bool on) {
        m_gallery->setDetailsWanted(on);
        m_settings.setGalleryDetails(on);
        if (on && !m_gallery->detailsShown())
            showMessage(tr("The details show once the Gallery is wider; the History's pane has them too"));
    });
    addAction(details);
    m_gallery->setDetailsWanted(m_settings.galleryDetails());
    m_viewFullSize = add(view, tr("View &Full Size"), QKeySequence(), [this] { m_gallery->openViewer(); });

    QMenu *task = menuBar()->addMenu(tr("&Task"));
    task->setToolTipsVisible(true); // a disabled entry says why
    add(task, tr("&Generate"), QKeySequence(Qt::CTRL | Qt::Key_Return), [this] { m_compose->generate(); });
    task->addSeparator();
    // Each entry is enabled exactly when the Gallery offers it (updateTaskActions); its key, pressed while
    // it is not offered, says why instead of doing nothing (eventFilter).
    const auto addTask = [&](QMenu *menu, const QString &text, const QKeySequence &key,
                             std::function<Availability()> availability, std::function<void()> run) {
        QAction *a = add(menu, text, key, std::move(run));
        m_taskActions.push_back({a, std::move(availability)});
        return a;
    };
    // As the bar's button shows it (a button is usable when any entry of its ▾ menu is).
    const auto offered = [this](Operation templ) {
        return [this, templ] {
            if (!m_gallery->task())
                return Availability::no(tr("Select a task first"));
            return m_gallery->actionBar()->controlAvailability(templ.kind, templ.direction);
        };
    };
    const auto kind = [](OperationKind k, const QString &direction = {}, const QString &zoom = {}) {
        Operation op;
        op.kind = k;
        op.direction = direction;
        op.zoomFactor = zoom;
        return op;
    };
    for (int i = 1; i <= 4; ++i)
        addTask(
            task, tr("Select Image &%1").arg(i), QKeySequence(Qt::Key_0 + i),
            [this, i] { return m_gallery->selectAvailability(i); }, [this, i] { m_gallery->selectTile(i); });
    task->addSeparator();
    addTask(task, tr("&Upscale Selected"), QKeySequence(Qt::Key_U), offered(kind(OperationKind::Upscale)),
            [this] { m_gallery->trigger(OperationKind::Upscale); });
    addTask(task, tr("&Vary Selected"), QKeySequence(Qt::Key_V), offered(kind(OperationKind::Vary)),
            [this] { m_gallery->trigger(OperationKind::Vary); });
    addTask(task, tr("&Reroll"), QKeySequence(Qt::Key_R), offered(kind(OperationKind::Reroll)),
            [this] { m_gallery->trigger(OperationKind::Reroll); });
    QMenu *pan = task->addMenu(tr("&Pan"));
    pan->setToolTipsVisible(true);
    for (const auto &[name, text, key] :
         {std::tuple {QStringLiteral("left"), tr("Pan &Left"), Qt::Key_Left},
          std::tuple {QStringLiteral("right"), tr("Pan &Right"), Qt::Key_Right},
          std::tuple {QStringLiteral("up"), tr("Pan &Up"), Qt::Key_Up},
          std::tuple {QStringLiteral("down"), tr("Pan &Down"), Qt::Key_Down}}) {
        const QString direction = name;
        addTask(pan, text, QKeySequence(Qt::ALT | key), offered(kind(OperationKind::Pan, direction)),
                [this, direction] { m_gallery->pan(direction); });
    }
    // Zoom is offered when its 2x is (the menu under the bar's button lists the factors).
    addTask(task, tr("&Zoom Out…"), QKeySequence(Qt::Key_Z),
            offered(kind(OperationKind::Zoom, {}, QStringLiteral("2"))),
            [this] { m_gallery->popupZoomMenu(); });
    addTask(task, tr("Vary R&egion…"), QKeySequence(Qt::Key_E), offered(kind(OperationKind::Inpaint)),
            [this] { m_gallery->trigger(OperationKind::Inpaint); });
    addTask(task, tr("&Seed"), QKeySequence(), offered(kind(OperationKind::Seed)),
            [this] { m_gallery->trigger(OperationKind::Seed); });
    task->addSeparator();
    addTask(
        task, tr("Open &Newest Made from the Image"), QKeySequence(Qt::CTRL | Qt::Key_Down),
        [this] { return m_gallery->newestOffspringAvailability(); },
        [this] { m_gallery->openNewestOffspring(); });
    addTask(
        task, tr("C&ompare with Its Source"), QKeySequence(Qt::Key_C),
        [this] { return m_gallery->compareAvailability(); }, [this] { m_gallery->compare(); });
    addTask(
        task, tr("Go to the P&arent Task"), QKeySequence(Qt::CTRL | Qt::Key_Up),
        [this] { return m_gallery->parentAvailability(); }, [this] { m_gallery->openParent(); });
    task->addSeparator();
    addTask(
        task, tr("&Cancel Task"), QKeySequence(Qt::CTRL | Qt::Key_Period),
        [this] {
            const std::optional<Task> &shown = m_gallery->task();
            if (!shown)
                return Availability::no(tr("Select a task first"));
            if (!isActive(shown->state))
                return Availability::no(
                    tr("The task has already ended (%1)").arg(taskStateLabel(shown->state)));
            const Account account = accountFor(shown->accountId);
            const ProviderAdapter *adapter = m_core.providers().adapter(account.family);
            return adapter ? adapter->cancelAvailability(*shown, account) : Availability::yes();
        },
        [this] {
            const std::optional<Task> &shown = m_gallery->task();
            if (!shown)
                return showMessage(tr("Cancel: select a task first"));
            if (const Status s = m_core.engine().cancel(shown->id); !s)
                showMessage(s.error().message, true);
        });
    for (QAction *entry : {m_copyImage, m_viewFullSize})
        m_taskActions.push_back({entry, [this] { return m_gallery->viewAvailability(); }});
    connect(m_gallery, &GalleryView::actionsChanged, this, &MainWindow::updateTaskActions);
    updateTaskActions();
    qApp->installEventFilter(this);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    add(help, tr("&Keyboard Shortcuts"), QKeySequence(Qt::Key_F1), [this] { showShortcuts(); });
    add(help, tr("&About Tessera"), QKeySequence(), [this] {
        QMessageBox::about(
            this, tr("About Tessera"),
            tr("<h3>Tessera %1</h3><p>A desktop studio for Midjourney-style image generation.</p>"
               "<p>Your history and images are kept in<br><code>%2</code></p>")
                .arg(QApplication::applicationVersion(), m_core.paths().dataDir.toHtmlEscaped()));
    });
}

void MainWindow::focusGallery(const QString &why)
{
    m_gallery->setFocus(Qt::ShortcutFocusReason);
    const QString keys = m_gallery->task() && m_gallery->task()->isGrid()
        ? tr("1–4 pick an image · U / V act on it · Space views it · Ctrl+L back to the prompt")
        : tr("U / V act on the image · Space views it · Ctrl+L back to the prompt");
    showMessage(why.isEmpty() ? keys : tr("%1 — %2").arg(why, keys));
}

void MainWindow::updateTaskActions()
{
    for (const TaskAction &t : m_taskActions) {
        const Availability a = t.availability();
        t.action->setEnabled(a.enabled);
        const QString why = a.enabled ? a.caveat : a.reason;
        t.action->setToolTip(why.isEmpty() ? t.action->text().remove(QLatin1Char('&')) : why);
        t.action->setStatusTip(why);
    }
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    // The key of an action that is not offered now reaches the focused widget instead of the action.
    // Unless that widget takes text (the prompt, a field), say why the action is not available.
    if (event->type() == QEvent::KeyPress && watched->isWidgetType()
        && static_cast<QWidget *>(watched)->window() == this) {
        auto *key = static_cast<QKeyEvent *>(event);
        // The widget the key is for: the focus widget, or (in a window that is not active, where Qt still
        // delivers keys) the receiver itself. Keys for a text field are text.
        const auto takesText = [](const QWidget *w) {
            return w
                && (w->inherits("QLineEdit") || w->inherits("QTextEdit") || w->inherits("QPlainTextEdit")
                    || w->inherits("QAbstractSpinBox"));
        };
        const bool typing
            = takesText(QApplication::focusWidget()) || takesText(static_cast<QWidget *>(watched));
        if (!typing && !key->isAutoRepeat()) {
            const QKeySequence pressed(key->keyCombination());
            for (const TaskAction &t : m_taskActions) {
                if (t.action->isEnabled() || t.action->shortcut().isEmpty()
                    || t.action->shortcut() != pressed)
                    continue;
                showMessage(tr("%1 is not available: %2")
                                .arg(t.action->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")),
                                     t.availability().reason));
                return true;
            }
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::showShortcuts()
{
    QList<ShortcutsDialog::Row> rows;
    const auto clean = [](QString text) {
        return text.remove(QLatin1Char('&'))
            .remove(QChar(0x2026))
            .remove(QChar(0x2605))
            .remove(QChar(0x2606))
            .trimmed();
    };
    const auto keys = [](const QKeySequence &k) { return k.toString(QKeySequence::NativeText); };
    // The menus, each its own group (sub-menus such as Pan inside theirs).
    std::function<void(const QString &, QMenu *)> addMenu = [&](const QString &area, QMenu *menu) {
        for (QAction *a : menu->actions()) {
            if (a->menu())
                addMenu(area, a->menu());
            else if (!a->shortcut().isEmpty())
                rows.append({area, clean(a->text()), keys(a->shortcut())});
        }
    };
    for (QAction *top : menuBar()->actions()) {
        if (top->menu())
            addMenu(clean(top->text()), top->menu());
    }
    const QString compose = tr("Compose");
    rows.append(
        {compose, tr("Generate"), tr("%1 in the prompt").arg(keys(QKeySequence(Qt::CTRL | Qt::Key_Return)))});
    rows.append({compose, tr("Leave the prompt for the images"), tr("Esc")});
    rows.append({compose, tr("Earlier prompts"), tr("Up / Down in the prompt")});
    const QString gallery = tr("Gallery");
    rows.append({gallery, tr("Move the selection between images"), tr("Arrow keys")});
    rows.append({gallery, tr("View the selected image at full size"), tr("Space or Enter, or double-click")});
    rows.append({gallery, tr("Copy the selected image"), keys(QKeySequence::Copy)});
    rows.append({gallery, tr("Open what was made from an image"),
                 tr("Click its badge, or %1").arg(keys(QKeySequence(Qt::CTRL | Qt::Key_Down)))});
    const QString viewer = tr("Full-size viewer");
    rows.append({viewer, tr("Zoom in / out"), tr("+ / −, or Ctrl+wheel")});
    rows.append({viewer, tr("Fit / 100 %"), tr("0 / 1")});
    rows.append({tr("Queue"), tr("Cancel the selected task"), keys(QKeySequence::Delete)});
    // The History dock's own keys (while it has the focus).
    for (QAction *a : m_historyView->actions()) {
        if (!a->shortcut().isEmpty())
            rows.append({tr("History"), clean(a->text()), keys(a->shortcut())});
    }
    for (const auto &[action, keys] : MaskEditor::shortcutRows())
        rows.append({tr("Mask editor (Vary Region)"), action, keys});
    ShortcutsDialog dialog(rows, this);
    dialog.setObjectName(QStringLiteral("shortcutsDialog"));
    dialog.exec();
}

} // namespace tessera::ui
