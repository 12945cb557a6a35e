#include "taskengine.h"

#include "actionplanner.h"
#include "model/clock.h"
#include "model/futures.h"
#include "logging.h"
#include "net/transport.h"
#include "providers/providerregistry.h"
#include "secrets/secretstore.h"
#include "storage/historystore.h"
#include "storage/imagearchive.h"

#include <QCoreApplication>
#include <QFile>
#include <QFuture>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QUuid>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <unistd.h>
#endif

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

QString newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// The PID namespace of this process (Linux): two processes with the same host name and PID in different
// containers are not the same process.
QString pidNamespace()
{
#ifdef Q_OS_LINUX
    char target[64] = {};
    const ssize_t n = ::readlink("/proc/self/ns/pid", target, sizeof target - 1);
    if (n > 0)
        return QString::fromLatin1(target, n);
#endif
    return {};
}

// "host|pid namespace|pid|uuid": an engine's lease owner id. The uuid makes it unique; the rest lets
// another process of this machine tell that the owner has died (kill -9, power cut of the process)
// and take its tasks over at once instead of waiting for the lease to run out.
QString newOwnerId()
{
    const QString host = QSysInfo::machineHostName().remove(QLatin1Char('|'));
    return QStringList {host, pidNamespace(), QString::number(QCoreApplication::applicationPid()), newId()}
        .join(QLatin1Char('|'));
}

// True only when `owner` is certainly a process of this machine that no longer exists. Anything else
// (another machine, an older id format, no way to ask) counts as alive: its lease then simply runs out.
bool ownerIsDead(const QString &owner)
{
    const QStringList parts = owner.split(QLatin1Char('|'));
    if (parts.size() != 4)
        return false;
    const QString host = QSysInfo::machineHostName().remove(QLatin1Char('|'));
    bool ok = false;
    const qint64 pid = parts[2].toLongLong(&ok);
    if (!ok || pid <= 0 || parts[0] != host || parts[1] != pidNamespace()
        || pid == QCoreApplication::applicationPid())
        return false;
#ifdef Q_OS_UNIX
    return ::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH;
#else
    return false;
#endif
}

// The "N images could not be saved" note of a task whose images are not all in the archive.
std::optional<Error> missingImagesNote(const QList<ImageRef> &images)
{
    QStringList reasons;
    bool onlyExpired = true;
    for (const ImageRef &img : images) {
        if (img.state == ImageState::Failed) {
            onlyExpired = false;
            reasons.append(img.error);
        } else if (img.state == ImageState::Expired) {
            reasons.append(img.error.isEmpty() ? tr("its link has expired") : img.error);
        }
    }
    if (reasons.isEmpty())
        return std::nullopt;
    const auto count = reasons.size();
    const QString what
        = count == 1 ? tr("1 image could not be saved") : tr("%1 images could not be saved").arg(count);
    return Error::make(onlyExpired ? Error::Kind::NotFound : Error::Kind::Io,
                       what + QStringLiteral(": ") + reasons.join(QStringLiteral("; ")));
}

// 404, 403 and 410 on a result file mean the vendor no longer has it (PROVIDERS.md §7: expired URLs
// answer 403; downloads never carry the key, so a 403 there is not about the key).
bool meansExpired(const Error &e)
{
    return e.httpStatus == 404 || e.httpStatus == 403 || e.httpStatus == 410
        || e.kind == Error::Kind::NotFound;
}

Error downloadFailure(const HttpResponse &response)
{
    const int status = response.status;
    if (status == 404 || status == 403 || status == 410)
        return Error::make(
            Error::Kind::NotFound,
            tr("The provider no longer has this file (HTTP %1); result links expire after some "
               "days")
                .arg(status),
            status);
    return Error::make(status >= 500 ? Error::Kind::ServerError : Error::Kind::BadResponse,
                       tr("The file server answered HTTP %1").arg(status), status);
}

} // namespace

struct TaskEngine::Job
{
    // Preparing: the submit call is being built on the pool (vary region with a mask); nothing sent yet.
    // AwaitingPrompt: the vendor parked the task for a modal that takes a prompt (midjourney-proxy with
    // Remix on) and the user is asked for it; nothing more is sent until answerRemixPrompt().
    enum class Phase { Waiting, Preparing, Submitting, AwaitingPrompt, Polling, Cancelling, Downloading };

