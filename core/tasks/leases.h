#pragma once

#include "model/result.h"

#include <QLockFile>
#include <QString>
#include <QStringList>

#include <memory>

namespace tessera {

class Clock;
class HistoryStore;
struct Task;

// Who drives a task across processes (ARCHITECTURE.md, "Leases"): every engine is an owner with a lease
// on the tasks it drives, kept in the HistoryStore and renewed while it lives. An owner also holds a lock
// file of its own (QLockFile, in `lockDir`) for its whole life: when a process ends without releasing
// (kill -9, a crash, a power cut of the process), its lock file is left behind, stale, and Qt tells that
// apart on every OS (the process named in it is gone). Another engine then takes its tasks over at once
// instead of waiting for the leases to run out. An owner this process cannot judge (another machine on
// a shared disk, an id of an older version) counts as alive: its leases simply run out.
class Leases
{
public:
    Leases(HistoryStore &store, Clock &clock, const QString &lockDir, int leaseMs);
    ~Leases();
    Leases(const Leases &) = delete;
    Leases &operator=(const Leases &) = delete;

    // "host|uuid": unique per engine; the uuid names its lock file.
    const QString &owner() const { return m_owner; }
    qint64 until() const; // the end of a lease taken or renewed now

    // True only when `owner` certainly no longer runs: its lock file is left and stale.
    bool isDead(const QString &owner) const;
    // Frees the leases of every owner in `owners` that isDead().
    void releaseDead(const QStringList &owners);
    // Takes over what nobody drives any more (leases run out or of dead owners), or only `taskId`.
    Result<QList<Task>> claimOrphans(const QString &taskId = {});
    // Takes the lease of one task (an ended one whose images are fetched again, or a renewal of it).
    bool claim(const QString &taskId);
    void renew(); // every lease this owner holds on a task under way
    void release(const QString &taskId);
    void releaseAll();

private:
    HistoryStore &m_store;
    Clock &m_clock;
    QString m_lockDir;
    int m_leaseMs;
    QString m_owner;
    std::unique_ptr<QLockFile> m_lock;
};

} // namespace tessera
