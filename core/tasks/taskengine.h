#pragma once

#include "job.h"
#include "model/account.h"
#include "model/httpcall.h"
#include "model/operation.h"
#include "model/result.h"
#include "model/task.h"
#include "providers/provideradapter.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>

namespace tessera {

class Clock;
class Downloader;
class HistoryStore;
class ImageArchive;
class Leases;
class PollScheduler;
class ProviderRegistry;
class SecretStore;
class Transport;
class TransportReply;

// Drives every task through its states for every family (ARCHITECTURE.md, "The flow of one task"):
// submit → poll → download → archive, writing each state change to the HistoryStore before taking the
// next step. Lives on the GUI thread (or the CLI's main thread); all I/O is asynchronous.
//
// Guarantees
// - A submit is sent at most once. A task found in Submitting after a crash becomes Unknown (only the
//   demo, whose submits cost nothing, is sent again).
// - taskFinished() is emitted exactly once per run, when the task enters a terminal state.
// - At most `concurrency` tasks per account are between Submitting and the end of their downloads
//   (account option "concurrency", else Config::defaultConcurrency); the rest wait in Queued.
// - Several processes (GUI and CLI) may share one database: a task is driven only by the engine that
//   holds its lease; leases are renewed while the engine lives and released when it is destroyed.
class TaskEngine : public QObject, private JobHost
{
    Q_OBJECT
public:
    struct Config
    {
        int defaultConcurrency = 3;
        qint64 maxDownloadBytes = 100LL * 1024 * 1024;
        int decodeLimitMb = 512;
        int leaseMs = 30'000;
        int leaseRenewMs = 10'000;
        int adoptIntervalMs = 15'000; // how often to look for tasks another process left behind
        int maxTransientErrors = 8; // failed status checks in a row before a task is Unfinished
        int maxDownloadRetries = 4; // ended tasks whose missing images are fetched again at once
    };

    TaskEngine(HistoryStore &store, ImageArchive &archive, const ProviderRegistry &providers,
               Transport &transport, Clock &clock, Config config, QObject *parent = nullptr);
    ~TaskEngine() override;

    // Where API keys come from (read once per task run, kept in memory only for it). Without a store,
    // requests carry no key — only right for the demo and tests.
    void setSecrets(SecretStore *secrets) { m_secrets = secrets; }

    // Normalises (ProviderAdapter::normalize), validates, stores the task as Queued and starts it when its
    // account has a free slot. Returns the new task's id, or why nothing was stored (nothing is sent in that
    // case). An action that needs a single image, asked on a grid tile, is chained after the U of that tile
    // (ActionPlanner): the U is stored first (or an existing one reused) and the returned id is the
    // action's, whose parent is the upscale. An action waits in Queued until its parent has succeeded, and
    // fails if the parent ends otherwise.
    Result<QString> submit(const Operation &requested, const QString &accountId);

    // Asks to cancel a task, whichever process drives it. Returns an Error at once when nothing can be
    // done (no such task, already ended, being saved); otherwise cancelAnswered() follows exactly once:
    // - Queued: never sent. Unfinished/Unknown: given up locally.
    // - Driven here (or by nobody: this engine takes it over): the family's server-side cancel if it has
    //   one — sent only once the account's key is known — else polling stops and the task says the server
    //   may still finish (and charge) it. While the submit is on the wire the cancel waits for its answer.
    //   A refusal keeps the task running (polling goes on) and carries the vendor's words.
    // - Driven by another live process: the server-side cancel is sent from here; that process sees the
    //   cancelled state at its next status check. Families without one answer with an Error at once.
    Status cancel(const QString &taskId);

    // Asks the server again about an Unfinished or Unknown task (needs its remote id). Refused when the
    // vendor's budget of status checks for the task is spent (PollPolicy::pollBudget: kolersky's 60).
    Status check(const QString &taskId);
    // Whether check() can ask about `task` now, and if not why ("Check again" is disabled with it).
    Availability checkAvailability(const Task &task);

    // Remix (midjourney-proxy, PROVIDERS.md §4): when an action's answer parks the task for a modal that
    // takes a prompt and the account asks for it (ProviderAdapter::remixPrompt), the engine emits
    // remixPromptNeeded() and sends nothing more until answerRemixPrompt() (or cancel(), which sends
    // nothing). Off (the default, and the CLI): the prompt goes as it is, as before.
    void setAsksRemixPrompts(bool asks) { m_asksRemixPrompts = asks; }
    Status answerRemixPrompt(const QString &taskId, const QString &prompt);

    // Takes over tasks that are still under way and that no live process drives: after a restart, or
    // after the CLI submitted a task and exited. Also runs every Config::adoptIntervalMs. A lease held
    // by a process of this machine that no longer exists (killed) is taken over at once, not after it
    // runs out. The first call also marks images past their expiry as Expired and fetches again the
    // images of ended tasks that are still pending or failed (retryDownloads).
    void resume();
    // Fetches again the pending and failed (not expired) images of ended tasks, a few tasks at a time,
    // each under a lease so that two processes never fetch the same task. Images already downloaded
    // are never touched. The task stays Succeeded; taskChanged (not taskFinished) reports the result.
    // Returns how many tasks were queued for it.
    int retryDownloads();
    // At start: asks again about tasks that ended "unfinished" (poll cap or timeout) in the last `maxAgeMs`
    // — vendors keep results for about 15 days — with a fresh budget of status checks. Returns how many.
    int recheckUnfinished(qint64 maxAgeMs = 7LL * 24 * 3600 * 1000);
    // The same for one task; false when another live process drives it.
    Result<bool> adopt(const QString &taskId);