    Task task;
    Account account;
    const ProviderAdapter *adapter = nullptr;
    PollPolicy policy;
    Phase phase = Phase::Waiting;
    int generation = 0; // unique per job, increasing: callbacks of a job that ended never touch a new one
    QPointer<TransportReply> reply; // the request in flight, if any
    qint64 runStartMs = 0;
    int runFirstPoll = 0; // task.pollCount when this run started: the run's own checks are counted from it
    qint64 intervalMs = 0;
    qint64 notBeforeMs = 0; // a waiting job is not submitted before this (after a 429/503 answer)
    int errorsInRow = 0;
    // A cancel waits for the moment it can be sent: the submit's answer (the task's id), or the key.
    bool cancelRequested = false;
    // Someone asked to cancel and waits for cancelAnswered(); finishRun() answers if nothing else did.
    bool cancelPending = false;
    // Each scheduled poll carries the token current when it was scheduled; a newer schedule (or a batch
    // answer) makes older timers stale, so a task is never polled twice for one turn.
    quint64 pollToken = 0;
    bool batchPending = false; // its status is asked in a batch request now in flight
    bool modalAnswered = false; // AwaitingPrompt: the prompt is in; the modal goes once the key is known
    bool singlePollNext = false; // the last batch did not answer for it: ask alone once
    const QString &remoteId() const { return task.remoteId; }
    int downloadsInFlight = 0;
    // The account's API key for this run, read from the SecretStore when the job starts; in memory only.
    enum class Key { Ready, Loading, Failed };
    Key keyState = Key::Ready;
    QString apiKey;
    std::optional<Error> keyError;
    QList<QPointer<TransportReply>> downloads; // result files in flight
    QStringList downloadErrors;
    // An ended task whose missing images are fetched again (TaskEngine::retryDownloads): it stays
    // Succeeded and takes no account slot.
    bool retryOnly = false;

    // Stops every request of this job; their answers will never be looked at.
    void abortAll(QObject *receiver, bool deleteNow)
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
};

namespace {
int g_nextGeneration = 1;
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
    , m_owner(newOwnerId())
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
    for (const QPointer<TransportReply> &batch : std::as_const(m_batchReplies)) {
        if (batch) {
            batch->disconnect(this);
            batch->abort();
            delete batch.data();
        }
    }
    // Tasks still under way stay in their state; releasing the leases lets the next process (or
    // `tessera-cli wait`) take them over at once instead of after the lease runs out.
    if (const Status s = m_store.releaseAllLeases(m_owner); !s)
        qCWarning(lcTasks) << "could not release task leases:" << s.error().message;
}

TaskEngine::Job *TaskEngine::jobFor(const QString &taskId, int generation) const
{
    const auto it = m_jobs.find(taskId);
    if (it == m_jobs.end() || (generation != 0 && it->second->generation != generation))
        return nullptr;
    return it->second.get();
}

