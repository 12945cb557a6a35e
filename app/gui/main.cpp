// tessera: composition root of the desktop application. Builds the core over the standard data
// locations, resumes what was under way, and opens the main window.
//
// `tessera --measure-startup` prints the time from the start of the process to the first painted main
// window and exits (issue 6: cold start ≤ 400 ms; the README's "History at scale" has the figures).
#include "appcore.h"
#include "settings/appsettings.h"
#include "shell/mainwindow.h"
#include "storage/paths.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QIcon>
#include <QMessageBox>
#include <QTimer>

#include <cstdio>
#include <optional>

#ifdef Q_OS_LINUX
#include <ctime>
#include <unistd.h>
#endif

namespace {

// How long the process ran before main(): loading and relocating the libraries, static initialisers.
// Linux gives the start time in clock ticks since boot (/proc/self/stat, field 22), 10 ms steps;
// elsewhere nothing is known.
std::optional<qint64> msBeforeMain()
{
#ifdef Q_OS_LINUX
    timespec now {};
    if (clock_gettime(CLOCK_BOOTTIME, &now) != 0)
        return std::nullopt;
    QFile stat(QStringLiteral("/proc/self/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray line = stat.readAll();
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 20)
        return std::nullopt;
    bool ok = false;
    const qint64 startTicks = fields.at(19).toLongLong(&ok); // field 22 of the whole line
    const long ticksPerSecond = sysconf(_SC_CLK_TCK);
    if (!ok || ticksPerSecond <= 0)
        return std::nullopt;
    const qint64 nowMs = qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
    return std::max<qint64>(0, nowMs - startTicks * 1000 / ticksPerSecond);
#else
    return std::nullopt;
#endif
}

// Waits for the first paint of `window` (any widget in it), lets that paint finish, prints the time and
// quits the event loop.
class StartupProbe : public QObject
{
public:
    StartupProbe(QWidget *window, const QElapsedTimer &sinceMain, std::optional<qint64> beforeMain)
        : m_window(window)
        , m_sinceMain(sinceMain)
        , m_beforeMain(beforeMain)
    {
        qApp->installEventFilter(this);
        // Offscreen and under xvfb the first paint comes within a second; a window that never paints is
        // a failure to report, not a hang.
        QTimer::singleShot(60'000, this, [] {
            std::fputs("startup: no paint of the main window within 60 s\n", stderr);
            QCoreApplication::exit(1);
        });
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_seen && watched->isWidgetType()
            && static_cast<QWidget *>(watched)->window() == m_window) {
            m_seen = true;
            qApp->removeEventFilter(this);
            // Queued: runs once the whole paint (every widget of this update, then the flush) is done.
            QTimer::singleShot(0, this, [this] { report(); });
        }
        return false;
    }

private:
    void report()
    {
        const qint64 inMain = m_sinceMain.elapsed();
        if (m_beforeMain) {
            std::printf("startup: %lld ms (first paint; %lld ms before main)\n",
                        static_cast<long long>(inMain + *m_beforeMain),
                        static_cast<long long>(*m_beforeMain));
        } else {
            std::printf("startup: %lld ms (first paint, from main)\n", static_cast<long long>(inMain));
        }
        std::fflush(stdout);
        QCoreApplication::exit(0);
    }

    QWidget *m_window;
    const QElapsedTimer &m_sinceMain;
    std::optional<qint64> m_beforeMain;
    bool m_seen = false;
};

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceMain; // first thing: the application's own share of the start
    sinceMain.start();
    const std::optional<qint64> beforeMain = msBeforeMain();

    QApplication app(argc, argv);
    tessera::setApplicationIdentity();
    QApplication::setApplicationDisplayName(QStringLiteral("Tessera"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tessera-256.png")));
    QApplication::setDesktopFileName(QStringLiteral("tessera"));
    const bool measureStartup = QCoreApplication::arguments().contains(QStringLiteral("--measure-startup"));

    tessera::AppSettings settings;
    tessera::AppCore::Options options;
    options.paths = tessera::AppPaths::standard(settings.archiveFolder());
    options.engine.defaultConcurrency = settings.defaultConcurrency();
    auto core = tessera::AppCore::open(options);
    if (!core) {
        if (measureStartup) {
            std::fprintf(stderr, "startup: %s\n", qPrintable(core.error().message));
            return 3;
        }
        QMessageBox::critical(nullptr, QObject::tr("Tessera cannot start"),
                              QObject::tr("Tessera could not open its history:\n\n%1\n\nNothing was changed.")
                                  .arg(core.error().message));
        return 3;
    }
    (*core)->resumeWork(); // tasks under way when Tessera last stopped, and those out of status checks

    tessera::ui::MainWindow window(**core, settings);
    std::optional<StartupProbe> probe;
    if (measureStartup)
        probe.emplace(&window, sinceMain, beforeMain);
    window.show();
    return QApplication::exec();
}
