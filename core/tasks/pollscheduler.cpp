#include "pollscheduler.h"

#include "logging.h"
#include "model/clock.h"

#include <QCoreApplication>

#include <algorithm>
#include <cmath>

namespace tessera {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("TaskEngine", text);
}

// "40 seconds", "1 minute", "12 minutes".
QString durationText(qint64 ms)
{
    const qint64 seconds = std::max<qint64>(1, (ms + 500) / 1000);
    if (seconds < 120)
        return seconds == 1 ? tr("1 second") : tr("%1 seconds").arg(seconds);
    return tr("%1 minutes").arg((seconds + 30) / 60);
}

} // namespace

PollScheduler::PollScheduler(JobHost &host, Transport &transport, Clock &clock, int maxTransientErrors,
                             QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_transport(transport)
    , m_clock(clock)
    , m_maxTransientErrors(maxTransientErrors)
{ }

PollScheduler::~PollScheduler()
{
    for (const QPointer<TransportReply> &batch : std::as_const(m_batchReplies)) {
        if (batch) {
            batch->disconnect(this);
            batch->abort();
            delete batch.data();
        }
    }
}

void PollScheduler::startRun(Job &job, qint64 firstDelayMs)
{
    job.phase = Job::Phase::Polling;
    job.runStartMs = m_clock.nowMs();
    job.runFirstPoll = job.task.pollCount;
    job.intervalMs = job.policy.intervalMs;
    schedule(job, firstDelayMs);
}

void PollScheduler::schedule(Job &job, qint64 delayMs)
{
    const QString id = job.task.id;
    const int generation = job.generation;
    const quint64 token = ++job.pollToken;
    m_clock.callAfter(delayMs, this, [this, id, generation, token] {
        if (Job *current = m_host.jobFor(id, generation); current && current->pollToken == token)
            poll(id, generation);
    });
}

void PollScheduler::scheduleNext(Job &job)
{
    schedule(job, job.intervalMs);
    job.intervalMs = nextInterval(job.policy, job.intervalMs, job.task.pollCount - job.runFirstPoll);
}

qint64 PollScheduler::nextInterval(const PollPolicy &policy, qint64 intervalMs, int runPolls)
{
    qint64 next = intervalMs;
    if (runPolls > policy.steadyPolls)
        next = std::min<qint64>(policy.maxIntervalMs, std::llround(double(next) * policy.growth));
    return std::max<qint64>(next, policy.minIntervalMs);
}

std::optional<Error> PollScheduler::limitReached(const PollPolicy &policy, const Task &task, int runPolls,
                                                 qint64 elapsedMs, const QString &family)
{
    const QString still = task.progress
        ? tr("it was still running (%1 %) at the last check").arg(*task.progress)
        : tr("it was still running at the last check");
    if (policy.pollBudget > 0 && task.pollCount >= policy.pollBudget)
        return Error::make(Error::Kind::StillRunning,
                           tr("%1 allows no more status checks for this task: all %2 were used, and %3. "
                              "Its result can no longer be fetched through the API; look for it on the "
                              "provider's site.")
                               .arg(family)
                               .arg(policy.pollBudget)
                               .arg(still));
    if (policy.maxPolls > 0 && runPolls >= policy.maxPolls)
        return Error::make(Error::Kind::StillRunning,
                           tr("Tessera stopped asking after %1 status checks, the most allowed for this "
                              "account; %2. Check again later.")
                               .arg(runPolls)
                               .arg(still));
    if (elapsedMs >= policy.timeoutMs)
        return Error::make(Error::Kind::StillRunning,
                           tr("Tessera stopped asking after %1; %2. Check again later.")
                               .arg(durationText(elapsedMs), still));
    return std::nullopt;
}

bool PollScheduler::pollsLeft(const Job &job) const
{
    return !limitReached(job.policy, job.task, job.task.pollCount - job.runFirstPoll,
                         m_clock.nowMs() - job.runStartMs, QString());
}

bool PollScheduler::pollInBatch(Job &job)
{
    // Other tasks of the same account waiting for their next check go along in one request (PROVIDERS.md
    // §6); their own timers become stale. Families without batch status answer no call.
    std::vector<Job *> batch {&job};
    for (Job *o : m_host.jobs()) {
        if (o == &job || o->account.id != job.account.id || o->phase != Job::Phase::Polling || o->reply
            || o->batchPending || o->remoteId().isEmpty() || o->keyState != Job::Key::Ready)
            continue;
        if (!pollsLeft(*o))
            continue;
        batch.push_back(o);
    }
    if (batch.size() < 2 || m_noBatch.contains(job.account.id))
        return false;
    QStringList ids;
    for (const Job *j : batch)
        ids.append(j->task.remoteId);
    const std::optional<HttpCall> call = job.adapter->batchStatusCall(ids, job.account);
    if (!call)
        return false;
    QList<QPair<QString, int>> members;
    for (Job *j : batch) {
        ++j->task.pollCount;
        ++j->pollToken; // stale: the batch answers for this turn
        j->batchPending = true;
        members.append({j->task.id, j->generation});
    }
    TransportReply *reply = m_transport.send(*call, job.account, job.apiKey);
    m_batchReplies.append(reply);
    const ProviderAdapter *adapter = job.adapter;
    connect(reply, &TransportReply::finished, this, [this, reply, members, adapter] {
        reply->deleteLater();
        m_batchReplies.removeAll(reply);
        const Result<HttpResponse> &result = reply->result();
        const Result<QMap<QString, TaskSnapshot>> snapshots = result
            ? adapter->readBatchStatus(*result)
            : Result<QMap<QString, TaskSnapshot>>(result.error());
        const bool refused = result
            && (result->isSuccess() || result->status == 400 || result->status == 404
                || result->status == 405);
        if (!snapshots && refused && !members.isEmpty()) {
            // A server without list-by-condition (or one that answers it oddly): poll its tasks one by
            // one from now on rather than asking twice every turn.
            if (Job *first = m_host.jobFor(members.first().first, members.first().second)) {
                qCInfo(lcTasks) << "batch status refused for" << first->account.displayName() << "-"
                                << snapshots.error().message << "- polling tasks one by one";
                m_noBatch.insert(first->account.id);
            }
        }
        for (const auto &[id, generation] : members) {
            Job *j = m_host.jobFor(id, generation);
            if (!j)
                continue;
            j->batchPending = false;
            if (j->phase != Job::Phase::Polling)
                continue;
            if (snapshots && snapshots->contains(j->task.remoteId)) {
                j->errorsInRow = 0;
                m_host.applySnapshot(*j, snapshots->value(j->task.remoteId));
                continue;
            }
            // Missing from the answer, or the batch failed: this task is asked alone, at once.
            --j->task.pollCount;
            schedule(*j, 0);
            j->singlePollNext = true;
        }
    });
    return true;
}

void PollScheduler::poll(const QString &taskId, int generation)
{
    Job *job = m_host.jobFor(taskId, generation);
    if (!job || job->phase != Job::Phase::Polling || job->reply || job->batchPending)
        return;
    if (job->keyState == Job::Key::Loading)
        return; // the key's answer schedules the poll
    if (job->keyState == Job::Key::Failed) {
        // The task may well be running at the vendor: keep it checkable once the key is back.
        m_host.finishRun(*job, TaskState::Unfinished, job->keyError);
        return;
    }
    if (const std::optional<Error> stop
        = limitReached(job->policy, job->task, job->task.pollCount - job->runFirstPoll,
                       m_clock.nowMs() - job->runStartMs, job->adapter->displayName())) {
        m_host.finishRun(*job, TaskState::Unfinished, stop);
        return;
    }
    if (!job->singlePollNext && pollInBatch(*job))
        return;
    job->singlePollNext = false;
    ++job->task.pollCount;
    // Where the vendor counts every check of a task, the count is stored before the check is sent: a
    // process that ends now leaves the next one a count that is never too low.
    if (job->policy.pollBudget > 0 && !m_host.persist(*job))
        return;
    TransportReply *reply = m_transport.send(job->adapter->buildStatus(job->task.remoteId, job->account),
                                             job->account, job->apiKey);
    job->reply = reply;
    connect(reply, &TransportReply::finished, this,
            [this, taskId, generation, reply] { onStatus(taskId, generation, reply); });
}

void PollScheduler::onStatus(const QString &taskId, int generation, TransportReply *reply)
{
    reply->deleteLater();
    Job *job = m_host.jobFor(taskId, generation);
    if (!job || job->reply != reply)
        return;
    job->reply = nullptr;
    if (job->phase != Job::Phase::Polling)
        return;

    const Result<HttpResponse> &result = reply->result();
    const Result<TaskSnapshot> snapshot
        = result ? job->adapter->parseStatus(*result) : Result<TaskSnapshot>(result.error());
    if (!snapshot) {
        const Error &e = snapshot.error();
        const bool retry = e.isTransient() || e.kind == Error::Kind::BadResponse;
        if (!retry) {
            m_host.finishRun(*job, TaskState::Failed, e);
            return;
        }
        if (++job->errorsInRow >= m_maxTransientErrors) {
            Error stuck = e;
            stuck.message
                = tr("Status checks keep failing (%1). The task may still finish; check again later.")
                      .arg(e.userText());
            m_host.finishRun(*job, TaskState::Unfinished, stuck);
            return;
        }
        qCInfo(lcTasks) << "status check of" << taskId << "failed, will retry:" << e.userText();
        job->task.error = e; // shown while retrying; cleared by the next good answer
        if (!m_host.persist(*job))
            return;
        m_host.changed(*job);
        qint64 delay = job->intervalMs;
        if (e.retryAfter.isValid())
            delay = std::max<qint64>(delay, e.retryAfter.toMSecsSinceEpoch() - m_clock.nowMs());
        schedule(*job, delay);
        return;
    }

    job->errorsInRow = 0;
    m_host.applySnapshot(*job, *snapshot);
}

} // namespace tessera
