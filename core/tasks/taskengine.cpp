#include "taskengine.h"

#include "actionplanner.h"
#include "downloader.h"
#include "leases.h"
#include "logging.h"
#include "model/clock.h"
#include "model/futures.h"
#include "net/transport.h"
#include "pollscheduler.h"
#include "providers/providerregistry.h"
#include "secrets/secretstore.h"
#include "storage/historystore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

// The engine's state machine: submit (with its modal follow-up), the key, the account's slots, status
// answers turned into states, and the end of a run. Polling is PollScheduler's, results are the
// Downloader's, ownership across processes is Leases'; the submit's answer and its modal follow-up,
// cancel, and take-over live in taskenginesubmit.cpp, taskenginecancel.cpp and taskengineresume.cpp.
namespace tessera {

namespace {

int g_nextGeneration = 1;

} // namespace

void Job::abortAll(QObject *receiver, bool deleteNow)
{
    QList<QPointer<TransportReply>> all = downloads;
    all.append(reply);
    for (const QPointer<TransportReply> &r : all) {
        if (!r)
            continue;
        r->disconnect(receiver);
        r->abort();
        if (deleteNow)
            delete r.data();
        else
            r->deleteLater();
    }
    reply = nullptr;
    downloads.clear();
}

TaskEngine::TaskEngine(HistoryStore &store, ImageArchive &archive, const ProviderRegistry &providers,
                       Transport &transport, Clock &clock, Config config, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_archive(archive)
    , m_providers(providers)
    , m_transport(transport)
    , m_clock(clock)
    , m_config(config)
    , m_leases(std::make_unique<Leases>(
          store, clock, QDir(QFileInfo(store.path()).absolutePath()).filePath(QStringLiteral("leases")),
          config.leaseMs))
    , m_polls(new PollScheduler(*this, transport, clock, config.maxTransientErrors, this))
    , m_downloads(new Downloader(*this, store, archive, providers, transport, clock, *m_leases,
                                 {config.maxDownloadBytes, config.decodeLimitMb, config.maxDownloadRetries},
                                 this))
{
    m_clock.callAfter(m_config.leaseRenewMs, this, [this] { renewLeases(); });
}

TaskEngine::~TaskEngine()
{
    for (auto &[id, job] : m_jobs)
        job->abortAll(this, true);
    for (const QPointer<TransportReply> &side : std::as_const(m_sideReplies)) {
        if (side) {
            side->disconnect(this);
            side->abort();
            delete side.data();
        }
    }
    // Its parts go before the jobs they look at.
    delete m_polls;
    delete m_downloads;
    // Tasks still under way stay in their state; releasing the leases lets the next process (or
    // `tessera-cli wait`) take them over at once instead of after the lease runs out.
    m_leases->releaseAll();
}

QString TaskEngine::ownerId() const
{
    return m_leases->owner();
}

Job *TaskEngine::jobFor(const QString &taskId, int generation) const
{
    const auto it = m_jobs.find(taskId);
    if (it == m_jobs.end() || (generation != 0 && it->second->generation != generation))
        return nullptr;
    return it->second.get();
}

std::vector<Job *> TaskEngine::jobs() const
{
    std::vector<Job *> all;
    all.reserve(m_jobs.size());
    for (const auto &[id, job] : m_jobs)
        all.push_back(job.get());
    return all;
}

void TaskEngine::changed(const Job &job)
{
    emit taskChanged(job.task);
}

Job *TaskEngine::startRetryJob(const Task &task, const Account &account, const ProviderAdapter *adapter)
{
    Job *job = startJob(task, account, adapter, false);
    job->retryOnly = true;
    return job;
}

void TaskEngine::endRetryJob(Job &job)
{
    m_jobs.erase(job.task.id);
}

bool TaskEngine::isDriving(const QString &taskId) const
{
    return m_jobs.count(taskId) != 0;
}

Result<Task> TaskEngine::storedTask(const QString &taskId) const
{
    const auto stored = m_store.task(taskId);
    if (!stored)
        return stored.error();
    if (!stored->has_value())
        return Error::make(Error::Kind::NotFound, tr("There is no task \"%1\"").arg(taskId));
    return **stored;
}

int TaskEngine::concurrencyFor(const Account &account) const
{
    const double n = account.numberOption(QStringLiteral("concurrency"), m_config.defaultConcurrency);
    return std::max(1, static_cast<int>(n));
}

int TaskEngine::slotsInUse(const QString &accountId) const
{
    int n = 0;
    for (const auto &[id, job] : m_jobs) {
        if (job->account.id == accountId && job->phase != Job::Phase::Waiting && !job->retryOnly)
            ++n;
    }
    return n;
}

bool TaskEngine::persist(Job &job, bool withImages)
{
    job.task.updated = m_clock.now();
    Status s;
    if (withImages) {
        // Merged with what is stored: another process may have marked an image expired, or saved it,
        // since this job read the task; the job's older copy must not undo that.
        const Result<QList<ImageRef>> stored = m_store.mergeTaskAndImages(job.task);
        if (stored)
            job.task.images = *stored;
        else
            s = stored.error();
    } else {
        s = m_store.saveTask(job.task);
    }
    if (s)
        return true;
    // Without a record of this step the next one must not happen: stop here and say so.
    qCWarning(lcTasks) << "cannot persist task" << job.task.id << s.error().message;
    abandon(job, s.error());
    return false;
}

void TaskEngine::abandon(Job &job, const Error &why)
{
    Task stopped = job.task;
    stopped.state = TaskState::Failed;
    stopped.error = why;
    const bool cancelPending = job.cancelPending;
    job.abortAll(this, false);
    // The lease goes too, as when a run ends: another process may take the task up again.
    m_leases->release(stopped.id);
    m_jobs.erase(stopped.id);
    if (cancelPending)
        answerCancel(stopped.id, false, why);
    emit storageFailed(why);
    emit taskChanged(stopped);
    emit taskFinished(stopped);
}

Result<QString> TaskEngine::submit(const Operation &requested, const QString &accountId)
{
    const auto account = m_store.account(accountId);
    if (!account)
        return account.error();
    if (!account->has_value())
        return Error::make(Error::Kind::InvalidRequest,
                           tr("account: there is no account \"%1\"").arg(accountId));
    const ProviderAdapter *adapter = m_providers.adapter((*account)->family);
    if (!adapter)
        return Error::make(
            Error::Kind::Unsupported,
            tr("account: this build of Tessera has no \"%1\" provider").arg((*account)->family));
    const Result<Operation> normalized = adapter->normalize(requested);
    if (!normalized)
        return normalized.error();
    const Operation &op = *normalized;
    if (const Status s = op.validate(); !s)
        return s.error();
    if (const Status s = adapter->validate(op, **account); !s)
        return s.error();

    Task task;
    task.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    task.accountId = (*account)->id;
    task.operation = op;
    task.prompt = op.prompt;
    task.created = m_clock.now();
    task.updated = task.created;
    task.state = TaskState::Queued;
    std::optional<Task> parent;
    if (isAction(op.kind)) {
        Result<Task> stored = storedTask(op.parentTaskId);
        if (!stored && stored.error().kind == Error::Kind::NotFound)
            return Error::make(Error::Kind::InvalidRequest,
                               tr("parent: there is no task \"%1\"").arg(op.parentTaskId));
        if (!stored)
            return stored.error();
        parent = std::move(*stored);
        if (parent->accountId != task.accountId)
            return Error::make(Error::Kind::InvalidRequest,
                               tr("account: an action runs on the account of its parent task"));
        task.parentId = parent->id;
        task.tile = op.tile;
        // An action is titled by the original prompt ("Vary Region of “a harbour”"); a region's own
        // prompt stays in the operation and shows as a detail.
        if (task.prompt.isEmpty() || op.kind == OperationKind::Inpaint)
            task.prompt = parent->prompt;
    }
    const Availability available = adapter->availability(op, parent ? &*parent : nullptr, **account);
    if (!available.enabled)
        return Error::make(Error::Kind::Unsupported, available.reason);

    if (parent) {
        // Single-image actions asked on a grid tile run on that tile's upscale (PROVIDERS.md Decisions).
        const auto children = m_store.children(parent->id);
        if (!children)
            return children.error();
        const ActionPlan plan = ActionPlan::plan(op, *parent, *adapter, *children);
        if (plan.step != ActionPlan::Step::Direct) {
            QString upscaleId = plan.upscaleTaskId;
            if (plan.step == ActionPlan::Step::UpscaleFirst) {
                const Result<QString> upscale = submit(plan.upscale, accountId);
                if (!upscale)
                    return upscale.error();
                upscaleId = *upscale;
            }
            qCInfo(lcTasks) << operationKindName(op.kind) << "on tile" << op.tile << "chained after upscale"
                            << upscaleId;
            task.operation = plan.action;
            task.operation.parentTaskId = upscaleId;
            task.parentId = upscaleId;
            task.tile = 0;
        }
    }

    if (const Status s = m_store.insertTask(task, m_leases->owner(), m_leases->until()); !s)
        return s.error();
    Account used = **account;
    used.lastUsed = task.created;
    if (const Status s = m_store.saveAccount(used); !s)
        qCWarning(lcTasks) << "could not record account use:" << s.error().message;

    qCInfo(lcTasks) << "queued" << task.id << operationKindName(op.kind) << "on" << used.family;
    Job *job = startJob(task, used, adapter);
    if (parent && task.parentId == parent->id)
        job->parent = parent; // read once here; a chained action reads its upscale when that is done
    emit taskAdded(task);
    pump();
    return task.id;
}

Job *TaskEngine::startJob(const Task &task, const Account &account, const ProviderAdapter *adapter,
                          bool needsKey)
{
    auto job = std::make_unique<Job>();
    job->task = task;
    job->account = account;
    job->adapter = adapter;
    job->policy = adapter->pollPolicy(task.operation, account);
    job->generation = g_nextGeneration++;
    Job *raw = job.get();
    m_jobs[task.id] = std::move(job);
    if (needsKey)
        loadKey(*raw);
    return raw;
}

void TaskEngine::readKey(const Account &account, std::function<void(const Result<QString> &)> done)
{
    if (!m_secrets || account.isDemo() || account.id.isEmpty()) {
        done(QString());
        return;
    }
    const QString accountName = account.displayName();
    m_secrets->readKey(account.id, this, [accountName, done = std::move(done)](const Result<QString> &key) {
        if (key && !key->isEmpty()) {
            done(*key);
            return;
        }
        // The keychain's own words when it failed (locked, no service), so the user knows why.
        done(Error::missingKey(accountName,
                               !key && key.error().kind != Error::Kind::NotFound ? key.error().message
                                                                                 : QString()));
    });
}

void TaskEngine::loadKey(Job &job)
{
    if (!m_secrets || job.account.isDemo() || job.account.id.isEmpty())
        return;
    job.keyState = Job::Key::Loading;
    const QString id = job.task.id;
    const int generation = job.generation;
    readKey(job.account, [this, id, generation](const Result<QString> &key) {
        Job *current = jobFor(id, generation);
        if (!current)
            return;
        if (key) {
            current->apiKey = *key;
            current->keyState = Job::Key::Ready;
        } else {
            current->keyState = Job::Key::Failed;
            current->keyError = key.error();
        }
        if (current->cancelRequested && current->phase == Job::Phase::Polling) {
            // A cancel waited for the key: send it now (or say why it cannot go).
            current->cancelRequested = false;
            if (const Status s = cancelJob(*current); !s) {
                current->cancelPending = false;
                answerCancel(id, false, s.error());
            } else {
                return;
            }
        }
        switch (current->phase) {
        case Job::Phase::Waiting:
            pump();
            break;
        case Job::Phase::Polling:
            m_polls->schedule(*current, 0);
            break;
        case Job::Phase::AwaitingPrompt:
            if (current->modalAnswered)
                sendModal(*current, contextOf(*current));
            break;
        default:
            break;
        }
    });
}

TaskEngine::ParentGate TaskEngine::parentGate(Job &job)
{
    if (job.task.parentId.isEmpty() || (job.parent && job.parent->state == TaskState::Succeeded))
        return ParentGate::Ready;
    if (isDriving(job.task.parentId))
        return ParentGate::Wait;
    const auto parent = m_store.task(job.task.parentId);
    if (!parent || !parent->has_value()) {
        finishRun(job, TaskState::Failed,
                  parent ? Error::make(Error::Kind::InvalidRequest,
                                       tr("The parent task is no longer in the history"))
                         : parent.error());
        return ParentGate::Failed;
    }
    const Task &p = **parent;
    if (p.state == TaskState::Succeeded) {
        job.parent = p; // read once: the submit and a modal follow-up build on this copy
        return ParentGate::Ready;
    }
    if (isActive(p.state))
        return ParentGate::Wait; // another process drives it; resume() looks again
    QString why
        = tr("The step it builds on (%1) ended as %2").arg(p.operation.label(), taskStateLabel(p.state));
    if (p.error)
        why += QStringLiteral(": ") + p.error->message;
    finishRun(job, TaskState::Failed, Error::make(p.error ? p.error->kind : Error::Kind::Cancelled, why));
    return ParentGate::Failed;
}

void TaskEngine::pump()
{
    // Deferred to the event loop: callers may be in the middle of updating a job.
    if (m_pumpQueued)
        return;
    m_pumpQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpQueued = false;
            std::vector<Job *> waiting;
            for (auto &[id, job] : m_jobs) {
                if (job->phase == Job::Phase::Waiting)
                    waiting.push_back(job.get());
            }
            std::sort(waiting.begin(), waiting.end(), [](const Job *a, const Job *b) {
                // First come, first served; the generation breaks ties between tasks of the same millisecond.
                return a->task.created != b->task.created ? a->task.created < b->task.created
                                                          : a->generation < b->generation;
            });
            const qint64 now = m_clock.nowMs();
            for (Job *job : waiting) {
                if (job->notBeforeMs > now) {
                    m_clock.callAfter(job->notBeforeMs - now, this, [this] { pump(); });
                    continue;
                }
                if (job->keyState == Job::Key::Loading)
                    continue; // the key's answer pumps again
                if (job->keyState == Job::Key::Failed) {
                    finishRun(*job, TaskState::Failed, job->keyError);
                    continue;
                }
                if (parentGate(*job) != ParentGate::Ready)
                    continue;
                if (slotsInUse(job->account.id) < concurrencyFor(job->account))
                    submitJob(*job);
            }
        },
        Qt::QueuedConnection);
}

