#pragma once

#include "common/hintlistview.h"

#include <QWidget>

class QLineEdit;
class QListView;
class QTimer;

namespace tessera::ui {

class HistoryModel;
class ImageCache;

// The History dock (first version): every task, newest first, with a search over prompts. Selecting a
// task shows it in the Gallery.
class HistoryView : public QWidget
{
    Q_OBJECT
public:
    HistoryView(HistoryModel &model, ImageCache &cache, QWidget *parent = nullptr);

    QLineEdit *searchField() const { return m_search; }
    QListView *listView() const { return m_list; }
    void selectTask(const QString &id);

signals:
    void showRequested(const QString &taskId);

private:
    HistoryModel &m_model;
    QLineEdit *m_search;
    HintListView *m_list;
    QTimer *m_debounce;
};

} // namespace tessera::ui
