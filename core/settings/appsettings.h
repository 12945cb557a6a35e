#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>

namespace tessera {

// Typed access to the user's preferences (QSettings in the platform's config location). No secrets.
class AppSettings
{
public:
    AppSettings(); // the application's settings file (call setApplicationIdentity() first)
    explicit AppSettings(const QString &iniPath); // tests

    QString archiveFolder() const; // empty = the default under the data folder
    void setArchiveFolder(const QString &path);

    int defaultConcurrency() const; // per account, when the account sets none
    void setDefaultConcurrency(int n);

    bool notifications() const;
    void setNotifications(bool on);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const; // dock layout
    void setWindowState(const QByteArray &state);

    // Whether the Gallery shows the task's details beside the images (when there is room for them).
    bool galleryDetails() const;
    void setGalleryDetails(bool shown);

    QString lastAccountId() const; // the account last chosen in Compose
    void setLastAccountId(const QString &id);

    void sync() { m_settings.sync(); }

private:
    QSettings m_settings;
};

} // namespace tessera
