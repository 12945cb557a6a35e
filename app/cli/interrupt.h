#pragma once

#include <QObject>

class QSocketNotifier;

namespace tessera::cli {

// Turns Ctrl+C into a Qt signal so that a command blocked in an event loop (`--wait`, `wait`) can leave
// it and end normally: the engine's destructor then releases its task leases, and another process
// (`tessera-cli wait ID`, the GUI) can take the task over at once instead of after the lease runs out.
//
// Unix: SIGINT and SIGTERM; the handler only writes one byte to a pipe (async-signal-safe), and a
// QSocketNotifier on the other end emits interrupted() from the event loop of the creating thread.
// Windows: SetConsoleCtrlHandler for Ctrl+C and Ctrl+Break; the handler thread posts interrupted() to the
// creating thread. Closing the console window keeps the default behaviour.
//
// Only while an instance lives: the previous handlers are restored by its destructor. After the first
// interrupt the default behaviour is back, so a second Ctrl+C ends the process at once if the orderly
// way out hangs. At most one instance at a time; create and destroy it on one thread.
class InterruptWatcher final : public QObject
{
    Q_OBJECT
public:
    explicit InterruptWatcher(QObject *parent = nullptr);
    ~InterruptWatcher() override;

    InterruptWatcher(const InterruptWatcher &) = delete;
    InterruptWatcher &operator=(const InterruptWatcher &) = delete;

    // False when the handlers could not be installed (then Ctrl+C keeps its default behaviour).
    bool isInstalled() const { return m_installed; }
    bool wasInterrupted() const { return m_interrupted; }

signals:
    // Emitted once, from the event loop, for the first interrupt.
    void interrupted();

private slots:
    void deliver(); // on the creating thread; also invoked by name from the Windows handler thread

private:
    bool m_installed = false;
    bool m_interrupted = false;
    QSocketNotifier *m_notifier = nullptr; // Unix only
};

} // namespace tessera::cli
