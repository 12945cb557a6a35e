#include "appsettings.h"

#include <QDir>
#include <QStandardPaths>

#include <algorithm>

namespace tessera {

namespace {
constexpr int kDefaultConcurrency = 3;
}

namespace {

// One INI file in the platform's config folder ($XDG_CONFIG_HOME/tessera/settings.ini on Linux),
// whatever the organisation fields say; the same format everywhere, readable by people.
QString defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
        .filePath(QStringLiteral("settings.ini"));
}

} // namespace

AppSettings::AppSettings()
    : m_settings(defaultPath(), QSettings::IniFormat)
{ }

AppSettings::AppSettings(const QString &iniPath)
    : m_settings(iniPath, QSettings::IniFormat)
{ }

QString AppSettings::archiveFolder() const
{
    return m_settings.value(QStringLiteral("archive/folder")).toString();
}

void AppSettings::setArchiveFolder(const QString &path)
{
    m_settings.setValue(QStringLiteral("archive/folder"), path);
}

int AppSettings::defaultConcurrency() const
{
    return std::clamp(m_settings.value(QStringLiteral("tasks/concurrency"), kDefaultConcurrency).toInt(), 1,
                      32);
}

void AppSettings::setDefaultConcurrency(int n)
{
    m_settings.setValue(QStringLiteral("tasks/concurrency"), std::clamp(n, 1, 32));
}

bool AppSettings::notifications() const
{
    return m_settings.value(QStringLiteral("ui/notifications"), true).toBool();
}

void AppSettings::setNotifications(bool on)
{
    m_settings.setValue(QStringLiteral("ui/notifications"), on);
}

QByteArray AppSettings::windowGeometry() const
{
    return m_settings.value(QStringLiteral("window/geometry")).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(QStringLiteral("window/geometry"), geometry);
}

QByteArray AppSettings::windowState() const
{
    return m_settings.value(QStringLiteral("window/state")).toByteArray();
}

void AppSettings::setWindowState(const QByteArray &state)
{
    m_settings.setValue(QStringLiteral("window/state"), state);
}

bool AppSettings::galleryDetails() const
{
    return m_settings.value(QStringLiteral("gallery/details"), true).toBool();
}

void AppSettings::setGalleryDetails(bool shown)
{
    m_settings.setValue(QStringLiteral("gallery/details"), shown);
}

QString AppSettings::lastAccountId() const
{
    return m_settings.value(QStringLiteral("compose/account")).toString();
}

void AppSettings::setLastAccountId(const QString &id)
{
    m_settings.setValue(QStringLiteral("compose/account"), id);
}

} // namespace tessera
