#pragma once

#include <QCache>
#include <QImage>
#include <QObject>
#include <QPixmap>
#include <QSet>
#include <QSize>
#include <QString>

namespace tessera::ui {

// Images for display, decoded off the GUI thread at (about) the size they are shown, and kept in a
// byte-bounded cache. Ask with pixmap(); when it is not ready yet a null pixmap comes back, loading
// starts on the QtConcurrent pool, and ready(path) is emitted when it can be asked again.
class ImageCache : public QObject
{
    Q_OBJECT
public:
    explicit ImageCache(qint64 maxBytes = 96LL * 1024 * 1024, QObject *parent = nullptr);

    // `maxSize` in device pixels; the image is never scaled up. Empty `path` gives a null pixmap.
    QPixmap pixmap(const QString &path, QSize maxSize);
    bool isLoading(const QString &path) const;
    // Drops every cached size of `path` (the file was replaced).
    void forget(const QString &path);

    // Decodes `path` scaled down to fit `maxSize` (worker-safe, used by the pool).
    static QImage load(const QString &path, QSize maxSize);

signals:
    void ready(const QString &path);

private:
    static int bucket(QSize maxSize);
    static QString key(const QString &path, int bucket);

    QCache<QString, QPixmap> m_cache;
    QSet<QString> m_pending; // keys being loaded
};

} // namespace tessera::ui
