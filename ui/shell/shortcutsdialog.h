#pragma once

#include <QDialog>
#include <QList>
#include <QPair>

namespace tessera::ui {

// The keyboard cheat sheet (F1): every action with its keys.
class ShortcutsDialog : public QDialog
{
    Q_OBJECT
public:
    ShortcutsDialog(const QList<QPair<QString, QString>> &rows, QWidget *parent = nullptr);
};

} // namespace tessera::ui
