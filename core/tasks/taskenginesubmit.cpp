// TaskEngine: sending a submit and reading its answer — the task's id, a wait the provider asks for
// (429/503: proven not created, so it goes again), a modal follow-up (with the user's Remix prompt), or a
// failure that is never sent again when the request may have reached the server.
#include "logging.h"
#include "model/clock.h"
#include "net/retrypolicy.h"
#include "net/transport.h"
#include "pollscheduler.h"
#include "taskengine.h"

#include <QCoreApplication>
#include <QRandomGenerator>

#include <algorithm>

namespace tessera {

void TaskEngine::send(Job &job, const Result<HttpCall> &call)
{
    if (!call) {
        finishRun(job, call.error().kind == Error::Kind::Cancelled ? TaskState::Cancelled : TaskState::Failed,
                  call.error());
        return;
    }
    // Submitting is on disk before the request leaves: after a crash we know it may have been sent.
    job.phase = Job::Phase::Submitting;
    job.task.state = TaskState::Submitting;
    if (!persist(job))
        return;
    changed(job);

    qCInfo(lcTasks) << "submit" << job.task.id << call->describe();
    TransportReply *reply = m_transport.send(*call, job.account, job.apiKey);
    job.reply = reply;
    const QString id = job.task.id;
    const int generation = job.generation;
    connect(reply, &TransportReply::finished, this,
            [this, id, generation, reply] { onSubmitted(id, generation, reply, false); });
    // The transport holds the submit after a 429/503: the task says until when (issue 12).
    connect(reply, &TransportReply::waiting, this, [this, id, generation](qint64 untilMs, int status) {
        if (Job *current = jobFor(id, generation))
            showWait(*current, untilMs, status);
    });
}

SubmitContext TaskEngine::contextOf(const Job &job) const
{
    SubmitContext context;
    context.account = job.account;
    context.parent = job.parent;
    return context;
}

void TaskEngine::sendModal(Job &job, const SubmitContext &context)
{
    if (job.keyState == Job::Key::Loading) {
        job.modalAnswered = true; // loadKey() sends it
        return;
    }
    if (job.keyState == Job::Key::Failed) {
        finishRun(job, TaskState::Unfinished, job.keyError);
        return;
    }
    const QString modalId = job.task.remote.value(QLatin1String("modalId")).toString(job.task.remoteId);
    const Result<HttpCall> call = job.adapter->buildModal(job.task.operation, context, modalId);
    if (!call) {
        finishRun(job, TaskState::Failed, call.error());
        return;
    }
    job.phase = Job::Phase::Submitting;
    TransportReply *next = m_transport.send(*call, job.account, job.apiKey);
    job.reply = next;
    const QString taskId = job.task.id;
    const int generation = job.generation;
    connect(next, &TransportReply::finished, this,
            [this, taskId, generation, next] { onSubmitted(taskId, generation, next, true); });
}

Status TaskEngine::answerRemixPrompt(const QString &taskId, const QString &prompt)
{
    Job *job = jobFor(taskId, 0);
    if (!job || job->phase != Job::Phase::AwaitingPrompt)
        return Error::make(Error::Kind::InvalidRequest, tr("The task is not waiting for a prompt"));
    if (prompt.trimmed().isEmpty())
        return Error::make(Error::Kind::InvalidRequest, tr("prompt: write what you want to see"));
    job->task.operation.prompt = prompt.trimmed();
    job->task.prompt = job->task.operation.prompt;
    job->task.remote.remove(QStringLiteral("remixPrompt"));
    if (!persist(*job))
        return {};
    changed(*job);
    sendModal(*job, contextOf(*job));
    return {};
}

void TaskEngine::showWait(Job &job, qint64 untilMs, int httpStatus)
{
    job.task.remote.insert(QStringLiteral("waitUntil"), untilMs);
    job.task.remote.insert(QStringLiteral("waitStatus"), httpStatus);
    if (!persist(job))
        return;
    changed(job);
}

void TaskEngine::clearWait(Job &job)
{
    job.task.remote.remove(QStringLiteral("waitUntil"));
    job.task.remote.remove(QStringLiteral("waitStatus"));
}

void TaskEngine::onSubmitted(const QString &taskId, int generation, TransportReply *reply, bool modal)
{
    reply->deleteLater();
    Job *job = jobFor(taskId, generation);
    if (!job || job->reply != reply)
        return;
    job->reply = nullptr;

    const Result<HttpResponse> &result = reply->result();
    clearWait(*job);
    Result<SubmitOutcome> outcome = result ? job->adapter->parseSubmit(job->task.operation, *result)
                                           : Result<SubmitOutcome>(result.error());
    if (!outcome) {
        const Error &e = outcome.error();
        // A 429 or 503 answer proves the task was not created: it may wait and go again. Anything else
        // may have reached the server, so it is never re-sent (that could charge the user twice).
        // midjourney-proxy's "queue full" (code 23, RateLimited with HTTP 200) says the same.
        const bool provenNotCreated = RetryPolicy::provesNotCreated(e);
        if (!modal && provenNotCreated && job->cancelRequested) {
            finishRun(*job, TaskState::Cancelled,
                      Error::make(Error::Kind::Cancelled, tr("Cancelled before the provider took it")));
            return;
        }
        if (!modal && (provenNotCreated || (job->adapter->resubmitIsSafe() && e.isTransient()))
            && !job->cancelRequested) {
            waitToResubmit(*job, e);
            return;
        }
        Error shown = e;
        if (!provenNotCreated && (e.kind == Error::Kind::Timeout || e.kind == Error::Kind::Network)
            && !shown.message.contains(QLatin1String("not sent again")))
            shown.message
                += (shown.message.endsWith(QLatin1Char('.')) ? QStringLiteral(" ") : QStringLiteral(". "))
                + tr("The request may have reached %1; it was not sent again, to avoid paying twice. Look "
                     "for the task on the provider's site before trying again.")
                      .arg(job->adapter->displayName());
        finishRun(*job, TaskState::Failed, shown);
        return;
    }

    job->task.remoteId = outcome->remoteId;
    for (auto it = outcome->remote.constBegin(); it != outcome->remote.constEnd(); ++it)
        job->task.remote.insert(it.key(), it.value());
    job->task.error.reset();

    if (outcome->needsModal && !modal) {
        // The vendor parked the new task for a follow-up (mjproxy code 21): keep its id, send the inputs.
        job->task.remote.insert(QStringLiteral("modalId"), outcome->remoteId);
        const SubmitContext context = contextOf(*job);
        const std::optional<QString> remix = m_asksRemixPrompts && !job->cancelRequested
            ? job->adapter->remixPrompt(job->task.operation, context)
            : std::nullopt;
        if (remix) {
            // Remix: the user may change the prompt before the modal is sent (issue 12).
            job->phase = Job::Phase::AwaitingPrompt;
            job->task.state = TaskState::Submitted; // the vendor has it, parked
            job->task.remote.insert(QStringLiteral("remixPrompt"), *remix);
            if (!persist(*job))
                return;
            changed(*job);
            emit remixPromptNeeded(taskId, *remix);
            return;
        }
        if (!persist(*job))
            return;
        sendModal(*job, context);
        return;
    }

    job->task.state = TaskState::Submitted;
    job->task.pollCount = 0;
    if (!persist(*job))
        return;
    changed(*job);
    qCInfo(lcTasks) << "submitted" << taskId << "as" << job->task.remoteId;

    if (outcome->immediate) {
        // The answer already is the result (a seed): nothing to poll.
        job->phase = Job::Phase::Polling;
        job->runStartMs = m_clock.nowMs();
        job->runFirstPoll = job->task.pollCount;
        applySnapshot(*job, *outcome->immediate);
        return;
    }

    if (job->cancelRequested) {
        // The user cancelled while the submit was on the wire: now that the task has an id, cancel it.
        job->cancelRequested = false;
        job->phase = Job::Phase::Polling;
        job->runStartMs = m_clock.nowMs();
        job->runFirstPoll = job->task.pollCount;
        job->intervalMs = job->policy.intervalMs;
        if (const Status s = cancelJob(*job); !s) {
            qCWarning(lcTasks) << "cancel after submit failed:" << s.error().message;
            job->cancelPending = false;
            answerCancel(taskId, false, s.error());
            m_polls->startRun(*job, job->policy.firstPollMs);
        }
        return;
    }
    m_polls->startRun(*job, job->policy.firstPollMs);
}

void TaskEngine::waitToResubmit(Job &job, const Error &e)
{
    const qint64 now = m_clock.nowMs();
    const qint64 retryAt = e.retryAfter.isValid() ? e.retryAfter.toMSecsSinceEpoch()
                                                  : now + 1000 + QRandomGenerator::global()->bounded(4000);
    qCInfo(lcTasks) << "submit of" << job.task.id << "refused for now:" << e.message << "- retrying later";
    job.phase = Job::Phase::Waiting;
    job.notBeforeMs = std::max(now, retryAt);
    job.task.state = TaskState::Queued;
    job.task.error = e;
    job.task.remote.insert(QStringLiteral("waitUntil"), job.notBeforeMs);
    job.task.remote.insert(QStringLiteral("waitStatus"),
                           e.kind != Error::Kind::RateLimited && e.httpStatus == 503 ? 503 : 429);
    if (!persist(job))
        return;
    changed(job);
    pump();
}

} // namespace tessera
