#pragma once

#include <QScreen>
#include <QSize>
#include <QWidget>

namespace tessera::ui {

// Resizes a dialog to `preferred`, but never larger than `share` of the free area of the screen it
// opens on (its parent's, when it has one): a 1024 × 640 laptop keeps every button in reach.
inline void resizeWithinScreen(QWidget *dialog, QSize preferred, QWidget *parent, double share = 0.9)
{
    if (const QScreen *screen = parent ? parent->screen() : dialog->screen())
        preferred = preferred.boundedTo(screen->availableGeometry().size() * share);
    dialog->resize(preferred);
}

} // namespace tessera::ui