void TaskEngine::submitJob(Job &job)
{
    const SubmitContext context = contextOf(job);
    if (!job.task.operation.mask.isEmpty()) {
        // A mask is decoded, fitted, encoded (and for polygons traced) while the call is built: on the
        // pool, so a large upscale never stalls the GUI thread. Adapters are stateless values.
        job.phase = Job::Phase::Preparing;
        const ProviderAdapter *adapter = job.adapter;
        const Operation op = job.task.operation;
        const QString id = job.task.id;
        const int generation = job.generation;
        whenReady(
            this, QtConcurrent::run([adapter, op, context] { return adapter->buildSubmit(op, context); }),
            [this, id, generation](const Result<HttpCall> &call) {
                if (Job *current = jobFor(id, generation); current && current->phase == Job::Phase::Preparing)
                    send(*current, call);
            });
        return;
    }
    send(job, job.adapter->buildSubmit(job.task.operation, context));
}

void TaskEngine::applySnapshot(Job &job, const TaskSnapshot &snapshot)
{
    job.task.error.reset();
    for (auto it = snapshot.remote.constBegin(); it != snapshot.remote.constEnd(); ++it)
        job.task.remote.insert(it.key(), it.value());
    if (snapshot.progress)
        job.task.progress = std::clamp(*snapshot.progress, 0, 100);

    switch (snapshot.state) {
    case TaskState::Failed:
        finishRun(job, TaskState::Failed,
                  snapshot.error.value_or(
                      Error::make(Error::Kind::ServerError, tr("The provider reported a failure"))));
        return;
    case TaskState::Cancelled:
        finishRun(
            job, TaskState::Cancelled,
            snapshot.error.value_or(Error::make(Error::Kind::Cancelled, tr("Cancelled on the server"))));
        return;
    case TaskState::Succeeded:
        m_downloads->start(job, snapshot);
        return;
    default:
        break;
    }
    job.task.state = snapshot.state == TaskState::Submitted ? TaskState::Submitted : TaskState::Running;
    if (!persist(job))
        return;
    changed(job);
    if (job.task.remoteId.isEmpty()) {
        finishRun(job, TaskState::Unknown,
                  Error::make(Error::Kind::BadResponse, tr("The provider gave no task id to follow")));
        return;
    }
    m_polls->scheduleNext(job);
}

