#pragma once

#include <QString>

namespace tessera {

// Names the application identity (so that the GUI and the CLI find the same data) and the standard
// locations: on Linux $XDG_DATA_HOME/tessera, $XDG_CONFIG_HOME/tessera, $XDG_CACHE_HOME/tessera.
void setApplicationIdentity();

struct AppPaths
{
    QString dataDir; // database and demo server state
    QString databasePath;
    QString archiveDir; // images; a setting may move it
    QString cacheDir; // thumbnails
    QString demoStateDir; // the offline demo backend's own job records

    // Locations from QStandardPaths (call setApplicationIdentity() first). `archiveOverride` replaces
    // the default archive folder when not empty.
    static AppPaths standard(const QString &archiveOverride = {});
    // Everything below one folder (tests).
    static AppPaths under(const QString &root);
};

} // namespace tessera
