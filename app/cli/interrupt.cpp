#include "interrupt.h"

#include <QMetaObject>
#include <QSocketNotifier>

#ifdef Q_OS_WIN
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <atomic>
#include <mutex>
#include <windows.h>
#else
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>
#endif

namespace tessera::cli {

namespace {

#ifdef Q_OS_WIN

std::mutex g_mutex;
InterruptWatcher *g_watcher = nullptr; // guarded by g_mutex
std::atomic_bool g_fired {false};

// Runs on a thread the system creates for the event.
BOOL WINAPI onConsoleEvent(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE;
    const std::lock_guard lock(g_mutex);
    if (!g_watcher || g_fired.exchange(true))
        return FALSE; // nobody listens, or a second interrupt: the default handler ends the process
    QMetaObject::invokeMethod(g_watcher, "deliver", Qt::QueuedConnection);
    return TRUE;
}

#else

int g_pipe[2] = {-1, -1}; // [0] read by the notifier, [1] written by the handler
struct Hook
{
    int signal;
    bool installed = false;
    struct sigaction previous
    {
    };
};
Hook g_hooks[] = {{SIGINT}, {SIGTERM}};

// Async-signal-safe only: sigaction, write, errno.
void onSignal(int signal)
{
    const int savedErrno = errno;
    for (const Hook &hook : g_hooks) {
        if (hook.signal == signal)
            sigaction(signal, &hook.previous, nullptr); // the next one gets the default behaviour
    }
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_pipe[1], &byte, 1);
    errno = savedErrno;
}

bool makePipe()
{
    if (::pipe(g_pipe) != 0)
        return false;
    for (const int fd : g_pipe) {
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return true;
}

void closePipe()
{
    for (int &fd : g_pipe) {
        if (fd != -1)
            ::close(fd);
        fd = -1;
    }
}

#endif

} // namespace

InterruptWatcher::InterruptWatcher(QObject *parent)
    : QObject(parent)
{
#ifdef Q_OS_WIN
    const std::lock_guard lock(g_mutex);
    if (g_watcher)
        return; // one at a time
    g_fired = false;
    m_installed = SetConsoleCtrlHandler(onConsoleEvent, TRUE) != 0;
    if (m_installed)
        g_watcher = this;
#else
    if (g_pipe[0] != -1 || !makePipe())
        return; // one at a time, or no pipe: Ctrl+C keeps its default behaviour
    m_notifier = new QSocketNotifier(static_cast<qintptr>(g_pipe[0]), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        // Only a byte from the handler counts: a wake-up without one (end of file, EINTR) is not a signal.
        bool signalled = false;
        char drain[16];
        ssize_t n = 0;
        while ((n = ::read(g_pipe[0], drain, sizeof drain)) > 0)
            signalled = true;
        if (n == 0)
            m_notifier->setEnabled(false); // the write end is gone; nothing more can arrive
        if (signalled)
            deliver();
    });
    struct sigaction action
    {
    };
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (Hook &hook : g_hooks) {
        // A signal the caller ignores (a background job of a non-interactive shell ignores SIGINT)
        // stays ignored.
        if (sigaction(hook.signal, nullptr, &hook.previous) != 0 || hook.previous.sa_handler == SIG_IGN)
            continue;
        hook.installed = sigaction(hook.signal, &action, nullptr) == 0;
        m_installed = m_installed || hook.installed;
    }
#endif
}

InterruptWatcher::~InterruptWatcher()
{
#ifdef Q_OS_WIN
    if (!m_installed)
        return;
    SetConsoleCtrlHandler(onConsoleEvent, FALSE);
    const std::lock_guard lock(g_mutex);
    g_watcher = nullptr; // an event posted meanwhile dies with this object
#else
    if (!m_notifier)
        return;
    for (Hook &hook : g_hooks) {
        if (hook.installed)
            sigaction(hook.signal, &hook.previous, nullptr);
        hook.installed = false;
    }
    delete m_notifier;
    m_notifier = nullptr;
    closePipe();
#endif
}

void InterruptWatcher::deliver()
{
    if (m_interrupted)
        return;
    m_interrupted = true;
    emit interrupted();
}

} // namespace tessera::cli