bool TaskEngine::isDriving(const QString &taskId) const
{
    return m_jobs.count(taskId) != 0;
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

void TaskEngine::touch(Job &job)
{
    job.task.updated = m_clock.now();
}

bool TaskEngine::persist(Job &job, bool withImages)
{
    touch(job);
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
    Task stopped = job.task;
    stopped.state = TaskState::Failed;
    stopped.error = s.error();
    const bool cancelPending = job.cancelPending;
    job.abortAll(this, false);
    m_jobs.erase(stopped.id);
    if (cancelPending)
        answerCancel(stopped.id, false, s.error());
    emit storageFailed(s.error());
    emit taskChanged(stopped);
    emit taskFinished(stopped);
    return false;
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
    task.id = newId();
    task.accountId = (*account)->id;
    task.operation = op;
    task.prompt = op.prompt;
    task.created = m_clock.now();
    task.updated = task.created;
    task.state = TaskState::Queued;
    std::optional<Task> parent;
    if (isAction(op.kind)) {
        const auto found = m_store.task(op.parentTaskId);
        if (!found)
            return found.error();
        if (!found->has_value())
            return Error::make(Error::Kind::InvalidRequest,
                               tr("parent: there is no task \"%1\"").arg(op.parentTaskId));
        parent = **found;
        if (parent->accountId != task.accountId)
            return Error::make(Error::Kind::InvalidRequest,
                               tr("account: an action runs on the account of its parent task"));
        task.parentId = parent->id;
        task.tile = op.tile;
        if (task.prompt.isEmpty())
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

    if (const Status s = m_store.insertTask(task, m_owner, m_clock.nowMs() + m_config.leaseMs); !s)
        return s.error();
    Account used = **account;
    used.lastUsed = task.created;
    if (const Status s = m_store.saveAccount(used); !s)
        qCWarning(lcTasks) << "could not record account use:" << s.error().message;

    qCInfo(lcTasks) << "queued" << task.id << operationKindName(op.kind) << "on" << used.family;
    startJob(task, used, adapter);
    emit taskAdded(task);
    pump();
    return task.id;
}

TaskEngine::Job *TaskEngine::startJob(const Task &task, const Account &account,
                                      const ProviderAdapter *adapter, bool needsKey)
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
            schedulePoll(*current, 0);
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
    if (job.task.parentId.isEmpty())
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
    if (p.state == TaskState::Succeeded)
        return ParentGate::Ready;
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
    SubmitContext context;
    context.account = job.account;
    if (!job.task.parentId.isEmpty()) {
        const auto parent = m_store.task(job.task.parentId);
        if (!parent || !parent->has_value()) {
            finishRun(job, TaskState::Failed,
                      parent ? Error::make(Error::Kind::InvalidRequest,
                                           tr("The parent task is no longer in the history"))
                             : parent.error());
            return;
        }
        context.parent = **parent;
    }
    if (!job.task.operation.mask.isEmpty()) {
        // A mask is decoded, fitted, encoded (and for polygons traced) while the call is built: on the
        // pool, so a large upscale never stalls the GUI thread. Adapters are stateless values.
        job.phase = Job::Phase::Preparing;
        const ProviderAdapter *adapter = job.adapter;
        const Operation op = job.task.operation;
        const QString id = job.task.id;
        const int generation = job.generation;
        whenReady(this, QtConcurrent::run([adapter, op, context] { return adapter->buildSubmit(op, context); }),
                  [this, id, generation](const Result<HttpCall> &call) {
                      if (Job *current = jobFor(id, generation);
                          current && current->phase == Job::Phase::Preparing)
                          send(*current, call);
                  });
        return;
    }
    send(job, job.adapter->buildSubmit(job.task.operation, context));
}

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
    emit taskChanged(job.task);

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

SubmitContext TaskEngine::contextOf(const Job &job)
{
    SubmitContext context;
    context.account = job.account;
    if (!job.task.parentId.isEmpty()) {
        if (const auto parent = m_store.task(job.task.parentId); parent && parent->has_value())
            context.parent = **parent;
    }
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
    emit taskChanged(job->task);
    sendModal(*job, contextOf(*job));
    return {};
}

void TaskEngine::showWait(Job &job, qint64 untilMs, int httpStatus)
{
    job.task.remote.insert(QStringLiteral("waitUntil"), untilMs);
    job.task.remote.insert(QStringLiteral("waitStatus"), httpStatus);
    if (!persist(job))
        return;
    emit taskChanged(job.task);
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
        const bool provenNotCreated
            = e.httpStatus == 429 || e.httpStatus == 503 || e.kind == Error::Kind::RateLimited;
        if (!modal && provenNotCreated && job->cancelRequested) {
            finishRun(*job, TaskState::Cancelled,
                      Error::make(Error::Kind::Cancelled, tr("Cancelled before the provider took it")));
            return;
        }
        if (!modal && (provenNotCreated || (job->adapter->resubmitIsSafe() && e.isTransient()))
            && !job->cancelRequested) {
            const qint64 now = m_clock.nowMs();
            const qint64 retryAt = e.retryAfter.isValid()
                ? e.retryAfter.toMSecsSinceEpoch()
                : now + 1000 + QRandomGenerator::global()->bounded(4000);
            qCInfo(lcTasks) << "submit of" << taskId << "refused for now:" << e.message << "- retrying later";
            job->phase = Job::Phase::Waiting;
            job->notBeforeMs = std::max(now, retryAt);
            job->task.state = TaskState::Queued;
            job->task.error = e;
            job->task.remote.insert(QStringLiteral("waitUntil"), job->notBeforeMs);
            job->task.remote.insert(QStringLiteral("waitStatus"),
                                    e.kind != Error::Kind::RateLimited && e.httpStatus == 503 ? 503 : 429);
            if (!persist(*job))
                return;
            emit taskChanged(job->task);
            pump();
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
        const std::optional<QString> remix
            = m_asksRemixPrompts && !job->cancelRequested ? job->adapter->remixPrompt(job->task.operation, context)
                                                          : std::nullopt;
        if (remix) {
            // Remix: the user may change the prompt before the modal is sent (issue 12).
            job->phase = Job::Phase::AwaitingPrompt;
            job->task.state = TaskState::Submitted; // the vendor has it, parked
            job->task.remote.insert(QStringLiteral("remixPrompt"), *remix);
            if (!persist(*job))
                return;
            emit taskChanged(job->task);
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
    emit taskChanged(job->task);
    qCInfo(lcTasks) << "submitted" << taskId << "as" << job->task.remoteId;

    if (outcome->immediate) {
        // The answer already is the result (a seed): nothing to poll.
        job->phase = Job::Phase::Polling;
        job->runStartMs = m_clock.nowMs();
        job->runFirstPoll = job->task.pollCount;
        applySnapshot(*job, *outcome->immediate);
        return;
    }

    job->phase = Job::Phase::Polling;
    job->runStartMs = m_clock.nowMs();
    job->runFirstPoll = job->task.pollCount;
    job->intervalMs = job->policy.intervalMs;
    if (job->cancelRequested) {
        // The user cancelled while the submit was on the wire: now that the task has an id, cancel it.
        job->cancelRequested = false;
        if (const Status s = cancelJob(*job); !s) {
            qCWarning(lcTasks) << "cancel after submit failed:" << s.error().message;
            job->cancelPending = false;
            answerCancel(taskId, false, s.error());
            schedulePoll(*job, job->policy.firstPollMs);
        }
        return;
    }
    schedulePoll(*job, job->policy.firstPollMs);
}

void TaskEngine::schedulePoll(Job &job, qint64 delayMs)
{
    const QString id = job.task.id;
    const int generation = job.generation;
    const quint64 token = ++job.pollToken;
    m_clock.callAfter(delayMs, this, [this, id, generation, token] {
        if (Job *current = jobFor(id, generation); current && current->pollToken == token)
            poll(id, generation);
    });
}

bool TaskEngine::pollLimitReached(Job &job)
{
    const PollPolicy &policy = job.policy;
    const qint64 elapsed = m_clock.nowMs() - job.runStartMs;
    const int runPolls = job.task.pollCount - job.runFirstPoll;
    const QString still = job.task.progress
        ? tr("it was still running (%1 %) at the last check").arg(*job.task.progress)
        : tr("it was still running at the last check");
    if (policy.pollBudget > 0 && job.task.pollCount >= policy.pollBudget) {
        finishRun(job, TaskState::Unfinished,
                  Error::make(Error::Kind::StillRunning,
                              tr("%1 allows no more status checks for this task: all %2 were used, and %3. "
                                 "Its result can no longer be fetched through the API; look for it on the "
                                 "provider's site.")
                                  .arg(job.adapter->displayName())
                                  .arg(policy.pollBudget)
                                  .arg(still)));
        return true;
    }
    if ((policy.maxPolls > 0 && runPolls >= policy.maxPolls) || elapsed >= policy.timeoutMs) {
        const QString reason = policy.maxPolls > 0 && runPolls >= policy.maxPolls
            ? tr("Tessera stopped asking after %1 status checks, the most allowed for this account; %2. "
                 "Check again later.")
                  .arg(runPolls)
                  .arg(still)
            : tr("Tessera stopped asking after %1; %2. Check again later.").arg(durationText(elapsed), still);
        finishRun(job, TaskState::Unfinished, Error::make(Error::Kind::StillRunning, reason));
        return true;
    }
    return false;
}

bool TaskEngine::pollsLeft(const Job &job) const
{
    const PollPolicy &policy = job.policy;
    if (policy.pollBudget > 0 && job.task.pollCount >= policy.pollBudget)
        return false;
    if (policy.maxPolls > 0 && job.task.pollCount - job.runFirstPoll >= policy.maxPolls)
        return false;
    return m_clock.nowMs() - job.runStartMs < policy.timeoutMs;
}

bool TaskEngine::pollInBatch(Job &job)
{
    // Other tasks of the same account waiting for their next check go along in one request (PROVIDERS.md
    // §6); their own timers become stale. Families without batch status answer no call.
    std::vector<Job *> batch {&job};
    for (auto &[id, other] : m_jobs) {
        Job *o = other.get();
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
            if (Job *first = jobFor(members.first().first, members.first().second)) {
                qCInfo(lcTasks) << "batch status refused for" << first->account.displayName() << "-"
                                << snapshots.error().message << "- polling tasks one by one";
                m_noBatch.insert(first->account.id);
            }
        }
        for (const auto &[id, generation] : members) {
            Job *j = jobFor(id, generation);
            if (!j)
                continue;
            j->batchPending = false;
            if (j->phase != Job::Phase::Polling)
                continue;
            if (snapshots && snapshots->contains(j->task.remoteId)) {
                j->errorsInRow = 0;
                applySnapshot(*j, snapshots->value(j->task.remoteId));
                continue;
            }
            // Missing from the answer, or the batch failed: this task is asked alone, at once.
            --j->task.pollCount;
            schedulePoll(*j, 0);
            j->singlePollNext = true;
        }
    });
    return true;
}

void TaskEngine::poll(const QString &taskId, int generation)
{
    Job *job = jobFor(taskId, generation);
    if (!job || job->phase != Job::Phase::Polling || job->reply || job->batchPending)
        return;
    if (job->keyState == Job::Key::Loading)
        return; // the key's answer schedules the poll
    if (job->keyState == Job::Key::Failed) {
        // The task may well be running at the vendor: keep it checkable once the key is back.
        finishRun(*job, TaskState::Unfinished, job->keyError);
        return;
    }
    if (pollLimitReached(*job))
        return;
    if (!job->singlePollNext && pollInBatch(*job))
        return;
    job->singlePollNext = false;
    ++job->task.pollCount;
    // Where the vendor counts every check of a task, the count is stored before the check is sent: a
    // process that ends now leaves the next one a count that is never too low.
    if (job->policy.pollBudget > 0 && !persist(*job))
        return;
    TransportReply *reply = m_transport.send(job->adapter->buildStatus(job->task.remoteId, job->account),
                                             job->account, job->apiKey);
    job->reply = reply;
    connect(reply, &TransportReply::finished, this,
            [this, taskId, generation, reply] { onStatus(taskId, generation, reply); });
}

void TaskEngine::onStatus(const QString &taskId, int generation, TransportReply *reply)
{
    reply->deleteLater();
    Job *job = jobFor(taskId, generation);
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
            finishRun(*job, TaskState::Failed, e);
            return;
        }
        if (++job->errorsInRow >= m_config.maxTransientErrors) {
            Error stuck = e;
            stuck.message
                = tr("Status checks keep failing (%1). The task may still finish; check again later.")
                      .arg(e.userText());
            finishRun(*job, TaskState::Unfinished, stuck);
            return;
        }
        qCInfo(lcTasks) << "status check of" << taskId << "failed, will retry:" << e.userText();
        job->task.error = e; // shown while retrying; cleared by the next good answer
        if (!persist(*job))
            return;
        emit taskChanged(job->task);
        qint64 delay = job->intervalMs;
        if (e.retryAfter.isValid())
            delay = std::max<qint64>(delay, e.retryAfter.toMSecsSinceEpoch() - m_clock.nowMs());
        schedulePoll(*job, delay);
        return;
    }

    job->errorsInRow = 0;
    applySnapshot(*job, *snapshot);
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
        startDownloads(job, snapshot);
        return;
    default:
        break;
    }
    job.task.state = snapshot.state == TaskState::Submitted ? TaskState::Submitted : TaskState::Running;
    if (!persist(job))
        return;
    emit taskChanged(job.task);
    if (job.task.remoteId.isEmpty()) {
        finishRun(job, TaskState::Unknown,
                  Error::make(Error::Kind::BadResponse, tr("The provider gave no task id to follow")));
        return;
    }
    schedulePoll(job, job.intervalMs);
    job.intervalMs = nextInterval(job);
}

