#include "cli.h"

#include "tasks/taskjson.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

namespace tessera::cli {

namespace {

constexpr int kForeignPollMs = 400; // how often to look at a task another process drives

QString tr(const char *text)
{
    return QCoreApplication::translate("Cli", text);
}

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// A parser for one sub-command: `usage` is shown by --help and on errors.
struct Command
{
    QCommandLineParser parser;
    QString usage;

    explicit Command(QString usageLine)
        : usage(std::move(usageLine))
    {
        parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
        parser.addOption({QStringLiteral("json"), tr("Print the result as JSON.")});
        parser.addOption({{QStringLiteral("h"), QStringLiteral("help")}, tr("Show this help.")});
    }
    void add(const QString &name, const QString &description, const QString &value = {})
    {
        parser.addOption(value.isEmpty() ? QCommandLineOption(name, description)
                                         : QCommandLineOption(name, description, value));
    }
    // `args` without the program name; the sub-command's own name is args[0].
    bool parse(const QStringList &args, QString *error)
    {
        if (!parser.parse(QStringList {QStringLiteral("tessera-cli")} + args.mid(1))) {
            *error = parser.errorText();
            return false;
        }
        return true;
    }
    bool isSet(const char *name) const { return parser.isSet(QString::fromLatin1(name)); }
    QString value(const char *name) const { return parser.value(QString::fromLatin1(name)); }
    QStringList positional() const { return parser.positionalArguments(); }
    QString helpText() const
    {
        QString text = parser.helpText();
        const qsizetype firstNewline = text.indexOf(QLatin1Char('\n'));
        return QStringLiteral("Usage: ") + usage + text.mid(firstNewline);
    }
};

std::optional<int> intOption(const Command &cmd, const char *name, QString *error)
{
    if (!cmd.isSet(name))
        return std::nullopt;
    bool ok = false;
    const int v = cmd.value(name).toInt(&ok);
    if (!ok)
        *error = tr("--%1: \"%2\" is not a whole number").arg(QLatin1String(name), cmd.value(name));
    return v;
}

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
    const QString command = args.first();
    if (command == QLatin1String("help") || command == QLatin1String("--help")
        || command == QLatin1String("-h"))
        return help(args.value(1));
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
    if (command == QLatin1String("status"))
        return status(args);
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
    fail(tr("unknown command \"%1\"").arg(command), Usage);
    help();
    return Usage;
}

int Cli::help(const QString &topic)
{
    Q_UNUSED(topic)
    m_out
        << tr("Tessera %1 — image generation from the command line\n"
              "\n"
              "Usage: tessera-cli COMMAND [options]   (tessera-cli COMMAND --help for its options)\n"
              "\n"
              "  imagine \"PROMPT\" [--account N] [--ar 16:9] [--version 7] [--speed fast] [--chaos N]\n"
              "                   [--stylize N] [--weird N] [--seed N] [--wait] [--json]\n"
              "  upscale TASK --index 1-4 [--wait] [--json]      U1–U4 of a grid\n"
              "  vary TASK --index 1-4 [--wait] [--json]         V1–V4 of a grid\n"
              "  reroll TASK [--wait] [--json]                   a new grid from the same prompt\n"
              "  status TASK [--json]                            what Tessera knows of a task\n"
              "  wait TASK [--json]                              follow a task to its end, download results\n"
              "  cancel TASK                                     cancel (on the server where the family "
              "can)\n"
              "  check TASK [--wait] [--json]                    ask again about an unfinished task\n"
              "  history list [--limit N] [--search TEXT] [--json]\n"
              "  history show TASK [--json]\n"
              "  history export TASK DIR                         copy a task's images to DIR\n"
              "  accounts list [--json]\n"
              "  accounts default NAME                           the account new tasks use\n"
              "\n"
              "TASK is Tessera's task id (a unique prefix of at least 6 characters will do) or the "
              "provider's\n"
              "id. Actions run on the account of their parent task. Without --wait a command returns as "
              "soon\n"
              "as the task is submitted; `wait` or the GUI picks it up later.\n"
              "Exit status: 0 success, 1 the task failed (the provider's message is on stderr), 2 bad "
              "usage,\n"
              "3 Tessera's data could not be opened.\n")
               .arg(QCoreApplication::applicationVersion());
    m_out.flush();
    return Ok;
}

std::optional<Task> Cli::findTask(const QString &key)
{
    if (!openCore())
        return std::nullopt;
    const auto found = m_core->store().findTask(key);
    if (!found) {
        fail(found.error().message, DataError);
        return std::nullopt;
    }
    if (!found->has_value()) {
        fail(tr("there is no task \"%1\" (try `tessera-cli history list`)").arg(key), Usage);
        return std::nullopt;
    }
    return **found;
}

int Cli::imagine(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli imagine \"PROMPT\" [options]"));
    cmd.parser.addPositionalArgument(QStringLiteral("prompt"),
                                     tr("What to generate; --flags inside it are sent as written."));
    cmd.add(QStringLiteral("account"), tr("Account name (default: the default account)."),
            QStringLiteral("name"));
    cmd.add(QStringLiteral("type"), tr("text, image, style, omni, video or video-hd."),
            QStringLiteral("type"));
    cmd.add(QStringLiteral("ref"), tr("Reference image URL or file (repeatable)."), QStringLiteral("url"));
    cmd.add(QStringLiteral("ar"), tr("Aspect ratio, e.g. 16:9."), QStringLiteral("ratio"));
    cmd.add(QStringLiteral("version"), tr("Model version, e.g. 7, 6.1, niji6."), QStringLiteral("version"));
    cmd.add(QStringLiteral("speed"), tr("relaxed, fast or turbo."), QStringLiteral("speed"));
    cmd.add(QStringLiteral("chaos"), tr("0-100."), QStringLiteral("n"));
    cmd.add(QStringLiteral("stylize"), tr("0-1000."), QStringLiteral("n"));
    cmd.add(QStringLiteral("weird"), tr("0-3000."), QStringLiteral("n"));
    cmd.add(QStringLiteral("ow"), tr("Omni weight 1-1000."), QStringLiteral("n"));
    cmd.add(QStringLiteral("seed"), tr("Seed for reproducible results."), QStringLiteral("n"));
    cmd.add(QStringLiteral("wait"), tr("Wait until the task has ended and its images are saved."));
    QString error;
    if (!cmd.parse(args, &error))
        return fail(error, Usage);
    if (cmd.isSet("help")) {
        m_out << cmd.helpText();
        return Ok;
    }
    if (cmd.positional().size() != 1)
        return fail(tr("imagine takes one prompt (quote it): tessera-cli imagine \"a red fox\""), Usage);

    Operation op = Operation::imagine(cmd.positional().first());
    if (cmd.isSet("type")) {
        const auto type = generateTypeFromName(cmd.value("type"));
        if (!type)
            return fail(tr("--type: use text, image, style, omni, video or video-hd"), Usage);
        op.type = *type;
    }
    op.references = cmd.parser.values(QStringLiteral("ref"));
    op.aspectRatio = cmd.value("ar");
    op.version = cmd.value("version");
    op.speed = cmd.value("speed");
    op.chaos = intOption(cmd, "chaos", &error);
    op.stylize = intOption(cmd, "stylize", &error);
    op.weird = intOption(cmd, "weird", &error);
    op.omniWeight = intOption(cmd, "ow", &error);
    if (cmd.isSet("seed")) {
        bool ok = false;
        op.seed = cmd.value("seed").toLongLong(&ok);
        if (!ok)
            error = tr("--seed: \"%1\" is not a whole number").arg(cmd.value("seed"));
    }
    if (!error.isEmpty())
        return fail(error, Usage);
    if (!openCore())
        return DataError;
    const Result<Account> account = m_core->resolveAccount(cmd.value("account"));
    if (!account)
        return fail(account.error().message, Usage);
    const Result<QString> id = m_core->engine().submit(op, account->id);
    if (!id)
        return fail(id.error().message, id.error().kind == Error::Kind::Io ? DataError : Usage);
    const bool untilEnd = cmd.isSet("wait");
    return report(follow(*id, untilEnd, cmd.isSet("json")), cmd.isSet("json"), untilEnd);
}

