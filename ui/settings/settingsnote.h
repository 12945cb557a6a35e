#pragma once

#include <QLabel>
#include <QPalette>

namespace tessera::ui {

// The quiet explanation under a settings field: wrapped, in the palette's placeholder colour.
inline QLabel *settingsNote(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

} // namespace tessera::ui