qint64 TaskEngine::nextInterval(const Job &job) const
{
    const PollPolicy &policy = job.policy;
    qint64 next = job.intervalMs;
    if (job.task.pollCount - job.runFirstPoll > policy.steadyPolls)
        next = std::min<qint64>(policy.maxIntervalMs, std::llround(double(next) * policy.growth));
    return std::max<qint64>(next, policy.minIntervalMs);
}

void TaskEngine::startDownloads(Job &job, const TaskSnapshot &snapshot)
{
    job.phase = Job::Phase::Downloading;
    // The vendor deletes results some days after the task was created (PROVIDERS.md, "General rules");
    // past that an image not yet in the archive is marked Expired (HistoryStore::markExpiredImages).
    const int retentionDays = job.adapter->capabilities(job.account).resultRetentionDays;
    const QDateTime created = job.task.created.isValid() ? job.task.created : m_clock.now();
    const QDateTime expires = retentionDays > 0 ? created.addDays(retentionDays) : QDateTime();
    // Keep what an earlier run already stored; everything else is (re)fetched.
    QList<ImageRef> images;
    for (const RemoteImage &remote : snapshot.results) {
        ImageRef img;
        img.role = remote.role;
        img.index = remote.index;
        img.remoteUrl = remote.url;
        img.state = ImageState::Pending;
        img.expires = expires;
        for (const ImageRef &old : job.task.images) {
            if (old.role == img.role && old.index == img.index && old.isLocal())
                img = old;
        }
        images.append(img);
    }
    for (const ImageRef &old : job.task.images) {
        if (old.role == ImageRole::Tile && old.isLocal()
            && std::none_of(images.cbegin(), images.cend(),
                            [&](const ImageRef &i) { return i.role == old.role && i.index == old.index; }))
            images.append(old);
    }
    job.task.images = images;
    job.task.state = TaskState::Running;
    job.task.progress = 100;
    // What a write killed before its rename left (no ingest of this task is under way now).
    ImageArchive::removeLeftovers(m_archive.root(), ImageArchive::taskFolder(job.task.id, job.task.created));
    // The URLs are on disk before any download starts: an interrupted download resumes at the next start.
    if (!persist(job, true))
        return;
    emit taskChanged(job.task);
    downloadNext(job);
}

