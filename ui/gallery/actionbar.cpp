#include "actionbar.h"

#include "common/flowlayout.h"

#include <QAction>
#include <QHBoxLayout>
#include <QMenu>
#include <QToolButton>

namespace tessera::ui {

const QString ActionBar::kCustomZoom = QStringLiteral("custom");

namespace {

// What availability is asked about for "Custom…": a factor that is neither 1.5 nor 2, so that families
// with a separate custom zoom (midjourney-proxy's CustomZoom button) answer for that one.
const QString kCustomZoomProbe = QStringLiteral("1.25");

QString variantLabel(const QString &variant)
{
    if (variant == QLatin1String("subtle"))
        return ActionBar::tr("Subtle");
    if (variant == QLatin1String("creative"))
        return ActionBar::tr("Creative");
    if (variant == QLatin1String("strong"))
        return ActionBar::tr("Strong");
    return variant; // "2x", "4x"
}

Operation templ(OperationKind kind)
{
    Operation op;
    op.kind = kind;
    return op;
}

} // namespace

ActionBar::ActionBar(QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(tr("Actions"));
    auto *flow = new FlowLayout(this, 12);
    const auto group = [this, flow] {
        auto *w = new QWidget(this);
        auto *row = new QHBoxLayout(w);
        row->setContentsMargins(0, 0, 0, 0);
        row->setSpacing(3);
        flow->addWidget(w);
        return w;
    };

    // U, V, Reroll: the grid's own actions.
    QWidget *grid = group();
    m_upscale = makeButton(tr("U"), tr("Upscale"), grid);
    m_upscaleControl = static_cast<int>(m_controls.size());
    addControl(m_upscale, addEntry(templ(OperationKind::Upscale), tr("Upscale")), tr("Upscale"),
               QStringLiteral("U"));
    m_vary = makeButton(tr("V"), tr("Vary"), grid);
    m_varyControl = static_cast<int>(m_controls.size());
    addControl(m_vary, addEntry(templ(OperationKind::Vary), tr("Vary")), tr("Make variations"),
               QStringLiteral("V"));
    QToolButton *reroll = makeButton(tr("↻"), tr("Reroll"), grid);
    addControl(reroll, addEntry(templ(OperationKind::Reroll), tr("Reroll")), tr("Run the prompt again"),
               QStringLiteral("R"));
    m_imageOnly << m_upscale << m_vary;

    // Pan and zoom: they extend the picture beyond its edges.
    QWidget *extend = group();
    const struct
    {
        const char *direction;
        QString arrow;
        QString name;
        QString key;
    } pans[] = {{"left", QStringLiteral("←"), tr("Pan left"), tr("Alt+←")},
                {"up", QStringLiteral("↑"), tr("Pan up"), tr("Alt+↑")},
                {"right", QStringLiteral("→"), tr("Pan right"), tr("Alt+→")},
                {"down", QStringLiteral("↓"), tr("Pan down"), tr("Alt+↓")}};
    for (const auto &pan : pans) {
        Operation op = templ(OperationKind::Pan);
        op.direction = QLatin1String(pan.direction);
        QToolButton *b = makeButton(pan.arrow, pan.name, extend);
        b->setMinimumWidth(28);
        addControl(b, addEntry(op, pan.name), pan.name, pan.key);
        m_imageOnly << b;
    }
    m_zoom = makeButton(tr("Zoom ▾"), tr("Zoom out"), extend);
    m_zoom->setPopupMode(QToolButton::InstantPopup);
    Control &zoom = addControl(m_zoom, -1, tr("Zoom out"), QStringLiteral("Z"));
    QList<int> zooms;
    for (const auto &[factor, text] :
         {std::pair {QStringLiteral("1.5"), tr("Zoom Out 1.5x")},
          std::pair {QStringLiteral("2"), tr("Zoom Out 2x")}, std::pair {kCustomZoom, tr("Custom Zoom…")}}) {
        Operation op = templ(OperationKind::Zoom);
        op.zoomFactor = factor;
        zooms << addEntry(op, text);
    }
    setMenuEntries(zoom, zooms);
    QToolButton *region = makeButton(tr("Region"), tr("Vary region"), extend);
    addControl(region, addEntry(templ(OperationKind::Inpaint), tr("Vary Region…")),
               tr("Vary region: repaint a masked part"), QStringLiteral("E"));
    m_imageOnly << m_zoom << region;

    // Seed and Animate: less frequent, kept together.
    QWidget *more = group();
    QToolButton *seed = makeButton(tr("Seed"), tr("Seed"), more);
    addControl(seed, addEntry(templ(OperationKind::Seed), tr("Seed")), tr("Ask for the seed"), QString());
    QToolButton *animate = makeButton(tr("Animate ▾"), tr("Animate"), more);
    animate->setPopupMode(QToolButton::InstantPopup);
    Control &anim = addControl(animate, -1, tr("Animate into a video"), QString());
    QList<int> motions;
    for (const auto &[motion, text] : {std::pair {QStringLiteral("low"), tr("Animate (low motion)")},
                                       std::pair {QStringLiteral("high"), tr("Animate (high motion)")}}) {
        Operation op = templ(OperationKind::Animate);
        op.motion = motion;
        motions << addEntry(op, text);
    }
    setMenuEntries(anim, motions);
    m_view = makeButton(tr("View"), tr("View full size"), more);
    m_view->setToolTip(tr("Open the selected image at full size (Space)"));
    connect(m_view, &QToolButton::clicked, this, &ActionBar::viewRequested);
    m_imageOnly << seed << animate << m_view;

    // Videos: play in the system player, extend (kie).
    QWidget *video = group();
    m_play = makeButton(tr("▶ Play"), tr("Play video"), video);
    m_play->setToolTip(tr("Open the selected video in the system player (Space)"));
    connect(m_play, &QToolButton::clicked, this, &ActionBar::playRequested);
    QToolButton *extendVideo = makeButton(tr("Extend ▾"), tr("Extend video"), video);
    extendVideo->setPopupMode(QToolButton::InstantPopup);
    Control &ext = addControl(extendVideo, -1, tr("Extend the video"), QString());
    QList<int> extends;
    for (const auto &[variant, text] : {std::pair {QStringLiteral("auto"), tr("Extend automatically")},
                                        std::pair {QStringLiteral("manual"), tr("Extend with a prompt…")}}) {
        Operation op = templ(OperationKind::VideoExtend);
        op.variant = variant;
        extends << addEntry(op, text);
    }
    setMenuEntries(ext, extends);
    m_videoOnly << m_play << extendVideo;

    // Menu-only buttons carry their "▾" in the text; the style's small corner arrow would overlap it.
    for (QToolButton *b : {m_zoom, animate, extendVideo})
        b->setStyleSheet(QStringLiteral("QToolButton::menu-indicator { image: none; width: 0px; }"));
}

QToolButton *ActionBar::makeButton(const QString &text, const QString &accessible, QWidget *group)
{
    auto *b = new QToolButton(group);
    b->setText(text);
    b->setAccessibleName(accessible);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setFocusPolicy(Qt::NoFocus); // keys go to the Gallery, which acts on the selection
    b->setMinimumHeight(28);
    group->layout()->addWidget(b);
    return b;
}

int ActionBar::addEntry(const Operation &op, const QString &text)
{
    auto *action = new QAction(text, this);
    const int index = static_cast<int>(m_entries.size());
    m_entries.append({action, op, text, QString()});
    m_state.append(Availability::no(QString()));
    connect(action, &QAction::triggered, this, [this, index] { emit triggered(m_entries.at(index).templ); });
    return index;
}

ActionBar::Control &ActionBar::addControl(QToolButton *button, int main, const QString &what,
                                          const QString &key)
{
    m_controls.append({button, main, {}, what, key});
    const int index = static_cast<int>(m_controls.size()) - 1;
    if (main >= 0) {
        connect(button, &QToolButton::clicked, this, [this, index] {
            const Control &c = m_controls.at(index);
            if (m_state.at(c.main).enabled)
                emit triggered(m_entries.at(c.main).templ);
            else if (!c.menu.isEmpty())
                c.button->showMenu(); // only variants are possible here (e.g. on an upscale)
        });
    }
    return m_controls.last();
}

void ActionBar::setMenuEntries(Control &control, const QList<int> &entries)
{
    control.menu = entries;
    QMenu *menu = control.button->menu();
    if (!menu) {
        menu = new QMenu(control.button);
        menu->setToolTipsVisible(true); // a disabled entry says why
        control.button->setMenu(menu);
    }
    menu->clear();
    for (int i : entries)
        menu->addAction(m_entries.at(i).action);
    if (control.main >= 0)
        control.button->setPopupMode(entries.isEmpty() ? QToolButton::DelayedPopup
                                                       : QToolButton::MenuButtonPopup);
    if (entries.isEmpty()) {
        control.button->setMenu(nullptr);
        menu->deleteLater();
    }
}

void ActionBar::fillVariantMenu(int controlIndex, OperationKind kind, const QStringList &variants)
{
    QList<int> entries;
    for (const QString &variant : variants) {
        int found = -1;
        for (int i = 0; i < m_entries.size(); ++i) {
            if (m_entries.at(i).templ.kind == kind && m_entries.at(i).templ.variant == variant)
                found = i;
        }
        if (found < 0) {
            Operation op = templ(kind);
            op.variant = variant;
            found = addEntry(op,
                             kind == OperationKind::Upscale ? tr("Upscale (%1)").arg(variantLabel(variant))
                                                            : tr("Vary (%1)").arg(variantLabel(variant)));
        }
        entries << found;
    }
    setMenuEntries(m_controls[controlIndex], entries);
}

QString ActionBar::tip(const QString &what, const QString &key, const Availability &a)
{
    const QString head = key.isEmpty() ? what : tr("%1 (%2)").arg(what, key);
    if (!a.enabled)
        return tr("%1 — %2").arg(head, a.reason);
    return a.caveat.isEmpty() ? head : tr("%1 — note: %2").arg(head, a.caveat);
}

void ActionBar::refresh(const Capabilities &caps, Mode mode, int tile, bool canView,
                        const AvailabilityFn &availability)
{
    if (caps.upscaleVariants != m_upscaleVariants) {
        m_upscaleVariants = caps.upscaleVariants;
        fillVariantMenu(m_upscaleControl, OperationKind::Upscale, m_upscaleVariants);
    }
    if (caps.varyVariants != m_varyVariants) {
        m_varyVariants = caps.varyVariants;
        fillVariantMenu(m_varyControl, OperationKind::Vary, m_varyVariants);
    }
    for (int i = 0; i < m_entries.size(); ++i) {
        Entry &e = m_entries[i];
        Operation probe = e.templ;
        if (probe.kind == OperationKind::Zoom && probe.zoomFactor == kCustomZoom)
            probe.zoomFactor = kCustomZoomProbe;
        const Availability a = availability(probe);
        m_state[i] = a;
        e.action->setEnabled(a.enabled);
        e.action->setToolTip(tip(e.what, QString(), a));
    }
    const QString n = tile > 0 ? QString::number(tile) : QString();
    m_upscale->setText(tr("U%1").arg(n));
    m_vary->setText(tr("V%1").arg(n));
    m_controls[m_upscaleControl].what = tile > 0 ? tr("Upscale image %1").arg(tile) : tr("Upscale");
    m_controls[m_varyControl].what
        = tile > 0 ? tr("Make variations of image %1").arg(tile) : tr("Make variations");
    for (Control &c : m_controls)
        refreshControl(c);
    for (QToolButton *b : std::as_const(m_imageOnly))
        b->setVisible(mode == Mode::Images);
    for (QToolButton *b : std::as_const(m_videoOnly))
        b->setVisible(mode == Mode::Video);
    for (QWidget *group : findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly)) {
        bool any = false;
        for (QToolButton *b : group->findChildren<QToolButton *>())
            any = any || !b->isHidden();
        group->setVisible(any);
    }
    m_view->setEnabled(canView);
    m_play->setEnabled(canView);
    updateGeometry();
}