void TaskEngine::finishRun(Job &job, TaskState state, std::optional<Error> error)
{
    job.abortAll(this, false);
    job.task.state = state;
    job.task.error = std::move(error);
    job.task.finished = m_clock.now();
    if (!persist(job, true))
        return; // persist() already reported and ended the job
    m_leases->release(job.task.id);
    const Task finished = job.task;
    const bool cancelPending = job.cancelPending;
    m_jobs.erase(finished.id);
    if (cancelPending) {
        answerCancel(
            finished.id, state == TaskState::Cancelled,
            state == TaskState::Cancelled && finished.error
                ? *finished.error
                : Error::make(
                    finished.error ? finished.error->kind : Error::Kind::InvalidRequest,
                    tr("It ended as %1 before it could be cancelled%2")
                        .arg(taskStateLabel(state),
                             finished.error ? QStringLiteral(": ") + finished.error->message : QString())));
    }
    qCInfo(lcTasks) << "finished" << finished.id << taskStateName(state)
                    << (finished.error ? finished.error->message : QString());
    emit taskChanged(finished);
    emit taskFinished(finished);
    pump();
}

void TaskEngine::renewLeases()
{
    if (!m_jobs.empty()) {
        m_leases->renew();
        // renew() covers tasks under way; a retried download holds the lease of an ended task.
        for (const auto &[id, job] : m_jobs) {
            if (job->retryOnly && !m_leases->claim(id))
                qCWarning(lcTasks) << "could not renew the lease of" << id;
        }
    }
    m_clock.callAfter(m_config.leaseRenewMs, this, [this] { renewLeases(); });
}

int TaskEngine::retryDownloads()
{
    return m_downloads->retryMissing();
}

} // namespace tessera