void TaskEngine::downloadNext(Job &job)
{
    for (int slot = 0; slot < job.task.images.size(); ++slot) {
        const ImageRef &img = job.task.images[slot];
        if (img.state != ImageState::Pending || img.remoteUrl.isEmpty())
            continue;
        ++job.downloadsInFlight;
        TransportReply *reply
            = m_transport.download(QUrl(img.remoteUrl), job.account, m_config.maxDownloadBytes);
        job.downloads.append(reply);
        const QString id = job.task.id;
        const int generation = job.generation;
        connect(reply, &TransportReply::finished, this,
                [this, id, generation, slot, reply] { onDownloaded(id, generation, slot, reply); });
    }
    if (job.downloadsInFlight == 0)
        finishDownloads(job);
}

void TaskEngine::onDownloaded(const QString &taskId, int generation, int slot, TransportReply *reply)
{
    reply->deleteLater();
    Job *job = jobFor(taskId, generation);
    if (!job)
        return;
    job->downloads.removeAll(reply);
    const Result<HttpResponse> &result = reply->result();
    std::optional<Error> failure;
    if (!result)
        failure = result.error();
    else if (!result->isSuccess())
        failure = downloadFailure(*result);
    if (failure) {
        ImageRef &img = job->task.images[slot];
        img.state = meansExpired(*failure) ? ImageState::Expired : ImageState::Failed;
        img.error = failure->userText();
        job->downloadErrors.append(img.error);
        qCWarning(lcTasks) << "download failed for" << taskId << img.remoteUrl << img.error;
        if (--job->downloadsInFlight == 0)
            finishDownloads(*job);
        return;
    }
    const ImageRef &img = job->task.images[slot];
    ImageArchive::Ingest request;
    request.bytes = result->body;
    request.root = m_archive.root();
    request.folder = ImageArchive::taskFolder(job->task.id, job->task.created);
    request.role = img.role;
    request.index = img.index;
    request.remoteUrl = img.remoteUrl;
    request.splitGrid = img.role == ImageRole::Grid;
    request.allocationLimitMb = m_config.decodeLimitMb;
    // Decoding, splitting and writing happen on the pool; the result comes back to this thread.
    // A watcher owned by the engine (not QFuture::then with the engine as context, which asserts when the
    // engine is destroyed first): once the engine is gone the stored files simply wait for the next run.
    whenReady(this, QtConcurrent::run(&ImageArchive::ingest, request),
              [this, taskId, generation, slot](const Result<QList<ImageRef>> &stored) {
                  onIngested(taskId, generation, slot, stored);
              });
}

