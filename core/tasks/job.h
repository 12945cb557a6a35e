#pragma once

#include "model/account.h"
#include "model/error.h"
#include "model/task.h"
#include "net/transport.h"
#include "providers/provideradapter.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

// One task being driven, and what the engine's parts (TaskEngine, PollScheduler, Downloader) need from
// the engine that owns the jobs. Internal to core/tasks.
namespace tessera {

struct Job
{
    // Preparing: the submit call is being built on the pool (vary region with a mask); nothing sent yet.
    // AwaitingPrompt: the vendor parked the task for a modal that takes a prompt (midjourney-proxy with
    // Remix on) and the user is asked for it; nothing more is sent until answerRemixPrompt().
    enum class Phase { Waiting, Preparing, Submitting, AwaitingPrompt, Polling, Cancelling, Downloading };

    Task task;
    Account account;
    const ProviderAdapter *adapter = nullptr;
    PollPolicy policy;
    // The task this one acts on, as it was when the job was set up (loaded once; actions only).
    std::optional<Task> parent;
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
    // An ended task whose missing images are fetched again (Downloader::retryMissing): it stays
    // Succeeded and takes no account slot.
    bool retryOnly = false;

    // Stops every request of this job; their answers will never be looked at.
    void abortAll(QObject *receiver, bool deleteNow);
};

// What the engine's parts ask of the engine that owns the jobs.
class JobHost
{
public:
    virtual ~JobHost() = default;
    // The job of `taskId`; with `generation` 0 whichever is current, else only that run of it.
    virtual Job *jobFor(const QString &taskId, int generation) const = 0;
    virtual std::vector<Job *> jobs() const = 0;
    // Writes the job's task; on failure stops the job and reports. False when it failed (the job is gone).
    virtual bool persist(Job &job, bool withImages = false) = 0;
    virtual void changed(const Job &job) = 0; // taskChanged(job.task)
    // Ends the run: stores the terminal state, releases the lease, reports. The job is gone afterwards.
    virtual void finishRun(Job &job, TaskState state, std::optional<Error> error = std::nullopt) = 0;
    // A status answer for a polled job: the state it moves to (and, on success, the downloads).
    virtual void applySnapshot(Job &job, const TaskSnapshot &snapshot) = 0;
    // A job for an ended task whose images are fetched again, and its end (no terminal state, no slot).
    virtual Job *startRetryJob(const Task &task, const Account &account, const ProviderAdapter *adapter) = 0;
    virtual void endRetryJob(Job &job) = 0;
};

} // namespace tessera
