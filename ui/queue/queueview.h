#pragma once

#include "common/hintlistview.h"

#include <QWidget>

class QListView;
class QPushButton;
class QTimer;

namespace tessera::ui {

class ImageCache;
class TaskListModel;

// The Queue dock: tasks under way and those finished in this session, newest first, with Cancel for
// running ones, Check again for unfinished ones and Retry for failed ones. Selecting a row shows the
// task in the Gallery.
class QueueView : public QWidget
{
    Q_OBJECT
public:
    QueueView(TaskListModel &model, ImageCache &cache, QWidget *parent = nullptr);

    QString currentTaskId() const;
    void selectTask(const QString &id);
    QListView *listView() const { return m_list; }

signals:
    void showRequested(const QString &taskId);
    void cancelRequested(const QString &taskId);
    void checkRequested(const QString &taskId);
    void retryRequested(const QString &taskId);

private:
    void refreshButtons();

    TaskListModel &m_model;
    HintListView *m_list;
    QPushButton *m_cancel;
    QPushButton *m_check;
    QPushButton *m_retry;
    QTimer *m_tick;
};

} // namespace tessera::ui