void TaskEngine::onIngested(const QString &taskId, int generation, int slot,
                            const Result<QList<ImageRef>> &stored)
{
    Job *job = jobFor(taskId, generation);
    if (!job)
        return;
    if (!stored) {
        ImageRef &img = job->task.images[slot];
        img.state = ImageState::Failed;
        img.error = stored.error().userText();
        job->downloadErrors.append(img.error);
    } else {
        const QDateTime expires = job->task.images[slot].expires; // the link's, kept for the record
        job->task.images[slot] = stored->first();
        job->task.images[slot].expires = expires;
        for (qsizetype i = 1; i < stored->size(); ++i) {
            const ImageRef &tile = stored->at(i);
            auto existing
                = std::find_if(job->task.images.begin(), job->task.images.end(), [&](const ImageRef &r) {
                      return r.role == tile.role && r.index == tile.index;
                  });
            if (existing != job->task.images.end())
                *existing = tile;
            else
                job->task.images.append(tile);
        }
        // Recorded at once: after a crash an image already in the archive is not fetched again.
        if (!persist(*job, true))
            return;
    }
    if (--job->downloadsInFlight == 0)
        finishDownloads(*job);
}

void TaskEngine::finishDownloads(Job &job)
{
    if (job.retryOnly) {
        finishRetry(job);
        return;
    }
    std::optional<Error> warning;
    if (!job.downloadErrors.isEmpty()) {
        const bool expired = std::all_of(job.task.images.cbegin(), job.task.images.cend(),
                                         [](const ImageRef &i) { return i.state != ImageState::Failed; });
        const auto count = job.downloadErrors.size();
        const QString what
            = count == 1 ? tr("1 image could not be saved") : tr("%1 images could not be saved").arg(count);
        warning = Error::make(expired ? Error::Kind::NotFound : Error::Kind::Io,
                              what + QStringLiteral(": ") + job.downloadErrors.join(QStringLiteral("; ")));
    }
    std::sort(job.task.images.begin(), job.task.images.end(), [](const ImageRef &a, const ImageRef &b) {
        return a.role != b.role ? a.role < b.role : a.index < b.index;
    });
    finishRun(job, TaskState::Succeeded, warning);
}

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

    const auto stored = m_store.task(taskId);
    if (!stored)
        return stored.error();
    if (!stored->has_value())
        return Error::make(Error::Kind::NotFound, tr("There is no task \"%1\"").arg(taskId));
    Task task = **stored;
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
        emit taskChanged(current->task);
        answerCancel(taskId, false, accepted.error());
        schedulePoll(*current, current->intervalMs);
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

