#pragma once

#include <QDialog>
#include <QList>
#include <QString>

class QLineEdit;
class QTreeWidget;

namespace tessera::ui {

// The keyboard cheat sheet (F1): every action with its keys, grouped by where they work (the window,
// Compose, the Gallery, the viewer, the Queue, the History, the mask editor), with a search field that
// keeps the rows whose action or keys contain what is typed.
class ShortcutsDialog : public QDialog
{
    Q_OBJECT
public:
    struct Row
    {
        QString area; // "Gallery", "Mask editor", …
        QString action;
        QString keys;
    };

    ShortcutsDialog(const QList<Row> &rows, QWidget *parent = nullptr);

    QLineEdit *searchField() const { return m_search; }
    // The rows shown now (after the search), as "area / action / keys" (tests).
    QStringList shownRows() const;

private:
    void filter(const QString &text);

    QLineEdit *m_search;
    QTreeWidget *m_tree;
};

} // namespace tessera::ui
