#pragma once

#include "model/account.h"
#include "model/capabilities.h"
#include "model/task.h"

#include <QWidget>

#include <array>
#include <functional>
#include <optional>

class QStackedWidget;
class QTextBrowser;

namespace tessera {
class ImageArchive;
class ProviderRegistry;
} // namespace tessera

namespace tessera::ui {

class ActionBar;
class LineageStrip;
class ImageCache;
class TextResultView;
class TileArea;
class TileWidget;

// The centre of the window: the selected task as four numbered tiles (a grid), one image (an upscale),
// its videos, or its text result (seed, describe, shorten); the action bar below the pictures and the
// task's details beside them. Keys while it has focus: 1–4 select, arrows move the selection, U / V / R
// act, Alt+arrows pan, Z opens the zoom menu, E varies a region, Space or Enter opens the full-size
// viewer (or plays a video), Ctrl+C copies the selected image. Actions that the family or the task do
// not allow are disabled and their tooltips say why (ProviderAdapter::availability). Actions that need a
// single image are offered on every tile: the engine runs the tile's U first (ActionPlanner).
class GalleryView : public QWidget
{
    Q_OBJECT
public:
    GalleryView(const ProviderRegistry &providers, const ImageArchive &archive, ImageCache &cache,
                QWidget *parent = nullptr);

    void showTask(const Task &task, const Account &account);
    void updateTask(const Task &task); // refreshes if it is the task shown
    // The tasks made from the shown one (oldest first): each shows as a badge on the image it was made
    // from. Actions keep the Gallery on the image they act on (U1…U4 in a row); the badges lead on.
    void setOffspring(const QList<Task> &children);
    // The path from the first task (made from a prompt) to the shown one, for the lineage strip.
    void setLineage(const QList<Task> &path);
    LineageStrip *lineageStrip() const { return m_lineage; }
    // The newest task made from the selected image, and the task the shown one was made from.
    Availability newestOffspringAvailability() const;
    Availability parentAvailability() const;
    void openNewestOffspring(); // Ctrl+Down
    void openParent(); // Ctrl+Up
    // C: the selected image beside the one it was made from (the parent's image), or, on a grid made
    // from a prompt, beside the image selected before it.
    Availability compareAvailability() const;
    void compare();
    void clear();
    const std::optional<Task> &task() const { return m_task; }
    // What a queued task waits for ("U3"), shown on its placeholder; empty when it waits for a slot.
    void setWaitingFor(const QString &label);

    int selectedTile() const { return m_selected; } // 1..4 on a grid or among videos, 0 for a single image
    void selectTile(int tile);
    // Whether image `tile` (1..4) can be selected now, and why not.
    Availability selectAvailability(int tile) const;
    // Whether the selected image or video is in the archive (to view or copy), and why not.
    Availability viewAvailability() const;

    // The operation `templ` (kind and variant, direction, zoom factor, motion) would be on the selection,
    // and whether the family allows it now.
    Operation operationFor(const Operation &templ) const;
    Availability availability(const Operation &templ) const;
    Availability availability(OperationKind kind) const;

    // Acts on the selection. Zoom "custom" and Extend with a prompt first ask for what they need in a small
    // dialog, Vary Region opens the mask editor; the others are sent at once (actionRequested).
    void trigger(const Operation &templ);
    void trigger(OperationKind kind);
    void pan(const QString &direction);
    void popupZoomMenu();
    // The dialogs' answers, also for tests: a zoom factor in (1, 2], a mask PNG with an optional prompt,
    // a prompt for extending a video by hand.
    void submitZoom(const QString &factor);
    void submitVaryRegion(const QByteArray &maskPng, const QString &prompt);
    void submitVideoExtend(const QString &prompt);

    void openViewer(); // an image at full size, or a video in the system player
    void copyImage();
    QString selectedImagePath() const; // the selected image or video file, when it is in the archive

    // Asked before an action whose availability carries a caveat is sent (something is charged first and
    // the rest may not follow); the default shows a question box. Tests replace it.
    using Confirm = std::function<bool(QWidget *parent, const QString &question)>;
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }

    // The task's details beside the images: shown when wanted and when the Gallery is wide enough for
    // them and the images (kRoomForDetails); else the images get the room.
    static constexpr int kRoomForDetails = 760;
    void setDetailsWanted(bool wanted);
    bool detailsWanted() const { return m_detailsWanted; }
    bool detailsShown() const;

    ActionBar *actionBar() const { return m_bar; }
    TextResultView *textResult() const { return m_text; }

signals:
    void actionRequested(const tessera::Operation &op, const QString &accountId);
    void message(const QString &text); // for the status bar ("Pan ← is not available: ...")
    void selectionChanged();
    // The task, its state or the selection changed: what the actions offer may have changed (the main
    // window's menu follows the bar).
    void actionsChanged();
    void usePromptRequested(const QString &prompt); // "Use this prompt" of a describe or shorten result
    void maskEditorOpened(QWidget *editor); // Vary Region opened the mask editor (tests and the status bar)
    void openTaskRequested(const QString &taskId); // a badge, Ctrl+Down or Ctrl+Up: show that task

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    enum class Shape { Grid, Single, Videos, Text };

    void rebuild();
    void refreshActions();
    Shape shapeOf(const Task &task) const;
    QList<const ImageRef *> videos() const;
    void applyOffspring();
    void placeDetails();
    // The children of the shown task made from image `tile` (0: the single image), oldest first.
    QList<const Task *> offspringOf(int tile) const;
    QString placeholderText(int *progress) const;
    void askCustomZoom();
    void askVaryRegion();
    void askVideoExtendPrompt();
    void emitAction(const Operation &templ);

    const ProviderRegistry &m_providers;
    const ImageArchive &m_archive;
    ImageCache &m_cache;
    std::optional<Task> m_task;
    Account m_account;
    Shape m_shape = Shape::Grid;
    int m_selected = 1;
    int m_previousSelected = 0; // the image selected before this one, on the same grid
    int m_tileCount = 4;
    QString m_waitingFor;
    QByteArray m_lastMask; // the last vary-region mask sent from here, offered to child images
    QList<Task> m_offspring; // tasks made from the shown one
    bool m_detailsWanted = true;
    Confirm m_confirm;

    QStackedWidget *m_stack = nullptr;
    QStackedWidget *m_centre = nullptr;
    TileArea *m_area = nullptr;
    std::array<TileWidget *, 4> m_tiles {};
    TileWidget *m_single = nullptr;
    TextResultView *m_text = nullptr;
    QTextBrowser *m_details = nullptr;
    ActionBar *m_bar = nullptr;
    LineageStrip *m_lineage = nullptr;
};

} // namespace tessera::ui