void ActionBar::refreshControl(Control &control)
{
    // The button is usable when its click action or any entry of its menu is; its tooltip gives the
    // click action's reason, or the first entry's when every entry is disabled.
    bool anyMenu = false;
    for (int i : std::as_const(control.menu))
        anyMenu = anyMenu || m_state.at(i).enabled;
    Availability shown;
    if (control.main >= 0) {
        shown = m_state.at(control.main);
        if (!shown.enabled && anyMenu)
            shown.reason += tr("; the ▾ menu has what is possible");
    } else if (!control.menu.isEmpty()) {
        shown = anyMenu ? Availability::yes() : m_state.at(control.menu.first());
    }
    control.button->setEnabled(shown.enabled || anyMenu);
    control.button->setToolTip(tip(control.what, control.key, shown));
    control.shown = shown.enabled || anyMenu ? Availability::yes() : shown;
}

Availability ActionBar::controlAvailability(OperationKind kind, const QString &direction) const
{
    for (const Control &c : m_controls) {
        const int first = c.main >= 0 ? c.main : (c.menu.isEmpty() ? -1 : c.menu.first());
        if (first < 0)
            continue;
        const Operation &templ = m_entries.at(first).templ;
        if (templ.kind == kind && (direction.isEmpty() || templ.direction == direction))
            return c.shown;
    }
    return Availability::no(tr("Not offered here"));
}

bool ActionBar::popupZoomMenu()
{
    if (!m_zoom->isEnabled() || m_zoom->isHidden())
        return false;
    m_zoom->showMenu();
    return true;
}

} // namespace tessera::ui
