#pragma once

#include "model/account.h"
#include "model/capabilities.h"
#include "model/httpcall.h"
#include "model/imageref.h"
#include "model/operation.h"
#include "model/result.h"
#include "model/task.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace tessera {

// What a submit needs besides the operation: the account, and for actions the parent task as stored
// (its remote id and the vendor data kept in Task::remote, e.g. mjproxy buttons).
struct SubmitContext
{
    Account account;
    std::optional<Task> parent;
};

// The answer to a submit: the vendor's id for the new task. `needsModal` says the vendor parked the
// task waiting for a follow-up call (mjproxy code 21); the engine then asks buildModal().
struct TaskSnapshot;

struct SubmitOutcome
{
    QString remoteId;
    bool needsModal = false;
    QJsonObject remote; // vendor data worth keeping with the task
    // Set when the answer already is the result and there is nothing to poll (midjourney-proxy's
    // image-seed answers the seed at once). remoteId may then be empty.
    std::shared_ptr<const TaskSnapshot> immediate;
};

// One result file the vendor announced.
struct RemoteImage
{
    ImageRole role = ImageRole::Grid;
    int index = 0; // 1..4 for separate tiles, 0 for a grid or a single image
    QString url;
};

// One status answer, translated.
struct TaskSnapshot
{
    TaskState state = TaskState::Running; // Submitted, Running, Succeeded, Failed or Cancelled
    std::optional<int> progress;
    QList<RemoteImage> results; // set when Succeeded
    QJsonObject remote; // merged into Task::remote
    std::optional<Error> error; // set when Failed
    // Text results (describe, shorten: the prompts in `remote["finalPrompt"]`; seed: `remote["seed"]`)
    // succeed without images; the engine then finishes at once.
};

// When and how often to ask for a task's status. Every value can be overridden per account.
struct PollPolicy
{
    int firstPollMs = 3000;
    int intervalMs = 3000;
    int maxIntervalMs = 3000; // the interval grows by `growth` each poll up to this
    int maxPolls = 0; // checks per run (a run ends as Unfinished; Check again starts another); 0 = no cap
    qint64 timeoutMs = 10LL * 60 * 1000; // after this the task is Unfinished, not failed
    int steadyPolls = 0; // checks of a run at `intervalMs` before the interval starts to grow
    double growth = 1.5;
    int minIntervalMs = 0; // the vendor's least time between two checks of a task; nothing overrides it
    // Checks the vendor allows per task over its whole life, across runs, processes and restarts (kolersky:
    // 60, PROVIDERS.md §1); once spent the task cannot be asked about again. 0 = no such limit.
    int pollBudget = 0;

    // Defaults overridden by the account's "first-poll", "poll-interval", "timeout" (seconds) and
    // "max-polls" options.
    PollPolicy withOverrides(const Account &account) const;
};

// What "Test connection" found out (issue "Accounts and secrets"): the four answers a user needs told apart.
struct ConnectionReport
{
    // NoKey: there was no key to test, so nothing was sent.
    enum class Verdict { KeyAccepted, KeyRejected, Unreachable, NotThisApi, NoKey };
    Verdict verdict = Verdict::Unreachable;
    QString message; // the vendor's own words where there were any
};

// Every family's first answer for an action: its parent must be a finished task ("Select a finished task
// first", "The task has not finished yet") with the vendor's id, else `noId` (empty: no id needed).
// Nothing when the parent is fit to act on.
std::optional<Availability> parentNotReady(const Task *parent, const QString &noId);

// A pure translator between Tessera's Operation model and one API family (ARCHITECTURE.md): it builds
// calls and reads answers; it never touches the network, clock, disk or database. Implementations are
// stateless and safe to use from any thread.
class ProviderAdapter
{
public:
    virtual ~ProviderAdapter() = default;

    virtual QString family() const = 0; // "demo", "kie", ...
    virtual QString displayName() const = 0; // "Demo (offline)", "kie.ai-style", ...

    virtual Capabilities capabilities(const Account &account) const = 0;

