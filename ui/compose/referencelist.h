#pragma once

#include <QImage>
#include <QStringList>
#include <QWidget>

class QLabel;
class QListWidget;
class QListWidgetItem;
class QMimeData;
class QPushButton;

namespace tessera::ui {

// Compose's reference images: files added with a button, dropped, or pasted (files, image data or
// URLs), and URLs typed in. Local files and pasted images become data URLs (resolveReference, read on
// the QtConcurrent pool so the window never waits for a disk); http(s) and data URLs are kept as they
// are. Families that take only URLs refuse local images here, saying so.
class ReferenceList : public QWidget
{
    Q_OBJECT
public:
    explicit ReferenceList(QWidget *parent = nullptr);

    // How many images the task type takes, and the hint shown under the list ("2–5 images").
    void setLimits(int minimum, int maximum);
    int minimum() const { return m_min; }
    int maximum() const { return m_max; }
    // Whether local files may be added; `why` explains when not ("kie takes image URLs…").
    void setLocalFilesAccepted(bool accepted, const QString &why);

    QStringList references() const; // resolved, in order; pending ones are left out
    QStringList names() const; // how each of references() was named: file name, URL's last part
    int count() const;
    int pendingCount() const;
    QListWidget *listWidget() const { return m_list; }

    // A local path, a file:// URL, an http(s) URL or a data: URL.
    void addReference(const QString &fileOrUrl);
    void addImage(const QImage &image); // pasted image data
    bool addMime(const QMimeData *mime); // dropped or pasted; false when nothing usable was in it
    void clear();

signals:
    void changed(); // an entry was added, resolved or removed
    void problem(const QString &message); // for the inline error line: the field is named

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // Adds an entry being read and returns its id, which finish() is given when the pool is done.
    int addPending(const QString &label, const QString &source);
    bool roomForMore();
    void finish(int id, const QString &reference, const QImage &thumb, const QString &error);
    void askUrl();
    void removeSelected();
    void refreshHint();

    QListWidget *m_list;
    QPushButton *m_addFiles;
    QPushButton *m_addUrl;
    QPushButton *m_remove;
    QLabel *m_hint;
    int m_min = 0;
    int m_max = 5;
    bool m_localAccepted = true;
    QString m_localRefusal;
};

} // namespace tessera::ui
