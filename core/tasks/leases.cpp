#include "leases.h"

#include "logging.h"
#include "model/clock.h"
#include "storage/historystore.h"

#include <QDir>
#include <QMutex>
#include <QSet>
#include <QSysInfo>
#include <QUuid>

namespace tessera {

namespace {

// Owners of this process: alive whatever their lock files say (a second engine in the same process, as
// tests and the CLI's helpers make).
QMutex g_mutex;
QSet<QString> g_ownersHere;

QString lockName(const QString &owner)
{
    const QString uuid = owner.section(QLatin1Char('|'), -1);
    if (QUuid::fromString(uuid).isNull())
        return {};
    return uuid + QStringLiteral(".lock");
}

} // namespace

Leases::Leases(HistoryStore &store, Clock &clock, const QString &lockDir, int leaseMs)
    : m_store(store)
    , m_clock(clock)
    , m_lockDir(lockDir)
    , m_leaseMs(leaseMs)
{
    const QString host = QSysInfo::machineHostName().remove(QLatin1Char('|'));
    m_owner = host + QLatin1Char('|') + QUuid::createUuid().toString(QUuid::WithoutBraces);
    {
        const QMutexLocker locker(&g_mutex);
        g_ownersHere.insert(m_owner);
    }
    if (m_lockDir.isEmpty() || !QDir().mkpath(m_lockDir)) {
        qCWarning(lcTasks) << "no folder for lease locks at" << m_lockDir
                           << "- a crashed process's tasks wait for their leases to run out";
        return;
    }
    m_lock = std::make_unique<QLockFile>(QDir(m_lockDir).filePath(lockName(m_owner)));
    m_lock->setStaleLockTime(0); // held for the engine's whole life: only a dead process makes it stale
    if (!m_lock->tryLock(0)) {
        qCWarning(lcTasks) << "cannot take the lease lock" << m_lock->error();
        m_lock.reset();
    }
}

Leases::~Leases()
{
    if (m_lock) {
        m_lock->unlock(); // removes the file
        m_lock.reset();
    }
    const QMutexLocker locker(&g_mutex);
    g_ownersHere.remove(m_owner);
}

qint64 Leases::until() const
{
    return m_clock.nowMs() + m_leaseMs;
}

bool Leases::isDead(const QString &owner) const
{
    if (owner == m_owner || m_lockDir.isEmpty())
        return false;
    {
        const QMutexLocker locker(&g_mutex);
        if (g_ownersHere.contains(owner))
            return false;
    }
    const QString name = lockName(owner);
    if (name.isEmpty())
        return false;
    const QString path = QDir(m_lockDir).filePath(name);
    if (!QFileInfo::exists(path))
        return false; // released properly (its leases are gone too), or not judged from here
    QLockFile other(path);
    other.setStaleLockTime(0);
    if (!other.tryLock(0))
        return false; // held by a live process
    // Stale: the process that held it is gone. Taken (and removed at once) to say so.
    other.unlock();
    return true;
}

void Leases::releaseDead(const QStringList &owners)
{
    for (const QString &owner : owners) {
        if (!isDead(owner))
            continue;
        qCInfo(lcTasks) << "the process" << owner
                        << "has ended without releasing its tasks; taking them over";
        if (const Status s = m_store.releaseAllLeases(owner); !s)
            qCWarning(lcTasks) << "could not release the leases of" << owner << s.error().message;
    }
}

Result<QList<Task>> Leases::claimOrphans(const QString &taskId)
{
    const qint64 now = m_clock.nowMs();
    if (!taskId.isEmpty()) {
        if (const auto holder = m_store.leaseHolder(taskId, now); holder && !holder->isEmpty())
            releaseDead({*holder});
    } else if (const auto owners = m_store.leaseOwners(now); owners) {
        releaseDead(*owners);
    }
    return m_store.claimOrphans(m_owner, now, now + m_leaseMs, taskId);
}

bool Leases::claim(const QString &taskId)
{
    const qint64 now = m_clock.nowMs();
    if (const auto holder = m_store.leaseHolder(taskId, now);
        holder && !holder->isEmpty() && *holder != m_owner)
        releaseDead({*holder});
    return m_store.claimTask(taskId, m_owner, now, now + m_leaseMs).valueOr(false);
}

void Leases::renew()
{
    if (const Status s = m_store.renewLeases(m_owner, until()); !s)
        qCWarning(lcTasks) << "could not renew task leases:" << s.error().message;
}

void Leases::release(const QString &taskId)
{
    if (const Status s = m_store.releaseLease(taskId, m_owner); !s)
        qCWarning(lcTasks) << "could not release the lease of" << taskId << s.error().message;
}

void Leases::releaseAll()
{
    if (const Status s = m_store.releaseAllLeases(m_owner); !s)
        qCWarning(lcTasks) << "could not release task leases:" << s.error().message;
}

} // namespace tessera