    // Whether `op` can be run on `parent` (null for operations without a parent) with this account,
    // with the reason when not ("apixo has no pan").
    virtual Availability availability(const Operation &op, const Task *parent,
                                      const Account &account) const = 0;

    // The operation as this family takes it. The default lifts Midjourney flags typed in the prompt
    // ("--ar 16:9") into the operation's fields, for families with JSON parameters; families that take
    // parameters inside the prompt text (mjproxy) keep it as typed. The engine stores the result.
    virtual Result<Operation> normalize(const Operation &op) const;

    // Family-specific parameter checks before anything is sent; the message names the field.
    virtual Status validate(const Operation &op, const Account &account) const = 0;

    virtual Result<HttpCall> buildSubmit(const Operation &op, const SubmitContext &context) const = 0;
    virtual Result<SubmitOutcome> parseSubmit(const Operation &op, const HttpResponse &response) const = 0;

    // The follow-up of a submit answered with SubmitOutcome::needsModal (mjproxy /submit/modal).
    virtual Result<HttpCall> buildModal(const Operation &op, const SubmitContext &context,
                                        const QString &modalTaskId) const;
    // For a modal that takes a prompt the user may change (Remix): the prompt it would carry, offered to
    // the user before the modal is sent; nothing when the modal takes no such prompt, the user already
    // gave one, or the account keeps prompts as they are. The default: nothing.
    virtual std::optional<QString> remixPrompt(const Operation &op, const SubmitContext &context) const;

    virtual HttpCall buildStatus(const QString &remoteId, const Account &account) const = 0;
    virtual Result<TaskSnapshot> parseStatus(const HttpResponse &response) const = 0;

    // The server-side cancel call, or nothing when the family has none (cancel then only stops polling).
    virtual std::optional<HttpCall> buildCancel(const QString &remoteId, const Account &account) const;
    // Whether the server accepted the cancel; the default takes any 2xx as yes.
    virtual Status parseCancel(const HttpResponse &response) const;
    // What Cancel will do to `task` in its current state, said before it is pressed: yes when the server
    // cancels it; a caveat when it cannot (the family has no server-side cancel: Tessera only stops
    // asking) or will likely refuse (kolersky cancels only tasks not yet processing).
    virtual Availability cancelAvailability(const Task &task, const Account &account) const;

    virtual PollPolicy pollPolicy(const Operation &op, const Account &account) const = 0;

    // Batch polling (PROVIDERS.md §6: midjourney-proxy's list-by-condition): one status request for several
    // tasks of one account. Families without it answer nothing (the default) and are polled one by one.
    // The map holds the snapshots that could be read, by remote id; tasks missing from it are polled alone.
    virtual std::optional<HttpCall> batchStatusCall(const QStringList &remoteIds,
                                                    const Account &account) const
    {
        Q_UNUSED(remoteIds)
        Q_UNUSED(account)
        return std::nullopt;
    }
    virtual Result<QMap<QString, TaskSnapshot>> readBatchStatus(const HttpResponse &response) const;

    // "Test connection": one cheap authenticated request (by default the status of a task id that cannot
    // exist) and what its answer says. The default reading: no answer → Unreachable; 401/403 →
    // KeyRejected; an answer that is not JSON (an HTML page) → NotThisApi; any other JSON answer (a "task
    // not found" included) → KeyAccepted. Families whose envelope carries the status override it.
    virtual HttpCall buildConnectionTest(const Account &account) const;
    virtual ConnectionReport parseConnectionTest(const Result<HttpResponse> &response) const;

    // True when `op` acts on a single image and so, asked on a grid tile, must run on the upscale of that
    // tile (kolersky and midjourney-proxy pan/zoom/inpaint...). The ActionPlanner then runs or reuses the
    // U of the tile first (PROVIDERS.md §1 and §4 Decisions).
    virtual bool needsSingleImage(const Operation &op) const
    {
        Q_UNUSED(op)
        return false;
    }

    // True when sending a submit twice costs nothing and loses nothing (the offline demo). For every
    // real family a submit interrupted by a crash becomes "unknown — check" instead of being re-sent.
    virtual bool resubmitIsSafe() const { return false; }
};

} // namespace tessera
