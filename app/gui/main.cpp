// tessera: composition root of the desktop application. Builds the core over the standard data
// locations, resumes what was under way, and opens the main window.
#include "appcore.h"
#include "common/mainwindow.h"
#include "settings/appsettings.h"
#include "storage/paths.h"

#include <QApplication>
#include <QIcon>
#include <QMessageBox>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    tessera::setApplicationIdentity();
    QApplication::setApplicationDisplayName(QStringLiteral("Tessera"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tessera-256.png")));
    QApplication::setDesktopFileName(QStringLiteral("tessera"));

    tessera::AppSettings settings;
    tessera::AppCore::Options options;
    options.paths = tessera::AppPaths::standard(settings.archiveFolder());
    options.engine.defaultConcurrency = settings.defaultConcurrency();
    auto core = tessera::AppCore::open(options);
    if (!core) {
        QMessageBox::critical(nullptr, QObject::tr("Tessera cannot start"),
                              QObject::tr("Tessera could not open its history:\n\n%1\n\nNothing was changed.")
                                  .arg(core.error().message));
        return 3;
    }
    (*core)->engine().resume(); // tasks that were under way when Tessera last stopped
    (*core)->engine().recheckUnfinished(); // and those that ran out of status checks: ask once more

    tessera::ui::MainWindow window(**core, settings);
    window.show();
    return QApplication::exec();
}