int Cli::action(OperationKind kind, const QStringList &args)
{
    const QString name = operationKindName(kind);
    Command cmd(QStringLiteral("tessera-cli %1 TASK [options]").arg(name));
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("The parent task."));
    cmd.add(QStringLiteral("index"), tr("Which image of the grid, 1-4 (row-major: 1 top-left)."),
            QStringLiteral("n"));
    cmd.add(QStringLiteral("variant"),
            tr("subtle, strong, creative, 2x or 4x where the provider offers them."),
            QStringLiteral("variant"));
    cmd.add(QStringLiteral("prompt"), tr("A prompt for the action where it takes one."),
            QStringLiteral("prompt"));
    cmd.add(QStringLiteral("wait"), tr("Wait until the task has ended and its images are saved."));
    QString error;
    if (!cmd.parse(args, &error))
        return fail(error, Usage);
    if (cmd.isSet("help")) {
        m_out << cmd.helpText();
        return Ok;
    }
    if (cmd.positional().size() != 1)
        return fail(tr("%1 takes one task id").arg(name), Usage);
    const std::optional<int> index = intOption(cmd, "index", &error);
    if (!error.isEmpty())
        return fail(error, Usage);
    if (kind != OperationKind::Reroll && !index && cmd.value("variant").isEmpty())
        return fail(tr("%1 needs --index 1-4 (which image of the grid)").arg(name), Usage);
    const std::optional<Task> parent = findTask(cmd.positional().first());
    if (!parent)
        return Usage;
    Operation op = Operation::action(kind, parent->id, index.value_or(0));
    op.variant = cmd.value("variant");
    op.prompt = cmd.value("prompt");
    const Result<QString> id = m_core->engine().submit(op, parent->accountId);
    if (!id)
        return fail(id.error().message, Usage);
    const bool untilEnd = cmd.isSet("wait");
    return report(follow(*id, untilEnd, cmd.isSet("json")), cmd.isSet("json"), untilEnd);
}

