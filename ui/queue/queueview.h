#pragma once

#include "common/hintlistview.h"
#include "model/capabilities.h"
#include "model/task.h"

#include <functional>

#include <QWidget>

class QListView;
class QPushButton;
class QTimer;
class QToolButton;

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
    // "↑ 2 new tasks": shown over the list when tasks arrive at its top while it is scrolled down (they
    // would stay out of sight); a click scrolls up to them. Hidden once the top is in view.
    QToolButton *newTasksHint() const { return m_newHint; }
    // Whether sending a failed task's request again can work (its family's availability on the same
    // parent): Retry is offered only then, its tooltip says why not. Without it Retry is always offered.
    using RetryCheck = std::function<Availability(const Task &task)>;
    void setRetryCheck(RetryCheck check);
    // Whether "Check again" can ask about an unfinished task (TaskEngine::checkAvailability: kolersky
    // allows 60 checks per task in all); without it, offered for every unfinished task with an id.
    void setCheckCheck(RetryCheck check);
    // What Cancel will do to the task (ProviderAdapter::cancelAvailability): its tooltip says when the
    // provider cannot cancel or will likely refuse.
    void setCancelCheck(RetryCheck check);

signals:
    void showRequested(const QString &taskId);
    void cancelRequested(const QString &taskId);
    void checkRequested(const QString &taskId);
    void retryRequested(const QString &taskId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refreshButtons();
    void placeNewHint();

    TaskListModel &m_model;
    HintListView *m_list;
    QPushButton *m_cancel;
    QPushButton *m_check;
    QPushButton *m_retry;
    QTimer *m_tick;
    QToolButton *m_newHint;
    int m_newCount = 0;
    RetryCheck m_retryCheck;
    RetryCheck m_checkCheck;
    RetryCheck m_cancelCheck;
    // The last answer, for the task and state it was asked about (progress repaints ask again often).
    QString m_retryAskedFor;
    Availability m_retryAnswer;
};

} // namespace tessera::ui
