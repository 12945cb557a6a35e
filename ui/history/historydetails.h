#pragma once

#include "model/task.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

#include <optional>

class QTextBrowser;

namespace tessera {
class HistoryStore;
class ImageArchive;
} // namespace tessera

namespace tessera::ui {

// The history's details pane: the prompt, every parameter of the operation, family and account,
// remote ids, the seed when known, timings, the error in the vendor's words, the images with their
// state — and the lineage: the parent (with the tile the task came from) and every child (with the
// tile it used), each one click away (taskLinkActivated).
class HistoryDetails : public QWidget
{
    Q_OBJECT
public:
    HistoryDetails(HistoryStore &store, const ImageArchive &archive, QWidget *parent = nullptr);

    void showTask(const std::optional<Task> &task);
    const std::optional<Task> &task() const { return m_task; }
    void setAccounts(const QHash<QString, QString> &names, const QHash<QString, QString> &families);

    // The ids the lineage links lead to: the parent first (when there is one), then the children.
    QString parentId() const { return m_parentId; }
    QStringList childIds() const { return m_childIds; }
    QTextBrowser *browser() const { return m_text; }

signals:
    void taskLinkActivated(const QString &taskId);

private:
    QString html(const Task &task);

    HistoryStore &m_store;
    const ImageArchive &m_archive;
    QTextBrowser *m_text;
    std::optional<Task> m_task;
    QString m_parentId;
    QStringList m_childIds;
    QHash<QString, QString> m_accountNames;
    QHash<QString, QString> m_families;
};

} // namespace tessera::ui
