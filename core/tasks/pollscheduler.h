#pragma once

#include "job.h"

#include <QObject>
#include <QPointer>
#include <QSet>

#include <optional>

namespace tessera {

class Clock;
class Transport;

// When and how a task's status is asked (ARCHITECTURE.md, "The flow of one task"): the first check after
// the family's delay, then at the policy's interval — steady, then growing, never below the vendor's
// minimum —, several tasks of one account in one batch request where the family has one, until the run's
// cap of checks, its time, or the vendor's budget of checks for the task (kolersky: 60 in all) ends it as
// Unfinished. A failed check is tried again after the interval (or the server's Retry-After); too many
// in a row end the run as Unfinished too. Answers go back to the engine (JobHost::applySnapshot).
class PollScheduler : public QObject
{
    Q_OBJECT
public:
    PollScheduler(JobHost &host, Transport &transport, Clock &clock, int maxTransientErrors,
                  QObject *parent = nullptr);
    ~PollScheduler() override;

    // A new run of checks for `job` (after its submit, Check again or a take-over): its count, clock and
    // interval start here; the first check comes after `firstDelayMs`.
    void startRun(Job &job, qint64 firstDelayMs);
    // The next check `delayMs` from now; any check scheduled earlier for the job is dropped.
    void schedule(Job &job, qint64 delayMs);
    // The next check of a running task at its current interval, which then grows per the policy.
    void scheduleNext(Job &job);
    // Whether the run may check once more (used before batching another task along).
    bool pollsLeft(const Job &job) const;

    // The interval after a check: `intervalMs` while the run has made at most `steadyPolls` checks, then
    // times `growth` up to `maxIntervalMs`; never below the vendor's `minIntervalMs`.
    static qint64 nextInterval(const PollPolicy &policy, qint64 intervalMs, int runPolls);
    // Why the run must stop now, or nothing: the vendor's budget for the task spent, the run's cap of
    // checks or its time reached. `task.pollCount` counts every check of the task; `runPolls` this run's;
    // `family` names the vendor in the message. The task was still running at the last check.
    static std::optional<Error> limitReached(const PollPolicy &policy, const Task &task, int runPolls,
                                             qint64 elapsedMs, const QString &family);

private:
    void poll(const QString &taskId, int generation);
    bool pollInBatch(Job &job);
    void onStatus(const QString &taskId, int generation, TransportReply *reply);

    JobHost &m_host;
    Transport &m_transport;
    Clock &m_clock;
    int m_maxTransientErrors;
    QList<QPointer<TransportReply>> m_batchReplies; // batch status requests in flight
    QSet<QString> m_noBatch; // accounts whose server refused a batch status request
};

} // namespace tessera
