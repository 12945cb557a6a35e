#pragma once

#include "model/capabilities.h"
#include "model/operation.h"

#include <QList>
#include <QWidget>

#include <functional>

class QAction;
class QMenu;
class QToolButton;

namespace tessera::ui {

// The Gallery's action bar (PRODUCT.md "Gallery"): U with Subtle/Creative/2x/4x, V with Subtle/Strong,
// Reroll, Pan ←↑→↓, Zoom 1.5x/2x/Custom, Vary Region, Seed, Animate, and for videos Play and Extend.
// Buttons are grouped and the groups wrap onto a second row when the centre is narrow. Every control is
// enabled from the family's answer (ProviderAdapter::availability) and a disabled one's tooltip says why.
// The bar knows nothing of tasks: it asks `availability` about operation templates and emits the
// template of what the user chose; the Gallery fills in the parent and the tile.
class ActionBar : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Images, Video };
    using AvailabilityFn = std::function<Availability(const Operation &templ)>;

    // Zoom factor of the "Custom…" entry: the Gallery asks the user for the factor.
    static const QString kCustomZoom;

    explicit ActionBar(QWidget *parent = nullptr);

    // `tile` is the selection (1..4 on a grid or among videos, 0 for a single image); it only changes
    // the labels ("U3"). Variants are listed as `caps` offers them.
    void refresh(const Capabilities &caps, Mode mode, int tile, bool canView,
                 const AvailabilityFn &availability);

    // Z: opens the zoom menu under its button; false when zoom is not possible (nothing shown).
    bool popupZoomMenu();

    // What the control of `kind` (of `direction`, for pan) offers now, as its button shows it: usable
    // when its click action or any entry of its menu is, else the reason. The main window's menu asks
    // this, so that the menu and the bar never disagree.
    Availability controlAvailability(OperationKind kind, const QString &direction = {}) const;

signals:
    void triggered(const tessera::Operation &templ);
    void viewRequested();
    void playRequested();

private:
    struct Entry
    {
        QAction *action = nullptr;
        Operation templ;
        QString what; // "Upscale image 3"
        QString key; // "U", "Alt+←"
    };
    struct Control
    {
        QToolButton *button = nullptr;
        int main = -1; // index into m_entries of the click action, or -1 for a menu-only button
        QList<int> menu; // entries listed in the button's menu
        QString what;
        QString key;
        Availability shown = Availability::no(QString()); // from the last refresh
    };

    QToolButton *makeButton(const QString &text, const QString &accessible, QWidget *group);
    int addEntry(const Operation &templ, const QString &text);
    Control &addControl(QToolButton *button, int main, const QString &what, const QString &key);
    void setMenuEntries(Control &control, const QList<int> &entries);
    void fillVariantMenu(int controlIndex, OperationKind kind, const QStringList &variants);
    void refreshControl(Control &control);
    static QString tip(const QString &what, const QString &key, const Availability &a);

    QList<Entry> m_entries;
    QList<Control> m_controls;
    QList<Availability> m_state; // per entry, from the last refresh
    QStringList m_upscaleVariants;
    QStringList m_varyVariants;
    int m_upscaleControl = -1;
    int m_varyControl = -1;
    QToolButton *m_upscale = nullptr;
    QToolButton *m_vary = nullptr;
    QToolButton *m_zoom = nullptr;
    QList<QToolButton *> m_imageOnly;
    QList<QToolButton *> m_videoOnly;
    QToolButton *m_view = nullptr;
    QToolButton *m_play = nullptr;
};

} // namespace tessera::ui