Status TaskEngine::check(const QString &taskId)
{
    if (isDriving(taskId))
        return {};
    const auto stored = m_store.task(taskId);
    if (!stored)
        return stored.error();
    if (!stored->has_value())
        return Error::make(Error::Kind::NotFound, tr("There is no task \"%1\"").arg(taskId));
    Task task = **stored;
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
    const qint64 now = m_clock.nowMs();
    if (const auto owners = m_store.leaseOwners(now); owners)
        releaseDeadLeases(*owners);
    const auto claimed = m_store.claimOrphans(m_owner, now, now + m_config.leaseMs);
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
    return tr("%1 allows no more status checks for this task: all %2 were used").arg(family).arg(policy.pollBudget);
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
    const qint64 now = m_clock.nowMs();
    if (const auto holder = m_store.leaseHolder(taskId, now); holder && !holder->isEmpty())
        releaseDeadLeases({*holder});
    const auto claimed = m_store.claimOrphans(m_owner, now, now + m_config.leaseMs, taskId);
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
            emit taskChanged(job->task);
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
        emit taskChanged(job->task);
        if (m_asksRemixPrompts)
            emit remixPromptNeeded(task.id, suggested);
        else if (const Status s = answerRemixPrompt(task.id, suggested); !s)
            finishRun(*job, TaskState::Failed, s.error());
        return;
    }
    job->phase = Job::Phase::Polling;
    job->runStartMs = m_clock.nowMs();
    job->runFirstPoll = job->task.pollCount;
    job->intervalMs = job->policy.intervalMs;
    emit taskChanged(job->task);
    // A task taken over starts with a check at once, unless the vendor's least interval says otherwise
    // (the last check may have been moments ago, in the process that ended).
    schedulePoll(*job, job->policy.minIntervalMs);
}

void TaskEngine::finishRun(Job &job, TaskState state, std::optional<Error> error)
{
    job.abortAll(this, false);
    job.task.state = state;
    job.task.error = std::move(error);
    job.task.finished = m_clock.now();
    if (!persist(job, true))
        return; // persist() already reported and ended the job
    if (const Status s = m_store.releaseLease(job.task.id, m_owner); !s)
        qCWarning(lcTasks) << "could not release the lease of" << job.task.id << s.error().message;
    const Task finished = job.task;
    const bool cancelPending = job.cancelPending;
    m_jobs.erase(finished.id);
    if (cancelPending) {
        answerCancel(finished.id, state == TaskState::Cancelled,
                     state == TaskState::Cancelled && finished.error
                         ? *finished.error
                         : Error::make(finished.error ? finished.error->kind : Error::Kind::InvalidRequest,
                                       tr("It ended as %1 before it could be cancelled%2")
                                           .arg(taskStateLabel(state),
                                                finished.error ? QStringLiteral(": ") + finished.error->message
                                                               : QString())));
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
        const qint64 now = m_clock.nowMs();
        if (const Status s = m_store.renewLeases(m_owner, now + m_config.leaseMs); !s)
            qCWarning(lcTasks) << "could not renew task leases:" << s.error().message;
        // renewLeases() covers tasks under way; a retried download holds the lease of an ended task.
        for (const auto &[id, job] : m_jobs) {
            if (job->retryOnly && !m_store.claimTask(id, m_owner, now, now + m_config.leaseMs).valueOr(false))
                qCWarning(lcTasks) << "could not renew the lease of" << id;
        }
    }
    m_clock.callAfter(m_config.leaseRenewMs, this, [this] { renewLeases(); });
}