Task Cli::follow(const QString &taskId, bool untilEnd, bool quiet)
{
    TaskEngine &engine = m_core->engine();
    Task last = *(*m_core->store().task(taskId));
    const auto reached = [&](const Task &t) {
        return isTerminal(t.state) || (!untilEnd && t.state >= TaskState::Submitted);
    };
    if (reached(last))
        return last;

    QEventLoop loop;
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
        if (reached(t))
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

int Cli::status(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli status TASK [--json]"));
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("The task."));
    QString error;
    if (!cmd.parse(args, &error) || cmd.positional().size() != 1)
        return fail(error.isEmpty() ? tr("status takes one task id") : error, Usage);
    const std::optional<Task> task = findTask(cmd.positional().first());
    if (!task)
        return Usage;
    printTask(*task, cmd.isSet("json"));
    return Ok;
}

int Cli::wait(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli wait TASK [--json]"));
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("The task."));
    QString error;
    if (!cmd.parse(args, &error) || cmd.positional().size() != 1)
        return fail(error.isEmpty() ? tr("wait takes one task id") : error, Usage);
    const std::optional<Task> task = findTask(cmd.positional().first());
    if (!task)
        return Usage;
    if (task->state == TaskState::Unfinished || task->state == TaskState::Unknown) {
        // "wait" on a task that ran out of checks asks the server again.
        if (const Status s = m_core->engine().check(task->id); !s)
            return fail(s.error().message, TaskFailed);
    }
    return report(follow(task->id, true, cmd.isSet("json")), cmd.isSet("json"), true);
}

int Cli::cancel(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli cancel TASK"));
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("The task."));
    QString error;
    if (!cmd.parse(args, &error) || cmd.positional().size() != 1)
        return fail(error.isEmpty() ? tr("cancel takes one task id") : error, Usage);
    const std::optional<Task> task = findTask(cmd.positional().first());
    if (!task)
        return Usage;
    if (isActive(task->state)) {
        if (const auto adopted = m_core->engine().adopt(task->id); !adopted || !*adopted)
            return fail(tr("another Tessera window or command is running this task; cancel it there"),
                        TaskFailed);
    }
    if (const Status s = m_core->engine().cancel(task->id); !s)
        return fail(s.error().message, TaskFailed);
    const Task after = follow(task->id, true, true);
    printTask(after, cmd.isSet("json"));
    return after.state == TaskState::Cancelled ? Ok : TaskFailed;
}

int Cli::check(const QStringList &args)
{
    Command cmd(QStringLiteral("tessera-cli check TASK [--wait] [--json]"));
    cmd.parser.addPositionalArgument(QStringLiteral("task"), tr("An unfinished task."));
    cmd.add(QStringLiteral("wait"), tr("Wait until the task has ended and its images are saved."));
    QString error;
    if (!cmd.parse(args, &error) || cmd.positional().size() != 1)
        return fail(error.isEmpty() ? tr("check takes one task id") : error, Usage);
    const std::optional<Task> task = findTask(cmd.positional().first());
    if (!task)
        return Usage;
    if (const Status s = m_core->engine().check(task->id); !s)
        return fail(s.error().message, TaskFailed);
    const bool untilEnd = cmd.isSet("wait");
    return report(follow(task->id, untilEnd, cmd.isSet("json")), cmd.isSet("json"), untilEnd);
}

