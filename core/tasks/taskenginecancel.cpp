// TaskEngine: cancel, wherever the task runs (this engine, another live process, or nobody).
#include "leases.h"
#include "logging.h"
#include "model/clock.h"
#include "net/transport.h"
#include "pollscheduler.h"
#include "providers/providerregistry.h"
#include "storage/historystore.h"
#include "taskengine.h"

#include <QCoreApplication>

namespace tessera {

void TaskEngine::answerCancel(const QString &taskId, bool cancelled, const Error &detail)
{
    QMetaObject::invokeMethod(
        this, [this, taskId, cancelled, detail] { emit cancelAnswered(taskId, cancelled, detail); },
        Qt::QueuedConnection);
}

Status TaskEngine::cancel(const QString &taskId)
{
    if (Job *job = jobFor(taskId, 0))
        return cancelJob(*job);

    Result<Task> stored = storedTask(taskId);
    if (!stored)
        return stored.error();
    Task task = std::move(*stored);
    if (task.state == TaskState::Unfinished || task.state == TaskState::Unknown) {
        task.state = TaskState::Cancelled;
        task.updated = m_clock.now();
        task.error = Error::make(Error::Kind::Cancelled, tr("Given up; the server was not asked to cancel"));
        if (Status s = m_store.saveTask(task); !s)
            return s;
        emit taskChanged(task);
        answerCancel(taskId, true, *task.error);
        return {};
    }
    if (!isActive(task.state))
        return Error::make(Error::Kind::InvalidRequest,
                           tr("The task has already ended (%1)").arg(taskStateLabel(task.state)));
    // Nobody drives it (its process ended, or was killed): drive it here and cancel.
    const Result<bool> adopted = adopt(taskId);
    if (!adopted)
        return adopted.error();
    if (Job *job = jobFor(taskId, 0))
        return cancelJob(*job);
    if (*adopted) // taken over and ended at once (its account is gone, say)
        return Error::make(Error::Kind::InvalidRequest, tr("The task has already ended"));
    return cancelElsewhere(task);
}

Status TaskEngine::cancelJob(Job &job)
{
    const QString taskId = job.task.id;
    switch (job.phase) {
    case Job::Phase::Waiting:
    case Job::Phase::Preparing: {
        const Error cancelled = Error::make(Error::Kind::Cancelled, tr("Cancelled before it was sent"));
        job.cancelPending = true;
        finishRun(job, TaskState::Cancelled, cancelled);
        return {};
    }
    case Job::Phase::AwaitingPrompt: {
        // The modal was never sent: the parked task starts nothing at the vendor without it.
        job.cancelPending = true;
        finishRun(job, TaskState::Cancelled,
                  Error::make(Error::Kind::Cancelled, tr("Cancelled at the Remix prompt; nothing was sent")));
        return {};
    }
    case Job::Phase::Submitting:
        job.cancelRequested = true; // acted on as soon as the submit's answer is in
        job.cancelPending = true;
        return {};
    case Job::Phase::Cancelling:
        job.cancelPending = true;
        return {};
    case Job::Phase::Downloading:
        return Error::make(Error::Kind::InvalidRequest,
                           tr("The task has finished; its images are being saved"));
    case Job::Phase::Polling:
        break;
    }
    const std::optional<HttpCall> call = job.adapter->buildCancel(job.task.remoteId, job.account);
    if (call && job.keyState == Job::Key::Loading) {
        // Never an anonymous cancel: it goes once the key is known (loadKey sends it).
        job.cancelRequested = true;
        job.cancelPending = true;
        return {};
    }
    if (call && job.keyState == Job::Key::Failed)
        return *job.keyError;
    if (job.reply) {
        job.reply->disconnect(this);
        job.reply->abort();
        job.reply->deleteLater();
        job.reply = nullptr;
    }
    job.cancelPending = true;
    if (!call) {
        finishRun(job, TaskState::Cancelled,
                  Error::make(Error::Kind::Cancelled,
                              tr("%1 cannot cancel on its side: Tessera stopped checking this task, but the "
                                 "server may still finish it and charge for it.")
                                  .arg(job.adapter->displayName())));
        return {};
    }
    job.phase = Job::Phase::Cancelling;
    TransportReply *reply = m_transport.send(*call, job.account, job.apiKey);
    job.reply = reply;
    const int generation = job.generation;
    connect(reply, &TransportReply::finished, this, [this, taskId, generation, reply] {
        reply->deleteLater();
        Job *current = jobFor(taskId, generation);
        if (!current || current->reply != reply)
            return;
        current->reply = nullptr;
        const Result<HttpResponse> &result = reply->result();
        const Status accepted = result ? current->adapter->parseCancel(*result) : Status(result.error());
        if (accepted) {
            finishRun(*current, TaskState::Cancelled,
                      Error::make(Error::Kind::Cancelled, tr("Cancelled on the server")));
            return;
        }
        // The server kept the task (it is past the point where it can be cancelled, or it already
        // finished): it runs on, visibly, and the refusal is said in the vendor's words.
        qCInfo(lcTasks) << "cancel of" << taskId << "refused:" << accepted.error().message;
        current->phase = Job::Phase::Polling;
        current->cancelPending = false;
        current->task.error = accepted.error();
        // Kept with the task (the error above is cleared by the next status answer): the Queue and the
        // Gallery show that the task runs on although the user asked to cancel it.
        current->task.remote.insert(QStringLiteral("cancelRefused"), accepted.error().message);
        if (!persist(*current))
            return;
        changed(*current);
        answerCancel(taskId, false, accepted.error());
        m_polls->schedule(*current, current->intervalMs);
    });
    return {};
}

Status TaskEngine::cancelElsewhere(const Task &task)
{
    const auto account = m_store.account(task.accountId);
    if (!account)
        return account.error();
    const ProviderAdapter *adapter = account->has_value() ? m_providers.adapter((*account)->family) : nullptr;
    if (!adapter)
        return Error::make(Error::Kind::Unsupported,
                           tr("The task's account or its provider is no longer available"));
    const Account owner = **account;
    const std::optional<HttpCall> call
        = task.remoteId.isEmpty() ? std::nullopt : adapter->buildCancel(task.remoteId, owner);
    if (!call) {
        return Error::make(
            Error::Kind::InvalidRequest,
            task.remoteId.isEmpty()
                ? tr("Another Tessera window or command is sending this task right now; cancel it there")
                : tr("Another Tessera window or command is running this task, and %1 cannot cancel on its "
                     "side; stop it there")
                      .arg(adapter->displayName()));
    }
    const QString taskId = task.id;
    qCInfo(lcTasks) << "cancelling" << taskId << "which another process drives";
    readKey(owner, [this, taskId, owner, adapter, call = *call](const Result<QString> &key) {
        if (!key) {
            answerCancel(taskId, false, key.error());
            return;
        }
        TransportReply *reply = m_transport.send(call, owner, *key);
        m_sideReplies.append(reply);
        connect(reply, &TransportReply::finished, this, [this, reply, taskId, adapter] {
            reply->deleteLater();
            m_sideReplies.removeAll(reply);
            const Result<HttpResponse> &result = reply->result();
            const Status accepted = result ? adapter->parseCancel(*result) : Status(result.error());
            if (!accepted) {
                qCInfo(lcTasks) << "cancel of" << taskId << "refused:" << accepted.error().message;
                answerCancel(taskId, false, accepted.error());
                return;
            }
            answerCancel(taskId, true,
                         Error::make(Error::Kind::Cancelled,
                                     tr("Cancelled on the server; the Tessera window or command that runs it "
                                        "will show it as cancelled at its next status check")));
        });
    });
    return {};
}

} // namespace tessera
