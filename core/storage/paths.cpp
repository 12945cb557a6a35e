#include "paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

namespace tessera {

void setApplicationIdentity()
{
    // Organisation left empty: paths become ~/.local/share/tessera, not ~/.local/share/Org/tessera.
    QCoreApplication::setOrganizationName(QString());
    QCoreApplication::setApplicationName(QStringLiteral("tessera"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TESSERA_VERSION));
}

AppPaths AppPaths::standard(const QString &archiveOverride)
{
    AppPaths p;
    p.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    p.databasePath = QDir(p.dataDir).filePath(QStringLiteral("history.sqlite"));
    p.archiveDir
        = archiveOverride.isEmpty() ? QDir(p.dataDir).filePath(QStringLiteral("archive")) : archiveOverride;
    p.cacheDir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    p.demoStateDir = QDir(p.dataDir).filePath(QStringLiteral("demo-server"));
    return p;
}

AppPaths AppPaths::under(const QString &root)
{
    const QDir dir(root);
    AppPaths p;
    p.dataDir = root;
    p.databasePath = dir.filePath(QStringLiteral("history.sqlite"));
    p.archiveDir = dir.filePath(QStringLiteral("archive"));
    p.cacheDir = dir.filePath(QStringLiteral("cache"));
    p.demoStateDir = dir.filePath(QStringLiteral("demo-server"));
    return p;
}

} // namespace tessera