void TaskEngine::releaseDeadLeases(const QStringList &owners)
{
    for (const QString &owner : owners) {
        if (owner == m_owner || !ownerIsDead(owner))
            continue;
        qCInfo(lcTasks) << "the process" << owner
                        << "has ended without releasing its tasks; taking them over";
        if (const Status s = m_store.releaseAllLeases(owner); !s)
            qCWarning(lcTasks) << "could not release the leases of" << owner << s.error().message;
    }
}

int TaskEngine::retryDownloads()
{
    const qint64 now = m_clock.nowMs();
    // Past its expiry a link is not tried again: the image becomes Expired (never deleted).
    if (const Result<int> expired = m_store.markExpiredImages(now); !expired)
        qCWarning(lcTasks) << "cannot mark expired images:" << expired.error().message;
    else if (*expired > 0)
        qCInfo(lcTasks) << *expired << "image links have expired";
    const auto tasks = m_store.tasksWithUndownloadedImages();
    if (!tasks) {
        qCWarning(lcTasks) << "cannot look for images to download again:" << tasks.error().message;
        return 0;
    }
    int queued = 0;
    for (const Task &task : *tasks) {
        if (!m_retryQueue.contains(task.id) && !isDriving(task.id)) {
            m_retryQueue.append(task.id);
            ++queued;
        }
    }
    startNextRetry();
    return queued;
}

void TaskEngine::startNextRetry()
{
    const auto running = [this] {
        return std::count_if(m_jobs.cbegin(), m_jobs.cend(),
                             [](const auto &j) { return j.second->retryOnly; });
    };
    while (!m_retryQueue.isEmpty() && running() < std::max(1, m_config.maxDownloadRetries))
        startRetry(m_retryQueue.takeFirst());
}

bool TaskEngine::startRetry(const QString &taskId)
{
    if (isDriving(taskId))
        return false;
    const qint64 now = m_clock.nowMs();
    if (const auto holder = m_store.leaseHolder(taskId, now); holder && !holder->isEmpty())
        releaseDeadLeases({*holder});
    // The lease keeps another process (the CLI, a second window) from fetching the same files.
    const Result<bool> claimed = m_store.claimTask(taskId, m_owner, now, now + m_config.leaseMs);
    if (!claimed || !*claimed)
        return false;
    // Read again under the lease: what the list said may have changed since.
    const auto stored = m_store.task(taskId);
    const auto release = [&] {
        if (const Status s = m_store.releaseLease(taskId, m_owner); !s)
            qCWarning(lcTasks) << "could not release the lease of" << taskId << s.error().message;
    };
    if (!stored || !stored->has_value() || (*stored)->state != TaskState::Succeeded) {
        release();
        return false;
    }
    Task task = **stored;
    const auto account = m_store.account(task.accountId);
    const ProviderAdapter *adapter
        = account && account->has_value() ? m_providers.adapter((*account)->family) : nullptr;
    bool any = false;
    for (ImageRef &img : task.images) {
        if ((img.state == ImageState::Pending || img.state == ImageState::Failed)
            && !img.remoteUrl.isEmpty()) {
            img.state = ImageState::Pending;
            any = true;
        }
    }
    if (!adapter || !any) {
        release();
        return false;
    }
    qCInfo(lcTasks) << "fetching again the missing images of" << taskId;
    ImageArchive::removeLeftovers(m_archive.root(), ImageArchive::taskFolder(task.id, task.created));
    Job *job = startJob(task, **account, adapter, false);
    job->retryOnly = true;
    job->phase = Job::Phase::Downloading;
    downloadNext(*job);
    return true;
}

void TaskEngine::finishRetry(Job &job)
{
    // Images still Pending here were never asked for (no URL): they keep their state.
    std::sort(job.task.images.begin(), job.task.images.end(), [](const ImageRef &a, const ImageRef &b) {
        return a.role != b.role ? a.role < b.role : a.index < b.index;
    });
    job.task.error = missingImagesNote(job.task.images);
    const QString id = job.task.id;
    if (!persist(job, true))
        return; // persist() reported it and ended the job
    if (const Status s = m_store.releaseLease(id, m_owner); !s)
        qCWarning(lcTasks) << "could not release the lease of" << id << s.error().message;
    const Task done = job.task;
    m_jobs.erase(id);
    qCInfo(lcTasks) << "missing images of" << id
                    << (done.error ? done.error->message : QStringLiteral("saved"));
    emit taskChanged(done);
    QMetaObject::invokeMethod(
        this, [this] { startNextRetry(); }, Qt::QueuedConnection);
}

} // namespace tessera