    bool isDriving(const QString &taskId) const;
    int drivingCount() const { return static_cast<int>(m_jobs.size()); }
    QString ownerId() const;

    const ProviderRegistry &providers() const { return m_providers; }

signals:
    void taskAdded(const tessera::Task &task);
    void taskChanged(const tessera::Task &task);
    void taskFinished(const tessera::Task &task);
    // The outcome of cancel(), once per accepted call: `cancelled` true when the task is cancelled (on
    // the server, or locally where the family cannot cancel; `detail` then says which), false when it
    // was not (`detail`: the vendor's refusal, a missing key, or how the task ended meanwhile).
    void cancelAnswered(const QString &taskId, bool cancelled, const tessera::Error &detail);
    // A state change could not be written: the task stopped where it was. Shown to the user.
    void storageFailed(const tessera::Error &error);
    // The task waits for the user's Remix prompt (`suggested`: the prompt it would otherwise carry).
    void remixPromptNeeded(const QString &taskId, const QString &suggested);

private:
    // JobHost: what the engine's parts ask of it.
    Job *jobFor(const QString &taskId, int generation) const override;
    // The stored task, or NotFound ("There is no task …"), or the store's own error.
    Result<Task> storedTask(const QString &taskId) const;
    std::vector<Job *> jobs() const override;
    bool persist(Job &job, bool withImages = false) override;
    void changed(const Job &job) override;
    void finishRun(Job &job, TaskState state, std::optional<Error> error = std::nullopt) override;
    void applySnapshot(Job &job, const TaskSnapshot &snapshot) override;
    Job *startRetryJob(const Task &task, const Account &account, const ProviderAdapter *adapter) override;
    void endRetryJob(Job &job) override;

    Job *startJob(const Task &task, const Account &account, const ProviderAdapter *adapter,
                  bool needsKey = true);
    // Stops a job whose state could not be written: reports it as Failed (storageFailed, taskChanged,
    // taskFinished), answers a pending cancel, releases nothing the store could not record. The one way a
    // run stops without reaching finishRun's own write.
    void abandon(Job &job, const Error &why);
    void pump();
    void submitJob(Job &job);
    void send(Job &job, const Result<HttpCall> &call);
    void onSubmitted(const QString &taskId, int generation, TransportReply *reply, bool modal);
    // A submit the provider refused for now (429/503, proven not created): it waits and goes again.
    void waitToResubmit(Job &job, const Error &e);
    // The submit waits for the provider's limit: kept on the task (remote "waitUntil", ms since the epoch,
    // and "waitStatus", 429 or 503) until it goes again.
    void showWait(Job &job, qint64 untilMs, int httpStatus);
    static void clearWait(Job &job);
    SubmitContext contextOf(const Job &job) const;
    void sendModal(Job &job, const SubmitContext &context);
    void loadKey(Job &job);
    // Reads the account's key (once; nothing for the demo or without a SecretStore) and calls `done` on
    // this thread with it, or with a MissingKey error.
    void readKey(const Account &account, std::function<void(const Result<QString> &)> done);
    Status cancelJob(Job &job);
    // Sends the server-side cancel of a task that another live process drives.
    Status cancelElsewhere(const Task &task);
    // Emits cancelAnswered on the next turn of the event loop (callers may still be inside cancel()).
    void answerCancel(const QString &taskId, bool cancelled, const Error &detail);
    // Whether a job's parent has succeeded (it is then loaded into the job, once), is still on its way, or
    // ended otherwise (the job then fails).
    enum class ParentGate { Ready, Wait, Failed };
    ParentGate parentGate(Job &job);
    std::optional<PollPolicy> policyOf(const Task &task);
    QString budgetSpent(const Task &task, const PollPolicy &policy) const;
    void takeOver(const Task &task);
    void renewLeases();
    int slotsInUse(const QString &accountId) const;
    int concurrencyFor(const Account &account) const;
    // "Task … not found" for a task id the store does not hold (or its read error).
    static Result<Task> found(const Result<std::optional<Task>> &stored, const QString &taskId);

    HistoryStore &m_store;
    bool m_asksRemixPrompts = false;
    ImageArchive &m_archive;
    const ProviderRegistry &m_providers;
    Transport &m_transport;
    SecretStore *m_secrets = nullptr;
    Clock &m_clock;
    Config m_config;
    std::unique_ptr<Leases> m_leases;
    PollScheduler *m_polls;
    Downloader *m_downloads;
    std::map<QString, std::unique_ptr<Job>> m_jobs;
    QList<QPointer<TransportReply>> m_sideReplies; // cancels of tasks other processes drive
    bool m_pumpQueued = false;
    bool m_adoptScheduled = false;
    bool m_downloadsRetried = false;
};

} // namespace tessera
