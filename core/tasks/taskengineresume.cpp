// TaskEngine: what outlives one process — taking over tasks nobody drives (after a restart, a crash, or a
// CLI that submitted and exited), asking again about unfinished ones, and the checks' budget.
#include "downloader.h"
#include "leases.h"
#include "logging.h"
#include "model/clock.h"
#include "pollscheduler.h"
#include "providers/providerregistry.h"
#include "storage/historystore.h"
#include "taskengine.h"

#include <QCoreApplication>

namespace tessera {

Status TaskEngine::check(const QString &taskId)
{
    if (isDriving(taskId))
        return {};
    Result<Task> stored = storedTask(taskId);
    if (!stored)
        return stored.error();
    Task task = std::move(*stored);
    if (isActive(task.state)) {
        const Result<bool> adopted = adopt(taskId);
        if (!adopted)
            return adopted.error();
        if (!*adopted)
            return Error::make(Error::Kind::InvalidRequest,
                               tr("Another Tessera window or command is running this task"));
        return {};
    }
    if (task.state != TaskState::Unfinished && task.state != TaskState::Unknown)
        return Error::make(Error::Kind::InvalidRequest,
                           tr("Only unfinished or unknown tasks can be checked again; this one is %1")
                               .arg(taskStateLabel(task.state)));
    if (task.remoteId.isEmpty())
        return Error::make(Error::Kind::NotFound,
                           tr("Tessera never learned this task's id at the provider, so it cannot ask about "
                              "it. Look for it on "
                              "the provider's site."));
    const std::optional<PollPolicy> policy = policyOf(task);
    if (policy && policy->pollBudget > 0 && task.pollCount >= policy->pollBudget)
        return Error::make(Error::Kind::InvalidRequest, budgetSpent(task, *policy));
    // A new run. Where the vendor counts every check of a task the count goes on; elsewhere the run starts
    // with a fresh cap of status checks.
    task.state = TaskState::Running;
    if (!policy || policy->pollBudget <= 0)
        task.pollCount = 0;
    task.finished = {};
    task.updated = m_clock.now();
    if (Status s = m_store.saveTask(task); !s)
        return s;
    const Result<bool> adopted = adopt(taskId);
    if (!adopted)
        return adopted.error();
    return {};
}

void TaskEngine::resume()
{
    const auto claimed = m_leases->claimOrphans();
    if (!claimed) {
        qCWarning(lcTasks) << "cannot look for unfinished tasks:" << claimed.error().message;
        emit storageFailed(claimed.error());
    } else {
        for (const Task &task : *claimed) {
            if (!isDriving(task.id))
                takeOver(task);
        }
    }
    if (!m_downloadsRetried) {
        // Once per process: a download that failed here is retried at the next start, not every
        // adoptIntervalMs.
        m_downloadsRetried = true;
        retryDownloads();
    }
    if (!m_adoptScheduled) {
        // One chain of periodic looks for the engine's lifetime, however often resume() is called.
        m_adoptScheduled = true;
        m_clock.callAfter(m_config.adoptIntervalMs, this, [this] {
            m_adoptScheduled = false;
            resume();
        });
    }
}

std::optional<PollPolicy> TaskEngine::policyOf(const Task &task)
{
    const auto account = m_store.account(task.accountId);
    if (!account || !account->has_value())
        return std::nullopt;
    const ProviderAdapter *adapter = m_providers.adapter((*account)->family);
    if (!adapter)
        return std::nullopt;
    return adapter->pollPolicy(task.operation, **account);
}

QString TaskEngine::budgetSpent(const Task &task, const PollPolicy &policy) const
{
    QString family = tr("The provider");
    if (const auto account = m_store.account(task.accountId); account && account->has_value()) {
        if (const ProviderAdapter *adapter = m_providers.adapter((*account)->family))
            family = adapter->displayName();
    }
    return tr("%1 allows no more status checks for this task: all %2 were used")
        .arg(family)
        .arg(policy.pollBudget);
}

Availability TaskEngine::checkAvailability(const Task &task)
{
    if (task.state != TaskState::Unfinished && task.state != TaskState::Unknown)
        return Availability::no(tr("only unfinished or unknown tasks can be checked again"));
    if (task.remoteId.isEmpty())
        return Availability::no(tr("Tessera never learned this task's id at the provider"));
    const std::optional<PollPolicy> policy = policyOf(task);
    if (policy && policy->pollBudget > 0 && task.pollCount >= policy->pollBudget)
        return Availability::no(budgetSpent(task, *policy));
    return Availability::yes();
}

int TaskEngine::recheckUnfinished(qint64 maxAgeMs)
{
    const auto unfinished = m_store.tasksInState(TaskState::Unfinished, m_clock.nowMs() - maxAgeMs);
    if (!unfinished) {
        qCWarning(lcTasks) << "cannot look for unfinished tasks:" << unfinished.error().message;
        return 0;
    }
    int n = 0;
    for (const Task &task : *unfinished) {
        if (task.remoteId.isEmpty())
            continue;
        if (const Status s = check(task.id); s)
            ++n;
        else
            qCInfo(lcTasks) << "not re-checking" << task.id << s.error().message;
    }
    return n;
}

Result<bool> TaskEngine::adopt(const QString &taskId)
{
    if (isDriving(taskId))
        return true;
    const auto claimed = m_leases->claimOrphans(taskId);
    if (!claimed)
        return claimed.error();
    if (claimed->isEmpty())
        return false;
    takeOver(claimed->first());
    return true;
}

void TaskEngine::takeOver(const Task &task)
{
    const auto account = m_store.account(task.accountId);
    const ProviderAdapter *adapter
        = account && account->has_value() ? m_providers.adapter((*account)->family) : nullptr;
    Job *job = startJob(task, account && account->has_value() ? **account : Account(), adapter);
    if (!adapter) {
        job->adapter = nullptr;
        finishRun(*job, TaskState::Failed,
                  Error::make(Error::Kind::Unsupported,
                              tr("The task's account or its provider is no longer available")));
        return;
    }
    qCInfo(lcTasks) << "taking over" << task.id << "in state" << taskStateName(task.state);
    switch (task.state) {
    case TaskState::Queued:
        pump();
        return;
    case TaskState::Submitting:
        if (adapter->resubmitIsSafe()) {
            job->task.state = TaskState::Queued;
            if (!persist(*job))
                return;
            changed(*job);
            pump();
        } else {
            finishRun(*job, TaskState::Unknown,
                      Error::make(Error::Kind::Network,
                                  tr("Tessera stopped while sending this task, so it may or may not have "
                                     "reached %1. It was not "
                                     "sent again, to avoid paying twice.")
                                      .arg(adapter->displayName())));
        }
        return;
    default:
        break;
    }
    if (task.remoteId.isEmpty()) {
        finishRun(*job, TaskState::Unknown,
                  Error::make(Error::Kind::BadResponse, tr("The task has no provider id")));
        return;
    }
    if (task.remote.contains(QLatin1String("remixPrompt"))) {
        // Parked at the vendor for its Remix modal when the process that asked for the prompt ended: ask
        // again here, or send the prompt as it was where nobody can be asked.
        job->phase = Job::Phase::AwaitingPrompt;
        const QString suggested = task.remote.value(QLatin1String("remixPrompt")).toString();
        if (!task.parentId.isEmpty()) {
            if (const auto parent = m_store.task(task.parentId); parent && parent->has_value())
                job->parent = **parent; // read once: the modal builds on it
        }
        changed(*job);
        if (m_asksRemixPrompts)
            emit remixPromptNeeded(task.id, suggested);
        else if (const Status s = answerRemixPrompt(task.id, suggested); !s)
            finishRun(*job, TaskState::Failed, s.error());
        return;
    }
    changed(*job);
    // A task taken over starts with a check at once, unless the vendor's least interval says otherwise
    // (the last check may have been moments ago, in the process that ended).
    m_polls->startRun(*job, job->policy.minIntervalMs);
}

} // namespace tessera