int Cli::history(const QStringList &args)
{
    const QString sub = args.value(1);
    if (sub == QLatin1String("show"))
        return status(args.mid(1));
    if (sub == QLatin1String("export")) {
        if (args.size() != 4)
            return fail(tr("usage: tessera-cli history export TASK DIR"), Usage);
        const std::optional<Task> task = findTask(args[2]);
        if (!task)
            return Usage;
        const QDir target(args[3]);
        if (!QDir().mkpath(target.absolutePath()))
            return fail(tr("cannot create %1").arg(target.absolutePath()), DataError);
        int copied = 0;
        for (const ImageRef &img : task->images) {
            if (!img.isLocal())
                continue;
            const QString source = m_core->archive().absolutePath(img.path);
            const QString name = task->id.left(8) + QLatin1Char('-') + QFileInfo(source).fileName();
            const QString dest = target.filePath(name);
            QFile::remove(dest);
            if (!QFile::copy(source, dest))
                return fail(tr("cannot copy %1 to %2").arg(source, dest), DataError);
            m_out << dest << "\n";
            ++copied;
        }
        m_out.flush();
        return copied > 0 ? Ok : fail(tr("task %1 has no saved images").arg(task->id), TaskFailed);
    }
    if (sub != QLatin1String("list"))
        return fail(tr("usage: tessera-cli history list|show|export"), Usage);
    Command cmd(QStringLiteral("tessera-cli history list [--limit N] [--search TEXT] [--json]"));
    cmd.add(QStringLiteral("limit"), tr("How many tasks (default 20)."), QStringLiteral("n"));
    cmd.add(QStringLiteral("search"), tr("Only tasks whose prompt contains TEXT."), QStringLiteral("text"));
    QString error;
    if (!cmd.parse(args.mid(1), &error))
        return fail(error, Usage);
    const int limit = intOption(cmd, "limit", &error).value_or(20);
    if (!error.isEmpty() || limit < 0)
        return fail(error.isEmpty() ? tr("--limit must not be negative") : error, Usage);
    if (!openCore())
        return DataError;
    const auto tasks = m_core->store().recentTasks(limit, 0, cmd.value("search"));
    if (!tasks)
        return fail(tasks.error().message, DataError);
    if (cmd.isSet("json")) {
        QJsonArray list;
        for (const Task &t : *tasks) {
            const auto account = m_core->store().account(t.accountId);
            list.append(
                taskToJson(t, account && account->has_value() ? **account : Account(), m_core->archive()));
        }
        m_out << QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact)) << Qt::endl;
        return Ok;
    }
    for (const Task &t : *tasks) {
        m_out << t.id.left(8) << "  " << t.created.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
              << "  " << t.operation.label().leftJustified(8) << "  "
              << taskStateName(t.state).leftJustified(10) << "  " << t.prompt.simplified().left(60) << "\n";
    }
    m_out.flush();
    return Ok;
}

int Cli::accounts(const QStringList &args)
{
    const QString sub = args.value(1);
    if (!openCore())
        return DataError;
    if (sub == QLatin1String("default")) {
        if (args.size() != 3)
            return fail(tr("usage: tessera-cli accounts default NAME"), Usage);
        const Result<Account> account = m_core->resolveAccount(args[2]);
        if (!account)
            return fail(account.error().message, Usage);
        if (const Status s = m_core->store().setDefaultAccount(account->id); !s)
            return fail(s.error().message, DataError);
        m_out << tr("New tasks use %1.").arg(account->displayName()) << Qt::endl;
        return Ok;
    }
    if (sub != QLatin1String("list"))
        return fail(tr("usage: tessera-cli accounts list | default NAME"), Usage);
    const auto all = m_core->store().accounts();
    const auto preferred = m_core->store().defaultAccount();
    if (!all || !preferred)
        return fail(!all ? all.error().message : preferred.error().message, DataError);
    const bool asJson = args.contains(QStringLiteral("--json"));
    QJsonArray list;
    for (const Account &a : *all) {
        const bool isDefault = a.id == preferred->id;
        if (!asJson) {
            m_out << (isDefault ? "* " : "  ") << a.displayName()
                  << (a.baseUrl.isEmpty() ? QString() : QStringLiteral("  ") + a.baseUrl) << "\n";
            continue;
        }
        list.append(QJsonObject {{QStringLiteral("id"), a.id},
                                 {QStringLiteral("name"), a.isDemo() ? QStringLiteral("demo") : a.name},
                                 {QStringLiteral("family"), a.family},
                                 {QStringLiteral("baseUrl"), a.baseUrl},
                                 {QStringLiteral("options"), a.options},
                                 {QStringLiteral("default"), isDefault}});
    }
    if (asJson)
        m_out << QString::fromUtf8(QJsonDocument(list).toJson(QJsonDocument::Compact)) << "\n";
    m_out.flush();
    return Ok;
}

} // namespace tessera::cli
