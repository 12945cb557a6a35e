#pragma once

#include "model/account.h"
#include "model/capabilities.h"
#include "model/task.h"

#include <QWidget>

#include <array>
#include <optional>

class QLabel;
class QPushButton;
class QStackedWidget;
class QTextBrowser;

namespace tessera {
class ImageArchive;
class ProviderRegistry;
} // namespace tessera

namespace tessera::ui {

class ImageCache;
class TileArea;
class TileWidget;

// The centre of the window: the selected task as four numbered tiles (a grid) or one image (an
// upscale), the action bar below it, and the task's details beside it. Keys while it has focus:
// 1–4 select, arrows move the selection, U / V / R act, Space or Enter opens the full-size viewer,
// Ctrl+C copies the selected image. Actions that the family or the task do not allow are disabled and
// their tooltips say why.
class GalleryView : public QWidget
{
    Q_OBJECT
public:
    GalleryView(const ProviderRegistry &providers, const ImageArchive &archive, ImageCache &cache,
                QWidget *parent = nullptr);

    void showTask(const Task &task, const Account &account);
    void updateTask(const Task &task); // refreshes if it is the task shown
    void clear();
    const std::optional<Task> &task() const { return m_task; }

    int selectedTile() const { return m_selected; } // 1..4 for a grid, 0 for a single image
    void selectTile(int tile);

    // Whether an action on the selection is possible now, and why not.
    Availability availability(OperationKind kind) const;
    void trigger(OperationKind kind);
    void openViewer();
    void copyImage();
    QString selectedImagePath() const;

signals:
    void actionRequested(const tessera::Operation &op, const QString &accountId);
    void message(const QString &text); // for the status bar ("Upscale is not available: ...")
    void selectionChanged();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void rebuild();
    void refreshActions();
    void refreshDetails();
    Operation operationFor(OperationKind kind) const;

    const ProviderRegistry &m_providers;
    const ImageArchive &m_archive;
    ImageCache &m_cache;
    std::optional<Task> m_task;
    Account m_account;
    int m_selected = 1;

    QStackedWidget *m_stack = nullptr;
    TileArea *m_area = nullptr;
    std::array<TileWidget *, 4> m_tiles {};
    TileWidget *m_single = nullptr;
    QTextBrowser *m_details = nullptr;
    QPushButton *m_upscale = nullptr;
    QPushButton *m_vary = nullptr;
    QPushButton *m_reroll = nullptr;
    QPushButton *m_view = nullptr;
};

} // namespace tessera::ui
