// A process that takes a lock file and holds it until it is killed: tests kill it (as a crash would) to
// leave a stale lock behind, which Leases must recognise on every OS. Usage: tessera-lockholder PATH
#include <QCoreApplication>
#include <QLockFile>
#include <QThread>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc != 2)
        return 2;
    QLockFile lock(QString::fromLocal8Bit(argv[1]));
    lock.setStaleLockTime(0);
    if (!lock.tryLock(2000))
        return 1;
    std::puts("locked");
    std::fflush(stdout);
    QThread::sleep(120); // killed long before
    return 0;
}
