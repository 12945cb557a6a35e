#include "cli.h"

#include "command.h"
#include "interrupt.h"
#include "taskjson.h"

#include <QEventLoop>
#include <QTimer>

namespace tessera::cli {

namespace {
constexpr int kForeignPollMs = 400; // how often to look at a task another process drives
} // namespace

Cli::Cli(QTextStream &out, QTextStream &err, AppCore::Options options)
    : m_out(out)
    , m_err(err)
    , m_options(std::move(options))
{ }

Cli::~Cli() = default;

int Cli::fail(const QString &message, int code)
{
    m_err << "tessera-cli: " << message << Qt::endl;
    return code;
}

int Cli::interrupted(const Task &task)
{
    return fail(tr("interrupted; the task continues — `tessera-cli wait %1` picks it up").arg(task.id),
                Interrupted);
}

std::optional<int> Cli::parse(Command &cmd, const QStringList &args, qsizetype positionals,
                              const QString &countError)
{
    QString error;
    if (!cmd.parse(args, &error))
        return fail(error, Usage);
    if (cmd.isSet("help")) {
        m_out << cmd.helpText();
        m_out.flush();
        return Ok;
    }
    if (positionals >= 0 && cmd.positional().size() != positionals)
        return fail(countError, Usage);
    return std::nullopt;
}

bool Cli::openCore()
{
    if (m_core)
        return true;
    auto core = AppCore::open(m_options);
    if (!core) {
        fail(tr("cannot open Tessera's data: %1").arg(core.error().message), DataError);
        return false;
    }
    m_core = std::move(*core);
    return true;
}

int Cli::run(const QStringList &arguments)
{
    const QStringList args = arguments.mid(1);
    if (args.isEmpty())
        return help();
    const QString &command = args.first();
    if (command == QLatin1String("help") || command == QLatin1String("--help")
        || command == QLatin1String("-h")) {
        // `help imagine` is `imagine --help`.
        const QString topic = args.value(1);
        if (!topic.isEmpty() && !topic.startsWith(QLatin1Char('-')) && topic != command)
            return run({arguments.first(), topic, QStringLiteral("--help")});
        return help();
    }
    if (command == QLatin1String("--version") || command == QLatin1String("version")) {
        m_out << "tessera-cli " << QCoreApplication::applicationVersion() << Qt::endl;
        return Ok;
    }
    if (command == QLatin1String("imagine"))
        return imagine(args);
    if (command == QLatin1String("upscale"))
        return action(OperationKind::Upscale, args);
    if (command == QLatin1String("vary"))
        return action(OperationKind::Vary, args);
    if (command == QLatin1String("reroll"))
        return action(OperationKind::Reroll, args);
    for (const OperationKind kind :
         {OperationKind::Pan, OperationKind::Zoom, OperationKind::Inpaint, OperationKind::Seed,
          OperationKind::Animate, OperationKind::VideoExtend}) {
        if (command == operationKindName(kind))
            return action(kind, args);
    }
    for (const OperationKind kind : {OperationKind::Describe, OperationKind::Blend, OperationKind::Shorten}) {
        if (command == operationKindName(kind))
            return fromImages(kind, args);
    }
    if (command == QLatin1String("status"))
        return status(args, QStringLiteral("tessera-cli status TASK [--json]"));
    if (command == QLatin1String("wait"))
        return wait(args);
    if (command == QLatin1String("cancel"))
        return cancel(args);
    if (command == QLatin1String("check"))
        return check(args);
    if (command == QLatin1String("history"))
        return history(args);
    if (command == QLatin1String("accounts"))
        return accounts(args);
    if (command == QLatin1String("mask"))
        return mask(args);
    // Nothing on stdout: a script reading it must not mistake the help text for a result.
    return fail(tr("unknown command \"%1\" (`tessera-cli help` lists the commands)").arg(command), Usage);
}

int Cli::help(const QString &topic)
{
    Q_UNUSED(topic)
    m_out
        << tr("Tessera %1 — image generation from the command line\n"
              "\n"
              "Usage: tessera-cli COMMAND [options]   (tessera-cli COMMAND --help for its options)\n"
              "\n"
              "  imagine \"PROMPT\" [--account N] [--type text|image|style|omni|video|video-hd] [--ref "
              "URL|FILE]...\n"
              "                   [--ar 16:9] [--version 7] [--speed fast] [--chaos N] [--stylize N] "
              "[--weird N]\n"
              "                   [--ow N] [--seed N] [--motion low|high] [--batch N] [--wait] [--json]\n"
              "  upscale TASK --index 1-4 | --variant subtle|creative|2x|4x      U1–U4, or an upscale's "
              "variants\n"
              "  vary TASK --index 1-4 | --variant subtle|strong                 V1–V4, or Vary "
              "Subtle/Strong\n"
              "  reroll TASK                                     a new grid from the same prompt\n"
              "  pan TASK [--index 1-4] --direction left|right|up|down [--prompt P]\n"
              "  zoom TASK [--index 1-4] --factor 1.5|2|X [--prompt P]   zoom out\n"
              "  inpaint TASK [--index 1-4] --mask FILE.png [--prompt P] vary region (white = regenerate)\n"
              "  seed TASK                                       the seed of a result\n"
              "  animate TASK [--index 1-4] [--motion low|high]  a video from an image\n"
              "  video-extend TASK [--index N] [--prompt P | --auto]   (kie)\n"
              "  describe FILE|URL | blend FILE|URL... [--dimensions portrait|square|landscape]\n"
              "  shorten \"PROMPT\"                               (midjourney-proxy)\n"
              "      every task command takes [--wait] [--json]; actions on a grid tile that need a single\n"
              "      image (pan, zoom, vary region at some providers) run the tile's U first, or reuse it\n"
              "  status TASK [--json]                            what Tessera knows of a task\n"
              "  wait TASK [--json]                              follow a task to its end, download results\n"
              "  cancel TASK [--json]                            cancel (on the server where the family "
              "can)\n"
              "  check TASK [--wait] [--json]                    ask again about an unfinished task\n"
              "  history list [--limit N] [--search TEXT] [--json]\n"
              "  history show TASK [--json]\n"
              "  history export TASK DIR                         copy a task's images to DIR\n"
              "  accounts list [--json]\n"
              "  accounts add --family F --name N --base-url U [--option K=V]... [--key-stdin]\n"
              "  accounts remove NAME | test NAME | default NAME\n"
              "  mask export FILE.png --format base64|dataurl|polygons [--epsilon E]\n"
              "\n"
              "TASK is Tessera's task id (a unique prefix of at least 6 characters will do) or the "
              "provider's\n"
              "id. Actions run on the account of their parent task. Without --wait a command returns as "
              "soon\n"
              "as the task is submitted; `wait` or the GUI picks it up later. Ctrl+C while waiting leaves "
              "the\n"
              "task running for `wait` to pick up.\n"
              "Exit status: 0 success, 1 the task failed (the provider's message is on stderr), 2 bad "
              "usage,\n"
              "3 Tessera's data could not be opened, 130 interrupted.\n")
               .arg(QCoreApplication::applicationVersion());
    m_out.flush();
    return Ok;
}

std::optional<Task> Cli::findTask(const QString &key, int &exitCode)
{
    exitCode = DataError;
    if (!openCore())
        return std::nullopt;
    const auto found = m_core->store().findTask(key);
    if (!found) {
        // An ambiguous prefix is the user's to fix; a database that cannot be read is not.
        exitCode = found.error().kind == Error::Kind::Io ? DataError : Usage;
        fail(found.error().message, exitCode);
        return std::nullopt;
    }
    if (!found->has_value()) {
        exitCode = Usage;
        fail(tr("there is no task \"%1\" (try `tessera-cli history list`)").arg(key), exitCode);
        return std::nullopt;
    }
    exitCode = Ok;
    useEnvironmentKey((*found)->accountId); // the account this command uses
    return **found;
}

Task Cli::follow(const QString &taskId, bool untilEnd, bool quiet)
{
    TaskEngine &engine = m_core->engine();
    Task last;
    if (const auto stored = m_core->store().task(taskId); stored && stored->has_value()) {
        last = **stored;
    } else {
        last.id = taskId;
        last.state = TaskState::Unknown;
        last.error = stored ? Error::make(Error::Kind::NotFound, tr("the task is no longer in the history"))
                            : stored.error();
        return last;
    }
    const auto reached = [&](const Task &t) {
        return isTerminal(t.state) || (!untilEnd && t.state >= TaskState::Submitted);
    };
    if (reached(last))
        return last;

    QEventLoop loop;
    // After Ctrl+C a submit already on the wire is let finish, so that the task is not left in
    // Submitting (which for most families cannot safely be sent again). A second Ctrl+C ends at once.
    const auto settled = [&] { return m_interrupted && last.state != TaskState::Submitting; };
    InterruptWatcher interrupts;
    QObject::connect(&interrupts, &InterruptWatcher::interrupted, &loop, [&] {
        m_interrupted = true;
        if (settled())
            loop.quit();
    });
    if (!quiet && untilEnd)
        m_err << tr("task %1").arg(taskId) << Qt::endl;
    std::optional<int> shownProgress;
    TaskState shownState = last.state;
    const auto seen = [&](const Task &t) {
        if (t.id != taskId)
            return;
        last = t;
        if (!quiet && untilEnd && (t.state != shownState || t.progress != shownProgress)) {
            m_err << "  " << taskStateLabel(t.state);
            if (t.progress && t.state == TaskState::Running)
                m_err << " " << *t.progress << "%";
            m_err << Qt::endl;
            shownState = t.state;
            shownProgress = t.progress;
        }
        if (reached(t) || settled())
            loop.quit();
    };
    QObject::connect(&engine, &TaskEngine::taskChanged, &loop, seen);
    QObject::connect(&engine, &TaskEngine::taskFinished, &loop, seen);
    // A task another process drives (the GUI) is followed through the database; if that process goes
    // away, its lease runs out and this one takes the task over.
    const auto lookAtForeign = [&] {
        if (engine.isDriving(taskId))
            return;
        if (const auto adopted = engine.adopt(taskId); adopted && *adopted)
            return;
        if (const auto t = m_core->store().task(taskId); t && t->has_value())
            seen(**t);
    };
    QTimer foreign;
    QObject::connect(&foreign, &QTimer::timeout, &loop, lookAtForeign);
    foreign.start(kForeignPollMs);
    if (!engine.isDriving(taskId))
        QTimer::singleShot(0, &loop, lookAtForeign);
    loop.exec();
    return last;
}

int Cli::report(const Task &task, bool asJson, bool untilEnd)
{
    if (m_interrupted && !isTerminal(task.state))
        return interrupted(task);
    printTask(task, asJson);
    if (task.state == TaskState::Succeeded && !task.error)
        return Ok;
    if (!isTerminal(task.state) && !untilEnd)
        return Ok; // submitted; `wait` follows it later
    const QString message = task.error ? task.error->userText() : taskStateLabel(task.state);
    if (task.state == TaskState::Succeeded)
        return fail(message, TaskFailed);
    return fail(tr("task %1 %2: %3").arg(task.id, taskStateName(task.state), message), TaskFailed);
}

void Cli::printTask(const Task &task, bool asJson)
{
    const auto account = m_core->store().account(task.accountId);
    const Account acc = account && account->has_value() ? **account : Account();
    if (asJson) {
        m_out << json(taskToJson(task, acc, m_core->archive())) << Qt::endl;
        return;
    }
    m_out << task.id << "  " << task.operation.label() << "  " << taskStateName(task.state);
    if (task.progress && isActive(task.state))
        m_out << " " << *task.progress << "%";
    m_out << "  " << acc.displayName() << "\n";
    m_out << "  " << tr("prompt: ") << task.prompt << "\n";
    if (!task.parentId.isEmpty())
        m_out << "  " << tr("parent: ") << task.parentId
              << (task.tile > 0 ? tr(" (image %1)").arg(task.tile) : QString()) << "\n";
    if (!task.remoteId.isEmpty())
        m_out << "  " << tr("provider id: ") << task.remoteId << "\n";
    if (task.error)
        m_out << "  " << tr("note: ") << task.error->userText() << "\n";
    if (task.operation.kind == OperationKind::Seed && task.remote.contains(QStringLiteral("seed")))
        m_out << "  " << tr("seed: ") << task.remote.value(QStringLiteral("seed")).toString() << "\n";
    if (const QString text = task.remote.value(QStringLiteral("finalPrompt")).toString(); !text.isEmpty()
        && (task.operation.kind == OperationKind::Describe || task.operation.kind == OperationKind::Shorten))
        m_out << "  " << tr("result:\n") << text << "\n";
    for (const ImageRef &img : task.images) {
        m_out << "  " << imageRoleName(img.role)
              << (img.index > 0 ? QStringLiteral(" %1").arg(img.index) : QString()) << "  "
              << img.size.width() << "x" << img.size.height() << "  "
              << (img.isLocal() ? m_core->archive().absolutePath(img.path)
                                : imageStateName(img.state) + QStringLiteral(": ") + img.error)
              << "\n";
    }
    m_out.flush();
}

} // namespace tessera::cli
